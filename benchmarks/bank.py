"""Bank register speed, in one run:

* the polygon overlap check of 10,000 projects against 20,000 restoration sites with the spatial
  index (``polygon_review.overlaps``) against the pairwise loop (``naive_overlaps``, timed on a
  slice and scaled);
* the public register of the sample store against today's bank table;
* a store with the sample plus 10,000 projects with release schedules (imported with
  ``add_projects``, every second project with a tranche released): the register export
  (``export_register``: GeoPackage + CSV + schema) against today's bank export to a GeoPackage,
  and the public register page's first paint against today's bank page's (each page's first
  script run in Streamlit's AppTest, caches cleared, a signed-in supervisor on the bank page).

Run: ``nice -n 10 python benchmarks/bank.py [N]`` (N projects, default 10,000; prints seconds and
ratios)."""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

import pandas as pd

from restoration import auth, config
from restoration.bank import add_projects, bank_table
from restoration.bank.polygon_review import naive_overlaps, overlaps
from restoration.bank.register import public_register
from restoration.bank.register import export_register
from restoration.bootstrap import init_store
from restoration.exports import export_frame
from restoration.store import open_store

REPO = Path(__file__).resolve().parents[1]
STAFF = ("benchmark1", "supervisor-pass-123")


def _boxes(n: int, size: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.uniform(107.5, 109.5, n)
    y = rng.uniform(22.5, 24.5, n)
    return shapely.box(x, y, x + size, y + size)


def _bank_file(store, n: int) -> gpd.GeoDataFrame:
    """``n`` projects like the sample's BP13 on a grid over the sample's counties, with schedules."""
    template = store.get("bank_projects", "BP13")
    side = int(np.ceil(np.sqrt(n)))
    (x0, y0, x1, y1), size = store.read("counties").total_bounds, 0.008
    xs, ys = np.meshgrid(np.linspace(x0 + 0.02, x1 - 0.03, side), np.linspace(y0 + 0.02, y1 - 0.03, side))
    geoms = shapely.box(xs.ravel()[:n], ys.ravel()[:n], xs.ravel()[:n] + size, ys.ravel()[:n] + size)
    keep = ("kind", "ecosystem_type", "services", "capacity_unit", "unit_cost_yuan", "relative_value", "trajectory",
            "status", "start_year", "status_since")
    frame = gpd.GeoDataFrame({"project_id": [f"NB{i:05d}" for i in range(n)], "name": [f"新项目{i}" for i in range(n)],
                              "capacity": 50.0, "operator": "某林场",
                              "release_schedule": "0.3:secured;0.4:construction_accepted;0.3:target_met@5",
                              **{k: [template[k]] * n for k in keep}}, geometry=geoms, crs=4326)
    return frame


def _first_paint(data_dir: Path, page: str, staff: bool) -> float:
    """Seconds of ``page``'s first script run (AppTest; Streamlit's caches cleared)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest
    st.cache_data.clear()
    st.cache_resource.clear()
    os.environ.update(RESTORATION_DATA=str(data_dir), RESTORATION_TILES="none", RESTORATION_TODAY="2026-11-20")
    at = AppTest.from_file(str(REPO / "dashboards" / "app.py"), default_timeout=900)
    if staff:
        now = time.time()
        at.session_state["user"] = {"name": STAFF[0], "role": "supervisor", "region": "province",
                                    "signed_in_at": now, "last_seen": now}
    t = time.perf_counter()
    at.switch_page(page).run()
    took = time.perf_counter() - t
    assert not at.exception, at.exception
    return took


def big_bank(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        init_store(data / "platform.gpkg", from_sample=True, sample=config.sample_dir())
        store = open_store(data / "platform.gpkg", create=False)
        auth.add_user(data, STAFF[0], STAFF[1], "supervisor")
        frame = _bank_file(store, n)
        t = time.perf_counter()
        add_projects(store, frame, source="bench.gpkg", allow_overlap="benchmark", allow_outside=True)
        print(f"{n:,} projects with schedules imported (add_projects, all checks) in {time.perf_counter() - t:.1f} s")
        with store.transaction("bench") as tx:  # set-up, not timed: every second project secured
            tx.insert("bank_milestones", pd.DataFrame({
                "project_id": frame["project_id"][::2].to_numpy(), "milestone": "secured", "reached_on": "2026-11-01",
                "evidence": "合同", "public": False, "actor": "bench"}), action="milestone")
        (data / "out").mkdir()
        t = time.perf_counter()
        export_frame(bank_table(store), data / "bank.gpkg", "bank_projects", field="--out")
        base = time.perf_counter() - t
        t = time.perf_counter()
        export_register(store, data / "out")
        reg = time.perf_counter() - t
        rows = len(pd.read_csv(data / "out" / "bank_register.csv"))
        print(f"export of {rows:,} projects: bank export (.gpkg) {base:.2f} s, public register "
              f"(.gpkg + .csv + schema) {reg:.2f} s -> {reg / base:.1f}x")
        bank = _first_paint(data, "views/bank.py", staff=True)
        register = _first_paint(data, "views/register.py", staff=False)
        print(f"first paint with {rows:,} projects: bank page {bank:.1f} s, public register page {register:.1f} s "
              f"-> {register / bank:.2f}x")


def main() -> None:
    projects = gpd.GeoDataFrame({"project_id": [f"P{i}" for i in range(10_000)], "capacity_unit": "ha"},
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
    big_bank(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)


if __name__ == "__main__":
    main()
