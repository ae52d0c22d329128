"""The workflow validator: every refused transition, the paths it accepts, and the sample."""
from __future__ import annotations

from datetime import date

import pytest

from restoration.cases import make_event, replay, validate_history
from restoration.errors import InputError

TODAY = date(2026, 11, 20)
CASE = {"case_id": "T-1", "incident_date": "2025-01-01", "case_class": "ordinary"}

FILED = [("clue_registered", "2025-02-01"), ("filed", "2025-02-10")]
APPRAISED = FILED + [("investigation_started", "2025-02-20"), ("investigation_reported", "2025-04-01"),
                     ("appraisal_commissioned", "2025-04-10"), ("appraisal_reported", "2025-06-01")]
NOTICE = APPRAISED + [("consultation_notice_served", "2025-06-10")]
MEETING = NOTICE + [("meeting_held", "2025-06-20")]
ALL_CLAUSES = ["damage_facts", "evidence", "restoration_plan", "time_limits", "breach_liability",
               "effect_evaluation", "dispute_resolution"]
AGREED = MEETING + [("agreement_signed", "2025-07-01", {"clauses": ALL_CLAUSES})]
REQUESTED = AGREED + [("judicial_confirmation_requested", "2025-07-10")]
CONFIRMED = REQUESTED + [("judicial_confirmation_confirmed", "2025-08-01")]
RESTORING = CONFIRMED + [("restoration_started", "2025-09-01")]
COMPLETED = RESTORING + [("restoration_completed", "2026-03-01")]
FAILED = MEETING + [("consultation_failed", "2025-09-01", {"circumstance": "refused"})]
CLOSED = COMPLETED + [("effect_evaluation", "2026-05-01"), ("accepted", "2026-05-10"), ("closed", "2026-05-20")]


def ev(t, d, details=None):
    return {"event_type": t, "event_date": d, "details": details or {}}


def hist(steps):
    return [ev(*s) for s in steps]


def problems(steps, guangxi, case=CASE):
    return [m for _, _, m in replay(case, hist(steps), guangxi, TODAY).problems]


def test_full_path_with_refused_confirmation_and_re_consultation(guangxi):
    steps = REQUESTED + [("judicial_confirmation_refused", "2025-08-01"), ("meeting_held", "2025-08-20"),
                         ("agreement_signed", "2025-09-01", {"clauses": ALL_CLAUSES}), ("judicial_confirmation_requested", "2025-09-05"),
                         ("judicial_confirmation_confirmed", "2025-10-01"), ("restoration_started", "2025-10-15"),
                         ("inspection", "2026-01-10"), ("restoration_completed", "2026-03-01"),
                         ("effect_evaluation_commissioned", "2026-03-10"), ("effect_evaluation", "2026-05-01"),
                         ("accepted", "2026-05-10"), ("closed", "2026-05-20")]
    r = validate_history(CASE, hist(steps), guangxi, TODAY)
    assert r.stage.value == "closed" and r.state.refusals == 1


def test_stage_follows_the_events(guangxi):
    expect = [(FILED, "filing"), (APPRAISED, "appraisal"), (MEETING, "consultation"),
              (REQUESTED, "judicial_confirmation"), (RESTORING, "restoration"),
              (FAILED + [("litigation_filed", "2025-10-01")], "litigation"), (CLOSED, "closed")]
    for steps, stage in expect:
        assert replay(CASE, hist(steps), guangxi, TODAY).stage.value == stage


def test_events_are_ordered_by_date_not_by_entry(guangxi):
    shuffled = hist(MEETING)[::-1]
    assert replay(CASE, shuffled, guangxi, TODAY).stage.value == "consultation"
    assert not replay(CASE, shuffled, guangxi, TODAY).problems


REFUSED = [
    # (name, history, the message must contain)
    ("first event not a clue", [("filed", "2025-02-10")], "first event must be a clue registration"),
    ("filed twice", FILED + [("filed", "2025-02-11")], "already recorded"),
    ("meeting before the notice", APPRAISED + [("meeting_held", "2025-06-05")], "no meeting before the notice"),
    ("meeting backdated before the notice", NOTICE + [("meeting_held", "2025-06-09")], "no meeting before the notice"),
    ("notice before appraisal", FILED + [("investigation_started", "2025-02-20"),
                                         ("consultation_notice_served", "2025-03-01")], "appraised first"),
    ("expert opinion for an ordinary case", FILED + [("investigation_started", "2025-02-20"),
                                                    ("expert_opinion", "2025-03-01")], "simple cases"),
    ("fourth meeting", MEETING + [("meeting_held", "2025-06-25"), ("meeting_held", "2025-06-28"),
                                  ("meeting_held", "2025-07-02")], "exceeds the limit of 3"),
    ("failure without circumstance", MEETING + [("consultation_failed", "2025-09-01")], "choose the circumstance"),
    ("failure with an unknown circumstance", MEETING + [("consultation_failed", "2025-09-01",
                                                         {"circumstance": "bad_weather"})], "'bad_weather'"),
    ("agreement without a meeting", NOTICE + [("agreement_signed", "2025-07-01")], "meeting first"),
    ("meeting after failure", FAILED + [("meeting_held", "2025-09-10")], "no consultation is open"),
    ("agreement after failure", FAILED + [("agreement_signed", "2025-09-10")], "no consultation is open"),
    ("confirmation without request", AGREED + [("judicial_confirmation_confirmed", "2025-08-01")],
     "pending request for judicial confirmation"),
    ("second request", REQUESTED + [("judicial_confirmation_requested", "2025-07-20")], "already requested"),
    ("litigation without failure", MEETING + [("litigation_filed", "2025-09-01")], "failed consultation"),
    ("agreement after the re-consultation was used up",
     REQUESTED + [("judicial_confirmation_refused", "2025-08-01"), ("meeting_held", "2025-08-20"),
                  ("agreement_signed", "2025-09-01", {"clauses": ALL_CLAUSES}), ("judicial_confirmation_requested", "2025-09-05"),
                  ("judicial_confirmation_refused", "2025-10-01"), ("agreement_signed", "2025-10-20", {"clauses": ALL_CLAUSES})],
     "file litigation"),
    ("enforcement without an enforceable title", AGREED + [("enforcement_applied", "2025-09-01")],
     "compulsory enforcement needs"),
    ("payment order without agreement", MEETING + [("payment_order_applied", "2025-09-01")], "requires"),
    ("restoration before an agreement", MEETING + [("restoration_started", "2025-07-01")],
     "signed agreement or an effective judgment"),
    ("a clue registered again on a case in restoration", RESTORING + [("clue_registered", "2025-10-01")],
     "back from restoration to screening"),
    ("a filing after the consultation began", NOTICE + [("investigation_started", "2025-06-15")],
     "back from consultation to investigation"),
    ("evaluation before completion", RESTORING + [("effect_evaluation", "2025-12-01")], "restoration completed"),
    ("closing without evaluation", COMPLETED + [("closed", "2026-04-01")],
     "no closing without an effect evaluation or a recorded exemption"),
    ("exemption with an unknown reason", COMPLETED + [("effect_evaluation_exempted", "2026-04-01",
                                                       {"reason": "too_busy"})], "'too_busy'"),
    ("accepted without evaluation", COMPLETED + [("accepted", "2026-04-01")], "requires"),
    ("event after closing", CLOSED + [("restoration_started", "2026-06-01")], "the case ended"),
    ("not started without reason", FILED[:1] + [("not_started", "2025-02-05")], "reason"),
    ("not started after consultation began", NOTICE + [("not_started", "2025-07-01",
                                                         {"reason": "already_compensated"})], "record a termination instead"),
    ("terminated before filing", FILED[:1] + [("terminated", "2025-02-05", {"reason": "no_damage_found"})],
     "requires"),
    ("event after termination", FILED + [("terminated", "2025-03-01", {"reason": "no_damage_found"}),
                                         ("investigation_started", "2025-03-05")], "the case ended"),
    ("before the incident", [("clue_registered", "2024-12-31")], "before the incident"),
    ("in the future", FILED + [("investigation_started", "2026-11-21")], "in the future"),
]


@pytest.mark.parametrize("name, steps, fragment", REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_transitions(guangxi, name, steps, fragment):
    found = problems(steps, guangxi)
    assert found, name
    assert fragment in str(found[0]), found
    with pytest.raises(InputError):
        validate_history(CASE, hist(steps), guangxi, TODAY)


def test_allowed_counterparts(guangxi):
    """The same steps become valid once the missing piece is there."""
    ok = [
        MEETING + [("meeting_held", "2025-06-25"), ("meeting_held", "2025-06-28"),
                   ("meeting_held", "2025-07-02", {"extension_approved": True, "complex_case": True})],
        FAILED + [("litigation_filed", "2025-10-01"), ("judgment_effective", "2026-03-01"),
                  ("enforcement_applied", "2026-05-01")],
        CONFIRMED + [("enforcement_applied", "2025-09-01")],
        AGREED + [("payment_order_applied", "2025-09-01")],
        COMPLETED + [("effect_evaluation_exempted", "2026-04-01",
                                      {"reason": "natural_recovery", "basis": "现场核查记录（2026）12号",
                                       "approved_by": "局务会"}),
                     ("closed", "2026-04-10")],
        FILED[:1] + [("not_started", "2025-02-05", {"reason": "significantly_minor_no_obvious_impact"})],
        REQUESTED + [("judicial_confirmation_refused", "2025-08-01"), ("meeting_held", "2025-08-20"),
                     ("agreement_signed", "2025-09-01", {"clauses": ALL_CLAUSES}), ("judicial_confirmation_requested", "2025-09-05"),
                     ("judicial_confirmation_refused", "2025-10-01"), ("litigation_filed", "2025-10-20")],
    ]
    for steps in ok:
        assert problems(steps, guangxi) == [], steps


def test_expert_opinion_for_simple_cases(guangxi):
    steps = FILED + [("investigation_started", "2025-02-20"), ("expert_opinion", "2025-03-01"),
                     ("consultation_notice_served", "2025-03-10")]
    assert problems(steps, guangxi, {**CASE, "case_class": "simple"}) == []


def test_meeting_limit_without_extension_rule(zhejiang):
    # Zhejiang inherits the national limit (3) but no approved-extension rule: a 4th is refused
    steps = MEETING + [("meeting_held", "2025-06-25"), ("meeting_held", "2025-06-28"),
                       ("meeting_held", "2025-07-02", {"extension_approved": True})]
    (msg,) = problems(steps, zhejiang)
    # no extension offered; the national limit is unverified, so the refusal is advisory and says so
    assert "exceeds the limit of 3" in str(msg) and msg.params["problem"].code == "event.meeting_limit"
    assert msg.code == "event.advisory_refusal" and "marked unverified" in str(msg)


def test_bad_event_input():
    with pytest.raises(InputError, match="unknown event type 'party'"):
        make_event({"event_type": "party", "event_date": "2025-01-01"})
    with pytest.raises(InputError, match="not a date"):
        make_event({"event_type": "filed", "event_date": "next week"})
    with pytest.raises(InputError, match="JSON object"):
        make_event({"event_type": "filed", "event_date": "2025-01-01", "details": "[1, 2]"})


def test_sample_histories_are_valid(store):
    from restoration.cases import check_all
    assert check_all(store, TODAY) == {}
    stages = set(store.read("cases")["stage"])
    assert len(stages) == 12  # every stage and both side exits
