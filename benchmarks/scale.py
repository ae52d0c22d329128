"""Reading a multi-band stack: one read per file and window (``open_cube`` now) against one
read per band (the reader before), for GDAL's default pixel-interleaved layout and a
band-interleaved copy, in one run.

Data: one int16 GeoTIFF of ``--dates`` bands (a date per band) of ``--size`` × ``--size``
pixels, tiled 256 × 256, DEFLATE, written twice (INTERLEAVE=PIXEL and INTERLEAVE=BAND) under
benchmarks/out/ (git-ignored). Timed: every value of the cube computed (a sum over it) with
dask's threaded scheduler, from opening the file.

Printed: seconds per layout and reader, the ratio pixel ÷ band interleaved (aim ≤ 1.5 with the
one-read path) and the speed-up of one read per file over one read per band.

    python benchmarks/scale.py [--dates 48 --size 2048]

Then one new date (the stack's last band written as its own file, as a new scene arrives) for
``--sites`` random polygons (10–40 px squares, in the raster's CRS):
zonal means with the pixel map built, against the pixel map kept on disk and reused
(``kept_pixel_map``; aim ≥ 5×).

Then (``--cluster``) the zonal means of ``--sites`` sites on every date of the pixel- and the
band-interleaved stack, from opening the files: local threaded scheduler (the baseline) against
a LocalCluster of 2 worker processes, and against 2 separate worker processes each with a
memory limit below the stack's decoded size (``--memory-limit``); wall time, peak memory (RSS)
per worker, and the read amplification of the same ingest planned as a run (bytes of the chunks
the tasks read ÷ bytes of the sites' pixels). Last, a paper projection of the national case from
the measured per-site-date cost (stated as such: nothing national was run).

Not measured here: a killed worker and ``--resume`` (tests/monitoring/test_cluster.py proves no
task lost and no duplicate row), store writes.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import dask
import dask.array as da
import geopandas as gpd
import numpy as np
import rasterio
import shapely
from rasterio.transform import from_origin

from restoration.monitoring import open_cube
from restoration.monitoring.cube import _read_block
from restoration.monitoring.pixelcache import keep_pixel_map, kept_path, kept_pixel_map

OUT = Path(__file__).resolve().parent / "out"


def _write(path: Path, dates: int, size: int, interleave: str) -> None:
    if path.exists():
        return
    rng = np.random.default_rng(1)
    profile = dict(driver="GTiff", width=size, height=size, count=dates, dtype="int16",
                   crs="EPSG:32649", transform=from_origin(500000, 3300000, 10, 10), nodata=-32768,
                   interleave=interleave, tiled=True, blockxsize=256, blockysize=256, compress="deflate")
    base = rng.integers(1000, 8000, size=(size, size), dtype="int16")
    with rasterio.open(path, "w", **profile) as dst:
        for b in range(1, dates + 1):
            dst.write(base + np.int16(b * 10), b)
            dst.update_tags(b, DATE=f"{2015 + (b - 1) // 12}-{(b - 1) % 12 + 1:02d}-15")
        dst.scales = (1e-4,) * dates


def _one_read_per_band(path: Path, chunk: int):
    """The reader before: one task per band and window."""
    cube = open_cube(path, chunks=chunk)
    with rasterio.open(path) as src:
        nodata, scales = src.nodata, src.scales
    ny, nx = cube.shape[1:]
    rows = []
    for b in range(1, cube.shape[0] + 1):
        row = []
        for r0 in range(0, ny, chunk):
            col = []
            for c0 in range(0, nx, chunk):
                h, w = min(chunk, ny - r0), min(chunk, nx - c0)
                d = dask.delayed(_read_block)(str(path), b, (r0, c0, h, w), scales[b - 1], 0.0, nodata,
                                              "float32")
                col.append(da.from_delayed(d, shape=(1, h, w), dtype="float32"))
            row.append(col)
        rows.append(row)
    return da.block(rows)


def _timed(fn) -> tuple[float, float]:
    t0 = time.perf_counter()
    total = float(fn())
    return time.perf_counter() - t0, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dates", type=int, default=48)
    parser.add_argument("--size", type=int, default=2048)
    parser.add_argument("--chunk", type=int, default=1024)
    parser.add_argument("--sites", type=int, default=100_000)
    parser.add_argument("--cluster", action="store_true", help="also the cluster runs")
    parser.add_argument("--memory-limit", default="350MiB", help="per worker, for the limited cluster")
    parser.add_argument("--cluster-layouts", default="band,pixel", help="layouts of the cluster runs")
    parser.add_argument("--skip-local", action="store_true", help="only the cluster runs")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    paths = {k: OUT / f"scale_{k}_{args.dates}_{args.size}.tif" for k in ("pixel", "band")}
    for k, p in paths.items():
        _write(p, args.dates, args.size, k)
    if args.skip_local:
        from _scale_cluster import cluster_runs
        cluster_runs({k: paths[k] for k in args.cluster_layouts.split(",")}, args)
        return
    print(f"data: {args.dates} bands of {args.size}×{args.size} int16 px, chunks {args.chunk}")
    res = {}
    for k, p in paths.items():
        res[(k, "one read per file")] = _timed(lambda: open_cube(p, chunks=args.chunk).data.sum().compute())
        res[(k, "one read per band")] = _timed(lambda: _one_read_per_band(p, args.chunk).sum().compute())
    sums = {round(v[1], 1) for v in res.values()}
    assert len(sums) == 1, f"the readers disagree: {res}"
    for (k, reader), (s, _) in res.items():
        print(f"{k:>5}-interleaved, {reader}: {s:7.2f} s")
    new = res[("pixel", "one read per file")][0] / res[("band", "one read per file")][0]
    old = res[("pixel", "one read per band")][0] / res[("band", "one read per band")][0]
    print(f"pixel ÷ band interleaved: one read per file {new:.2f}× (aim ≤ 1.5), one read per band {old:.2f}×")
    print(f"pixel-interleaved speed-up of one read per file: "
          f"{res[('pixel', 'one read per band')][0] / res[('pixel', 'one read per file')][0]:.1f}×")

    _new_date(paths["pixel"], args.sites)
    if args.cluster:
        from _scale_cluster import cluster_runs
        cluster_runs({k: paths[k] for k in args.cluster_layouts.split(",")}, args)


def _new_date(path: Path, n: int) -> None:
    import shutil

    from restoration.monitoring import zonal_timeseries
    # the newest date arrives as its own file (a new scene): one band written out of the stack,
    # so the timing is the map's, not the decoding of every band of a pixel-interleaved stack
    single = path.with_name(path.stem + "_newest.tif")
    if not single.exists():
        with rasterio.open(path) as src:
            profile = {**src.profile, "count": 1, "interleave": "band"}
            band, tags, scale = src.read(src.count), src.tags(src.count), src.scales[-1]
        with rasterio.open(single, "w", **profile) as dst:
            dst.write(band, 1)
            dst.update_tags(1, **tags)
            dst.scales = (scale,)
    cube = open_cube(single)
    t = cube.rio.transform()
    ny, nx = cube.shape[1:]
    rng = np.random.default_rng(3)
    side = rng.uniform(10, 40, n)
    c0, r0 = rng.uniform(0, nx - 40, n), rng.uniform(0, ny - 40, n)
    boxes = shapely.box(t.c + c0 * t.a, t.f + (r0 + side) * t.e, t.c + (c0 + side) * t.a, t.f + r0 * t.e)
    sites = gpd.GeoDataFrame({"site_id": [f"S{i:06d}" for i in range(n)]}, geometry=boxes, crs=cube.rio.crs)
    keep = OUT / "scale_pixelmaps"
    shutil.rmtree(keep, ignore_errors=True)
    # an earlier ingest built the map, reduced its dates and kept both (as ingest_raster does)
    pm, _ = kept_pixel_map(cube, sites, "center", keep, keep=False)
    zonal_timeseries(cube, sites, ("mean",), weights=pm)
    keep_pixel_map(pm, kept_path(cube, sites, "center", keep))

    def built():
        return zonal_timeseries(cube, sites, ("mean",))

    def reused():
        pm, was_built = kept_pixel_map(cube, sites, "center", keep)
        assert not was_built
        return zonal_timeseries(cube, sites, ("mean",), weights=pm)

    t_built, a = _timed_frame(built)
    t_kept, b = _timed_frame(reused)
    assert np.allclose(a["mean"], b["mean"], equal_nan=True)
    print(f"one new date, {n} sites: pixel map built {t_built:.2f} s, kept map reused {t_kept:.2f} s "
          f"({t_built / t_kept:.1f}×, aim ≥ 5)")


def _timed_frame(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


if __name__ == "__main__":
    main()
