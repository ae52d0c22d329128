"""equivalence.batch: many candidate replacements at once equal run_scenario one by one."""
from __future__ import annotations

import copy

import numpy as np
import pytest

import equivalence
from equivalence.batch import common_grid, evaluate_batch


def _scenario(**over):
    s = {"schema_version": 1, "method": "service", "base_year": 2025, "discount_rate": 0.03,
         "injury": {"area": 42.0, "start_year": 2022, "end_year": 2050,
                    "levels": [[2022, 0.1], [2027, 0.4], [2040, 0.9]]},
         "replacement": {"start_year": 2026, "end_year": "perpetuity", "levels": [[2026, 0.0], [2030, 1.0]]}}
    s.update(over)
    return s


def _random_trajectories(rng, n):
    out = []
    for _ in range(n):
        start = int(rng.integers(2015, 2032))
        k = int(rng.integers(1, 5))
        years = start + np.cumsum(rng.integers(1, 6, size=k)) - 1
        levels = np.sort(rng.uniform(0, 1.2, size=k))
        out.append([[int(y), float(v)] for y, v in zip(years, levels)])
    return out


@pytest.mark.parametrize("variant", [
    {},
    {"timing": "mid_year"},
    {"replacement": {"start_year": 2024, "end_year": 2060, "levels": [[2024, 0.0]]}},
    {"injury": {"area": 7.5, "area_unit": "mu", "start_year": 2020, "end_year": "perpetuity",
                "baseline": [[2020, 0.8], [2035, 1.0]], "levels": [[2020, 0.0], [2030, 0.5]]}},
])
def test_batch_equals_run_scenario_per_candidate(variant):
    rng = np.random.default_rng(7)
    scn = _scenario(**variant)
    trajs = _random_trajectories(rng, 60)
    rv = rng.uniform(0.4, 1.5, 60)
    y0 = rng.uniform(0.0, 0.3, 60)
    res = evaluate_batch(scn, levels=trajs, relative_value=rv, initial_level=y0)
    checked = 0
    for i in range(60):
        one = copy.deepcopy(scn)
        one["replacement"] = {**one["replacement"], "levels": trajs[i], "relative_value": float(rv[i]),
                              "initial_level": float(y0[i])}
        if not res.gains[i]:
            with pytest.raises(equivalence.ScenarioError):
                equivalence.run_scenario(one)
            assert np.isnan(res.required_area_ha[i])
            continue
        r = equivalence.run_scenario(one)
        assert res.debit[i] == pytest.approx(r.debit, rel=1e-12)
        assert res.credit_per_unit[i] == pytest.approx(r.credit_per_unit, rel=1e-10)
        assert res.required_area_ha[i] == pytest.approx(r.required_area_ha, rel=1e-10)
        checked += 1
    assert checked > 40


def test_candidates_without_gain_do_not_stop_the_others():
    trajs = [[[2020, 0.0]], [[2026, 0.0], [2031, 1.0]], [[2026, 0.2]]]
    res = evaluate_batch(_scenario(), levels=trajs, initial_level=[0.0, 0.0, 0.2])
    assert res.gains.tolist() == [False, True, False]
    assert np.isnan(res.required_area_ha[[0, 2]]).all() and res.required_area_ha[1] > 0


def test_value_to_cost_per_candidate_cost():
    scn = {"schema_version": 1, "method": "value", "mode": "value_to_cost", "base_year": 2025,
           "discount_rate": 0.03,
           "injury": {"area": 10, "start_year": 2024, "end_year": 2030, "levels": [[2024, 0.0]], "unit_value": 20000},
           "replacement": {"unit_cost": 1.0}}
    costs = np.array([60.0, 0.5, 1200.0])
    res = evaluate_batch(scn, unit_cost=costs)
    for c, scale in zip(costs, res.required_scale):
        one = copy.deepcopy(scn)
        one["replacement"]["unit_cost"] = float(c)
        assert scale == pytest.approx(equivalence.run_scenario(one).required_scale, rel=1e-12)


def test_common_grid_is_exact_and_refuses_bad_input():
    trajs = [[[2020, 0.0], [2024, 1.0]], [[2018, 0.3]], [[2019, 0.1], [2021, 0.5], [2030, 0.9]]]
    grid, values = common_grid(trajs)
    for pts, v in zip(trajs, values):
        a = np.asarray(pts, dtype=float)
        assert np.allclose(np.interp(grid, a[:, 0], a[:, 1]), v)
    for bad, msg in [([[[2020, 1], [2019, 2]]], "increase"), ([[[2020.5, 1]]], "whole"),
                     ([[[2020, -1]]], ">= 0"), ([[]], "at least one")]:
        with pytest.raises(ValueError, match=msg):
            common_grid(bad)
