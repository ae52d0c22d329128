"""Polygon review of bank projects on the way in: overlaps between projects (new with new, new
with registered) and with registered restoration sites, found with a spatial index (shapely
``STRtree.query(predicate="intersects")``, no pairwise loop), and the overlap area.

Only overlaps with a positive area count (boundaries that touch do not), and two projects
overlap only when they sell the same kind of credit (the same capacity unit): the ground of a
riparian buffer sold in hectares may also hold a fish-release project sold in fry without any
credit being sold twice; two hectare projects on the same ground would sell it twice. Areas are in hectares,
computed in an equal-area projection (EPSG:6933) — the sample's and a province's extent.

:func:`shape_findings` adds what a reviewer should look at in each polygon: slivers and thin parts
(a negative buffer) and acute spikes; a declared capacity above the mapped area is refused by the
registry's checks (``registry.check_projects``).
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

EQUAL_AREA = "EPSG:6933"
#: site roles a bank project may not overlap: places restored for a case
RESTORATION_ROLES = ("in_situ_restoration", "alternative_restoration", "off_site_restoration")


def _pairs(a: np.ndarray, b: np.ndarray, same: bool) -> tuple[np.ndarray, np.ndarray]:
    tree = shapely.STRtree(b)
    i, j = tree.query(a, predicate="intersects")
    if same:
        keep = i < j
        i, j = i[keep], j[keep]
    return i, j


def overlaps(new: gpd.GeoDataFrame, registered: gpd.GeoDataFrame, sites: gpd.GeoDataFrame) -> pd.DataFrame:
    """Every overlap of a ``new`` project with another new one, a ``registered`` project (other
    ids) or a restoration site: columns project_id, other_kind (project / site), other_id, area_ha."""
    rows = []
    geo_new = new.to_crs(EQUAL_AREA).geometry.to_numpy()
    ids = new["project_id"].to_numpy()
    others = [("project", new, ids, True)]
    reg = registered[~registered["project_id"].isin(set(ids))]
    others.append(("project", reg, reg["project_id"].to_numpy(), False))
    restored = sites[sites["role"].isin(RESTORATION_ROLES)] if len(sites) else sites
    others.append(("site", restored, restored["site_id"].to_numpy() if len(restored) else np.array([]), False))
    for kind, frame, other_ids, same in others:
        if not len(frame) or not len(new):
            continue
        geo = geo_new if same else frame.to_crs(EQUAL_AREA).geometry.to_numpy()
        i, j = _pairs(geo_new, geo, same)
        if not len(i):
            continue
        area = shapely.area(shapely.intersection(geo_new[i], geo[j])) / 1e4
        same_credit = (np.ones(len(i), bool) if kind == "site" else
                       new["capacity_unit"].to_numpy()[i] == frame["capacity_unit"].to_numpy()[j])
        for a, b, ha, counts in zip(i, j, area, same_credit):
            if ha > 0 and counts:
                rows.append({"project_id": ids[a], "other_kind": kind, "other_id": other_ids[b], "area_ha": float(ha)})
    return pd.DataFrame(rows, columns=["project_id", "other_kind", "other_id", "area_ha"])


def naive_overlaps(new: gpd.GeoDataFrame, sites: gpd.GeoDataFrame) -> int:
    """The pairwise loop the index replaces (the benchmark's baseline): overlapping pairs."""
    a = new.to_crs(EQUAL_AREA).geometry.to_numpy()
    b = sites.to_crs(EQUAL_AREA).geometry.to_numpy()
    return sum(1 for g in a for h in b if g.intersects(h) and g.intersection(h).area > 0)


# -- shape and area checks ---------------------------------------------------------------------
# Screening thresholds of this review (the platform's choice, not a standard's): a finding asks a
# reviewer to look, it refuses nothing.
#: parts narrower than this are thin [m] (removed by a negative buffer of half of it)
THIN_WIDTH_M = 5.0
#: a polygon that loses more than this share of its area to that buffer is a sliver [-]
SLIVER_SHARE = 0.5
#: thin parts count when they hold more than this area [m²] (the mitred opening keeps corners)
THIN_MIN_M2 = 100.0
#: a boundary vertex sharper than this is a spike [degrees]
SPIKE_ANGLE_DEG = 10.0
#: checks, in their order of severity
SHAPE_CHECKS = ("sliver", "thin_parts", "spike")


def spike_angles(geom) -> np.ndarray:
    """The interior angles [degrees] of every vertex of ``geom``'s rings (a polygon or
    multipolygon in a metric, conformal CRS), repeated points dropped."""
    geom = shapely.remove_repeated_points(geom)
    angles = []
    for ring in shapely.get_rings(geom):
        xy = shapely.get_coordinates(ring)[:-1]
        if len(xy) < 3:
            continue
        before, after = np.roll(xy, 1, axis=0) - xy, np.roll(xy, -1, axis=0) - xy
        cos = (before * after).sum(axis=1) / (np.hypot(*before.T) * np.hypot(*after.T))
        angles.append(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))
    return np.concatenate(angles) if angles else np.array([])


def shape_findings(projects: gpd.GeoDataFrame, *, thin_width_m: float = THIN_WIDTH_M,
                   spike_angle_deg: float = SPIKE_ANGLE_DEG) -> pd.DataFrame:
    """Slivers, thin parts and spikes of ``projects`` (project_id, geometry in any CRS): columns
    project_id, check
    (:data:`SHAPE_CHECKS`), value and limit (the measure and its threshold: sliver — share of the
    area lost [-]; thin parts — area lost [m²]; spike — sharpest angle [degrees]).

    Thinness is the area a negative buffer of ``thin_width_m / 2`` followed by the same positive
    buffer (a morphological opening) removes, measured in the local UTM zone (metres, angles kept).
    (A declared capacity above the mapped area is refused by the registry's own checks.)"""
    rows = []
    if not len(projects):
        return pd.DataFrame(rows, columns=["project_id", "check", "value", "limit"])
    ids = projects["project_id"].to_numpy()
    metric = projects.to_crs(projects.estimate_utm_crs()).geometry.to_numpy()
    area = shapely.area(metric)
    r = thin_width_m / 2
    opened = shapely.buffer(shapely.buffer(metric, -r, join_style="mitre"), r, join_style="mitre")
    lost = np.where(area > 0, (area - shapely.area(opened)) / np.where(area > 0, area, 1), 0.0)
    for k, pid in enumerate(ids):
        if lost[k] > SLIVER_SHARE:
            rows.append((pid, "sliver", float(lost[k]), SLIVER_SHARE))
        elif lost[k] * area[k] > THIN_MIN_M2:
            rows.append((pid, "thin_parts", float(lost[k] * area[k]), THIN_MIN_M2))
        angles = spike_angles(metric[k])
        if len(angles) and angles.min() < spike_angle_deg:
            rows.append((pid, "spike", float(angles.min()), spike_angle_deg))
    out = pd.DataFrame(rows, columns=["project_id", "check", "value", "limit"])
    order = {c: i for i, c in enumerate(SHAPE_CHECKS)}
    return out.sort_values(["project_id", "check"], key=lambda s: s.map(order) if s.name == "check" else s,
                           kind="stable").reset_index(drop=True)
