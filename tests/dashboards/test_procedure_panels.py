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
