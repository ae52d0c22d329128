"""Trajectories: interpolation, shape expansion, and monitoring series → points."""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import equivalence as eq
from equivalence.trajectory import parse_trajectory


@settings(max_examples=80, deadline=None)
@given(pts=st.lists(st.tuples(st.integers(1900, 2100), st.floats(-5, 5)), min_size=1, max_size=8,
                    unique_by=lambda p: p[0]),
       x=st.lists(st.floats(1850, 2150), min_size=1, max_size=20))
def test_interpolation_matrix_matches_numpy_interp(pts, x):
    """Linear between points, first value before, last value after (DESIGN.md)."""
    pts = sorted(pts)
    xp = [p[0] for p in pts]
    fp = np.array([p[1] for p in pts])
    got = eq.interpolation_matrix(xp, x) @ fp
    np.testing.assert_allclose(got, np.interp(x, xp, fp), rtol=1e-12, atol=1e-12)


def _points(spec):
    tr = parse_trajectory(spec, "t")
    return tr.points({p.path: np.array([p.point]) for p in tr.params})


@pytest.mark.parametrize("shape,extra", [("linear", {}), ("exponential", {"rate": 0.4}),
                                         ("logistic", {"steepness": 0.8}), ("step", {})])
def test_shapes_expand_to_yearly_points_through_both_ends(shape, extra):
    pts = _points({"shape": shape, "from": [2021, 0.1], "to": [2029, 0.9], **extra})
    assert [p[0] for p in pts] == list(range(2021, 2030))
    assert pts[0][1] == pytest.approx(0.1) and pts[-1][1] == pytest.approx(0.9)
    vals = [p[1] for p in pts]
    assert all(b >= a - 1e-12 for a, b in zip(vals, vals[1:])), "a rising shape must not fall"


def test_shape_values_follow_their_formulas():
    exp_pts = _points({"shape": "exponential", "from": [2020, 0.0], "to": [2030, 1.0], "rate": 0.3})
    g = (1 - math.exp(-0.3 * 4)) / (1 - math.exp(-0.3 * 10))
    assert exp_pts[4][1] == pytest.approx(g, rel=1e-12)
    log_pts = _points({"shape": "logistic", "from": [2020, 0.0], "to": [2030, 1.0], "steepness": 1.0})
    assert log_pts[5][1] == pytest.approx(0.5, rel=1e-12)  # symmetric about the default midpoint 2025
    step = _points({"shape": "step", "from": [2020, 0.2], "to": [2023, 0.7]})
    assert [v for _, v in step] == [0.2, 0.2, 0.2, 0.7]
    lin = _points({"shape": "linear", "from": [2020, 0.0], "to": [2024, 1.0]})
    assert [v for _, v in lin] == pytest.approx([0, 0.25, 0.5, 0.75, 1.0])


def test_shape_form_gives_the_same_result_as_its_expanded_points(make_service):
    shaped = make_service()
    shaped["replacement"]["levels"] = {"shape": "exponential", "from": [2025, 0.0], "to": [2040, 0.9], "rate": 0.25}
    r1 = eq.run_scenario(shaped)
    expanded = r1.trajectories["replacement.levels"]
    pointed = make_service()
    pointed["replacement"]["levels"] = expanded
    r2 = eq.run_scenario(pointed)
    assert r2.credit_per_unit == pytest.approx(r1.credit_per_unit, rel=1e-14)
    # the yearly table shows the expanded levels
    table = r1.credit_yearly.set_index("year")["level"]
    for year, level in expanded:
        if year in table.index:
            assert table[year] == pytest.approx(level, rel=1e-14)


def test_linear_shape_equals_two_points(make_service):
    a = make_service()
    a["replacement"]["levels"] = [[2025, 0.0], [2032, 0.9]]
    b = make_service()
    b["replacement"]["levels"] = {"shape": "linear", "from": [2025, 0.0], "to": [2032, 0.9]}
    assert eq.run_scenario(b).required_scale == pytest.approx(eq.run_scenario(a).required_scale, rel=1e-13)


def test_baseline_trajectory_divides_the_loss(make_service):
    scn = make_service()
    scn["injury"]["baseline"] = [[2019, 2.0], [2031, 4.0]]
    scn["injury"]["levels"] = [[2019, 1.0]]
    scn["injury"]["start_year"], scn["injury"]["end_year"] = 2019, 2019
    r = eq.run_scenario(scn)
    assert r.debit == pytest.approx(40 * 0.5 * 1.03**5)
    assert r.debit_yearly["baseline"].iloc[0] == 2.0


# -- observations ------------------------------------------------------------------------------
def test_observations_annual_means_over_baseline():
    times = ["2021-04-01", "2021-10-01", "2022-05-01", "2023-06-30", "2023-07-01"]
    cover = [30.0, 40.0, 50.0, 60.0, np.nan]
    pts = eq.trajectory_from_observations(times, cover, baseline=80.0)
    assert pts == [[2021, pytest.approx(35 / 80)], [2022, pytest.approx(50 / 80)], [2023, pytest.approx(60 / 80)]]


def test_observations_against_reference_site_and_target_cap():
    years = [2020, 2020, 2021, 2022]
    site = [20.0, 30.0, 45.0, 66.0]
    ref = [50.0, 50.0, 50.0, 60.0]
    pts = eq.trajectory_from_observations(years, site, reference=ref, target=1.0)
    assert pts == [[2020, pytest.approx(0.5)], [2021, pytest.approx(0.9)], [2022, 1.0]]
    frame = eq.trajectory_from_observations(years, site, reference={2020: 50, 2021: 50}, as_frame=True)
    assert frame["year"].tolist() == [2020, 2021]  # 2022 has no reference value
    assert frame["n_obs"].tolist() == [2, 1]


def test_observations_accept_datetimes_and_decimal_years():
    a = eq.trajectory_from_observations([dt.date(2020, 3, 1), pd.Timestamp("2021-06-01")], [1, 2], baseline=2)
    b = eq.trajectory_from_observations([2020.2, 2021.9], [1, 2], baseline=2)
    assert a == b == [[2020, 0.5], [2021, 1.0]]


def test_observations_feed_a_scenario(make_service):
    pts = eq.trajectory_from_observations([2019, 2020, 2021, 2022], [10, 12, 20, 30], baseline=40)
    scn = make_service()
    scn["injury"]["levels"] = pts
    r = eq.run_scenario(scn)
    assert r.debit_yearly.set_index("year").loc[2021, "level"] == pytest.approx(0.5)


@pytest.mark.parametrize("kwargs,match", [
    ({"baseline": None}, "exactly one"),
    ({"baseline": 1.0, "reference": [1, 1]}, "exactly one"),
    ({"baseline": -1.0}, "positive"),
    ({"baseline": 1.0, "target": 0}, "target"),
])
def test_observation_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        eq.trajectory_from_observations([2020, 2021], [1.0, 2.0], **kwargs)


def test_observation_length_mismatch():
    with pytest.raises(ValueError, match="entries"):
        eq.trajectory_from_observations([2020, 2021], [1.0], baseline=1.0)
