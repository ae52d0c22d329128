"""The cluster part of benchmarks/scale.py: local threads vs a LocalCluster of 2 worker
processes vs 2 worker processes with a memory limit below the stack size; then a paper
projection of the national case from the measured cost (nothing national is run)."""
from __future__ import annotations

import resource
import time

import geopandas as gpd
import numpy as np
import shapely

from restoration.monitoring import open_cube, pixel_map, zonal_timeseries
from restoration.monitoring.tiles import site_tiles, spatial_chunks, window_of, window_weights


def _sites(cube, n: int) -> gpd.GeoDataFrame:
    t = cube.rio.transform()
    ny, nx = cube.shape[1:]
    rng = np.random.default_rng(3)
    side = rng.uniform(10, 40, n)
    c0, r0 = rng.uniform(0, nx - 40, n), rng.uniform(0, ny - 40, n)
    boxes = shapely.box(t.c + c0 * t.a, t.f + (r0 + side) * t.e, t.c + (c0 + side) * t.a, t.f + r0 * t.e)
    return gpd.GeoDataFrame({"site_id": [f"S{i:06d}" for i in range(n)]}, geometry=boxes, crs=cube.rio.crs)


def _peak_rss_mb() -> float:
    """Peak resident memory of this process [MB] (VmHWM: reset by exec, so a worker's own)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _amplification(cube, sites, period: int = 12) -> float:
    """Bytes read ÷ bytes used of the run the ingest would plan (tiles × periods)."""
    pm = pixel_map(cube, sites, "center")
    ych, xch = spatial_chunks(cube)
    tiles = site_tiles(pm, ych, xch)
    yb, xb = np.r_[0, np.cumsum(ych)], np.r_[0, np.cumsum(xch)]
    read_chunks, used = set(), 0
    for tile in np.unique(tiles[tiles >= 0]):
        rows = np.flatnonzero(tiles == tile)
        r0, c0, h, w = window_of(pm, rows)
        used += np.unique(window_weights(pm, rows, (r0, c0, h, w)).indices).size
        for j in range(np.searchsorted(yb, r0, "right") - 1, np.searchsorted(yb, r0 + h, "left")):
            for k in range(np.searchsorted(xb, c0, "right") - 1, np.searchsorted(xb, c0 + w, "left")):
                read_chunks.add((j, k))
    read = sum(ych[j] * xch[k] for j, k in read_chunks)  # per date, every period alike
    return read / used


def cluster_runs(paths: dict, args) -> None:
    from distributed import Client, LocalCluster
    n = args.sites
    print(f"\ncluster runs: zonal means of {n} sites on every date, from opening the files")
    setups = [("local threads", None), ("LocalCluster 2 workers", {}),
              (f"2 worker processes, {args.memory_limit} each", {"memory_limit": args.memory_limit})]
    for kind, path in paths.items():
        cube = open_cube(path, chunks=args.chunk)
        stack_mb = cube.size * 4 / 2**20
        sites = _sites(cube, n)
        base = None
        for name, opts in setups:
            if opts is None:
                t0 = time.perf_counter()
                table = zonal_timeseries(open_cube(path, chunks=args.chunk), sites, ("mean",))
                secs, peak = time.perf_counter() - t0, [_peak_rss_mb()]
                want = table["mean"].to_numpy()
            else:
                with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  **({"memory_limit": "4GiB"} | opts)) as lc, Client(lc) as client:
                    t0 = time.perf_counter()
                    table = zonal_timeseries(open_cube(path, chunks=args.chunk), sites, ("mean",))
                    secs = time.perf_counter() - t0
                    peak = list(client.run(_peak_rss_mb).values())
                assert np.allclose(table["mean"].to_numpy(), want, equal_nan=True, rtol=1e-6)
            base = base or secs
            print(f"  {kind:>5}-interleaved, {name:<34}: {secs:7.2f} s ({secs / base:.2f}× local), "
                  f"peak RSS per process {', '.join(f'{p:.0f}' for p in peak)} MB (stack {stack_mb:.0f} MB decoded)")
        amp = _amplification(cube, sites)
        print(f"  {kind:>5}-interleaved: read amplification of the run (chunks {args.chunk}): {amp:.2f}")
    per = base / (n * cube.sizes["time"])
    _projection(per)


def _projection(per_site_date: float) -> None:
    """Paper projection: the national case from the measured cost per site and date."""
    sites, dates = 300_000, 730  # every restoration site; Sentinel-2 every 5 days for 10 years
    worker_h = per_site_date * sites * dates / 3600
    print(f"\nPAPER PROJECTION (not run): {sites:,} sites × {dates} dates at the measured "
          f"{per_site_date * 1e6:.2f} µs per site-date (local threads, this machine) ≈ {worker_h:,.1f} machine-hours "
          f"of reduction; on 100 such machines ≈ {worker_h / 100 * 60:,.0f} min, before reading tens of TB "
          "(the read, not the reduction, then bounds the wall time: at 200 MB/s per worker, 30 TB on 100 workers ≈ "
          f"{30e12 / (200e6 * 100) / 60:,.0f} min)")
