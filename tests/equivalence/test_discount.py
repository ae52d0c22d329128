"""The discounted-sum core against closed forms derived here."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import equivalence as eq
from equivalence.discount import make_schedule, perpetuity_tail_factor, schedule_weights, year_weights

rates = st.floats(min_value=0.005, max_value=0.15)
years = st.integers(min_value=1950, max_value=2100)


def test_weights_compound_before_and_discount_after_base_year():
    w = year_weights([2018, 2020, 2023], 2020, 0.03)[0]
    assert w[0] == pytest.approx(1.03**2) and w[1] == 1.0 and w[2] == pytest.approx(1.03**-3)


def test_mid_year_schedule_reads_half_a_year_later():
    s = make_schedule(2020, 2022, "mid_year")
    assert s.years.tolist() == [2020, 2021, 2022]
    assert s.read_at.tolist() == [2020.5, 2021.5, 2022.5]
    w = schedule_weights(s, 2020, 0.04)[0]
    assert w[0] == pytest.approx(1.04**-0.5)


def test_schedule_rejects_start_after_end():
    with pytest.raises(ValueError, match="after"):
        make_schedule(2031, 2030)


@settings(max_examples=60, deadline=None)
@given(r=rates, base=years, start=years, n=st.integers(0, 80))
def test_finite_annuity_closed_form(r, base, start, n):
    # Σ_{t=s}^{s+n} (1+r)^(B-t) = (1+r)^(B-s) · (1 - (1+r)^-(n+1)) · (1+r)/r
    s = make_schedule(start, start + n)
    got = eq.discounted_sum(np.ones((1, s.years.size)), schedule_weights(s, base, r))[0]
    want = (1 + r) ** (base - start) * (1 - (1 + r) ** -(n + 1)) * (1 + r) / r
    assert got == pytest.approx(want, rel=1e-10)


@settings(max_examples=60, deadline=None)
@given(r=rates, base=years, last=years)
def test_tail_factor_equals_long_explicit_sum(r, base, last):
    # the closed form against an explicit sum long enough for the remainder to vanish
    k = np.arange(1, 20000)
    explicit = np.sum((1 + r) ** (base - (last + k).astype(float)))
    assert perpetuity_tail_factor(base, last, r)[0, 0] == pytest.approx(explicit, rel=1e-9)
    mid = perpetuity_tail_factor(base, last, r, "mid_year")[0, 0]
    assert mid == pytest.approx(explicit / math.sqrt(1 + r), rel=1e-9)


def test_perpetuity_needs_positive_rate():
    with pytest.raises(ValueError, match="positive"):
        perpetuity_tail_factor(2020, 2020, 0.0)


@settings(max_examples=50, deadline=None)
@given(r=rates, base=st.integers(-50, 50), start=st.integers(-50, 50), loss=st.floats(0.01, 1.0),
       area=st.floats(0.1, 1e4))
def test_permanent_constant_loss_closed_form(r, base, start, loss, area):
    # D = A · L · Σ_{t≥s} (1+r)^(B-t) = A · L · (1+r)^(B-s) · (1+r)/r
    scn = {"schema_version": 1, "method": "service", "base_year": base, "discount_rate": r,
           "injury": {"area": area, "start_year": start, "end_year": "perpetuity", "levels": [[start, 1 - loss]]},
           "replacement": {"start_year": start + 1, "end_year": "perpetuity", "levels": [[start + 1, 1.0]]}}
    res = eq.run_scenario(scn)
    assert res.debit == pytest.approx(area * loss * (1 + r) ** (base - start) * (1 + r) / r, rel=1e-10)
    assert res.credit_per_unit == pytest.approx((1 + r) ** (base - start - 1) * (1 + r) / r, rel=1e-10)
    # required area: A · L · (1 + r) — independent of the base year
    assert res.required_scale == pytest.approx(area * loss * (1 + r), rel=1e-10)


def test_perpetuity_horizon_is_after_last_point():
    # loss recovering linearly to a permanent 20% loss by 2030: years 2020..2030 explicit, then a tail
    scn = {"schema_version": 1, "method": "service", "base_year": 2020, "discount_rate": 0.03,
           "injury": {"area": 1, "start_year": 2020, "end_year": "perpetuity",
                      "levels": [[2020, 0.0], [2030, 0.8]]},
           "replacement": {"start_year": 2021, "end_year": 2040, "levels": [[2021, 1.0]]}}
    res = eq.run_scenario(scn)
    t = res.debit_yearly
    assert t["year"].tolist() == list(range(2020, 2032))
    assert t["perpetuity_tail"].tolist() == [False] * 11 + [True]
    explicit = sum((1 - 0.08 * k) * 1.03**-k for k in range(11))
    tail = 0.2 * 1.03**-10 / 0.03
    assert res.debit == pytest.approx(explicit + tail, rel=1e-12)
