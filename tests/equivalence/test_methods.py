"""Equal-resource and equal-value against sums written out by hand; API helpers; result dict."""
from __future__ import annotations

import json

import pytest

import equivalence as eq


def test_value_to_value_hand_sum():
    # injury: 10 mu (= 2/3 ha) at 0.5 of service 2020-2022, worth 9000 yuan/ha/yr; base year 2021
    # replacement: from 2021 at full service to 2023, worth 6000 yuan/ha/yr, scaled in mu
    scn = {"schema_version": 1, "method": "value", "mode": "value_to_value", "base_year": 2021,
           "discount_rate": 0.04,
           "injury": {"area": 10, "area_unit": "mu", "start_year": 2020, "end_year": 2022, "unit_value": 9000,
                      "levels": [[2020, 0.5]]},
           "replacement": {"start_year": 2021, "end_year": 2023, "area_unit": "mu", "unit_value": 6000,
                           "levels": [[2021, 1.0]]}}
    r = eq.run_scenario(scn)
    w = {2020: 1.04, 2021: 1.0, 2022: 1 / 1.04, 2023: 1 / 1.04**2}
    service_debit = (10 / 15) * 0.5 * (w[2020] + w[2021] + w[2022])
    assert r.debit == pytest.approx(service_debit, rel=1e-13)
    assert r.debit_value == pytest.approx(9000 * service_debit, rel=1e-13)
    credit_yuan_per_mu = 6000 / 15 * (w[2021] + w[2022] + w[2023])
    assert r.credit_per_unit == pytest.approx(credit_yuan_per_mu, rel=1e-13)
    assert r.required_scale == pytest.approx(r.debit_value / credit_yuan_per_mu, rel=1e-13)
    assert r.required_area_ha == pytest.approx(r.required_scale / 15, rel=1e-13)
    assert r.units["credit_per_unit"] == "yuan per mu"


def test_value_to_value_with_equal_unit_values_equals_service():
    base = {"schema_version": 1, "method": "service", "base_year": 2021, "discount_rate": 0.03,
            "injury": {"area": 5, "start_year": 2020, "end_year": 2030, "levels": [[2020, 0.2], [2030, 1.0]]},
            "replacement": {"start_year": 2022, "end_year": 2050, "levels": [[2022, 0], [2027, 1.0]]}}
    svc = eq.run_scenario(base)
    val = dict(base, method="value", mode="value_to_value")
    val["injury"] = dict(base["injury"], unit_value=12345)
    val["replacement"] = dict(base["replacement"], unit_value=12345)
    assert eq.run_scenario(val).required_scale == pytest.approx(svc.required_scale, rel=1e-13)


def test_value_to_cost_hand_sum_in_mu():
    scn = {"schema_version": 1, "method": "value", "mode": "value_to_cost", "base_year": 2020, "discount_rate": 0.02,
           "injury": {"area": 3, "start_year": 2020, "end_year": 2021, "unit_value": 1000, "levels": [[2020, 0.0]]},
           "replacement": {"unit_cost": 500, "area_unit": "mu"}}
    r = eq.run_scenario(scn)
    dv = 3 * 1000 * (1 + 1 / 1.02)
    assert r.debit_value == pytest.approx(dv, rel=1e-13)
    assert r.required_scale == pytest.approx(dv / 500, rel=1e-13) and r.scale_unit == "mu"
    assert r.required_area_ha == pytest.approx(dv / 500 / 15, rel=1e-13)
    assert r.credit_per_unit == 500 and r.credit_yearly is None


def test_resource_hand_sum_with_relative_value_and_unit():
    scn = {"schema_version": 1, "method": "resource", "base_year": 2020, "discount_rate": 0.05, "timing": "mid_year",
           "injury": {"start_year": 2020, "end_year": 2021, "lost_units": [[2020, 100], [2022, 0]]},
           "replacement": {"start_year": 2021, "end_year": 2022, "units_per_project_unit": [[2021, 10]],
                           "relative_value": 0.5, "area_unit": "mu"}}
    r = eq.run_scenario(scn)
    # lost units read at 2020.5 (75) and 2021.5 (25)
    debit = 75 * 1.05**-0.5 + 25 * 1.05**-1.5
    credit = 0.5 * 10 * (1.05**-1.5 + 1.05**-2.5)
    assert r.debit == pytest.approx(debit, rel=1e-13)
    assert r.credit_per_unit == pytest.approx(credit, rel=1e-13)
    assert r.required_scale == pytest.approx(debit / credit, rel=1e-13)
    assert r.required_area_ha == pytest.approx(debit / credit / 15, rel=1e-13)


def test_resource_without_area_unit_has_no_area():
    scn = {"schema_version": 1, "method": "REA", "base_year": 2020, "discount_rate": 0.03,
           "injury": {"start_year": 2020, "end_year": 2020, "lost_units": [[2020, 50]]},
           "replacement": {"start_year": 2020, "end_year": 2020, "units_per_project_unit": [[2020, 5]]}}
    r = eq.run_scenario(scn)
    assert r.method == "resource" and r.scale_unit == "project_unit" and r.required_area_ha is None
    assert r.required_scale == pytest.approx(10.0)


def test_api_helpers_equal_run_scenario():
    inj = {"area": 12, "start_year": 2020, "end_year": 2025, "levels": [[2020, 0.0], [2025, 1.0]]}
    rep = {"start_year": 2021, "end_year": 2040, "levels": [[2021, 0.0], [2023, 1.0]]}
    a = eq.service(inj, rep, base_year=2020, discount_rate=0.03)
    b = eq.run_scenario({"schema_version": 1, "method": "service", "base_year": 2020, "discount_rate": 0.03,
                         "injury": inj, "replacement": rep})
    assert a.to_dict()["required_scale"] == b.to_dict()["required_scale"]
    v = eq.value(dict(inj, unit_value=100), {"unit_cost": 50}, base_year=2020, discount_rate=0.03,
                 mode="value_to_cost")
    assert v.required_scale == pytest.approx(v.debit * 100 / 50)
    res = eq.resource({"start_year": 2020, "end_year": 2020, "lost_units": [[2020, 8]]},
                      {"start_year": 2020, "end_year": 2020, "units_per_project_unit": [[2020, 2]]},
                      base_year=2020, discount_rate=0.03)
    assert res.required_scale == pytest.approx(4.0)


def test_to_dict_is_json_and_echoes_inputs_with_defaults(make_service):
    r = eq.run_scenario(make_service())
    d = json.loads(json.dumps(r.to_dict()))
    for key in ("debit", "credit_per_unit", "required_scale", "required_area_ha", "scale_unit", "yearly",
                "inputs", "version", "software", "units", "trajectories"):
        assert key in d
    assert d["version"] == eq.__version__
    assert d["inputs"]["timing"] == "annual" and d["inputs"]["replacement"]["relative_value"] == 1.0
    row = d["yearly"]["debit"][0]
    assert {"year", "level", "loss", "weight", "contribution"} <= set(row)
    assert {"year", "level", "gain", "weight", "contribution"} <= set(d["yearly"]["credit"][0])
    assert "percentiles" not in d
    assert "等服务" in r.summary()
