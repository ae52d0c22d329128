"""Geometry rules: CRS, reprojection, repair, areas and distances.

Geometries are stored in EPSG:4326. Areas are computed in an equal-area projection and distances
in the local UTM zone, never in degrees.
"""
from __future__ import annotations

import numpy as np
import geopandas as gpd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from . import chinese_crs

from .errors import InputError, Issue

STORE_CRS = CRS.from_epsg(4326)

#: Albers equal-area conic for China (standard parallels 25°N / 47°N, central meridian 105°E,
#: CGCS2000/GRS80 ellipsoid). Equal-area everywhere, so areas are exact to the ellipsoid model
#: wherever the site is; shape distortion does not matter for areas.
AREA_CRS = CRS.from_proj4("+proj=aea +lat_0=0 +lon_0=105 +lat_1=25 +lat_2=47 +x_0=0 +y_0=0 "
                          "+ellps=GRS80 +units=m +no_defs")

POLYGONAL = ("Polygon", "MultiPolygon")


def parse_crs(text: str | None, argument: str = "--crs") -> CRS | str | None:
    """A user's CRS argument: None, ``"GCJ-02"`` / ``"BD-09"`` (Chinese web-map coordinates,
    converted by :mod:`restoration.chinese_crs`), or a pyproj CRS (``EPSG:4490``, WKT, PROJ).
    An unknown code is an InputError naming ``argument``, never a traceback."""
    if text is None or str(text).strip() == "":
        return None
    chinese = chinese_crs.chinese_crs(str(text))
    if chinese:
        return chinese
    try:
        return CRS.from_user_input(str(text).strip())
    except CRSError:
        raise InputError(Issue(
            f"unknown coordinate reference system '{text}'; use an EPSG code such as EPSG:4326 "
            "(WGS 84), EPSG:4490 (CGCS2000) or EPSG:32649 (UTM 49N), or GCJ-02 / BD-09 for "
            "coordinates from Chinese web maps (AMap, Tencent / Baidu)", field=argument)) from None


def from_chinese_crs(frame: gpd.GeoDataFrame, crs: str, source: str | None = None) -> gpd.GeoDataFrame:
    """Convert a layer whose lon/lat are in GCJ-02 or BD-09 to WGS 84 (EPSG:4326).

    A vector file's own CRS is overridden (such files usually claim WGS 84), but a projected one
    is refused: GCJ-02 and BD-09 are longitude/latitude only."""
    if frame.crs is not None and not CRS.from_user_input(frame.crs).is_geographic:
        raise InputError(Issue(
            f"{crs} coordinates are longitude/latitude, but the file is in a projected CRS "
            f"({CRS.from_user_input(frame.crs).name}); leave out --crs {crs}", source=source, field="--crs"))
    geoms = chinese_crs.transform_geometries(frame.geometry.to_numpy(), crs, inverse=True)
    out = frame.copy()
    out = out.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=STORE_CRS), crs=STORE_CRS)
    out.attrs.update(frame.attrs)
    return out


def require_crs(frame: gpd.GeoDataFrame, source: str | None) -> CRS:
    """Return the frame's CRS or refuse the layer with a message that says how to fix it."""
    if frame.crs is None:
        raise InputError(Issue(
            "the layer has no coordinate reference system (CRS). Save it with its CRS "
            "(e.g. a .prj file beside a Shapefile), or pass --crs EPSG:4326 (WGS 84) / "
            "--crs EPSG:4490 (CGCS2000) to say which one it is in.",
            source=source,
        ))
    return CRS.from_user_input(frame.crs)


def to_store_crs(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject to EPSG:4326 (CGCS2000 EPSG:4490 included; pyproj applies the transform)."""
    if CRS.from_user_input(frame.crs).equals(STORE_CRS):
        return frame
    return frame.to_crs(STORE_CRS)


def area_ha(geoms: gpd.GeoSeries) -> np.ndarray:
    """Area of each geometry in hectares, computed in the equal-area projection (m² / 10 000)."""
    projected = geoms.to_crs(AREA_CRS)
    return shapely.area(projected.values) / 10_000.0


def utm_crs_for(lon: float, lat: float) -> CRS:
    """The WGS 84 UTM zone CRS for a point (EPSG:326zz north, 327zz south)."""
    zone = int(np.floor((lon + 180.0) / 6.0)) % 60 + 1
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def repair(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Repair invalid geometries with ``make_valid``, keeping only their polygonal part.

    Returns the repaired array and a boolean mask of the rows that were changed.
    """
    geoms = np.asarray(geoms, dtype=object)
    invalid = ~shapely.is_valid(geoms) & ~shapely.is_missing(geoms)
    if invalid.any():
        fixed = shapely.make_valid(geoms[invalid])
        # make_valid can return a GeometryCollection (polygon + stray lines); keep the areas.
        for i, g in enumerate(fixed):
            if g.geom_type == "GeometryCollection":
                polys = [p for p in g.geoms if p.geom_type in POLYGONAL]
                fixed[i] = shapely.union_all(polys) if polys else shapely.Polygon()
        geoms = geoms.copy()
        geoms[invalid] = fixed
    return geoms, invalid
