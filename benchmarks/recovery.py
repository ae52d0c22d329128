"""Recovery metrics from satellite composites: ours against ``spectral-recovery`` on the same data,
in one run.

Data (written once under benchmarks/out/, git-ignored): 20 annual Landsat Collection 2 style
composites (2002–2021; six uint16 surface-reflectance bands, DN = (ρ + 0.2) / 2.75e-5, plus a
QA_PIXEL file per year with clouds, shadows and snow), a fire in 2006 and a recovery from 2008,
and 10,000 sites (irregular quadrilaterals on a 100 × 100 lattice covering the grid).

Timed:

* **ours**, from opening the files to the results: scale/offset, QA mask (cloud, shadow, snow),
  NBR and NDVI, zonal means and valid fractions of every site and year (one pixel map reused),
  the five metrics of every site (polygon scale, vectorised over sites), and the five metrics of
  every pixel of the stack (streamed in row strips) — more work than spectral-recovery does;
* **spectral-recovery 1.0.1** (in its own virtualenv, /work/venv-sr, through a subprocess — its
  pins stay out of the project's environment): the same scaling and mask with xarray, its
  ``compute_indices`` for NBR and NDVI, then per site, as it works, ``targets.historic.median``
  and ``compute_metrics`` (both clip the stack to the polygon) on ``--sr-sites`` sites; its
  per-site time is extrapolated to all sites.

Memory: ours runs in a subprocess per stack size with dask chunks; its peak RSS is printed
against the stack's size in memory (float32 reflectance + QA).

    python benchmarks/recovery.py [--sites 10000 --size 1000 --sizes 1000,2000 --sr-sites 40 --chunks 512]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "out"
YEARS = list(range(2002, 2022))
BANDS = ("blue", "green", "red", "nir", "swir16", "swir22")
SR_PYTHON = os.environ.get("SPECTRAL_RECOVERY_PYTHON", "/work/venv-sr/bin/python")


def _data(size: int, sites: int) -> Path:
    """Write the composites and sites for a ``size`` × ``size`` grid (cached)."""
    import geopandas as gpd
    import rasterio
    import shapely
    from rasterio.transform import from_origin
    folder = OUT / f"recovery_{size}_{sites}"
    if (folder / "sites.gpkg").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(15)
    transform = from_origin(500_000.0, 2_600_000.0, 30.0, 30.0)
    profile = {"driver": "GTiff", "dtype": "uint16", "width": size, "height": size, "crs": "EPSG:32649",
               "transform": transform, "tiled": True, "blockxsize": 256, "blockysize": 256, "compress": "deflate",
               "predictor": 2}
    yy, xx = np.mgrid[0:size, 0:size]
    pre = 0.32 + 0.05 * np.sin(xx / 37.0) * np.cos(yy / 53.0)  # nir
    burn = 0.6 + 0.4 * rng.random((size, size))  # severity
    rate = 0.04 + 0.05 * rng.random((size, size))  # recovery speed
    for y in YEARS:
        if y < 2006:
            loss = 0.0
        else:
            loss = burn * np.exp(-rate * max(0, y - 2008))
        nir = pre * (1 - 0.55 * loss) + rng.normal(0, 0.01, (size, size))
        red = 0.05 + 0.06 * loss + rng.normal(0, 0.005, (size, size))
        swir22 = 0.10 + 0.12 * loss + rng.normal(0, 0.005, (size, size))
        refl = {"blue": 0.03 + 0.3 * red, "green": 0.05 + 0.2 * nir, "red": red, "nir": nir,
                "swir16": 0.15 + 0.6 * swir22, "swir22": swir22}
        with rasterio.open(folder / f"bap_{y}-07-01.tif", "w", count=6, nodata=0, **profile) as dst:
            for i, b in enumerate(BANDS, start=1):
                dst.write(np.clip((refl[b] + 0.2) / 2.75e-5, 1, 65535).astype("uint16"), i)
        qa = np.full((size, size), 1 << 6, dtype="uint16")
        for _ in range(size // 100):  # cloud blobs with their shadow, a little snow
            r, c, h = rng.integers(0, size, 2).tolist() + [int(rng.integers(10, 60))]
            qa[r:r + h, c:c + h] = (1 << 3) | (1 << 1)
            qa[r + h:r + 2 * h, c + h // 2:c + h // 2 + h] = 1 << 4
        qa[rng.random((size, size)) < 0.002] = 1 << 5
        with rasterio.open(folder / f"bap_{y}-07-01_qa_pixel.tif", "w", count=1, **profile) as dst:
            dst.write(qa, 1)
    n = int(round(np.sqrt(sites)))
    cell = size * 30.0 / n
    jitter = rng.uniform(0.05, 0.25, (n * n, 4, 2)) * cell
    geoms = []
    for k in range(n * n):
        i, j = divmod(k, n)
        x0, y0 = 500_000.0 + j * cell, 2_600_000.0 - (i + 1) * cell
        corners = [(x0, y0), (x0 + cell, y0), (x0 + cell, y0 + cell), (x0, y0 + cell)]
        sign = [(1, 1), (-1, 1), (-1, -1), (1, -1)]
        geoms.append(shapely.Polygon([(cx + sx * jitter[k, q, 0], cy + sy * jitter[k, q, 1])
                                      for q, ((cx, cy), (sx, sy)) in enumerate(zip(corners, sign))]))
    gpd.GeoDataFrame({"site_id": [f"R{k:05d}" for k in range(n * n)]}, geometry=geoms,
                     crs="EPSG:32649").to_file(folder / "sites.gpkg")
    return folder


def ours(folder: Path, chunks: int) -> dict:
    """Our whole pipeline on ``folder``; returns timings, results summary and peak RSS."""
    import geopandas as gpd
    import pandas as pd
    from restoration.monitoring import index_cube, open_scenes, pixel_map, recovery_metrics, zonal_timeseries
    from restoration.monitoring.recovery import historic_target
    sites = gpd.read_file(folder / "sites.gpkg")
    t0 = time.perf_counter()
    ds = open_scenes(sorted(folder.glob("bap_*.tif")), bands=",".join(BANDS) + ",qa_pixel",
                     sensor="landsat-c2l2", chunks=chunks)
    mask = ("cloud", "shadow", "snow")
    cubes = {name: index_cube(ds, name, mask=mask) for name in ("NBR", "NDVI")}
    pm = pixel_map(cubes["NBR"], sites)
    site_metrics, valid = {}, None
    for name, cube in cubes.items():
        table = zonal_timeseries(cube, sites, ("mean", "valid_fraction"), weights=pm)
        wide = table.pivot(index="site_id", columns="time", values="mean")
        years = pd.DatetimeIndex(wide.columns).year.to_numpy()
        vals = wide.to_numpy()
        target = historic_target(vals, years, (2002, 2005), scale="pixel")  # per site
        site_metrics[name] = recovery_metrics(vals, years, disturbance_year=2006, restoration_year=2008,
                                              target=target)
        valid = table["valid_fraction"].mean()
    t_sites = time.perf_counter() - t0
    # every pixel of the stack, streamed in strips of rows
    nbr = cubes["NBR"]
    years = nbr["time"].dt.year.values
    ny = nbr.sizes["y"]
    pixel_out = {k: np.empty((ny, nbr.sizes["x"]), dtype="float32") for k in ("Y2R", "R80P", "RRI", "YrYr", "dIR")}
    rows = max(1, chunks * chunks // nbr.sizes["x"])  # strips of a fixed pixel count: memory bounded
    for r0 in range(0, ny, rows):
        strip = np.moveaxis(nbr.isel(y=slice(r0, r0 + rows)).values.astype("float64"), 0, -1)
        target = historic_target(strip, years, (2002, 2005), scale="pixel")
        m = recovery_metrics(strip, years, disturbance_year=2006, restoration_year=2008, target=target)
        for k in pixel_out:
            pixel_out[k][r0:r0 + rows] = m[k]
    t_all = time.perf_counter() - t0
    nbr_m = site_metrics["NBR"]
    return {"seconds_sites": t_sites, "seconds_total": t_all, "sites": len(sites),
            "site_median_R80P": float(np.nanmedian(nbr_m["R80P"])), "site_median_dIR": float(np.nanmedian(nbr_m["dIR"])),
            "pixel_median_R80P": float(np.nanmedian(pixel_out["R80P"])),
            "mean_valid_fraction": float(valid),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _stack_mb(size: int) -> float:
    return size * size * len(YEARS) * (len(BANDS) * 4 + 4) / 2**20


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sites", type=int, default=10_000)
    ap.add_argument("--size", type=int, default=1000, help="grid size of the timed comparison [px]")
    ap.add_argument("--sizes", default="1000,2000", help="grid sizes of the memory runs [px]")
    ap.add_argument("--sr-sites", type=int, default=40, help="sites timed with spectral-recovery (extrapolated)")
    ap.add_argument("--chunks", type=int, default=512)
    ap.add_argument("--memory-only", action="store_true", help="only our runs and the memory table")
    ap.add_argument("--ours-only", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.ours_only:
        print(json.dumps(ours(Path(args.ours_only), args.chunks)))
        return
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    runs = {}
    for size in sorted({args.size, *(int(s) for s in args.sizes.split(",") if s)}):
        folder = _data(size, args.sites)
        # a warm-up run on the first size so imports and thread pools are not timed
        if not runs:
            subprocess.run([sys.executable, __file__, "--ours-only", str(folder), "--chunks", str(args.chunks)],
                           env=env, check=True, capture_output=True)
        proc = subprocess.run([sys.executable, __file__, "--ours-only", str(folder), "--chunks", str(args.chunks)],
                              env=env, check=True, capture_output=True, text=True)
        runs[size] = json.loads(proc.stdout.strip().splitlines()[-1])
    if args.memory_only:
        _memory_table(runs, args.chunks)
        return
    folder = _data(args.size, args.sites)
    sr = subprocess.run([SR_PYTHON, str(Path(__file__).with_name("_recovery_sr.py")), str(folder), str(args.sr_sites)],
                        check=True, capture_output=True, text=True)
    theirs = json.loads(sr.stdout.strip().splitlines()[-1])
    mine = runs[args.size]
    sr_total = theirs["index_seconds"] + theirs["per_site_seconds"] * args.sites
    print(f"{args.sites:,} sites × {len(YEARS)} annual composites × {len(BANDS)} bands (+QA), "
          f"{args.size} × {args.size} px; NBR and NDVI; five metrics")
    print(f"{'method':58s} {'time (s)':>10s} {'ratio':>8s}")
    print(f"{'ours: mask, indices, zonal means, site metrics':58s} {mine['seconds_sites']:10.2f} {'1.0×':>8s}")
    print(f"{'ours: + per-pixel metrics of the whole stack':58s} {mine['seconds_total']:10.2f}")
    print(f"{'spectral-recovery: indices (whole stack)':58s} {theirs['index_seconds']:10.2f}")
    print(f"{'spectral-recovery: per site (measured on %d sites)' % theirs['sites']:58s} "
          f"{theirs['per_site_seconds']:10.4f}")
    print(f"{'spectral-recovery: all sites (extrapolated)':58s} {sr_total:10.1f} "
          f"{sr_total / mine['seconds_sites']:7.0f}×")
    print(f"ratio counting our per-pixel pass too: {sr_total / mine['seconds_total']:.0f}× (aim ≥ 20×)")
    print(f"ours: median site R80P (NBR) {mine['site_median_R80P']:.3f}, dIR {mine['site_median_dIR']:.3f}; "
          f"mean valid-pixel fraction {mine['mean_valid_fraction']:.3f}")
    print(f"spectral-recovery sample (median per-pixel NBR metrics of 3 sites): {theirs['sample']}")
    _memory_table(runs, args.chunks)


def _memory_table(runs: dict, chunks: int) -> None:
    print("\nmemory (ours, dask chunks of %d px):" % chunks)
    print(f"{'grid':>10s} {'stack in memory (MB)':>22s} {'peak RSS (MB)':>15s} {'sites (s)':>10s} {'total (s)':>10s}")
    for size, r in sorted(runs.items()):
        print(f"{size:>5d}²{'':4s} {_stack_mb(size):22.0f} {r['peak_rss_mb']:15.0f} {r['seconds_sites']:10.1f} "
              f"{r['seconds_total']:10.1f}")


if __name__ == "__main__":
    main()
