"""Synthetic rasters whose zonal answers are known by construction."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import rasterio
from rasterio.transform import from_origin

#: a UTM zone 49N grid (covers 108–114°E) with 30 m pixels
UTM = "EPSG:32649"
ORIGIN = (600_000.0, 2_600_000.0)
PIX = 30.0
NY, NX = 40, 50
DATES = pd.to_datetime(["2025-01-15", "2025-02-15", "2025-03-15"])


def grid_transform():
    return from_origin(ORIGIN[0], ORIGIN[1], PIX, PIX)


def values(t: int = len(DATES)) -> np.ndarray:
    """value[d, r, c] = 100·r + c + 1000·d : any pixel set's mean is known exactly."""
    r, c = np.mgrid[0:NY, 0:NX]
    return np.stack([100.0 * r + c + 1000.0 * d for d in range(t)])


def write_tif(path: Path, data: np.ndarray, *, transform=None, crs=UTM, nodata=None, dtype="float32",
              tags: dict | None = None, band_tags: list[dict] | None = None, scale: float | None = None,
              driver: str = "GTiff", descriptions: list[str] | None = None) -> Path:
    data = np.asarray(data)
    if data.ndim == 2:
        data = data[None]
    profile = {"driver": driver, "dtype": dtype, "count": data.shape[0], "height": data.shape[1],
               "width": data.shape[2], "crs": crs, "transform": transform or grid_transform(), "nodata": nodata}
    if driver == "GTiff":
        profile.update(tiled=True, blockxsize=16, blockysize=16)
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data.astype(dtype))
        if tags:
            dst.update_tags(**tags)
        for i, bt in enumerate(band_tags or []):
            dst.update_tags(i + 1, **bt)
        for i, d in enumerate(descriptions or []):
            dst.set_band_description(i + 1, d)
        if scale is not None:
            dst.scales = (scale,) * data.shape[0]
    return path


def write_stack(folder: Path, data: np.ndarray, dates=DATES, *, by: str = "name", **kw) -> list[Path]:
    """One GeoTIFF per date; the date in the file name (``by="name"``) or a DATE tag (``"tag"``)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, d in enumerate(dates):
        if by == "name":
            p = folder / f"x_{d:%Y-%m-%d}.tif"
            write_tif(p, data[i], **kw)
        else:
            p = folder / f"scene_{i:02d}.tif"
            write_tif(p, data[i], tags={"DATE": f"{d:%Y-%m-%d}"}, **kw)
        paths.append(p)
    return paths


def pixel_box(r0: float, c0: float, r1: float, c1: float):
    """A rectangle in grid coordinates spanning pixel rows r0..r1 and columns c0..c1 (edges)."""
    import shapely
    x0, y0 = ORIGIN
    return shapely.box(x0 + c0 * PIX, y0 - r1 * PIX, x0 + c1 * PIX, y0 - r0 * PIX)


@pytest.fixture
def stack(tmp_path) -> Path:
    write_stack(tmp_path / "stack", values())
    return tmp_path / "stack"


class Synth:
    """The helpers above, handed to tests as a fixture (test modules cannot import each other
    under --import-mode=importlib)."""

    UTM, ORIGIN, PIX, NY, NX, DATES = UTM, ORIGIN, PIX, NY, NX, DATES
    grid_transform = staticmethod(grid_transform)
    values = staticmethod(values)
    write_tif = staticmethod(write_tif)
    write_stack = staticmethod(write_stack)
    pixel_box = staticmethod(pixel_box)


@pytest.fixture(scope="session")
def synth() -> type[Synth]:
    return Synth


@pytest.fixture(scope="session")
def utm_sites():
    """Sites in EPSG:4326 built from pixel-aligned rectangles of the UTM grid (answers known):
    A rows 2–5 × cols 3–9; B overlaps A (rows 4–9 × cols 6–14); C a sub-pixel square inside pixel
    (20, 20); D far outside; E half off the grid's right edge (rows 10–12, cols 45–55)."""
    import geopandas as gpd
    import shapely
    geoms = [pixel_box(2, 3, 6, 10), pixel_box(4, 6, 10, 15), pixel_box(20.3, 20.3, 20.6, 20.6),
             pixel_box(500, 500, 505, 505), pixel_box(10, 45, 13, 55)]
    geoms = [shapely.segmentize(g, PIX / 4) for g in geoms]  # stay straight in the other CRS
    frame = gpd.GeoDataFrame({"site_id": list("ABCDE")}, geometry=geoms, crs=UTM)
    return frame.to_crs(4326)
