"""Disturbed patches: the connected pixels of a breaks raster that carry a disturbance, as
polygons with their size, year and index drop — the raw material of clues from imagery.

Pixels with a break (band 1 > 0) are grouped into 8-connected patches (``scipy.ndimage.label``);
a patch smaller than the minimum area is dropped; the rest are vectorised
(``rasterio.features.shapes``) and summarised: the median break year, the mean uncertainty and
the mean index drop over the patch's pixels.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import ndimage
from shapely.geometry import shape

from ..errors import InputError, Issue
from ..geometry import area_ha
from ..vocab.units import MU_PER_HA
#: the smallest patch kept by default [ha] (a Landsat pixel is 0.09 ha: 1 ha is about 11 pixels)
DEFAULT_MIN_AREA_HA = 1.0


@dataclass
class BreaksImage:
    """A breaks raster as arrays (``break_year`` NaN where none) with its grid and years."""
    break_year: np.ndarray
    magnitude: np.ndarray
    uncertainty: np.ndarray
    transform: object
    crs: object
    years: list[int]
    source: str


def read_breaks(path: str | Path) -> BreaksImage:
    """Read the raster ``restoration monitor breaks --out`` writes (4 bands: year, magnitude,
    recovery slope, ± years). Exit 2 on a file that is not one, or has no CRS."""
    import rasterio

    name = Path(path).name
    try:
        with rasterio.open(path) as src:
            if src.count < 4:
                raise InputError(Issue(f"{src.count} band(s): a breaks raster has 4 (year, magnitude, recovery "
                                       "slope, ± years; `restoration monitor breaks --out`)", source=name,
                                       field="bands"))
            if src.crs is None:
                raise InputError(Issue("the raster has no coordinate reference system (CRS)", source=name,
                                       field="crs"))
            year, mag, _, unc = (src.read(i).astype("float64") for i in (1, 2, 3, 4))
            tag = src.tags().get("years", "")
            transform, crs = src.transform, src.crs
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 — any unreadable file is the user's input
        raise InputError(Issue(f"not a readable raster ({str(exc)[:200]})", source=name)) from None
    year[~np.isfinite(year) | (year <= 0)] = np.nan
    try:
        years = [int(y) for y in tag.split(",") if y.strip()]
    except ValueError:
        years = []
    return BreaksImage(year, mag, unc, transform, crs, years, name)


def disturbed_patches(img: BreaksImage, *, min_area_ha: float = DEFAULT_MIN_AREA_HA,
                      min_magnitude: float | None = None) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """The patches of connected disturbed pixels of at least ``min_area_ha`` [ha].

    Parameters
    ----------
    img : BreaksImage
        From :func:`read_breaks`.
    min_area_ha : float
        Smallest patch kept [ha].
    min_magnitude : float, optional
        Pixels whose index drop is smaller [index units] are not disturbed.

    Returns
    -------
    (patches, labels)
        ``patches``: one row per patch (``label``, ``n_pixels``, ``area_ha``, ``area_mu``,
        ``break_year``, ``uncertainty_years``, ``index_drop``, ``rows``/``cols`` bounding slices,
        geometry in the raster's CRS); ``labels``: the label image (0 outside every patch kept).
    """
    mask = np.isfinite(img.break_year)
    if min_magnitude is not None:
        mask &= np.nan_to_num(img.magnitude, nan=0.0) >= min_magnitude
    labels, n = ndimage.label(mask, structure=np.ones((3, 3), dtype=bool))
    cols = ["label", "n_pixels", "area_ha", "area_mu", "break_year", "uncertainty_years", "index_drop",
            "rows", "cols"]
    if n == 0:
        return gpd.GeoDataFrame(columns=cols, geometry=gpd.GeoSeries([], crs=img.crs), crs=img.crs), labels
    counts = np.bincount(labels.ravel(), minlength=n + 1)
    pixel_ha = _pixel_ha(img)
    keep = np.flatnonzero(counts * pixel_ha >= min_area_ha * 0.5)  # a first cut by pixel count; exact area below
    keep = keep[keep > 0]
    labels = np.where(np.isin(labels, keep), labels, 0)
    geoms = _polygons(labels, img.transform)
    idx = np.array(sorted(geoms), dtype=int)
    frame = gpd.GeoDataFrame({"label": idx}, geometry=gpd.GeoSeries([geoms[i] for i in idx], crs=img.crs),
                             crs=img.crs)
    if len(frame):
        frame["n_pixels"] = counts[idx]
        frame["area_ha"] = area_ha(frame.geometry)
        frame["area_mu"] = frame["area_ha"] * MU_PER_HA
        frame["break_year"] = np.round(ndimage.median(np.nan_to_num(img.break_year), labels, idx)).astype(int)
        frame["uncertainty_years"] = ndimage.mean(np.nan_to_num(img.uncertainty), labels, idx)
        frame["index_drop"] = ndimage.mean(np.nan_to_num(img.magnitude), labels, idx)
        boxes = ndimage.find_objects(labels)
        frame["rows"] = [boxes[i - 1][0] for i in idx]
        frame["cols"] = [boxes[i - 1][1] for i in idx]
        small = frame["area_ha"] < min_area_ha
        labels[np.isin(labels, frame.loc[small, "label"].to_numpy())] = 0
        frame = frame[~small].reset_index(drop=True)
    return frame[cols + ["geometry"]] if len(frame) else frame.reindex(columns=cols + ["geometry"]), labels


def _pixel_ha(img: BreaksImage) -> float:
    """One pixel's area [ha] (at the raster's centre when the CRS is geographic)."""
    t = img.transform
    if img.crs is not None and img.crs.is_geographic:
        lat = t.f + t.e * img.break_year.shape[0] / 2
        return abs(t.a * t.e) * (111_320.0 ** 2) * np.cos(np.radians(lat)) / 10_000.0
    return abs(t.a * t.e) / 10_000.0


def _polygons(labels: np.ndarray, transform) -> dict[int, object]:
    """One (multi)polygon per label value of the label image (0 is background)."""
    from rasterio import features
    from shapely.ops import unary_union

    parts: dict[int, list] = {}
    for geom, value in features.shapes(labels.astype("int32"), mask=labels > 0, transform=transform):
        parts.setdefault(int(value), []).append(shape(geom))
    return {k: v[0] if len(v) == 1 else unary_union(v) for k, v in parts.items()}


def inside_areas(patches: gpd.GeoDataFrame, areas: dict[str, gpd.GeoDataFrame]) -> list[list[dict]]:
    """For each patch, the sensitive areas it lies in (overlaps): ``{layer, id, name}`` per area.
    ``areas``: {layer: frame with ``id``, ``name`` and a geometry}, any CRS."""
    hits: list[list[dict]] = [[] for _ in range(len(patches))]
    if not len(patches):
        return hits
    for layer, frame in areas.items():
        if frame is None or not len(frame):
            continue
        frame = frame.to_crs(patches.crs)
        left, right = frame.sindex.query(patches.geometry.values, predicate="intersects")
        for i, j in zip(left, right):
            row = frame.iloc[j]
            hits[i].append({"layer": layer, "id": str(row["id"]), "name": str(row["name"])})
    return hits


__all__ = ["BreaksImage", "DEFAULT_MIN_AREA_HA", "MU_PER_HA", "disturbed_patches", "inside_areas", "read_breaks"]
