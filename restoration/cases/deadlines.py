"""Deadlines (期限): every due date of a case, how many days are left, what is overdue, and the
rule that set it.

Three kinds of deadline:

* **rule** — a time limit of the case's profile (``[time_limits.*]``): the clock starts the day
  after a start event (民法典第二百零一条) and stops at the first stop event after it; a later start
  event before any stop restarts it. A calendar-day period whose last day is a rest day ends on
  the next working day (第二百零三条); working days are counted with the Chinese holiday calendar.
  A limit the profile leaves unset is listed as ``not_set``, never guessed.
* **case** — a date fixed in an event's details, e.g. the agreement's restoration deadline:
  ``details.deadlines = [{"id", "zh", "en", "due_date", "stop_events"}]``.
* **instalment** — each scheduled payment in the funds ledger.

Statuses: ``open``, ``overdue``, ``met``, ``met_late``, ``completed`` (done; no limit was set),
``not_set`` (still pending; no limit in the rules),
``ended`` (the case ended while it was open), ``not_computable`` (the case is where the deadline
runs, but the date it runs from is not in its history — a case taken over mid-procedure, say —
with ``missing`` saying what is lacking; such a case is never counted as "not overdue"). A date
in a year the holiday calendar does not cover is ``provisional`` with the reason.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any, Mapping, Sequence

import pandas as pd

from .events import END_STAGES, event_label
from .funds import summarise
from .holidays import period_end
from .procedure_record import supervision_schedule
from ..profiles.profile import Profile
from .workflow import Event, make_event, order, replay
from .. import config
from ..messages import Label, Message, Term
from ..model import RestorationMode, Stage
from ..vocab import DEADLINE_STATUS

#: a deadline's status -> (中文, English): the vocabulary's (``restoration.vocab.statuses``)
STATUS_LABELS = DEADLINE_STATUS
#: why a deadline is advisory -> (中文, English)
ADVISORY_LABELS = {"draft": ("依据草案，仅供参考", "from a draft — advisory"),
                   "unverified": ("依据未核实的规则，仅供参考", "unverified — advisory")}


@dataclass
class Deadline:
    case_id: str
    deadline: str
    zh: str
    en: str
    kind: str  # rule | case | instalment | supervision
    status: str
    due_date: date | None = None
    days_left: int | None = None
    start_event: str | None = None
    start_date: date | None = None
    limit_days: int | None = None
    day_kind: str | None = None
    nominal_due: date | None = None
    moved: bool = False
    stop_event: str | None = None
    stop_date: date | None = None
    provisional: bool = False
    provisional_reason: str | None = None
    source: str | Message | None = None  # a rule's citation, or a Message (str() gives English)
    verified: bool | None = None
    profile: str | None = None
    note: str | Message | None = None
    #: what a ``not_computable`` deadline lacks (a Message: "no date of the consultation notice")
    missing: Message | None = None
    #: why the deadline is advisory (参考) rather than binding: ``"draft"`` (its rule comes from a
    #: draft profile version) or ``"unverified"`` (its rule is not verified); None: it binds.
    #: docs/cases.md, "Unverified and draft values"
    advisory: str | None = None

    @property
    def overdue(self) -> bool:
        return self.status == "overdue"

    @property
    def computable(self) -> bool:
        return self.status != "not_computable"

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in _FIELDS}  # flat: faster than dataclasses.asdict
        for k, v in d.items():
            if isinstance(v, date):
                d[k] = v.isoformat()
        d["overdue"] = self.overdue
        d["status_zh"] = STATUS_LABELS[self.status][0]
        d["missing_zh"], d["missing_en"] = missing_words(self.missing)
        d["advisory_zh"], d["advisory_en"] = ADVISORY_LABELS.get(self.advisory, (None, None))
        return d


_FIELDS = tuple(f.name for f in fields(Deadline))


def _finish(dl: Deadline, stop: Event | None, ended: bool, today: date) -> Deadline:
    if stop is not None:
        dl.stop_event, dl.stop_date = stop.event_type, stop.event_date
        if dl.due_date is not None:
            dl.status = "met" if stop.event_date <= dl.due_date else "met_late"
        else:
            dl.status = "completed"  # done, but the rules set no limit to measure it against
        return dl
    if dl.due_date is None:
        dl.status = "ended" if ended else "not_set"
        return dl
    if ended:
        dl.status = "ended"
        return dl
    dl.days_left = (dl.due_date - today).days
    dl.status = "overdue" if today > dl.due_date else "open"
    return dl


def _first_after(evs: Sequence[Event], start_index: int, types: Sequence[str]) -> Event | None:
    return next((e for e in evs[start_index + 1:] if e.event_type in types), None)


def compute_deadlines(case: Mapping[str, Any], events: Sequence[Mapping | Event], profile: Profile,
                      ledger_rows: pd.DataFrame | Sequence[dict] | None = None,
                      today: date | None = None, state=None) -> list[Deadline]:
    """Every deadline of one case (pure: no store). ``state``: the replay of ``events`` under
    ``profile`` where the caller has just made it (it is not replayed again)."""
    today = today or config.today()
    evs = order(make_event(e) for e in events)
    state = state if state is not None else replay(case, evs, profile, today).state
    ended = state.stage in END_STAGES
    cid = str(case.get("case_id"))
    start_counted = bool(profile.rule("calendar.start_day_counted").value)
    move_rule = profile.rule("calendar.last_day_on_rest_day")
    move = move_rule.value == "next_working_day"
    out: list[Deadline] = []

    for key, rule in profile.time_limits().items():
        starts, stops = rule.extra.get("start_events", []), rule.extra.get("stop_events", [])
        for i, ev in enumerate(evs):
            if ev.event_type not in starts:
                continue
            stop_i = next((j for j in range(i + 1, len(evs)) if evs[j].event_type in stops), None)
            restart = next((j for j in range(i + 1, len(evs)) if evs[j].event_type in starts), None)
            if restart is not None and (stop_i is None or restart < stop_i):
                continue  # a later start event restarts this clock
            dl = Deadline(cid, key, rule.extra.get("zh", key), rule.extra.get("en", key), "rule", "open",
                          start_event=ev.event_type, start_date=ev.event_date,
                          limit_days=rule.value, day_kind=rule.extra.get("day_kind"),
                          source=rule.source, verified=rule.verified, profile=rule.origin, note=rule.note,
                          advisory=profile.advisory(rule) if rule.is_set else None)
            if rule.is_set:
                kind = rule.extra.get("day_kind", "calendar")
                end = period_end(ev.event_date, int(rule.value), kind, start_day_counted=start_counted,
                                 move_rest_day=move and kind == "calendar")
                dl.due_date, dl.nominal_due, dl.moved = end.due, end.nominal, end.moved
                dl.provisional = end.provisional
                dl.provisional_reason = "; ".join(end.reasons) or None
                if end.moved:
                    dl.note = Message("deadline.moved", {"nominal": end.nominal.isoformat(),
                                                         "due": end.due.isoformat(), "source": move_rule.source})
            out.append(_finish(dl, evs[stop_i] if stop_i is not None else None, ended, today))

    restoration_due = False  # a pending case deadline the restoration's completion meets
    for i, ev in enumerate(evs):
        for n, spec in enumerate(ev.details.get("deadlines", []) or [], 1):
            stops = spec.get("stop_events") or []
            due = date.fromisoformat(str(spec["due_date"])[:10])
            dl = Deadline(cid, str(spec.get("id", f"{ev.event_type}_{n}")), spec.get("zh", spec.get("id", "")),
                          spec.get("en", spec.get("id", "")), "case", "open", due_date=due, nominal_due=due,
                          start_event=ev.event_type, start_date=ev.event_date,
                          source=Message("deadline.source_case", {"event": Term("event", ev.event_type),
                                                                  "date": ev.event_date.isoformat()}),
                          verified=True, note=spec.get("note"))
            out.append(_finish(dl, _first_after(evs, i, stops), ended, today))
            restoration_due |= "restoration_completed" in stops and dl.status in ("open", "overdue")

    # major-case supervision (督办): each report due under the supervision decision's schedule
    for r in supervision_schedule(evs, profile, today):
        dl = Deadline(cid, f"supervision_report_{r['report_no']}", f"第{r['report_no']}次督办进展报告",
                      f"supervision report {r['report_no']}", "supervision", "open", due_date=r["due_date"],
                      nominal_due=r["due_date"], limit_days=r["every_days"], start_event="supervision_started",
                      source=r["source"], verified=True, note=Message("deadline.supervision_note", {"authority": r["authority"]}))
        if r["status"] in ("met", "met_late"):
            dl.status, dl.stop_event, dl.stop_date = r["status"], "supervision_report", r["report_date"]
        elif ended:
            dl.status = "ended"
        else:
            dl.days_left = (r["due_date"] - today).days
            dl.status = r["status"]
        out.append(dl)

    if ledger_rows is not None and len(ledger_rows):
        summary = summarise(ledger_rows, today)
        for r in summary.instalment_rows:
            if r["due_date"] is None:
                continue
            n = r["instalment_no"]
            dl = Deadline(cid, f"instalment_{n}", f"第{n}期赔偿金", f"instalment {n}", "instalment", "open",
                          due_date=r["due_date"], nominal_due=r["due_date"],
                          source=Message("deadline.source_ledger"), verified=True,
                          note=Message("deadline.instalment_note", {"amount": float(r["amount_yuan"]),
                                                                    "paid": float(r["paid_yuan"])}))
            if r["status"] in ("paid", "paid_late"):
                dl.status = "met" if r["status"] == "paid" else "met_late"
                dl.stop_event, dl.stop_date = "received", r["paid_on"]
            elif ended:
                dl.status = "ended"
            else:
                dl.days_left = (r["due_date"] - today).days
                dl.status = "overdue" if r["status"] == "overdue" else "open"
            out.append(dl)
    if not ended:
        out += gaps(case, evs, state, profile, restoration_due, ledger_rows)
    out.sort(key=lambda d: (d.due_date or date.max, d.deadline))
    return out


def gaps(case: Mapping[str, Any], evs: Sequence[Event], state, profile: Profile, restoration_due: bool,
         ledger_rows) -> list[Deadline]:
    """The deadlines of an open case that run now but cannot be computed, each with what it lacks:
    a time limit whose clock a takeover presumes started (undated) and nothing stopped (a limit the
    rules leave unset stays ``not_set``, with the missing date noted), the
    restoration deadline of a case in restoration without one, the instalments of a case paying by
    instalments without a schedule."""
    cid, stage, out = str(case.get("case_id")), state.stage, []
    types, presumed = {e.event_type for e in evs}, state.presumed
    for key, rule in profile.time_limits().items():
        starts, stops = set(rule.extra.get("start_events", [])), set(rule.extra.get("stop_events", []))
        # the clock runs now from a start the takeover presumes (undated), and nothing stopped it
        if not starts & presumed or starts & types or stops & (types | presumed):
            continue
        out.append(Deadline(cid, key, rule.extra.get("zh", key), rule.extra.get("en", key), "rule",
                            "not_computable" if rule.is_set else "not_set", limit_days=rule.value,
                            day_kind=rule.extra.get("day_kind"), source=rule.source, verified=rule.verified,
                            profile=rule.origin, advisory=profile.advisory(rule) if rule.is_set else None,
                            missing=Message("deadline.missing_start", {
                                "events": _either(rule.extra["start_events"])})))
    completing = stage is Stage.RESTORATION and ("restoration_completed" not in state.seen or state.supplementary_open)
    if completing and not restoration_due:
        out.append(Deadline(cid, "restoration_completion", "修复完成期限", "restoration to be completed", "case",
                            "not_computable", missing=Message("deadline.missing_restoration_deadline", {
                                "events": _either(["agreement_signed", "judgment_effective"])})))
    modes = case.get("restoration_modes")
    scheduled = ledger_rows is not None and len(ledger_rows) and \
        (pd.DataFrame(ledger_rows)["entry_type"] == "instalment_due").any()
    if isinstance(modes, (list, tuple)) and RestorationMode.INSTALMENTS.value in modes and not scheduled \
            and stage is not None and stage in (Stage.RESTORATION, Stage.EFFECT_EVALUATION):
        out.append(Deadline(cid, "instalments", "分期赔偿金", "instalments", "instalment", "not_computable",
                            missing=Message("deadline.missing_instalments")))
    return out


def _either(types: Sequence[str]) -> Label:
    """Event types as alternatives ("A 或 B" / "A or B")."""
    return Label("或".join(event_label(t, "zh") for t in types), " or ".join(event_label(t, "en") for t in types))


def missing_words(m: Message | None) -> tuple[str | None, str | None]:
    """What a deadline lacks in Chinese and in English (the command line prints both)."""
    if m is None:
        return None, None
    what = m.params.get("events")
    events = what.zh if isinstance(what, Label) else ""
    zh = {"deadline.missing_start": f"缺少{events}的日期",
          "deadline.missing_restoration_deadline": f"缺少修复完成期限：请记录{events}（含约定的履行期限）",
          "deadline.missing_instalments": "资金台账中没有分期缴纳计划"}.get(m.code, str(m))
    return zh, str(m)


def frame(deadlines: Sequence[Deadline]) -> pd.DataFrame:
    cols = list(_FIELDS) + ["overdue", "status_zh", "missing_zh", "missing_en", "advisory_zh", "advisory_en"]
    out = pd.DataFrame([d.to_dict() for d in deadlines], columns=cols)
    # typed even when empty: a store whose cases have no deadline yet must filter and sort too
    out["overdue"] = out["overdue"].astype(bool)
    return out
