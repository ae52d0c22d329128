"""Every page through Streamlit's AppTest on the sample store."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from .conftest import REPO, STAFF

APP = str(REPO / "dashboards" / "app.py")
STAFF_PAGES = ["views/overview.py", "views/case.py", "views/bank.py", "views/monitoring.py",
               "views/equivalence.py"]


@pytest.fixture
def app(staff_data, monkeypatch):
    monkeypatch.setenv("RESTORATION_DATA", str(staff_data))
    monkeypatch.setenv("RESTORATION_TILES", "none")
    return AppTest.from_file(APP, default_timeout=120)


def _staff(app):
    app.session_state["user"] = {"name": STAFF[0], "role": "supervisor"}
    return app


def _texts(at) -> str:
    parts = [e.value for e in at.markdown] + [e.value for e in at.title] + [e.value for e in at.caption]
    for df in at.dataframe:
        parts.append(df.value.to_csv())
    return "\n".join(str(p) for p in parts)


def test_public_page_without_login_shows_only_disclosed_and_redacted(app, store):
    at = app.run()
    assert not at.exception
    assert at.title[0].value == "信息公开"
    text = _texts(at)
    cases = store.read("cases")
    for _, case in cases.iterrows():
        assert (case["case_id"] in text) == bool(case["disclosed"]), case["case_id"]
        if case["notes"]:
            assert case["notes"] not in text
    assert "1380000" not in text  # staff notes carry phone numbers
    assert "张某某" not in text and "李某某" not in text  # natural persons withheld


def test_public_visitor_cannot_reach_staff_pages(app, staff_data, monkeypatch):
    at = app.run()
    for page in STAFF_PAGES:
        # staff pages are not registered in a public session: no URL leads to them
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)
    # and each staff page refuses to render its content when run without a signed-in user
    for page in STAFF_PAGES:
        direct = AppTest.from_file(str(REPO / "dashboards" / page), default_timeout=60).run()
        assert not direct.exception
        assert [e.value for e in direct.error] == ["此页面需要管理人员登录。"]
        assert not direct.text_input and not direct.button and not direct.text_area


def test_sign_in_form(app):
    at = app.run()
    at.switch_page("views/login.py").run()
    at.text_input[0].input(STAFF[0])
    at.text_input[1].input("wrong password")
    at.button[0].click().run()
    assert "user" not in at.session_state and at.error
    at.text_input[1].input(STAFF[1])
    at.button[0].click().run()
    assert at.session_state["user"]["name"] == STAFF[0]


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_every_staff_page_runs(app, page):
    at = _staff(app).run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert at.title


def test_english_switch(app):
    at = _staff(app).run()
    at.sidebar.radio[0].set_value("en").run()
    assert at.title[0].value == "Overview"
    at.switch_page("views/case.py").run()
    assert not at.exception


def test_overview_filters_and_colour_switch(app):
    at = _staff(app).run()
    assert at.metric[0].label == "在办案件" and at.metric[0].value == "12"
    at.sidebar.multiselect[1].select("major").run()  # case class
    assert at.metric[0].value == "3"
    at.radio[0].set_value("class").run() if at.radio[0].label != "语言 / Language" else None
    assert not at.exception


def test_equivalence_calculator_live_results(app):
    at = _staff(app).run()
    at.switch_page("views/equivalence.py").run()
    scale = next(m for m in at.metric if m.label == "所需修复规模").value
    at.number_input(key=None) if False else None
    rate = next(n for n in at.number_input if n.label == "贴现率（%）")
    rate.set_value(5.0).run()
    assert not at.exception
    assert next(m for m in at.metric if m.label == "所需修复规模").value != scale
    assert any(b.label == "下载 Excel 计算表" for b in at.get("download_button"))
