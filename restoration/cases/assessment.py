"""The province's assessment (考核): per-region indicators over a period — cases opened, filed and
closed, agreements and days to agreement, restoration accepted, funds due / received / used,
overdue supervision reports, accountability actions and commendations — and its workbook."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from .. import config
from ..errors import InputError, Issue
from ..profiles.for_case import CaseProfiles
from ..store import Store
from ..vocab import ASSESSMENT_COLUMNS as _ASSESSMENT_COLUMNS
from ..workbook import write_workbook
from .procedure_record import day_or_none, ordered_events, supervision_schedule
from .records import by_case


# -- assessment (考核) -----------------------------------------------------------------------------
#: the assessment's columns -> (中文, English), in order: the vocabulary's (``restoration.vocab.statuses``)
ASSESSMENT_COLUMNS = _ASSESSMENT_COLUMNS


LEDGER_COLUMN = {"due": "funds_due_yuan", "instalment_due": "funds_due_yuan",
                 "received": "funds_received_yuan", "disbursed": "funds_used_yuan"}


def assessment(store: Store, start: date | None = None, end: date | None = None,
               today: date | None = None, by: str = "region") -> pd.DataFrame:
    """Per-region indicators for the province's assessment (考核) over [start, end]: cases opened
    (clue registered), filed, closed, agreements, median days from filing to agreement, restoration
    accepted, funds due / received / used, overdue supervision reports. ``by``: a field of the
    cases layer to group by (``region``; ``handling_region`` once jurisdictions exist)."""
    today = today or config.today()
    start = start or date(1900, 1, 1)
    end = end or today
    if end < start:
        raise InputError(Issue(f"the period ends ({end}) before it starts ({start})", field="end"))
    cases = store.read("cases")
    if by not in cases.columns:
        raise InputError(Issue(f"cases have no field '{by}' to group by", field="by"))
    events = by_case(store.read("case_events"))
    ledger = store.read("funds_ledger")
    ledger = ledger.assign(_day=ledger["entry_date"].map(day_or_none))
    ledger_by = {cid: g for cid, g in ledger.groupby("case_id")} if len(ledger) else {}
    prof = CaseProfiles()
    inside = lambda d: d is not None and start <= d <= end  # noqa: E731
    rows: dict[str, dict] = {}
    for case in cases.to_dict("records"):
        reg = case.get(by) or "—"
        r = rows.setdefault(reg, {k: 0 for k in ASSESSMENT_COLUMNS} | {"region": reg, "_days": []})
        evs = ordered_events(events.get(case["case_id"], []))
        first = {}
        for e in evs:
            first.setdefault(e.event_type, e.event_date)
        r["cases_opened"] += inside(first.get("clue_registered"))
        r["cases_filed"] += inside(first.get("filed"))
        r["cases_closed"] += inside(first.get("closed"))
        r["restoration_accepted"] += inside(first.get("accepted"))
        r["accountability_actions"] += sum(e.event_type == "accountability_recorded" and inside(e.event_date)
                                           for e in evs)
        r["commendations"] += sum(e.event_type == "commendation_recorded" and inside(e.event_date) for e in evs)
        ag = first.get("agreement_signed")
        if inside(ag):
            r["agreements"] += 1
            if first.get("filed"):
                r["_days"].append((ag - first["filed"]).days)
        profile = prof(case, evs)  # None: a profile unknown here (a store written elsewhere) — not counted
        sched = [] if profile is None else supervision_schedule(evs, profile, today)
        r["supervision_reports_overdue"] += sum(s["status"] == "overdue" for s in sched)
        mine = ledger_by.get(case["case_id"])
        if mine is not None:
            for row in mine[["entry_type", "amount_yuan", "_day"]].itertuples(index=False):
                col = LEDGER_COLUMN.get(row.entry_type)
                if col and inside(row._2):
                    r[col] += float(row.amount_yuan)
    out = []
    for reg, r in sorted(rows.items()):
        days = r.pop("_days")
        r["median_days_to_agreement"] = float(pd.Series(days).median()) if days else None
        out.append(r)
    frame = pd.DataFrame(out, columns=list(ASSESSMENT_COLUMNS))
    frame.attrs.update(start=start.isoformat(), end=end.isoformat(), by=by)
    return frame


def export_assessment(store: Store, path: str | Path, *, start: date | None = None, end: date | None = None,
                      today: date | None = None, lang: str = "zh") -> Path:
    """The assessment as an Excel workbook: one sheet of indicators (headers in ``lang``) and one
    sheet saying what each indicator counts and for which period."""
    frame = assessment(store, start, end, today)
    i = 0 if lang == "zh" else 1
    shown = frame.rename(columns={k: v[i] for k, v in ASSESSMENT_COLUMNS.items()})
    about = pd.DataFrame([{"indicator": v[i], "field": k} for k, v in ASSESSMENT_COLUMNS.items()] +
                         [{"indicator": "统计期 period" if i == 0 else "period",
                           "field": f"{frame.attrs['start']} – {frame.attrs['end']}"}])
    sheets = {"考核指标" if i == 0 else "indicators": shown, "说明" if i == 0 else "about": about}
    return write_workbook(path, sheets)
