"""``db copy`` killed with SIGKILL halfway through the rows leaves no store at the target — no
empty, valid-looking one that blocks the retry — and the retry copies everything; in both
directions (GeoPackage → PostGIS, PostGIS → GeoPackage). The source is untouched."""
from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import pytest

from restoration.store import open_store, store_exists

from ..conftest import BACKENDS, new_pg_database, store_fingerprint

REPO = Path(__file__).resolve().parents[2]
#: enough monitoring rows that the copy takes seconds here (so it can be killed in the middle)
N_ROWS = 300_000
_names = itertools.count(1)

pytestmark = pytest.mark.skipif("postgis" not in BACKENDS, reason="RESTORATION_TEST_BACKENDS leaves out PostGIS")


def _bulk(store) -> None:
    times = pd.date_range("1990-01-01", periods=N_ROWS, freq="h").strftime("%Y-%m-%dT%H:%M:%S")
    frame = pd.DataFrame({"site_id": "S002", "indicator": "cod", "time": times,
                          "value": np.arange(N_ROWS, dtype=float), "unit": "mg/L", "source": "bulk"})
    with store.transaction("bulk") as tx:
        tx.insert("monitoring_series", frame)


@pytest.fixture
def blank_db(request, pg_cluster):
    name = f"killed{next(_names)}"
    url = pg_cluster.create_database(name)
    request.addfinalizer(lambda: pg_cluster.drop_database(name))
    return url


def _start_copy(processes, src, dst) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return processes.popen([sys.executable, "-c", "from restoration.cli import main; main()", "db", "copy",
                            str(src), str(dst)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _kill_when(proc: subprocess.Popen, rows_moving) -> None:
    """SIGKILL ``proc`` as soon as ``rows_moving()`` says rows are being written."""
    deadline = time.time() + 120
    try:
        while time.time() < deadline and proc.poll() is None and not rows_moving():
            time.sleep(0.02)
        assert proc.poll() is None, ("the copy ended before it could be killed", proc.communicate())
        assert rows_moving(), "the copy never reached the rows"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL


def _copying_into_postgres(cluster, db_name: str):
    def moving() -> bool:
        with cluster.admin() as conn:
            return bool(conn.execute(
                # its latest statement (the rows go in chunks; between them the session is idle in
                # the transaction)
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                "AND query LIKE 'COPY \"monitoring_series\"%%'", (db_name,)).fetchone()[0])
    return moving


def _big_file_under(folder: Path, size: int = 2_000_000):
    def moving() -> bool:
        return any(p.is_file() and p.stat().st_size > size for p in folder.rglob("*"))
    return moving


def _tables(url: str) -> list[str]:
    import psycopg
    with psycopg.connect(url) as conn:
        return [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
            "AND table_type = 'BASE TABLE' AND table_name <> 'spatial_ref_sys'")]


def test_killed_copy_into_postgis_leaves_no_store_and_the_retry_works(gpkg_store, blank_db, pg_cluster, cli,
                                                                      processes):
    src = gpkg_store
    _bulk(src)
    before = store_fingerprint(src)
    proc = _start_copy(processes, src.path, blank_db)
    _kill_when(proc, _copying_into_postgres(pg_cluster, urlsplit(blank_db).path.lstrip("/")))

    assert not store_exists(blank_db), "a killed copy left a store behind"
    assert _tables(blank_db) == []  # not even an empty schema
    code, out, err = cli("db", "copy", src.path, blank_db)
    assert code == 0, err
    target = open_store(blank_db, create=False)
    assert target.count("monitoring_series") == src.count("monitoring_series") >= N_ROWS
    assert target.count("audit_log") == src.count("audit_log") + 1
    assert store_fingerprint(src) == before
    target.close()


def test_killed_copy_into_a_geopackage_leaves_no_store_and_the_retry_works(request, pg_cluster, tmp_path, cli,
                                                                           monkeypatch, processes):
    url = new_pg_database(request, "sample")
    monkeypatch.delenv("RESTORATION_DB", raising=False)
    src = open_store(url, create=False)
    _bulk(src)
    before = store_fingerprint(src)
    folder = tmp_path / "backup"
    folder.mkdir()
    dst = folder / "platform.gpkg"
    proc = _start_copy(processes, url, dst)
    _kill_when(proc, _big_file_under(folder))

    assert not dst.exists() and not store_exists(dst), "a killed copy left a store behind"
    code, out, err = cli("db", "copy", url, dst)
    assert code == 0, err
    target = open_store(dst, create=False)
    assert target.count("monitoring_series") == src.count("monitoring_series") >= N_ROWS
    assert [p.name for p in folder.iterdir()] == ["platform.gpkg"], "the killed copy's build folder stayed"
    assert store_fingerprint(src) == before
    src.close()
