"""Every read command on the three stores (sample, empty, imported with no history): no internal
error, and an unknown id is a clear input error (exit 2), not a traceback (issue 10)."""
from __future__ import annotations

import pytest

from ..conftest import run_cli

CASE = "GX-2025-001"
READS = [
    ["info"], ["case", "list"], ["case", "list", "--json"], ["case", "overdue"], ["case", "overdue", "--json"],
    ["case", "event", "types"], ["case", "profile"], ["case", "profile", "guangxi"], ["case", "check"],
    ["monitor", "progress"], ["monitor", "progress", "--json"], ["monitor", "alerts"],
    ["bank", "list"], ["bank", "ledger"], ["bank", "escrow", "list"], ["users", "list"],
]
CASE_READS = [["case", "show", CASE], ["case", "deadlines", CASE], ["case", "ledger", "show", CASE],
              ["bank", "rank", CASE], ["bank", "obligation", CASE], ["bank", "scenario", "show", CASE],
              ["monitor", "evaluate", CASE]]
EXPORTS = [["case", "export", "--out", "register.xlsx"], ["bank", "export", "--out", "bank.gpkg"],
           ["export", "sites", "--out", "sites.gpkg"], ["export", "cases", "--out", "cases.csv"]]


@pytest.fixture(params=["sample", "empty", "imported"])
def any_store(request, backend):
    name = {"sample": "store", "empty": "empty_store", "imported": "imported_store"}[request.param]
    return request.param, request.getfixturevalue(name)


def test_every_read_command_on_the_three_stores(any_store, capsys, tmp_path):
    kind, store = any_store
    data = str(store.data_dir)
    for argv in READS + CASE_READS + [[*a[:-1], str(tmp_path / a[-1])] for a in EXPORTS]:
        code, out, err = run_cli(["--data", data, *argv], capsys)
        assert "internal error" not in err, (kind, argv, err)
        if kind == "empty" and argv in CASE_READS:
            assert code == 2 and f"no record with case_id '{CASE}'" in err, (kind, argv, code, err)
        else:
            assert code == 0, (kind, argv, code, err)


def test_overdue_on_cases_without_deadlines(imported_store, capsys):
    """Imported cases have no events: none is known to be overdue, and the cases whose running
    deadlines lack their start date are listed as such — never a bare "0 overdue" (this crashed
    with KeyError 'days_left' once)."""
    code, out, err = run_cli(["--data", str(imported_store.path.parent), "--today", "2026-11-20", "case",
                              "overdue"], capsys)
    assert code == 0 and not out.strip().endswith("0 overdue"), (out, err)
    assert "0 overdue among the deadlines that can be computed" in out and "期限无法计算 cannot be computed" in out
    from restoration import cases
    table = cases.overdue(imported_store)
    assert table.empty and "days_left" in table.columns
    # the imported consultation cases lack the notice's date, the restoration cases their deadline
    assert {"GX-2024-005", "GX-2024-006", "GX-2023-009"} <= set(table.attrs["not_computable"]["case_id"])


def test_writes_on_the_imported_store(imported_store, capsys):
    """An imported case takes its first events — its earlier history, which keeps the stage it was
    taken over at (it used to put a filed case back to screening); every command still works
    afterwards."""
    data = str(imported_store.path.parent)
    for event, day, stage in (("clue_registered", "2026-07-15", "filing"), ("filed", "2026-07-20", "filing")):
        code, out, err = run_cli(["--data", data, "case", "event", "add", "GX-2025-002", event, day,
                                  "--actor", "tester", "--today", "2026-11-20"], capsys)
        assert code == 0 and f"stage {stage}" in out, err
    for argv in (["case", "deadlines", "GX-2025-002"], ["case", "overdue", "--today", "2030-01-01"],
                 ["case", "list"], ["bank", "rank", "GX-2025-002"]):
        code, out, err = run_cli(["--data", data, *argv], capsys)
        assert code == 0, (argv, err)
