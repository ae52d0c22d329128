"""Base-site selection: eligibility on each rule, required area equal to the equivalence engine,
split proposals, scores under weights, and rankings that differ by case."""
from __future__ import annotations

import copy

import numpy as np
import pytest
from pyproj import Geod

import equivalence
from restoration import InputError
from restoration.bank import (candidate_scenario, case_obligation, case_scenario, propose_split,
                              rank_base_sites, reserve)
from restoration.bank.units import is_area

ALT_CASES = ("GX-2022-010", "GX-2023-008", "GX-2023-015")


def _row(ranking, pid):
    t = ranking.table
    return t[t["project_id"] == pid].iloc[0]


def test_required_amount_equals_run_scenario_for_every_candidate(store):
    bank = store.read("bank_projects").set_index("project_id")
    for case_id in ALT_CASES:
        ranking = rank_base_sites(store, case_id)
        scn = case_scenario(store, case_id)["scenario"]
        for row in ranking.table.itertuples(index=False):
            project = {**bank.loc[row.project_id].to_dict(), "project_id": row.project_id}
            result = equivalence.run_scenario(candidate_scenario(scn, project))
            assert row.required_amount == pytest.approx(result.required_scale, rel=1e-9), row.project_id
            if is_area(row.capacity_unit):
                assert row.required_area_ha == pytest.approx(result.required_area_ha, rel=1e-9)
                assert row.method == "service"
            else:
                assert row.method == "value_to_cost"
            assert ranking.debit == pytest.approx(result.debit, rel=1e-12)


def test_required_area_matches_an_independently_written_scenario(store):
    """BP05 (wetland base site, start 2017, 6 years to full service, V = 1.0) for GX-2023-008,
    written out by hand from the case scenario and the project record."""
    ranking = rank_base_sites(store, "GX-2023-008")
    hand = {"schema_version": 1, "method": "service", "base_year": 2025, "discount_rate": 0.03,
            "injury": {"area": 30.0, "start_year": 2024, "end_year": "perpetuity", "levels": [[2024, 0.0]]},
            "replacement": {"start_year": 2026, "end_year": "perpetuity", "relative_value": 1.0,
                            "levels": [[2017, 0.0], [2023, 1.0]]}}
    expected = equivalence.run_scenario(hand).required_area_ha
    assert _row(ranking, "BP05")["required_area_ha"] == pytest.approx(expected, rel=1e-10)
    # a mature project gives full service from the replacement start: D / (Σ_{t≥2026} 1.03^(2025−t))
    d = 30.0 * (1.03 + 1.03 / 0.03)  # Σ_{t≥2024} 1.03^(2025−t)
    assert expected == pytest.approx(d / (1 / 0.03), rel=1e-9)


def test_eligibility_each_rule(store):
    r = rank_base_sites(store, "GX-2023-008")  # wetland, 邕北区 (郁江流域 in the sample)
    assert "ecosystem_mismatch" in _row(r, "BP01")["reason_codes"]      # forest for wetland
    assert "status" in _row(r, "BP18")["reason_codes"]                  # proposed
    assert _row(r, "BP05")["eligible"] and not _row(r, "BP05")["fits_alone"]  # nearly full
    assert "short" in _row(r, "BP05")["reason_codes"]
    r15 = rank_base_sites(store, "GX-2023-015")
    bp08 = _row(r15, "BP08")
    assert not bp08["eligible"] and "full" in bp08["reason_codes"]      # full base site, same county
    assert bp08["same_watershed"] and bp08["same_county"]
    assert "status" in _row(r15, "BP16")["reason_codes"]                # closed

    ws = rank_base_sites(store, "GX-2023-008", rules={"watershed": "required"})
    elig = ws.table[ws.table["eligible"]]
    assert ws.site.watershed == store.get("sites", "S009")["watershed"]
    assert len(elig) and (elig["watershed"] == ws.site.watershed).all()
    assert _row(ws, "BP04")["watershed"] != ws.site.watershed              # 柳溪县, 柳江流域
    assert "other_watershed" in _row(ws, "BP04")["reason_codes"]
    co = rank_base_sites(store, "GX-2023-008", rules={"county": "required"})
    assert set(co.table.loc[co.table["eligible"], "county"]) == {"邕北区"}
    near = rank_base_sites(store, "GX-2023-008", rules={"max_distance_km": 50})
    assert (near.table.loc[near.table["eligible"], "distance_km"] <= 50).all()
    assert "too_far" in _row(near, "BP04")["reason_codes"]
    st = rank_base_sites(store, "GX-2023-008", rules={"allowed_statuses": ["operational"]})
    assert "status" in _row(st, "BP04")["reason_codes"]                 # under construction

    # a resource-unit project needs the scenario's unit value (equal-value)
    scn = copy.deepcopy(case_scenario(store, "GX-2022-010")["scenario"])
    assert _row(rank_base_sites(store, "GX-2022-010"), "BP19")["eligible"]
    del scn["injury"]["unit_value"]
    nv = rank_base_sites(store, "GX-2022-010", scenario=scn)
    assert "no_unit_value" in _row(nv, "BP19")["reason_codes"]
    # a trajectory that never rises earns no credit
    with store.transaction() as tx:
        tx.update("bank_projects", "BP13", {"trajectory": {"levels": [[0, 0.0]]}})
    nc = rank_base_sites(store, "GX-2022-010")
    assert "no_credit" in _row(nc, "BP13")["reason_codes"] and np.isnan(_row(nc, "BP13")["required_amount"])


def test_distance_is_projected_km(store):
    r = rank_base_sites(store, "GX-2023-008")
    site = store.read("sites", site_id="S009").geometry.iloc[0]
    bp = store.read("bank_projects", project_id="BP04").geometry.iloc[0]
    # polygon-to-polygon distance is a little less than the centroid geodesic distance
    g = Geod(ellps="WGS84")
    _, _, centre_m = g.inv(site.centroid.x, site.centroid.y, bp.centroid.x, bp.centroid.y)
    d = _row(r, "BP04")["distance_km"]
    assert 0.9 * centre_m / 1000 - 2 < d < centre_m / 1000


def test_split_when_no_single_candidate_fits(store):
    r = rank_base_sites(store, "GX-2023-008")
    assert not r.table["fits_alone"].any()
    split = r.split
    assert split is not None and len(split) >= 2
    assert split["fraction"].sum() == pytest.approx(1.0)
    assert split.attrs["shortfall_fraction"] == pytest.approx(0.0, abs=1e-12)
    rem = r.table.set_index("project_id")["remaining"]
    assert (split["amount"].to_numpy() <= rem.loc[split["project_id"]].to_numpy() + 1e-9).all()
    # the split can be reserved as proposed, and then the case is covered
    for row in split.itertuples(index=False):
        reserve(store, row.project_id, "GX-2023-008", row.amount)
    ob = case_obligation(store, "GX-2023-008")
    assert ob["covered_fraction"] == pytest.approx(1.0, abs=1e-6) and ob["status"] == "covered"
    assert ob["escrow_awaiting_match_yuan"] == pytest.approx(1_200_000)
    after = rank_base_sites(store, "GX-2023-008")
    assert after.split is None and after.table.attrs["needed_fraction"] == pytest.approx(0, abs=1e-6)


def test_split_reports_a_shortfall(store):
    r = rank_base_sites(store, "GX-2023-008", rules={"county": "required"})  # only BP05, 18 ha left
    split = r.split
    assert split["project_id"].tolist() == ["BP05"]
    assert split.attrs["shortfall_fraction"] > 0
    assert split["fraction"].sum() + split.attrs["shortfall_fraction"] == pytest.approx(1.0)
    half = propose_split(r.table, needed_fraction=0.5)  # BP05's 18 ha cover more than half
    assert half["fraction"].sum() == pytest.approx(0.5) and half.attrs["shortfall_fraction"] == 0.0


def test_score_breakdown_and_weights(store):
    r = rank_base_sites(store, "GX-2023-015")
    elig = r.table[r.table["eligible"]]
    points = elig[[c for c in elig.columns if c.startswith("points_")]].sum(axis=1)
    assert np.allclose(points, elig["score"])
    assert (np.diff(elig["score"].to_numpy()) <= 1e-12).all()
    cheapest = elig.loc[elig["cost_yuan"].idxmin(), "project_id"]
    by_cost = rank_base_sites(store, "GX-2023-015", weights={"cost": 1, "distance": 0, "time": 0, "match": 0,
                                                               "locality": 0})
    assert by_cost.table.iloc[0]["project_id"] == cheapest
    nearest = elig.loc[elig["distance_km"].idxmin(), "project_id"]
    by_dist = rank_base_sites(store, "GX-2023-015", weights={"cost": 0, "distance": 1, "time": 0, "match": 0,
                                                               "locality": 0})
    assert by_dist.table.iloc[0]["project_id"] == nearest
    with pytest.raises(InputError, match="weights"):
        rank_base_sites(store, "GX-2023-015", weights={"beauty": 1})


def test_rankings_differ_by_case_and_coverage_counts(store):
    tops = {c: rank_base_sites(store, c).table.iloc[0]["project_id"] for c in ALT_CASES}
    assert len(set(tops.values())) == 3
    r10 = rank_base_sites(store, "GX-2022-010")  # 25 ha committed at BP01 in the sample
    cov = r10.covered
    assert cov["project_id"].tolist() == ["BP01"]
    assert r10.covered_fraction == pytest.approx(25.0 / _row(r10, "BP01")["required_amount"])
    row = _row(r10, "BP02")
    assert row["needed_amount"] == pytest.approx(row["required_amount"] * (1 - r10.covered_fraction))


def test_derived_scenario_when_none_is_stored(store):
    sc = case_scenario(store, "GX-2024-005")
    assert sc["source"] == "derived" and sc["scenario"]["injury"]["area"] > 0
    r = rank_base_sites(store, "GX-2024-005")
    assert r.scenario_source == "derived" and r.table["eligible"].any()
    with pytest.raises(InputError, match="no damaged site"):
        rank_base_sites(store, _case_without_damaged_site(store))


def _case_without_damaged_site(store):
    cases = set(store.read("cases")["case_id"])
    damaged = set(store.read("sites", role="damaged")["case_id"].dropna())
    return sorted(cases - damaged)[0] if cases - damaged else _add_case(store)


def _add_case(store):
    import pandas as pd
    from restoration.validate import validate_frame
    frame = pd.DataFrame([{"case_id": "GX-T-001", "title": "t", "region": "邕北区", "case_class": "simple",
                           "stage": "filing", "claimant_agency": "a"}])
    store.insert("cases", validate_frame("cases", frame).frame)
    return "GX-T-001"
