"""The two store backends on the same data: PostGIS (many users) against its floor and against
the GeoPackage.

In one run, on the same generated sites (the sample generator's shapes, sent in CGCS2000):

1. **Import 10,000 sites into PostGIS** through the platform (read, validate, reproject,
   areas, county/watershed join, transactional write with audit) against the floor: GDAL's
   PostgreSQL driver writing the same file into the same database with no checks at all —
   ``pyogrio.write_dataframe`` when pyogrio's GDAL has the driver, else Debian's ``ogr2ogr``
   (the same driver; the pyogrio wheel here is built without it). The store's raw write
   (``Transaction.insert`` of the validated frame) is shown too. Aim: import within 3× the floor.
2. **Overview read of 20,000 sites** (the layers the overview page reads: sites, cases,
   counties, watersheds) from PostGIS and from the GeoPackage, against ``pyogrio.read_dataframe``
   of the same layer from the GeoPackage. Aim: under 1 s.
3. **16 concurrent reservations** of one project (16 processes released together by a
   barrier) on PostGIS and on the GeoPackage: time until all have answered, and a check that
   the capacity was not oversold.

A temporary PostgreSQL cluster is started from Debian's packages (``restoration.store.pgtemp``)
and removed at the end. Prints times and ratios.

    python benchmarks/store_backends.py [--sites 10000]
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _reserve(location, barrier, project_id, case_id, amount, queue):
    from restoration.bank import reserve
    from restoration.errors import InsufficientCapacityError
    from restoration.store import open_store
    store = open_store(location, create=False)
    store.count("cases")  # connect before the start line
    barrier.wait()
    t0 = time.perf_counter()
    try:
        reserve(store, project_id, case_id, amount, actor="bench")
        outcome = "ok"
    except InsufficientCapacityError:
        outcome = "insufficient"
    queue.put((outcome, time.perf_counter() - t0, time.time()))


def _race(location, n=16, amount=1.0):
    from restoration.bank import project_balance
    from restoration.store import open_store
    store = open_store(location, create=False)
    before = project_balance(store, "BP12")
    ctx = mp.get_context("forkserver")  # children fork from one process that imported the platform
    ctx.set_forkserver_preload(["restoration.bank", "restoration.store.postgis"])
    barrier, queue = ctx.Barrier(n + 1), ctx.Queue()
    procs = [ctx.Process(target=_reserve, args=(location, barrier, "BP12", "GX-2023-008", amount, queue))
             for _ in range(n)]
    for p in procs:
        p.start()
    barrier.wait()
    start = time.time()
    results = [queue.get(timeout=600) for _ in procs]
    for p in procs:
        p.join()
    wall = max(r[2] for r in results) - start
    after = project_balance(store, "BP12")
    ok = sum(r[0] == "ok" for r in results)
    assert after["allocated"] <= after["capacity"] + 1e-9, "oversold!"
    assert abs(after["allocated"] - before["allocated"] - ok * amount) < 1e-6
    return wall, ok, n - ok


def _best(fn, repeat=3):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), times[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=10_000)
    args = parser.parse_args()
    import numpy as np
    import pandas as pd
    import pyogrio

    from restoration import config, import_file
    from restoration.bootstrap import load_sample
    from restoration.importer import prepare
    from restoration.io import read_input
    from restoration.sample.build import DEFAULT_SEED, _Region, _region, _sites
    from restoration.store import open_store
    from restoration.store.pgtemp import TempCluster

    n = args.sites
    with tempfile.TemporaryDirectory() as tmp, TempCluster() as cluster:
        tmp = Path(tmp)
        rng = np.random.default_rng(DEFAULT_SEED)  # as build_sample: the region first, then the sites
        frame, _ = _sites(rng, 2 * n, _Region(*_region(rng)))
        frame["case_id"] = None
        frame["site_id"] = [f"B{i:06d}" for i in range(len(frame))]
        first, second = tmp / "sites_a.gpkg", tmp / "sites_b.gpkg"
        pyogrio.write_dataframe(frame.iloc[:n].to_crs(4490), first, layer="sites")
        pyogrio.write_dataframe(frame.iloc[n:].to_crs(4490), second, layer="sites")

        url = cluster.create_database("bench")
        pg = open_store(url)
        load_sample(pg, config.sample_dir())
        gpkg = open_store(tmp / "data" / "platform.gpkg")
        load_sample(gpkg, config.sample_dir())
        print(f"{n:,} sites; PostgreSQL cluster in {cluster.root}")

        # 1. import -------------------------------------------------------------------------
        dsn = f"PG:dbname=bench host={cluster.root} port={cluster.port} user=postgres"
        t0 = time.perf_counter()
        if "PostgreSQL" in pyogrio.list_drivers():
            pyogrio.write_dataframe(pyogrio.read_dataframe(first), dsn, layer="sites_floor", driver="PostgreSQL")
            floor_name = "pyogrio.write_dataframe"
        elif shutil.which("ogr2ogr"):
            subprocess.run(["ogr2ogr", "-f", "PostgreSQL", dsn, str(first), "-nln", "sites_floor",
                            "-nlt", "PROMOTE_TO_MULTI", "-lco", "GEOMETRY_NAME=geom"], check=True)
            floor_name = "ogr2ogr (GDAL PostgreSQL driver)"
        else:
            raise SystemExit("no GDAL PostgreSQL driver: apt-get install gdal-bin")
        floor = time.perf_counter() - t0

        t0 = time.perf_counter()
        rep = import_file(pg, "sites", first)
        ours = time.perf_counter() - t0
        assert rep.rows == n

        t0 = time.perf_counter()
        import_file(gpkg, "sites", first)
        ours_gpkg = time.perf_counter() - t0

        # the raw store write of the second half, validated beforehand
        raw = read_input(second, spatial=True)
        with pg.transaction("bench") as tx:
            clean, _ = prepare(tx, "sites", raw)
            t0 = time.perf_counter()
            tx.insert("sites", clean)
            write_only = time.perf_counter() - t0
        import_file(gpkg, "sites", second)

        print("\n1. import into PostGIS")
        print(f"   floor, {floor_name}:          {floor:7.2f} s")
        print(f"   restoration import (PostGIS):   {ours:7.2f} s   ratio {ours / floor:5.2f}x  (aim <= 3x)")
        print(f"   restoration import (GeoPackage): {ours_gpkg:6.2f} s   PostGIS/GeoPackage {ours / ours_gpkg:5.2f}x")
        print(f"   store write alone (COPY, audit): {write_only:6.2f} s   ratio {write_only / floor:5.2f}x")

        # 2. overview read -----------------------------------------------------------------
        total = pg.count("sites")
        assert total == gpkg.count("sites") >= 2 * n

        def overview(store):
            return lambda: [store.read(name) for name in ("sites", "cases", "counties", "watersheds")]

        pg_best, pg_cold = _best(overview(pg))
        gp_best, gp_cold = _best(overview(gpkg))
        floor_read, _ = _best(lambda: pyogrio.read_dataframe(gpkg.path, layer="sites"))
        print(f"\n2. overview read of {total:,} sites (sites, cases, counties, watersheds)")
        print(f"   floor, pyogrio.read_dataframe(sites) from the GeoPackage: {floor_read:6.2f} s")
        print(f"   PostGIS:    {pg_best:6.2f} s (first {pg_cold:.2f} s)   ratio {pg_best / floor_read:5.2f}x  (aim < 1 s)")
        print(f"   GeoPackage: {gp_best:6.2f} s (first {gp_cold:.2f} s)   ratio {gp_best / floor_read:5.2f}x")

        # 3. concurrent reservations -------------------------------------------------------
        pg.close()
        wall_pg, ok_pg, no_pg = _race(url)
        wall_gp, ok_gp, no_gp = _race(str(gpkg.path))
        print("\n3. 16 concurrent reservations of 1 ha on BP12 (16 processes, one start line)")
        print(f"   PostGIS:    {wall_pg:6.2f} s until all answered ({ok_pg} granted, {no_pg} refused; no oversell)")
        print(f"   GeoPackage: {wall_gp:6.2f} s until all answered ({ok_gp} granted, {no_gp} refused; no oversell)")
        print(f"   PostGIS/GeoPackage {wall_pg / wall_gp:5.2f}x")
        pd.set_option("display.width", 120)


if __name__ == "__main__":
    main()
