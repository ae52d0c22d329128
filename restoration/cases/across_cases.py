"""The records that span cases: the repeat-offence lookup of a liable party (Zhejiang art. 3;
national 第四条), its credit record (诚信激励 / 失信约束), information shared between departments
(信息共享) and responsibility findings / commendations (责任追究与表彰激励) across cases.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Mapping

import pandas as pd

from ..errors import InputError, Issue
from ..profiles.profile import Profile
from ..store import Store
from .events import event_label
from .procedure_record import accountability_row, day_or_none, sharing_row
from .workflow import make_event


# -- repeat offence within N years (Zhejiang art. 3; national 第四条) --------------------------------
def repeat_offence_fact(store_or_tx, case: Mapping[str, Any], facts: Mapping[str, Any],
                        profile: Profile) -> tuple[dict, dict | None]:
    """Set ``repeat_offence_within_2y`` from the same liable party's case history, not from what
    was typed: another case of the same party whose damage occurred within the look-back years
    before this one (and was not found to be no damage / out of scope). Unknown party or date →
    ``None`` (unknown: the minor-case exception then blocks). Returns the facts and the fired
    entry that explains the lookup."""
    facts = dict(facts)
    rule = profile.rule("classification.significantly_minor.repeat_lookback_years")
    years = rule.value if rule.is_set else None
    party = str(case.get("liable_party") or "").strip()
    when = day_or_none(case.get("incident_date")) or day_or_none(case.get("discovered_date"))
    typed = facts.get("repeat_offence_within_2y")
    if years is None:
        return facts, None
    if not party or when is None:
        facts["repeat_offence_within_2y"] = None
        return facts, {**rule.cite(), "effect": "repeat_lookup", "met": None, "cases": [],
                       "detail": "赔偿义务人或损害日期未知，无法查询 liable party or damage date unknown: "
                                 "cannot look up the history"}
    others = store_or_tx.read("cases", liable_party=party)
    others = others[others["case_id"] != case.get("case_id")]
    start = date(when.year - int(years), when.month, min(when.day, 28)) if float(years).is_integer() \
        else when - timedelta(days=round(365.25 * years))
    found = []
    if len(others):
        ev = store_or_tx.read("case_events", case_id=tuple(others["case_id"]))
        for o in others.to_dict("records"):
            day = day_or_none(o.get("incident_date")) or day_or_none(o.get("discovered_date"))
            if day is None or not (start <= day <= when):
                continue
            mine = ev[ev["case_id"] == o["case_id"]]
            dropped = mine["event_type"].eq("screening_excluded").any() or any(
                r["event_type"] == "terminated" and "no_damage_found" in str(r["details"])
                for r in mine.to_dict("records"))
            if not dropped:
                found.append({"case_id": o["case_id"], "incident_date": day.isoformat(), "title": o.get("title")})
    value = bool(found)
    facts["repeat_offence_within_2y"] = value
    note = "" if typed is None or typed == value else \
        f"（录入值 {typed} 已按案件历史更正 the typed value {typed} was replaced by the history）"
    detail = (f"同一赔偿义务人 {years} 年内的其他案件 other cases of the same liable party within {years} years: "
              f"{', '.join(f['case_id'] for f in found) or '无 none'}{note}")
    return facts, {**rule.cite(), "effect": "repeat_lookup", "met": value, "cases": found, "detail": detail}


# -- credit records of a liable party (诚信激励 / 失信约束) ------------------------------------------
CREDIT_EVENTS = ("credit_incentive", "dishonesty_listed", "enforcement_applied", "agreement_signed",
                 "judgment_effective")


def credit_record(store: Store, liable_party: str) -> dict:
    """The liable party's record across all its cases: incentives granted, dishonest-debtor
    listings, enforcement applications, agreements and judgments."""
    party = str(liable_party or "").strip()
    if not party:
        raise InputError(Issue("name the liable party", field="liable_party"))
    cases = store.read("cases", liable_party=party)
    rows = []
    if len(cases):
        ev = store.read("case_events", case_id=tuple(cases["case_id"]))
        for r in ev.to_dict("records"):
            if r["event_type"] not in CREDIT_EVENTS:
                continue
            d = make_event(r).details
            rows.append({"case_id": r["case_id"], "event_type": r["event_type"],
                         "label_zh": event_label(r["event_type"]), "label_en": event_label(r["event_type"], "en"),
                         "date": str(r["event_date"])[:10], "measure": d.get("measure"), "court": d.get("court"),
                         "reference": d.get("reference")})
    rows.sort(key=lambda r: (r["date"], r["case_id"]))
    return {"liable_party": party, "cases": cases["case_id"].tolist(),
            "on_dishonesty_list": any(r["event_type"] == "dishonesty_listed" for r in rows),
            "incentives": sum(r["event_type"] == "credit_incentive" for r in rows), "records": rows}


# -- information sharing and responsibility / commendation across cases (桂 第七章) -----------------
def _case_event_rows(store: Store, types: tuple[str, ...], make) -> list[dict]:
    ev = store.read("case_events")
    rows = []
    for r in ev.to_dict("records"):
        if r["event_type"] in types:
            rows.append({"case_id": r["case_id"], **make(make_event(r))})
    rows.sort(key=lambda r: (r["date"], r["case_id"]))
    return rows


def information_sharing(store: Store, department: str | None = None) -> pd.DataFrame:
    """Every record of information shared between departments (信息共享) across cases: date,
    case, direction (sent / received), the other department, what was shared. ``department``
    keeps the rows with that department."""
    rows = _case_event_rows(store, ("information_shared",), sharing_row)
    if department:
        rows = [r for r in rows if str(r["with_department"] or "").strip() == str(department).strip()]
    cols = ["date", "case_id", "direction", "direction_zh", "direction_en", "with_department", "items",
            "items_zh", "items_en", "reference"]
    return _frame(rows, cols)


def accountability_register(store: Store, subject: str | None = None) -> pd.DataFrame:
    """Responsibility findings and commendations (责任追究与表彰激励) across cases: date, case,
    kind (accountability / commendation), subject (a department or post), ground or reason,
    measure, who decided, and the deadline the finding concerns if one was named. ``subject``
    keeps one subject's rows."""
    rows = _case_event_rows(store, ("accountability_recorded", "commendation_recorded"), accountability_row)
    if subject:
        rows = [r for r in rows if str(r["subject"] or "").strip() == str(subject).strip()]
    cols = ["date", "case_id", "kind", "label_zh", "label_en", "subject", "why", "measure", "decided_by",
            "deadline", "reference"]
    return _frame(rows, cols)


def _frame(rows: list[dict], cols: list[str]) -> pd.DataFrame:
    """Rows as a frame whose missing values stay ``None`` (never NaN shown as 'nan')."""
    frame = pd.DataFrame(rows, columns=cols).astype(object)
    return frame.where(frame.notna(), None)
