"""Validation of a layer's geometries (called by :func:`restoration.validate.validate_frame`)."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import geometry as geo
from . import model, plausibility
from .errors import Issue
from .model import LayerSpec


def validate_geometry(spec: LayerSpec, frame: gpd.GeoDataFrame, clean: pd.DataFrame,
                      loc, issues: list[Issue], warnings: list[Issue]) -> gpd.GeoDataFrame:
    """The layer's geometries checked and made canonical: present and finite, of an allowed type,
    repaired (``make_valid``, each repair a warning), in EPSG:4326, inside lon/lat, with an inside
    (not collinear, at least ``MIN_AREA_HA``) and at most ``MAX_AREA_HA``; ``area_ha`` filled.
    ``loc`` is the validator's row locator (``issue``, ``each``); problems go to ``issues``."""
    geo.require_crs(frame, loc.source)
    geoms = frame.geometry.reset_index(drop=True)
    gname = "geometry"
    missing = shapely.is_missing(geoms.values) | shapely.is_empty(geoms.values)
    unreadable = np.zeros(len(geoms), dtype=bool)  # already reported while reading the file
    for i in frame.attrs.get("read_issues") or []:
        if i.row is not None and 0 <= i.row - loc.start < len(geoms):
            unreadable[i.row - loc.start] = True
    loc.each(missing & ~unreadable, gname,
             lambda pos: "geometry is empty or missing", issues)
    coords_ok = np.ones(len(geoms), dtype=bool)
    xy, owner = shapely.get_coordinates(np.asarray(geoms.values, dtype=object), return_index=True)
    coords_ok[np.unique(owner[~np.isfinite(xy).all(axis=1)])] = False
    loc.each(~coords_ok, gname, lambda pos: "coordinates must be finite numbers (found NaN or infinity)", issues)
    missing = missing | ~coords_ok
    types = np.asarray(shapely.get_type_id(geoms.values))
    is_point = np.isin(types, (0, 4))  # Point, MultiPoint
    is_poly = np.isin(types, (3, 6))  # Polygon, MultiPolygon
    if spec.geometry == "polygon_or_point" and "role" in clean:
        point_ok = np.asarray(clean["role"] == model.Role.MONITORING_PLOT.value)
    else:
        point_ok = np.zeros(len(geoms), dtype=bool)
    wrong = ~missing & ~is_poly & ~(is_point & point_ok)
    allowed = "Polygon or MultiPolygon" + (" (Points only for monitoring plots)"
                                           if spec.geometry == "polygon_or_point" else "")
    loc.each(wrong, gname, lambda pos: f"{geoms.values[pos].geom_type} geometry not allowed; expected {allowed}",
             issues)

    fixed, repaired = geo.repair(np.where(missing, None, np.asarray(geoms.values, dtype=object)))
    for pos in np.flatnonzero(repaired & ~missing):
        reason = shapely.is_valid_reason(geoms.values[pos])
        warnings.append(loc.issue(pos, gname, f"invalid polygon repaired with make_valid ({reason})"))
    gdf = gpd.GeoDataFrame(clean, geometry=gpd.GeoSeries(fixed, crs=frame.crs))
    ok = ~missing & ~wrong
    try:
        gdf = geo.to_store_crs(gdf)
    except Exception as exc:  # pyproj cannot transform these coordinates at all
        issues.append(Issue(f"cannot reproject the layer to EPSG:4326: {str(exc)[:200]}", source=loc.source))
        return gdf
    # where did the coordinates land? outside lon/lat range = a wrong CRS (or inf from pyproj)
    bounds = np.full((len(gdf), 4), np.nan)
    if ok.any():
        bounds[ok] = shapely.bounds(gdf.geometry.values[ok])
    off = ok & ~(np.isfinite(bounds).all(axis=1) & (bounds[:, 0] >= -180) & (bounds[:, 2] <= 180)
                 & (bounds[:, 1] >= -90) & (bounds[:, 3] <= 90))
    loc.each(off, gname, lambda pos: "coordinates fall outside longitude -180..180 / latitude -90..90 after "
                                     "reprojection: is the CRS right (--crs), or are lon and lat swapped?", issues)
    ok = ok & ~off
    area = np.full(len(gdf), np.nan)
    if ok.any():
        area[ok] = geo.area_ha(gdf.geometry[ok])
    flat, message = plausibility.flat_polygons(fixed, ok & is_poly)
    loc.each(flat, gname, message, issues)
    tiny, message = plausibility.tiny_polygons(area, ok & is_poly & ~flat)
    loc.each(tiny, gname, message, issues)
    limit = model.MAX_AREA_HA.get(spec.name)
    if limit is not None:
        huge = ok & is_poly & (area > limit)
        loc.each(huge, gname, lambda pos: f"polygon covers {area[pos]:,.0f} ha, more than the {limit:,.0f} ha "
                                          f"a {spec.name} polygon may have: is the CRS right?", issues)
    if "area_ha" in spec.field_names:
        gdf["area_ha"] = np.where(is_poly, area, 0.0)
    return gdf
