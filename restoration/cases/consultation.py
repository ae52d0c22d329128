"""The consultation record (赔偿磋商): meetings against the limit, failure, the agreement and its
mandatory clauses, judicial confirmation and what comes next.

Meetings and agreements are case events (``meeting_held``, ``agreement_signed``); the agreement's
``details.clauses`` lists the clause ids it contains. :func:`missing_clauses` compares them with
the profile's mandatory clauses (Guangxi: 损害事实、证据依据、修复方案、履行期限、违约责任、
效果评估、争议解决).
"""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping, Sequence

from ..profiles.profile import Profile
from .stage_checks import missing_clauses  # noqa: F401  (part of this module's API)
from .workflow import Event, make_event, order, replay


def consultation_record(case: Mapping[str, Any], events: Sequence[Mapping | Event], profile: Profile,
                        today: date | None = None) -> dict:
    """Everything about the case's consultation, as plain data for the CLI and dashboard."""
    evs = order(make_event(e) for e in events)
    state = replay(case, evs, profile, today).state
    limit = profile.rule("consultation.max_meetings")
    meetings = [e for e in evs if e.event_type == "meeting_held"]
    rounds: list[dict] = []
    for e in evs:
        if e.event_type in ("consultation_notice_served", "judicial_confirmation_refused"):
            rounds.append({"started_by": e.event_type, "date": e.event_date.isoformat(), "meetings": 0})
        elif e.event_type == "meeting_held" and rounds:
            rounds[-1]["meetings"] += 1
    failure = next((e for e in reversed(evs) if e.event_type == "consultation_failed"), None)
    circumstances = profile.list("consultation.failure_circumstances")
    failure_info = None
    if failure is not None:
        cid = failure.details.get("circumstance")
        item = circumstances.get(cid) if cid else None
        failure_info = {"date": failure.event_date.isoformat(), "circumstance": cid,
                        "zh": item.zh if item else None, "en": item.en if item else None,
                        "source": item.source if item else circumstances.source,
                        "note": failure.details.get("note")}
    agreements = [e for e in evs if e.event_type == "agreement_signed"]
    agreement_info = None
    if agreements:
        a = agreements[-1]
        agreement_info = {"date": a.event_date.isoformat(), "clauses": list(a.details.get("clauses") or []),
                          "missing_clauses": missing_clauses(a.details, profile),
                          "clause_rule": profile.list("agreement_clauses").cite(),
                          "amount_yuan": a.details.get("amount_yuan")}
    confirmation = "none"
    if state.confirmation_pending:
        confirmation = "pending"
    elif state.confirmed:
        confirmation = "confirmed"
    elif state.refusals:
        confirmation = "refused"
    re_rule = profile.rule("consultation.re_consultations_after_refusal")
    next_step = _next_step(state, re_rule)
    return {
        "meetings": [{"n": n, "date": e.event_date.isoformat(), "note": e.details.get("note"),
                      "extension_approved": bool(e.details.get("extension_approved"))}
                     for n, e in enumerate(meetings, 1)],
        "meeting_count": len(meetings),
        "meeting_limit": limit.cite() | {"display": limit.display()},
        "over_limit": bool(limit.is_set and any(r["meetings"] > limit.value for r in rounds)),
        "rounds": rounds,
        "failure": failure_info,
        "agreement": agreement_info,
        "judicial_confirmation": confirmation,
        "refusals": state.refusals,
        "re_consultations_allowed": re_rule.cite() | {"display": re_rule.display()},
        "next_step": next_step,
    }


def _next_step(state, re_rule) -> str | None:
    if state.has("litigation_filed"):
        return None
    if state.failed:
        return "磋商不成，及时提起诉讼 consultation failed: file litigation"
    if state.refusals and re_rule.is_set and state.refusals > re_rule.value:
        return "重新磋商仍未获司法确认，及时提起诉讼 re-consultation used up: file litigation"
    if state.refusals and state.round_open:
        return "司法确认未获确认，重新磋商 confirmation refused: re-consult"
    if state.agreement is not None and not state.confirmation_pending and not state.confirmed:
        return "可申请司法确认 the agreement may be submitted for judicial confirmation"
    return None
