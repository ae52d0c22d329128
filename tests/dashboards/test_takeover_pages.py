"""A register taken over mid-procedure, on the pages (Streamlit AppTest, zh and en): the overview
says which cases' deadlines cannot be computed instead of "0 overdue", the case page's event form
offers only what may come next (none preselected) and an inspection keeps a restoration-stage
case where it is; a failed effect evaluation makes acceptance an override, shown as such on the
case page and the public page."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from restoration import auth

from .conftest import REPO, SAMPLE_TODAY, STAFF, signed_in

APP = str(REPO / "dashboards" / "app.py")
#: the imported store's first 10 sample cases, no history: the consultation cases lack the notice's
#: date, the restoration cases their deadline; nothing else runs a deadline with a number
NOT_COMPUTABLE = {"GX-2024-005", "GX-2024-006", "GX-2023-009", "GX-2022-010"}


def _app(data, monkeypatch, lang="zh"):
    monkeypatch.setenv("RESTORATION_DATA", str(data))
    monkeypatch.setenv("RESTORATION_TILES", "none")
    monkeypatch.setenv("RESTORATION_TODAY", SAMPLE_TODAY)
    at = signed_in(AppTest.from_file(APP, default_timeout=120))
    at.session_state["lang"] = lang
    return at


def _metric(at, label):
    return next(m for m in at.metric if m.label == label)


@pytest.fixture
def imported(tmp_path):
    """A fresh imported store (no history) that a test may write to."""
    from .stores import build_imported
    build_imported(tmp_path / "imported")
    auth.add_user(tmp_path / "imported", STAFF[0], STAFF[1], "supervisor")
    return tmp_path / "imported"


@pytest.mark.parametrize("lang, overdue, unknown, listed", [
    ("zh", "逾期期限（可计算部分）", "期限无法计算", "期限无法计算的案件（4 件）"),
    ("en", "Overdue (of computable deadlines)", "Deadlines not computable", "Cases whose deadlines cannot be computed (4)"),
])
def test_overview_says_which_deadlines_cannot_be_computed(stores, monkeypatch, lang, overdue, unknown, listed):
    at = _app(stores["imported"], monkeypatch, lang)
    at.switch_page("views/overview.py").run()
    assert not at.exception, at.exception
    assert _metric(at, overdue).value == "0" and _metric(at, unknown).value == str(len(NOT_COMPUTABLE))
    labels = [m.label for m in at.metric]
    assert labels.index(unknown) == labels.index(overdue) + 1  # beside the overdue count
    assert not any(m.label in ("逾期期限", "Overdue deadlines") for m in at.metric)  # no bare "0 overdue"
    assert any("(#not-computable)" in m.value for m in at.markdown)  # the KPI links to the list
    box = next(e for e in at.expander if e.label == listed)
    frame = box.dataframe[0].value
    assert set(frame.iloc[:, 0]) == NOT_COMPUTABLE
    missing = " ".join(frame.iloc[:, 2])
    assert ("缺少送达磋商告知书" in missing) if lang == "zh" else ("no date of the consultation notice" in missing)
    register = at.dataframe[-1].value
    column = "期限" if lang == "zh" else "Deadlines"
    by_case = dict(zip(register.iloc[:, 0], register[column]))
    assert {c for c, v in by_case.items() if v != "—"} == NOT_COMPUTABLE
    word = "期限无法计算：" if lang == "zh" else "cannot be computed: "
    assert all(by_case[c].startswith(word) for c in NOT_COMPUTABLE)


def test_overview_of_the_sample_shows_no_unknown_deadlines(staff_data, monkeypatch):
    """A fresh sample (every case born inside the platform): its 7 overdue deadlines, none unknown,
    and the overdue card keeps its plain label."""
    at = _app(staff_data, monkeypatch)
    at.switch_page("views/overview.py").run()
    assert _metric(at, "逾期期限").value == "7" and _metric(at, "期限无法计算").value == "0"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_event_form_offers_what_may_come_next_and_nothing_by_default(stores, monkeypatch, lang):
    at = _app(stores["imported"], monkeypatch, lang)
    at.session_state["case_id"] = "GX-2023-009"  # imported at restoration, no history
    at.switch_page("views/case.py").run()
    assert not at.exception, at.exception
    label = "事件类型" if lang == "zh" else "Event type"
    sel = next(s for s in at.selectbox if s.label == label)
    assert sel.value is None
    clue, completed = ("线索登记", "修复完成") if lang == "zh" else ("clue registered", "restoration completed")
    assert clue not in sel.options and completed in sel.options
    info = " ".join(i.value for i in at.info)
    assert ("以“修复”阶段接管" in info) if lang == "zh" else ("taken over at “restoration”" in info)
    warned = " ".join(w.value for w in at.warning)
    assert ("1 项期限无法计算" in warned) if lang == "zh" else ("1 deadline(s) cannot be computed" in warned)


def test_an_inspection_keeps_an_imported_restoration_case_in_restoration(imported, monkeypatch):
    from restoration.store import open_store
    store = open_store(imported / "platform.gpkg", create=False)
    at = _app(imported, monkeypatch)
    at.session_state["case_id"] = "GX-2023-009"
    at.switch_page("views/case.py").run()
    next(w for w in at.text_input if w.label == "巡查人").input("王工")
    next(w for w in at.text_area if w.label == "巡查发现").input("补植苗木长势良好")
    next(b for b in at.button if b.label == "保存").click().run()
    assert not at.exception and any("巡查记录" in s.value for s in at.success)
    assert store.get("cases", "GX-2023-009")["stage"] == "restoration"
    assert list(store.read("case_events", case_id="GX-2023-009")["event_type"]) == ["taken_over", "inspection"]
    # the event form refuses a save without a chosen event, and writes nothing
    n = store.count("case_events")
    [b for b in at.button if b.label == "保存"][-1].click().run()
    assert any(e.value == "请先选择事件类型。" for e in at.error) and store.count("case_events") == n


@pytest.fixture
def failed(staff_data, store):
    """The sample with GX-2022-011's effect evaluation stored (COD fails); the case is disclosed."""
    from restoration.monitoring import evaluate_case
    assert evaluate_case(store, "GX-2022-011", as_of=SAMPLE_TODAY, actor="tester").verdict == "fail"
    return store, staff_data


def test_a_failed_evaluation_makes_acceptance_an_override_shown_as_such(failed, monkeypatch):
    store, data = failed
    at = _app(data, monkeypatch)
    at.session_state["case_id"] = "GX-2022-011"
    at.switch_page("views/case.py").run()
    sel = next(s for s in at.selectbox if s.label == "事件类型")
    sel.set_value("effect_evaluation").run()
    [b for b in at.button if b.label == "保存"][-1].click().run()
    assert not at.exception and any("修复效果评估报告" in s.value for s in at.success)
    sel = next(s for s in at.selectbox if s.label == "事件类型")
    sel.set_value("accepted").run()
    assert any("最近一次修复效果评估未达标" in w.value for w in at.warning)
    [b for b in at.button if b.label == "保存"][-1].click().run()  # without reason and document: refused
    assert at.error and "未保存任何内容" in at.error[0].value
    assert store.get("cases", "GX-2022-011")["stage"] == "effect_evaluation"
    at.run()
    next(w for w in at.text_input if w.label == "例外验收理由").input("COD 超标系上游来水所致，经专家论证")
    next(w for w in at.text_input if w.label == "例外验收文书").input("柳溪环函〔2026〕12号")
    [b for b in at.button if b.label == "保存"][-1].click().run()
    assert not at.exception and any("验收通过" in s.value for s in at.success), [e.value for e in at.error]
    events = at.dataframe[1].value  # the case page's event table shows the override as such
    assert events.iloc[:, 3].str.contains("例外验收（评估未达标）：COD 超标系上游来水所致，经专家论证；依据 柳溪环函〔2026〕12号").any()
    public = AppTest.from_file(APP, default_timeout=120).run()  # a visitor: the public page
    table = public.dataframe[0].value
    row = table[table["案件编号"] == "GX-2022-011"].iloc[0]
    assert row["修复效果评估结论"] == "未达标（评估未达标，经批准例外验收）"
    assert "上游来水" not in public.dataframe[0].value.to_csv()  # the reason is staff text: not published
