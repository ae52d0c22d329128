"""Validate an input table against its layer spec (``restoration.model``).

Validation is vectorised per column and collects every problem, each with its file, row and
field, before anything is written. The result is a clean frame in the store's canonical form:
enums as their code values, lists and JSON as Python objects, dates as ISO strings, geometries
valid, in EPSG:4326, with computed areas.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import geometry as geo
from . import model
from .errors import InputError, Issue
from .model import Field, LayerSpec

_TRUE = {"true", "1", "yes", "y", "是", "t"}
_FALSE = {"false", "0", "no", "n", "否", "f"}
_LIST_SEPARATORS = (";", "；", ",", "，", "、", "|")


@dataclass
class Validated:
    """A validated frame plus the repairs and notes made on the way (not errors)."""

    frame: pd.DataFrame
    warnings: list[Issue]


class _Locator:
    """Turns a positional row index into the row number the user sees in their file."""

    def __init__(self, frame: pd.DataFrame, source: str | None):
        self.source = source or frame.attrs.get("source")
        self.start = int(frame.attrs.get("row_start", 1))
        self.label = frame.attrs.get("row_label", "row")

    def issue(self, pos: int | None, field: str | None, message: str) -> Issue:
        row = None if pos is None else int(pos) + self.start
        return Issue(message, source=self.source, row=row, field=field, row_label=self.label)


def _zh_to_code(f: Field) -> dict[str, str]:
    """Accept Chinese labels and English labels as well as codes for enum values."""
    enum_by_name = {
        "role": model.Role, "ecosystem_type": model.EcosystemType, "stage": model.Stage,
        "case_class": model.CaseClass, "restoration_modes": model.RestorationMode,
        "status": model.ProjectStatus, "kind": model.ProjectKind, "services": model.Service,
    }
    enum = enum_by_name.get(f.name)
    mapping = {c: c for c in f.choices or ()}
    if enum is not None:
        for m in enum:
            mapping[m.zh] = m.value
            mapping[m.en.lower()] = m.value
    return mapping


def _is_blank(series: pd.Series) -> np.ndarray:
    s = series.astype(object)
    blank = s.isna().to_numpy()
    as_text = s.map(lambda v: isinstance(v, str) and v.strip() == "").to_numpy(dtype=bool)
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


def _column(f: Field, series: pd.Series, blank: np.ndarray, loc: _Locator, issues: list[Issue]):
    """Parse one column; append issues; return the parsed values as a list/array."""
    present = ~blank
    if f.kind in ("str",):
        out = series.astype(object).where(present, None)
        return out.map(lambda v: None if v is None else str(v).strip()).to_numpy(dtype=object)

    if f.kind in ("float", "int"):
        num = pd.to_numeric(series.where(present, np.nan), errors="coerce").to_numpy(dtype=float)
        bad = present & np.isnan(num)
        for pos in np.flatnonzero(bad)[:50]:
            issues.append(loc.issue(pos, f.name, f"'{series.iloc[pos]}' is not a number"))
        if f.kind == "int":
            frac = present & ~bad & (num != np.round(num))
            for pos in np.flatnonzero(frac)[:50]:
                issues.append(loc.issue(pos, f.name, f"{num[pos]} is not a whole number"))
        if f.min is not None:
            for pos in np.flatnonzero(present & ~bad & (num < f.min))[:50]:
                issues.append(loc.issue(pos, f.name, f"{num[pos]:g} is below the minimum {f.min:g}"))
        if f.max is not None:
            for pos in np.flatnonzero(present & ~bad & (num > f.max))[:50]:
                issues.append(loc.issue(pos, f.name, f"{num[pos]:g} is above the maximum {f.max:g}"))
        return num

    if f.kind in ("date", "datetime"):
        raw = series.where(present, None)
        parsed = pd.to_datetime(raw, errors="coerce", format="mixed")
        bad = present & parsed.isna().to_numpy()
        for pos in np.flatnonzero(bad)[:50]:
            issues.append(loc.issue(pos, f.name, f"'{series.iloc[pos]}' is not a date (use YYYY-MM-DD)"))
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
                issues.append(loc.issue(pos, f.name, f"'{v}' is not yes/no (use true or false)"))
        return out

    if f.kind == "enum":
        mapping = _zh_to_code(f)
        text = series.astype(object).where(present, None).map(
            lambda v: None if v is None else str(v).strip())
        # map() may hand back a blank as NaN rather than None: test for text, not for None
        codes = text.map(lambda v: mapping.get(v, mapping.get(v.lower())) if isinstance(v, str) else None)
        bad = present & codes.isna().to_numpy()
        for pos in np.flatnonzero(bad)[:50]:
            issues.append(loc.issue(
                pos, f.name, f"unknown value '{text.iloc[pos]}'; allowed: {', '.join(f.choices)}"))
        return codes.to_numpy(dtype=object)

    if f.kind == "list":
        mapping = _zh_to_code(f) if f.choices else None
        out = np.empty(len(series), dtype=object)
        for pos in range(len(series)):
            if blank[pos]:
                out[pos] = list(f.default or ())
                continue
            try:
                items = _parse_list(series.iloc[pos], f)
            except (ValueError, json.JSONDecodeError) as exc:
                issues.append(loc.issue(pos, f.name, f"not a list: {exc}"))
                continue
            if mapping is not None:
                unknown = [i for i in items if i not in mapping and i.lower() not in mapping]
                if unknown:
                    issues.append(loc.issue(pos, f.name, f"unknown value(s) {', '.join(unknown)}; "
                                            f"allowed: {', '.join(f.choices)}"))
                    continue
                items = [mapping.get(i, mapping.get(i.lower())) for i in items]
            out[pos] = items
        return out

    if f.kind == "json":
        out = np.full(len(series), None, dtype=object)
        for pos in np.flatnonzero(present):
            v = series.iloc[pos]
            if isinstance(v, str):
                try:
                    v = json.loads(v)
                except json.JSONDecodeError as exc:
                    issues.append(loc.issue(pos, f.name, f"not valid JSON: {exc.msg}"))
                    continue
            out[pos] = v
        return out

    raise AssertionError(f.kind)


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


def validate_frame(layer: str | LayerSpec, frame: pd.DataFrame, source: str | None = None) -> Validated:
    """Validate ``frame`` for ``layer`` and return it in canonical form, or raise InputError.

    ``frame.attrs`` may carry ``source`` (file name), ``row_start`` (the row number of the
    first data row, 2 for CSV and Excel sheets with a header line) and ``row_label``.
    """
    spec = model.LAYERS[layer] if isinstance(layer, str) else layer
    loc = _Locator(frame, source)
    issues: list[Issue] = []
    warnings: list[Issue] = []

    geometry_name = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    if spec.geometry and geometry_name is not None:
        geo.require_crs(frame, loc.source)
    frame = frame.copy()
    frame.columns = _canonical_columns(spec, frame.columns, geometry_name)
    columns = list(frame.columns)
    known = set(spec.field_names) | ({geometry_name} if geometry_name else set())
    unknown = [c for c in columns if c not in known]
    if unknown:
        issues.append(Issue(
            f"unknown column(s) {', '.join(repr(c) for c in unknown)} for layer '{spec.name}'; "
            f"allowed: {', '.join(f.name for f in spec.fields if not f.computed)}",
            source=loc.source))
    missing = [f.name for f in spec.fields if f.required and not f.computed and f.name not in columns]
    if missing:
        issues.append(Issue(f"missing required column(s) {', '.join(missing)} for layer '{spec.name}'",
                            source=loc.source))
    if spec.geometry and geometry_name is None:
        issues.append(Issue(f"layer '{spec.name}' needs geometries (a vector file, or a CSV with a "
                            "'wkt' column or 'lon'/'lat' columns)", source=loc.source))
    if issues:
        raise InputError(issues)

    n = len(frame)
    out: dict[str, object] = {}
    for f in spec.fields:
        if f.computed:
            continue
        if f.name not in frame.columns:
            default = f.default
            out[f.name] = [list(default) if isinstance(default, tuple) else default] * n
            continue
        series = frame[f.name].reset_index(drop=True)
        blank = _is_blank(series)
        if f.required:
            for pos in np.flatnonzero(blank)[:50]:
                issues.append(loc.issue(pos, f.name, "is required but empty"))
        values = _column(f, series, blank, loc, issues)
        if f.default is not None and f.kind not in ("list",):
            values = np.where(blank, f.default, values)
        out[f.name] = values

    # duplicate keys inside the file
    if spec.key and spec.key in frame.columns:
        keys = pd.Series(out[spec.key])
        dup = keys.duplicated(keep=False) & keys.notna()
        if dup.any():
            first_pos: dict[str, int] = {}
            for pos in np.flatnonzero(dup.to_numpy()):
                k = keys.iloc[pos]
                if k in first_pos:
                    issues.append(loc.issue(pos, spec.key, f"duplicate id '{k}' (first seen at "
                                            f"{loc.label} {first_pos[k] + loc.start})"))
                else:
                    first_pos[k] = pos

    clean = pd.DataFrame(out)
    if spec.geometry:
        clean = _validate_geometry(spec, frame, clean, loc, issues, warnings)
    if issues:
        raise InputError(issues)
    return Validated(clean, warnings)


def _validate_geometry(spec: LayerSpec, frame: gpd.GeoDataFrame, clean: pd.DataFrame,
                       loc: _Locator, issues: list[Issue], warnings: list[Issue]) -> gpd.GeoDataFrame:
    geo.require_crs(frame, loc.source)
    geoms = frame.geometry.reset_index(drop=True)
    gname = "geometry"
    missing = shapely.is_missing(geoms.values) | shapely.is_empty(geoms.values)
    for pos in np.flatnonzero(missing)[:50]:
        issues.append(loc.issue(pos, gname, "geometry is empty or missing"))
    types = np.asarray(shapely.get_type_id(geoms.values))
    is_point = np.isin(types, (0, 4))  # Point, MultiPoint
    is_poly = np.isin(types, (3, 6))  # Polygon, MultiPolygon
    if spec.geometry == "polygon_or_point" and "role" in clean:
        point_ok = np.asarray(clean["role"] == model.Role.MONITORING_PLOT.value)
    else:
        point_ok = np.zeros(len(geoms), dtype=bool)
    wrong = ~missing & ~is_poly & ~(is_point & point_ok)
    for pos in np.flatnonzero(wrong)[:50]:
        kind = geoms.values[pos].geom_type
        allowed = "Polygon or MultiPolygon" + (" (Points only for monitoring plots)"
                                               if spec.geometry == "polygon_or_point" else "")
        issues.append(loc.issue(pos, gname, f"{kind} geometry not allowed; expected {allowed}"))

    fixed, repaired = geo.repair(geoms.values)
    for pos in np.flatnonzero(repaired & ~missing):
        reason = shapely.is_valid_reason(geoms.values[pos])
        warnings.append(loc.issue(pos, gname, f"invalid polygon repaired with make_valid ({reason})"))
    gdf = gpd.GeoDataFrame(clean, geometry=gpd.GeoSeries(fixed, crs=frame.crs))
    ok = ~missing & ~wrong
    gdf = geo.to_store_crs(gdf)
    area = np.full(len(gdf), np.nan)
    if ok.any():
        area[ok] = geo.area_ha(gdf.geometry[ok])
    zero = ok & is_poly & ~(area > 0)
    for pos in np.flatnonzero(zero)[:50]:
        issues.append(loc.issue(pos, gname, "polygon has zero area"))
    if "area_ha" in spec.field_names:
        gdf["area_ha"] = np.where(is_poly, area, 0.0)
    return gdf
