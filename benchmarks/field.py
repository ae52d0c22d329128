"""Field inspection round trip: importing a QField package against a plain copy + INSERT, and
exporting a region, in one run.

1. **Import**: a package of ``--inspections`` inspections (default 1,000) with ``--photos-per``
   photos each (default 2: 2,000 photos) of about ``--photo-mb`` MB (generated noise JPEGs with
   EXIF time and GPS, so nothing compresses them away) through ``restoration.field.import_package``
   — every photo checked from first to last byte (decoded), hashed, its EXIF compared with the site,
   stored in the store with its inspection record, one transaction — against the floor: a plain
   ``shutil.copy`` of the photo files and an ``executemany`` INSERT of the inspection rows into a
   bare SQLite table. Time, peak Python memory (``tracemalloc``) and the process's max RSS after each (the floor runs
   first), and the ratio.
2. **Export**: the package of a region with ``--sites`` sites (default 500) of one case.

Runs on the GeoPackage store (a temporary copy of the sample).

    python benchmarks/field.py [--inspections 1000] [--photos-per 2] [--photo-mb 2.5] [--sites 500]
"""
from __future__ import annotations

import argparse
import io
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from datetime import date, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pyogrio  # noqa: E402
import shapely  # noqa: E402
from PIL import Image  # noqa: E402

from restoration import access  # noqa: E402
from restoration.bootstrap import init_store  # noqa: E402
from restoration.field import export_package, import_package  # noqa: E402
from restoration.importer import import_file  # noqa: E402

CASE = "GX-2023-009"
DAY = date(2026, 11, 18)
TODAY = date(2026, 11, 20)


def _jpeg(rng, side: int, lon: float, lat: float) -> bytes:
    img = Image.fromarray(rng.integers(0, 255, (side, side, 3), dtype=np.uint8), "RGB")
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = datetime(2026, 11, 18, 10).strftime("%Y:%m:%d %H:%M:%S")
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (float(int(lat)), float(int((lat % 1) * 60)), 0.0),
                3: "E", 4: (float(int(lon)), float(int((lon % 1) * 60)), 0.0)})
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif, quality=92)
    return buf.getvalue()


def _side(mb: float) -> int:
    """The square size of a noise JPEG of about ``mb`` MB (≈ 0.9 bytes a pixel at quality 92)."""
    return int((mb * 1e6 / 2.7) ** 0.5 * 1.7)


def fill(pkg: Path, n: int, per: int, mb: float) -> tuple[list[dict], list[Path]]:
    sites = pyogrio.read_dataframe(pkg / "inspection.gpkg", layer="sites")
    rng = np.random.default_rng(27)
    rows, files, side = [], [], _side(mb)
    for i in range(n):
        site = sites.iloc[i % len(sites)]
        c = site.geometry.representative_point()
        rec = {"uuid": f"bench-{i:06d}", "case_id": CASE, "site_id": site["site_id"], "inspection_date": DAY.isoformat(),
               "inspector": "张巡查", "status": "normal", "vegetation_cover_pct": 50.0, "erosion": False,
               "waste": False, "findings": f"第 {i + 1} 次巡查", "photo_1": None, "photo_2": None, "photo_3": None}
        for k in range(per):
            rel = f"photos/{i:06d}_{k + 1}.jpg"
            (pkg / rel).write_bytes(_jpeg(rng, side, c.x, c.y))
            rec[f"photo_{k + 1}"] = rel
            files.append(pkg / rel)
        rows.append(rec)
    frame = gpd.GeoDataFrame(rows, geometry=[shapely.Point(0, 0)] * n, crs=4326)
    pyogrio.write_dataframe(frame, pkg / "inspection.gpkg", layer="inspections", append=True)
    return rows, files


def timed(fn):
    tracemalloc.start()
    t0 = time.perf_counter()
    out = fn()
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return out, seconds, peak / 1e6


def floor(rows: list[dict], files: list[Path], work: Path) -> None:
    """The plain write: copy the photos, INSERT the rows."""
    target = work / "copied"
    target.mkdir()
    for f in files:
        shutil.copy(f, target / f.name)
    con = sqlite3.connect(work / "plain.sqlite")
    cols = list(rows[0])
    con.execute(f"CREATE TABLE inspections ({', '.join(cols)})")
    con.executemany(f"INSERT INTO inspections VALUES ({', '.join('?' * len(cols))})",
                    [tuple(r[c] for c in cols) for r in rows])
    con.commit()
    con.close()


def region_sites(store, work: Path, n: int) -> None:
    counties = store.read("counties")
    area = counties.geometry.iloc[0]
    rng = np.random.default_rng(5)
    rows, geoms = [], []
    minx, miny, maxx, maxy = area.bounds
    while len(rows) < n:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        square = shapely.box(x, y, x + 0.003, y + 0.003)
        if area.contains(square):
            rows.append({"site_id": f"R{len(rows):04d}", "case_id": "GX-2022-010", "role": "damaged",
                         "ecosystem_type": "forest", "name": f"区域场地 {len(rows) + 1}"})
            geoms.append(square)
    path = work / "region_sites.geojson"
    gpd.GeoDataFrame(rows, geometry=geoms, crs=4326).to_file(path, driver="GeoJSON")
    import_file(store, "sites", path, allow_outside=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--inspections", type=int, default=1000)
    ap.add_argument("--photos-per", type=int, default=2)
    ap.add_argument("--photo-mb", type=float, default=2.5)
    ap.add_argument("--sites", type=int, default=500)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="field-bench-") as tmp:
        work = Path(tmp)
        store = init_store(work / "data" / "platform.gpkg", from_sample=True)
        admin = access.local_admin("bench")
        pkg = work / "pkg"
        export_package(store, [CASE], pkg, admin)
        t0 = time.perf_counter()
        rows, files = fill(pkg, args.inspections, args.photos_per, args.photo_mb)
        size = sum(f.stat().st_size for f in files) / 1e6
        print(f"package: {len(rows)} inspections, {len(files)} photos, {size:,.0f} MB "
              f"({size / len(files):.2f} MB a photo; generated in {time.perf_counter() - t0:.1f} s)")
        _, base_s, base_mb = timed(lambda: floor(rows, files, work))
        rss_floor = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3  # the max so far: after the floor
        report, imp_s, imp_mb = timed(lambda: import_package(store, pkg, admin, today=TODAY))
        assert report.new == len(rows) and report.photos == len(files)
        print(f"floor (copy + INSERT):     {base_s:8.2f} s   peak {base_mb:8.1f} MB (Python), process max RSS "
              f"{rss_floor:,.0f} MB")
        rss_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
        print(f"field import:              {imp_s:8.2f} s   peak {imp_mb:8.1f} MB (Python), process max RSS "
              f"{rss_import:,.0f} MB")
        print(f"ratio import / floor:      {imp_s / base_s:8.2f} x   ({size / imp_s:,.0f} MB/s)")
        _, again_s, _ = timed(lambda: import_package(store, pkg, admin, today=TODAY))
        print(f"same package again:        {again_s:8.2f} s   (nothing written)")
        region_sites(store, work, args.sites)
        done, exp_s, exp_mb = timed(lambda: export_package(store, ["GX-2022-010"], work / "region", admin))
        print(f"export of {done.sites} sites:      {exp_s:8.2f} s   peak {exp_mb:8.1f} MB")


if __name__ == "__main__":
    main()
