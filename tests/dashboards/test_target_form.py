"""The Case page's targets form (monitoring tab) through Streamlit's AppTest, on both backends:
a new target and an edit land in the store, audited; refused values are worded in the page's
language and write nothing; a target changed meanwhile is a conflict; only the plan's roles see
the form; the empty states name the import command and the form."""
from __future__ import annotations

import re
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from restoration import auth
from restoration.access import Actor
from restoration.monitoring.targets import revision, set_target, stored_target

from ..conftest import store_fingerprint
from .conftest import REPO, SAMPLE_TODAY, signed_in
from .text_checks import raw_text_problems, wrong_language_messages

APP = str(REPO / "dashboards" / "app.py")


@pytest.fixture
def app(staff_data, monkeypatch):
    monkeypatch.setenv("RESTORATION_DATA", str(staff_data))
    monkeypatch.setenv("RESTORATION_TILES", "none")
    monkeypatch.setenv("RESTORATION_TODAY", SAMPLE_TODAY)
    return AppTest.from_file(APP, default_timeout=120)


def _case(app, case_id, lang="zh", role="supervisor", name="supervisor1"):
    signed_in(app, name=name, role=role)
    if lang == "en":
        app.session_state["lang"] = "en"
    app.session_state["case_id"] = case_id
    at = app.switch_page("views/case.py").run()
    assert not at.exception, at.exception
    return at


def _text(at) -> str:
    parts = [e.value for kind in (at.subheader, at.caption, at.markdown, at.info, at.error, at.warning, at.success)
             for e in kind]
    parts += [df.value.to_csv() for df in at.dataframe]
    for w in list(at.selectbox) + list(at.number_input) + list(at.text_input) + list(at.date_input):
        parts.append(w.label)
    for sb in at.selectbox:
        parts += [str(o) for o in sb.options]
    parts += [b.label for b in at.button]
    return re.sub(r"`[^`]*`", "", "\n".join(str(p) for p in parts))  # commands (in `code`) are not wording


def _save(at, label="保存指标目标"):
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception
    return at


def _field(widgets, label):
    return next(w for w in widgets if w.label == label)


def test_a_case_without_targets_names_the_import_and_sets_one_in_the_form(app, store):
    at = _case(app, "GX-2023-007")  # 尾矿库: a damaged field and an off-site restoration site, no targets
    infos = "\n".join(i.value for i in at.info)
    assert "本案尚未设定监测指标目标" in infos
    assert "restoration import targets" in infos and "设定监测指标目标" in infos  # the command and the form
    assert "设定监测指标目标" in [s.value for s in at.subheader]
    _field(at.selectbox, "场地").set_value("S008").run()
    site = _field(at.selectbox, "场地")
    assert site.format_func("S008") == "S008 · 异地土壤修复示范区"  # id and name, never a bare code
    _field(at.selectbox, "监测指标").set_value("cd").run()
    assert _field(at.selectbox, "监测指标").format_func("cd") == "镉"
    assert "为场地 S008 新设镉目标" in _text(at)
    assert _field(at.selectbox, "目标方向").format_func("lower") == "越低越好"
    assert [_field(at.selectbox, "单位").format_func(u) for u in _field(at.selectbox, "单位").options][:2] == \
        ["mg/kg", "μg/kg"]
    _field(at.number_input, "基线值").set_value(3.2)
    _field(at.number_input, "目标值").set_value(0.6)
    _field(at.date_input, "基线日期").set_value(date(2025, 3, 1))
    _field(at.date_input, "目标日期").set_value(date(2028, 3, 1))
    _field(at.text_input, "计划轨迹（年份:数值，可不填）").input("2025:3.2; 2026:2.0; 2028:0.6")
    _save(at)
    assert any("已保存场地 S008 的镉目标" in s.value for s in at.success)
    saved = stored_target(store, "S008", "cd")
    assert (saved["baseline"], saved["target"], saved["direction"], saved["unit"]) == (3.2, 0.6, "lower", "mg/kg")
    assert saved["planned_trajectory"] == [[2025, 3.2], [2026, 2.0], [2028, 0.6]]
    audit = store.read("audit_log", layer="indicator_targets", record_id="S008").iloc[-1]
    assert audit["actor"] == "supervisor1" and audit["before"] is None and audit["after"]["target"] == 0.6
    # the progress table of the case now holds the target (no samples yet: 无数据)
    progress = next(df.value for df in at.dataframe if "进度（%）" in df.value.columns)
    assert "S008 异地土壤修复示范区" in progress.iloc[:, 0].tolist() and "无数据" in progress.to_csv()
    text = _text(at)
    problems = raw_text_problems(text, "zh") + wrong_language_messages(text, "zh")
    assert not problems, [text[max(0, text.find(p) - 80):text.find(p) + 40] for p in problems]


def test_an_existing_target_is_shown_and_edited(app, store):
    at = _case(app, "GX-2022-010")
    _field(at.selectbox, "场地").set_value("S016").run()
    assert _field(at.selectbox, "监测指标").value == "ndvi"  # the site's set indicator comes first
    assert _field(at.selectbox, "监测指标").format_func("ndvi") == "归一化植被指数（已设定）"
    assert "修改场地 S016 的归一化植被指数目标" in _text(at)
    assert _field(at.number_input, "基线值").value == pytest.approx(0.18)
    assert _field(at.number_input, "目标值").value == pytest.approx(0.62)
    assert _field(at.text_input, "计划轨迹（年份:数值，可不填）").value == "2023.8:0.18; 2026.8:0.62"
    assert _field(at.selectbox, "参照场地").format_func("S018") == "S018 · 岩溶植被参照区"
    _field(at.number_input, "目标值").set_value(0.7)
    _field(at.text_input, "计划轨迹（年份:数值，可不填）").input("2023.8:0.18; 2027.8:0.7")
    _save(at)
    assert any("已保存场地 S016 的归一化植被指数目标" in s.value for s in at.success)
    saved = stored_target(store, "S016", "ndvi")
    assert saved["target"] == 0.7 and saved["reference_site_id"] == "S018" and saved["baseline"] == 0.18
    audit = store.read("audit_log", layer="indicator_targets", record_id="S016").iloc[-1]
    assert audit["before"]["target"] == 0.62 and audit["after"]["target"] == 0.7
    assert store.count("indicator_targets", site_id="S016") == 1
    assert _field(at.number_input, "目标值").value == pytest.approx(0.7)  # the form shows the saved target
    assert not any("已被他人修改" in i.value for i in at.info)  # one's own save is no conflict
    _field(at.number_input, "基线值").set_value(0.2)  # and the next edit goes through
    _save(at)
    assert stored_target(store, "S016", "ndvi")["baseline"] == 0.2


def test_refused_values_are_worded_in_chinese_and_write_nothing(app, store):
    at = _case(app, "GX-2022-010")
    _field(at.selectbox, "场地").set_value("S016").run()
    before = store_fingerprint(store)
    _field(at.number_input, "目标值").set_value(0.18)  # the baseline
    _field(at.text_input, "计划轨迹（年份:数值，可不填）").input("2026:0.5; 2024:0.2")
    _save(at)
    errors = "\n".join(e.value for e in at.error)
    assert "目标值与基线值相同" in errors and "时间须递增" in errors and "计划轨迹" in errors
    assert "progress cannot" not in errors and "must increase" not in errors
    assert store_fingerprint(store) == before
    assert "字段“目标值”" in errors and "字段“计划轨迹”" in errors  # the form's own field names, no row
    assert "planned" not in errors and "indicator" not in errors and "第 1 行" not in errors
    at.run()  # refused: what was typed stays in the form
    assert _field(at.number_input, "目标值").value == pytest.approx(0.18)
    assert _field(at.text_input, "计划轨迹（年份:数值，可不填）").value == "2026:0.5; 2024:0.2"
    assert store_fingerprint(store) == before


def test_a_new_target_needs_its_baseline_and_target(app, store):
    at = _case(app, "GX-2023-007")
    _field(at.selectbox, "场地").set_value("S008").run()
    assert _field(at.number_input, "基线值").value is None and _field(at.number_input, "目标值").value is None
    before = store_fingerprint(store)
    _field(at.number_input, "基线值").set_value(3.0)
    _save(at)
    assert any("请填写基线值和目标值" in e.value for e in at.error)
    assert store_fingerprint(store) == before


def test_a_target_changed_meanwhile_is_a_conflict(app, store):
    at = _case(app, "GX-2022-010")
    _field(at.selectbox, "场地").set_value("S016").run()
    current = stored_target(store, "S016", "ndvi")
    set_target(store, {**current, "target": 0.66}, Actor("other.user", "supervisor"), expected=revision(current))
    _field(at.number_input, "目标值").set_value(0.75)
    _save(at)
    warnings = "\n".join(w.value for w in at.warning)
    assert "保存冲突" in warnings and "other.user" in warnings and "修改了场地 S016 的归一化植被指数目标" in warnings
    assert stored_target(store, "S016", "ndvi")["target"] == 0.66
    assert any("已被他人修改" in i.value for i in at.info)  # and the page says so until reloaded
    next(b for b in at.button if b.label == "重新载入").click().run()
    assert not any("已被他人修改" in i.value for i in at.info)
    assert _field(at.number_input, "目标值").value == pytest.approx(0.66)


def test_in_english(app, store):
    at = _case(app, "GX-2023-007", lang="en")
    infos = "\n".join(i.value for i in at.info)
    assert "restoration import targets" in infos and "Set indicator targets" in infos
    _field(at.selectbox, "Site").set_value("S008").run()
    _field(at.selectbox, "Indicator").set_value("vegetation_cover").run()
    assert _field(at.selectbox, "Direction").format_func("higher") == "higher is better"
    assert _field(at.selectbox, "Indicator").format_func("vegetation_cover") == "vegetation cover"
    _field(at.number_input, "Baseline").set_value(30.0)
    _field(at.number_input, "Target").set_value(20.0)
    _save(at, "Save target")
    errors = "\n".join(e.value for e in at.error)
    assert "the target 20 is below the baseline 30" in errors and "目标" not in errors
    _field(at.number_input, "Target").set_value(85.0)
    _save(at, "Save target")
    assert any("Saved the vegetation cover target of site S008" in s.value for s in at.success), \
        [e.value for e in at.error]
    assert stored_target(store, "S008", "vegetation_cover")["target"] == 85.0
    problems = raw_text_problems(_text(at), "en") + wrong_language_messages(_text(at), "en")
    assert not problems, problems


@pytest.mark.parametrize("role", ["readonly", "planner", "appraiser"])
def test_only_the_plan_roles_see_the_form(app, staff_data, role):
    auth.add_user(staff_data, f"a.{role}", "Role-pass-2026!", role)
    at = _case(app, "GX-2022-010", role=role, name=f"a.{role}")
    assert "设定监测指标目标" in [s.value for s in at.subheader]
    assert not any(b.label == "保存指标目标" for b in at.button)
    assert any("设定监测指标目标" in c.value and ":material/lock:" in c.value for c in at.caption)


def test_the_monitoring_page_empty_state_names_both_ways(app, store):
    with store.transaction("test") as tx:
        tx.delete_matching("indicator_targets", store.read("indicator_targets")[["site_id", "indicator"]])
    signed_in(app)
    at = app.switch_page("views/monitoring.py").run()
    assert not at.exception
    text = "\n".join(i.value for i in at.info)
    assert "restoration import targets" in text and "案件页“监测与效果评估”标签" in text and "设定监测指标目标" in text
    at.session_state["lang"] = "en"
    at.run()
    text = "\n".join(i.value for i in at.info)
    assert "restoration import targets" in text and "\"Set indicator targets\" on the Case page" in text
