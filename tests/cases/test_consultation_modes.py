"""Consultation records (meetings, failure, clauses) and restoration modes (computed with
equivalence.offsets from the profile's parameters)."""
from __future__ import annotations

import pytest

from restoration.cases import (add_mode, case_events, case_modes, consultation_record, evaluate_mode,
                               ledger, load_profile, missing_clauses)
from restoration.errors import ConflictError, InputError

from .conftest import TODAY


def test_sample_consultation_with_refused_confirmation(store, guangxi):
    case = store.get("cases", "GX-2023-007")
    rec = consultation_record(case, case_events(store, "GX-2023-007"), guangxi, TODAY)
    assert rec["meeting_count"] == 3 and not rec["over_limit"]
    assert [r["meetings"] for r in rec["rounds"]] == [2, 1]
    assert rec["judicial_confirmation"] == "pending" and rec["refusals"] == 1
    assert rec["meeting_limit"]["value"] == 3 and rec["meeting_limit"]["verified"]
    assert rec["agreement"]["missing_clauses"] == []  # the second agreement is complete
    assert rec["re_consultations_allowed"]["value"] == 1


def test_failed_consultation_record(store, guangxi):
    case = store.get("cases", "GX-2023-008")
    rec = consultation_record(case, case_events(store, "GX-2023-008"), guangxi, TODAY)
    assert rec["failure"]["circumstance"] == "period_expired_without_agreement"
    assert rec["failure"]["zh"] == "超过磋商期限未达成一致" and "五（三）5" in rec["failure"]["source"]
    assert rec["next_step"] is None  # litigation already filed


def test_missing_clauses(guangxi, zhejiang):
    missing = missing_clauses({"clauses": ["damage_facts", "evidence", "restoration_plan"]}, guangxi)
    assert [m["id"] for m in missing] == ["time_limits", "breach_liability", "effect_evaluation",
                                          "dispute_resolution"]
    assert missing[0]["zh"] == "履行期限" and "五（三）3" in missing[0]["source"]
    assert missing_clauses({}, guangxi)[0]["id"] == "damage_facts"
    assert missing_clauses({"clauses": ["damage_facts", "evidence", "restoration_plan", "time_limits",
                                        "breach_liability", "effect_evaluation", "dispute_resolution"]}, guangxi) == []
    # the national list was not confirmed: Zhejiang (inheriting it) requires nothing it cannot cite
    assert missing_clauses({}, zhejiang) == []


def test_labour_in_lieu_rate_from_case_when_profile_unset(guangxi):
    r = evaluate_mode("labour_in_lieu", {"days": 60, "persons": 2, "daily_rate_yuan": 150}, guangxi)
    assert r["value_yuan"] == 18_000 and r["recognised"]
    (rule,) = r["rules"]
    assert rule["rule"] == "modes.labour_in_lieu.daily_rate_yuan" and "case parameters" in rule["source"]
    with pytest.raises(InputError, match="not set in profile 'guangxi'"):
        evaluate_mode("labour_in_lieu", {"days": 60, "persons": 2}, guangxi)
    with pytest.raises(InputError, match="unknown parameter"):
        evaluate_mode("labour_in_lieu", {"days": 60, "persons": 2, "daily_rate_yuan": 150, "hours": 8}, guangxi)


def test_labour_in_lieu_with_profile_rate_and_cap(write_profile):
    path = write_profile("county", '''
        [profile]
        id = "county"
        name_zh = "某县"
        name_en = "County"
        extends = "guangxi"

        [modes.labour_in_lieu]
        daily_rate_yuan = { value = 200, unit = "yuan", source = "某县 劳务代偿办法 第五条", verified = true }
        cap_share = { value = 0.3, source = "某县 劳务代偿办法 第六条", verified = true }
        ''')
    prof = load_profile(path)
    r = evaluate_mode("labour_in_lieu", {"days": 100, "persons": 3}, prof, {"damage_amount_yuan": 100_000})
    assert r["details"]["gross_yuan"] == 60_000 and r["value_yuan"] == 30_000 and r["details"]["capped"]
    assert {x["rule"] for x in r["rules"]} == {"modes.labour_in_lieu.daily_rate_yuan", "modes.labour_in_lieu.cap_share"}
    with pytest.raises(InputError, match="the profile sets daily_rate_yuan = 200"):
        evaluate_mode("labour_in_lieu", {"days": 1, "persons": 1, "daily_rate_yuan": 150}, prof)


def test_technical_upgrade_offset_conditions(zhejiang):
    params = {"eligible_investment_yuan": 2_000_000, "offset_ratio": 0.5, "max_share": 0.3,
              "conditions": {"beyond_legal_obligation": True, "measurable_eco_benefit": True,
                             "liability_acknowledged": True}}
    r = evaluate_mode("technical_upgrade_offset", params, zhejiang, {"damage_amount_yuan": 2_000_000})
    assert r["value_yuan"] == 600_000 and r["details"]["capped"] and r["details"]["remaining_yuan"] == 1_400_000
    unmet = {**params, "conditions": {**params["conditions"], "measurable_eco_benefit": False}}
    r = evaluate_mode("technical_upgrade_offset", unmet, zhejiang, {"damage_amount_yuan": 2_000_000})
    assert r["value_yuan"] == 0 and r["details"]["unmet_conditions"] == ["measurable_eco_benefit"]
    missing = {**params, "conditions": {"beyond_legal_obligation": True}}
    with pytest.raises(InputError, match="missing measurable_eco_benefit, liability_acknowledged"):
        evaluate_mode("technical_upgrade_offset", missing, zhejiang, {"damage_amount_yuan": 2_000_000})
    with pytest.raises(InputError, match="share between 0 and 1"):
        evaluate_mode("technical_upgrade_offset", {**params, "offset_ratio": 50}, zhejiang,
                      {"damage_amount_yuan": 2_000_000})


def test_instalments_mode_fills_the_ledger(store):
    cid = "GX-2024-006"
    case = store.get("cases", cid)
    r = add_mode(store, cid, "instalments", actor="clerk", expected_version=case["version"], today=TODAY,
                 parameters={"amount_yuan": 87_000, "count": 3, "first_date": "2026-12-31", "interval_months": 3,
                             "agreed_on": "2026-11-15"})
    assert [s["amount_yuan"] for s in r["details"]["schedule"]] == [29_000, 29_000, 29_000]
    after = store.get("cases", cid)
    assert after["version"] == case["version"] + 1 and "instalments" in after["restoration_modes"]
    s = ledger(store, cid, TODAY)["summary"]
    assert s.scheduled_yuan == 87_000 and list(s.instalments["status"]) == ["upcoming"] * 3
    assert [d for d in s.instalments["due_date"]][-1].isoformat() == "2027-06-30"
    with pytest.raises(ConflictError):
        add_mode(store, cid, "monetary", actor="clerk", expected_version=case["version"],
                 parameters={"amount_yuan": 1})


def test_restoration_modes_link_sites_and_targets(store):
    modes = {m["mode"]: m for m in case_modes(store, "GX-2023-009")}
    sites = {s["site_id"]: s for s in modes["in_situ"]["sites"]}
    assert set(sites) == {"S010", "S011", "S013", "S014"}
    assert sites["S011"]["targets"][0]["indicator"] == "ndvi"
    v = store.get("cases", "GX-2023-009")["version"]
    with pytest.raises(InputError, match="S017' belongs to case GX-2022-010"):
        add_mode(store, "GX-2023-009", "alternative", actor="clerk", site_ids=["S017"])
    with pytest.raises(InputError, match="in_situ links to"):
        add_mode(store, "GX-2022-010", "in_situ", actor="clerk", site_ids=["S017"])
    with pytest.raises(InputError, match="not linked to sites"):
        add_mode(store, "GX-2023-009", "monetary", actor="clerk", site_ids=["S010"], parameters={"amount_yuan": 5})
    with pytest.raises(InputError, match="unknown restoration mode"):
        add_mode(store, "GX-2023-009", "prayer", actor="clerk")
    assert store.get("cases", "GX-2023-009")["version"] == v
    add_mode(store, "GX-2023-008", "alternative", actor="planner", bank_project_id="BP05",
             parameters={"plan": "邕北区城郊湿地修复基地"})
    assert any(m["bank_project_id"] == "BP05" for m in case_modes(store, "GX-2023-008"))


def test_sample_modes_use_offsets(store):
    modes = {m["mode"]: m for m in case_modes(store, "GX-2022-010")}
    off = modes["technical_upgrade_offset"]
    assert off["value_yuan"] == 1_350_000 and off["details"]["remaining_yuan"] == 3_150_000
    assert ledger(store, "GX-2022-010", TODAY)["summary"].due_yuan == off["details"]["remaining_yuan"]
    labour = {m["mode"]: m for m in case_modes(store, "GX-2022-012")}["labour_in_lieu"]
    assert labour["value_yuan"] == 18_000
