"""Every page through Streamlit's AppTest on the sample store."""
from __future__ import annotations

import re
import time

import pytest
from streamlit.testing.v1 import AppTest

from .conftest import ONE_BACKEND, REPO, SAMPLE_TODAY, STAFF

APP = str(REPO / "dashboards" / "app.py")
STAFF_PAGES = ["views/overview.py", "views/case.py", "views/bank.py", "views/monitoring.py",
               "views/equivalence.py", "views/appraisal.py"]


@pytest.fixture
def app(staff_data, monkeypatch):
    monkeypatch.setenv("RESTORATION_DATA", str(staff_data))
    monkeypatch.setenv("RESTORATION_TILES", "none")
    monkeypatch.setenv("RESTORATION_TODAY", SAMPLE_TODAY)  # the sample's "now": results don't drift
    return AppTest.from_file(APP, default_timeout=120)


def _staff(app):
    now = time.time()
    app.session_state["user"] = {"name": STAFF[0], "role": "supervisor", "region": "province",
                                 "signed_in_at": now, "last_seen": now}
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
    at = _staff(app)  # straight to the page (no overview render first)
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
    at = _staff(app)  # straight to the page (no overview render first)
    at.switch_page("views/equivalence.py").run()
    scale = next(m for m in at.metric if m.label == "所需修复规模").value
    rate = next(n for n in at.number_input if n.label == "贴现率（%）")
    rate.set_value(5.0).run()
    assert not at.exception
    assert next(m for m in at.metric if m.label == "所需修复规模").value != scale
    assert any(b.label == "下载 Excel 计算表" for b in at.get("download_button"))


def test_bank_page_reserve_and_refusal(app, store):
    at = _staff(app)  # straight to the page (no overview render first)
    at.switch_page("views/bank.py").run()
    assert not at.exception
    at.selectbox(key="bank_case").set_value("GX-2023-015").run()
    before = store.count("bank_allocations")
    form_amount = next(n for n in at.number_input if n.label.startswith("预留数量"))
    form_amount.set_value(1.0)
    next(b for b in at.button if b.label == "预留").click().run()
    assert not at.exception and not at.error
    assert store.count("bank_allocations") == before + 1
    assert any("已预留" in s.value for s in at.success)  # the write is confirmed
    # more than any project holds: a readable refusal, nothing written
    next(n for n in at.number_input if n.label.startswith("预留数量")).set_value(1e9)
    next(b for b in at.button if b.label == "预留").click().run()
    assert not at.exception
    assert at.error and "容量不足" in at.error[0].value and "公顷" in at.error[0].value  # worded in Chinese
    assert not re.search(r"capacity|remaining|reserved", at.error[0].value)
    assert store.count("bank_allocations") == before + 1


@ONE_BACKEND  # the review's store writes run on both backends in tests/bank/test_review.py
def test_bank_page_polygon_review_and_unit_words(app, store):
    at = _staff(app)
    at.switch_page("views/bank.py").run()
    assert not at.exception
    text = _texts(at)
    assert "尾（鱼苗）" in text and "吨二氧化碳当量" in text  # resource units in words, not codes
    assert "fish_fry" not in text and "tCO2e" not in text
    assert "图斑审核" in text and "尚无审核记录" in text  # the sample's polygons predate reviews
    at.selectbox(key="bank_review_project").set_value("BP13").run()
    at.radio(key="bank_review_decision").set_value("needs_changes")
    next(b for b in at.button if b.label == "记录审核结论").click().run()
    assert not at.exception and at.error and "需填写审核意见说明理由" in at.error[0].value
    assert "--note" not in at.error[0].value and "needs_changes" not in at.error[0].value
    assert store.read("bank_polygon_reviews").empty  # refused: nothing written
    at.radio(key="bank_review_decision").set_value("needs_changes")
    at.text_area(key="bank_review_note").set_value("<script>alert(1)</script> 北侧边界与林权证不符")
    next(b for b in at.button if b.label == "记录审核结论").click().run()
    assert not at.exception and not at.error
    row = store.read("bank_polygon_reviews", project_id="BP13").iloc[-1]
    assert (row["status"], row["actor"]) == ("needs_changes", STAFF[0])
    assert row["note"].startswith("<script>")
    assert any("已记录 BP13 的图斑审核：需修改" in s.value for s in at.success)
    assert "当前：需修改（" in _texts(at)


def _case_page(app, case_id):
    at = _staff(app)  # straight to the case page (no overview render first)
    at.session_state["case_id"] = case_id
    at.switch_page("views/case.py").run()
    assert not at.exception, at.exception
    return at


def test_case_page_sections(app):
    at = _case_page(app, "GX-2023-015")
    assert at.title[0].value == "红河口县某企业非法排污致河岸带受损案"
    labels = [m.label for m in at.metric]
    for label in ("办理阶段", "案件类别", "损害数额", "逾期欠缴", "已落实比例", "所需修复规模"):
        assert label in labels, label
    arrears = next(m for m in at.metric if m.label == "逾期欠缴").value
    assert arrears == "11.00 万元"  # the sample's unpaid instalments


def test_inspection_form_writes_and_bad_form_writes_nothing(app, store):
    at = _case_page(app, "GX-2023-009")
    events = store.count("case_events")
    version = store.get("cases", "GX-2023-009")["version"]
    # a bad form: no findings -> a readable error, nothing written
    inspector = next(w for w in at.text_input if w.label == "巡查人")
    inspector.input("王工")
    next(b for b in at.button if b.label == "保存").click().run()
    assert not at.exception
    assert any("请填写巡查发现" in e.value for e in at.error)
    assert store.count("case_events") == events
    # a good form: the inspection lands in the store with the case's version bumped
    next(w for w in at.text_input if w.label == "巡查人").input("王工")
    next(w for w in at.text_area if w.label == "巡查发现").input("补植苗木成活率约85%，局部需补种")
    next(b for b in at.button if b.label == "保存").click().run()
    assert not at.exception
    assert not [e for e in at.error if "未保存" in e.value or "请填写" in e.value]
    assert any("已保存" in s.value and "巡查记录" in s.value for s in at.success)
    assert store.count("case_events") == events + 1
    last = store.read("case_events", case_id="GX-2023-009").iloc[-1]
    assert last["event_type"] == "inspection" and last["details"]["inspector"] == "王工"
    assert store.get("cases", "GX-2023-009")["version"] == version + 1
    # written: the form starts empty for the next inspection
    assert next(w for w in at.text_input if w.label == "巡查人").value == ""
    assert next(w for w in at.text_area if w.label == "巡查发现").value == ""


def test_event_form_conflict_is_shown_as_such(app, store):
    at = _case_page(app, "GX-2023-009")
    # someone else saves the case after the page was built
    from restoration.cases import update_case
    update_case(store, "GX-2023-009", {"liable_party": "另一人修改"}, "other.user")
    next(w for w in at.text_input if w.label == "巡查人").input("王工")
    next(w for w in at.text_area if w.label == "巡查发现").input("正常")
    events = store.count("case_events")
    next(b for b in at.button if b.label == "保存").click().run()
    assert not at.exception
    assert any("保存冲突" in w.value and "已被 other.user" in w.value and "案件 GX" in w.value for w in at.warning), \
        [w.value for w in at.warning]  # worded in the page's language
    assert not any("was changed" in w.value for w in at.warning)
    assert store.count("case_events") == events
    # refused: what was typed is kept, also on the next run (the form's key changed)
    at.run()
    assert next(w for w in at.text_input if w.label == "巡查人").value == "王工"
    assert next(w for w in at.text_area if w.label == "巡查发现").value == "正常"


def test_refused_event_shows_the_rule(app, store):
    at = _case_page(app, "GX-2025-002")  # filed, not yet investigated
    sel = next(s for s in at.selectbox if s.label == "事件类型")
    assert sel.value is None and "结案" not in sel.options  # only what may come next, none preselected
    assert "启动损害调查" in sel.options
    sel.set_value("not_started").run()  # offered; its reason is left unchosen
    note = [w for w in at.text_area if w.label == "说明"]
    note[-1].input("结案材料已齐")
    buttons = [b for b in at.button if b.label == "保存"]
    buttons[-1].click().run()
    assert not at.exception
    assert at.error and "未保存任何内容" in at.error[0].value
    at.run()  # refused: the typed note is still there on the next run
    assert [w for w in at.text_area if w.label == "说明"][-1].value == "结案材料已齐"


def test_downloads_offered(app):
    at = _staff(app).run()
    labels = [b.label for b in at.get("download_button")]
    assert "下载案件登记表（Excel）" in labels and "下载图层（GeoPackage）" in labels
    at = _case_page(app, "GX-2023-015")
    assert "下载案件报告（可打印 HTML）" in [b.label for b in at.get("download_button")]


def test_calculator_loads_and_saves_case_scenarios(app, store):
    import equivalence
    from restoration.bank import case_scenario
    at = _staff(app)  # straight to the page (no overview render first)
    at.switch_page("views/equivalence.py").run()
    at.selectbox(key="eq_case_pick").set_value("GX-2022-010").run()
    next(b for b in at.button if b.label == "载入该案件的情景").click().run()
    assert not at.exception
    expected = equivalence.run_scenario(case_scenario(store, "GX-2022-010")["scenario"])
    shown = next(m for m in at.metric if m.label == "所需修复规模").value
    assert shown == f"{expected.required_scale:,.2f} 公顷"
    before = store.count("case_scenarios")
    next(b for b in at.button if b.label == "保存为该案件的评估情景").click().run()
    assert not at.exception and store.count("case_scenarios") == before + 1
    assert any("已保存" in s.value for s in at.success)


def test_public_page_shows_restoration_results(app, store):
    from restoration.monitoring import evaluate_case
    evaluate_case(store, "GX-2022-011", as_of="2026-11-20", actor="tester")  # a disclosed case: fails on COD
    at = app.run()
    table = at.dataframe[0].value
    row = table[table["案件编号"] == "GX-2022-011"].iloc[0]
    assert row["修复效果评估结论"] == "未达标"


def test_overview_survives_a_case_with_an_unknown_rule_profile(app, store):
    """A store written by an older version (or GDAL/QGIS) names a profile this installation does
    not have: the overview still shows every other case and names the bad one, escaped."""
    with store.transaction("qgis") as tx:
        tx.update("cases", "GX-2025-002", {"profile": "hai*nan_[x](y)"})
    at = _staff(app).run()
    assert not at.exception, at.exception
    assert at.metric[0].label == "在办案件" and at.metric[0].value == "12"  # the bad case is still a case
    warning = "\n".join(w.value for w in at.warning)
    assert "案件 GX\\-2025\\-002 的规则配置“hai\\*nan\\_\\[x\\]\\(y\\)”不可用" in warning, warning
    assert "guangxi, national, zhejiang" in warning
    at.sidebar.radio[0].set_value("en").run()
    assert not at.exception
    assert "rule profile 'hai\\*nan" in "\n".join(w.value for w in at.warning)
    # the bad case's own page: readable errors in its panels, no traceback
    at.sidebar.radio[0].set_value("zh").run()
    at.session_state["case_id"] = "GX-2025-002"
    at.switch_page("views/case.py").run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert any("规则配置“hai\\*nan\\_\\[x\\]\\(y\\)”不存在" in e for e in errors), errors  # in the page's language
    assert not any("unknown rule profile" in e for e in errors), errors


def test_invalid_calculator_input_clears_the_result(app):
    at = _staff(app)  # straight to the calculator (no overview render first)
    at.switch_page("views/equivalence.py").run()
    assert any(m.label == "所需修复规模" for m in at.metric)
    next(n for n in at.number_input if n.label == "面积").set_value(-5.0).run()
    assert not at.exception
    assert at.error and "面积" in at.error[0].value and "必须大于 0" in at.error[0].value
    assert not any(m.label == "所需修复规模" for m in at.metric)  # no stale result left on screen
    assert not any(b.label == "保存为该案件的评估情景" for b in at.button)
    # a value the editor accepts but the engine refuses: the engine's problem, in Chinese, at the field
    next(n for n in at.number_input if n.label == "面积").set_value(40.0)
    next(n for n in at.number_input if n.label == "相对价值").set_value(0.0).run()
    assert not at.exception and not any(m.label == "所需修复规模" for m in at.metric)
    shown = at.error[0].value.replace("\\", "") if at.error else ""  # markdown escapes removed
    assert "替代修复 › 相对价值：相对价值须 > 0，当前为 0" in shown and not re.search(r"[A-Za-z]{3,}", shown), shown


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_pages_on_an_empty_store_explain_what_is_missing(staff_data, monkeypatch, tmp_path, page):
    from .stores import build_empty
    data = tmp_path / "empty"
    build_empty(data)
    from restoration import auth
    auth.add_user(data, STAFF[0], STAFF[1], "supervisor")  # the session guard checks the account exists
    monkeypatch.setenv("RESTORATION_DATA", str(data))
    monkeypatch.delenv("RESTORATION_DB", raising=False)  # this store is the empty GeoPackage just built
    monkeypatch.setenv("RESTORATION_TODAY", SAMPLE_TODAY)
    at = _staff(AppTest.from_file(APP, default_timeout=120))
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    if page not in ("views/equivalence.py", "views/appraisal.py"):  # calculators work without data
        assert any("restoration import" in i.value for i in at.info), [i.value for i in at.info]


def test_the_upload_limit_told_is_the_one_enforced():
    """Streamlit's upload cap (config file and `restoration demo`'s server) is the store's
    per-attachment limit, and the uploader's words name it in both languages."""
    import tomllib
    from pathlib import Path

    from dashboards.i18n import t
    from restoration.cases.attachments import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENT_MB
    from restoration.serve import streamlit_command
    config = tomllib.loads((Path(__file__).parents[2] / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == MAX_ATTACHMENT_MB == MAX_ATTACHMENT_BYTES // 1_000_000
    cmd = streamlit_command(Path("app.py"), 8501)
    assert cmd[cmd.index("--server.maxUploadSize") + 1] == str(MAX_ATTACHMENT_MB)
    for lang in ("zh", "en"):
        assert f"{MAX_ATTACHMENT_MB} MB" in t("upload.limit", lang, mb=MAX_ATTACHMENT_MB, n=20)
