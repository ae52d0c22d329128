"""The Case page's procedure tab (issue 14) through Streamlit's AppTest on the sample store."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from .conftest import signed_in, REPO, SAMPLE_TODAY, STAFF

APP = str(REPO / "dashboards" / "app.py")


@pytest.fixture
def app(staff_data, monkeypatch):
    monkeypatch.setenv("RESTORATION_DATA", str(staff_data))
    monkeypatch.setenv("RESTORATION_TILES", "none")
    monkeypatch.setenv("RESTORATION_TODAY", SAMPLE_TODAY)
    return AppTest.from_file(APP, default_timeout=120)


def _case(app, case_id, lang="zh"):
    signed_in(app)
    if lang == "en":
        app.session_state["lang"] = "en"
    at = app.run()
    at.session_state["case_id"] = case_id
    at.switch_page("views/case.py").run()
    assert not at.exception
    return at


def _all(at) -> str:
    parts = [e.value for e in at.subheader] + [e.value for e in at.caption] + [e.value for e in at.error] + \
        [e.value for e in at.warning]
    parts += [df.value.to_csv() for df in at.dataframe]
    parts += [str(m.value) for m in at.metric]
    return "\n".join(str(p) for p in parts)


def test_supervised_case_shows_overdue_report_and_joint_handling(app):
    at = _case(app, "GX-2024-004")
    text = _all(at)
    assert "重大案件督办" in text and "有 1 次督办进展报告逾期未报" in text
    assert "自治区生态环境厅" in text and "牵头部门" in text and "自治区（省）级管辖" in text
    assert "重大和特别重大突发环境事件" in text and "先行处置污染物" in text
    assert "自治区生态环境厅、自治区水利厅、自治区农业农村厅" in text  # the joint handling's departments
    for code in ("supervision_report", "major_sudden_incident", "pollutants_disposed", "province", "None", "nan"):
        assert code not in text, code
    assert "部门间信息共享" in text and "桂源县公安局" in text and "案件材料、监测数据" in text
    assert "责任追究与表彰激励" in text and "第三次督办进展报告逾期未报" in text and "约谈" in text
    # deadlines without a due date (limits the rules leave unset) show a dash, never "None"
    deadlines = at.dataframe[0].value
    unset = deadlines[deadlines["状态"].str.contains("未设定")]
    assert len(unset) and (unset["剩余天数"] == "—").all() and (unset["截止日期"] == "—").all()
    for df in at.dataframe:
        csv = df.value.to_csv()
        assert "None" not in csv and ",nan" not in csv


def test_offset_pending_and_comments_in_english(app):
    at = _case(app, "GX-2023-009", lang="en")
    text = _all(at)
    assert "waiting for conditions to be confirmed" in text and "not yet confirmed" in text
    at = _case(app, "GX-2024-005", lang="en")
    text = _all(at)
    assert "1 comment(s) not yet answered" in text and "restoration plan" in text
    assert "proc." not in text  # every label comes from the dictionaries
    at = _case(app, "GX-2022-010", lang="en")
    text = _all(at)
    assert "lighter or reduced administrative penalty" in text and "use of funds" in text
    assert "lighter_penalty" not in text and "fund_use" not in text


def test_public_page_shows_published_items_without_people(app):
    at = app.run()  # no sign-in: the public page
    assert not at.exception
    text = _all(at)
    assert "公开的协议、修复结果与资金使用" in text
    assert "赔偿协议" in text and "修复结果" in text and "资金使用情况" in text
    assert "陈某某" not in text and "王律师" not in text and "某渔船船主" not in text
    assert "None" not in text and "nan" not in text


def test_answer_form_writes_and_empty_answer_writes_nothing(app, store):
    at = _case(app, "GX-2024-005")
    n = store.count("case_events")
    form_buttons = [b for b in at.button if b.label == "保存"]
    answer = next(w for w in at.text_area if w.label == "答复")
    form_buttons[-1].click().run()  # empty answer -> an error, nothing written
    assert any("请填写答复内容" in e.value for e in at.error) and store.count("case_events") == n
    answer = next(w for w in at.text_area if w.label == "答复")
    answer.input("<b>采纳</b>：选用乡土树种")
    next(b for b in reversed(at.button) if b.label == "保存").click().run()
    assert not at.exception
    assert store.count("case_events") == n + 1
    last = store.read("case_events", case_id="GX-2024-005").iloc[-1]
    assert last["event_type"] == "public_comment_answered" and last["details"]["comment_id"] == "C-2026-02"


def _overview(app, lang="zh"):
    signed_in(app)
    if lang == "en":
        app.session_state["lang"] = "en"
    at = app.run()
    assert not at.exception, at.exception
    return at


def test_screening_section_uses_the_stores_profiles(app, store):
    """The sample is a Guangxi register: the section shows Guangxi's rule (no reporting cycle),
    not Zhejiang's half-yearly one with a false "not submitted" for every region."""
    at = _overview(app)
    text = _all(at)
    profile = next(s for s in at.selectbox if s.label == "规则配置")
    assert profile.value == "guangxi" and profile.options == ["广西壮族自治区"], profile.options
    assert "该规则配置未规定筛查报告周期" in text
    assert "未报送" not in text and "期筛查报告尚未报送" not in text


def test_a_rule_no_profile_has_is_worded_in_the_pages_language_only(app, store):
    """Guangxi's chain sets no screening cycle: the Chinese page says so in Chinese only, the
    English one in English only (the command line keeps both)."""
    zh = _all(_overview(app))
    assert "该规则配置未规定筛查报告周期（无规定）" in zh
    assert "no rule in any profile" not in zh
    en = _all(_overview(app, lang="en"))
    assert "This profile sets no screening-report cycle (no rule in any profile of the chain)" in en
    assert "无规定" not in en


def test_screening_reports_panel_and_form(app, store):
    cases = store.read("cases")  # 石岭县 and 桂源县 hand their cases to Zhejiang's rules
    with store.transaction("test") as tx:
        for cid in cases.loc[cases["region"].isin(["石岭县", "桂源县"]), "case_id"]:
            tx.update("cases", cid, {"profile": "zhejiang"})
    at = _overview(app)
    profile = next(s for s in at.selectbox if s.label == "规则配置")
    assert profile.value == "guangxi" and len(profile.options) == 2  # the most used first
    profile.select("zhejiang").run()
    text = _all(at)
    assert "线索筛查情况报告" in text and "每 6 个月报送一次" in text and "省生态环境损害赔偿制度改革工作小组" in text
    assert "有 5 期筛查报告尚未报送" in text and "未报送" in text  # the province has reported none
    assert "zhejiang" not in text and "missing" not in text and "None" not in text and "nan" not in text
    status = next(df.value for df in at.dataframe if "报告期" in df.value.columns)
    assert set(status["地区"]) == {"浙江省"}  # the province's report (浙补充意见 二), not each county's
    n = store.count("screening_reports")
    sub_to = next(w for w in at.text_input if w.label == "报送单位")
    sub_to.input("  ")  # no recipient: an error, nothing written
    next(b for b in reversed(at.button) if b.label == "保存").click().run()
    assert any("请填写报送单位" in e.value for e in at.error) and store.count("screening_reports") == n
    next(s for s in at.selectbox if s.label == "地区").select("浙江省")
    next(w for w in at.text_input if w.label == "报送单位").input("<b>省工作小组</b>")
    next(w for w in at.number_input if w.label == "线索数").set_value(3)
    next(w for w in at.number_input if w.label == "移送数").set_value(1)
    next(b for b in reversed(at.button) if b.label == "保存").click().run()
    assert not at.exception and store.count("screening_reports") == n + 1
    row = store.read("screening_reports", region="浙江省").iloc[-1]
    assert str(row["period_start"])[:10] == "2026-01-01" and row["n_referred"] == 1
    assert row["submitted_to"] == "<b>省工作小组</b>" and row["actor"] == "supervisor1"
    at.run()  # the same period again: refused with the store's message, nothing written
    next(s for s in at.selectbox if s.label == "地区").select("浙江省")
    next(w for w in at.text_input if w.label == "报送单位").input("x")
    next(b for b in reversed(at.button) if b.label == "保存").click().run()
    assert any("筛查报告已登记" in e.value and "字段“报告期起”" in e.value for e in at.error), \
        [e.value for e in at.error]  # in the page's language
    assert store.count("screening_reports") == n + 1
    # English labels from the dictionaries
    at = _overview(app, "en")
    next(s for s in at.selectbox if s.label == "Rule profile").select("zhejiang").run()
    text = _all(at)
    assert "Clue screening reports" in text and "Reported every 6 months" in text and "not submitted" in text
    assert "proc." not in text and "None" not in text


def test_screening_panel_on_an_empty_store(tmp_path, monkeypatch):
    from restoration import auth

    from .stores import build_empty
    data = tmp_path / "empty"
    build_empty(data)
    auth.add_user(data, STAFF[0], STAFF[1], "supervisor")
    monkeypatch.setenv("RESTORATION_DATA", str(data))
    monkeypatch.delenv("RESTORATION_DB", raising=False)
    monkeypatch.setenv("RESTORATION_TILES", "none")
    monkeypatch.setenv("RESTORATION_TODAY", SAMPLE_TODAY)
    at = _overview(AppTest.from_file(APP, default_timeout=120))
    text = _all(at)
    assert "线索筛查情况报告" in text and "尚无地区" in text and "None" not in text
    assert not any(b.label == "保存" for b in at.button)  # no form without a region to report for
