"""The appraisal calculator page: the worked example, the implied class, recording on a case."""
from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from restoration import auth

from .conftest import REPO, SAMPLE_TODAY, signed_in

APP = str(REPO / "dashboards" / "app.py")


@pytest.fixture
def at(staff_data, monkeypatch):
    monkeypatch.setenv("RESTORATION_DATA", str(staff_data))
    monkeypatch.setenv("RESTORATION_TILES", "none")
    monkeypatch.setenv("RESTORATION_TODAY", SAMPLE_TODAY)
    app = AppTest.from_file(APP, default_timeout=120)
    signed_in(app).switch_page("views/appraisal.py").run()  # straight to the page
    return app


def _calc(at):
    """The calculation table (the unit-cost editor is a data frame too)."""
    frames = [df.value for df in at.dataframe if len(df.value.columns) == 7]
    assert frames
    return frames[-1]


def _all_text(at) -> str:
    parts = [e.value for e in at.markdown] + [e.value for e in at.info] + [e.value for e in at.warning]
    parts += [str(m.value) for m in at.metric]
    for df in at.dataframe:
        parts.append(df.value.to_csv())
    return "\n".join(map(str, parts))


def test_worked_example_in_chinese_with_unverified_flags(at):
    assert not at.exception, at.exception
    # defaults: E = 12000 m³, C = 3.5 survey; α = ω = 1 (typed), τ from κ = 2.5 → 1.25
    at.number_input(key="ap_alpha_gbt39793_2").set_value(1.5).run()
    at.number_input(key="ap_omega_gbt39793_2").set_value(1.25).run()
    text = _all_text(at)
    assert "98,437.50" in text and "9.84 万元" in text
    assert "可按简易案件办理" in text and "未核实" in text
    table = _calc(at)
    assert list(table.columns) == ["步骤", "符号", "名称", "数值", "单位", "来源", "核实"]
    assert not table.astype(str).isin(["None", "nan"]).any().any()
    # the unverified values and every source in Chinese (the coefficient file's source_zh)
    warning = at.warning[0].value
    assert "τ = 1.25" in warning and "未与标准原文核对" in warning
    english = re.compile(r"secondary|not checked|source|available|quoted", re.I)
    assert not english.search(warning), warning
    assert not table["来源"].astype(str).str.contains(english).any(), table["来源"].tolist()


def test_amount_above_the_cap_and_english(at):
    at.number_input(key="ap_e").set_value(200000.0).run()
    assert "不能按简易案件办理" in _all_text(at)
    at.sidebar.radio[0].set_value("en").run()
    assert "cannot be handled as simple" in _all_text(at)
    assert list(_calc(at).columns)[:3] == ["Step", "Symbol", "Name"]


def test_record_on_case_sets_the_amount(at, staff_data):
    from restoration import config
    from restoration.store import open_store
    buttons = [b for b in at.button if "保存" in b.label]
    assert buttons
    case_id = at.selectbox(key="ap_case").value
    buttons[0].click().run()
    assert not at.exception
    assert any("已记录" in s.value for s in at.success)
    assert any(b.label == "下载该案件的鉴定评估表（Excel）" for b in at.get("download_button"))
    store = open_store(config.store_location(staff_data), create=False)  # the GeoPackage or $RESTORATION_DB
    case = store.get("cases", case_id)
    assert case["damage_amount_source"] == "claim_items" and case["damage_amount_yuan"] == pytest.approx(12000 * 3.5 * 1.25)


def test_bad_input_is_a_message_not_a_traceback(at):
    at.number_input(key="ap_z_gbt39793_2").set_value(50.0).run()  # below the limit: no tier
    assert not at.exception
    assert at.error and "κ = 0" in at.error[0].value
    shown = at.error[0].value.replace("\\", "")  # in Chinese, with the field's name: no English sentence
    assert "实测浓度未超过标准限值" in shown and "超标倍数" in shown and not re.search(r"[a-z]{4,}", shown), shown


def test_case_page_shows_where_the_amount_came_from(at, staff_data):
    from restoration.appraisal import appraise_abatement, record_appraisal
    from restoration import config
    from restoration.store import open_store
    store = open_store(config.store_location(staff_data), create=False)  # the GeoPackage or $RESTORATION_DB
    cases = store.read("cases")
    first, second = cases["case_id"].iloc[0], cases["case_id"].iloc[1]
    spec = {"standard": "multiplier_2017", "function_class": "surface_water_III",
            "discharge": {"amount": 10, "unit": "t", "source": "x"},
            "unit_cost": {"value": 1000, "basis": "survey", "source": "y"},
            "coefficients": {"k": {"value": 5, "source": "z"}}}
    row = record_appraisal(store, first, appraise_abatement(spec), appraiser="<b>王五</b>", actor="t",
                           appraised_on="2025-01-02")
    at.switch_page("views/case.py").run()
    at.selectbox[0].set_value(first).run()
    assert not at.exception, at.exception
    texts = [e.value for e in at.text]
    assert any(row["appraisal_id"] in x and "<b>王五</b>" in x and "2025-01-02" in x and "未经核实" in x
               for x in texts), texts
    at.selectbox[0].set_value(second).run()
    texts = [e.value for e in at.text]
    assert any("手工录入" in x for x in texts) or store.get("cases", second)["damage_amount_yuan"] is None


def test_page_on_an_empty_store(empty_store, monkeypatch):
    """No cases yet: the calculator works and says there is no case to record on."""
    monkeypatch.setenv("RESTORATION_DATA", str(empty_store.data_dir))
    monkeypatch.setenv("RESTORATION_TILES", "none")
    app = AppTest.from_file(APP, default_timeout=120)
    auth.add_user(empty_store.data_dir, "appraiser1", "Appraiser-pass-2026", "appraiser")
    signed_in(app, "appraiser1", "appraiser").run()
    app.switch_page("views/appraisal.py").run()
    assert not app.exception, app.exception
    # the empty case list says so, and which command imports cases
    assert any(i.value.startswith("平台中还没有案件。") and "restoration import cases" in i.value for i in app.info)
    assert "52,500.00" in _all_text(app)  # the defaults: 12000 × 3.5 × 1 × 1.25 × 1
