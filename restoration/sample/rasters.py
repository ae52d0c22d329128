"""Monthly NDVI GeoTIFFs for the sample region: a vegetated landscape with seasons, clouds, and
damage and recovery painted onto the case sites."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
from rasterio.features import rasterize
from rasterio.transform import from_bounds
from tqdm.auto import tqdm

from .. import files
from ..progress import bar_wanted

NODATA = -32768
SCALE = 1e-4  # stored integer × SCALE = NDVI (MODIS MOD13 convention)


def _year(d: date) -> float:
    return d.year + (d.timetuple().tm_yday - 0.5) / 365.25


def profile_level(profile: str, t: float, intact: float) -> float | None:
    """NDVI a recovery profile reaches at decimal year ``t`` (None: leave the landscape as is).

    The curves are the sample's "truth": on_track follows its plan, lagging reaches about half
    of its planned gain, recovered has met its target, planting greens bare land slowly.
    """
    if profile == "intact":
        return intact
    if profile == "none":
        return 0.20
    if profile == "on_track":  # restoration started mid-2024, planned 0.25 -> 0.72 by mid-2027
        return 0.25 + 0.47 * np.clip((t - 2024.5) / 3.0, 0, 1) * 1.02
    if profile == "lagging":  # planned 0.18 -> 0.62 (2023.8 -> 2026.8); achieves ~45 % of it
        return 0.18 + 0.44 * 0.45 * np.clip((t - 2023.8) / 3.0, 0, 1)
    if profile == "recovered":
        return 0.67
    if profile == "planting":
        return 0.30 + 0.40 * np.clip((t - 2024.2) / 4.0, 0, 1)
    raise ValueError(f"unknown recovery profile {profile!r}")


def write_ndvi_series(folder: Path, sites: gpd.GeoDataFrame, profiles: dict[str, str],
                      dates: list[date], size: int, rng: np.random.Generator, *,
                      bbox: tuple[float, float, float, float], progress: bool = True) -> list[Path]:
    """Write one GeoTIFF per date (``ndvi_YYYY-MM-DD.tif``, EPSG:4326, tag DATE) into ``folder``
    (which must exist)."""
    transform = from_bounds(*bbox, size, size)
    yy, xx = np.mgrid[0:size, 0:size] / size
    # smooth landscape: hills of forest and karst between 0.55 and 0.82
    land = 0.68 + 0.07 * np.sin(6.1 * xx + 1.3) * np.cos(4.7 * yy) + 0.05 * np.sin(11.0 * (xx + yy))
    # polygons are painted in order, so sites listed later (restoration inside damage) win
    polys = sites[sites.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    labels = rasterize(((g, i + 1) for i, g in enumerate(polys.geometry)), out_shape=(size, size),
                       transform=transform, fill=0, dtype="int32")
    site_ids = polys.site_id.to_numpy()
    present = np.unique(labels)
    present = present[present > 0]
    paths = []
    profile = {
        "driver": "GTiff", "dtype": "int16", "count": 1, "width": size, "height": size,
        "crs": "EPSG:4326", "transform": transform, "nodata": NODATA, "compress": "deflate",
        "predictor": 2, "tiled": True, "blockxsize": 256, "blockysize": 256,
    }
    noise_sd = 0.015
    for d in tqdm(dates, desc="NDVI rasters", unit="date", disable=not bar_wanted(progress)):
        t = _year(d)
        season = 0.06 * np.sin(2 * np.pi * (t - 0.37))  # peak in late summer
        ndvi = land + season
        level_of = np.zeros(len(site_ids) + 1)
        has = np.zeros(len(site_ids) + 1, dtype=bool)
        for lab in present:
            lvl = profile_level(profiles[site_ids[lab - 1]], t, 0.0)
            if lvl is not None and profiles[site_ids[lab - 1]] != "intact":
                level_of[lab] = lvl + season * 0.5
                has[lab] = True
        painted = has[labels]
        ndvi = np.where(painted, level_of[labels], ndvi)
        ndvi = ndvi + rng.normal(0, noise_sd, ndvi.shape)
        data = np.round(np.clip(ndvi, -0.2, 1.0) / SCALE / 10).astype(np.int16) * 10
        data[_clouds(rng, size)] = NODATA
        paths.append(files.write_file(folder / f"ndvi_{d.isoformat()}.tif",
                                      lambda tmp: _write_tif(tmp, data, profile, d)))
    return paths


def _write_tif(path: Path, data: np.ndarray, profile: dict, day: date) -> None:
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
        dst.scales = (SCALE,)
        dst.offsets = (0.0,)
        dst.set_band_description(1, "NDVI")
        dst.update_tags(DATE=day.isoformat(), PRODUCT="sample monthly NDVI composite")


def _clouds(rng: np.random.Generator, size: int) -> np.ndarray:
    """0–4 irregular cloud patches covering a few to ~25 % of the scene."""
    mask = np.zeros((size, size), dtype=bool)
    yy, xx = np.mgrid[0:size, 0:size]
    for _ in range(rng.integers(0, 5)):
        cy, cx = rng.uniform(0, size, 2)
        r = rng.uniform(0.03, 0.15) * size
        ang = np.arctan2(yy - cy, xx - cx)
        wobble = 1 + 0.25 * np.sin(3 * ang + rng.uniform(0, 6)) + 0.15 * np.sin(5 * ang)
        mask |= (yy - cy) ** 2 + (xx - cx) ** 2 < (r * wobble) ** 2
    return mask
