"""What the case's rule profile enforces: recognised modes, clue channels, Zhejiang's four limits
of 第四条, the credit incentive's conditions, fund-use disclosure, the meeting extension's
complex-case condition (each reproduced on the old code first)."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from restoration.cases import add_event, add_mode, deadlines, load_profile, replay
from restoration.cases.funds import add_entries
from restoration.errors import InputError
from restoration.importer import prepare
from restoration.messages import word

TODAY = date(2026, 11, 20)
CASE = {"case_id": "T-1", "incident_date": "2025-01-01", "case_class": "ordinary"}
FILED = [("clue_registered", "2025-02-01"), ("filed", "2025-02-10")]
APPRAISED = FILED + [("investigation_started", "2025-02-20"), ("investigation_reported", "2025-04-01"),
                     ("appraisal_commissioned", "2025-04-10"), ("appraisal_reported", "2025-06-01")]
MEETING = APPRAISED + [("consultation_notice_served", "2025-06-10"), ("meeting_held", "2025-06-20")]
ALL_CLAUSES = ["damage_facts", "evidence", "restoration_plan", "time_limits", "breach_liability",
               "effect_evaluation", "dispute_resolution"]
AGREED = MEETING + [("agreement_signed", "2025-07-01", {"clauses": ALL_CLAUSES})]
FAILED = MEETING + [("consultation_failed", "2025-09-01", {"circumstance": "refused"})]


def ev(t, d, details=None):
    return {"event_type": t, "event_date": d, "details": details or {}}


def problems(steps, profile, case=CASE):
    return [m for _, _, m in replay(case, [ev(*s) for s in steps], profile, TODAY).problems]


def new_case(store, cid, profile):
    frame = pd.DataFrame([{"case_id": cid, "title": f"测试案件 {cid}", "region": "石岭县", "case_class": "ordinary",
                           "stage": "screening", "claimant_agency": "测试局", "liable_party": "测试某公司",
                           "incident_date": "2025-01-01", "discovered_date": "2025-01-01", "profile": profile,
                           "damage_amount_yuan": 200000}])
    with store.transaction("test") as tx:
        clean, _ = prepare(tx, "cases", frame)
        tx.insert("cases", clean)
    return cid


def test_mode_not_recognised_by_the_profile_is_refused(store):
    cid = new_case(store, "T-ZJ-MODE", "zhejiang")
    labour = {"days": 100, "persons": 4, "daily_rate_yuan": 100}
    for mode, params in (("labour_in_lieu", labour), ("off_site", {"cost_yuan": 10000})):
        with pytest.raises(InputError) as exc:
            add_mode(store, cid, mode, actor="tester", parameters=params, today=TODAY)
        text = str(exc.value)
        assert "technical_upgrade_offset" in text and "in_situ" in text and "原位修复" in text, text
    assert store.read("case_modes", case_id=cid).empty
    assert not (store.get("cases", cid).get("restoration_modes") or [])
    # Guangxi recognises labour in lieu (桂工作细则说明 五（四）): accepted there
    gx = new_case(store, "T-GX-MODE", "guangxi")
    assert add_mode(store, gx, "labour_in_lieu", actor="tester", parameters=labour, today=TODAY)["recognised"]


def test_clue_channel_from_the_profile_list():
    gx = load_profile("guangxi")
    (msg,) = problems([("clue_registered", "2025-02-01", {"channel": "not_a_channel"})], gx)
    assert "not_a_channel" in str(msg) and "中央和自治区生态环境保护督察" in word(msg, "zh")
    for given in ("complaints", "12345热线", "信访投诉举报（含12345热线）"):
        assert problems([("clue_registered", "2025-02-01", {"channel": given})], gx) == []
    # a profile without a channel list cannot check one: refused, saying so
    (msg,) = problems([("clue_registered", "2025-02-01", {"channel": "complaints"})], load_profile("zhejiang"))
    assert "clue_channels" in str(msg)
    assert problems([("clue_registered", "2025-02-01")], load_profile("zhejiang")) == []


def test_zhejiang_four_limits_of_article_4_and_no_duplicate_rows():
    zj = load_profile("zhejiang")
    limits = {k: r for k, r in zj.time_limits().items() if r.origin == "zhejiang"}
    assert set(limits) == {"investigation", "investigation_conclusion", "compensation_opinion", "consultation_notice"}
    assert all("第四条" in r.source and not r.is_set for r in limits.values())
    evs = [ev(*s) for s in APPRAISED + [("compensation_opinion_drafted", "2025-06-05")]]
    from restoration.cases.deadlines import compute_deadlines
    rows = compute_deadlines({**CASE, "profile": "zhejiang"}, evs, zj, today=TODAY)
    labels = [d.zh for d in rows]
    assert len(labels) == len(set(labels)), labels
    assert {"investigation_conclusion", "compensation_opinion", "consultation_notice"} <= {d.deadline for d in rows}


def test_credit_incentive_refused_after_litigation_or_dishonesty():
    gx = load_profile("guangxi")
    incentive = ("credit_incentive", "2026-06-01", {"measure": "lighter_penalty"})
    assert problems(AGREED + [incentive], gx) == []
    litigated = FAILED + [("litigation_filed", "2025-10-01"), ("judgment_effective", "2026-03-01")]
    (msg,) = problems(litigated + [incentive], gx)
    assert "五（三）6" in str(msg) and msg.code == "event.incentive_not_earned"
    listed = litigated + [("enforcement_applied", "2026-04-01"),
                          ("dishonesty_listed", "2026-05-01", {"court": "某某法院"})]
    (msg,) = problems(listed + [incentive], gx)
    assert msg.code == "event.incentive_not_earned"


def test_fund_use_disclosed_only_after_a_disbursement(store):
    cid = new_case(store, "T-FU", "guangxi")
    for t, d in FILED:
        add_event(store, cid, ev(t, d), "tester", today=TODAY)
    with pytest.raises(InputError, match="disburse"):
        add_event(store, cid, ev("disclosed", "2025-03-01", {"item": "fund_use"}), "tester", today=TODAY)
    with store.transaction("tester") as tx:
        add_entries(tx, cid, [{"entry_type": "received", "amount_yuan": 1000, "entry_date": "2025-02-20"},
                             {"entry_type": "disbursed", "amount_yuan": 500, "entry_date": "2025-02-25",
                              "purpose": "修复"}], expected_version=None, today=TODAY)
    add_event(store, cid, ev("disclosed", "2025-03-01", {"item": "fund_use"}), "tester", today=TODAY)


def test_meeting_extension_needs_a_complex_case():
    gx = load_profile("guangxi")
    three = MEETING + [("meeting_held", "2025-06-25"), ("meeting_held", "2025-06-28")]
    (msg,) = problems(three + [("meeting_held", "2025-07-02", {"extension_approved": True})], gx)
    assert "复杂案件" in word(msg, "zh") and "complex" in str(msg)
    assert problems(three + [("meeting_held", "2025-07-02",
                              {"extension_approved": True, "complex_case": True})], gx) == []
