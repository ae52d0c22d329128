"""Polygon review of bank projects on the way in: overlaps between projects (new with new, new
with registered) and with registered restoration sites, found with a spatial index (shapely
``STRtree.query(predicate="intersects")``, no pairwise loop), and the overlap area.

Only overlaps with a positive area count (boundaries that touch do not), and two projects
overlap only when they sell the same kind of credit (the same capacity unit): the ground of a
riparian buffer sold in hectares may also hold a fish-release project sold in fry without any
credit being sold twice; two hectare projects on the same ground would sell it twice. Areas are in hectares,
computed in an equal-area projection (EPSG:6933) — the sample's and a province's extent.
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
