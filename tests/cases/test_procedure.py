"""The procedure around a case (issue 14): one test per row of docs/cases.md's seed table."""
from __future__ import annotations

import json
import zipfile
from datetime import date

import pandas as pd
import pytest

from restoration.cases import add_event, case_record, classify, deadlines, evaluate_mode, load_profile, \
    overdue, record_classification, replay
from restoration.cases.procedure import (assessment, credit_record, export_archive, export_assessment,
                                         fund_use, offset_workflow, procedure_record, screening_report_status,
                                         add_screening_report)
from restoration.cases.records import case_events, profile_for
from restoration.profiles import profile_versions
from restoration.cases.publication import public_case_items
from restoration.disclosure import public_cases
from restoration.errors import InputError
from restoration.importer import prepare

from .. import files

TODAY = date(2026, 11, 20)
PHOTO = files.jpeg()
ALL_CLAUSES = ["damage_facts", "evidence", "restoration_plan", "time_limits", "breach_liability",
               "effect_evaluation", "dispute_resolution"]


def ev(t, d, details=None):
    return {"event_type": t, "event_date": d, "details": details or {}}


def new_case(store, cid, *, profile="guangxi", case_class="ordinary", party="测试某化工有限公司",
             incident="2025-01-01", region="石岭县"):
    frame = pd.DataFrame([{"case_id": cid, "title": f"测试案件 {cid}", "region": region, "case_class": case_class,
                           "stage": "screening", "claimant_agency": "测试局", "liable_party": party,
                           "incident_date": incident, "discovered_date": incident, "profile": profile}])
    with store.transaction("test") as tx:
        clean, _ = prepare(tx, "cases", frame)
        tx.insert("cases", clean)
    return cid


def add(store, cid, *events):
    for e in events:
        add_event(store, cid, ev(*e), "tester", today=TODAY)


FILED = [("clue_registered", "2025-02-01"), ("filed", "2025-02-10")]
APPRAISED = FILED + [("investigation_started", "2025-02-20"), ("investigation_reported", "2025-04-01"),
                     ("appraisal_commissioned", "2025-04-10"), ("appraisal_reported", "2025-06-01")]


def refused(store, cid, e, text):
    before = len(case_events(store, cid))
    with pytest.raises(InputError) as exc:
        add_event(store, cid, ev(*e), "tester", today=TODAY)
    assert text in str(exc.value)
    assert len(case_events(store, cid)) == before  # nothing written


# -- absent items -----------------------------------------------------------------------------------
def test_scope_exclusion_recorded_with_reason(store):
    rec = case_record(store, "GX-2026-016", TODAY)
    x = rec["procedure"]["exclusion"]
    assert rec["case"]["stage"] == "not_started" and x["reason"] == "marine_ecological_damage"
    assert "五（一）" in x["source"] and x["verified"] is True
    cid = new_case(store, "T-EX")
    add(store, cid, FILED[0])
    refused(store, cid, ("screening_excluded", "2025-02-05"), "choose the reason")
    refused(store, cid, ("screening_excluded", "2025-02-05", {"reason": "noise"}), "personal_property_damage")
    add(store, cid, FILED[1])
    refused(store, cid, ("screening_excluded", "2025-02-15", {"reason": "marine_ecological_damage"}), "filed")


def test_jurisdiction_levels(store):
    cid = new_case(store, "T-J")
    add(store, cid, FILED[0])
    refused(store, cid, ("jurisdiction_assigned", "2025-02-02", {"level": "province", "handling_region": "自治区"}),
            "cross_city")  # region-level cases only for the listed situations (桂办发〔2018〕27号)
    refused(store, cid, ("jurisdiction_assigned", "2025-02-02", {"level": "county", "handling_region": "石岭县"}),
            "who designated it")
    refused(store, cid, ("jurisdiction_assigned", "2025-02-02", {"level": "town", "handling_region": "x"}), "city")
    add(store, cid, ("jurisdiction_assigned", "2025-02-02", {"level": "province", "handling_region": "自治区",
                                                             "basis": "cross_city"}))
    j = procedure_record(store.get("cases", cid), case_events(store, cid), load_profile("guangxi"), TODAY)["jurisdiction"]
    assert (j["level"], j["basis"]) == ("province", "cross_city")


def test_joint_handling_lead_department(store):
    cid = new_case(store, "T-JH")
    add(store, cid, FILED[0])
    refused(store, cid, ("joint_handling_agreed", "2025-02-03", {"departments": ["A"], "lead_department": "A"}),
            "two or more")
    refused(store, cid, ("joint_handling_agreed", "2025-02-03", {"departments": ["A", "B"], "lead_department": "C"}),
            "not among")
    add(store, cid, ("joint_handling_agreed", "2025-02-03", {"departments": ["A", "B"], "lead_department": "A",
                                                             "joint_regions": ["青岚县"]}))
    rec = case_record(store, "GX-2024-004", TODAY)["procedure"]
    assert rec["joint_handling"][0]["lead_department"] == "自治区生态环境厅"
    assert rec["jurisdiction"]["basis"] == "major_sudden_incident"


def test_joint_investigation_group(store):
    cid = new_case(store, "T-JG")
    add(store, cid, FILED[0])
    refused(store, cid, ("joint_investigation_group", "2025-02-03", {"lead_department": "A", "members": ["A", "B"]}),
            "filed")
    add(store, cid, FILED[1])
    refused(store, cid, ("joint_investigation_group", "2025-02-12", {"lead_department": "A", "members": ["A"]}),
            "two or more")
    add(store, cid, ("joint_investigation_group", "2025-02-12", {"lead_department": "A", "members": ["A", "B"]}))
    assert case_record(store, "GX-2024-004", TODAY)["procedure"]["joint_investigation_groups"]


def test_appraisal_institution_objection_review_with_documents(store):
    cid = new_case(store, "T-AP")
    add(store, cid, *FILED[:2])
    add_event(store, cid, ev("appraisal_institution_selected", "2025-02-15", {"institution": "某鉴定中心",
                                                                              "method": "随机抽取"}),
              "tester", today=TODAY, attachments=[("选取记录.pdf", "application/pdf", files.pdf())])
    add(store, cid, *APPRAISED[2:])
    refused(store, cid, ("appraisal_objection_answered", "2025-06-05", {"outcome": "rejected"}), "no objection")
    add(store, cid, ("appraisal_objection", "2025-06-05", {"by": "赔偿义务人", "grounds": "范围有异议"}),
        ("third_party_review", "2025-06-20", {"reviewer": "专家组", "conclusion": "依据充分"}),
        ("appraisal_objection_answered", "2025-06-25", {"outcome": "rejected"}))
    app = case_record(store, cid, TODAY)["procedure"]["appraisal"]
    assert [o["event_type"] for o in app["objections"]] == ["appraisal_objection", "appraisal_objection_answered"]
    assert app["third_party_reviews"][0]["reviewer"] == "专家组"
    assert len(store.read("attachments", case_id=cid)) == 1  # the selection record travels with its event


def test_liable_party_request_opens_consultation(store, tmp_path):
    cid = new_case(store, "T-RQ")
    add(store, cid, *FILED)
    refused(store, cid, ("meeting_held", "2025-03-01"), "notice")
    add(store, cid, ("consultation_requested", "2025-03-01"), ("meeting_held", "2025-03-10"))
    assert store.get("cases", cid)["stage"] == "consultation"
    refused(store, cid, ("consultation_requested", "2025-03-11"), "already begun")
    # Zhejiang's note does not give the liable party this right: refused, citing the rule
    zj = new_case(store, "T-RQZ", profile="zhejiang")
    add(store, zj, *FILED)
    refused(store, zj, ("consultation_requested", "2025-03-01"), "does not let the liable party")


def test_agent_needs_verified_authorisation(store):
    cid = new_case(store, "T-AG", profile="zhejiang")
    add(store, cid, *APPRAISED, ("consultation_notice_served", "2025-06-10"))
    refused(store, cid, ("meeting_held", "2025-06-20", {"agents": ["王律师"]}), "authorisation is verified")
    add(store, cid, ("agent_authorised", "2025-06-15", {"agent": "王律师", "principal": "某公司",
                                                        "document": "授权委托书", "valid_until": "2025-06-30"}))
    add(store, cid, ("meeting_held", "2025-06-20", {"agents": ["王律师"]}))
    refused(store, cid, ("meeting_held", "2025-07-05", {"agents": ["王律师"]}), "expired")


def test_enforcement_links(store):
    links = case_record(store, "GX-2024-004", TODAY)["procedure"]["enforcement_links"]
    kinds = {(x["event_type"], x["action"]) for x in links}
    assert {("enforcement_referral", None), ("compensation_duty_notified", None),
            ("police_link", "pollutants_disposed"), ("police_link", "criminal_case_filed")} <= kinds
    cid = new_case(store, "T-EN")
    add(store, cid, FILED[0])
    refused(store, cid, ("police_link", "2025-02-02", {"action": "arrested"}), "materials_provided")
    refused(store, cid, ("enforcement_referral", "2025-02-02"), "from_department")


def test_supervision_schedule_and_overdue(store):
    late = overdue(store, TODAY)
    sup = late[late["kind"] == "supervision"]
    assert list(sup["case_id"]) == ["GX-2024-004"] and (sup["days_left"] < 0).all()
    dl = {d.deadline: d for d in deadlines(store, "GX-2023-007", TODAY)}
    assert all(dl[f"supervision_report_{k}"].status == "met" for k in range(1, 5))
    assert dl["supervision_report_5"].status == "open"
    cid = new_case(store, "T-SV")  # an ordinary case is not supervised
    add(store, cid, FILED[0])
    refused(store, cid, ("supervision_started", "2025-02-02", {"authority": "省办", "report_every_days": 30}),
            "major cases")
    # a report closes the overdue item
    add_event(store, "GX-2024-004", ev("supervision_report", "2026-11-20", {"summary": "补报"}), "t", today=TODAY)
    late = overdue(store, TODAY)
    assert late[late["kind"] == "supervision"].empty


def test_public_comment_recorded_and_answered(store):
    pp = case_record(store, "GX-2024-005", TODAY)["procedure"]["public_participation"]
    assert pp["unanswered"] == 1 and pp["rounds"][0]["document"] == "restoration_plan"
    refused(store, "GX-2024-005", ("public_comment_answered", "2026-11-20", {"comment_id": "nope", "answer": "x"}),
            "no comment")
    refused(store, "GX-2024-005", ("public_comment_received", "2026-11-20",
                                   {"document": "agreement", "comment_id": "C9", "text": "x"}), "no comment period")
    add_event(store, "GX-2024-005", ev("public_comment_answered", "2026-11-20",
                                       {"comment_id": "C-2026-02", "answer": "采纳：选用乡土树种"}), "t", today=TODAY)
    assert case_record(store, "GX-2024-005", TODAY)["procedure"]["public_participation"]["unanswered"] == 0
    # the period cannot close before it opens, nor receive a comment after it closed
    refused(store, "GX-2024-005", ("public_comment_opened", "2026-11-20", {"document": "agreement",
                                                                           "until": "2026-11-01"}), "after it opens")


def test_assessment_per_region_and_export(store, tmp_path):
    a = assessment(store, date(2022, 1, 1), TODAY, TODAY)
    cases = store.read("cases")
    assert set(a["region"]) == set(cases["region"]) and a["cases_opened"].sum() == len(cases)
    row = a.set_index("region").loc["桂源县"]
    assert row["supervision_reports_overdue"] == 1
    ledger = store.read("funds_ledger")
    assert a["funds_received_yuan"].sum() == pytest.approx(ledger.loc[ledger.entry_type == "received",
                                                                      "amount_yuan"].sum())
    only_2026 = assessment(store, date(2026, 1, 1), TODAY, TODAY)
    assert only_2026["cases_opened"].sum() < a["cases_opened"].sum()
    path = export_assessment(store, tmp_path / "a.xlsx", today=TODAY)
    sheet = pd.read_excel(path, sheet_name="考核指标")
    assert "结案数" in sheet.columns and len(sheet) == len(a)
    with pytest.raises(InputError):
        assessment(store, TODAY, date(2020, 1, 1))


def test_profile_versions_by_filing_date(tmp_path, monkeypatch, store):
    (tmp_path / "guangxi@2026.toml").write_text(
        '[profile]\nid = "guangxi"\nname_zh = "广西"\nname_en = "Guangxi"\nextends = "guangxi"\n'
        'version = "2026"\nstatus = "in_force"\neffective_from = 2026-01-01\neffective_source = "测试文件 第一条"\n'
        'document_number = "测试〔2025〕1号"\n'
        '[consultation]\nmax_meetings = { value = 5, source = "测试文件 第二条", verified = true }\n',
        encoding="utf-8")
    monkeypatch.setenv("RESTORATION_PROFILES", str(tmp_path))
    # the shipped base is a draft of the seed: the one version in force comes first, drafts after
    assert [v.key for v in profile_versions("guangxi")] == ["guangxi@2026", "guangxi", "guangxi@draft-2025"]
    assert load_profile("guangxi", on=date(2025, 12, 31)).rule("consultation.max_meetings").value == 3
    assert load_profile("guangxi", on=date(2026, 1, 1)).rule("consultation.max_meetings").value == 5
    old = store.get("cases", "GX-2023-007")  # filed 2024: judged by the version in force then
    assert profile_for(old, case_events(store, "GX-2023-007")).key == "guangxi"
    new = store.get("cases", "GX-2025-002")  # filed 2026
    assert profile_for(new, case_events(store, "GX-2025-002")).key == "guangxi@2026"


def test_draft_profile_loaded_without_replacing(tmp_path, monkeypatch):
    (tmp_path / "zhejiang@draft.toml").write_text(
        '[profile]\nid = "zhejiang"\nname_zh = "浙江"\nname_en = "Zhejiang"\nextends = "zhejiang"\n'
        'version = "draft"\nstatus = "draft"\n'
        '[time_limits.investigation]\nzh = "调查"\nen = "investigation"\nday_kind = "calendar"\nvalue = 60\n'
        'start_events = ["investigation_started"]\nstop_events = ["investigation_reported"]\n'
        'source = "征求意见稿 第四条"\nverified = false\n', encoding="utf-8")
    monkeypatch.setenv("RESTORATION_PROFILES", str(tmp_path))
    draft = load_profile("zhejiang@draft")
    assert draft.is_draft and draft.rule("time_limits.investigation").value == 60
    in_force = load_profile("zhejiang", on=date(2030, 1, 1))
    assert in_force.key == "zhejiang" and not in_force.rule("time_limits.investigation").is_set
    bad = tmp_path / "zhejiang@x.toml"
    bad.write_text('[profile]\nid = "zhejiang"\nname_zh = "z"\nname_en = "z"\nversion = "y"\n', encoding="utf-8")
    with pytest.raises(InputError, match="version"):
        load_profile(str(bad))


# -- partial items ---------------------------------------------------------------------------------
def test_ten_clue_channels(guangxi):
    ch = guangxi.list("clue_channels")
    assert len(ch.items) == 10 and "10类" in ch.source and ch.verified is False  # names unverified


def test_clue_referral(store):
    refs = case_record(store, "GX-2025-001", TODAY)["procedure"]["referrals"]
    assert refs[0]["to_department"] == "石岭县林业局"
    # a case imported at screening is a clue already: its referral needs no dated clue registration;
    # the takeover the register implies is written with it, dated no later than the referral
    cid = new_case(store, "T-RF")
    add(store, cid, ("clue_referred", "2025-01-05", {"to_department": "X"}))
    evs = case_events(store, cid)
    assert [(e.event_type, e.event_date.isoformat()) for e in evs] == [("taken_over", "2025-01-05"),
                                                                       ("clue_referred", "2025-01-05")]
    assert evs[0].details["stage"] == "screening" and store.get("cases", cid)["stage"] == "screening"


def _under_profile(store, profile: str, regions: tuple[str, ...]) -> None:
    """Hand the cases of ``regions`` to ``profile`` (as a province's own register would be)."""
    cases = store.read("cases")
    with store.transaction("test") as tx:
        for cid in cases.loc[cases["region"].isin(regions), "case_id"]:
            tx.update("cases", cid, {"profile": profile})


def test_screening_reports_cycle(store, zhejiang, guangxi, tmp_path, monkeypatch):
    # the sample is a Guangxi register: Zhejiang's half-yearly rule opens no period for it
    assert screening_report_status(store, zhejiang, TODAY).empty
    _under_profile(store, "zhejiang", ("石岭县", "桂源县"))
    st = screening_report_status(store, zhejiang, TODAY)
    # 浙补充意见 二 puts the half-yearly report on the provincial departments: one per period for
    # the province, counting the clues of both counties; no county owes one
    assert set(st["region"]) == {"浙江省"} and "province" == zhejiang.rule("screening.reporting_level").value
    assert st["period_start"].is_unique
    h1 = st[(st["period_start"] == "2026-01-01")].set_index("region")["status"]
    assert h1["浙江省"] == "missing"
    assert (pd.to_datetime(st["period_end"]) < pd.Timestamp(TODAY)).all()
    assert "每半年" in zhejiang.rule("screening.report_every_months").source
    empty = screening_report_status(store, guangxi, TODAY)
    assert empty.empty and "not set" not in empty.attrs["reason"] and "guangxi" in empty.attrs["reason"]
    add_screening_report(store, {"region": "浙江省", "period_start": "2026-01-01", "period_end": "2026-06-30",
                                 "submitted_on": "2026-07-20", "submitted_to": "省工作小组"}, "t")
    st = screening_report_status(store, zhejiang, TODAY)
    assert st[(st.region == "浙江省") & (st.period_start == "2026-01-01")]["status"].item() == "submitted"
    with pytest.raises(InputError, match="already"):
        add_screening_report(store, {"region": "浙江省", "period_start": "2026-01-01", "period_end": "2026-06-30",
                                     "submitted_on": "2026-07-20", "submitted_to": "x"}, "t")
    # a profile that puts the report on each county keeps the county-by-county periods
    (tmp_path / "zjcounty.toml").write_text(
        '[profile]\nid = "zjcounty"\nname_zh = "测试省"\nname_en = "Test"\nextends = "zhejiang"\n'
        '[screening.reporting_level]\nvalue = "county"\nsource = "测试省规定"\nverified = true\n', encoding="utf-8")
    monkeypatch.setenv("RESTORATION_PROFILES", str(tmp_path))
    _under_profile(store, "zjcounty", ("石岭县", "桂源县"))
    county = screening_report_status(store, load_profile("zjcounty"), TODAY)
    assert set(county["region"]) == {"石岭县", "桂源县"}


def test_time_limit_set_by_province_runs(tmp_path, monkeypatch, store):
    (tmp_path / "testprov.toml").write_text(
        '[profile]\nid = "testprov"\nname_zh = "测试省"\nname_en = "Test"\nextends = "zhejiang"\n'
        '[time_limits.investigation]\nzh = "损害调查期限"\nen = "investigation"\nday_kind = "calendar"\nvalue = 60\n'
        'start_events = ["investigation_started"]\nstop_events = ["investigation_reported", "terminated"]\n'
        'source = "测试省规定 第四条"\nverified = true\n', encoding="utf-8")
    monkeypatch.setenv("RESTORATION_PROFILES", str(tmp_path))
    cid = new_case(store, "T-TL", profile="testprov")
    add(store, cid, *FILED, ("investigation_started", "2025-03-01"))
    (inv,) = [d for d in deadlines(store, cid, TODAY) if d.deadline == "investigation"]
    assert inv.status == "overdue" and inv.limit_days == 60 and inv.source == "测试省规定 第四条"
    assert cid in set(overdue(store, TODAY)["case_id"])
    # the shipped profiles leave it unset: listed, never overdue
    zj = new_case(store, "T-TLZ", profile="zhejiang")
    add(store, zj, *FILED, ("investigation_started", "2025-03-01"))
    (inv,) = [d for d in deadlines(store, zj, TODAY) if d.deadline == "investigation"]
    assert inv.status == "not_set" and not inv.overdue


def test_failure_circumstances_seven_six_named(guangxi):
    count = guangxi.rule("consultation.failure_circumstances_count")
    listed = guangxi.list("consultation.failure_circumstances")
    assert count.value == 7 and count.verified and len(listed.items) == 6
    assert "notice_unserved" in listed


def test_agreement_missing_clauses_refused_unless_override(store):
    cid = new_case(store, "T-CL")
    add(store, cid, *APPRAISED, ("consultation_notice_served", "2025-06-10"), ("meeting_held", "2025-06-20"))
    refused(store, cid, ("agreement_signed", "2025-07-01", {"clauses": ["damage_facts"]}), "lacks mandatory")
    refused(store, cid, ("agreement_signed", "2025-07-01", {"clauses": ["damage_facts"],
                                                            "clause_override": {"reason": "补充协议"}}), "approved_by")
    add(store, cid, ("agreement_signed", "2025-07-01", {"clauses": ["damage_facts"], "clause_override": {
        "reason": "其余条款另签补充协议", "approved_by": "局务会"}}))
    assert case_record(store, cid, TODAY)["consultation"]["agreement"]["missing_clauses"]


def test_credit_record_across_cases(store):
    rec = credit_record(store, "红河口县某食品有限公司")
    assert rec["on_dishonesty_list"] and rec["cases"] == ["GX-2023-015"]
    other = new_case(store, "T-CR", party="红河口县某食品有限公司", incident="2026-01-05")
    add(store, other, ("clue_registered", "2026-01-06"))
    rec = credit_record(store, "红河口县某食品有限公司")
    assert set(rec["cases"]) == {"GX-2023-015", other} and rec["on_dishonesty_list"]
    assert credit_record(store, "青岚县某矿业集团有限公司")["incentives"] == 1
    refused(store, other, ("dishonesty_listed", "2026-02-01", {"court": "x"}), "enforcement")


def test_repeat_offence_looked_up_from_history(store):
    facts = {"damage_amount_yuan": 1_000, "damage_kind": "pollution", "facts_clear": True,
             "liability_undisputed": True, "obvious_impact": False, "in_red_line": False,
             "repeat_offence_within_2y": False, "rectification_completed": True, "major_triggers": []}
    party = "石岭县某林业开发有限公司"  # GX-2023-009, damage on 2024-02-03
    outside = new_case(store, "T-RP3", party=party, incident="2026-03-01")  # > 2 years after 2024-02-03
    assert record_classification(store, outside, facts, "t").case_class == "significantly_minor"
    within = new_case(store, "T-RP1", party=party, incident="2025-06-01")
    r = record_classification(store, within, facts, "t")
    assert r.case_class == "simple"  # the typed 'false' was replaced by the history
    (hit,) = [f for f in r.fired if f["effect"] == "repeat_lookup"]
    assert hit["met"] is True and hit["cases"][0]["case_id"] == "GX-2023-009" and "2" in hit["source"]
    later = new_case(store, "T-RP2", party="某全新公司", incident="2026-06-01")
    assert record_classification(store, later, {**facts, "repeat_offence_within_2y": True}, "t").case_class \
        == "significantly_minor"


def test_minor_cap_only_for_named_kind(guangxi):
    base = {"damage_amount_yuan": 1_000, "facts_clear": True, "liability_undisputed": True, "obvious_impact": True,
            "in_red_line": False, "repeat_offence_within_2y": False, "rectification_completed": True,
            "major_triggers": []}
    assert classify({**base, "damage_kind": "pollution"}, guangxi).case_class == "significantly_minor"
    for kind in (None, "ecological_destruction"):
        r = classify({**base, "damage_kind": kind}, guangxi)
        assert r.case_class == "simple"
        (cap,) = [f for f in r.fired if f["rule"].endswith("amount_cap_yuan") and f["effect"] == "minor_criterion"]
        assert cap["met"] is None


def test_offset_workflow_pending_not_zero(store, zhejiang):
    pending = case_record(store, "GX-2023-009", TODAY)["procedure"]["offset"]
    assert pending["status"] == "pending_confirmation"
    assert {c["id"]: c["state"] for c in pending["conditions"]}["measurable_eco_benefit"] == "unconfirmed"
    add_event(store, "GX-2023-009", ev("offset_accepted", "2026-11-20", {"accepted": True}), "t", today=TODAY)
    refused(store, "GX-2023-009", ("offset_granted", "2026-11-20", {"offset_yuan": 1}), "not confirmed")
    done = case_record(store, "GX-2022-010", TODAY)["procedure"]["offset"]
    assert done["status"] == "granted" and done["granted_offset_yuan"] == 810_000
    # Zhejiang lists three conditions (wording unverified): one unconfirmed keeps the amount, flagged
    params = {"eligible_investment_yuan": 1_000_000, "offset_ratio": 0.5, "max_share": 0.3,
              "compensation_yuan": 2_000_000,
              "conditions": {"beyond_legal_obligation": True, "measurable_eco_benefit": None,
                             "liability_acknowledged": True}}
    r = evaluate_mode("technical_upgrade_offset", params, zhejiang)
    assert r["value_yuan"] == 500_000 and r["details"]["provisional"] and \
        r["details"]["unconfirmed_conditions"] == ["measurable_eco_benefit"]
    assert r["details"]["conditions_rule_verified"] is False
    params["conditions"]["measurable_eco_benefit"] = False
    assert evaluate_mode("technical_upgrade_offset", params, zhejiang)["value_yuan"] == 0
    # the granted step needs every condition confirmed
    steps = [ev("clue_registered", "2025-02-01"), ev("filed", "2025-02-10"),
             ev("offset_applied", "2025-03-01", {"project": "p", "eligible_investment_yuan": 10}),
             ev("offset_reviewed", "2025-03-10", {"verdict": "approved", "conditions": {"beyond_legal_obligation": True}}),
             ev("offset_accepted", "2025-04-01"), ev("offset_granted", "2025-04-02", {"offset_yuan": 5})]
    probs = [m for _, _, m in replay({"case_id": "x", "case_class": "ordinary"}, steps, zhejiang, TODAY).problems]
    assert len(probs) == 1 and "measurable_eco_benefit" in str(probs[0])
    assert offset_workflow(steps[:4], zhejiang)["status"] == "pending_confirmation"


def test_unverified_exemption_cannot_close_alone(store):
    cid = new_case(store, "T-EE")
    agreed = APPRAISED + [("consultation_notice_served", "2025-06-10"), ("meeting_held", "2025-06-20"),
                          ("agreement_signed", "2025-07-01", {"clauses": ALL_CLAUSES})]
    add(store, cid, *agreed, ("effect_evaluation_exempted", "2025-08-01", {"reason": "monetary_only"}))
    refused(store, cid, ("closed", "2025-08-10"), "not verified")
    add(store, cid, ("effect_evaluation_exempted", "2025-08-05", {"reason": "monetary_only",
                                                                  "basis": "协议仅约定货币赔偿（第三条）",
                                                                  "approved_by": "局务会"}))
    add(store, cid, ("closed", "2025-08-10"))
    assert store.get("cases", cid)["stage"] == "closed"


def test_public_items_only_allow_listed(store):
    items = public_case_items(store)
    assert set(items["item"]) == {"agreement", "fund_use", "restoration_result"}
    disclosed = set(store.read("cases", disclosed=True)["case_id"])
    assert set(items["case_id"]) <= disclosed
    assert set(items["case_id"]) <= set(public_cases(store)["case_id"])  # the ids the public table shows
    text = items.to_json(force_ascii=False)
    assert "陈某某" not in text and "王律师" not in text and "note" not in items.columns
    fu = items[items["item"] == "fund_use"].iloc[0]
    use = fund_use(store, fu["case_id"])
    assert fu["funds_used_yuan"] == 2_400_000 == use["amount_yuan"].sum()
    assert fu["funds_used_at_damaged_place_yuan"] == use.loc[use["at_damaged_place"].eq(True), "amount_yuan"].sum()


def test_archive_one_file_with_index(store, tmp_path):
    add_event(store, "GX-2023-009", ev("inspection", "2026-11-20"), "t", today=TODAY,
              attachments=[("现场照片.jpg", "image/jpeg", PHOTO)])
    path = export_archive(store, "GX-2023-009", tmp_path / "a.zip", TODAY)
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        index = pd.read_csv(z.open("index.csv"))
        assert set(index["file"]) <= names and "case.json" in names
        n_events = len(store.read("case_events", case_id="GX-2023-009"))
        assert (index["kind"] == "event").sum() == n_events
        (att,) = [n for n in names if n.startswith("attachments/")]
        assert z.read(att) == PHOTO and "现场照片" in att
        rec = json.loads(z.read("case.json"))
        assert rec["case"]["case_id"] == "GX-2023-009"


def test_fund_use_flags_elsewhere(store, zhejiang):
    from restoration.cases import add_ledger_entry
    use = fund_use(store, "GX-2022-011")
    assert use["at_damaged_place"].all()  # S020 is the in-situ restoration of the damaged reach
    # alternative restoration counts as the damaged place only inside the case's county
    sites = store.read("sites").set_index("site_id")
    case = store.get("cases", "GX-2022-010")
    alt = fund_use(store, "GX-2022-010")
    expected = (sites.loc["S017", "county"] == case["region"])
    assert (alt["at_damaged_place"] == expected).all()
    # money spent on another case's site is flagged, with Zhejiang's rule cited
    add_ledger_entry(store, "GX-2022-010", {"entry_type": "disbursed", "amount_yuan": 10_000,
                                            "entry_date": "2026-11-01", "purpose": "他案场地",
                                            "site_id": "S024", "use_kind": "restoration"}, "t", today=TODAY)
    z = fund_use(store, "GX-2022-010", zhejiang)
    last = z.iloc[-1]
    assert not last["at_damaged_place"] and last["flag"] == "site_of_another_case"
    assert "第九条" in last["rule_source"]


def test_new_rules_cite_source_and_verified():
    for name in ("national", "guangxi", "zhejiang"):
        table = load_profile(name).table()
        new = table[table["rule"].str.match(r"(scope_exclusions|jurisdiction|screening|investigation\.|appraisal\.|"
                                            r"supervision|public_participation|credit|funds|consultation\.(request|agent|failure_circumstances_count))")]
        assert (new["source"].str.len() > 0).all()
        assert new["verified"].isin([True, False]).all()


def test_cli_procedure_commands(store, capsys, run_cli, tmp_path):
    data = store.data_dir
    code, out, _ = run_cli(capsys, data, "case", "procedure", "GX-2024-004", "--today", "2026-11-20", "--json")
    assert code == 0 and json.loads(out)["supervision"]["under_supervision"] is True
    code, out, _ = run_cli(capsys, data, "case", "credit", "红河口县某食品有限公司")
    assert code == 0 and "是 YES" in out
    code, out, _ = run_cli(capsys, data, "case", "archive", "GX-2022-012", "--out", str(tmp_path / "x.zip"))
    assert code == 0 and zipfile.is_zipfile(tmp_path / "x.zip")
    code, _, err = run_cli(capsys, data, "case", "archive", "GX-2022-012", "--out", str(tmp_path / "x.txt"))
    assert code == 2 and ".zip" in err
    code, _, err = run_cli(capsys, data, "case", "assessment", "--from", "2026-13-01")
    assert code == 2 and "--from" in err
    code, out, _ = run_cli(capsys, data, "case", "assessment", "--today", "2026-11-20", "--out", str(tmp_path / "a.xlsx"))
    assert code == 0 and (tmp_path / "a.xlsx").exists()
    code, out, _ = run_cli(capsys, data, "case", "profile", "guangxi", "--on", "2026-01-01")
    assert code == 0 and "in force" in out
    code, out, _ = run_cli(capsys, data, "case", "screening", "list", "--profile", "zhejiang", "--today", "2026-11-20")
    assert code == 0 and "no case is handled under profile 'zhejiang'" in out and "missing" not in out
    _under_profile(store, "zhejiang", ("石岭县", "桂源县"))
    code, out, _ = run_cli(capsys, data, "case", "screening", "list", "--profile", "zhejiang", "--today", "2026-11-20")
    assert code == 0 and "missing" in out


def test_migration_10_upgrades_an_older_store(tmp_path, monkeypatch):
    import sqlite3

    from restoration.store import migrations, open_store
    older = [m for m in migrations.MIGRATIONS if m[0] < 10]
    monkeypatch.setattr(migrations, "MIGRATIONS", older)
    monkeypatch.setattr(migrations, "LATEST", older[-1][0])
    path = tmp_path / "old.gpkg"
    open_store(path).schema_version  # a store as it was before migration 10
    with sqlite3.connect(path) as conn:  # the ledger of that time had no site_id / use_kind
        conn.execute('ALTER TABLE funds_ledger DROP COLUMN site_id')
        conn.execute('ALTER TABLE funds_ledger DROP COLUMN use_kind')
        assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'screening_reports'").fetchone()
    monkeypatch.undo()
    store = open_store(path, create=False)
    assert store.schema_version == migrations.LATEST
    assert {"site_id", "use_kind"} <= set(store.read("funds_ledger").columns)
    assert store.read("screening_reports").empty


def test_empty_store_and_bad_input(empty_store, zhejiang, tmp_path):
    assert assessment(empty_store, today=TODAY).empty
    assert screening_report_status(empty_store, zhejiang, TODAY).empty
    assert credit_record(empty_store, "某公司")["records"] == []
    with pytest.raises(InputError, match="liable party"):
        credit_record(empty_store, "  ")
    with pytest.raises(InputError, match="period_end"):
        add_screening_report(empty_store, {"region": "A县", "period_start": "2026-07-01", "period_end": "2026-01-01",
                                           "submitted_on": "2026-07-20", "submitted_to": "x"}, "t")
    with pytest.raises(InputError):
        add_screening_report(empty_store, {"region": "A县", "period_start": "not a date", "period_end": "2026-01-01",
                                           "submitted_on": "2026-07-20", "submitted_to": "x"}, "t")
    assert empty_store.read("screening_reports").empty


def test_case_report_has_the_procedure_escaped(store):
    from restoration.reports.case_report import case_report_html
    cid = new_case(store, "T-RPT", case_class="major")
    add(store, cid, FILED[0], ("joint_handling_agreed", "2025-02-03",
                               {"departments": ["<script>alert(1)</script>", "B局"],
                                "lead_department": "<script>alert(1)</script>"}),
        ("supervision_started", "2025-02-04", {"authority": "省办", "report_every_days": 30}))
    add(store, cid, ("accountability_recorded", "2025-02-05", {"subject": "<script>alert(2)</script>",
                                                               "ground": "逾期", "decided_by": "<b>市局</b>"}))
    page = case_report_html(store, cid, TODAY)
    assert "<h2>程序 Procedure</h2>" in page and "<script>alert" not in page and "&lt;script&gt;" in page
    assert "责任追究 accountability action recorded" in page and "<b>市局" not in page
    assert "每 30 日报告" in page
    page = case_report_html(store, "GX-2023-009", TODAY)
    assert "待确认条件" in page and "pending_confirmation" not in page


def test_requested_consultation_has_a_period(store):
    cid = new_case(store, "T-RQD")
    add(store, cid, *FILED, ("consultation_requested", "2025-03-01"), ("meeting_held", "2025-03-10"))
    (c,) = [d for d in deadlines(store, cid, TODAY) if d.deadline == "consultation"]
    assert c.start_event == "consultation_requested" and c.limit_days == 90 and c.status == "overdue"
    assert "platform's reading" in c.note


# -- information sharing, responsibility and commendation (桂 第七章) -------------------------------
def test_information_sharing_between_departments(store):
    from restoration.cases.procedure import information_sharing
    rec = case_record(store, "GX-2024-004", TODAY)["procedure"]["information_sharing"]
    assert [(r["direction"], r["with_department"]) for r in rec] == [("sent", "桂源县公安局"), ("received", "自治区水利厅")]
    assert rec[0]["items_zh"] == ["案件材料", "监测数据"] and rec[0]["items_en"][0] == "case file"
    shared = information_sharing(store)
    assert len(shared) == 2 and set(shared["case_id"]) == {"GX-2024-004"}
    assert list(information_sharing(store, "自治区水利厅")["direction"]) == ["received"]
    assert information_sharing(store, "无此部门").empty
    refused(store, "GX-2024-005", ("information_shared", "2026-11-20", {"direction": "sent", "with_department": "X",
                                                                          "items": ["secrets"]}), "case_file")
    refused(store, "GX-2024-005", ("information_shared", "2026-11-20", {"direction": "sideways",
                                                                          "with_department": "X", "items": ["clue"]}),
            "direction")
    refused(store, "GX-2024-005", ("information_shared", "2026-11-20", {"direction": "sent", "items": ["clue"]}),
            "with_department")
    # a closed case's file can still be shared (and aftercare recorded); other events after the end are refused
    add(store, "GX-2022-012", ("information_shared", "2026-11-20",
                               {"direction": "sent", "with_department": "云潭县自然资源局", "items": ["restoration"]}))
    refused(store, "GX-2022-012", ("restoration_started", "2026-11-20"), "ended")


def test_accountability_and_commendation(store):
    from restoration.cases.procedure import accountability_register
    reg = accountability_register(store)
    assert list(reg["kind"]) == ["commendation", "accountability"]
    acc = reg[reg["kind"] == "accountability"].iloc[0]
    assert acc["case_id"] == "GX-2024-004" and acc["deadline"] == "supervision_report_3" and acc["measure"] == "约谈"
    assert reg[reg["kind"] == "commendation"].iloc[0]["measure"] is None  # missing stays None, never NaN
    assert len(accountability_register(store, "云潭县生态环境局")) == 1
    rec = case_record(store, "GX-2022-012", TODAY)["procedure"]["accountability"]
    assert rec[0]["label_en"] == "commendation recorded" and rec[0]["why"].startswith("简单案件快速办结")
    a = assessment(store, today=TODAY).set_index("region")
    assert a.loc["桂源县", "accountability_actions"] == 1 and a.loc["云潭县", "commendations"] == 1
    assert a["accountability_actions"].sum() == 1 and a["commendations"].sum() == 1
    refused(store, "GX-2024-005", ("accountability_recorded", "2026-11-20", {"subject": "某局", "ground": "逾期"}),
            "decided_by")
    refused(store, "GX-2024-005", ("commendation_recorded", "2026-11-20", {"subject": "某局", "decided_by": "市局"}),
            "reason")
    cid = new_case(store, "T-ACC")  # imported at screening: a registered clue, a finding may be recorded
    add(store, cid, ("accountability_recorded", "2025-01-05", {"subject": "A", "ground": "B", "decided_by": "C"}))
    assert store.get("cases", cid)["stage"] == "screening"
    # a finding after the case ended (terminated) is recorded
    add(store, "GX-2023-014", ("accountability_recorded", "2026-11-20",
                               {"subject": "桂源县林业局", "ground": "未按期移送线索", "decided_by": "桂源县人民政府"}))
    assert len(accountability_register(store)) == 4


def test_cli_accountability_and_sharing(store, capsys, run_cli):
    code, out, _ = run_cli(capsys, store.data_dir, "case", "accountability")
    assert code == 0 and "约谈" in out and "2 record(s)" in out and "nan" not in out and "None" not in out
    code, out, _ = run_cli(capsys, store.data_dir, "case", "sharing", "--department", "桂源县公安局", "--json")
    assert code == 0 and json.loads(out)[0]["items"] == ["case_file", "monitoring"]
    code, out, _ = run_cli(capsys, store.data_dir, "case", "procedure", "GX-2024-004", "--today", "2026-11-20")
    assert code == 0 and "信息共享 shared" in out and "责任追究 accountability" in out


# -- permissions of the procedure's write functions (restoration.access) -----------------------------
def _actor(store, role, county=None):
    from restoration import access
    region = access.PROVINCE if county is None else access.region_tree(store).resolve(county)
    return access.Actor(f"{role}-{county or 'province'}", role, region)


def test_every_procedure_event_refused_for_a_role_without_case_event(store):
    from restoration.cases.events import PROCEDURE_EVENTS
    from restoration.errors import PermissionDenied
    before, version = len(case_events(store, "GX-2024-004")), store.get("cases", "GX-2024-004")["version"]
    for role in ("readonly", "planner", "appraiser"):
        who = _actor(store, role)
        for t in PROCEDURE_EVENTS:
            with pytest.raises(PermissionDenied):
                add_event(store, "GX-2024-004", ev(t, "2026-11-20", {"x": 1}), who, today=TODAY)
    # a supervisor of another county may not record on this case either
    with pytest.raises(PermissionDenied, match="outside"):
        add_event(store, "GX-2024-004", ev("information_shared", "2026-11-20", {
            "direction": "sent", "with_department": "X", "items": ["clue"]}), _actor(store, "supervisor", "石岭县"),
            today=TODAY)
    assert len(case_events(store, "GX-2024-004")) == before
    assert store.get("cases", "GX-2024-004")["version"] == version
    add_event(store, "GX-2024-004", ev("information_shared", "2026-11-20", {
        "direction": "sent", "with_department": "X", "items": ["clue"]}), _actor(store, "supervisor"), today=TODAY)


def test_screening_report_needs_case_event_in_its_region(store):
    from restoration.errors import PermissionDenied
    report = {"region": "桂源县", "period_start": "2026-01-01", "period_end": "2026-06-30",
              "submitted_on": "2026-07-20", "submitted_to": "省工作小组"}
    n = len(store.read("screening_reports"))
    for who in (_actor(store, "readonly"), _actor(store, "planner"), _actor(store, "appraiser"),
                _actor(store, "supervisor", "石岭县")):
        with pytest.raises(PermissionDenied):
            add_screening_report(store, report, who)
    assert len(store.read("screening_reports")) == n
    add_screening_report(store, report, _actor(store, "supervisor", "桂源县"))
    assert len(store.read("screening_reports")) == n + 1
    assert store.read("screening_reports").iloc[-1]["actor"] == "supervisor-桂源县"


# -- draft profiles shipped beside the ones in force (浙 第十条; 桂 第八章) ----------------------------
DRAFTS = {"guangxi": ("guangxi@draft-2025", "桂工作细则说明"), "zhejiang": ("zhejiang@draft-2025", "浙具体意见说明")}


@pytest.mark.parametrize("name", DRAFTS)
def test_shipped_drafts_never_in_force_by_date(name):
    from restoration.profiles import version_in_force
    key, doc = DRAFTS[name]
    versions = {v.key: v for v in profile_versions(name)}
    assert versions[key].status == "draft" and versions[key].effective_from is None
    assert list(versions)[-1] == key  # drafts listed last
    for day in (date(2000, 1, 1), TODAY, date(2100, 1, 1)):  # never in force by date alone
        # the shipped base is a draft of the seed too (no effective date, no 文号): nothing is in
        # force, and a case naming the profile is judged by the base, marked a draft
        assert version_in_force(name, day) is None
        assert load_profile(name, on=day).key == name and load_profile(name, on=day).is_draft
    draft = load_profile(key)  # selectable by its full name only
    assert draft.is_draft and draft.key == key and draft.version == "draft-2025"
    with pytest.raises(Exception, match="draft-2025|not found"):
        load_profile("draft-2025")
    # every value the draft file sets cites the seed (document + section / article) with its flag
    table = draft.table()
    own = table[(table["profile"] == name) & ~table["source"].str.contains("no rule in any profile")]
    assert len(own) >= 10
    assert own["source"].map(lambda s: s.startswith(doc)).all(), own.loc[~own["source"].str.startswith(doc), "source"]
    assert own["verified"].map(lambda v: isinstance(v, bool)).all()
    for r in draft.walk():
        if r.is_set and hasattr(r, "items"):
            mine = [i for i in r.items if i.origin == name]
            assert all(i.source.startswith(doc) and isinstance(i.verified, bool) for i in mine), r.path
    # time limits the seed names without a number stay unset in the draft
    unset = {"guangxi": ("investigation", "filing_decision"),
             "zhejiang": ("investigation", "investigation_conclusion", "compensation_opinion", "consultation_notice")}[name]
    for k in unset:
        rule = draft.rule(f"time_limits.{k}")
        assert not rule.is_set and rule.source.startswith(doc) and "seed states no number" in rule.note
    # a case filed under the profile in force is judged by it; a case naming the draft by its
    # full name is judged by the draft
    case = {"case_id": "X", "incident_date": "2024-01-01", "discovered_date": "2024-01-02"}
    evs = [ev("clue_registered", "2024-01-03"), ev("filed", "2024-02-01")]
    assert profile_for({**case, "profile": name}, evs).key == name
    assert profile_for({**case, "profile": key}, evs).key == key


# -- values the seeds do not state: unset, and a province that sets them makes them run --------------
#: a history reaching every start event of the time limits (dates in 2025, today = TODAY)
PATH = [("clue_registered", "2025-02-01"), ("filed", "2025-02-10"), ("investigation_started", "2025-02-20"),
        ("investigation_reported", "2025-04-01"), ("appraisal_commissioned", "2025-04-10"),
        ("appraisal_reported", "2025-06-01"), ("consultation_notice_served", "2025-06-10"),
        ("consultation_failed", "2025-06-20", {"circumstance": "refused"})]
UNSET_LIMITS = [(prov, k) for prov in ("guangxi", "zhejiang")
                for k, rule in load_profile(prov).time_limits().items() if not rule.is_set]


def _child(tmp_path, parent: str, name: str, body: str):
    path = tmp_path / f"{name}.toml"
    path.write_text(f'[profile]\nid = "{name}"\nname_zh = "测试省"\nname_en = "Test province"\n'
                    f'extends = "{parent}"\n{body}', encoding="utf-8")
    return load_profile(str(path))


@pytest.mark.parametrize("prov, limit", UNSET_LIMITS, ids=[f"{p}-{k}" for p, k in UNSET_LIMITS])
def test_every_unset_time_limit_runs_once_a_province_sets_it(tmp_path, prov, limit):
    from restoration.cases import compute_deadlines
    shipped = load_profile(prov)
    rule = shipped.rule(f"time_limits.{limit}")
    assert not rule.is_set and rule.source and rule.verified is False
    start = rule.extra["start_events"]
    cut = next(i for i, e in enumerate(PATH) if e[0] in start)
    events = [ev(*e) for e in PATH[:cut + 1]]
    case = {"case_id": "T", "case_class": "ordinary", "incident_date": "2025-01-01", "profile": prov}
    (before,) = [d for d in compute_deadlines(case, events, shipped, [], TODAY) if d.deadline == limit]
    assert before.status == "not_set" and not before.overdue and before.due_date is None
    toml = (f'[time_limits.{limit}]\nzh = "{rule.extra["zh"]}"\nen = "{rule.extra["en"]}"\nday_kind = "calendar"\n'
            f'value = 30\nstart_events = {json.dumps(start)}\nstop_events = {json.dumps(rule.extra["stop_events"])}\n'
            f'source = "测试省规定 第四条"\nverified = true\n')
    prof = _child(tmp_path, prov, "testprov", toml)
    (after,) = [d for d in compute_deadlines(case, events, prof, [], TODAY) if d.deadline == limit]
    assert after.status == "overdue" and after.limit_days == 30 and after.source == "测试省规定 第四条"
    assert after.days_left < 0 and after.due_date is not None


def test_comment_period_interval_seventh_situation_and_offset_set_by_a_province(tmp_path, store, guangxi,
                                                                                 monkeypatch):
    # shipped: unset, with the seed cited
    for path in ("public_participation.comment_period_days", "supervision.report_every_days"):
        r = guangxi.rule(path)
        assert not r.is_set and r.source.startswith("桂工作细则说明") and "seed states no number" in r.note
    assert len(guangxi.list("consultation.failure_circumstances").items) == 6
    prof = _child(tmp_path, "guangxi", "testgx", '''
[public_participation.comment_period_days]
value = 30
source = "测试规定 第一条"
verified = true

[supervision.report_every_days]
value = 60
source = "测试规定 第二条"
verified = true

[consultation.failure_circumstances]
source = "测试规定 第三条"
verified = true

[[consultation.failure_circumstances.items]]
id = "refused_to_sign"
zh = "达成一致后拒绝签署协议"
en = "refused to sign after agreeing"

[modes.technical_upgrade_offset]
offset_ratio = { value = 0.5, source = "测试规定 第四条", verified = true }
max_share = { value = 0.4, source = "测试规定 第四条", verified = true }
''')
    monkeypatch.setenv("RESTORATION_PROFILES", str(tmp_path))  # the child is found by name
    cid = new_case(store, "T-SET", profile="testgx", case_class="major")
    add(store, cid, *APPRAISED)
    refused(store, cid, ("public_comment_opened", "2025-06-02", {"document": "restoration_plan",
                                                                  "until": "2025-06-20"}), "at least 30 days")
    add(store, cid, ("public_comment_opened", "2025-06-02", {"document": "restoration_plan", "until": "2025-07-10"}),
        ("supervision_started", "2025-06-03", {"authority": "省办"}))  # the interval comes from the profile
    sched = case_record(store, cid, TODAY)["procedure"]["supervision"]["schedule"]
    assert sched[0]["due_date"] == "2025-08-02" and sched[0]["every_days"] == 60
    assert sched[0]["source"] == "测试规定 第二条" and sched[0]["status"] == "overdue"
    assert cid in set(overdue(store, TODAY)["case_id"])
    add(store, cid, ("consultation_notice_served", "2025-06-10"),
        ("consultation_failed", "2025-06-30", {"circumstance": "refused_to_sign"}))  # a seventh situation
    assert len(prof.list("consultation.failure_circumstances").items) == 7
    params = {"eligible_investment_yuan": 1_000_000, "conditions": {"x": True}}
    r = evaluate_mode("technical_upgrade_offset", params, prof, {"damage_amount_yuan": 1_000_000})
    assert r["value_yuan"] == 400_000 and r["details"]["capped"]
    assert {x["source"] for x in r["rules"]} == {"测试规定 第四条"}
    with pytest.raises(InputError, match="offset_ratio"):  # unset in the shipped profile: the case must state it
        evaluate_mode("technical_upgrade_offset", params, guangxi, {"damage_amount_yuan": 1_000_000})


def test_general_provisions_parties_and_scope(store, guangxi):
    """桂 第一章: claimant and liable party on every case, damage out of scope excluded at screening."""
    cases = store.read("cases")
    assert cases["claimant_agency"].notna().all() and cases["liable_party"].notna().all()
    rec = case_record(store, "GX-2026-016", TODAY)
    assert rec["case"]["liable_party"] == "某渔船船主" and rec["derived_stage"] == "not_started"
    assert rec["procedure"]["exclusion"]["reason"] == "marine_ecological_damage"
    assert set(guangxi.list("scope_exclusions").ids) == {"personal_property_damage", "marine_ecological_damage",
                                                          "historic_no_liable_party"}
