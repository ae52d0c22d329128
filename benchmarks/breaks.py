"""Disturbance dating (``monitor breaks``): per-pixel segmentation against the plain read floor, in
one run, with its accuracy on the injected truth and its memory on growing stacks.

Data (written once under benchmarks/out/breaks-<size>/, git-ignored): ``--years`` annual NDVI
composites (float32 GeoTIFFs, 30 m, EPSG:32649, tiled) over a ``--size``² pixel region: a smooth
level, Gaussian noise, one offset per year shared by all pixels, 10 % clouds (NaN), and
rectangular disturbed patches (a loss in a known year recovering linearly) covering about a
third of the region; the truth (break year per pixel) is kept beside them.

Timed, each best of ``--repeat``:

* **floor** — read every composite block by block with rasterio and reduce it (a NaN-mean over
  the years): what any per-pixel method must at least do;
* **ours** — ``open_cube`` → ``annual_composite`` → ``break_raster`` → computed (dask blocks of
  ``--chunks``², the time axis whole), i.e. the CLI's pixel path;
* **sites** — ``site_breaks`` for ``--sites`` sites on a lattice (zonal means + one vectorised
  segmentation of all sites).

Printed: seconds, the ratio to the floor, seconds per million pixel-years; accuracy (share of
disturbed pixels dated within ±1 year, false breaks on stable pixels); the peak RSS of the pixel
path in a subprocess for each size of ``--memory-sizes`` against the stack's size in memory —
flat when the blocks stream.

    python benchmarks/breaks.py [--size 3000 --years 24 --sites 10000 --chunks 512 --repeat 1]
    python benchmarks/breaks.py --memory-only --memory-sizes 1000 --blocks 512,256
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
RES, X0, Y0 = 30.0, 300000.0, 2700000.0


def generate(size: int, years: int, seed: int = 1) -> Path:
    import rasterio
    from affine import Affine
    folder = OUT / f"breaks-{size}-{years}"
    if (folder / "truth.npy").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    yrs = np.arange(2000, 2000 + years)
    rr, cc = np.mgrid[0:size, 0:size].astype("float32")
    level = (0.5 + 0.25 * rr / size + 0.05 * np.sin(cc / 40)).astype("float32")
    truth = np.full((size, size), np.nan, dtype="float32")
    mag = np.zeros((size, size), dtype="float32")
    rate = np.zeros((size, size), dtype="float32")
    for _ in range(int(size * size * 0.33 / 2500)):  # patches of ~50 × 50 px on average
        h, w = rng.integers(20, 80, 2)
        r0, c0 = rng.integers(0, size - h), rng.integers(0, size - w)
        truth[r0:r0 + h, c0:c0 + w] = yrs[rng.integers(3, years - 3)]
        mag[r0:r0 + h, c0:c0 + w] = rng.uniform(0.15, 0.4)
        rate[r0:r0 + h, c0:c0 + w] = rng.uniform(0.005, 0.03)
    profile = dict(driver="GTiff", width=size, height=size, count=1, dtype="float32", crs="EPSG:32649",
                   transform=Affine(RES, 0, X0, 0, -RES, Y0), nodata=np.nan, tiled=True, blockxsize=512,
                   blockysize=512, compress="deflate", predictor=3)
    for y in yrs:
        since = np.where(np.isfinite(truth) & (y >= truth), y - truth, -1)
        loss = np.where(since >= 0, np.maximum(mag - rate * since, 0), 0)
        band = level - loss + rng.normal(0, 0.03, (size, size)).astype("float32") + rng.normal(0, 0.015)
        band[rng.random((size, size)) < 0.10] = np.nan
        with rasterio.open(folder / f"ndvi_{y}0701.tif", "w", **profile) as dst:
            dst.write(band.astype("float32"), 1)
    np.save(folder / "truth.npy", truth)
    return folder


def floor(folder: Path) -> float:
    import rasterio
    t0 = time.perf_counter()
    acc = None
    for f in sorted(folder.glob("ndvi_*.tif")):
        with rasterio.open(f) as src:
            for _, win in src.block_windows(1):
                a = src.read(1, window=win)
                s = float(np.nansum(a))
                acc = s if acc is None else acc + s
    return time.perf_counter() - t0


PATTERN = r"ndvi_(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})"


def ours(folder: Path, chunks: int, block: int | None = None):
    from restoration.monitoring import annual_composite, open_cube
    from restoration.monitoring.breaks import BLOCK_PX, break_raster
    t0 = time.perf_counter()
    cube = open_cube(str(folder / "ndvi_*.tif"), date_pattern=PATTERN, chunks=chunks)
    out = break_raster(annual_composite(cube), block=block or BLOCK_PX).compute()
    return time.perf_counter() - t0, out


def sites(folder: Path, n: int, size: int, chunks: int) -> float:
    import geopandas as gpd
    import shapely
    from restoration.monitoring import annual_composite, open_cube
    from restoration.monitoring.breaks import site_breaks
    k = int(np.sqrt(n))
    step = size * RES / k
    boxes = [shapely.box(X0 + i * step + 5, Y0 - (j + 1) * step + 5, X0 + (i + 1) * step - 5, Y0 - j * step - 5)
             for j in range(k) for i in range(k)]
    frame = gpd.GeoDataFrame({"site_id": [f"S{i:05d}" for i in range(len(boxes))]}, geometry=boxes, crs=32649)
    t0 = time.perf_counter()
    comp = annual_composite(open_cube(str(folder / "ndvi_*.tif"), date_pattern=PATTERN, chunks=chunks))
    found = site_breaks(comp, frame, "ndvi")
    assert len(found) == len(boxes)
    return time.perf_counter() - t0


def peak_rss(folder: Path, chunks: int, block: int | None = None) -> float:
    code = (f"import sys; sys.path.insert(0, {str(REPO)!r}); import resource; "
            f"from benchmarks.breaks import ours; from pathlib import Path; "
            f"ours(Path({str(folder)!r}), {chunks}, {block}); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=3000)
    ap.add_argument("--years", type=int, default=24)
    ap.add_argument("--sites", type=int, default=10000)
    ap.add_argument("--chunks", type=int, default=512)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--memory-sizes", default="1000,2000", help="stack sizes of the RSS check (comma-separated)")
    ap.add_argument("--blocks", default="512,256",
                    help="segmentation blocks of the RSS check, px (the first is the baseline; comma-separated)")
    ap.add_argument("--memory-only", action="store_true", help="only the RSS check")
    a = ap.parse_args()
    if a.memory_only:
        memory(a)
        return
    folder = generate(a.size, a.years)
    f = min(floor(folder) for _ in range(a.repeat))
    runs = [ours(folder, a.chunks) for _ in range(a.repeat)]
    o, result = min(runs, key=lambda r: r[0])
    px_years = a.size * a.size * a.years / 1e6
    truth = np.load(folder / "truth.npy")
    b = result["break_year"].values
    dist = np.isfinite(truth)
    dated = float(np.mean(np.abs(b[dist] - truth[dist]) <= 1))
    false = float(np.mean(np.isfinite(b[~dist])))
    s = sites(folder, a.sites, a.size, a.chunks)
    print(f"stack {a.size}² px × {a.years} years ({px_years:,.0f} M pixel-years, "
          f"{a.size * a.size * a.years * 4 / 2**30:.2f} GiB float32), chunks {a.chunks}²")
    print(f"floor (rasterio block read + reduce)  {f:8.2f} s")
    print(f"ours  (open → composite → breaks)     {o:8.2f} s   ratio {o / f:5.1f}×   "
          f"{o / px_years:.3f} s per M pixel-years")
    print(f"sites ({a.sites:,} sites, zonal + segment) {s:8.2f} s")
    print(f"accuracy: disturbed pixels dated ±1 year {dated:.1%}; false breaks on stable pixels {false:.1%}")
    rows = memory(a)
    print(json.dumps({"floor_s": f, "ours_s": o, "ratio": o / f, "sites_s": s, "dated": dated, "false": false,
                      "memory": rows}))


def memory(a) -> list:
    """Peak RSS of the pixel path per stack size and segmentation block, against the first block."""
    rows = []
    blocks = [int(v) for v in a.blocks.split(",") if v]
    for size in [int(v) for v in a.memory_sizes.split(",") if v]:
        fold = generate(size, a.years)
        stack = size * size * a.years * 4 / 2**20
        base = None
        for block in blocks:
            t0 = time.perf_counter()
            rss = peak_rss(fold, a.chunks, block)
            base = base or rss
            rows.append((size, block, stack, rss))
            print(f"memory: {size}² stack {stack:6.0f} MiB, input chunks {a.chunks}², block {block}² → peak RSS "
                  f"{rss:7.0f} MiB ({rss / stack:.2f}× the stack; {rss / base:.2f}× block {blocks[0]}²) "
                  f"in {time.perf_counter() - t0:.0f} s")
    return rows


if __name__ == "__main__":
    main()
