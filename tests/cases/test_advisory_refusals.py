"""Refusals resting on a draft or unverified value are advisory (docs/cases.md's policy): the
refusal says so, and a role allowed to correct may proceed with a recorded reason, audited with
the event."""
from __future__ import annotations

from datetime import date

import pytest

from restoration.access import Actor, PermissionDenied
from restoration.cases import add_event, load_profile, replay
from restoration.errors import InputError
from restoration.messages import word

from .test_profile_enforcement import new_case

TODAY = date(2026, 11, 20)
CASE = {"case_id": "T-1", "incident_date": "2025-01-01", "case_class": "ordinary"}
STARTED = [("clue_registered", "2025-02-01"), ("filed", "2025-02-10"), ("investigation_started", "2025-02-20")]
OVERRIDE = {"reason": "经法制审核，终止理由成立", "document": "测试〔2026〕1号"}
MEETINGS = STARTED + [("investigation_reported", "2025-04-01"), ("appraisal_commissioned", "2025-04-10"),
                      ("appraisal_reported", "2025-06-01"), ("consultation_notice_served", "2025-06-10")] + \
    [("meeting_held", f"2025-07-0{d}") for d in (1, 2, 3)]


def ev(t, d, details=None):
    return {"event_type": t, "event_date": d, "details": details or {}}


def problems(steps, profile):
    return [m for _, _, m in replay(CASE, [ev(*s) for s in steps], profile, TODAY).problems]


def test_a_refusal_from_a_draft_list_says_so_and_an_override_proceeds():
    gx = load_profile("guangxi")  # a draft of the seed: its lists are advisory
    (msg,) = problems(STARTED + [("terminated", "2025-03-01", {"reason": "其他原因"})], gx)
    assert "rests on a value marked draft" in str(msg) and "advisory_override" in str(msg)
    assert "来自草案" in word(msg, "zh") and "仅供参考" in word(msg, "zh")
    assert problems(STARTED + [("terminated", "2025-03-01", {"reason": "其他原因", "advisory_override": OVERRIDE})],
                    gx) == []
    # an override without a reason does not stand
    assert problems(STARTED + [("terminated", "2025-03-01", {"reason": "x", "advisory_override": {"reason": " "}})],
                    gx)


def test_the_meeting_limit_from_a_draft_is_advisory():
    gx = load_profile("guangxi")
    (msg,) = problems(MEETINGS + [("meeting_held", "2025-07-04")], gx)
    assert "rests on a value marked" in str(msg)
    assert problems(MEETINGS + [("meeting_held", "2025-07-04", {"advisory_override": OVERRIDE})], gx) == []


def test_the_override_needs_case_correct_and_is_audited(store):
    cid = new_case(store, "T-ADV", "guangxi")
    for t, d in STARTED:
        add_event(store, cid, ev(t, d), "tester", today=TODAY)
    bad = ev("terminated", "2025-03-01", {"reason": "其他原因", "advisory_override": OVERRIDE})
    with pytest.raises(PermissionDenied):
        add_event(store, cid, bad, Actor("appr", "appraiser"), today=TODAY)
    with pytest.raises(InputError, match="rests on a value marked draft"):
        add_event(store, cid, ev("terminated", "2025-03-01", {"reason": "其他原因"}), "tester", today=TODAY)
    add_event(store, cid, bad, "tester", today=TODAY)
    assert store.get("cases", cid)["stage"] == "terminated"
    row = store.read("case_events", case_id=cid).iloc[-1]
    assert row["details"]["advisory_override"] == OVERRIDE
    assert (store.read("audit_log")["action"] == "event terminated").any()
