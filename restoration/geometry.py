"""Geometry rules: CRS, reprojection, repair, areas and distances.

Geometries are stored in EPSG:4326. Areas are computed in an equal-area projection and distances
in the local UTM zone, never in degrees.
"""
from __future__ import annotations

import numpy as np
import geopandas as gpd
import shapely
from pyproj import CRS

from .errors import InputError, Issue

STORE_CRS = CRS.from_epsg(4326)

#: Albers equal-area conic for China (standard parallels 25°N / 47°N, central meridian 105°E,
#: CGCS2000/GRS80 ellipsoid). Equal-area everywhere, so areas are exact to the ellipsoid model
#: wherever the site is; shape distortion does not matter for areas.
AREA_CRS = CRS.from_proj4("+proj=aea +lat_0=0 +lon_0=105 +lat_1=25 +lat_2=47 +x_0=0 +y_0=0 "
                          "+ellps=GRS80 +units=m +no_defs")

POLYGONAL = ("Polygon", "MultiPolygon")


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
