"""Reading input files and writing exports. Files in, frames out; the store is not touched here.

Inputs: GeoJSON, GeoPackage, Shapefile (vector, via pyogrio), CSV (with a ``wkt`` column or
``lon``/``lat`` columns for geometries), Excel. Exports: GeoPackage, GeoJSON, CSV, Excel.
"""
from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from .errors import InputError, Issue

VECTOR_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".zip", ".fgb"}
TABLE_SUFFIXES = {".csv", ".txt", ".xlsx", ".xls"}


def read_input(path: str | Path, *, crs: str | None = None, spatial: bool = True,
               layer: str | None = None) -> pd.DataFrame:
    """Read a user's file into a (Geo)DataFrame whose ``attrs`` say where each row came from.

    ``crs`` names the CRS of a CSV's coordinates (CSV carries none) or of a vector file that
    lacks one. ``spatial=False`` reads a plain table (cases) and ignores geometry columns.
    """
    path = Path(path)
    source = path.name
    if not path.exists():
        raise InputError(Issue(f"file not found: {path}", source=str(path)))
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt"):
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""],
                                encoding="utf-8-sig")
            frame.attrs.update(source=source, row_start=2, row_label="line")
        elif suffix in (".xlsx", ".xls"):
            frame = pd.read_excel(path, dtype=object, sheet_name=0)
            frame.attrs.update(source=source, row_start=2, row_label="row")
        elif suffix in VECTOR_SUFFIXES:
            if not spatial and suffix == ".json":
                frame = _read_json_table(path)
            else:
                frame = pyogrio.read_dataframe(path, layer=layer)
                if crs and frame.crs is None:
                    frame = frame.set_crs(crs)
                frame.attrs.update(source=source, row_start=1, row_label="feature")
                return frame
        else:
            raise InputError(Issue(
                f"unsupported file type '{suffix}'; use GeoJSON, GeoPackage, Shapefile, CSV or Excel",
                source=source))
    except InputError:
        raise
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError,
            OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(Issue(f"cannot read the file: {exc}", source=source)) from exc

    if spatial:
        frame = _table_geometry(frame, crs, source)
    return frame


def _read_json_table(path: Path) -> pd.DataFrame:
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = data.get("records", data.get("cases", [data]))
    frame = pd.DataFrame(data)
    frame.attrs.update(source=path.name, row_start=1, row_label="record")
    return frame


def _table_geometry(frame: pd.DataFrame, crs: str | None, source: str) -> pd.DataFrame:
    """Build geometries for a CSV/Excel table from ``wkt`` or ``lon``/``lat`` columns."""
    attrs = dict(frame.attrs)
    cols = {c.lower(): c for c in frame.columns}
    if "wkt" in cols:
        text = frame[cols["wkt"]]
        geoms = np.empty(len(frame), dtype=object)
        for pos, t in enumerate(text):
            if t is None or (isinstance(t, float) and np.isnan(t)) or str(t).strip() == "":
                geoms[pos] = None
                continue
            try:
                geoms[pos] = shapely.from_wkt(str(t))
            except shapely.errors.GEOSException as exc:
                raise InputError(Issue(f"not valid WKT: {exc}", source=source,
                                       row=pos + attrs["row_start"], field=cols["wkt"],
                                       row_label=attrs["row_label"])) from exc
        frame = frame.drop(columns=cols["wkt"])
    elif "lon" in cols and "lat" in cols:
        lon = pd.to_numeric(frame[cols["lon"]], errors="coerce")
        lat = pd.to_numeric(frame[cols["lat"]], errors="coerce")
        for name, values in (("lon", lon), ("lat", lat)):
            bad = values.isna() & frame[cols[name]].notna()
            if bad.any():
                pos = int(np.flatnonzero(bad.to_numpy())[0])
                raise InputError(Issue(f"'{frame[cols[name]].iloc[pos]}' is not a number",
                                       source=source, row=pos + attrs["row_start"],
                                       field=cols[name], row_label=attrs["row_label"]))
        geoms = shapely.points(lon.to_numpy(), lat.to_numpy())
        geoms = np.where(lon.isna() | lat.isna(), None, geoms)
        frame = frame.drop(columns=[cols["lon"], cols["lat"]])
    else:
        return frame
    if crs is None:
        raise InputError(Issue(
            "a CSV/Excel table carries no coordinate reference system: pass --crs, e.g. "
            "--crs EPSG:4326 (WGS 84) or --crs EPSG:4490 (CGCS2000)", source=source))
    out = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=crs))
    out.attrs.update(attrs)
    return out


def export_frame(frame: pd.DataFrame, out: str | Path, layer: str) -> Path:
    """Write a layer to GeoPackage, GeoJSON, CSV (geometry as WKT) or Excel, by suffix."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    suffix = out.suffix.lower()
    flat = frame.copy()
    for col in flat.columns:
        if flat[col].map(lambda v: isinstance(v, (bytes, bytearray, memoryview))).any():
            # binary content (attachments) stays in the store; the export says what is there
            flat[col] = flat[col].map(lambda v: f"<{len(v)} bytes>" if v is not None else None)
            continue
        if col != getattr(flat, "_geometry_column_name", None) and flat[col].map(
                lambda v: isinstance(v, (list, dict))).any():
            flat[col] = flat[col].map(lambda v: json.dumps(v, ensure_ascii=False)
                                      if isinstance(v, (list, dict)) else v)
    is_geo = isinstance(flat, gpd.GeoDataFrame)
    if suffix == ".gpkg" and "fid" in flat.columns:
        # GDAL takes a 'fid' column as the feature id, which must be an integer (an empty
        # layer reads back with an untyped column)
        flat["fid"] = pd.to_numeric(flat["fid"]).astype("int64")
    if suffix == ".gpkg":
        if not is_geo:
            pyogrio.write_dataframe(gpd.GeoDataFrame(flat), out, layer=layer, driver="GPKG")
        else:
            pyogrio.write_dataframe(flat, out, layer=layer, driver="GPKG")
    elif suffix in (".geojson", ".json"):
        if not is_geo:
            raise InputError(Issue(f"layer '{layer}' has no geometry; export it as .csv or .xlsx",
                                   source=str(out)))
        pyogrio.write_dataframe(flat, out, driver="GeoJSON")
    elif suffix == ".csv":
        if is_geo:
            flat = pd.DataFrame(flat.assign(wkt=flat.geometry.to_wkt()).drop(columns=flat.geometry.name))
        flat.to_csv(out, index=False, encoding="utf-8-sig")
    elif suffix == ".xlsx":
        if is_geo:
            flat = pd.DataFrame(flat.assign(wkt=flat.geometry.to_wkt()).drop(columns=flat.geometry.name))
        flat.to_excel(out, index=False, sheet_name=layer[:31])
    else:
        raise InputError(Issue(f"unsupported export type '{suffix}'; use .gpkg, .geojson, .csv or .xlsx",
                               source=str(out)))
    return out
