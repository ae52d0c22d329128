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
from ..messages import Message, Term
from ..model import Stage
from . import evaluation_gate as gate, takeover
from .event_record import Event, _as_date, known_types, make_event, unknown_type  # noqa: F401  (re-exported)
from .events import AFTER_END_EVENTS, END_STAGES, EVENT_TYPES, ONCE, RECORD_EVENTS
from ..profiles.profile import Profile
from .. import config
from .event_checks import EVENT_CHECKS, CheckContext
from .procedure_rules import apply_procedure_event
from .stage_checks import re_consultation_left


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
    # -- the procedure around the case (see .procedure_rules) --
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


def check_event(state: State, ev: Event, case: Mapping[str, Any], profile: Profile,
                today: date) -> Message | str | None:
    """Why ``ev`` may not happen now (a :class:`~restoration.messages.Message`), or None when it
    may."""
    t = ev.event_type
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
    if t in ONCE and state.seen.get(t) and not (t == "restoration_completed" and state.supplementary_open):
        return Message("event.already_recorded", {**where, "on": state.last[t].event_date.isoformat()})
    return EVENT_CHECKS[t](CheckContext(state, ev, case, profile, where))


def _record_problem(state: State, ev: Event, where: Mapping[str, Any]) -> Message | None:
    """An everyday record (inspection, monitoring note, filed document) may be saved at any stage."""
    return None


#: events checked by their own rule whatever the stage (after the end-of-case check)
_ANY_STAGE = {takeover.TAKEOVER: takeover.takeover_problem, gate.SUPPLEMENTARY: gate.supplementary_problem,
              **{t: _record_problem for t in RECORD_EVENTS}}


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
    apply_procedure_event(state, ev)
    if state.stage in END_STAGES and state.ended is None:
        state.ended = ev


def _moves(stage: Stage | None, target: Stage, event_type: str) -> bool:
    """Whether an event leading to ``target`` moves a case at ``stage``: forward, to an end, or by
    one of the workflow's returns; never backwards (a report after the next stage's opening)."""
    return (stage is None or event_type in takeover.RETURNS or target in END_STAGES or stage in END_STAGES
            or takeover.RANK[target] >= takeover.RANK[stage])


def _refused_round_closed(state: State, profile: Profile) -> None:
    if state.refusals and not re_consultation_left(state, profile):
        state.round_open = False


def order(events: Iterable[Event]) -> list[Event]:
    """Events in date order; same-day events keep the order they were recorded in."""
    evs = list(events)
    # a history read or replayed before is already in order: checked in one pass, not sorted again
    if all(a.event_date <= b.event_date for a, b in zip(evs, evs[1:])):
        return evs
    return sorted(evs, key=lambda e: e.event_date)  # a stable sort keeps same-day events' order


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
