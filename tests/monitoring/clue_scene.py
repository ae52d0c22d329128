"""A synthetic imagery scene for clues: a breaks raster and yearly index rasters on a 30 m UTM
grid in the sample region, with a protected area (GeoJSON, WGS 84) around one disturbed patch.

Patches: A (20×20 px, 36 ha, 2015) inside the protected area; B (20×20 px, 2018) outside every
sensitive area; C (3×3 px, 0.81 ha, 2015) inside the protected area but below 1 ha.
"""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
import shapely
from affine import Affine
from pyproj import Transformer

RES = 30.0
N = 120
YEARS = list(range(2008, 2025))
A = (slice(20, 40), slice(20, 40))
B = (slice(70, 90), slice(80, 100))
C = (slice(50, 53), slice(20, 23))


def origin() -> tuple[float, float]:
    x, y = Transformer.from_crs(4326, 32649, always_xy=True).transform(108.62, 23.05)
    return round(x, -1), round(y, -1)


def write_scene(folder: Path, crs: str | None = "EPSG:32649") -> dict[str, Path]:
    """Write breaks.tif, index/ndvi_YYYY0701.tif and protected.geojson into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    x0, y0 = origin()
    transform = Affine(RES, 0, x0, 0, -RES, y0)
    year = np.zeros((N, N), "float32")
    mag = np.full((N, N), np.nan, "float32")
    unc = np.full((N, N), np.nan, "float32")
    for win, y in ((A, 2015), (B, 2018), (C, 2015)):
        year[win], mag[win], unc[win] = y, 0.35, 0.5
    profile = dict(driver="GTiff", width=N, height=N, dtype="float32", crs=crs, transform=transform, nodata=np.nan)
    with rasterio.open(folder / "breaks.tif", "w", count=4, **profile) as dst:
        for i, band in enumerate((year, mag, np.zeros_like(mag), unc), start=1):
            dst.write(band, i)
        dst.update_tags(years=",".join(map(str, YEARS)))
    index = folder / "index"
    index.mkdir(exist_ok=True)
    rng = np.random.default_rng(25)
    for y in YEARS:
        v = (0.8 + rng.normal(0, 0.01, (N, N))).astype("float32")
        for win, when in ((A, 2015), (B, 2018), (C, 2015)):
            if y >= when:
                v[win] -= 0.35
        with rasterio.open(index / f"ndvi_{y}0701.tif", "w", count=1, **profile) as dst:
            dst.write(v, 1)
    # the protected area: around patches A and C (pixels 10..60 down, 10..50 across), in WGS 84
    box = shapely.box(x0 + 10 * RES, y0 - 60 * RES, x0 + 50 * RES, y0 - 10 * RES)
    pa = gpd.GeoDataFrame({"area_id": ["PA-01"], "name": ["十万大山生态保护红线<script>"],
                           "designation": ["生态保护红线"]}, geometry=[box], crs=32649).to_crs(4326)
    pa.to_file(folder / "protected.geojson", driver="GeoJSON")
    return {"breaks": folder / "breaks.tif", "index": index, "protected": folder / "protected.geojson"}


PATTERN = r"ndvi_(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})"
