"""The case workflow: typed, dated events replayed through the stages, each transition checked.

A case's history is its events in date order (same-day events in the order they were recorded).
:func:`replay` walks the history and refuses, with a message in Chinese and English, any event
the rules do not allow at that point: a meeting before the consultation notice was served, a
closing without an effect evaluation or a recorded exemption, an event dated before the incident
or after today, anything after the case ended, a side exit without a reason from the profile's
list, an event that would put the case back to an earlier stage, and so on. The stage of a case
is the stage its history leads to.

A case taken over mid-procedure (:mod:`.takeover`) starts from the stage it was taken over at,
what brought it there presumed; its acceptance and closing wait for an effect evaluation that
passes (:mod:`.evaluation_gate`); everyday records (an inspection, a monitoring note, a filed
document) may be saved at any stage and move nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable, Mapping

from ..errors import InputError, Issue
from ..messages import TEMPLATES, Label, Message, Term
from ..model import CaseClass, Stage
from . import evaluation_gate as gate, takeover
from .event_record import Event, _as_date, known_types, make_event, unknown_type  # noqa: F401  (re-exported)
from .events import AFTER_END_EVENTS, END_STAGES, EVENT_TYPES, ONCE, RECORD_EVENTS
from ..profiles.profile import Profile
from .. import config


@dataclass
class State:
    """Where a case stands after some events."""

    stage: Stage | None = None
    seen: dict[str, int] = field(default_factory=dict)
    last: dict[str, Event] = field(default_factory=dict)
    #: the current consultation round: starts at a notice served or a refused confirmation
    round_open: bool = False
    meetings_in_round: int = 0
    meetings_total: int = 0
    failed: bool = False
    agreement: Event | None = None
    confirmation_pending: bool = False
    confirmed: bool = False
    refusals: int = 0
    ended: Event | None = None
    # -- procedure (issue 14) --
    agents: dict[str, Event] = field(default_factory=dict)  # agent name -> authorisation
    supervised: Event | None = None
    objections_open: int = 0
    comment_rounds: dict[str, Event] = field(default_factory=dict)  # document -> opening event
    comments: dict[str, Event] = field(default_factory=dict)  # comment id -> comment
    answered: set[str] = field(default_factory=set)
    offset_review: Event | None = None
    offset_accepted: bool = False
    # -- a case taken over mid-procedure (see .takeover) --
    #: the steps its takeover stage implies, undated
    presumed: frozenset = frozenset()
    #: a consultation round open since before the takeover (its meetings are unknown)
    presumed_round: bool = False
    #: restoration under a basis (agreement or judgment) the register does not date
    presumed_basis: bool = False
    taken_over: Event | None = None
    # -- the effect evaluation's gate (see .evaluation_gate) --
    findings: tuple = ()  # stored evaluations
    reports: tuple = ()  # evaluation reports recorded as events
    override: Event | None = None
    supplementary_open: bool = False

    def has(self, *types: str) -> bool:
        """Whether any of ``types`` happened: recorded, or presumed by a takeover."""
        return any(self.seen.get(t, 0) or t in self.presumed for t in types)


def _reason_problem(profile: Profile, list_path: str, details: Mapping, key: str,
                    where: Mapping[str, Any]) -> Message | None:
    options = profile.list(list_path)
    value = details.get(key)
    if not options.is_set:
        return Message("event.no_choice_list", {**where, "profile": profile.id, "list": list_path,
                                                "source": options.source}) if value is None else None
    if value not in options:
        choices = [Label(i.zh, f"{i.id} ({i.en or i.zh})") for i in options.items]
        if value is None:
            return Message("event.choose_reason", {**where, "field": Term("detail", key), "choices": choices,
                                                   "source": options.source})
        return Message("event.unknown_reason", {**where, "field": Term("detail", key), "value": str(value),
                                                "choices": choices, "source": options.source})
    return None


def check_event(state: State, ev: Event, case: Mapping[str, Any], profile: Profile,
                today: date) -> Message | str | None:
    """Why ``ev`` may not happen now (a :class:`~restoration.messages.Message`), or None when it
    may."""
    t = ev.event_type
    name = f"{ev.label('zh')} {t} ({ev.event_date.isoformat()})"
    where = {"event": Term("event", t), "date": ev.event_date.isoformat()}
    incident = case.get("incident_date")
    if incident and ev.event_date < _as_date(incident, "incident_date", None):
        return Message("event.before_incident", {**where, "incident": str(incident)})
    if ev.event_date > today:
        return Message("event.in_future", {**where, "today": today.isoformat()})
    if t == takeover.CORRECTION:  # may correct an ended case too (one closed by mistake)
        return takeover.correction_problem(state, ev, where)
    if state.ended is not None and t not in AFTER_END_EVENTS:
        return Message("event.case_ended", {**where, "ended": Term("event", state.ended.event_type),
                                            "ended_date": state.ended.event_date.isoformat()})
    if t in _ANY_STAGE:
        return _ANY_STAGE[t](state, ev, where)
    if state.stage is None and t != "clue_registered":
        return Message("event.first_is_clue", where)
    problem = takeover.backwards_problem(state, ev, where) or takeover.after_takeover_problem(state, ev, where)
    if problem:
        return problem

    def need(*types: str, what: str | None = None) -> Message | None:
        if state.has(*types):
            return None
        needed = [Term("event", x) for x in types]
        if what:
            return Message("event.requires_because", {**where, "needed": needed, "why": Message(what) if what in TEMPLATES else what})
        return Message("event.requires", {**where, "needed": needed})

    if t in ONCE and state.seen.get(t) and not (t == "restoration_completed" and state.supplementary_open):
        return Message("event.already_recorded", {**where, "on": state.last[t].event_date.isoformat()})

    if t == "clue_registered":
        return None
    if t == "filed":
        return need("clue_registered")
    if t == "not_started":
        if state.has("consultation_notice_served"):
            return Message("event.consultation_begun", where)
        return need("clue_registered") or _reason_problem(profile, "not_started_reasons", ev.details, "reason", where)
    if t == "terminated":
        return need("filed") or _reason_problem(profile, "termination_reasons", ev.details, "reason", where)
    if t in ("investigation_started",):
        return need("filed")
    if t == "investigation_reported":
        return need("investigation_started")
    if t == "appraisal_commissioned":
        return need("investigation_started")
    if t == "appraisal_reported":
        return need("appraisal_commissioned")
    if t == "expert_opinion":
        rule = profile.rule("classification.simple.appraisal")
        if case.get("case_class") != CaseClass.SIMPLE.value:
            cls = case.get("case_class")
            return Message("event.simple_cases_only", {**where, "case_class": Term("case_class", str(cls)),
                                                       "source": rule.source})
        return need("investigation_started")
    if t == "consultation_notice_served":
        if state.agreement is not None:
            return Message("event.agreement_signed", where)
        if state.refusals and not _re_consultation_left(state, profile):
            return _exhausted(name, state, profile, where)
        return need("appraisal_reported", "expert_opinion", what="event.why_appraise_first")
    if t == "meeting_held":
        problem = need("consultation_notice_served", "consultation_requested",
                       what="event.why_notice_first")
        if problem:
            return problem
        if not state.round_open:
            return Message("event.no_open_consultation", where)
        problem = _agents_problem(state, ev, profile, where)
        if problem:
            return problem
        limit = profile.rule("consultation.max_meetings")
        if limit.is_set and state.meetings_in_round >= limit.value:
            ext = profile.rule("consultation.extension_with_approval")
            if ext.value and ev.details.get("extension_approved") is True:
                return None
            return Message("event.meeting_limit_extendable" if ext.value else "event.meeting_limit",
                           {**where, "n": state.meetings_in_round + 1, "limit": limit.value,
                            "source": limit.source, "extension_source": ext.source})
        return None
    if t == "consultation_failed":
        problem = need("consultation_notice_served", "consultation_requested")
        if problem:
            return problem
        if not state.round_open:
            return Message("event.no_open_consultation", where)
        return _reason_problem(profile, "consultation.failure_circumstances", ev.details,
                               "circumstance", where)
    if t == "agreement_signed":
        if not state.round_open:
            if state.refusals and not _re_consultation_left(state, profile):
                return _exhausted(name, state, profile, where)
            return need("consultation_notice_served") or Message("event.no_open_consultation", where)
        if state.meetings_in_round == 0 and not state.presumed_round:
            return Message("event.meeting_first", where)
        return _clauses_problem(ev, profile, where)
    if t == "judicial_confirmation_requested":
        if state.agreement is None:
            return need("agreement_signed")
        if state.confirmation_pending or state.confirmed:
            return Message("event.confirmation_requested", where)
        return None
    if t in ("judicial_confirmation_confirmed", "judicial_confirmation_refused"):
        if not state.confirmation_pending:
            return Message("event.confirmation_first", where)
        return None
    if t == "litigation_filed":
        if state.has("litigation_filed"):
            return Message("event.litigation_filed", where)
        if state.failed or (state.refusals and not _re_consultation_left(state, profile)
                            and state.agreement is None):
            return None
        return Message("event.litigation_after_failure", where)
    if t == "judgment_effective":
        return need("litigation_filed")
    if t == "payment_order_applied":
        return need("agreement_signed", "judgment_effective")
    if t == "enforcement_applied":
        if state.confirmed or state.has("judgment_effective") or state.presumed_basis:
            return None
        return Message("event.enforcement_basis", where)
    if t == "restoration_started":
        if state.agreement is None and not state.has("judgment_effective") and not state.presumed_basis:
            return Message("event.restoration_basis", where)
        return None
    if t == "restoration_completed":
        return need("restoration_started")
    if t in ("effect_evaluation_commissioned", "effect_evaluation"):
        return need("restoration_completed")
    if t == "effect_evaluation_exempted":
        if state.agreement is None and not state.has("judgment_effective"):
            return need("agreement_signed", "judgment_effective")
        return _reason_problem(profile, "effect_evaluation_exemptions", ev.details, "reason", where)
    if t in ("accepted", "closed"):
        what = "event.no_closing_without_evaluation" if t == "closed" else None
        return (None if gate.evaluated(state, ev) else need("effect_evaluation", "effect_evaluation_exempted",
                                                             what=what)) \
            or _exemption_problem(state, profile, where) or gate.gate_problem(state, ev, where)
    from .procedure_rules import EventName, check_procedure_event
    return check_procedure_event(state, ev, case, profile, EventName(name, where), need)  # pragma: no cover - every type is handled above


def _record_problem(state: State, ev: Event, where: Mapping[str, Any]) -> Message | None:
    """An everyday record (inspection, monitoring note, filed document) may be saved at any stage."""
    return None


#: events checked by their own rule whatever the stage (after the end-of-case check)
_ANY_STAGE = {takeover.TAKEOVER: takeover.takeover_problem, gate.SUPPLEMENTARY: gate.supplementary_problem,
              **{t: _record_problem for t in RECORD_EVENTS}}


def _agents_problem(state: State, ev: Event, profile: Profile, where: Mapping[str, Any]) -> Message | None:
    """An agent attends a meeting only with a verified authorisation (浙 第四条), valid that day."""
    agents = ev.details.get("agents") or []
    if isinstance(agents, str):
        agents = [agents]
    rule = profile.rule("consultation.agent_authorisation_required")
    if not agents or rule.value is not True:
        return None
    for agent in agents:
        auth = state.agents.get(str(agent))
        if auth is None:
            return Message("event.agent_not_authorised", {**where, "agent": str(agent), "source": rule.source,
                                                          "authorise": Term("event", "agent_authorised")})
        until = auth.details.get("valid_until")
        if until and ev.event_date > _as_date(until, "valid_until", None):
            return Message("event.agent_expired", {**where, "agent": str(agent), "until": str(until),
                                                   "source": rule.source})
    return None


def _clauses_problem(ev: Event, profile: Profile, where: Mapping[str, Any]) -> Message | None:
    """An agreement lacking a mandatory clause is refused, unless an override with its reason and
    who approved it is recorded on the agreement (details.clause_override)."""
    from .consultation import missing_clauses
    missing = missing_clauses(ev.details, profile)
    if not missing:
        return None
    override = ev.details.get("clause_override") or {}
    if isinstance(override, dict) and str(override.get("reason") or "").strip() \
            and str(override.get("approved_by") or "").strip():
        return None
    listed = profile.list("agreement_clauses")
    return Message("event.clauses_missing", {**where, "source": listed.source,
                                             "clauses": [Label(m["zh"], f"{m['id']} ({m['en'] or m['zh']})")
                                                         for m in missing]})


def _exemption_problem(state: State, profile: Profile, where: Mapping[str, Any]) -> Message | None:
    """An exemption whose wording is unverified cannot by itself let a case close: it needs the
    text it relies on (details.basis) and who approved it (details.approved_by)."""
    if state.seen.get("effect_evaluation") or state.findings:
        return None
    ex = state.last.get("effect_evaluation_exempted")
    if ex is None:
        return None
    item = profile.list("effect_evaluation_exemptions").get(ex.details.get("reason"))
    if item is None or item.verified:
        return None
    if str(ex.details.get("basis") or "").strip() and str(ex.details.get("approved_by") or "").strip():
        return None
    return Message("event.exemption_unverified", {**where, "exemption": Label(item.zh, item.id),
                                                  "source": item.source})


def _re_consultation_left(state: State, profile: Profile) -> bool:
    allowed = profile.rule("consultation.re_consultations_after_refusal")
    if not allowed.is_set:
        return True  # not set: do not block what the rules do not limit
    return state.refusals <= allowed.value


def _exhausted(name: str, state: State, profile: Profile, where: Mapping[str, Any]) -> Message:
    rule = profile.rule("consultation.re_consultations_after_refusal")
    return Message("event.re_consultations_used", {**where, "refusals": state.refusals, "allowed": rule.value,
                                                   "source": rule.source})


def apply_event(state: State, ev: Event) -> None:
    """Advance ``state`` by ``ev`` (already checked)."""
    t = ev.event_type
    state.seen[t] = state.seen.get(t, 0) + 1
    state.last[t] = ev
    target = EVENT_TYPES[t].stage
    if t == takeover.TAKEOVER:
        takeover.take_over(state, ev)
    elif t == takeover.CORRECTION:
        takeover.correct(state, ev)
    elif target is not None and _moves(state.stage, target, t):
        state.stage = target
    gate.apply(state, ev)
    if t in ("consultation_notice_served", "consultation_requested", "judicial_confirmation_refused"):
        state.presumed_round = False  # a dated round: its meetings are counted
    if t in ("consultation_notice_served", "consultation_requested"):
        # a notice served in a round the liable party's request opened continues that round
        same_round = (t == "consultation_notice_served" and state.round_open
                      and state.seen.get("consultation_notice_served", 0) == 1
                      and state.has("consultation_requested"))
        state.round_open, state.failed = True, False
        if not same_round:
            state.meetings_in_round = 0
    elif t == "meeting_held":
        state.meetings_in_round += 1
        state.meetings_total += 1
    elif t == "consultation_failed":
        state.round_open, state.failed = False, True
    elif t == "agreement_signed":
        state.round_open, state.agreement = False, ev
        state.confirmation_pending = state.confirmed = False
    elif t == "judicial_confirmation_requested":
        state.confirmation_pending = True
    elif t == "judicial_confirmation_confirmed":
        state.confirmation_pending, state.confirmed = False, True
    elif t == "judicial_confirmation_refused":
        state.confirmation_pending, state.agreement = False, None
        state.refusals += 1
        # one re-consultation (if the rules allow it): a new round without a new notice
        state.round_open, state.meetings_in_round = True, 0
    from .procedure_rules import apply_procedure_event
    apply_procedure_event(state, ev)
    if state.stage in END_STAGES and state.ended is None:
        state.ended = ev


def _moves(stage: Stage | None, target: Stage, event_type: str) -> bool:
    """Whether an event leading to ``target`` moves a case at ``stage``: forward, to an end, or by
    one of the workflow's returns; never backwards (a report after the next stage's opening)."""
    return (stage is None or event_type in takeover.RETURNS or target in END_STAGES or stage in END_STAGES
            or takeover.RANK[target] >= takeover.RANK[stage])


def _refused_round_closed(state: State, profile: Profile) -> None:
    if state.refusals and not _re_consultation_left(state, profile):
        state.round_open = False


def order(events: Iterable[Event]) -> list[Event]:
    """Events in date order; same-day events keep the order they were recorded in."""
    indexed = list(enumerate(events))
    indexed.sort(key=lambda p: (p[1].event_date, p[0]))
    return [e for _, e in indexed]


@dataclass
class Replay:
    state: State
    events: list[Event]
    problems: list[tuple[int, Event, str]]

    @property
    def stage(self) -> Stage | None:
        return self.state.stage


def replay(case: Mapping[str, Any], events: Iterable[Mapping | Event], profile: Profile,
           today: date | None = None, *, stop_at_first: bool = False,
           evaluations: Iterable[Mapping[str, Any]] = ()) -> Replay:
    """Walk a case's events in date order; collect every refused transition.

    A refused event is reported and skipped, so later problems are found too. ``evaluations``:
    the case's stored effect evaluations (rows of ``effect_evaluations``), which gate its
    acceptance and closing (:mod:`.evaluation_gate`). A history holding a takeover may begin at
    any event before it (:mod:`.takeover`).
    """
    today = today or config.today()
    evs = order(make_event(e) for e in events)
    state = State(findings=gate.stored_findings(evaluations))
    _enter_prior_history(state, evs)
    problems: list[tuple[int, Event, str]] = []
    for i, ev in enumerate(evs):
        problem = check_event(state, ev, case, profile, today)
        if problem:
            problems.append((i, ev, problem))
            if stop_at_first:
                break
            continue
        apply_event(state, ev)
        _refused_round_closed(state, profile)
    return Replay(state, evs, problems)


def _enter_prior_history(state: State, evs: list[Event]) -> None:
    """A history that holds a takeover starts where its first event happens, the steps before it
    presumed (the register's earlier history need not begin with a clue registration)."""
    at = next((i for i, e in enumerate(evs) if e.event_type == takeover.TAKEOVER), None)
    if not at:
        return
    entry = takeover.prior_entry(evs[:at], takeover.stage_of(evs[at]))
    if entry is not None:
        takeover.presume(state, entry)


def validate_history(case: Mapping[str, Any], events: Iterable[Mapping | Event], profile: Profile,
                     today: date | None = None, source: str | None = None) -> Replay:
    """:func:`replay`, raising ``InputError`` (one issue per refused event) if any is refused."""
    result = replay(case, events, profile, today)
    if result.problems:
        cid = case.get("case_id")
        raise InputError([Issue(msg, source=source or (Message("where.case", {"case": cid}) if cid else None), field="event_type")
                          for _, _, msg in result.problems])
    return result
