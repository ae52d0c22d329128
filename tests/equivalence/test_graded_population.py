"""Vectorised graded-injury debits equal the engine; the population model by hand."""
from __future__ import annotations

import numpy as np
import pytest

import equivalence as eq
from equivalence.graded import graded_debits, graded_scenario
from equivalence.population import lost_animal_years, lost_units_points, projection_matrix

ARGS = ([2.0, 5.0, 1.5], [0.0, 0.4, 0.7], [2021, 2020, 2020], [2030, 2026, 2023], [2020, 2020, 2020],
        [2030, 2027, 2024])


@pytest.mark.parametrize("convention, rate", [("compound", 0.03), ("one_minus_d", 0.035), ("continuous", 0.02)])
@pytest.mark.parametrize("timing", ["annual", "mid_year", "quarterly"])
def test_graded_equals_run_scenario(convention, rate, timing):
    d = graded_debits(*[np.array(x)[None, :] for x in ARGS], base_year=2022, rate=rate, convention=convention,
                      timing=timing)
    r = eq.run_scenario(graded_scenario(*ARGS, base_year=2022, rate=rate, convention=convention, timing=timing))
    assert d["debit"][0] == pytest.approx(r.debit, rel=1e-12)
    assert d["by_category"][0] == pytest.approx([c["debit"] for c in r.categories], rel=1e-12)


def test_graded_many_cases_equal_one_by_one():
    rng = np.random.default_rng(1)
    n = 40
    area, x0 = rng.uniform(1, 9, (n, 2)), rng.uniform(0, 0.9, (n, 2))
    rs = 2020 + rng.integers(0, 3, (n, 2))
    re = rs + rng.integers(2, 9, (n, 2))
    start, end = np.full((n, 2), 2020), re
    rate = rng.uniform(0.01, 0.05, n)
    many = graded_debits(area, x0, rs, re, start, end, base_year=2021, rate=rate)["debit"]
    one = [graded_debits(area[i:i + 1], x0[i:i + 1], rs[i:i + 1], re[i:i + 1], start[i:i + 1], end[i:i + 1],
                         base_year=2021, rate=rate[i])["debit"][0] for i in range(n)]
    assert many == pytest.approx(one, rel=1e-12)


def test_population_by_hand():
    # 100 juveniles, 50 adults; juveniles survive 0.5, adults 0.8 (plus-group); adults raise 1 young a year
    t = lost_animal_years([100, 50], [0.5, 0.8], [0.0, 1.0], recovery_years=3, start_year=2024)
    assert t["year"].tolist() == [2024, 2025, 2026]
    # year 1: young = 1·50 = 50; adults = 0.5·100 + 0.8·50 = 90 → 140
    # year 2: young = 90; adults = 0.5·50 + 0.8·90 = 97 → 187
    assert t["lost"].tolist() == pytest.approx([150, 140, 187])
    pts = lost_units_points(t)
    r = eq.run_scenario({"schema_version": 1, "method": "resource", "base_year": 2024, "discount_rate": 0.03,
                         "resource_unit": "bird-years",
                         "injury": {"start_year": 2024, "end_year": 2026, "lost_units": pts},
                         "replacement": {"start_year": 2025, "end_year": 2044, "units_per_project_unit": 2}})
    assert r.debit == pytest.approx(150 + 140 / 1.03 + 187 / 1.03 ** 2)
    assert round(r.debit, 2) == 462.19  # docs/appraisal.md
    assert r.units["debit"].startswith("bird-years")


@pytest.mark.parametrize("kw, match", [
    ({"survival": [1.2, 0.5]}, "survival"),
    ({"fecundity": [0.0]}, "fecundity"),
    ({"direct_losses": [1e13, 0]}, "direct_losses"),
    ({"recovery_years": 200000000}, "recovery_years"),
])
def test_population_bad_input(kw, match):
    args = {"direct_losses": [10, 5], "survival": [0.5, 0.8], "fecundity": [0.0, 1.0], "recovery_years": 5}
    args.update(kw)
    with pytest.raises(ValueError, match=match):
        lost_animal_years(**args)


def test_projection_matrix_shape():
    m = projection_matrix([0.5, 0.7, 0.9], [0, 0.4, 1.1])
    assert m.tolist() == [[0, 0.4, 1.1], [0.5, 0, 0], [0, 0.7, 0.9]]
