"""Reading input files. Files in, frames out; the store is not touched here.

Inputs: GeoJSON, GeoPackage, Shapefile (vector, via pyogrio), CSV (with a ``wkt`` column or
``lon``/``lat`` columns for geometries), Excel. Exports are :mod:`restoration.exports`.
"""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from . import geometry as geo
from . import limits
from .errors import InputError, Issue
from .vector_io import read_vector

VECTOR_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".zip", ".fgb"}
TABLE_SUFFIXES = {".csv", ".txt", ".xlsx", ".xls"}


#: column names (lower case) recognised as coordinates of a CSV/Excel table
LON_NAMES = ("lon", "lng", "long", "longitude", "经度", "x")
LAT_NAMES = ("lat", "latitude", "纬度", "y")
WKT_NAMES = ("wkt", "geometry", "geom", "几何", "空间范围")


def read_input(path: str | Path, *, crs: str | None = None, spatial: bool = True,
               layer: str | None = None, mapping: dict[str, str] | None = None) -> pd.DataFrame:
    """Read a user's file into a (Geo)DataFrame whose ``attrs`` say where each row came from.

    ``crs`` names the CRS of a CSV's coordinates (CSV carries none) or of a vector file that
    lacks one; ``GCJ-02`` / ``BD-09`` (Chinese web maps) are converted to WGS 84 for any file,
    and ``attrs["notices"]`` says so. ``spatial=False`` reads a plain table (cases) and ignores
    geometry columns. ``mapping`` (field -> the file's column) may name the ``lon``, ``lat`` or
    ``wkt`` columns of a table.
    """
    path = Path(path)
    source = path.name
    parsed = geo.parse_crs(crs)
    chinese = parsed if isinstance(parsed, str) else None
    if not path.exists():
        raise InputError(Issue(f"file not found: {path}", source=str(path)))
    if path.is_dir() and path.suffix.lower() not in (".gdb",):
        raise InputError(Issue("is a folder, not a file", source=str(path)))
    frame = _read(path, source, parsed, spatial, layer)
    if spatial and not isinstance(frame, gpd.GeoDataFrame):
        frame = _table_geometry(frame, "EPSG:4326" if chinese else parsed, source, mapping or {})
    if chinese and isinstance(frame, gpd.GeoDataFrame):
        attrs = dict(frame.attrs)
        frame = geo.from_chinese_crs(frame, chinese, source)
        frame.attrs.update(attrs)
        n = int((~frame.geometry.isna()).sum())
        frame.attrs.setdefault("notices", []).append(
            f"坐标转换 converted {n} geometries from {chinese} (Chinese web-map coordinates) to WGS 84")
    return frame


def check_size(path: Path, source: str) -> None:
    """Refuse a file over its reader's limit (:mod:`restoration.limits`) before it is read: a
    workbook or zipped Shapefile by what it unpacks to as well, a Shapefile with its .dbf."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xls"):
        limits.check_file(path, limits.WORKBOOK_FILE, source)
        if suffix == ".xlsx":
            limits.check_archive(path, source)
    elif suffix in VECTOR_SUFFIXES:
        size = limits.check_file(path, limits.VECTOR_FILE, source)
        if suffix == ".zip":
            limits.check_archive(path, source)
        elif suffix == ".shp" and path.with_suffix(".dbf").is_file():
            limits.VECTOR_FILE.check(size + path.with_suffix(".dbf").stat().st_size, source)


def _read(path: Path, source: str, crs, spatial: bool, layer: str | None) -> pd.DataFrame:
    suffix = path.suffix.lower()
    check_size(path, source)
    try:
        if suffix in (".csv", ".txt"):
            frame = _read_csv(path, source)
        elif suffix in (".xlsx", ".xls"):
            if layer is not None:  # --layer names the sheet
                sheets = pd.ExcelFile(path).sheet_names
                if layer not in sheets:
                    raise InputError(Issue(f"no sheet '{layer}' in the workbook; its sheets: {', '.join(sheets)}",
                                           source=source, field="--layer"))
            frame = pd.read_excel(path, dtype=object, sheet_name=layer if layer is not None else 0)
            frame.attrs.update(source=source, row_start=2, row_label="row")
        elif suffix in VECTOR_SUFFIXES:
            if not spatial and suffix == ".json":
                frame = _read_json_table(path)
            else:
                frame = read_vector(path, source, layer)
                notices = list(frame.attrs.get("notices") or [])
                if crs is not None and not isinstance(crs, str):
                    if frame.crs is None:
                        frame = frame.set_crs(crs)
                    elif not geo.CRS.from_user_input(frame.crs).equals(crs):
                        # the file's own CRS wins; say so rather than ignore the argument silently
                        notices.append(f"坐标系 the file declares {geo.CRS.from_user_input(frame.crs).to_string()}; "
                                       f"--crs {crs.to_string()} was not applied (remove the file's .prj or "
                                       "reproject it in GIS if the declaration is wrong)")
                frame.attrs.update(source=source, row_start=1, row_label="feature")
                if notices:
                    frame.attrs["notices"] = notices
                return frame
        else:
            raise InputError(Issue(
                f"unsupported file type '{suffix}'; use GeoJSON, GeoPackage, Shapefile, CSV or Excel",
                source=source))
        _refuse_doubled_columns(frame, source)
    except InputError:
        raise
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError,
            pyogrio.errors.GeometryError, ValueError, OSError, UnicodeDecodeError, json.JSONDecodeError,
            RecursionError, MemoryError) as exc:
        raise InputError(Issue(f"cannot read the file: {str(exc)[:300]}", source=source)) from exc
    except Exception as exc:  # a damaged file that a reader library trips over in its own way
        if type(exc).__module__.split(".")[0] not in ("pandas", "openpyxl", "xlrd", "zipfile", "pyogrio",
                                                      "csv", "lxml", "_csv"):
            raise
        raise InputError(Issue(f"cannot read the file: {type(exc).__name__}: {str(exc)[:300]}",
                               source=source)) from exc
    return frame


def _read_csv(path: Path, source: str) -> pd.DataFrame:
    """A CSV as text columns. UTF-8 (with or without BOM) or, failing that, GB18030/GBK (what
    Chinese Excel and GIS software write by default). A row with more values than the header
    (an unquoted comma inside a value) is refused: pandas would otherwise shift its columns."""
    raw = limits.read_bounded(path, limits.TABLE_FILE, source)
    notices = []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise InputError(Issue(f"the file is not text in UTF-8 or GBK/GB18030 (undecodable byte at position "
                                   f"{exc.start}); save it as CSV (UTF-8)", source=source)) from None
        notices.append("编码 read as GB18030 (GBK) text, not UTF-8")
    if "\x00" in text:
        # NUL bytes in a CSV: keep them (validation names the field), but the C parser stops at them
        engine = "python"
    else:
        engine = "c"
    header = next(csv.reader(text[:100_000].splitlines()[:1]), [])
    issues = []
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text) + 1))  # an over-long value is reported by validation
    try:
        for lineno, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            if lineno > 1 and len(row) > len(header) and any(v.strip() for v in row[len(header):]):
                issues.append(Issue(f"has {len(row)} values but the header has {len(header)} columns: a value "
                                    "holding a comma must be quoted (\"...\")", source=source, row=lineno,
                                    row_label="line"))
                if len(issues) >= 50:
                    break
    finally:
        csv.field_size_limit(limit)
    if issues:
        raise InputError(issues)
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""], index_col=False,
                        engine=engine)
    frame.attrs.update(source=source, row_start=2, row_label="line")
    if notices:
        frame.attrs["notices"] = notices
    return frame


def _refuse_doubled_columns(frame: pd.DataFrame, source: str) -> None:
    """pandas renames a repeated header ``name`` to ``name.1``; two columns of one name are
    ambiguous, so say so instead of importing one of them silently."""
    names = [str(c) for c in frame.columns]
    doubled = sorted({m.group(1) for c in names if (m := re.match(r"^(.*)\.(\d+)$", c)) and m.group(1) in names})
    if doubled:
        raise InputError(Issue(f"column(s) {', '.join(repr(c) for c in doubled)} appear more than once in the "
                               "header; rename or delete the repeated one", source=source))


def _read_json_table(path: Path) -> pd.DataFrame:
    data = json.loads(limits.read_bounded(path, limits.TABLE_FILE).decode("utf-8"))
    if isinstance(data, dict):
        data = data.get("records", data.get("cases", [data]))
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise InputError(Issue("expected a list of records [{...}, ...] (or {\"records\": [...]})",
                               source=path.name))
    frame = pd.DataFrame(data)
    frame.attrs.update(source=path.name, row_start=1, row_label="record")
    return frame


_DMS = re.compile(r"^\s*(东经|西经|北纬|南纬|[EWNS])?\s*(\d+(?:\.\d+)?)\s*[°度]\s*"
                  r"(?:(\d+(?:\.\d+)?)\s*['′’分])?\s*(?:(\d+(?:\.\d+)?)\s*(?:[\"″”]|''|秒))?\s*"
                  r"(东经|西经|北纬|南纬|[EWNSewns])?\s*$")


def _degrees(values: pd.Series) -> np.ndarray:
    """Decimal degrees from numbers or from degrees-minutes-seconds text as field sheets write it
    (``108°12′30″E``, ``东经108度12分30秒``, ``23°5.5'N``); NaN where neither."""
    num = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, copy=True)
    for pos in np.flatnonzero(np.isnan(num)):
        v = values.iloc[pos]
        m = _DMS.match(str(v)) if isinstance(v, str) else None
        if not m:
            continue
        d, mi, se = float(m.group(2)), float(m.group(3) or 0), float(m.group(4) or 0)
        if mi >= 60 or se >= 60:
            continue
        hemi = (m.group(1) or m.group(5) or "").upper()
        sign = -1.0 if hemi in ("W", "S", "西经", "南纬") else 1.0
        num[pos] = sign * (d + mi / 60 + se / 3600)
    return num


def _find_column(cols: dict[str, str], field: str, names: tuple[str, ...], mapping: dict[str, str]):
    if field in mapping:
        return mapping[field] if mapping[field] in cols.values() else None
    for n in names:
        if n in cols:
            return cols[n]
    return None


def _table_geometry(frame: pd.DataFrame, crs, source: str, mapping: dict[str, str]) -> pd.DataFrame:
    """Build geometries for a CSV/Excel table from a WKT column or longitude/latitude columns
    (``wkt``/``lon``/``lat``, their usual Chinese and English names, or named by ``mapping``).

    Unreadable values do not stop the reading: they become missing geometries and are listed in
    ``attrs["read_issues"]``, so validation reports them with every other problem at once."""
    attrs = dict(frame.attrs)
    cols = {str(c).strip().lower(): c for c in frame.columns}
    wkt_col = _find_column(cols, "wkt", WKT_NAMES, mapping)
    lon_col = _find_column(cols, "lon", LON_NAMES, mapping)
    lat_col = _find_column(cols, "lat", LAT_NAMES, mapping)
    issues = []

    def issue(pos, col, msg):
        issues.append(Issue(msg, source=source, row=int(pos) + attrs["row_start"], field=str(col),
                            row_label=attrs["row_label"]))

    if wkt_col is not None:
        text = frame[wkt_col]
        geoms = np.empty(len(frame), dtype=object)
        for pos, t in enumerate(text):
            if t is None or (isinstance(t, float) and np.isnan(t)) or str(t).strip() == "":
                geoms[pos] = None
                continue
            try:
                geoms[pos] = shapely.from_wkt(str(t))
            except (shapely.errors.GEOSException, ValueError, TypeError) as exc:
                geoms[pos] = None
                if len(issues) < 200:
                    issue(pos, wkt_col, f"not valid WKT: {str(exc)[:200]}")
        frame = frame.drop(columns=wkt_col)
    elif lon_col is not None and lat_col is not None:
        lon, lat = _degrees(frame[lon_col]), _degrees(frame[lat_col])
        for col, values in ((lon_col, lon), (lat_col, lat)):
            given = frame[col].notna().to_numpy() & (frame[col].astype(str).str.strip() != "").to_numpy()
            for pos in np.flatnonzero(given & ~np.isfinite(values))[:200]:
                issue(pos, col, f"'{str(frame[col].iloc[pos])[:50]}' is not a finite number")
        ok = np.isfinite(lon) & np.isfinite(lat)
        geoms = np.where(ok, shapely.points(np.where(ok, lon, 0.0), np.where(ok, lat, 0.0)), None)
        frame = frame.drop(columns=[lon_col, lat_col])
    else:
        return frame
    if crs is None:
        raise InputError(Issue(
            "a CSV/Excel table carries no coordinate reference system: pass --crs, e.g. "
            "--crs EPSG:4326 (WGS 84), --crs EPSG:4490 (CGCS2000), or --crs GCJ-02 / BD-09 for "
            "coordinates copied from Chinese web maps", source=source, field="--crs"))
    out = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=crs))
    out.attrs.update(attrs)
    out.attrs["read_issues"] = issues
    return out
