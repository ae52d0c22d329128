"""Validation errors name the key path and say what is wrong."""
from __future__ import annotations

import json

import pytest

import equivalence as eq
from equivalence import ScenarioError


def _err(scn) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        eq.run_scenario(scn)
    return info.value


def test_missing_discount_rate(make_service):
    scn = make_service()
    del scn["discount_rate"]
    e = _err(scn)
    assert e.path == "discount_rate" and "required" in e.message


def test_negative_area(make_service):
    scn = make_service()
    scn["injury"]["area"] = -5
    e = _err(scn)
    assert e.path == "injury.area" and "> 0" in e.message


def test_levels_out_of_year_order(make_service):
    scn = make_service()
    scn["injury"]["levels"] = [[2019, 0.25], [2022, 0.25], [2020, 1.0]]
    e = _err(scn)
    assert e.path == "injury.levels[2]" and "2020" in e.message and "order" in e.message


def test_repeated_year(make_service):
    scn = make_service()
    scn["injury"]["levels"] = [[2019, 0.25], [2022, 0.25], [2022, 1.0]]
    e = _err(scn)
    assert str(e) == "injury.levels[2]: year 2022 repeats"


def test_start_after_end(make_service):
    scn = make_service()
    scn["injury"]["start_year"] = 2035
    e = _err(scn)
    assert e.path == "injury.start_year" and "after" in e.message


def test_perpetuity_with_zero_rate(make_service):
    scn = make_service(discount_rate=0.0)
    scn["injury"]["end_year"] = "perpetuity"
    e = _err(scn)
    assert e.path == "discount_rate" and "perpetuity" in e.message and "positive" in e.message


def test_perpetuity_with_rate_distribution_reaching_zero(make_service):
    scn = make_service(discount_rate={"dist": "uniform", "min": 0.0, "max": 0.05})
    scn["replacement"]["end_year"] = "perpetuity"
    e = _err(scn)
    assert e.path == "discount_rate" and "> 0" in e.message


def test_unknown_unit(make_service):
    scn = make_service()
    scn["injury"]["area_unit"] = "acre"
    e = _err(scn)
    assert e.path == "injury.area_unit" and "acre" in e.message and "mu" in e.message


def test_replacement_that_never_gains(make_service):
    scn = make_service()
    scn["replacement"]["levels"] = [[2025, 0.3]]
    scn["replacement"]["initial_level"] = 0.3
    e = _err(scn)
    assert e.path == "replacement.levels" and "never rises" in e.message


def test_replacement_gaining_only_after_its_end(make_service):
    scn = make_service()
    scn["replacement"]["levels"] = [[2070, 0.0], [2080, 1.0]]
    e = _err(scn)
    assert e.path == "replacement.levels"


def test_resource_replacement_without_units():
    scn = {"schema_version": 1, "method": "resource", "base_year": 2020, "discount_rate": 0.03,
           "injury": {"start_year": 2020, "end_year": 2022, "lost_units": [[2020, 10]]},
           "replacement": {"start_year": 2021, "end_year": 2030, "units_per_project_unit": [[2021, 0]]}}
    e = _err(scn)
    assert e.path == "replacement.units_per_project_unit" and "no units" in e.message


@pytest.mark.parametrize("mutate,path,words", [
    (lambda s: s.pop("schema_version"), "schema_version", "required"),
    (lambda s: s.update(schema_version=2), "schema_version", "unsupported"),
    (lambda s: s.update(method="habitat"), "method", "unknown method"),
    (lambda s: s.update(discount_rate=3), "discount_rate", "percentage"),
    (lambda s: s.update(discount_rate="3%"), "discount_rate", "0.03"),
    (lambda s: s.update(discount_rate=-0.01), "discount_rate", ">= 0"),
    (lambda s: s.update(timing="monthly"), "timing", "mid_year"),
    (lambda s: s.update(mode="value_to_cost"), "mode", "only method value"),
    (lambda s: s.update(discount_rte=0.03), "discount_rte", "did you mean 'discount_rate'"),
    (lambda s: s["injury"].pop("levels"), "injury.levels", "required"),
    (lambda s: s["injury"].update(levels=[]), "injury.levels", "at least one"),
    (lambda s: s["injury"].update(levels=[[2019, -0.1]]), "injury.levels[0][1]", ">= 0"),
    (lambda s: s["injury"].update(levels=[[2019.5, 0.1]]), "injury.levels[0]", "whole number"),
    (lambda s: s["injury"].update(levels=[[2019]]), "injury.levels[0]", "[year, value]"),
    (lambda s: s["injury"].update(baseline=0), "injury.baseline", "> 0"),
    (lambda s: s["injury"].update(end_year="forever"), "injury.end_year", "number"),
    (lambda s: s["injury"].update(area={"dist": "triangular", "min": 0, "mode": 5, "max": 9}), "injury.area", "> 0"),
    (lambda s: s["injury"].update(area={"dist": "triangular", "min": 1, "mode": 12, "max": 9}), "injury.area.mode",
     "outside"),
    (lambda s: s["injury"].update(area={"dist": "weibull", "k": 1}), "injury.area.dist", "unknown distribution"),
    (lambda s: s["injury"].update(area={"dist": "normal", "mean": 5}), "injury.area.sd", "required"),
    (lambda s: s["injury"].update(area={"min": 1}), "injury.area", "distribution"),
    (lambda s: s["replacement"].update(relative_value=0), "replacement.relative_value", "> 0"),
    (lambda s: s["replacement"].update(area_unit="hectare"), "replacement.area_unit", "unknown unit"),
    (lambda s: s["replacement"].update(levels={"shape": "sigmoid", "from": [2025, 0], "to": [2030, 1]}),
     "replacement.levels.shape", "unknown shape"),
    (lambda s: s["replacement"].update(levels={"shape": "exponential", "from": [2025, 0], "to": [2030, 1]}),
     "replacement.levels.rate", "required"),
    (lambda s: s["replacement"].update(levels={"shape": "linear", "from": [2030, 0], "to": [2025, 1]}),
     "replacement.levels.to", "after"),
    (lambda s: s.update(uncertainty={"draws": -1}), "uncertainty.draws", ">= 0"),
    (lambda s: s.update(uncertainty={"runs": 5}), "uncertainty.runs", "unknown key"),
])
def test_validation_paths(make_service, mutate, path, words):
    scn = make_service()
    mutate(scn)
    e = _err(scn)
    assert e.path == path, str(e)
    assert words in e.message, str(e)


def test_value_method_needs_mode_and_unit_values():
    scn = {"schema_version": 1, "method": "value", "base_year": 2024, "discount_rate": 0.03,
           "injury": {"area": 20, "start_year": 2022, "end_year": 2028, "unit_value": 30000,
                      "levels": [[2022, 0.6], [2028, 1.0]]},
           "replacement": {"unit_cost": 150000}}
    assert _err(scn).path == "mode"
    scn["mode"] = "value_to_cost"
    del scn["injury"]["unit_value"]
    assert _err(scn).path == "injury.unit_value"


def test_unused_keys_are_noted_not_silently_dropped():
    scn = {"schema_version": 1, "method": "value", "mode": "value_to_cost", "base_year": 2024, "discount_rate": 0.03,
           "injury": {"area": 20, "start_year": 2022, "end_year": 2028, "unit_value": 30000,
                      "levels": [[2022, 0.6], [2028, 1.0]]},
           "replacement": {"unit_cost": 150000, "levels": [[2025, 1.0]]}}
    r = eq.run_scenario(scn)
    assert any("replacement.levels" in n and "not used" in n for n in r.notes)


def test_bad_files(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("method: service\n  base_year: [2020\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not valid YAML"):
        eq.run_scenario(bad)
    badj = tmp_path / "bad.json"
    badj.write_text("{", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not valid JSON"):
        eq.run_scenario(badj)
    lst = tmp_path / "list.json"
    lst.write_text(json.dumps([1, 2]), encoding="utf-8")
    with pytest.raises(ScenarioError, match="mapping"):
        eq.run_scenario(lst)


def test_yaml_scenario_with_exponent_number(tmp_path):
    """PyYAML reads 3e-2 as a string; the engine still takes it as a number."""
    f = tmp_path / "s.yaml"
    f.write_text("""
schema_version: 1
method: service
base_year: 2020
discount_rate: 3e-2
injury: {area: 10, area_unit: mu, start_year: 2020, end_year: 2025, levels: [[2020, 0.0], [2025, 1.0]]}
replacement: {start_year: 2021, end_year: 2040, levels: [[2021, 0.0], [2024, 1.0]]}
""", encoding="utf-8")
    r = eq.run_scenario(f)
    assert r.discount_rate == 0.03
    assert r.inputs["injury"]["area_unit"] == "mu"
