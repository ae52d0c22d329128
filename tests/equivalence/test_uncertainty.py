"""Monte Carlo: vectorised, reproducible, consistent with the deterministic engine."""
from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats as ss

import equivalence as eq
from equivalence.distributions import Distribution, beta_ppf, betainc, parse_distribution
from equivalence.params import to_number
from equivalence.scenario import parse_scenario
from equivalence.uncertainty import evaluate_chunked, sample_values


def _dist(spec) -> Distribution:
    return parse_distribution(spec, "x", to_number)


def _uncertain(make_service, draws=4000, seed=7):
    scn = make_service()
    scn["injury"]["area"] = {"dist": "triangular", "min": 30, "mode": 40, "max": 55}
    scn["discount_rate"] = {"dist": "pert", "min": 0.02, "mode": 0.03, "max": 0.05}
    scn["injury"]["levels"][0][1] = {"dist": "uniform", "min": 0.15, "max": 0.35}
    scn["replacement"]["relative_value"] = {"dist": "lognormal", "mean": 0.9, "sd": 0.1}
    scn["replacement"]["levels"][1][1] = {"dist": "normal", "mean": 0.9, "sd": 0.1, "min": 0.5, "max": 1.0}
    scn["uncertainty"] = {"draws": draws, "seed": seed}
    return scn


def test_zero_width_distributions_equal_the_deterministic_result(make_service):
    det = eq.run_scenario(make_service())
    scn = make_service()
    scn["injury"]["area"] = {"dist": "uniform", "min": 40, "max": 40}
    scn["discount_rate"] = {"dist": "triangular", "min": 0.03, "mode": 0.03, "max": 0.03}
    scn["injury"]["levels"][0][1] = {"dist": "pert", "min": 0.25, "mode": 0.25, "max": 0.25}
    scn["replacement"]["relative_value"] = {"dist": "normal", "mean": 1.0, "sd": 0}
    scn["replacement"]["levels"][1][1] = {"dist": "lognormal", "mu": math.log(0.9), "sigma": 0}
    scn["uncertainty"] = {"draws": 500, "seed": 3}
    r = eq.run_scenario(scn)
    assert r.required_scale == pytest.approx(det.required_scale, rel=1e-14)
    for key in ("debit", "credit_per_unit", "required_scale", "required_area_ha"):
        x = r.monte_carlo.samples[key]
        assert x.shape == (500,)
        np.testing.assert_allclose(x, det.headline()[key], rtol=1e-12)
        for stat in ("p5", "p50", "p95", "mean"):
            assert r.percentiles[key][stat] == pytest.approx(det.headline()[key], rel=1e-12)


def test_monte_carlo_draws_match_the_deterministic_engine_draw_by_draw(make_service):
    """Vectorised draws = the deterministic function run on each draw's inputs (a few checked)."""
    scn = _uncertain(make_service, draws=300)
    parsed = parse_scenario(scn)
    vals = sample_values(parsed, 300, 7)
    tot = evaluate_chunked(parsed, vals, 300, chunk=128)
    r = eq.run_scenario(scn)
    np.testing.assert_array_equal(r.monte_carlo.samples["required_scale"], tot["required_scale"])
    for i in (0, 57, 299):
        one = make_service()
        one["discount_rate"] = float(vals["discount_rate"][i])
        one["injury"]["area"] = float(vals["injury.area"][i])
        one["injury"]["levels"][0][1] = float(vals["injury.levels[0][1]"][i])
        one["replacement"]["relative_value"] = float(vals["replacement.relative_value"][i])
        one["replacement"]["levels"][1][1] = float(vals["replacement.levels[1][1]"][i])
        assert eq.run_scenario(one).required_scale == pytest.approx(tot["required_scale"][i], rel=1e-12)


def test_chunk_size_does_not_change_results(make_service):
    scn = _uncertain(make_service, draws=1000)
    a = eq.run_scenario(scn, chunk=97).monte_carlo.samples["required_scale"]
    b = eq.run_scenario(scn, chunk=100_000).monte_carlo.samples["required_scale"]
    np.testing.assert_allclose(a, b, rtol=1e-13)


def test_seed_reproduces_and_other_seed_differs(make_service):
    scn = _uncertain(make_service)
    a = eq.run_scenario(scn).monte_carlo.samples["required_scale"]
    b = eq.run_scenario(scn).monte_carlo.samples["required_scale"]
    c = eq.run_scenario(scn, seed=8).monte_carlo.samples["required_scale"]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_percentiles_are_ordered_and_bracket_the_draws(make_service):
    r = eq.run_scenario(_uncertain(make_service))
    for key, p in r.percentiles.items():
        x = r.monte_carlo.samples[key]
        assert x.min() <= p["p5"] <= p["p50"] <= p["p95"] <= x.max()
        assert p["mean"] == pytest.approx(x.mean())
        assert 0.04 < np.mean(x < p["p5"]) < 0.06


def test_truncation_keeps_every_draw_in_bounds(make_service):
    r = eq.run_scenario(_uncertain(make_service, draws=20000))
    parsed = parse_scenario(_uncertain(make_service))
    vals = sample_values(parsed, 20000, 1)
    x = vals["replacement.levels[1][1]"]
    assert x.min() >= 0.5 and x.max() <= 1.0
    assert r.monte_carlo.draws == 20000


def test_untruncated_normal_area_that_goes_negative_is_reported(make_service):
    scn = make_service()
    scn["injury"]["area"] = {"dist": "normal", "mean": 1.0, "sd": 2.0}
    scn["uncertainty"] = {"draws": 2000, "seed": 1}
    with pytest.raises(eq.ScenarioError, match=r"injury\.area: \d+ of 2000 Monte Carlo draws"):
        eq.run_scenario(scn)


def test_tornado_data(make_service):
    r = eq.run_scenario(_uncertain(make_service))
    s = r.sensitivity
    rs = s[s["output"] == "required_scale"]
    assert set(rs["input"]) == {"discount_rate", "injury.area", "injury.levels[0][1]",
                                "replacement.relative_value", "replacement.levels[1][1]"}
    assert list(rs["swing"]) == sorted(rs["swing"], reverse=True)
    area = rs.set_index("input").loc["injury.area"]
    # scale is linear in area: output at the area's quantiles = base × quantile / point
    assert area["at_low"] == pytest.approx(r.required_scale * area["input_low"] / 40, rel=1e-12)
    assert area["at_high"] == pytest.approx(r.required_scale * area["input_high"] / 40, rel=1e-12)
    assert area["input_low"] == pytest.approx(ss.triang(c=10 / 25, loc=30, scale=25).ppf(0.05), rel=1e-12)
    rv = rs.set_index("input").loc["replacement.relative_value"]
    assert rv["at_high"] < r.required_scale < rv["at_low"]  # more valuable replacement → less of it


def test_distributions_without_uncertainty_block_run_default_draws_and_say_so(make_service):
    scn = make_service()
    scn["injury"]["area"] = {"dist": "uniform", "min": 35, "max": 45}
    r = eq.run_scenario(scn)
    assert r.monte_carlo.draws == 10_000 and r.monte_carlo.seed == 0
    assert any("10000 Monte Carlo draws" in n for n in r.notes)
    off = eq.run_scenario(scn, draws=0)
    assert off.monte_carlo is None and off.debit == pytest.approx(r.debit)


# -- the distributions themselves, against scipy --------------------------------------------
@pytest.mark.parametrize("spec,frozen", [
    ({"dist": "uniform", "min": 2, "max": 5}, ss.uniform(loc=2, scale=3)),
    ({"dist": "triangular", "min": 1, "mode": 2, "max": 6}, ss.triang(c=0.2, loc=1, scale=5)),
    ({"dist": "pert", "min": 1, "mode": 2, "max": 6}, ss.beta(1 + 4 * 1 / 5, 1 + 4 * 4 / 5, loc=1, scale=5)),
    ({"dist": "pert", "min": 0, "mode": 9, "max": 10, "lambda": 2}, ss.beta(1 + 2 * 0.9, 1 + 2 * 0.1, scale=10)),
    ({"dist": "normal", "mean": 3, "sd": 0.5}, ss.norm(3, 0.5)),
    ({"dist": "normal", "mean": 3, "sd": 2, "min": 0}, ss.truncnorm(-1.5, np.inf, loc=3, scale=2)),
    ({"dist": "lognormal", "mu": 0.2, "sigma": 0.4}, ss.lognorm(0.4, scale=math.exp(0.2))),
])
def test_quantiles_and_samples_match_scipy(spec, frozen):
    d = _dist(spec)
    for q in (0.01, 0.05, 0.5, 0.95, 0.99):
        assert d.ppf(q) == pytest.approx(frozen.ppf(q), rel=1e-9, abs=1e-12)
    x = d.sample(np.random.default_rng(0), 200_000)
    assert x.mean() == pytest.approx(frozen.mean(), rel=0.01)
    assert x.std() == pytest.approx(frozen.std(), rel=0.02)


def test_lognormal_from_mean_and_sd():
    d = _dist({"dist": "lognormal", "mean": 10.0, "sd": 3.0})
    x = d.sample(np.random.default_rng(1), 400_000)
    assert x.mean() == pytest.approx(10.0, rel=0.01) and x.std() == pytest.approx(3.0, rel=0.02)
    assert d.point == pytest.approx(10.0, rel=1e-12)  # the point estimate is the mean as written
    assert _dist({"dist": "lognormal", "mu": 0.0, "sigma": 0.5}).point == pytest.approx(math.exp(0.125))


def test_betainc_against_scipy():
    for a, b, x in [(1.8, 4.2, 0.3), (0.7, 0.9, 0.99), (5, 1.2, 0.5), (30, 40, 0.45)]:
        assert betainc(a, b, x) == pytest.approx(ss.beta(a, b).cdf(x), rel=1e-10)
        assert beta_ppf(0.37, a, b) == pytest.approx(ss.beta(a, b).ppf(0.37), rel=1e-9)


def test_point_estimates_and_value_override():
    assert _dist({"dist": "uniform", "min": 2, "max": 4}).point == 3
    assert _dist({"dist": "triangular", "min": 2, "mode": 2.5, "max": 4}).point == 2.5
    assert _dist({"dist": "triangular", "min": 2, "mode": 2.5, "max": 4, "value": 3}).point == 3
    with pytest.raises(eq.ScenarioError, match="outside the support"):
        _dist({"dist": "uniform", "min": 2, "max": 4, "value": 5})
