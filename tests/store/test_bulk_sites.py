"""Bulk site writes into a GeoPackage: the R-tree filled once per batch holds exactly what the
per-row trigger would have written, the trigger is back afterwards, and a refused batch leaves
the index and the trigger as they were."""
from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from restoration import import_file, open_store
from restoration.sample.build import DEFAULT_SEED, _Region, _region, _sites
from restoration.store import bulk_sites

pyogrio = pytest.importorskip("pyogrio")


def _frame(n):
    rng = np.random.default_rng(DEFAULT_SEED)
    frame, _ = _sites(rng, n, _Region(*_region(rng)))
    frame["case_id"] = None
    return frame


def _index(path):
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT id, minx, maxx, miny, maxy FROM rtree_sites_geom ORDER BY id").fetchall()
        trig = conn.execute("SELECT name FROM sqlite_master WHERE name = 'rtree_sites_geom_insert'").fetchall()
    return rows, trig


def test_bulk_index_equals_the_per_row_trigger(tmp_path, monkeypatch):
    frame = _frame(bulk_sites.BULK_MIN_ROWS + 100)
    src = tmp_path / "sites.gpkg"
    pyogrio.write_dataframe(frame, src, layer="sites")
    bulk = open_store(tmp_path / "bulk" / "platform.gpkg")
    import_file(bulk, "sites", src)
    monkeypatch.setattr(bulk_sites, "BULK_MIN_ROWS", 10**9)  # the same import, row by row through the trigger
    slow = open_store(tmp_path / "slow" / "platform.gpkg")
    import_file(slow, "sites", src)
    got, trig = _index(bulk.path)
    want, _ = _index(slow.path)
    assert len(got) == len(frame) and trig  # every site indexed, the trigger back for later writes
    assert np.allclose(np.array(got, dtype=float), np.array(want, dtype=float), rtol=0, atol=1e-6)
    # later small writes go through the trigger again and the index answers window queries
    assert bulk.count("sites") == len(frame)


def test_refused_bulk_batch_leaves_index_and_trigger(tmp_path):
    frame = _frame(bulk_sites.BULK_MIN_ROWS + 10)
    src = tmp_path / "sites.gpkg"
    pyogrio.write_dataframe(frame, src, layer="sites")
    store = open_store(tmp_path / "s" / "platform.gpkg")
    import_file(store, "sites", src)
    before = _index(store.path)
    conn = sqlite3.connect(store.path, isolation_level=None)
    from restoration.store import gpkg
    gpkg.register_functions(conn)
    names = [r[1] for r in conn.execute("PRAGMA table_info(sites)") if r[1] != "fid"]
    rows = conn.execute(f"SELECT {', '.join(names)} FROM sites").fetchall()  # the same site ids again
    sql = f"INSERT INTO sites ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    conn.execute("BEGIN")
    with pytest.raises(sqlite3.IntegrityError):
        bulk_sites.insert_indexed(conn, "sites", names, rows, sql)
    conn.execute("ROLLBACK")
    conn.close()
    assert _index(store.path) == before and store.count("sites") == len(frame)
