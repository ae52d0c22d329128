"""Zonal time series: ``restoration.monitoring.zonal_timeseries`` against exactextract and
rasterstats on the same data, in one run.

Data: the sample generator scaled up — 10,000 sites over a 2000 × 2000 pixel, 48-date NDVI
stack (int16 GeoTIFFs, scale 0.0001, clouds as nodata) — written once under benchmarks/out/
(git-ignored) by ``restoration sample build``'s function.

Compared (mean per site and date, polygons only):

* ours, centre rule (``method="center"``) and coverage rule (``method="coverage"``), timed from
  opening the files to the finished table (pixel map included);
* exactextract ``exact_extract(files, sites, ["mean"])`` with its faster ``raster-sequential``
  strategy on every date (and ``feature-sequential``, its default, on a few dates);
* rasterstats ``zonal_stats(sites, file, stats=["mean"])`` on a few dates (it takes about half a
  minute per date here), its throughput extrapolated.

Printed: time, site-dates per second, throughput ratio to ours, and the largest difference in
means — rasterstats vs our centre rule (aim ≤ 1e-6), exactextract vs our coverage rule on
polygons of 50+ pixels (aim within 1 %). Aim: at least 3× exactextract's throughput.

    python benchmarks/zonal.py [--sites 10000 --dates 48 --size 2000 --rasterstats-dates 2]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio

from restoration.monitoring import open_cube, zonal_timeseries
from restoration.sample.build import build_sample

OUT = Path(__file__).resolve().parent / "out"


def _data(sites: int, dates: int, size: int) -> Path:
    folder = OUT / f"zonal_{sites}_{dates}_{size}"
    if not (folder / "sites.geojson").exists() or len(list((folder / "ndvi").glob("*.tif"))) != dates:
        t0 = time.perf_counter()
        build_sample(folder, sites=sites, dates=dates, raster_size=size, progress=True)
        print(f"generated {folder} in {time.perf_counter() - t0:.1f} s")
    return folder


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sites", type=int, default=10_000)
    parser.add_argument("--dates", type=int, default=48)
    parser.add_argument("--size", type=int, default=2000)
    parser.add_argument("--rasterstats-dates", type=int, default=2)
    parser.add_argument("--ee-feature-dates", type=int, default=4,
                        help="dates for exactextract's default feature-sequential strategy")
    args = parser.parse_args()

    from exactextract import exact_extract
    from rasterstats import zonal_stats

    folder = _data(args.sites, args.dates, args.size)
    files = sorted((folder / "ndvi").glob("*.tif"))
    sites = gpd.read_file(folder / "sites.geojson")
    sites = sites[sites.geom_type.isin(["Polygon", "MultiPolygon"])][["site_id", "geometry"]].reset_index(drop=True)
    with rasterio.open(files[0]) as src:
        scale = src.scales[0]
    n, t = len(sites), len(files)
    print(f"data: {n} polygons, {t} dates of {args.size}×{args.size} px ({folder})")

    results = []

    def ours(method, stats=("mean",)):
        # timed runs compute the mean only, the same work asked of exactextract and rasterstats
        cube = open_cube(folder / "ndvi" / "*.tif")
        return zonal_timeseries(cube, sites, stats, method=method)

    # warm-up (imports, thread pools, file cache) on a small piece, so every timing below is steady
    zonal_timeseries(open_cube(files[:2]), sites.iloc[:200], ("mean",), method="coverage")
    zonal_timeseries(open_cube(files[:2]), sites.iloc[:200], ("mean",), method="center")
    center, t_center = _timed(lambda: ours("center"))
    results.append(("ours, centre rule", t, t_center))
    _, t_cov = _timed(lambda: ours("coverage"))
    results.append(("ours, coverage rule", t, t_cov))
    # untimed: pixel counts and cloud-free fractions, to compare means on cloud-free site-dates
    coverage = ours("coverage", ("mean", "count", "valid_fraction"))

    ee, t_ee = _timed(lambda: exact_extract([str(f) for f in files], sites, ["mean"], output="pandas",
                                            strategy="raster-sequential"))
    results.append(("exactextract raster-sequential", t, t_ee))
    k = min(args.ee_feature_dates, t)
    _, t_eef = _timed(lambda: exact_extract([str(f) for f in files[:k]], sites, ["mean"], output="pandas"))
    results.append(("exactextract feature-sequential (default)", k, t_eef))

    k_rs = min(args.rasterstats_dates, t)
    rs_means = []

    def run_rs():
        for f in files[:k_rs]:
            rs_means.append([np.nan if r["mean"] is None else r["mean"] * scale
                             for r in zonal_stats(sites.geometry, str(f), stats=["mean"])])

    _, t_rs = _timed(run_rs)
    results.append(("rasterstats", k_rs, t_rs))

    ours_rate = n * t / t_center
    print(f"\n{'method':44s} {'dates':>5s} {'time s':>9s} {'site-dates/s':>13s} {'ours(centre)/this':>18s}")
    for name, dates, secs in results:
        rate = n * dates / secs
        print(f"{name:44s} {dates:5d} {secs:9.2f} {rate:13,.0f} {ours_rate / rate:17.1f}x")

    # differences in means
    c = center.pivot(index="site_id", columns="time", values="mean").loc[sites["site_id"]].to_numpy()
    cv = coverage.pivot(index="site_id", columns="time", values="mean").loc[sites["site_id"]].to_numpy()
    vf = coverage.pivot(index="site_id", columns="time", values="valid_fraction").loc[sites["site_id"]].to_numpy()
    px = coverage.groupby("site_id")["count"].max().loc[sites["site_id"]].to_numpy()
    rs = np.array(rs_means).T  # sites × dates
    d_rs = np.nanmax(np.abs(rs - c[:, :k_rs]))
    only_ours = int((np.isnan(rs) & ~np.isnan(c[:, :k_rs])).sum())
    only_rs = int((~np.isnan(rs) & np.isnan(c[:, :k_rs])).sum())
    print(f"\nlargest |rasterstats − ours centre| mean: {d_rs:.2e}  (aim ≤ 1e-6: "
          f"{'met' if d_rs <= 1e-6 else 'NOT met'}); values only ours has: {only_ours} (polygons holding "
          f"no pixel centre get the pixel under them, flagged subpixel or thin), only rasterstats has: {only_rs}")
    ee_vals = ee[[f"{f.stem}_mean" for f in files]].to_numpy(float)
    # exactextract 0.3 applies the scale factor but keeps nodata pixels (as -32768) once a raster
    # is scaled (isciences/exactextract#138): compare where no pixel of the polygon is nodata
    clear = vf >= 1.0
    big = (px >= 50)[:, None] & clear
    rel = np.abs(ee_vals - cv) / np.abs(ee_vals)
    d_ee_big = np.nanmax(rel[big])
    d_ee_all = np.nanmax(np.abs(ee_vals - cv)[clear])
    polluted = int((~clear & (ee_vals < -1)).sum())
    print(f"largest relative |exactextract − ours coverage| mean, cloud-free site-dates of polygons ≥ 50 px "
          f"({int(big.sum()):,}): {d_ee_big:.2e}  (aim ≤ 1 %: {'met' if d_ee_big <= 0.01 else 'NOT met'}); "
          f"all cloud-free site-dates, absolute: {d_ee_all:.2e}")
    print(f"site-dates where exactextract averaged nodata (-32768) into the mean: {polluted:,} "
          "(ours leave those pixels out)")
    print(f"for scale: largest |coverage − centre| mean, cloud-free site-dates of polygons ≥ 50 px: "
          f"{np.nanmax(np.abs(cv - c)[big]):.4f}")
    ratio = ours_rate / (n * t / t_ee)
    print(f"\nthroughput ours (centre) / exactextract (its fastest strategy): {ratio:.1f}x  "
          f"(aim ≥ 3x: {'met' if ratio >= 3 else 'NOT met'}); coverage rule: "
          f"{(n * t / t_cov) / (n * t / t_ee):.1f}x")


if __name__ == "__main__":
    pd.set_option("display.width", 160)
    main()
