"""Validate an input table against its layer spec (``restoration.model``).

Validation is vectorised per column and collects every problem, each with its file, row and
field, before anything is written. The result is a clean frame in the store's canonical form:
enums as their code values, lists and JSON as Python objects, dates as ISO strings, geometries
valid, in EPSG:4326, with computed areas.
"""
from __future__ import annotations

from dataclasses import dataclass, field as dc_field

import geopandas as gpd
import numpy as np
import pandas as pd

from . import geometry as geo
from . import plausibility
from . import model
from .errors import InputError, Issue
from .model import LayerSpec
from .validate_cells import (ROWS_PER_PROBLEM, Locator, as_text, attributes_column, check_text,  # noqa: F401
                             is_blank, json_problem, more_rows, parse_column, shown, text_problem)
from .validate_geometry import validate_geometry

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


def sort_issues(issues: list[Issue]) -> list[Issue]:
    """File-level problems first, then by row (each row's problems together), stable otherwise;
    the counts of unlisted rows last."""
    def key(i: Issue):
        return (2 if i.hidden_rows is not None else int(i.row is not None), i.row if i.row is not None else 0)
    return sorted(issues, key=key)


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
    loc = Locator(frame, source)
    issues: list[Issue] = list(frame.attrs.get("read_issues") or [])
    warnings: list[Issue] = []
    notes: list[str] = []

    geometry_name = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    if spec.geometry and geometry_name is not None:
        geo.require_crs(frame, loc.source)
    frame, attributes = _header(spec, frame, geometry_name, extra, loc, issues, notes)
    out = _fields(spec, frame, attributes, loc, issues)
    _duplicate_keys(spec, frame, out, loc, issues)
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


def _header(spec: LayerSpec, frame: pd.DataFrame, geometry_name: str | None, extra: str, loc: Locator,
            issues: list[Issue], notes: list[str]) -> tuple[pd.DataFrame, np.ndarray | None]:
    """The file's columns against the layer's fields: names canonical, unknown columns refused,
    kept (into ``attributes``, returned) or dropped, doubled and missing columns reported. A
    doubled column stops here (its cells cannot be told apart)."""
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
            attributes = attributes_column(frame[unknown], loc, issues)
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
    return frame, attributes


def _fields(spec: LayerSpec, frame: pd.DataFrame, attributes: np.ndarray | None, loc: Locator,
            issues: list[Issue]) -> dict[str, object]:
    """Every field's values in canonical form: parsed from its column, or its default when the
    file has no column for it; required fields left empty are reported."""
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
        blank = is_blank(series)
        if f.required:
            loc.each(blank, f.name, lambda pos: "is required but empty", issues)
        values = parse_column(f, series, blank, loc, issues, spec)
        if f.default is not None and f.kind not in ("list",):
            values = np.where(blank, f.default, values)
        out[f.name] = values
    return out


def _duplicate_keys(spec: LayerSpec, frame: pd.DataFrame, out: dict[str, object], loc: Locator,
                    issues: list[Issue]) -> None:
    """Each repeat of a key inside the file, naming the row where it was first seen."""
    if not spec.key or spec.key not in frame.columns:
        return
    keys = pd.Series(out[spec.key])
    dup = keys.duplicated(keep=False) & keys.notna()
    if not dup.any():
        return
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
             lambda pos: f"duplicate id '{shown(keys.iloc[pos])}' (first seen at "
                         f"{loc.label} {first_of[pos] + loc.start})", issues)


