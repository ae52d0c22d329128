"""Import 10,000 generated sites into a fresh store; compare with a plain GDAL write.

Baseline: ``pyogrio.write_dataframe`` of the same GeoDataFrame into a new GeoPackage (GDAL's
writer, no validation, no reprojection, no area computation, no audit). Prints both times,
rows/s and the ratio. Aim: the validated, transactional import under 10 s on 2 cores.

    python benchmarks/import_sites.py [--sites 10000]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pyogrio

from restoration import import_file, open_store
from restoration.sample.build import DEFAULT_SEED, _Region, _region, _sites


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        rng = np.random.default_rng(DEFAULT_SEED)  # as build_sample: the region first, then the sites
        frame, _ = _sites(rng, args.sites, _Region(*_region(rng)))
        frame["case_id"] = None  # a site register without cases in this store
        src = tmp / "sites.gpkg"
        pyogrio.write_dataframe(frame.to_crs(4490), src, layer="sites")  # arrive in CGCS2000
        n = len(frame)

        t0 = time.perf_counter()
        pyogrio.write_dataframe(frame, tmp / "baseline.gpkg", layer="sites")
        baseline = time.perf_counter() - t0

        store = open_store(tmp / "data" / "platform.gpkg")
        t0 = time.perf_counter()
        report = import_file(store, "sites", src)
        ours = time.perf_counter() - t0
        assert report.rows == n == store.count("sites")

        # the same import with the R-tree filled row by row by its trigger (the writer before)
        from restoration.store import bulk_sites
        saved, bulk_sites.BULK_MIN_ROWS = bulk_sites.BULK_MIN_ROWS, 10**12
        try:
            store = open_store(tmp / "rowwise" / "platform.gpkg")
            t0 = time.perf_counter()
            import_file(store, "sites", src)
            rowwise = time.perf_counter() - t0
        finally:
            bulk_sites.BULK_MIN_ROWS = saved

    print(f"sites: {n}")
    print(f"restoration import (read, validate, reproject 4490->4326, area, store txn): "
          f"{ours:.2f} s, {n / ours:,.0f} rows/s")
    print(f"baseline pyogrio.write_dataframe to GeoPackage (write only): "
          f"{baseline:.2f} s, {n / baseline:,.0f} rows/s")
    print(f"the same import with the R-tree trigger per row (before): {rowwise:.2f} s "
          f"({rowwise / ours:.2f}x the bulk index)")
    print(f"ratio ours/baseline: {ours / baseline:.2f}x   target: under 10 s -> "
          f"{'met' if ours < 10 else 'NOT met'}")


if __name__ == "__main__":
    main()
