"""Cases taken over mid-procedure (接管) and corrections of a case's stage (阶段更正).

An agency's register arrives mid-procedure: a case imported at stage X with no events is *taken
over at X*. Its history then holds a ``taken_over`` event (``details.stage`` = X) dated the day it
was taken over — written with the first event recorded on the case; until then it is implied
(:func:`history`: dated the day the case record was last written, at the latest today).

What must have happened to bring a case to X is *presumed* (undated): the checks of later events
treat it as done. Events dated before the takeover are the case's earlier history as far as the
register knows it: they may start at any event (the steps before it presumed), must be in a
possible order among themselves and must not lead beyond X. Events after the takeover are checked
from X on, as for any case.

A case never moves backwards. An event of an earlier stage than the case's — a clue registration
on a case in restoration, a filing after a consultation meeting — is refused; reports of a stage
(the investigation or appraisal report) may follow the next stage's opening without moving the
case back. The workflow's own returns stay: a refused judicial confirmation reopens consultation,
a failed effect evaluation opens supplementary restoration. Anything else takes an explicit
``stage_corrected`` event — the stage, a reason and a document reference — which only a role
allowed to correct (``case.correct``) may record; it is audited like every write.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Mapping

from ..messages import Message, Term
from ..model import Stage
from .event_record import Event
from .events import END_STAGES, EVENT_TYPES, ONCE

if TYPE_CHECKING:  # the replay's state (workflow imports this module)
    from .workflow import State

TAKEOVER = "taken_over"
CORRECTION = "stage_corrected"

#: the main path in order; the ends share the last rank
_MAIN = (Stage.SCREENING, Stage.FILING, Stage.INVESTIGATION, Stage.APPRAISAL, Stage.CONSULTATION,
         Stage.JUDICIAL_CONFIRMATION, Stage.LITIGATION, Stage.RESTORATION, Stage.EFFECT_EVALUATION,
         Stage.CLOSED)
RANK: dict[Stage, int] = {s: i for i, s in enumerate(_MAIN)}
RANK[Stage.NOT_STARTED] = RANK[Stage.TERMINATED] = RANK[Stage.CLOSED]

#: the steps that bring a case into a stage from the one before it (:data:`_BEFORE`)
_STEPS: dict[Stage, tuple[str, ...]] = {
    Stage.SCREENING: ("clue_registered",),
    Stage.FILING: ("filed",),
    Stage.INVESTIGATION: ("investigation_started",),
    Stage.APPRAISAL: ("investigation_reported", "appraisal_commissioned"),
    Stage.CONSULTATION: ("appraisal_reported", "consultation_notice_served"),
    Stage.JUDICIAL_CONFIRMATION: ("meeting_held", "agreement_signed", "judicial_confirmation_requested"),
    Stage.LITIGATION: ("meeting_held", "consultation_failed", "litigation_filed"),
    Stage.RESTORATION: ("meeting_held", "agreement_signed", "restoration_started"),
    Stage.EFFECT_EVALUATION: ("restoration_completed",),
    Stage.CLOSED: ("accepted", "closed"),
    Stage.NOT_STARTED: ("not_started",),
    Stage.TERMINATED: ("terminated",),
}
_BEFORE: dict[Stage, Stage] = {
    Stage.FILING: Stage.SCREENING, Stage.INVESTIGATION: Stage.FILING, Stage.APPRAISAL: Stage.INVESTIGATION,
    Stage.CONSULTATION: Stage.APPRAISAL, Stage.JUDICIAL_CONFIRMATION: Stage.CONSULTATION,
    Stage.LITIGATION: Stage.CONSULTATION, Stage.RESTORATION: Stage.CONSULTATION,
    Stage.EFFECT_EVALUATION: Stage.RESTORATION, Stage.CLOSED: Stage.EFFECT_EVALUATION,
    Stage.NOT_STARTED: Stage.SCREENING, Stage.TERMINATED: Stage.INVESTIGATION,
}
#: the stage a case is in when an event happens, where that is not the stage the event leads to
_ENTRY: dict[str, Stage] = {
    "judicial_confirmation_refused": Stage.JUDICIAL_CONFIRMATION, "closed": Stage.EFFECT_EVALUATION,
    "not_started": Stage.SCREENING, "screening_excluded": Stage.SCREENING, "terminated": Stage.INVESTIGATION,
    "supplementary_restoration": Stage.EFFECT_EVALUATION,
}
#: the workflow's own returns to an earlier stage
RETURNS = frozenset({"judicial_confirmation_refused", "supplementary_restoration"})
#: a stage's reports: they may follow the next stage's opening (an appraisal commissioned before the
#: investigation report) and then leave the stage where it is
REPORTS = frozenset({"investigation_reported", "appraisal_reported", "expert_opinion"})


def presumed_steps(stage: Stage) -> frozenset[str]:
    """Every event that must have happened (in some form) for a case to be at ``stage``."""
    steps: set[str] = set()
    at: Stage | None = stage
    while at is not None:
        steps.update(_STEPS[at])
        at = _BEFORE.get(at)
    return frozenset(steps)


#: the names a takeover or correction may give a stage (its code, its 中文 label; its English
#: label in any case and spacing): one dictionary look-up per event instead of a walk over the stages
_STAGE_NAMES = {name: s for s in reversed(list(Stage)) for name in (s.value, s.zh)}
_STAGE_EN = {s.en.lower(): s for s in reversed(list(Stage))}


def stage_of(ev: "Event") -> Stage | None:
    """The stage a takeover or correction names (``details.stage``: a code or a label)."""
    value = ev.details.get("stage")
    if not isinstance(value, str):
        return None
    return _STAGE_NAMES.get(value) or _STAGE_EN.get(value.strip().lower())


def entry_stage(event_type: str) -> Stage | None:
    """The stage a case is in when ``event_type`` happens (None: any stage)."""
    if event_type in _ENTRY:
        return _ENTRY[event_type]
    return EVENT_TYPES[event_type].stage if event_type in EVENT_TYPES else None


def prior_entry(prior: list["Event"], taken_over_at: Stage | None) -> Stage | None:
    """Where the history before a takeover starts: the stage its first stage-bearing event happens
    in (the steps before it presumed), else the takeover's own stage."""
    for ev in prior:
        at = entry_stage(ev.event_type)
        if at is not None:
            return at
    return taken_over_at


def presume(state: "State", stage: Stage) -> None:
    """Put ``state`` at ``stage`` with what that stage implies presumed, keeping what the dated
    history already says (an open round, a pending confirmation)."""
    state.stage = stage
    state.presumed = state.presumed | presumed_steps(stage)
    state.ended = None if stage not in END_STAGES else state.ended
    if stage is Stage.CONSULTATION and not state.round_open:
        state.round_open, state.presumed_round, state.failed = True, True, False
    elif stage is Stage.JUDICIAL_CONFIRMATION:
        state.round_open = False
        if not state.confirmed:
            state.confirmation_pending = True
    elif stage is Stage.LITIGATION:
        state.round_open, state.failed = False, True
    elif RANK[stage] >= RANK[Stage.RESTORATION] and stage not in (Stage.NOT_STARTED, Stage.TERMINATED):
        state.round_open, state.presumed_basis = False, True


def take_over(state: "State", ev: "Event") -> None:
    """Apply a ``taken_over`` event (already checked)."""
    presume(state, stage_of(ev))
    state.taken_over = ev


def correct(state: "State", ev: "Event") -> None:
    """Apply a ``stage_corrected`` event (already checked): the case is put at the stage named as
    if taken over there; what the dated history recorded beyond that stage no longer counts."""
    stage = stage_of(ev)
    later = [t for t in state.seen if (entry_stage(t) is not None and entry_stage(t) not in END_STAGES
                                       and RANK[entry_stage(t)] > RANK[stage])]
    for t in later:
        state.seen.pop(t, None)
        state.last.pop(t, None)
    state.presumed = frozenset()
    state.round_open = state.presumed_round = state.failed = False
    state.confirmation_pending = state.confirmed = state.presumed_basis = False
    state.meetings_in_round = 0
    if RANK[stage] <= RANK[Stage.CONSULTATION]:
        state.agreement = None
    state.ended = ev if stage in END_STAGES else None
    presume(state, stage)
    state.taken_over = ev


# -- checks ---------------------------------------------------------------------------------------
def _stage_choices() -> list[Term]:
    return [Term("stage", s.value) for s in Stage]


def takeover_problem(state: "State", ev: "Event", where: Mapping[str, Any]) -> Message | None:
    """Why a ``taken_over`` event may not stand here: no known stage, a second takeover, or an
    earlier history that already led beyond the stage taken over at."""
    stage = stage_of(ev)
    if stage is None:
        return Message("event.takeover_stage", {**where, "value": str(ev.details.get("stage")),
                                                "choices": _stage_choices()})
    if state.taken_over is not None:
        return Message("event.taken_over_twice", {**where, "on": state.taken_over.event_date.isoformat(),
                                                  "correct": Term("event", CORRECTION)})
    if state.stage is not None and (RANK[state.stage] > RANK[stage]
                                    or (state.stage in END_STAGES and state.stage is not stage)):
        return Message("event.takeover_behind", {**where, "stage": Term("stage", stage.value),
                                                 "replayed": Term("stage", state.stage.value)})
    return None


def correction_problem(state: "State", ev: "Event", where: Mapping[str, Any]) -> Message | None:
    """A correction names a known stage other than the case's, with a reason and a document."""
    stage = stage_of(ev)
    if stage is None:
        return Message("event.takeover_stage", {**where, "value": str(ev.details.get("stage")),
                                                "choices": _stage_choices()})
    if stage is state.stage:
        return Message("event.correction_same", {**where, "stage": Term("stage", stage.value)})
    missing = [k for k in ("reason", "document") if not str(ev.details.get(k) or "").strip()]
    if missing:
        return Message("event.missing_details", {**where, "fields": [Term("detail", k) for k in missing]})
    return None


def backwards_problem(state: "State", ev: "Event", where: Mapping[str, Any]) -> Message | None:
    """An event that would put the case back to an earlier stage (see the module docstring)."""
    target = EVENT_TYPES[ev.event_type].stage
    t = ev.event_type
    if target is None or state.stage is None or t in RETURNS or t in REPORTS or target in END_STAGES:
        return None
    if state.stage in END_STAGES or RANK[target] >= RANK[state.stage]:
        return None
    return Message("event.backwards", {**where, "stage": Term("stage", state.stage.value),
                                       "to": Term("stage", target.value), "correct": Term("event", CORRECTION)})


def after_takeover_problem(state: "State", ev: "Event", where: Mapping[str, Any]) -> Message | None:
    """A one-time step the takeover presumes cannot be dated after it: the case was past it then."""
    took = state.taken_over
    if took is None or ev.event_type not in ONCE or ev.event_type not in state.presumed \
            or ev.event_type in state.seen or ev.event_date <= took.event_date:
        return None
    return Message("event.presumed_before_takeover", {**where, "stage": Term("stage", state.stage.value
                                                                             if state.stage else ""),
                                                      "on": took.event_date.isoformat()})


# -- the implied takeover of an event-less case -----------------------------------------------------
def takeover_day(case: Mapping[str, Any], today: date) -> date:
    """The day an event-less case was taken over: the day its record was last written (its
    import), at the latest ``today``."""
    stamp = case.get("updated_at")
    try:
        day = datetime.fromisoformat(str(stamp).replace(" ", "T")[:19]).date()
    except (TypeError, ValueError):
        return today
    return min(day, today)


def implied(case: Mapping[str, Any], today: date) -> dict | None:
    """The ``taken_over`` event an event-less case implies (a plain dict), or None when the case
    has no known stage."""
    stage = case.get("stage")
    if stage not in Stage._value2member_map_:
        return None
    return {"event_type": TAKEOVER, "event_date": takeover_day(case, today).isoformat(),
            "details": {"stage": stage, "implied": True}, "actor": None}


def history(case: Mapping[str, Any], events: list, today: date) -> list:
    """The case's events, or — for a case without any — its implied takeover."""
    if events:
        return events
    took = implied(case, today)
    return [took] if took else []
