"""Observed recovery into the equivalence engine: measured NDVI → yearly levels → a scenario."""
from __future__ import annotations

import numpy as np
import pytest

import equivalence
from restoration.errors import InputError
from restoration.monitoring import observed_levels, planned_vs_observed, read_series, scenario_with_observed


def test_observed_levels_use_the_reference_site(store):
    points = observed_levels(store, "S011", "ndvi")
    own = read_series(store, ["S011"], ["ndvi"])
    ref = read_series(store, ["S012"], ["ndvi"])  # S011's target names S012 as reference
    ratio = own.groupby(own["time"].dt.year)["value"].mean() / ref.groupby(ref["time"].dt.year)["value"].mean()
    assert [p[0] for p in points] == list(ratio.index)
    np.testing.assert_allclose([p[1] for p in points], np.minimum(ratio.to_numpy(), 1.0))
    assert points[-1][1] > points[0][1]  # recovering
    by_baseline = observed_levels(store, "S011", "ndvi", baseline=0.72)
    yearly = own.groupby(own["time"].dt.year)["value"].mean() / 0.72
    np.testing.assert_allclose([p[1] for p in by_baseline], np.minimum(yearly.to_numpy(), 1.0))


def test_planned_versus_observed_shows_the_lagging_site(store):
    on_track = planned_vs_observed(store, "S011", "ndvi")
    lagging = planned_vs_observed(store, "S016", "ndvi")
    assert on_track["gap"].abs().max() < 0.1
    assert (lagging["gap"] < 0).all()  # behind its plan every year ...
    full_years = lagging[lagging["n_obs"] >= 6]  # ... and far behind in every well-observed year
    assert len(full_years) >= 2 and (full_years["gap"] < -0.15).all()
    assert lagging["gap"].is_monotonic_decreasing  # and falling further behind


def test_scenario_runs_with_observed_replacement_levels(store):
    planned = {
        "schema_version": 1, "method": "service", "base_year": 2024, "discount_rate": 0.03,
        "injury": {"area": 100, "start_year": 2023, "end_year": 2040, "levels": [[2023, 0.3], [2030, 1.0]]},
        "replacement": {"start_year": 2024, "end_year": 2060, "levels": [[2024, 0.3], [2027, 1.0]]},
    }
    observed = scenario_with_observed(planned, store, "S016", "ndvi")
    assert planned["replacement"]["levels"] == [[2024, 0.3], [2027, 1.0]]  # original untouched
    assert observed["replacement"]["levels"] == observed_levels(store, "S016", "ndvi")
    a = equivalence.run_scenario(planned)
    b = equivalence.run_scenario(observed)
    # the observed (lagging) recovery earns less credit, so more area is needed
    assert b.required_scale > a.required_scale


def test_lower_is_better_indicator_is_refused(store):
    with pytest.raises(InputError, match="lower-is-better"):
        observed_levels(store, "S020", "cod")
    with pytest.raises(InputError, match="no usable"):
        observed_levels(store, "S001", "evi")
