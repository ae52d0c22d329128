"""Invariants of the scaling, checked on generated scenarios (hypothesis)."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import equivalence as eq


@st.composite
def service_scenarios(draw, perpetuity=st.booleans()):
    start = draw(st.integers(1990, 2030))
    inj_len = draw(st.integers(0, 30))
    n_pts = draw(st.integers(1, 4))
    pts_years = sorted(draw(st.lists(st.integers(start - 5, start + inj_len + 5), min_size=n_pts,
                                     max_size=n_pts, unique=True)))
    levels = [[y, draw(st.floats(0.0, 0.95))] for y in pts_years]
    rep_start = draw(st.integers(start - 5, start + 15))
    rep_len = draw(st.integers(5, 60))
    rep_full = draw(st.integers(1, 10))
    perp = draw(perpetuity)
    return {
        "schema_version": 1, "method": "service",
        "base_year": draw(st.integers(1990, 2040)),
        "discount_rate": draw(st.floats(0.005, 0.08)),
        "timing": draw(st.sampled_from(["annual", "mid_year"])),
        "injury": {"area": draw(st.floats(0.5, 1000.0)), "area_unit": draw(st.sampled_from(["ha", "mu", "m2", "km2"])),
                   "start_year": start, "end_year": "perpetuity" if perp else start + inj_len, "levels": levels},
        "replacement": {"start_year": rep_start, "end_year": rep_start + rep_len,
                        "levels": [[rep_start, 0.0], [rep_start + rep_full, draw(st.floats(0.3, 1.0))]],
                        "relative_value": draw(st.floats(0.2, 2.0))},
    }


S = settings(max_examples=60, deadline=None)


@S
@given(scn=service_scenarios(), shift=st.integers(-40, 40))
def test_required_scale_does_not_depend_on_base_year(scn, shift):
    a = eq.run_scenario(scn)
    scn["base_year"] += shift
    b = eq.run_scenario(scn)
    assert b.required_scale == pytest.approx(a.required_scale, rel=1e-9)
    # ... while debit and credit both move by the same factor (1 + r)^shift
    factor = (1 + scn["discount_rate"]) ** shift
    assert b.debit == pytest.approx(a.debit * factor, rel=1e-9)


@S
@given(scn=service_scenarios(), k=st.floats(0.01, 100.0))
def test_required_scale_is_linear_in_injured_area(scn, k):
    a = eq.run_scenario(scn)
    scn["injury"]["area"] *= k
    b = eq.run_scenario(scn)
    assert b.required_scale == pytest.approx(a.required_scale * k, rel=1e-9)


@S
@given(scn=service_scenarios(), k=st.floats(0.05, 20.0))
def test_required_scale_is_inversely_proportional_to_relative_value(scn, k):
    a = eq.run_scenario(scn)
    scn["replacement"]["relative_value"] *= k
    b = eq.run_scenario(scn)
    assert b.required_scale == pytest.approx(a.required_scale / k, rel=1e-9)


@S
@given(scn=service_scenarios(), unit=st.sampled_from(["ha", "mu", "m2", "km2"]))
def test_area_units_convert(scn, unit):
    """Stating the injured area in another unit (same land) leaves every result unchanged."""
    a = eq.run_scenario(scn)
    ha = eq.to_ha(scn["injury"]["area"], scn["injury"]["area_unit"])
    scn["injury"]["area"], scn["injury"]["area_unit"] = eq.from_ha(ha, unit), unit
    b = eq.run_scenario(scn)
    assert b.debit == pytest.approx(a.debit, rel=1e-9)
    assert b.required_area_ha == pytest.approx(a.required_area_ha, rel=1e-9)


@S
@given(r=st.floats(0.005, 0.1), loss=st.floats(0.05, 1.0), start=st.integers(2000, 2030), n=st.integers(0, 40),
       base=st.integers(2000, 2040), perp=st.booleans())
def test_mid_year_with_constant_levels_is_annual_over_sqrt_1_plus_r(r, loss, start, n, base, perp):
    """Constant levels: reading at t + 0.5 changes only the weight, by (1 + r)^-0.5 exactly;
    the required scale (both sides constant) does not change."""
    scn = {"schema_version": 1, "method": "service", "base_year": base, "discount_rate": r,
           "injury": {"area": 10, "start_year": start, "end_year": "perpetuity" if perp else start + n,
                      "levels": [[start, 1 - loss]]},
           "replacement": {"start_year": start + 2, "end_year": start + 30, "levels": [[start + 2, 0.8]]}}
    annual = eq.run_scenario(scn)
    mid = eq.run_scenario({**scn, "timing": "mid_year"})
    assert mid.debit == pytest.approx(annual.debit / math.sqrt(1 + r), rel=1e-10)
    assert mid.credit_per_unit == pytest.approx(annual.credit_per_unit / math.sqrt(1 + r), rel=1e-10)
    assert mid.required_scale == pytest.approx(annual.required_scale, rel=1e-10)


@S
@given(scn=service_scenarios(perpetuity=st.just(False)))
def test_mid_year_reads_a_recovering_injury_later_so_loses_less(scn):
    """With levels that only rise (recovery), the mid-year reading sees more recovery and a smaller
    weight, so the mid-year debit is at most the annual one; it is strictly smaller while any loss
    remains."""
    pts = scn["injury"]["levels"]
    vals = sorted(v for _, v in pts)
    scn["injury"]["levels"] = [[y, v] for (y, _), v in zip(pts, vals)]
    annual = eq.run_scenario({**scn, "timing": "annual"})
    mid = eq.run_scenario({**scn, "timing": "mid_year"})
    assert mid.debit <= annual.debit * (1 + 1e-12)
    if annual.debit > 0:
        assert mid.debit < annual.debit


def test_mid_year_linear_recovery_matches_hand_sum():
    scn = {"schema_version": 1, "method": "service", "base_year": 2020, "discount_rate": 0.03, "timing": "mid_year",
           "injury": {"area": 1, "start_year": 2020, "end_year": 2029, "levels": [[2020, 0.0], [2030, 1.0]]},
           "replacement": {"start_year": 2021, "end_year": 2030, "levels": [[2021, 1.0]]}}
    want = sum((1 - (k + 0.5) / 10) * 1.03 ** (-k - 0.5) for k in range(10))
    assert eq.run_scenario(scn).debit == pytest.approx(want, rel=1e-12)
