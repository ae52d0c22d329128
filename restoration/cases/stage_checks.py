"""The checks of the events that move a case through its stages: from the clue to the closing.

One small function per event type (:data:`STAGE_CHECKS`), each given a
:class:`~.check_context.CheckContext` and returning why the event may not happen now, or None:
a meeting before the consultation notice, an agreement lacking a mandatory clause, a closing
without an effect evaluation or a recorded exemption, a side exit without a reason from the
profile's list. The procedure events around a case are checked in :mod:`.procedure_rules`.
"""
from __future__ import annotations

from typing import Any, Mapping

from ..messages import Label, Message, Term
from ..model import CaseClass
from ..profiles.profile import Profile
from . import evaluation_gate as gate
from .check_context import Check, CheckContext, reason_from_list
from .event_record import _as_date


def missing_clauses(agreement_details: Mapping[str, Any], profile: Profile) -> list[dict]:
    """The profile's mandatory clauses that the agreement does not contain (id, zh, en, source)."""
    required = profile.list("agreement_clauses")
    present = set(agreement_details.get("clauses") or [])
    return [{"id": i.id, "zh": i.zh, "en": i.en, "source": i.source, "verified": i.verified}
            for i in required.items if i.id not in present]


def re_consultation_left(state, profile: Profile) -> bool:
    """Whether the rules still allow a consultation after the refused judicial confirmations so far."""
    allowed = profile.rule("consultation.re_consultations_after_refusal")
    if not allowed.is_set:
        return True  # not set: do not block what the rules do not limit
    return state.refusals <= allowed.value


def _exhausted(c: CheckContext) -> Message:
    rule = c.profile.rule("consultation.re_consultations_after_refusal")
    return c.refuse("event.re_consultations_used", refusals=c.state.refusals, allowed=rule.value, source=rule.source)


def _needs(*types: str, what: str | None = None) -> Check:
    """A check that only asks for an earlier event (any of ``types``)."""
    return lambda c: c.need(*types, what=what)


def _clue_registered(c: CheckContext) -> Message | None:
    """A clue's channel (线索渠道), when given, is one of the profile's channels (by id, label or
    alias); a profile without a channel list cannot check one and says so."""
    given = c.details.get("channel")
    if given is None or str(given).strip() == "":
        return None
    options = c.profile.list("clue_channels")
    if not options.is_set:
        return c.refuse("event.no_choice_list", profile=c.profile.id, list="clue_channels", source=options.source)
    if c.profile.channel_for(str(given)) is not None:
        return None
    return c.refuse("event.unknown_reason", field=Term("detail", "channel"), value=str(given)[:100],
                    choices=[Label(i.zh, f"{i.id} ({i.en})") for i in options.items], source=options.source)


def _not_started(c: CheckContext) -> Message | None:
    if c.state.has("consultation_notice_served"):
        return c.refuse("event.consultation_begun")
    return c.need("clue_registered") or reason_from_list(c, "not_started_reasons", "reason")


def _terminated(c: CheckContext) -> Message | None:
    return c.need("filed") or reason_from_list(c, "termination_reasons", "reason")


def _expert_opinion(c: CheckContext) -> Message | None:
    rule = c.profile.rule("classification.simple.appraisal")
    if c.case.get("case_class") != CaseClass.SIMPLE.value:
        return c.refuse("event.simple_cases_only", case_class=Term("case_class", str(c.case.get("case_class"))),
                        source=rule.source)
    return c.need("investigation_started")


def _notice_served(c: CheckContext) -> Message | None:
    if c.state.agreement is not None:
        return c.refuse("event.agreement_signed")
    if c.state.refusals and not re_consultation_left(c.state, c.profile):
        return _exhausted(c)
    return c.need("appraisal_reported", "expert_opinion", what="event.why_appraise_first")


def _agents_problem(c: CheckContext) -> Message | None:
    """An agent attends a meeting only with a verified authorisation (浙 第四条), valid that day."""
    agents = c.details.get("agents") or []
    if isinstance(agents, str):
        agents = [agents]
    rule = c.profile.rule("consultation.agent_authorisation_required")
    if not agents or rule.value is not True:
        return None
    for agent in agents:
        auth = c.state.agents.get(str(agent))
        if auth is None:
            return c.refuse("event.agent_not_authorised", agent=str(agent), source=rule.source,
                            authorise=Term("event", "agent_authorised"))
        until = auth.details.get("valid_until")
        if until and c.ev.event_date > _as_date(until, "valid_until", None):
            return c.refuse("event.agent_expired", agent=str(agent), until=str(until), source=rule.source)
    return None


def _meeting_held(c: CheckContext) -> Message | None:
    problem = c.need("consultation_notice_served", "consultation_requested", what="event.why_notice_first")
    if problem:
        return problem
    if not c.state.round_open:
        return c.refuse("event.no_open_consultation")
    problem = _agents_problem(c)
    if problem:
        return problem
    limit = c.profile.rule("consultation.max_meetings")
    if not (limit.is_set and c.state.meetings_in_round >= limit.value):
        return None
    ext = c.profile.rule("consultation.extension_with_approval")
    if ext.value and c.details.get("extension_approved") is True:
        if c.details.get("complex_case") is True:  # 复杂案件经批准可适当增加
            return None
        return c.refuse("event.meeting_extension_complex", n=c.state.meetings_in_round + 1, limit=limit.value,
                        extension_source=ext.source)
    return c.advisory_refuse(limit, "event.meeting_limit_extendable" if ext.value else "event.meeting_limit",
                             n=c.state.meetings_in_round + 1, limit=limit.value, source=limit.source,
                             extension_source=ext.source)


def _consultation_failed(c: CheckContext) -> Message | None:
    problem = c.need("consultation_notice_served", "consultation_requested")
    if problem:
        return problem
    if not c.state.round_open:
        return c.refuse("event.no_open_consultation")
    return reason_from_list(c, "consultation.failure_circumstances", "circumstance")


def _clauses_problem(c: CheckContext) -> Message | None:
    """An agreement lacking a mandatory clause is refused, unless an override with its reason and
    who approved it is recorded on the agreement (details.clause_override)."""
    missing = missing_clauses(c.details, c.profile)
    if not missing:
        return None
    override = c.details.get("clause_override") or {}
    if isinstance(override, dict) and str(override.get("reason") or "").strip() \
            and str(override.get("approved_by") or "").strip():
        return None
    listed = c.profile.list("agreement_clauses")
    return c.refuse("event.clauses_missing", source=listed.source,
                    clauses=[Label(m["zh"], f"{m['id']} ({m['en'] or m['zh']})") for m in missing])


def _agreement_signed(c: CheckContext) -> Message | None:
    if not c.state.round_open:
        if c.state.refusals and not re_consultation_left(c.state, c.profile):
            return _exhausted(c)
        return c.need("consultation_notice_served") or c.refuse("event.no_open_consultation")
    if c.state.meetings_in_round == 0 and not c.state.presumed_round:
        return c.refuse("event.meeting_first")
    return _clauses_problem(c)


def _confirmation_requested(c: CheckContext) -> Message | None:
    if c.state.agreement is None:
        return c.need("agreement_signed")
    if c.state.confirmation_pending or c.state.confirmed:
        return c.refuse("event.confirmation_requested")
    return None


def _confirmation_answered(c: CheckContext) -> Message | None:
    return None if c.state.confirmation_pending else c.refuse("event.confirmation_first")


def _litigation_filed(c: CheckContext) -> Message | None:
    s = c.state
    if s.has("litigation_filed"):
        return c.refuse("event.litigation_filed")
    if s.failed or (s.refusals and not re_consultation_left(s, c.profile) and s.agreement is None):
        return None
    return c.refuse("event.litigation_after_failure")


def _enforcement_applied(c: CheckContext) -> Message | None:
    s = c.state
    if s.confirmed or s.has("judgment_effective") or s.presumed_basis:
        return None
    return c.refuse("event.enforcement_basis")


def _restoration_started(c: CheckContext) -> Message | None:
    s = c.state
    if s.agreement is None and not s.has("judgment_effective") and not s.presumed_basis:
        return c.refuse("event.restoration_basis")
    return None


def _evaluation_exempted(c: CheckContext) -> Message | None:
    if c.state.agreement is None and not c.state.has("judgment_effective"):
        return c.need("agreement_signed", "judgment_effective")
    return reason_from_list(c, "effect_evaluation_exemptions", "reason")


def _exemption_problem(c: CheckContext) -> Message | None:
    """An exemption whose wording is unverified cannot by itself let a case close: it needs the
    text it relies on (details.basis) and who approved it (details.approved_by)."""
    s = c.state
    if s.seen.get("effect_evaluation") or s.findings:
        return None
    ex = s.last.get("effect_evaluation_exempted")
    if ex is None:
        return None
    item = c.profile.list("effect_evaluation_exemptions").get(ex.details.get("reason"))
    if item is None or item.verified:
        return None
    if str(ex.details.get("basis") or "").strip() and str(ex.details.get("approved_by") or "").strip():
        return None
    return c.refuse("event.exemption_unverified", exemption=Label(item.zh, item.id), source=item.source)


def _accepted_or_closed(c: CheckContext) -> Message | None:
    what = "event.no_closing_without_evaluation" if c.ev.event_type == "closed" else None
    evaluated = None if gate.evaluated(c.state, c.ev) else c.need("effect_evaluation", "effect_evaluation_exempted",
                                                                  what=what)
    return evaluated or _exemption_problem(c) or gate.gate_problem(c.state, c.ev, c.where)


#: the check of each event that moves a case through its stages
STAGE_CHECKS: dict[str, Check] = {
    "clue_registered": _clue_registered,
    "filed": _needs("clue_registered"),
    "not_started": _not_started,
    "terminated": _terminated,
    "investigation_started": _needs("filed"),
    "investigation_reported": _needs("investigation_started"),
    "appraisal_commissioned": _needs("investigation_started"),
    "appraisal_reported": _needs("appraisal_commissioned"),
    "expert_opinion": _expert_opinion,
    "consultation_notice_served": _notice_served,
    "meeting_held": _meeting_held,
    "consultation_failed": _consultation_failed,
    "agreement_signed": _agreement_signed,
    "judicial_confirmation_requested": _confirmation_requested,
    "judicial_confirmation_confirmed": _confirmation_answered,
    "judicial_confirmation_refused": _confirmation_answered,
    "litigation_filed": _litigation_filed,
    "judgment_effective": _needs("litigation_filed"),
    "payment_order_applied": _needs("agreement_signed", "judgment_effective"),
    "enforcement_applied": _enforcement_applied,
    "restoration_started": _restoration_started,
    "restoration_completed": _needs("restoration_started"),
    "effect_evaluation_commissioned": _needs("restoration_completed"),
    "effect_evaluation": _needs("restoration_completed"),
    "effect_evaluation_exempted": _evaluation_exempted,
    "accepted": _accepted_or_closed,
    "closed": _accepted_or_closed,
}
