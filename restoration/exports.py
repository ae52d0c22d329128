"""Layer exports: a store layer (or any table) to a GeoPackage, GeoJSON, CSV or Excel file.

Every file goes through :mod:`restoration.files` (destination checked, built beside it and
moved in, owner-only); CSV and Excel through :mod:`restoration.workbook` (text cells never
become formulas). The store is not touched here.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

import geopandas as gpd
import pandas as pd
import pyogrio

from . import files, workbook
from . import geometry as geo
from .errors import InputError, Issue

#: the export formats, by file suffix
SUFFIXES = (".gpkg", ".geojson", ".json", ".csv", ".xlsx")
#: at most this many distinct keys of ``attributes`` become columns of an export
MAX_ATTRIBUTE_COLUMNS = 50


def expand_attributes(frame: pd.DataFrame) -> pd.DataFrame:
    """The per-row ``attributes`` (extra columns of imported files) as columns again, named as in
    the user's file (``attributes.<name>`` where that clashes with a field); left as one JSON
    column when there are more than MAX_ATTRIBUTE_COLUMNS distinct names."""
    if "attributes" not in frame.columns:
        return frame
    values = frame["attributes"]
    keys: list[str] = []
    for v in values:
        if isinstance(v, dict):
            keys.extend(k for k in v if k not in keys)
    if not keys:
        return frame.drop(columns="attributes")
    if len(keys) > MAX_ATTRIBUTE_COLUMNS:
        return frame
    out = frame.drop(columns="attributes")
    for k in keys:
        name = k if k not in out.columns else f"attributes.{k}"
        out[name] = [v.get(k) if isinstance(v, dict) else None for v in values]
    return out


def to_crs_for_export(frame: pd.DataFrame, crs: str | None) -> tuple[pd.DataFrame, str | None]:
    """Geometries in ``crs`` for an export: an EPSG/PROJ CRS (reprojected), or GCJ-02 / BD-09 for
    Chinese web maps (the file is then labelled EPSG:4326 — these have no code — and the returned
    note says so)."""
    if crs is None or not isinstance(frame, gpd.GeoDataFrame):
        return frame, None
    target = geo.parse_crs(crs)
    if isinstance(target, str):
        from .chinese_crs import transform_geometries
        out = frame.to_crs(geo.STORE_CRS)
        out = out.set_geometry(gpd.GeoSeries(transform_geometries(out.geometry.to_numpy(), target, inverse=False),
                                             index=out.index, crs=geo.STORE_CRS))
        return out, (f"坐标 coordinates written in {target} for Chinese web maps; the file is labelled EPSG:4326 "
                     f"because {target} has no EPSG code — do not use it as WGS 84")
    return frame.to_crs(target), None


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as a file holds it: extra attributes as columns, binary content as a size
    (attachments stay in the store), lists and mappings as JSON."""
    flat = expand_attributes(frame.copy())
    geometry = getattr(flat, "_geometry_column_name", None) if isinstance(flat, gpd.GeoDataFrame) else None
    for col in flat.columns:
        if col == geometry:
            continue
        values = flat[col]
        if values.map(lambda v: isinstance(v, (bytes, bytearray, memoryview))).any():
            flat[col] = values.map(lambda v: f"<{len(v)} bytes>" if v is not None else None)
        elif values.map(lambda v: isinstance(v, (list, dict))).any():
            flat[col] = values.map(lambda v: json.dumps(v, ensure_ascii=False)
                                   if isinstance(v, (list, dict)) else v)
    return flat


def _table(flat: pd.DataFrame) -> pd.DataFrame:
    """A flat frame for CSV/Excel: the geometry as a ``wkt`` column."""
    if isinstance(flat, gpd.GeoDataFrame):
        return pd.DataFrame(flat.assign(wkt=flat.geometry.to_wkt()).drop(columns=flat.geometry.name))
    return pd.DataFrame(flat)


def _write_vector(flat: pd.DataFrame, target: Path, layer: str, driver: str) -> None:
    if driver == "GPKG" and "fid" in flat.columns:
        # GDAL takes a 'fid' column as the feature id, which must be an integer (an empty
        # layer reads back with an untyped column)
        flat = flat.copy()
        flat["fid"] = pd.to_numeric(flat["fid"]).astype("int64")
    frame = flat if isinstance(flat, gpd.GeoDataFrame) else gpd.GeoDataFrame(flat)
    options = {"layer": layer} if driver == "GPKG" else {}
    pyogrio.write_dataframe(frame, target, driver=driver, **options)


def export_frame(frame: pd.DataFrame, out: str | Path, layer: str, *, field: str | None = None) -> Path:
    """Write a layer to GeoPackage, GeoJSON, CSV (geometry as WKT) or Excel, by the suffix of
    ``out``; ``field`` names the option in messages."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(Issue(f"unsupported export type '{suffix}'; use .gpkg, .geojson, .csv or .xlsx",
                               source=str(out), field=field))
    flat = _flat(frame)
    if suffix in (".geojson", ".json") and not isinstance(flat, gpd.GeoDataFrame):
        raise InputError(Issue(f"layer '{layer}' has no geometry; export it as .csv or .xlsx", source=str(out),
                               field=field))
    if suffix == ".csv":
        return workbook.write_csv(out, _table(flat), field=field)
    if suffix == ".xlsx":
        return workbook.write_workbook(out, {layer: _table(flat)}, field=field)
    driver = "GPKG" if suffix == ".gpkg" else "GeoJSON"
    return files.write_file(out, lambda tmp: _write_vector(flat, tmp, layer, driver), field=field)


def export_layers_gpkg(frames: Iterable[tuple[str, pd.DataFrame]], out: str | Path, *,
                       field: str | None = None) -> Path:
    """Write several (layer name, frame) pairs into one new GeoPackage at ``out``."""
    flats = [(layer, _flat(frame)) for layer, frame in frames]

    def write(tmp: Path) -> None:
        for layer, flat in flats:
            _write_vector(flat, tmp, layer, "GPKG")
    return files.write_file(out, write, field=field)


__all__ = ["SUFFIXES", "expand_attributes", "to_crs_for_export", "export_frame", "export_layers_gpkg"]
