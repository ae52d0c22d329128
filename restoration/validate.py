"""Validate an input table against its layer spec (``restoration.model``).

Validation is vectorised per column and collects every problem, each with its file, row and
field, before anything is written. The result is a clean frame in the store's canonical form:
enums as their code values, lists and JSON as Python objects, dates as ISO strings, geometries
valid, in EPSG:4326, with computed areas.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field as dc_field

import geopandas as gpd
import numpy as np
import pandas as pd

from . import geometry as geo
from . import plausibility
from .messages import Message
from . import model
from .errors import InputError, Issue
from .model import Field, LayerSpec
from .validate_geometry import validate_geometry

_TRUE = {"true", "1", "yes", "y", "是", "t"}
_FALSE = {"false", "0", "no", "n", "否", "f"}
_LIST_SEPARATORS = (";", "；", ",", "，", "、", "|")


@dataclass
class Validated:
    """A validated frame plus the repairs and notes made on the way (not errors)."""

    frame: pd.DataFrame
    warnings: list[Issue]
    #: what was done with the file's columns (extra columns kept or ignored), for the user
    notes: list[str] = dc_field(default_factory=list)


@dataclass
class Partial:
    """What could be read of a refused table, for further checks in the same pass: the frame in
    canonical form (cells that failed are blank), the failed cells as (position, field) and the
    fields the file has no column for."""

    frame: pd.DataFrame
    bad: set = dc_field(default_factory=set)
    absent: set = dc_field(default_factory=set)

    def usable(self, pos: int, field: str) -> bool:
        """Whether the cell was read cleanly (so a further check on it says something new)."""
        return field not in self.absent and (pos, field) not in self.bad


#: at most this many rows are listed per problem (a count of the others follows)
ROWS_PER_PROBLEM = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_EXCEPT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class _Locator:
    """Turns a positional row index into the row number the user sees in their file."""

    def __init__(self, frame: pd.DataFrame, source: str | None):
        self.source = source or frame.attrs.get("source")
        self.start = int(frame.attrs.get("row_start", 1))
        self.label = frame.attrs.get("row_label", "row")
        #: every (position, field) found bad, also those beyond the listing cap
        self.bad: set[tuple[int, str | None]] = set()

    def issue(self, pos: int | None, field: str | None, message: str) -> Issue:
        row = None if pos is None else int(pos) + self.start
        if pos is not None:
            self.bad.add((int(pos), field))
        return Issue(message, source=self.source, row=row, field=field, row_label=self.label)

    def each(self, mask_or_positions, field: str | None, message, issues: list[Issue]) -> None:
        """One issue per flagged row (``message(pos)``), at most ROWS_PER_PROBLEM, then a count."""
        arr = np.asarray(mask_or_positions)
        positions = np.flatnonzero(arr) if arr.dtype == bool else arr
        self.bad.update((int(p), field) for p in positions)
        for pos in positions[:ROWS_PER_PROBLEM]:
            issues.append(self.issue(pos, field, message(pos)))
        if len(positions) > ROWS_PER_PROBLEM:
            issues.append(more_rows([int(p) + self.start for p in positions[ROWS_PER_PROBLEM:]], field,
                                    self.source))


def more_rows(rows, field: str | None, source: str | None, what: str = "the same problem") -> Issue:
    """The count that follows ROWS_PER_PROBLEM listed rows: one issue standing for one problem
    in each of ``rows`` (the row numbers the user sees), so the error's own summary counts them."""
    rows = tuple(int(r) for r in rows)
    return Issue(f"... and {len(rows):,} more rows with {what} in field '{field}'", source=source, field=field,
                 hidden_rows=rows)


def sort_issues(issues: list[Issue]) -> list[Issue]:
    """File-level problems first, then by row (each row's problems together), stable otherwise;
    the counts of unlisted rows last."""
    def key(i: Issue):
        return (2 if i.hidden_rows is not None else int(i.row is not None), i.row if i.row is not None else 0)
    return sorted(issues, key=key)


def _text_limit(f: Field, spec: LayerSpec | None) -> tuple[int, re.Pattern]:
    """Length limit and forbidden characters of a text field: ids and names allow no control
    characters at all; free text may hold line breaks and tabs."""
    is_id = (spec is not None and (f.name == spec.key or f.name in dict(spec.refs))) or f.name.endswith("_id")
    if is_id:
        return f.max_len or model.MAX_ID_LEN, _CONTROL
    if f.name in ("name", "title"):
        return f.max_len or model.MAX_TEXT_LEN, _CONTROL
    return f.max_len or model.MAX_TEXT_LEN, _CONTROL_EXCEPT_LINES


def text_problem(value: str, limit: int, forbidden: re.Pattern) -> Message | None:
    """What is wrong with one text value (control characters, length), or None."""
    m = forbidden.search(value)
    if m:
        return Message("input.control_char", {"char": f"U+{ord(m.group()):04X}", "position": m.start() + 1})
    if len(value) > limit:
        return Message("input.too_long", {"n": len(value), "max": limit})
    return None


def check_text(value: str | None, field: str, *, free_text: bool = False, limit: int | None = None) -> None:
    """Refuse one text value given outside a table (a form field, a command-line option): control
    characters (line breaks allowed in ``free_text``) and over-long text, as an InputError naming
    ``field``."""
    if value is None:
        return
    problem = text_problem(str(value), limit or (model.MAX_NOTE_LEN if free_text else model.MAX_TEXT_LEN),
                           _CONTROL_EXCEPT_LINES if free_text else _CONTROL)
    if problem:
        raise InputError(Issue(problem, field=field))


def _zh_to_code(f: Field) -> dict[str, str]:
    """Accept Chinese labels and English labels as well as codes for enum values."""
    enum_by_name = {
        "role": model.Role, "ecosystem_type": model.EcosystemType, "stage": model.Stage,
        "case_class": model.CaseClass, "restoration_modes": model.RestorationMode,
        "status": model.ProjectStatus, "kind": model.ProjectKind, "services": model.Service,
        "direction": model.Direction,
    }
    enum = enum_by_name.get(f.name)
    mapping = {c: c for c in f.choices or ()}
    if enum is not None:
        for m in enum:
            mapping[m.zh] = m.value
            mapping[m.en.lower()] = m.value
    return mapping


def _is_blank(series: pd.Series) -> np.ndarray:
    if isinstance(series.dtype, pd.StringDtype):  # text as read from CSV/Excel: one vectorised pass
        return (series.isna() | series.str.strip().eq("")).to_numpy(dtype=bool, na_value=True)
    s = series.astype(object)
    blank = s.isna().to_numpy()
    as_text = np.fromiter((isinstance(v, str) and not v.strip() for v in s.to_numpy()), bool, len(s))
    return blank | as_text


def _parse_list(value, f: Field):
    if isinstance(value, (list, tuple, np.ndarray)):
        items = list(value)
    elif isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            items = json.loads(text)
        else:
            for sep in _LIST_SEPARATORS:
                text = text.replace(sep, ";")
            items = [t.strip() for t in text.split(";") if t.strip()]
    else:
        raise ValueError(f"expected a list, got {value!r}")
    return [str(i).strip() for i in items]


def _shown(value, limit: int = 60) -> str:
    """A user's value quoted in a message: shortened, control characters made visible."""
    text = str(value)
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return text if len(text) <= limit else text[:limit] + "…"


_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def as_text(v) -> str | None:
    """A cell as text; a whole number read as float (GIS files store codes such as adcode 450999
    as doubles) loses its '.0'."""
    if v is None:
        return None
    if isinstance(v, (float, np.floating)) and math.isfinite(v) and float(v).is_integer() and abs(v) < 1e15:
        return str(int(v))
    return str(v).strip()


def _number(v) -> float:
    if isinstance(v, (bool, np.bool_)):
        return np.nan  # true/false is not an amount
    if isinstance(v, str):
        v = v.strip()
        if _THOUSANDS.match(v):  # 1,200,000.5 (only well-formed groups: "1,5" stays an error)
            v = v.replace(",", "")
    try:
        return float(v)
    except (TypeError, ValueError, OverflowError):
        return np.nan


def _column(f: Field, series: pd.Series, blank: np.ndarray, loc: _Locator, issues: list[Issue],
            spec: LayerSpec | None = None):
    """Parse one column; append issues; return the parsed values as a list/array."""
    present = ~blank
    if f.kind in ("str",):
        if isinstance(series.dtype, pd.StringDtype):  # text already: as_text is the stripped text
            values = series.str.strip().to_numpy(dtype=object)
            values[~present] = None
        else:
            cells = series.to_numpy(dtype=object)
            values = np.array([as_text(v) if p else None for v, p in zip(cells, present)], dtype=object)
        limit, forbidden = _text_limit(f, spec)
        text = pd.Series(values, dtype=object)
        # vectorised screen; the message is built only for the rows it flags
        flagged = present & (text.str.contains(forbidden.pattern, regex=True, na=False).to_numpy()
                             | (text.str.len() > limit).to_numpy())
        loc.each(flagged, f.name, lambda pos: text_problem(values[pos], limit, forbidden), issues)
        if f.choices:  # a flag from a vocabulary (several joined by ';')
            vocab = present & ~flagged & np.fromiter(
                (v is not None and plausibility.vocabulary_problem(v, f.choices) is not None for v in values),
                dtype=bool, count=len(values))
            loc.each(vocab, f.name, lambda pos: plausibility.vocabulary_problem(values[pos], f.choices), issues)
            values = np.asarray([plausibility.canonical_flags(v) if isinstance(v, str) else v for v in values],
                                dtype=object)
        return values

    if f.kind in ("float", "int"):
        if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
            num = np.where(present, series.to_numpy(dtype=float, na_value=np.nan), np.nan)
        else:
            num = np.fromiter((_number(v) if p else np.nan for v, p in zip(series, present)), dtype=float,
                              count=len(series))
        bad = present & np.isnan(num)
        loc.each(bad, f.name, lambda pos: f"'{_shown(series.iloc[pos])}' is not a number", issues)
        infinite = present & np.isinf(num)
        loc.each(infinite, f.name, lambda pos: f"'{_shown(series.iloc[pos])}' is not a finite number", issues)
        bad = bad | infinite
        if f.kind == "int":
            frac = present & ~bad & (num != np.round(num))
            loc.each(frac, f.name, lambda pos: f"{num[pos]} is not a whole number", issues)
        if f.min is not None:
            below = (num <= f.min) if f.min_exclusive else (num < f.min)
            word = "must be above" if f.min_exclusive else "is below the minimum"
            loc.each(present & ~bad & below, f.name, lambda pos: f"{num[pos]:g} {word} {f.min:g}", issues)
        if f.max is not None:
            loc.each(present & ~bad & (num > f.max), f.name,
                     lambda pos: f"{num[pos]:g} is above the maximum {f.max:g}"
                                 + (f" {f.unit}" if f.unit else ""), issues)
        return np.where(bad, np.nan, num)

    if f.kind in ("date", "datetime"):
        raw = series.where(present, None)
        parsed = pd.to_datetime(raw, errors="coerce", format="mixed")
        bad = present & parsed.isna().to_numpy()
        loc.each(bad, f.name, lambda pos: f"'{_shown(series.iloc[pos])}' is not a date (use YYYY-MM-DD)",
                 issues)
        for implausible, message in plausibility.date_checks(f, parsed, present & ~bad):
            loc.each(implausible, f.name, message, issues)
            bad = bad | implausible
        if f.kind == "date":
            text = parsed.dt.strftime("%Y-%m-%d")
        else:
            text = parsed.dt.strftime("%Y-%m-%dT%H:%M:%S")
        return text.where(present & ~bad, None).to_numpy(dtype=object)

    if f.kind == "bool":
        out = np.full(len(series), None, dtype=object)
        for pos in np.flatnonzero(present):
            v = series.iloc[pos]
            key = str(v).strip().lower()
            if isinstance(v, (bool, np.bool_)):
                out[pos] = bool(v)
            elif key in _TRUE:
                out[pos] = True
            elif key in _FALSE:
                out[pos] = False
            else:
                issues.append(loc.issue(pos, f.name, f"'{_shown(v)}' is not yes/no (use true or false)"))
        return out

    if f.kind == "enum":
        mapping = _zh_to_code(f)
        text = [str(v).strip() if p else None for v, p in zip(series.to_numpy(dtype=object), present)]
        codes = np.array([mapping.get(v, mapping.get(v.lower())) if v is not None else None for v in text],
                         dtype=object)
        bad = present & pd.isna(codes)
        loc.each(bad, f.name, lambda pos: f"unknown value '{_shown(text[pos])}'; allowed: "
                                          f"{', '.join(f.choices)}", issues)
        return codes

    if f.kind == "list":
        mapping = _zh_to_code(f) if f.choices else None
        out = np.empty(len(series), dtype=object)
        for pos in range(len(series)):
            if blank[pos]:
                out[pos] = list(f.default or ())
                continue
            try:
                items = _parse_list(series.iloc[pos], f)
            except (ValueError, TypeError, RecursionError, json.JSONDecodeError) as exc:
                issues.append(loc.issue(pos, f.name, f"not a list: {str(exc)[:200]}"))
                continue
            if mapping is not None:
                unknown = [i for i in items if i not in mapping and i.lower() not in mapping]
                if unknown:
                    issues.append(loc.issue(pos, f.name, f"unknown value(s) "
                                            f"{', '.join(_shown(u) for u in unknown[:10])}; "
                                            f"allowed: {', '.join(f.choices)}"))
                    continue
                items = [mapping.get(i, mapping.get(i.lower())) for i in items]
            else:
                limit, forbidden = _text_limit(f, spec)
                problem = next((p for p in (text_problem(i, limit, forbidden) for i in items) if p), None)
                if problem:
                    issues.append(loc.issue(pos, f.name, Message("input.item", {"problem": problem})))
                    continue
            out[pos] = items
        return out

    if f.kind == "json":
        out = np.full(len(series), None, dtype=object)
        cells = series.to_numpy(dtype=object)
        for pos in np.flatnonzero(present):
            v = cells[pos]
            plain = False  # text that cannot hold what json_problem looks for: no need to walk it
            if isinstance(v, str):
                if len(v) > (f.max_len or model.MAX_NOTE_LEN):
                    issues.append(loc.issue(pos, f.name, f"is {len(v):,} characters long; at most "
                                                         f"{f.max_len or model.MAX_NOTE_LEN:,} are accepted"))
                    continue
                plain = _plain_json(v)
                try:
                    v = json.loads(v)
                except (json.JSONDecodeError, RecursionError) as exc:
                    issues.append(loc.issue(pos, f.name, f"not valid JSON: {getattr(exc, 'msg', exc)}"))
                    continue
            problem = None if plain else json_problem(v)
            if problem:
                issues.append(loc.issue(pos, f.name, problem))
                continue
            out[pos] = v
        return out

    raise AssertionError(f.kind)


_JSON_RISKS = re.compile(r"NaN|Infinity|\\u0000|\x00")


def _plain_json(text: str) -> bool:
    """Whether JSON text certainly parses to a value :func:`json_problem` accepts: no NaN or
    Infinity literal, no NUL (raw or escaped) and too few brackets to nest 20 levels deep."""
    return text.count("[") + text.count("{") <= 20 and not _JSON_RISKS.search(text)


def json_problem(value, depth: int = 0) -> str | None:
    """Non-finite numbers (NaN, Infinity: not JSON), NUL characters and absurd nesting in a JSON
    value, or None."""
    if depth > 20:
        return "JSON nested more than 20 levels deep"
    if isinstance(value, float) and not math.isfinite(value):
        return f"JSON holds {value!r}, which is not a finite number"
    if isinstance(value, str):
        return "JSON text holds a NUL character" if "\x00" in value else None
    if isinstance(value, dict):
        for k, v in value.items():
            p = ("JSON key holds a NUL character" if "\x00" in str(k) else None) or json_problem(v, depth + 1)
            if p:
                return p
    if isinstance(value, (list, tuple)):
        for v in value:
            p = json_problem(v, depth + 1)
            if p:
                return p
    return None


def _canonical_columns(spec: LayerSpec, columns, geometry_name: str | None) -> list[str]:
    """Strip names and undo Shapefile's 10-character truncation (``ecosystem_`` ->
    ``ecosystem_type``) where the prefix names exactly one field."""
    out = []
    for c in columns:
        name = str(c).strip()
        if name != geometry_name and name not in spec.field_names and len(name) == 10:
            matches = [f for f in spec.field_names if f.startswith(name)]
            if len(matches) == 1:
                name = matches[0]
        out.append(name)
    return out


def validate_frame(layer: str | LayerSpec, frame: pd.DataFrame, source: str | None = None, *,
                   extra: str = "error") -> Validated:
    """Validate ``frame`` for ``layer`` and return it in canonical form, or raise InputError
    listing every problem (file-level first, then by row).

    ``frame.attrs`` may carry ``source`` (file name), ``row_start`` (the row number of the
    first data row, 2 for CSV and Excel sheets with a header line), ``row_label`` and
    ``read_issues`` (problems found while reading, e.g. unreadable coordinates).

    ``extra`` says what happens to columns that are not fields of the layer: ``"error"``
    (refuse: for internal callers), ``"keep"`` (into the layer's ``attributes`` JSON, per row),
    ``"ignore"`` (dropped); ``Validated.notes`` tells which.
    """
    spec = model.LAYERS[layer] if isinstance(layer, str) else layer
    loc = _Locator(frame, source)
    issues: list[Issue] = list(frame.attrs.get("read_issues") or [])
    warnings: list[Issue] = []
    notes: list[str] = []

    geometry_name = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    if spec.geometry and geometry_name is not None:
        geo.require_crs(frame, loc.source)
    frame = frame.copy()
    frame.columns = _canonical_columns(spec, frame.columns, geometry_name)
    columns = list(frame.columns)
    known = set(spec.field_names) | ({geometry_name} if geometry_name else set())
    unknown = [c for c in columns if c not in known]
    doubled = sorted({c for c in columns if columns.count(c) > 1})
    if doubled:
        issues.append(Issue(f"column(s) {', '.join(repr(c) for c in doubled)} appear more than once; "
                            "rename or drop one of them (or choose one with --map)", source=loc.source))
    attributes = None
    if unknown:
        keep = extra == "keep" and "attributes" in spec.field_names
        if extra == "error":
            issues.append(Issue(
                f"unknown column(s) {', '.join(repr(c) for c in unknown)} for layer '{spec.name}'; "
                f"allowed: {', '.join(f.name for f in spec.fields if not f.computed)}",
                source=loc.source))
        elif keep:
            attributes = _attributes(frame[unknown], loc, issues)
            notes.append(f"其他列保留在 attributes 中 kept in 'attributes': {', '.join(map(str, unknown))}")
        else:
            notes.append(f"已忽略的列 ignored columns: {', '.join(map(str, unknown))}")
        frame = frame.drop(columns=unknown)
        columns = list(frame.columns)
    missing = [f.name for f in spec.fields if f.required and not f.computed and f.name not in columns]
    if missing:
        issues.append(Issue(f"missing required column(s) {', '.join(missing)} for layer '{spec.name}'"
                            + ("; name the file's columns with --map field=column" if extra != "error" else ""),
                            source=loc.source))
    if spec.geometry and geometry_name is None:
        issues.append(Issue(f"layer '{spec.name}' needs geometries (a vector file, or a CSV with a "
                            "'wkt' column or 'lon'/'lat' columns)", source=loc.source))
    if doubled:
        raise InputError(issues)

    n = len(frame)
    out: dict[str, object] = {}
    for f in spec.fields:
        if f.computed:
            continue
        if f.name == "attributes" and attributes is not None:
            out[f.name] = attributes
            continue
        if f.name not in frame.columns:
            default = f.default
            out[f.name] = [list(default) if isinstance(default, tuple) else default] * n
            continue
        series = frame[f.name].reset_index(drop=True)
        blank = _is_blank(series)
        if f.required:
            loc.each(blank, f.name, lambda pos: "is required but empty", issues)
        values = _column(f, series, blank, loc, issues, spec)
        if f.default is not None and f.kind not in ("list",):
            values = np.where(blank, f.default, values)
        out[f.name] = values

    # duplicate keys inside the file
    if spec.key and spec.key in frame.columns:
        keys = pd.Series(out[spec.key])
        dup = keys.duplicated(keep=False) & keys.notna()
        if dup.any():
            first_pos: dict[str, int] = {}
            later = []
            for pos in np.flatnonzero(dup.to_numpy()):
                k = keys.iloc[pos]
                if k in first_pos:
                    later.append((pos, first_pos[k]))
                else:
                    first_pos[k] = pos
            first_of = dict(later)
            loc.each(np.asarray([p for p, _ in later], dtype=int), spec.key,
                     lambda pos: f"duplicate id '{_shown(keys.iloc[pos])}' (first seen at "
                                 f"{loc.label} {first_of[pos] + loc.start})", issues)

    for later, (wrong, message) in plausibility.order_checks(spec, out):
        loc.each(wrong, later, message, issues)

    clean = pd.DataFrame(out)
    if spec.geometry and geometry_name is not None:
        clean = validate_geometry(spec, frame, clean, loc, issues, warnings)
    if issues:
        absent = {f.name for f in spec.fields if not f.computed and f.name not in frame.columns}
        bad = loc.bad | {(i.row - loc.start, i.field) for i in issues if i.row is not None and i.field}
        raise InputError(sort_issues(issues), partial=Partial(clean, bad, absent))
    return Validated(clean, warnings, notes)


def _attributes(extra: pd.DataFrame, loc: _Locator, issues: list[Issue]) -> np.ndarray:
    """The extra columns of each row as a JSON-ready dict (blank cells left out), checked for
    control characters and size like any other text."""
    names = [str(c) for c in extra.columns]
    for c in names:
        problem = text_problem(c, model.MAX_ID_LEN, _CONTROL)
        if problem:
            issues.append(Issue(f"column name '{_shown(c)}' {problem}", source=loc.source))
    out = np.empty(len(extra), dtype=object)
    limit = model.ATTRIBUTES_FIELD.max_len or model.MAX_NOTE_LEN
    bad_rows: dict[int, str] = {}
    for pos, row in enumerate(extra.itertuples(index=False, name=None)):
        record = {}
        for name, v in zip(names, row):
            v = _plain(v)
            if v is None:
                continue
            if isinstance(v, str):
                problem = text_problem(v, model.MAX_TEXT_LEN, _CONTROL_EXCEPT_LINES)
                if problem:
                    bad_rows.setdefault(pos, f"column '{_shown(name)}' {problem}")
                    continue
            record[name] = v
        out[pos] = record or None
        if record and len(json.dumps(record, ensure_ascii=False, default=str)) > limit:
            bad_rows.setdefault(pos, f"the extra columns of this row hold more than {limit:,} characters")
    loc.each(np.asarray(sorted(bad_rows), dtype=int), "attributes", lambda pos: bad_rows[pos], issues)
    return out


def _plain(v):
    """A cell as a plain JSON value (None for blanks and non-finite numbers)."""
    if v is None:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return float(v) if math.isfinite(v) else None
    if isinstance(v, (pd.Timestamp,)):
        return None if pd.isna(v) else v.isoformat()
    if hasattr(v, "isoformat"):
        return v.isoformat()
    text = str(v).strip()
    return text or None
