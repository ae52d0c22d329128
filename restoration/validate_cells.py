"""Reading the cells of one column into a field's canonical values, by field kind (text,
numbers, dates, yes/no, codes, lists, JSON, the extra columns kept as ``attributes``), every
problem reported with its row through a :class:`Locator`. :mod:`restoration.validate` puts
the columns of a table together."""
from __future__ import annotations

import json
import math
import re

import numpy as np
import pandas as pd

from . import model, plausibility
from .errors import InputError, Issue
from .messages import Message
from .model import Field, LayerSpec

_TRUE = {"true", "1", "yes", "y", "是", "t"}
_FALSE = {"false", "0", "no", "n", "否", "f"}
_LIST_SEPARATORS = (";", "；", ",", "，", "、", "|")


#: at most this many rows are listed per problem (a count of the others follows)
ROWS_PER_PROBLEM = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_EXCEPT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class Locator:
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


def text_limit(f: Field, spec: LayerSpec | None) -> tuple[int, re.Pattern]:
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


def is_blank(series: pd.Series) -> np.ndarray:
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


def shown(value, limit: int = 60) -> str:
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


def parse_column(f: Field, series: pd.Series, blank: np.ndarray, loc: Locator, issues: list[Issue],
            spec: LayerSpec | None = None):
    """Parse one column; append issues; return the parsed values as a list/array."""
    parse = _PARSERS.get(f.kind)
    if parse is None:
        raise AssertionError(f.kind)
    return parse(f, series, blank, loc, issues, spec)


def _text_column(f: Field, series: pd.Series, blank: np.ndarray, loc: Locator, issues: list[Issue],
                 spec: LayerSpec | None):
    """Text: stripped, screened for forbidden characters and length, flags from a vocabulary canonical."""
    present = ~blank
    if isinstance(series.dtype, pd.StringDtype):  # text already: as_text is the stripped text
        values = series.str.strip().to_numpy(dtype=object)
        values[~present] = None
    else:
        cells = series.to_numpy(dtype=object)
        values = np.array([as_text(v) if p else None for v, p in zip(cells, present)], dtype=object)
    limit, forbidden = text_limit(f, spec)
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


def _number_column(f: Field, series: pd.Series, blank: np.ndarray, loc: Locator, issues: list[Issue],
                   spec: LayerSpec | None):
    """Numbers: thousands separators read, non-numbers, infinities, fractions of an int and values outside [min, max] refused."""
    present = ~blank
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        num = np.where(present, series.to_numpy(dtype=float, na_value=np.nan), np.nan)
    else:
        num = np.fromiter((_number(v) if p else np.nan for v, p in zip(series, present)), dtype=float,
                          count=len(series))
    bad = present & np.isnan(num)
    loc.each(bad, f.name, lambda pos: f"'{shown(series.iloc[pos])}' is not a number", issues)
    infinite = present & np.isinf(num)
    loc.each(infinite, f.name, lambda pos: f"'{shown(series.iloc[pos])}' is not a finite number", issues)
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


def _date_column(f: Field, series: pd.Series, blank: np.ndarray, loc: Locator, issues: list[Issue],
                 spec: LayerSpec | None):
    """Dates (YYYY-MM-DD) and times (ISO, to the second), plausibility checked."""
    present = ~blank
    raw = series.where(present, None)
    parsed = pd.to_datetime(raw, errors="coerce", format="mixed")
    bad = present & parsed.isna().to_numpy()
    loc.each(bad, f.name, lambda pos: f"'{shown(series.iloc[pos])}' is not a date (use YYYY-MM-DD)",
             issues)
    for implausible, message in plausibility.date_checks(f, parsed, present & ~bad):
        loc.each(implausible, f.name, message, issues)
        bad = bad | implausible
    if f.kind == "date":
        text = parsed.dt.strftime("%Y-%m-%d")
    else:
        text = parsed.dt.strftime("%Y-%m-%dT%H:%M:%S")
    return text.where(present & ~bad, None).to_numpy(dtype=object)


def _bool_column(f: Field, series: pd.Series, blank: np.ndarray, loc: Locator, issues: list[Issue],
                 spec: LayerSpec | None):
    """Yes/no values (true/false and their Chinese and English spellings)."""
    present = ~blank
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
            issues.append(loc.issue(pos, f.name, f"'{shown(v)}' is not yes/no (use true or false)"))
    return out


def _enum_column(f: Field, series: pd.Series, blank: np.ndarray, loc: Locator, issues: list[Issue],
                 spec: LayerSpec | None):
    """Codes of a vocabulary, given as the code or its Chinese or English label."""
    present = ~blank
    mapping = _zh_to_code(f)
    text = [str(v).strip() if p else None for v, p in zip(series.to_numpy(dtype=object), present)]
    codes = np.array([mapping.get(v, mapping.get(v.lower())) if v is not None else None for v in text],
                     dtype=object)
    bad = present & pd.isna(codes)
    loc.each(bad, f.name, lambda pos: f"unknown value '{shown(text[pos])}'; allowed: "
                                      f"{', '.join(f.choices)}", issues)
    return codes


def _list_column(f: Field, series: pd.Series, blank: np.ndarray, loc: Locator, issues: list[Issue],
                 spec: LayerSpec | None):
    """Lists (JSON or separated text): vocabulary items as codes, free items screened like text."""
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
                                        f"{', '.join(shown(u) for u in unknown[:10])}; "
                                        f"allowed: {', '.join(f.choices)}"))
                continue
            items = [mapping.get(i, mapping.get(i.lower())) for i in items]
        else:
            limit, forbidden = text_limit(f, spec)
            problem = next((p for p in (text_problem(i, limit, forbidden) for i in items) if p), None)
            if problem:
                issues.append(loc.issue(pos, f.name, Message("input.item", {"problem": problem})))
                continue
        out[pos] = items
    return out


def _json_column(f: Field, series: pd.Series, blank: np.ndarray, loc: Locator, issues: list[Issue],
                 spec: LayerSpec | None):
    """JSON values: bounded length, parsed, no NaN/Infinity, NUL or absurd nesting."""
    present = ~blank
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


#: the parser of each field kind
_PARSERS = {"str": _text_column, "float": _number_column, "int": _number_column, "date": _date_column,
            "datetime": _date_column, "bool": _bool_column, "enum": _enum_column, "list": _list_column,
            "json": _json_column}


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


def attributes_column(extra: pd.DataFrame, loc: Locator, issues: list[Issue]) -> np.ndarray:
    """The extra columns of each row as a JSON-ready dict (blank cells left out), checked for
    control characters and size like any other text."""
    names = [str(c) for c in extra.columns]
    for c in names:
        problem = text_problem(c, model.MAX_ID_LEN, _CONTROL)
        if problem:
            issues.append(Issue(f"column name '{shown(c)}' {problem}", source=loc.source))
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
                    bad_rows.setdefault(pos, f"column '{shown(name)}' {problem}")
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
