"""The credit ledger: reserve → commit → release, the capacity invariant under real concurrency,
escrow, and the CLI's exit codes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from restoration import InsufficientCapacityError, InputError, NotFoundError
from restoration.bank import (bank_table, commit, deposit, escrow_table, ledger_table, match,
                              project_balance, refund, release, reserve, set_status)

from ..conftest import run_cli as run


def _invariant(store):
    t = bank_table(store)
    assert (t["allocated"] <= t["capacity"] + 1e-9).all()
    hist = store.read("bank_ledger")
    # the ledger's last allocated_after of each project is the current allocated total
    last = hist.dropna(subset=["project_id"]).groupby("project_id")["allocated_after"].last()
    assert (last.reindex(t["project_id"]).fillna(0.0).to_numpy() ==
            pytest.approx(t["allocated"].to_numpy(), abs=1e-9))


def test_reserve_commit_release_bookkeeping(store):
    before = project_balance(store, "BP13")
    a = reserve(store, "BP13", "GX-2022-010", 12.5, note="test")
    b = reserve(store, "BP13", "GX-2022-010", 7.5)
    bal = project_balance(store, "BP13")
    assert bal["reserved"] == pytest.approx(before["reserved"] + 20.0)
    assert bal["remaining"] == pytest.approx(before["remaining"] - 20.0)
    assert a["cost_yuan"] == pytest.approx(12.5 * bal["unit_cost_yuan"])

    done = commit(store, a["allocation_id"])
    assert [d["state"] for d in done] == ["committed"]
    bal = project_balance(store, "BP13")
    assert bal["committed"] == pytest.approx(before["committed"] + 12.5)
    assert bal["reserved"] == pytest.approx(before["reserved"] + 7.5)

    # partial release takes from the reservation; the released part is its own record
    release(store, project_id="BP13", case_id="GX-2022-010", amount=5.0)
    bal = project_balance(store, "BP13")
    assert bal["reserved"] == pytest.approx(before["reserved"] + 2.5)
    assert store.get("bank_allocations", b["allocation_id"])["amount"] == pytest.approx(2.5)
    # a committed allocation is final unless forced
    with pytest.raises(InputError, match="committed"):
        release(store, a["allocation_id"])
    release(store, a["allocation_id"], force=True, note="agreement annulled")
    bal = project_balance(store, "BP13")
    assert bal["allocated"] == pytest.approx(before["allocated"] + 2.5)
    actions = ledger_table(store, project_id="BP13")["action"].tolist()
    assert actions[-5:] == ["reserve", "reserve", "commit", "release", "release"]
    _invariant(store)


def test_insufficient_capacity_and_units(store):
    bal = project_balance(store, "BP05")  # nearly full in the sample
    with pytest.raises(InsufficientCapacityError, match=r"BP05 has 18 ha remaining"):
        reserve(store, "BP05", "GX-2023-008", bal["remaining"] + 0.01)
    # 亩: 18 ha = 270 mu fits exactly, then nothing is left
    a = reserve(store, "BP05", "GX-2023-008", 270, unit="mu")
    assert a["amount"] == pytest.approx(18.0) and a["unit"] == "ha"
    assert project_balance(store, "BP05")["remaining"] == pytest.approx(0.0, abs=1e-9)
    with pytest.raises(InsufficientCapacityError):
        reserve(store, "BP05", "GX-2023-008", 0.001)
    with pytest.raises(InputError, match="cannot reserve in tCO2e"):
        reserve(store, "BP01", "GX-2022-010", 1, unit="tCO2e")
    with pytest.raises(InputError, match="proposed"):
        reserve(store, "BP10", "GX-2022-010", 1)
    with pytest.raises(InputError, match="positive"):
        reserve(store, "BP01", "GX-2022-010", -3)
    with pytest.raises(NotFoundError):
        reserve(store, "BP99", "GX-2022-010", 1)
    _invariant(store)


def test_concurrent_processes_reserving_the_last_hectares(store, monkeypatch, processes):
    """Four processes started together on a barrier each ask for the last 25 ha of BP12: one gets
    them, three get 'insufficient capacity', and the ledger is exact."""
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    import bank_race_worker
    remaining = project_balance(store, "BP12")["remaining"]
    assert remaining == pytest.approx(25.0)
    ctx = processes.context("spawn")
    barrier = ctx.Barrier(4)
    queue = ctx.Queue()
    procs = [ctx.Process(target=bank_race_worker.reserve_last,
                         args=(store.url or str(store.path), barrier, "BP12", "GX-2023-008", remaining, queue)) for _ in range(4)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    outcomes = sorted(r[0] for r in results)
    assert outcomes == ["insufficient", "insufficient", "insufficient", "ok"]
    assert all("insufficient capacity" in r[1] for r in results if r[0] == "insufficient")
    bal = project_balance(store, "BP12")
    assert bal["allocated"] == pytest.approx(bal["capacity"]) and bal["remaining"] == 0.0
    racers = store.read("bank_allocations", project_id="BP12", case_id="GX-2023-008")
    assert len(racers) == 1
    _invariant(store)


def test_escrow_awaits_then_matches(store):
    pending = ledger_table(store, case_id="GX-2023-008")
    assert "awaiting_match" in pending["action"].tolist()  # the sample's notary escrow
    e = deposit(store, "GX-2023-008", 500_000, "某公证处提存账户", on="2026-01-05", ecosystem_type="wetland")
    assert e["status"] == "awaiting_match"
    assert e["escrow_id"] in set(ledger_table(store)["escrow_id"].dropna())
    a = match(store, e["escrow_id"], "BP12")
    # 500,000 yuan at 390,000 yuan/ha buys 1.28 ha
    assert a["amount"] == pytest.approx(round(500_000 / 390_000, 6))
    assert a["escrow_id"] == e["escrow_id"] and a["case_id"] == "GX-2023-008"
    assert store.get("escrow", e["escrow_id"])["status"] == "matched"
    with pytest.raises(InputError, match="not awaiting"):
        match(store, e["escrow_id"], "BP12")
    # a match beyond the remaining capacity is refused whole: escrow stays awaiting
    e2 = deposit(store, "GX-2023-008", 100_000, "某公证处提存账户")
    with pytest.raises(InsufficientCapacityError):
        match(store, e2["escrow_id"], "BP12", amount=500.0)
    assert store.get("escrow", e2["escrow_id"])["status"] == "awaiting_match"
    refund(store, e2["escrow_id"])
    assert escrow_table(store, status="refunded")["escrow_id"].tolist() == [e2["escrow_id"]]
    _invariant(store)


def test_closing_a_project_with_open_reservations_is_refused(store):
    with pytest.raises(InputError, match="open reservation"):
        set_status(store, "BP08", "closed", on="2026-11-01")  # GX-2023-015 holds a reservation
    release(store, project_id="BP08", case_id="GX-2023-015")
    after = set_status(store, "BP08", "closed", on="2026-11-01")
    assert after["status"] == "closed"


def test_cli_reserve_show_commit_release(store, capsys):
    data = str(store.data_dir)
    code, out, _ = run(["--data", data, "bank", "show", "BP13", "--json"], capsys)
    assert code == 0
    shown = json.loads(out)
    for key in ("capacity", "capacity_unit", "allocated", "remaining"):
        assert key in shown
    code, out, _ = run(["--data", data, "bank", "reserve", "BP13", "--case", "GX-2022-010", "--amount", "10"], capsys)
    assert code == 0 and "已预留 reserved 10 公顷" in out
    shown2 = json.loads(run(["--data", data, "bank", "show", "BP13", "--json"], capsys)[1])
    assert shown2["allocated"] == pytest.approx(shown["allocated"] + 10)
    assert shown2["remaining"] == pytest.approx(shown["remaining"] - 10)
    code, out, _ = run(["--data", data, "bank", "commit", "BP13", "--case", "GX-2022-010"], capsys)
    assert code == 0 and "committed" in out
    code, _, err = run(["--data", data, "bank", "release", "BP13", "--case", "GX-2022-010"], capsys)
    assert code == 2 and "no reserved allocation" in err
    # exit code 3: not enough capacity, and the store is unchanged
    before = store.version
    code, _, err = run(["--data", data, "bank", "reserve", "BP08", "--case", "GX-2023-015", "--amount", "1"], capsys)
    assert code == 3 and "insufficient capacity" in err
    assert store.version == before
    code, out, _ = run(["--data", data, "bank", "obligation", "GX-2022-010", "--json"], capsys)
    ob = json.loads(out)
    assert {a["project_id"] for a in ob["allocations"]} == {"BP01", "BP13"}
