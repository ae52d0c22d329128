"""`restoration bank ...` commands: JSON outputs, scenarios, escrow, exports, bad input."""
from __future__ import annotations

import json

import openpyxl
import pytest
import yaml

from ..conftest import run_cli as run


@pytest.fixture
def data(store):
    return str(store.data_dir)


def test_rank_json(data, capsys):
    code, out, _ = run(["--data", data, "bank", "rank", "GX-2023-008", "--json"], capsys)
    assert code == 0
    r = json.loads(out)
    assert r["case_id"] == "GX-2023-008" and len(r["candidates"]) == 20
    first = r["candidates"][0]
    for key in ("eligible", "reasons", "required_area_ha", "cost_yuan", "distance_km", "years_to_full_service",
                "score", "points_cost", "match_quality"):
        assert key in first
    assert r["split"]["projects"] and r["split"]["shortfall_fraction"] == 0
    code, out, _ = run(["--data", data, "bank", "rank", "GX-2023-008", "--json", "--rule", "county=required",
                        "--weights", "cost=1,distance=0"], capsys)
    r2 = json.loads(out)
    assert r2["rules"]["county"] == "required" and r2["weights"]["cost"] == 1.0
    assert [c["project_id"] for c in r2["candidates"] if c["eligible"]] == ["BP05"]
    code, out, _ = run(["--data", data, "bank", "rank", "GX-2023-008"], capsys)
    assert code == 0 and "拆分方案 proposed split" in out
    code, _, err = run(["--data", data, "bank", "rank", "GX-2023-008", "--rule", "watershed=sometimes"], capsys)
    assert code == 2 and "watershed" in err
    code, _, err = run(["--data", data, "bank", "rank", "NO-CASE"], capsys)
    assert code == 2 and "NO-CASE" in err


def test_scenario_escrow_ledger_export(data, tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"schema_version": 1, "method": "service", "base_year": 2025,
                                   "injury": {"area": 5, "start_year": 2024, "end_year": 2030, "levels": [[2024, 0]]},
                                   "replacement": {"start_year": 2025, "end_year": 2040, "levels": [[2025, 1]]}}))
    code, _, err = run(["--data", data, "bank", "scenario", "set", "GX-2024-005", str(bad)], capsys)
    assert code == 2 and "discount_rate" in err
    good = tmp_path / "good.yaml"
    scn = yaml.safe_load(bad.read_text())
    scn["discount_rate"] = 0.03
    good.write_text(yaml.safe_dump(scn))
    assert run(["--data", data, "bank", "scenario", "set", "GX-2024-005", str(good)], capsys)[0] == 0
    shown = json.loads(run(["--data", data, "bank", "scenario", "show", "GX-2024-005"], capsys)[1])
    assert shown["source"] == "good.yaml" and shown["scenario"]["discount_rate"] == 0.03

    code, out, _ = run(["--data", data, "bank", "escrow", "deposit", "GX-2024-005", "--amount-yuan", "300000",
                        "--holder", "某公证处提存账户"], capsys)
    assert code == 0 and "awaiting match" in out
    led = json.loads(run(["--data", data, "bank", "ledger", "--case", "GX-2024-005", "--json"], capsys)[1])
    assert [e["action"] for e in led] == ["deposit", "awaiting_match"]
    eid = led[0]["escrow_id"]
    code, out, _ = run(["--data", data, "bank", "escrow", "match", eid, "BP07", "--commit"], capsys)
    assert code == 0 and "committed" in out
    ob = json.loads(run(["--data", data, "bank", "obligation", "GX-2024-005", "--json"], capsys)[1])
    assert ob["committed_fraction"] > 0 and ob["escrow_awaiting_match_yuan"] == 0

    xlsx = tmp_path / "bank.xlsx"
    assert run(["--data", data, "bank", "export", "--out", str(xlsx)], capsys)[0] == 0
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames == ["bank", "allocations", "ledger", "escrow", "status_history"]
    header = [c.value for c in wb["bank"][1]]
    assert {"capacity", "allocated", "remaining"} <= set(header)
    code, out, _ = run(["--data", data, "bank", "status", "BP10", "approved", "--on", "2026-11-01"], capsys)
    assert code == 0 and "approved since 2026-11-01" in out
