"""Bank register speed: the polygon overlap check of 10,000 projects against 20,000 restoration
sites with the spatial index (``polygon_review.overlaps``) against the pairwise loop
(``naive_overlaps``, timed on a slice and scaled), in one run; and the public register of the
sample store against today's bank table.

Run: ``python benchmarks/bank.py`` (prints seconds and ratios)."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from restoration import config
from restoration.bank import bank_table
from restoration.bank.polygon_review import naive_overlaps, overlaps
from restoration.bank.register import public_register
from restoration.bootstrap import init_store
from restoration.store import open_store


def _boxes(n: int, size: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.uniform(107.5, 109.5, n)
    y = rng.uniform(22.5, 24.5, n)
    return shapely.box(x, y, x + size, y + size)


def main() -> None:
    projects = gpd.GeoDataFrame({"project_id": [f"P{i}" for i in range(10_000)]},
                                geometry=_boxes(10_000, 0.01, 1), crs=4326)
    sites = gpd.GeoDataFrame({"site_id": [f"S{i}" for i in range(20_000)], "role": "alternative_restoration"},
                             geometry=_boxes(20_000, 0.005, 2), crs=4326)
    registered = projects.iloc[0:0]
    t = time.perf_counter()
    found = overlaps(projects, registered, sites)
    indexed = time.perf_counter() - t
    part = 100
    t = time.perf_counter()
    naive_overlaps(projects.iloc[:part], sites)
    naive = (time.perf_counter() - t) * len(projects) / part
    print(f"overlap check 10,000 projects x 20,000 sites: STRtree {indexed:.2f} s ({len(found)} overlaps); "
          f"pairwise loop {naive:.1f} s (scaled from {part} projects) -> {naive / indexed:.0f}x")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.gpkg"
        init_store(path, from_sample=True, sample=config.sample_dir())
        store = open_store(path, create=False)
        t = time.perf_counter()
        for _ in range(5):
            bank_table(store)
        base = (time.perf_counter() - t) / 5
        t = time.perf_counter()
        for _ in range(5):
            public_register(store)
        reg = (time.perf_counter() - t) / 5
        print(f"sample bank: bank_table {base * 1000:.0f} ms, public_register {reg * 1000:.0f} ms -> "
              f"{reg / base:.1f}x the bank table")


if __name__ == "__main__":
    main()
