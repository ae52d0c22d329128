"""Natural-looking polygons for the sample region, built in metres (UTM 49N) then stored in
EPSG:4326. Deterministic for a given random generator."""
from __future__ import annotations

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely import affinity

WORK_CRS = CRS.from_epsg(32649)  # UTM zone 49N covers most of the sample region
_to_m = Transformer.from_crs(4326, WORK_CRS, always_xy=True)
_to_deg = Transformer.from_crs(WORK_CRS, 4326, always_xy=True)


def lonlat_to_m(lon, lat):
    return _to_m.transform(lon, lat)


def m_to_lonlat(x, y):
    return _to_deg.transform(x, y)


def blob(rng: np.random.Generator, cx: float, cy: float, area_m2: float, *,
         elongation: float = 1.0, n: int = 48, roughness: float = 0.18) -> shapely.Polygon:
    """A smooth, irregular star-shaped polygon of ``area_m2`` centred at (cx, cy) metres.

    Radius r(θ) = 1 + Σ_k a_k cos(kθ + φ_k), k = 2..6, amplitudes falling as 1/k: lobes like
    a forest stand or a wetland, not a circle. ``elongation`` > 1 stretches it along a random
    axis (rivers, riparian strips).
    """
    theta = np.linspace(0, 2 * np.pi, n, endpoint=False)
    r = np.ones(n)
    for k in range(2, 7):
        r += rng.uniform(0.3, 1.0) * roughness * 2 / k * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    r = np.clip(r, 0.35, None)
    poly = shapely.Polygon(np.c_[r * np.cos(theta), r * np.sin(theta)])
    if elongation != 1.0:
        poly = affinity.scale(poly, xfact=elongation, yfact=1.0 / np.sqrt(elongation), origin=(0, 0))
        poly = affinity.rotate(poly, rng.uniform(0, 180), origin=(0, 0))
    poly = affinity.scale(poly, *(2 * [np.sqrt(area_m2 / poly.area)]), origin=(0, 0))
    return affinity.translate(poly, cx, cy)


def to_lonlat(geom):
    """Transform a geometry from the working CRS (metres) to longitude/latitude."""
    return shapely.transform(geom, lambda xy: np.c_[m_to_lonlat(xy[:, 0], xy[:, 1])])


def voronoi_regions(rng: np.random.Generator, bbox_m: tuple[float, float, float, float],
                    n: int, seeds: np.ndarray | None = None) -> list[shapely.Polygon]:
    """n Voronoi cells over the box with wavy edges (densified and jittered), clipped to it, in
    the order of ``seeds`` (n × 2 metres) when given, else around n random seeds."""
    minx, miny, maxx, maxy = bbox_m
    if seeds is None:
        seeds = np.c_[rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)]
    seeds = np.asarray(seeds, dtype=float)
    pts = shapely.multipoints(seeds)
    box = shapely.box(*bbox_m)
    cells = list(shapely.voronoi_polygons(pts, extend_to=box).geoms)
    # shapely does not keep the seeds' order: put each cell at its seed's position
    cells = [next(c for c in cells if c.contains(shapely.Point(*xy))) for xy in seeds]
    out = []
    for cell in cells:
        cell = shapely.segmentize(cell, (maxx - minx) / 60)
        coords = np.asarray(cell.exterior.coords)
        on_box = (np.isclose(coords[:, 0], minx) | np.isclose(coords[:, 0], maxx) |
                  np.isclose(coords[:, 1], miny) | np.isclose(coords[:, 1], maxy))
        out.append((cell, coords, on_box))
    # jitter shared vertices the same way in every cell: a deterministic function of position
    def wobble(xy):
        amp = (maxx - minx) / 120
        return np.c_[xy[:, 0] + amp * np.sin(xy[:, 1] / 7000.0) * np.cos(xy[:, 0] / 9000.0),
                     xy[:, 1] + amp * np.cos(xy[:, 0] / 8000.0) * np.sin(xy[:, 1] / 6000.0)]
    result = []
    for cell, coords, on_box in out:
        moved = wobble(coords)
        moved[on_box] = coords[on_box]
        poly = shapely.make_valid(shapely.Polygon(moved)).intersection(box)
        result.append(poly)
    return result
