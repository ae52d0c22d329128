"""Case history import (``restoration import events FILE``): an agency's register of what happened
to its cases, brought in with the cases.

A CSV or Excel file, one event a row: ``case_id``, ``event_type``, ``date``, ``details`` (a JSON
object; optional). Chinese headers (案件编号, 事件类型, 日期, 详情) and the store's own names
(``event_date``) are recognised, others named with ``--map``; an event type may be its code, its
Chinese label (``送达磋商告知书``, also without the part in brackets) or its English label. Other
columns go into each event's details (``备注`` / ``说明`` as ``note``) with ``extra="keep"``, or are
dropped with ``"ignore"``.

Everything is checked in one pass and every problem listed by file, row and field before
anything is written: unknown cases, unknown event types, events only the platform records,
details that are not a JSON object, duplicate rows (within the file or already stored), and each
case's whole history replayed with the new events (:mod:`.workflow`): an impossible order (an
agreement before the notice), a date before the incident or after today, an event that would move
the case backwards. A case imported without history is taken over at its stage
(:mod:`.takeover`): the events of its earlier history may start anywhere and must lead no further
than that stage. Nothing is written unless every row is good; then all of it in one transaction,
each case's stage set to where its history leads.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import access, columns, config, io
from ..errors import InputError, Issue
from ..messages import Message
from ..model import Field, LayerSpec
from ..store import Store
from ..validate import ROWS_PER_PROBLEM, sort_issues, validate_frame
from . import case_state, history
from ..profiles.for_case import CaseProfiles
from .evaluation_gate import OVERRIDE
from .events import EVENT_TYPES, SYSTEM_EVENTS, event_code
from .event_record import Event, known_types, make_event

log = logging.getLogger(__name__)

#: the file's columns (how ``--map`` names them)
SPEC = LayerSpec("events", fields=(
    Field("case_id", "str", required=True, zh="案件编号"),
    Field("event_type", "str", required=True, zh="事件类型"),
    Field("date", "date", required=True, zh="日期"),
    Field("details", "json", zh="详情"),
), zh="案件事件")
#: other column names read as the file's columns (compared as ``columns`` does: any case, spacing)
ALIASES = {"event_type": ("事件", "事件名称", "办理环节", "环节", "event"),
           "date": ("event_date", "事件日期", "发生日期", "办理日期", "时间"),
           "details": ("事件详情", "详细信息", "details_json")}
#: extra columns that name a detail the platform knows
DETAIL_COLUMNS = {"备注": "note", "说明": "note", "note": "note", "理由": "reason", "原因": "reason"}
#: refusals of the workflow that are about the date or the details rather than the type
_DATE_CODES = {"event.before_incident", "event.in_future", "event.presumed_before_takeover"}
_DETAIL_CODES = {"event.missing_details", "event.choose_reason", "event.unknown_reason", "event.choose_one",
                 "event.clauses_missing", "event.no_choice_list", "event.override_format", "event.takeover_stage"}


@dataclass
class HistoryReport:
    source: str
    rows: int
    cases: int
    #: {case_id: (stage before, stage after)} for the cases whose stage the history moved
    moved: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    checked: bool = False


def read_events(path: str | Path, mapping: dict[str, str] | None = None, *, extra: str = "keep",
                sheet: str | None = None) -> tuple[pd.DataFrame, list[str]]:
    """The file's rows with the columns renamed to ``case_id, event_type, date, details`` and the
    other columns folded into ``details``; (frame, notes for the user)."""
    frame = io.read_input(path, spatial=False, mapping=mapping, layer=sheet)
    attrs = dict(frame.attrs)
    if isinstance(frame, gpd.GeoDataFrame):
        frame = frame.drop(columns=frame.geometry.name)
    frame = pd.DataFrame(frame)
    if len(frame) == 0:
        raise InputError(Issue("the file holds no rows (only a header); nothing to import", source=Path(path).name))
    frame = frame.rename(columns=_alias_renames(frame.columns, mapping or {}))
    frame, plan = columns.apply(SPEC, frame, mapping, source=attrs.get("source"))
    frame.attrs.update(attrs)
    notes = plan.notes() + list(attrs.get("notices") or [])
    others = [c for c in frame.columns if c not in SPEC.field_names]
    if others and extra == "keep":
        notes.append(f"其他列写入事件详情 kept in the events' details: {', '.join(map(str, others))}")
    elif others:
        notes.append(f"已忽略的列 ignored columns: {', '.join(map(str, others))}")
    frame.attrs["extra_columns"] = others if extra == "keep" else []
    keep = frame[others] if extra == "keep" else None
    frame = frame.drop(columns=others)
    frame.attrs.update(attrs)
    frame.attrs["extra"] = keep
    return frame, notes


def _alias_renames(cols, mapping: Mapping[str, str]) -> dict:
    """This file's own aliases (``columns.ALIASES`` is per store field): column -> field."""
    norm = columns._norm
    taken = set(mapping) | {c for c in cols if c in SPEC.field_names}
    out = {}
    for fld, names in ALIASES.items():
        if fld in taken:
            continue
        hits = [c for c in cols if norm(c) in {norm(n) for n in names} and c not in mapping.values()]
        if len(hits) == 1:
            out[hits[0]] = fld
    return out


def _locate(frame: pd.DataFrame) -> tuple[str | None, int, str]:
    a = frame.attrs
    return a.get("source"), int(a.get("row_start", 1)), a.get("row_label", "row")


def _details(row_details: Any, extra: Mapping[str, Any] | None) -> dict | str:
    """The event's details: the JSON object of the row, with the extra columns (a problem as text)."""
    if row_details is None or (isinstance(row_details, float) and np.isnan(row_details)):
        row_details = {}
    if not isinstance(row_details, dict):
        return "details must be a JSON object ({...})"
    out = dict(row_details)
    for name, value in (extra or {}).items():
        if value is None or (isinstance(value, float) and np.isnan(value)) or (isinstance(value, str) and not value.strip()):
            continue
        key = DETAIL_COLUMNS.get(str(name).strip(), str(name).strip())
        value = value.strip() if isinstance(value, str) else value
        if key in out and out[key] != value:
            return f"column '{name}' says {value!r} but details.{key} says {out[key]!r}"
        out[key] = value.item() if hasattr(value, "item") else value
    return out


def _parse(frame: pd.DataFrame, known_cases: set) -> tuple[list[dict | None], list[Issue]]:
    """Each row as (case_id, Event) — None where the row is refused — and the rows' problems."""
    source, start, label = _locate(frame)
    issues: list[Issue] = []
    try:
        clean = validate_frame(SPEC, frame, source, extra="error").frame
        bad: set = set()
    except InputError as exc:
        issues += exc.issues
        if exc.partial is None:
            raise InputError(sort_issues(issues)) from None
        clean, bad = exc.partial.frame, {p for p, _ in exc.partial.bad}
    extra = frame.attrs.get("extra")
    extra_rows = extra.to_dict("records") if extra is not None else None

    def issue(pos, fld, message):
        issues.append(Issue(message, source=source, row=pos + start, field=fld, row_label=label))

    # one pass per column (the event types looked up once each), then the rows
    n = len(clean)
    cids = clean["case_id"].to_numpy(dtype=object)
    raw_types = clean["event_type"].to_numpy(dtype=object)
    dates = clean["date"].to_numpy(dtype=object)
    details_col = clean["details"].to_numpy(dtype=object) if "details" in clean else np.full(n, None, dtype=object)
    codes = {t: event_code(t) for t in pd.unique(raw_types)}
    known = pd.Index(list(known_cases), dtype=object).get_indexer(cids) >= 0 if n else np.zeros(0, dtype=bool)
    rows: list[dict | None] = []
    unknown_types = 0
    for pos in range(n):
        if pos in bad:
            rows.append(None)
            continue
        ok = True
        cid = cids[pos]
        if not known[pos]:
            issue(pos, "case_id", f"case '{cid}' does not exist; import the cases first (restoration import cases)")
            ok = False
        code = codes[raw_types[pos]]
        if code is None or code not in EVENT_TYPES:
            unknown_types += 1
            if unknown_types <= ROWS_PER_PROBLEM:
                issue(pos, "event_type", f"unknown event type '{str(raw_types[pos])[:60]}' (the known ones are "
                                         "listed above)")
            ok = False
        elif code in SYSTEM_EVENTS:
            issue(pos, "event_type", "a takeover is recorded by the platform when a case is imported"
                  if code == "taken_over" else "a stage correction needs its own command with a reason and a "
                                               "document: restoration case correct")
            ok = False
        row_details, row_extra = details_col[pos], (extra_rows[pos] if extra_rows is not None else None)
        if row_extra is None and (row_details is None or (isinstance(row_details, float) and np.isnan(row_details))):
            details = {}  # the usual row: no details, no extra columns
        else:
            details = _details(row_details, row_extra)
        if isinstance(details, str):
            issue(pos, "details", details)
            ok = False
        rows.append({"case_id": cid, "event_type": code, "date": dates[pos], "details": details} if ok else None)
    if unknown_types:
        issues.insert(0, Issue(known_types(), source=source, field="event_type"))
    return rows, issues


def _duplicates(frame: pd.DataFrame, rows: list[dict | None], stored: Mapping[str, list[Event]]) -> list[Issue]:
    """Rows that repeat an earlier row of the file, or an event the case already has."""
    source, start, label = _locate(frame)
    issues, first = [], {}
    have = {(cid, e.event_type, e.event_date.isoformat(), _key(e.details)) for cid, evs in stored.items() for e in evs}
    for pos, r in enumerate(rows):
        if r is None:
            continue
        key = (r["case_id"], r["event_type"], r["date"], _key(r["details"]))
        if key in first:
            issues.append(Issue(f"duplicate of {label} {first[key] + start} (same case, event, date and details)",
                                source=source, row=pos + start, field="event_type", row_label=label))
        elif key in have:
            issues.append(Issue(f"case {r['case_id']} already has this event ({r['event_type']}, {r['date']})",
                                source=source, row=pos + start, field="event_type", row_label=label))
        first.setdefault(key, pos)
    return issues


def _key(details: Mapping) -> str:
    if not details:
        return "{}"
    return json.dumps(details, ensure_ascii=False, sort_keys=True, default=str)


def _field_of(message: Any) -> str:
    code = getattr(message, "code", "")
    return "date" if code in _DATE_CODES else "details" if code in _DETAIL_CODES else "event_type"


def import_events(store: Store, path: str | Path, *, mapping: dict[str, str] | None = None, extra: str = "keep",
                  check: bool = False, actor: "access.Actor | str" = "cli", today: date | None = None,
                  sheet: str | None = None) -> HistoryReport:
    """Import the events of ``path`` (see the module docstring); ``check=True`` checks everything
    and writes nothing. InputError listing every problem (by file, row and field) otherwise."""
    today = today or config.today()
    who = access.require(actor, "data.import", store)
    frame, notes = read_events(path, mapping, extra=extra, sheet=sheet)
    source, start, label = _locate(frame)
    with store.transaction(who.name) as tx:
        cases = {c["case_id"]: c for c in tx.read("cases").to_dict("records")}
        rows, issues = _parse(frame, set(cases))
        mine = sorted({r["case_id"] for r in rows if r is not None})
        overriding = {r["case_id"] for r in rows if r is not None and OVERRIDE in r["details"]}
        for cid in mine:
            access.require(who, "case.event", tx, case=cases[cid])
            if cid in overriding:
                access.require(who, "case.correct", tx, case=cases[cid])
        every = tx.read("case_events")  # one read for every case of the file
        every = every[every["case_id"].isin(mine)]
        stored = {cid: [] for cid in mine}
        for row in every.to_dict("records"):
            stored[row["case_id"]].append(make_event(row))
        issues += _duplicates(frame, rows, stored)
        plans, problems = _plan(tx, cases, rows, stored, who.name, today, frame)
        issues += problems
        if issues:
            raise InputError(sort_issues(issues))
        moved = {} if check else history.record_many(tx, plans, who.name)
        if not check:  # the imported cases' deadlines, from the histories and replays in hand
            evaluated = set(history.evaluations(tx))
            case_state.refresh(tx, plans, {cid: list(hist) + list(new) for cid, (_, hist, new, _) in plans.items()},
                               {cid: plan[3].state for cid, plan in plans.items() if cid not in evaluated})
    n = sum(r is not None for r in rows)
    log.info("%s %d events of %d cases from %s", "checked" if check else "imported", n, len(plans), source)
    return HistoryReport(str(source), n, len(plans), moved, notes, check)


def _plan(tx, cases: Mapping[str, dict], rows: list[dict | None], stored: Mapping[str, list[Event]], actor: str,
          today: date, frame: pd.DataFrame) -> tuple[dict, list[Issue]]:
    """Each case's history with its new events, replayed: {case_id: (case, history, new, replay)}
    and the refusals by row (a refusal of an event already stored, which the new ones
    make impossible, names the case)."""
    source, start, label = _locate(frame)
    by_case: dict[str, list[tuple[int, Event]]] = {}
    for pos, r in enumerate(rows):
        if r is not None:
            ev = make_event({"event_type": r["event_type"], "event_date": r["date"], "details": r["details"],
                             "actor": actor})
            by_case.setdefault(r["case_id"], []).append((pos, ev))
    plans, issues = {}, []
    evaluations = history.evaluations(tx)
    profiles = CaseProfiles()  # each profile version loaded once for the whole file
    for cid, items in by_case.items():
        case = cases[cid]
        new = [ev for _, ev in items]
        hist = history.dated_for(history.case_history(case, stored[cid], today), new)
        profile = profiles(case, hist + new)
        if profile is None:
            issues.append(Issue(Message("event.case_refused", {"case": cid, "problem": profiles.problems[cid]}),
                                source=source, field="case_id"))
            continue
        result, problems = history.check(case, hist, new, profile, today, evaluations.get(cid, []))
        row_of = {id(ev): pos for pos, ev in items}
        for ev, message in problems:
            if id(ev) in row_of:
                issues.append(Issue(message, source=source, row=row_of[id(ev)] + start, field=_field_of(message),
                                    row_label=label))
            else:  # an event already stored, or the takeover the register implies
                code = "event.stored_refused" if ev.fid is not None else "event.case_refused"
                issues.append(Issue(Message(code, {"case": cid, "problem": message}), source=source,
                                    field="event_type"))
        plans[cid] = (case, hist, new, result)
    return plans, issues
