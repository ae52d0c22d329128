"""Many users on one PostGIS store at once: no oversold capacity, no lost update.

Real processes (forked from a fork server, each with its own connection pool) on a real PostgreSQL + PostGIS
cluster; the GeoPackage's single-writer lock is covered by ``tests/bank/test_ledger.py``.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from restoration.bank import project_balance


@pytest.fixture
def pg_store(request, pg_cluster, data_dir, monkeypatch):
    from ..conftest import _open
    return _open(request, "postgis", data_dir, monkeypatch, sample=True)


def _worker(monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).parent))  # spawn children import it by name
    import concurrency_worker
    return concurrency_worker


def _spawn(processes, target, argsets):
    # a fork server that has imported the platform once: 16 children start in a moment instead
    # of each importing geopandas & co. (no connection is opened before the fork)
    ctx = processes.context("forkserver")
    ctx.set_forkserver_preload(["concurrency_worker", "restoration.bank", "restoration.store.postgis"])
    queue = ctx.Queue()
    barrier = ctx.Barrier(len(argsets))
    procs = [ctx.Process(target=t, args=(a[0], barrier, *a[1:], queue)) for t, a in zip(target, argsets)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=600) for _ in procs]
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    return results


def test_sixteen_processes_reserving_one_project_never_oversell(pg_store, monkeypatch, processes):
    w = _worker(monkeypatch)
    store = pg_store
    before = project_balance(store, "BP12")
    amount = 2.0
    fits = int(before["remaining"] // amount)
    assert 0 < fits < 16  # some must be refused for the test to mean anything
    results = _spawn(processes, [w.reserve] * 16,
                     [(store.url, "BP12", "GX-2023-008", amount)] * 16)
    assert not [r for r in results if r[0] == "error"], results
    ok = [r for r in results if r[0] == "ok"]
    assert len(ok) == fits and len({r[1] for r in ok}) == fits  # distinct allocation ids
    assert all("insufficient capacity" in r[1] for r in results if r[0] == "insufficient")
    after = project_balance(store, "BP12")
    assert after["allocated"] <= after["capacity"] + 1e-9
    assert after["allocated"] == pytest.approx(before["allocated"] + fits * amount)
    ledger = store.read("bank_ledger", project_id="BP12", action="reserve")
    assert (ledger["allocated_after"] <= ledger["capacity"] + 1e-9).all()


def test_eight_writers_and_eight_readers_on_one_case_lose_no_update(pg_store, monkeypatch, processes):
    w = _worker(monkeypatch)
    store = pg_store
    case_id, n = "GX-2023-009", 5
    v0 = store.get("cases", case_id)["version"]
    store_notes = store.get("cases", case_id)["notes"] or ""
    assert "|w" not in store_notes
    targets = [w.write_case] * 8 + [w.read_case] * 8
    args = [(store.url, case_id, i, n) for i in range(8)] + [(store.url, case_id, v0, 8.0)] * 8
    results = _spawn(processes, targets, args)
    assert not [r for r in results if r[0] == "error"], results
    final = store.get("cases", case_id)
    assert final["version"] == v0 + 8 * n  # every update landed once
    tokens = [t for t in final["notes"].split("|") if t.startswith("w")]
    assert sorted(tokens) == sorted(f"w{i}.{k}" for i in range(8) for k in range(n))
    readers = [r for r in results if r[0] == "reader"]
    assert all(r[1] > 0 for r in readers) and not [b for r in readers for b in r[2]]
    audit = store.read("audit_log", layer="cases", record_id=case_id, action="update")
    assert len(audit) == 8 * n and set(audit["actor"]) == {f"writer{i}" for i in range(8)}
