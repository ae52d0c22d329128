"""The case page's monitoring panels as a supervisor meets them (AppTest on the sample)."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from restoration.bank import project_balance, set_schedule

from ..bank.test_performance import CASE, _case_plot
from .conftest import REPO, SAMPLE_TODAY, signed_in


def test_the_case_pages_evaluation_releases_the_bank_tranche_too(staff_data, store, monkeypatch):
    """"Evaluate now" on the case page is the same door as ``monitor evaluate``: the tranche the
    case's monitoring earned for the bank is released, and the flash message says so in words."""
    set_schedule(store, "BP13", ["0.5:construction_accepted", "0.5:target_met@5"])
    _case_plot(store, 0.75)
    monkeypatch.setenv("RESTORATION_DATA", str(staff_data))
    monkeypatch.setenv("RESTORATION_TILES", "none")
    monkeypatch.setenv("RESTORATION_TODAY", SAMPLE_TODAY)
    at = AppTest.from_file(str(REPO / "dashboards" / "app.py"), default_timeout=180)
    signed_in(at)
    at.run()
    at.session_state["case_id"] = CASE
    at.switch_page("views/case.py").run()
    next(b for b in at.button if b.label == "按当前数据评估并保存").click().run()
    assert not at.exception, at.exception
    shown = " ".join(s.value for s in at.success)
    assert "项目库 BP13 的“第5年监测目标达成”已随本次评估释放 75.00 公顷。" in shown, shown
    assert "None" not in shown and "target_met" not in shown
    row = store.read("bank_milestones", project_id="BP13", milestone="target_met@5").iloc[0]
    assert row["reached_on"] == SAMPLE_TODAY and row["evaluation"]["verdict"] == "pass"
    assert project_balance(store, "BP13")["released"] == 75.0
