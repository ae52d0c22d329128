"""The effect evaluation gates the end of a case (修复效果评估 → 验收结案).

A case is accepted (``accepted``) and closed (``closed``) only when its latest effect evaluation
passes. The evaluations are the stored ones (``effect_evaluations``, computed by the platform from
the monitoring data; dated by their ``as_of``) and the evaluation reports recorded as events
(``effect_evaluation`` with ``details.result``: pass / fail). The latest by date decides; a stored
evaluation counts for an event recorded after it was stored. A ``fail`` or ``incomplete`` verdict
refuses acceptance and closing, unless the acceptance (or the closing) carries an override —
``details.evaluation_override = {"reason", "document"}`` — which only a role allowed to correct
(``case.correct``) may record; it is audited with the event and shown as such on the case page
and the public page.

A failed evaluation opens the supplementary-restoration path (桂工作细则说明 四 第六章: 修复监督、
效果评估、验收结案): ``supplementary_restoration`` puts the case back to restoration; the
restoration is completed again, evaluated again, and the new evaluation decides.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from ..messages import Message, Term
from ..model import Stage
from .event_record import Event, _stamp

if TYPE_CHECKING:  # the replay's state (workflow imports this module)
    from .workflow import State

SUPPLEMENTARY = "supplementary_restoration"
OVERRIDE = "evaluation_override"
#: an evaluation report's ``details.result`` -> verdict (the sample's reports say "met")
_RESULTS = {"pass": "pass", "met": "pass", "达标": "pass", "fail": "fail", "not_met": "fail", "未达标": "fail",
            "incomplete": "incomplete"}
#: where the procedure is written (the seed names the steps, not the gate's wording)
SOURCE = "桂工作细则说明 四 第六章（建立修复监督、效果评估、验收结案流程）"


@dataclass(frozen=True)
class Finding:
    """One effect evaluation as the gate reads it."""

    verdict: str  # pass | fail | incomplete
    day: date
    evaluation_id: str | None = None  # a stored evaluation's id; None for a recorded report
    recorded_at: str | None = None  # when it was stored (UTC, ISO)


def stored_findings(rows: Iterable[Mapping[str, Any]]) -> tuple[Finding, ...]:
    """The gate's view of stored evaluations (rows of ``effect_evaluations``)."""
    out = []
    for r in rows:
        verdict = r.get("verdict")
        if verdict not in ("pass", "fail", "incomplete"):
            continue
        out.append(Finding(verdict, date.fromisoformat(str(r["as_of"])[:10]), r.get("evaluation_id"),
                           _stamp(r.get("evaluated_at"))))
    return tuple(out)


def event_finding(ev: "Event") -> Finding | None:
    """An evaluation report recorded as an event, when it states its result."""
    if ev.event_type != "effect_evaluation":
        return None
    verdict = _RESULTS.get(str(ev.details.get("result") or "").strip().lower())
    return None if verdict is None else Finding(verdict, ev.event_date, None, ev.recorded_at)


def latest(state: "State", ev: "Event") -> Finding | None:
    """The evaluation that decides for ``ev``: the latest by date of the reports recorded before
    it and of the stored evaluations as of its date or earlier stored before it was recorded
    (all of those for a new event)."""
    # an evaluation as of a later day cannot decide about the event (stored in the same second
    # as the event was recorded, the time stamps alone would let it)
    stored = [f for f in state.findings if f.day <= ev.event_date and
              (f.recorded_at is None or ev.recorded_at is None or f.recorded_at <= ev.recorded_at)]
    known = stored + list(state.reports)
    if not known:
        return None
    # the later date decides; on the same day a report recorded after the stored evaluation
    return max(enumerate(known), key=lambda p: (p[1].day, p[1].evaluation_id is None, p[0]))[1]


def evaluated(state: "State", ev: "Event") -> bool:
    """Whether any evaluation is known for ``ev`` (stored or reported)."""
    return latest(state, ev) is not None


def override_problem(ev: "Event", where: Mapping[str, Any]) -> Message | None:
    """An override states its reason and the document it rests on."""
    over = ev.details.get(OVERRIDE)
    if not isinstance(over, dict):
        return Message("event.override_format", where)
    missing = [k for k in ("reason", "document") if not str(over.get(k) or "").strip()]
    if missing:
        return Message("event.missing_details", {**where, "fields": [Term("detail", f"override_{k}")
                                                                     for k in missing]})
    return None


def gate_problem(state: "State", ev: "Event", where: Mapping[str, Any]) -> Message | None:
    """Why ``accepted`` / ``closed`` may not happen while the latest evaluation fails or is
    incomplete (None: it passes, none is known, or an override stands)."""
    if state.supplementary_open:
        return Message("event.supplementary_open", {**where, "completed": Term("event", "restoration_completed")})
    found = latest(state, ev)
    if found is None or found.verdict == "pass":
        return None
    if OVERRIDE in ev.details:
        return override_problem(ev, where)
    prior = state.override
    if prior is not None and prior.event_date >= found.day:
        return None  # the acceptance was overridden after this evaluation: closing follows it
    return Message("event.evaluation_not_passed", {
        **where, "verdict": Term("verdict", found.verdict), "as_of": found.day.isoformat(),
        "evaluation": found.evaluation_id or Term("event", "effect_evaluation"),
        "supplementary": Term("event", SUPPLEMENTARY), "source": SOURCE})


def supplementary_problem(state: "State", ev: "Event", where: Mapping[str, Any]) -> Message | None:
    """Supplementary restoration follows a failed evaluation of a case in effect evaluation."""
    if state.stage is not Stage.EFFECT_EVALUATION:
        return Message("event.supplementary_stage", {**where, "stage": Term("stage", Stage.EFFECT_EVALUATION.value)})
    found = latest(state, ev)
    if found is None or found.verdict != "fail":
        return Message("event.supplementary_needs_failure", where)
    return None


def apply(state: "State", ev: "Event") -> None:
    """Keep what the gate needs from an accepted event: the reports and a standing override."""
    found = event_finding(ev)
    if found is not None:
        state.reports = state.reports + (found,)
    if ev.event_type in ("accepted", "closed") and isinstance(ev.details.get(OVERRIDE), dict):
        state.override = ev
    if ev.event_type == SUPPLEMENTARY:
        state.supplementary_open = True
    elif ev.event_type == "restoration_completed":
        state.supplementary_open = False
