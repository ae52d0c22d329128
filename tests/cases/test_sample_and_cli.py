"""The sample's case files are the generator's output; the ``restoration case`` commands."""
from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest

from restoration.sample import case_history
from restoration.sample.build import TODAY


@pytest.mark.parametrize("name, make", [("case_events.csv", lambda: case_history.events(TODAY)),
                                        ("case_modes.csv", case_history.case_modes),
                                        ("funds_ledger.csv", case_history.funds_ledger),
                                        ("screening_reports.csv", case_history.screening_reports)])
def test_committed_case_files_match_the_generator(sample_dir, tmp_path, name, make):
    make().to_csv(tmp_path / name, index=False, encoding="utf-8")
    assert (tmp_path / name).read_bytes() == (sample_dir / name).read_bytes()


def test_sample_ledger_dates_follow_the_agreements(store):
    ledger = store.read("funds_ledger")
    events = store.read("case_events")
    first_agreement = events[events.event_type == "agreement_signed"].groupby("case_id")["event_date"].min()
    for row in ledger.to_dict("records"):
        assert row["entry_date"] >= first_agreement[row["case_id"]], row
        assert row["entry_date"] <= TODAY.isoformat()


def test_cli_list_show_deadlines_overdue(store, capsys, run_cli):
    data = store.data_dir
    code, out, _ = run_cli(capsys, data, "case", "list", "--today", "2026-11-20", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 16
    by_id = {r["case_id"]: r for r in rows}
    assert by_id["GX-2023-015"]["overdue"] == 2 and by_id["GX-2025-001"]["next_due"] is None
    code, out, _ = run_cli(capsys, data, "case", "list", "--stage", "consultation")
    assert code == 0 and "2 cases" in out and "赔偿磋商" in out

    code, out, _ = run_cli(capsys, data, "case", "deadlines", "GX-2024-005", "--today", "2026-11-20", "--json")
    dl = {d["deadline"]: d for d in json.loads(out)["deadlines"]}
    c = dl["consultation"]
    assert (c["due_date"], c["days_left"], c["overdue"], c["status"]) == ("2026-05-06", -198, True, "overdue")
    assert c["source"].startswith("桂工作细则说明") and c["verified"] is True
    assert dl["investigation"]["status"] == "completed" and dl["investigation"]["due_date"] is None

    code, out, _ = run_cli(capsys, data, "case", "overdue", "--today", "2026-11-20", "--json")
    items = json.loads(out)["overdue"]
    assert code == 0 and len(items) >= 5 and all(i["overdue"] for i in items)
    code, out, _ = run_cli(capsys, data, "case", "overdue", "--today", "2026-11-20")
    assert "逾期" in out and "GX-2024-005" in out

    code, out, _ = run_cli(capsys, data, "case", "show", "GX-2023-007", "--today", "2026-11-20")
    assert code == 0 and "moved to 2026-02-24" in out and "judicial confirmation: pending" in out
    code, out, _ = run_cli(capsys, data, "case", "show", "GX-2023-015", "--today", "2026-11-20", "--json")
    rec = json.loads(out)
    assert rec["ledger"]["arrears_yuan"] == 110_000
    code, _, err = run_cli(capsys, data, "case", "show", "GX-1999-999")
    assert code == 2 and "GX-1999-999" in err


def test_cli_event_add_conflict_and_refusal(store, capsys, run_cli):
    data = store.data_dir
    code, out, _ = run_cli(capsys, data, "case", "event", "add", "GX-2025-002", "investigation_started",
                           "2026-11-19", "--actor", "wang", "--expected-version", "1", "--today", "2026-11-20")
    assert code == 0 and "stage investigation, version 2" in out
    code, _, err = run_cli(capsys, data, "case", "event", "add", "GX-2025-002", "investigation_reported",
                           "2026-11-20", "--actor", "zhao", "--expected-version", "1", "--today", "2026-11-20")
    assert code == 4 and "wang" in err
    code, _, err = run_cli(capsys, data, "case", "event", "add", "GX-2025-002", "closed", "2026-11-20",
                           "--today", "2026-11-20")
    assert code == 2 and "no closing without an effect evaluation" in err
    code, _, err = run_cli(capsys, data, "case", "event", "add", "GX-2025-002", "terminated", "2026-11-20",
                           "--details", '{"reason": "no_damage_found"', "--today", "2026-11-20")
    assert code == 2 and "not valid JSON" in err
    code, out, _ = run_cli(capsys, data, "case", "event", "add", "GX-2025-002", "terminated", "2026-11-20",
                           "--details", '{"reason": "no_damage_found"}', "--today", "2026-11-20")
    assert code == 0 and "stage terminated" in out
    code, out, _ = run_cli(capsys, data, "case", "event", "types")
    assert "meeting_held" in out and "召开磋商会议" in out


def test_cli_profile_check_export_mode(store, capsys, run_cli, tmp_path):
    data = store.data_dir
    code, out, _ = run_cli(capsys, data, "case", "profile", "zhejiang")
    assert code == 0 and "未设定 not set" in out and "zhejiang → national" in out
    code, out, _ = run_cli(capsys, data, "case", "profile", "guangxi", "--json")
    rules = {r["rule"]: r for r in json.loads(out)["rules"]}
    assert rules["time_limits.consultation"]["value"].startswith("90")
    code, out, _ = run_cli(capsys, data, "case", "check", "--today", "2026-11-20")
    assert code == 0 and "valid" in out

    path = tmp_path / "register.xlsx"
    code, out, _ = run_cli(capsys, data, "case", "export", "--out", str(path), "--today", "2026-11-20")
    assert code == 0
    wb = openpyxl.load_workbook(path, read_only=True)
    assert wb.sheetnames == ["案件台账 register", "期限 deadlines", "逾期 overdue", "资金 funds", "规则 rules"]
    reg = pd.read_excel(path, sheet_name="案件台账 register")
    assert len(reg) == 16 and "案件编号 case_id" in reg.columns and "notes" not in " ".join(reg.columns)
    late = pd.read_excel(path, sheet_name="逾期 overdue")
    assert len(late) >= 5
    code, _, err = run_cli(capsys, data, "case", "export", "--out", str(tmp_path / "r.csv"))
    assert code == 2 and ".xlsx" in err

    code, out, _ = run_cli(capsys, data, "case", "mode", "add", "GX-2024-005", "labour_in_lieu", "--params",
                           '{"days": 20, "persons": 2, "daily_rate_yuan": 160}', "--json")
    assert code == 0 and json.loads(out)["value_yuan"] == 6_400
    code, _, err = run_cli(capsys, data, "case", "mode", "add", "GX-2024-005", "labour_in_lieu", "--params",
                           '{"days": 20, "persons": 2}')
    assert code == 2 and "not set in profile" in err
