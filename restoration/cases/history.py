"""A case's history as the workflow reads it, and the one way new events are written on a case.

The history is the case's stored events — for a case without any, the takeover it implies
(:mod:`.takeover`) — and its stored effect evaluations, which gate its acceptance and closing
(:mod:`.evaluation_gate`). :func:`record` checks new events against that whole history, writes
the implied takeover with the first event a case receives, and sets the case's stage to the one
its history leads to: ``add_event`` (one event, from the CLI, the dashboard or the API) and the
history import (:mod:`.history_import`, many) go through it.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any, Mapping, Sequence

import pandas as pd

from ..errors import InputError, Issue
from ..importer import prepare
from ..messages import Message
from ..profiles.profile import Profile
from .takeover import TAKEOVER, history as _with_takeover
from .workflow import Event, Replay, make_event, order, replay


def stored_events(store_or_tx, case_id: str) -> list[Event]:
    """The events stored for ``case_id`` in date order."""
    rows = store_or_tx.read("case_events", case_id=case_id)
    return order(make_event(r) for r in rows.to_dict("records"))


def case_history(case: Mapping[str, Any], events: Sequence[Event | Mapping], today: date) -> list[Event]:
    """``events`` (stored), or the implied takeover of a case that has none, as events."""
    return order(make_event(e) for e in _with_takeover(case, list(events), today))


def of(store_or_tx, case: Mapping[str, Any], today: date) -> list[Event]:
    """The history of ``case`` (its stored events, or its implied takeover)."""
    return case_history(case, stored_events(store_or_tx, case["case_id"]), today)


def evaluations(store_or_tx, case_id: str | None = None) -> list[dict] | dict[str, list[dict]]:
    """The stored effect evaluations of ``case_id`` (rows), or of every case ({case_id: rows})."""
    cols = ["evaluation_id", "case_id", "as_of", "verdict", "evaluated_at"]
    if case_id is not None:
        return store_or_tx.read("effect_evaluations", case_id=case_id, columns=cols).to_dict("records")
    out: dict[str, list[dict]] = {}
    for row in store_or_tx.read("effect_evaluations", columns=cols).to_dict("records"):
        out.setdefault(row["case_id"], []).append(row)
    return out


def implied_takeover(events: Sequence[Event]) -> list[Event]:
    """The takeover of ``events`` that is implied, not stored yet (written with the first event)."""
    return [e for e in events if e.event_type == TAKEOVER and e.fid is None and e.details.get("implied")]


def dated_for(history: list[Event], new: Sequence[Event]) -> list[Event]:
    """A case imported at screening has no earlier history to speak of (its clue registration is
    all a screening case has been through): its implied takeover is dated no later than the first
    event it receives, so that event and the next ones are checked from screening on."""
    first = implied_takeover(history)
    if not first or not new or first[0].details.get("stage") != "screening":
        return history
    day = min([first[0].event_date] + [e.event_date for e in new])
    return [replace(e, event_date=day) if e is first[0] else e for e in history]


def check(case: Mapping[str, Any], history: Sequence[Event], new: Sequence[Event], profile: Profile,
          today: date, evals: Sequence[Mapping[str, Any]] = ()) -> tuple[Replay, list[tuple[Event, Any]]]:
    """Replay the history with ``new`` added; (the replay, its refusals as (event, message) with the
    new events' first)."""
    result = replay(case, list(history) + list(new), profile, today, evaluations=evals)
    mine = {id(e) for e in new}
    problems = sorted(((ev, m) for _, ev, m in result.problems), key=lambda p: id(p[0]) not in mine)
    return result, problems


def _rows(case_id: str, events: Sequence[Event], actor: str) -> list[dict]:
    return [{"case_id": case_id, "event_type": e.event_type, "event_date": e.event_date.isoformat(),
             "actor": e.actor or actor, "details": dict(e.details)} for e in events]


def _frame(case_id: str, events: Sequence[Event], actor: str) -> pd.DataFrame:
    return pd.DataFrame(_rows(case_id, events, actor))


def record(tx, case: Mapping[str, Any], history: Sequence[Event], new: Sequence[Event], actor: str,
           profile: Profile, today: date, *, expected_version: int | None = None,
           changes: Mapping[str, Any] | None = None) -> tuple[dict, list[int]]:
    """Write ``new`` events on ``case`` in the open transaction ``tx`` after checking them against
    its history; returns the updated case and the new events' fids. InputError, with every
    refusal, when any is refused."""
    cid = case["case_id"]
    history = dated_for(list(history), new)
    result, problems = check(case, history, new, profile, today, evaluations(tx, cid))
    if problems:
        raise InputError([Issue(m, source=Message("where.case", {"case": cid}), field="event_type")
                          for _, m in problems])
    first = implied_takeover(history)
    if first:
        clean, _ = prepare(tx, "case_events", _frame(cid, first, actor))
        tx.insert("case_events", clean, action="takeover (implied by the register)")
    clean, _ = prepare(tx, "case_events", _frame(cid, new, actor))
    fids = [tx.insert_one("case_events", clean.iloc[[i]], action=f"event {e.event_type}") for i, e in enumerate(new)]
    stage = result.stage.value if result.stage is not None else case["stage"]
    what = f"event {new[0].event_type}" if len(new) == 1 else f"{len(new)} events"
    updated = tx.update("cases", cid, {"stage": stage, **dict(changes or {})}, expected_version=expected_version,
                        action=what)
    return updated, fids


def record_many(tx, plans: Mapping[str, tuple], actor: str) -> dict[str, tuple[str, str]]:
    """Write the events of many cases at once (the history import): ``plans`` = {case_id: (case,
    history, new events, replay)}, each replay already found free of refusals in this transaction.
    One insert for every case's implied takeover and new events, then each case's stage and
    version; returns {case_id: (stage before, stage after)} for the cases whose stage moved."""
    rows = []
    for cid, (case, hist, new, result) in plans.items():
        rows += _rows(cid, implied_takeover(dated_for(list(hist), new)) + list(new), actor)
    if rows:
        clean, _ = prepare(tx, "case_events", pd.DataFrame(rows))
        tx.insert("case_events", clean, action=f"import {len(clean)} events of {len(plans)} cases")
    moved, stages = {}, {}
    for cid, (case, hist, new, result) in plans.items():
        stage = result.stage.value if result.stage is not None else case["stage"]
        stages[cid] = {"stage": stage}
        if stage != case["stage"]:
            moved[cid] = (case["stage"], stage)
    tx.update_many("cases", stages, action={cid: f"{len(plan[2])} events imported" for cid, plan in plans.items()})
    return moved

