"""Screening reports (线索筛查情况报告): which region owes a report for which period under a
profile's reporting cycle, and recording one (checked, audited)."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Mapping, Sequence

import pandas as pd

from .. import access, config
from ..errors import InputError, Issue
from ..importer import prepare
from ..messages import Message
from ..profiles.for_case import base_profile
from ..profiles.profile import Profile
from ..store import Store
from .procedure_record import day_or_none


# -- screening reports (线索筛查情况报告) ----------------------------------------------------------
def reporting_period(day: date, months: int) -> tuple[date, date]:
    """The reporting period of ``months`` months holding ``day`` (periods counted from 1 January): start, end."""
    k = (day.month - 1) // months
    start = date(day.year, k * months + 1, 1)
    m = k * months + months
    end = date(day.year + (m // 12), m % 12 + 1, 1) - timedelta(days=1) if m % 12 else date(day.year, 12, 31)
    return start, end


def screening_report_status(store: Store, profile: Profile, today: date | None = None,
                            regions: Sequence[str] | None = None) -> pd.DataFrame:
    """Per region and completed reporting period (the profile's ``screening.report_every_months``):
    the screening report submitted, or ``missing``. Periods run from the region's first clue of a
    case under this profile (a province's reporting rule binds its own cases: a Guangxi case's
    clue opens no Zhejiang reporting period). With ``screening.reporting_level = "province"``
    (Zhejiang: the clause puts the report on the provincial departments) the region is the
    province (``profile.name_zh``), one report per period; else each county of the cases owes
    its own. Empty (with the reason in ``attrs``) when the profile sets no cycle."""
    today = today or config.today()
    rule = profile.rule("screening.report_every_months")
    cols = ["region", "period_start", "period_end", "status", "submitted_on", "submitted_to", "n_clues",
            "source"]
    if not rule.is_set or not rule.value:
        out = pd.DataFrame(columns=cols)
        out.attrs["reason"] = f"未设定报告周期 no reporting cycle in profile '{profile.id}' ({rule.source})"
        return out
    months = int(rule.value)
    cases = store.read("cases")
    if len(cases):
        cases = cases[cases["profile"].map(base_profile) == profile.id]
    if cases.empty and not regions:
        out = pd.DataFrame(columns=cols)
        out.attrs["reason"] = f"无案件适用规则配置 '{profile.id}' no case is handled under profile '{profile.id}'"
        return out
    level = profile.rule("screening.reporting_level")
    if level.is_set and level.value == "province":
        # the report is the province's (its designated departments'), one per period: every
        # clue of its cases counts in it, and no county owes one
        cases = cases.assign(region=profile.name_zh)
        regions = [profile.name_zh] if regions else None
    ev = store.read("case_events", event_type="clue_registered") if len(cases) else pd.DataFrame()
    reports = store.read("screening_reports")
    first: dict[str, date] = {}
    clues: dict[str, list[date]] = {}
    if len(ev):
        region_of = dict(zip(cases["case_id"], cases["region"]))
        for r in ev.to_dict("records"):
            reg, day = region_of.get(r["case_id"]), day_or_none(r["event_date"])
            if reg is None or day is None:
                continue
            first[reg] = min(first.get(reg, day), day)
            clues.setdefault(reg, []).append(day)
    for reg in regions or []:
        first.setdefault(reg, today)
    got = {(r["region"], str(r["period_start"])[:10]): r for r in reports.to_dict("records")}
    rows = []
    for reg in sorted(first):
        start, end = reporting_period(first[reg], months)
        while end < today:
            rep = got.get((reg, start.isoformat()))
            rows.append({"region": reg, "period_start": start.isoformat(), "period_end": end.isoformat(),
                         "status": "submitted" if rep else "missing",
                         "submitted_on": str(rep["submitted_on"])[:10] if rep else None,
                         "submitted_to": rep["submitted_to"] if rep else None,
                         "n_clues": sum(start <= d <= end for d in clues.get(reg, [])), "source": rule.source})
            start, end = reporting_period(end + timedelta(days=1), months)
    return pd.DataFrame(rows, columns=cols)


def add_screening_report(store: Store, report: Mapping[str, Any], actor, request_id: str | None = None) -> dict:
    """Record a region's screening report for one period (checked, audited). ``actor`` must be
    allowed to record case events (``case.event``) in the report's region. A ``request_id``
    already used (a form submitted twice) records nothing again and returns what it recorded."""
    region = report.get("region")
    actor = access.require(actor, "case.event", store,
                           region=str(region) if region not in (None, "") else None).name
    frame = pd.DataFrame([{**dict(report), "actor": actor}])
    frame.attrs.update(source="screening report", row_start=1, row_label="report")
    with store.transaction(actor) as tx:
        def write() -> dict:
            clean, _ = prepare(tx, "screening_reports", frame)
            row = clean.iloc[0].to_dict()
            if day_or_none(row["period_end"]) < day_or_none(row["period_start"]):
                raise InputError(Issue(Message("screening.period_order"), field="period_end"))
            if not tx.read("screening_reports", region=row["region"],
                           period_start=str(row["period_start"])[:10]).empty:
                raise InputError(Issue(Message("screening.duplicate", {"region": str(row["region"]),
                                                                       "start": str(row["period_start"])[:10]}),
                                       field="period_start"))
            tx.insert("screening_reports", clean, action="screening report")
            return row

        return tx.once(request_id, "screening.report", write)
