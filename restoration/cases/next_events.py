"""What may be recorded next on a case: the event types its history allows today.

The case page's event form offers these and no others (and preselects none), so a supervisor
cannot save a step the workflow would refuse — or, on a case taken over in restoration, a clue
registration that used to put it back to screening. An event whose only problem is a detail the
form asks for (a reason from the profile's list, the agreement's clauses, an override of a failed
evaluation) is offered: the form collects the detail and the write checks it again.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Iterable, Mapping, Sequence

from .. import config
from ..store import Store
from . import history
from ..profiles.for_case import profile_for
from .events import EVENT_TYPES, SYSTEM_EVENTS
from ..profiles.profile import Profile
from .workflow import Event, check_event, replay

#: refusals that name a detail to give, not a step that may not happen now
DETAIL_PROBLEMS = frozenset({
    "event.choose_reason", "event.unknown_reason", "event.missing_details", "event.choose_one",
    "event.clauses_missing", "event.report_schedule_needed", "event.lists_expected", "event.joint_needs_two",
    "event.group_needs_two", "event.conditions_format", "event.shared_items", "event.meeting_limit_extendable",
    "event.evaluation_not_passed", "event.override_format", "event.comment_period_order",
})


def allowed_next(case: Mapping[str, Any], events: Sequence[Event | Mapping], profile: Profile,
                 today: date | None = None, evaluations: Iterable[Mapping[str, Any]] = ()) -> list[str]:
    """The event types (codes, in the vocabulary's order) that may be recorded on ``today`` after
    ``events``; the platform's own (takeover) and the correction (its own command) are not
    among them."""
    today = today or config.today()
    state = replay(case, events, profile, today, evaluations=evaluations).state
    out = []
    for code in EVENT_TYPES:
        if code in SYSTEM_EVENTS:
            continue
        problem = check_event(state, Event(code, today, {}), case, profile, today)
        if getattr(problem, "code", None) == "event.advisory_refusal":  # advisory: judged by what it says
            problem = problem.params["problem"]
        if problem is None or getattr(problem, "code", None) in DETAIL_PROBLEMS:
            out.append(code)
    return out


def next_events(store: Store, case_id: str, today: date | None = None) -> list[str]:
    """:func:`allowed_next` for a stored case (its history and stored evaluations)."""
    today = today or config.today()
    case = store.get("cases", case_id)
    evs = history.of(store, case, today)
    return allowed_next(case, evs, profile_for(case, evs), today, history.evaluations(store, case_id))
