"""The equivalence calculator's editor on the sample store: a scenario saved with uncertainty
(distributions for the discount rate and the area) loads back into the editor as it was saved."""
from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from .conftest import REPO, SAMPLE_TODAY, STAFF

APP = str(REPO / "dashboards" / "app.py")
CASE = "GX-2022-010"


@pytest.fixture
def calculator(staff_data, monkeypatch):
    monkeypatch.setenv("RESTORATION_DATA", str(staff_data))
    monkeypatch.setenv("RESTORATION_TILES", "none")
    monkeypatch.setenv("RESTORATION_TODAY", SAMPLE_TODAY)
    at = AppTest.from_file(APP, default_timeout=120)
    now = time.time()
    at.session_state["user"] = {"name": STAFF[0], "role": "supervisor", "region": "province",
                                "signed_in_at": now, "last_seen": now}
    at.switch_page("views/equivalence.py").run()
    assert not at.exception, at.exception
    return at


def _number(at, label):
    return next(n for n in at.number_input if n.label == label)


def _load(at, case_id):
    at.selectbox(key="eq_case_pick").set_value(case_id).run()
    next(b for b in at.button if b.label == "载入该案件的情景").click().run()


def test_an_uncertain_scenario_saved_from_the_editor_loads_back(calculator, store):
    from restoration.bank import case_scenario
    at = calculator
    at.selectbox(key="eq_case_pick").set_value(CASE).run()
    _number(at, "贴现率（%）").set_value(4.0).run()
    next(c for c in at.checkbox if c.label == "开启蒙特卡洛模拟").check().run()
    _number(at, "贴现率下限（%）").set_value(2.0)
    _number(at, "贴现率上限（%）").set_value(6.0)
    _number(at, "面积不确定幅度（±%）").set_value(20.0).run()
    assert not at.exception, at.exception
    next(b for b in at.button if b.label == "保存为该案件的评估情景").click().run()
    assert not at.exception, at.exception
    saved = case_scenario(store, CASE)["scenario"]
    assert saved["discount_rate"] == {"dist": "triangular", "min": 0.02, "mode": 0.04, "max": 0.06}
    assert saved["injury"]["area"]["dist"] == "triangular"
    area = saved["injury"]["area"]["mode"]

    _load(at, CASE)
    assert not at.exception, at.exception  # was: float(dict) on the stored distribution
    assert _number(at, "贴现率（%）").value == pytest.approx(4.0)
    assert _number(at, "面积").value == pytest.approx(area)
    assert next(c for c in at.checkbox if c.label == "开启蒙特卡洛模拟").value
    assert _number(at, "贴现率下限（%）").value == pytest.approx(2.0)
    assert _number(at, "贴现率上限（%）").value == pytest.approx(6.0)
    assert _number(at, "面积不确定幅度（±%）").value == pytest.approx(20.0)
    assert any(m.label == "所需修复规模" for m in at.metric)


def test_a_scenario_with_other_distributions_loads_with_their_central_value(calculator, store):
    """A scenario written by hand (or by the CLI) may hold a uniform rate and a normal area: the
    editor shows their central values instead of failing."""
    from restoration.bank import case_scenario, set_case_scenario
    scenario = case_scenario(store, CASE)["scenario"]
    scenario["discount_rate"] = {"dist": "uniform", "min": 0.02, "max": 0.04}
    injury = scenario["injury"][0] if isinstance(scenario["injury"], list) else scenario["injury"]
    injury["area"] = {"dist": "normal", "mean": 30.0, "sd": 2.0, "min": 20.0}
    scenario["uncertainty"] = {"draws": 500, "seed": 1}
    set_case_scenario(store, CASE, scenario, source="test", actor="tester")
    at = calculator
    _load(at, CASE)
    assert not at.exception, at.exception
    assert _number(at, "贴现率（%）").value == pytest.approx(3.0)
    assert _number(at, "面积").value == pytest.approx(30.0)
    assert _number(at, "贴现率下限（%）").value == pytest.approx(2.0)
    assert _number(at, "贴现率上限（%）").value == pytest.approx(4.0)
