"""Discount conventions, quarterly timing, several injury categories and replacement parcels."""
from __future__ import annotations

import copy
import math

import numpy as np
import pytest

import equivalence as eq
from equivalence.discount import convert_rate

BASE = {"schema_version": 1, "method": "service", "base_year": 2020, "discount_rate": 0.03,
        "injury": {"area": 10, "area_unit": "mu", "start_year": 2020, "end_year": 2024,
                   "levels": [[2020, 0.0], [2024, 1.0]]},
        "replacement": {"start_year": 2021, "end_year": 2030, "area_unit": "mu", "levels": [[2021, 0.0], [2023, 1.0]]}}


def _scn(**kw):
    s = copy.deepcopy(BASE)
    s.update(copy.deepcopy(kw))
    return s


def test_conventions_by_hand():
    # 10 mu lose (1 - level) with level 0, .25, .5, .75, 1 in 2020..2024
    area = 10 / 15
    loss = np.array([1.0, 0.75, 0.5, 0.25, 0.0])
    t = np.arange(5)
    d = 0.035
    got = eq.run_scenario(_scn(discount_convention="one_minus_d", discount_rate=d)).debit
    assert got == pytest.approx(area * np.sum(loss * (1 - d) ** t), rel=1e-12)
    rho = 0.04
    got = eq.run_scenario(_scn(discount_convention="continuous", discount_rate=rho)).debit
    assert got == pytest.approx(area * np.sum(loss * np.exp(-rho * t)), rel=1e-12)


@pytest.mark.parametrize("timing", ["annual", "mid_year", "quarterly"])
@pytest.mark.parametrize("perpetuity", [False, True])
def test_converted_rates_give_the_same_result(timing, perpetuity):
    inj = dict(BASE["injury"], end_year="perpetuity", levels=[[2020, 0.0], [2024, 0.8]]) if perpetuity \
        else BASE["injury"]
    ref = eq.run_scenario(_scn(injury=inj, timing=timing))
    for conv in ("one_minus_d", "continuous"):
        r = eq.run_scenario(_scn(injury=inj, timing=timing, discount_convention=conv,
                                 discount_rate=convert_rate(0.03, "compound", conv)))
        assert r.debit == pytest.approx(ref.debit, rel=1e-12)
        assert r.required_scale == pytest.approx(ref.required_scale, rel=1e-12)
        assert r.to_dict()["discount_convention"] == conv


def test_rate_conversions_documented():
    assert convert_rate(0.03, "compound", "one_minus_d") == pytest.approx(0.03 / 1.03)
    assert convert_rate(0.03, "compound", "continuous") == pytest.approx(math.log(1.03))
    assert convert_rate(0.035, "one_minus_d", "compound") == pytest.approx(0.035 / 0.965)


def test_quarterly_by_hand_and_tail_against_a_long_sum():
    r = eq.run_scenario(_scn(timing="quarterly"))
    q = np.arange(2020, 2025, 0.25)
    level = np.interp(q, [2020, 2024], [0.0, 1.0])
    want = 10 / 15 * np.sum(0.25 * (1 - level) * 1.03 ** (2020 - q))
    assert r.debit == pytest.approx(want, rel=1e-12)
    assert len(r.debit_yearly) == 20 and r.debit_yearly["year"].tolist()[:4] == [2020] * 4
    # perpetuity tail in closed form == an explicit sum over 3000 years of quarters
    inj = dict(BASE["injury"], end_year="perpetuity", levels=[[2020, 0.0], [2024, 0.8]])
    rp = eq.run_scenario(_scn(injury=inj, timing="quarterly", discount_convention="continuous", discount_rate=0.02))
    q = np.arange(2020, 5020, 0.25)
    level = np.interp(q, [2020, 2024], [0.0, 0.8])
    want = 10 / 15 * np.sum(0.25 * (1 - level) * np.exp(-0.02 * (q - 2020)))
    assert rp.debit == pytest.approx(want, rel=1e-9)
    assert rp.debit_yearly["contribution"].sum() == pytest.approx(rp.debit, rel=1e-12)


def test_mid_year_one_minus_d_by_hand():
    r = eq.run_scenario(_scn(timing="mid_year", discount_convention="one_minus_d", discount_rate=0.035))
    t = np.arange(2020, 2025) + 0.5
    level = np.interp(t, [2020, 2024], [0.0, 1.0])
    assert r.debit == pytest.approx(10 / 15 * np.sum((1 - level) * 0.965 ** (t - 2020)), rel=1e-12)


def test_unknown_convention_is_an_error():
    with pytest.raises(eq.ScenarioError, match="discount_convention"):
        eq.run_scenario(_scn(discount_convention="simple"))


MULTI = _scn(
    injury=[dict(BASE["injury"], name="重度 severe"),
            {"name": "轻度 moderate", "area": 5, "area_unit": "mu", "start_year": 2020, "end_year": 2022,
             "levels": [[2020, 0.5], [2022, 1.0]]}],
    replacement=[dict(BASE["replacement"], name="A", share=0.6),
                 {"name": "B", "share": 0.4, "start_year": 2022, "end_year": 2030, "area_unit": "mu",
                  "levels": [[2022, 0.0], [2025, 1.0]]}])


def test_categories_add_up_and_parcels_split_the_scale():
    r = eq.run_scenario(MULTI)
    single = [eq.run_scenario(_scn(injury=i)) for i in MULTI["injury"]]
    assert r.debit == pytest.approx(sum(s.debit for s in single), rel=1e-12)
    # moderate by hand: 1/3 ha × (0.5 + 0.25/1.03)
    assert r.categories[1]["debit"] == pytest.approx(5 / 15 * (0.5 + 0.25 / 1.03), rel=1e-12)
    credits = [eq.run_scenario(_scn(replacement={k: v for k, v in p.items() if k not in ("name", "share")}))
               .credit_per_unit for p in MULTI["replacement"]]
    composite = 0.6 * credits[0] + 0.4 * credits[1]
    assert r.credit_per_unit == pytest.approx(composite, rel=1e-12)
    assert r.required_scale == pytest.approx(r.debit / composite, rel=1e-12)
    assert [p["required_scale"] for p in r.parcels] == pytest.approx([0.6 * r.required_scale, 0.4 * r.required_scale])
    d = r.to_dict()
    assert {row["category"] for row in d["yearly"]["debit"]} == {"重度 severe", "轻度 moderate"}
    assert sum(row["contribution"] for row in d["yearly"]["debit"]) == pytest.approx(r.debit)


def test_multi_category_monte_carlo_runs():
    scn = copy.deepcopy(MULTI)
    scn["injury"][1]["area"] = {"dist": "triangular", "min": 4, "mode": 5, "max": 7}
    r = eq.run_scenario(scn, draws=2000, seed=3)
    p = r.percentiles["debit"]
    assert p["p5"] < r.debit < p["p95"] + 1e-9


@pytest.mark.parametrize("change, match", [
    (lambda s: s["replacement"][1].pop("share"), "replacement\\[1\\].share"),
    (lambda s: s["replacement"][1].update(share=0.5), "add up to 1.1"),
    (lambda s: s["replacement"][1].update(area_unit="ha"), "different area units"),
    (lambda s: s.update(injury=[]), "empty list"),
])
def test_multi_errors(change, match):
    s = copy.deepcopy(MULTI)
    change(s)
    with pytest.raises(eq.ScenarioError, match=match):
        eq.run_scenario(s)


def test_rea_units_by_name():
    scn = {"schema_version": 1, "method": "resource", "base_year": 2020, "discount_rate": 0.03,
           "resource_unit": "bird-years", "injury": {"start_year": 2020, "end_year": 2022, "lost_units": 100},
           "replacement": {"start_year": 2021, "end_year": 2030, "units_per_project_unit": 5}}
    r = eq.run_scenario(scn)
    assert r.units["debit"].startswith("bird-years")
    assert "bird-years" in r.summary() and "units" not in r.summary().replace("bird-years", "")
    r2 = eq.run_scenario({k: v for k, v in scn.items() if k != "resource_unit"})
    assert any("resource_unit" in n for n in r2.notes)


def test_documented_numbers():
    """docs/scenario-format.md: the quarterly variant and the two-category, two-parcel example."""
    q = eq.run_scenario(_scn(timing="quarterly"))
    assert (round(q.debit, 6), round(q.credit_per_unit, 6), round(q.required_scale, 6)) == (1.365834, 0.490852, 2.782577)
    m = eq.run_scenario(MULTI)
    assert (round(m.debit, 6), round(m.credit_per_unit, 6), round(m.required_scale, 6)) == (1.866399, 0.435801, 4.282689)
    assert [round(p["required_scale"], 6) for p in m.parcels] == [2.569614, 1.713076]
    assert round(convert_rate(0.035, "one_minus_d", "continuous"), 6) == 0.035627
