"""Securement and the management & monitoring plan: recorded, checked, and their deadlines
(overdue reports, an expiring securement) listed."""
from __future__ import annotations

import json
from datetime import date

import pytest

from restoration import InputError
from restoration.bank import set_plan, set_securement, stewardship_deadlines, submit_report

from ..conftest import run_cli as run


def test_deadlines_list_overdue_reports_and_an_expiring_securement(store):
    set_securement(store, "BP13", instrument="土地流转合同", term_years=10, start="2017-03-01", document="桂源〔2017〕3号")
    set_securement(store, "BP01", instrument="保护地役权协议", term_years=30, start="2016-01-01")
    set_plan(store, "BP13", reporting_years=[2024, 2025, 2027], indicators="ndvi,植被覆盖度", responsible_party="桂源县林业局")
    submit_report(store, "BP13", 2024, on="2025-01-20")
    frame = stewardship_deadlines(store, date(2026, 12, 7), overdue_only=False)
    rows = {(r.project_id, r.what, r.year): r for r in frame.itertuples(index=False)}
    assert rows[("BP13", "report", 2024)].status == "met"
    assert rows[("BP13", "report", 2025)].status == "overdue"
    assert rows[("BP13", "report", 2025)].days_overdue == (date(2026, 12, 7) - date(2025, 12, 31)).days
    assert rows[("BP13", "report", 2027)].status == "open"
    assert rows[("BP13", "securement_end", 2027)].due == "2027-03-01"  # ends within a year: listed
    assert not any(k[0] == "BP01" for k in rows)  # ends 2046: not a deadline yet
    overdue = stewardship_deadlines(store, date(2026, 12, 7), overdue_only=True)
    assert overdue[["project_id", "what", "year"]].values.tolist() == [["BP13", "report", 2025]]
    assert store.get("bank_plans", "BP13")["indicators"] == ["ndvi", "vegetation_cover"]


@pytest.mark.parametrize("call, expect", [
    (lambda s: set_securement(s, "BP13", instrument="", term_years=30, start="2020-01-01"), "required"),
    (lambda s: set_securement(s, "BP13", instrument="合同", term_years=0, start="2020-01-01"), "whole number"),
    (lambda s: set_securement(s, "BP13", instrument="合同", term_years=30, start="2020-13-01"), "not a date"),
    (lambda s: set_securement(s, "BP13", instrument="x" * 5000, term_years=30, start="2020-01-01"), "longer"),
    (lambda s: set_plan(s, "BP13", reporting_years="2025,abc", indicators="ndvi", responsible_party="局"), "not a year"),
    (lambda s: set_plan(s, "BP13", reporting_years="2025", indicators="ndvi,magic", responsible_party="局"),
     "unknown indicator 'magic'"),
    (lambda s: submit_report(s, "BP01", 2025), "no record"),
])
def test_bad_stewardship_input_is_refused(gpkg_store, call, expect):
    with pytest.raises(Exception, match=expect) as refused:
        call(gpkg_store)
    assert getattr(refused.value, "exit_code", None) == 2
    assert gpkg_store.read("bank_securements").empty and gpkg_store.read("bank_plans").empty


def test_cli_secure_plan_report_overdue(gpkg_store, capsys):
    data = str(gpkg_store.data_dir)
    code, out, _ = run(["--data", data, "bank", "secure", "BP13", "--instrument", "土地流转合同", "--term-years", "10",
                        "--start", "2017-03-01"], capsys)
    assert code == 0 and "to 2027-03-01" in out
    code, out, _ = run(["--data", data, "bank", "plan", "BP13", "--years", "2024,2025", "--indicators", "ndvi",
                        "--responsible", "桂源县林业局"], capsys)
    assert code == 0
    code, _, err = run(["--data", data, "bank", "report", "BP13", "2023"], capsys)
    assert code == 2 and "not a reporting year" in err
    assert run(["--data", data, "bank", "report", "BP13", "2024", "--on", "2025-01-05"], capsys)[0] == 0
    code, out, _ = run(["--data", data, "bank", "overdue", "--today", "2026-12-07"], capsys)
    assert code == 0 and "BP13" in out and "监测报告 monitoring report 2025" in out and "已逾期" in out
    assert "2024" not in out and "None" not in out
    shown = json.loads(run(["--data", data, "bank", "overdue", "--today", "2026-12-07", "--all", "--json"], capsys)[1])
    assert {(r["what"], r["status"]) for r in shown} == {("report", "met"), ("report", "overdue"),
                                                         ("securement_end", "open")}
