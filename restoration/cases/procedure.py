"""The procedure around a case (issue 14): what its procedure events add up to, and the records
that span cases — credit of a liable party, repeat offences, fund use at the damaged place,
screening reports, the per-region assessment (考核) and the case archive (档案).

Pure functions take a case, its events and its profile; store functions take a ``Store`` (reads
and writes only through its methods). See docs/cases.md, "Procedure".
"""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd

from ..errors import InputError, Issue
from ..files import write_bytes
from ..messages import Message
from ..model import CASES
from ..store import Store
from ..workbook import csv_bytes, write_workbook
from .events import event_label
from .procedure_rules import COMMENT_DOCUMENTS, DISCLOSURE_ITEMS, LEVELS, POLICE_ACTIONS, SHARE_DIRECTIONS, SHARED_ITEMS
from ..profiles.for_case import base_profile
from ..profiles.profile import Profile
from .workflow import Event, make_event, order


def _events(events: Sequence[Event | Mapping]) -> list[Event]:
    return order(make_event(e) for e in events)


def _d(x: Any) -> date | None:
    if x is None or (isinstance(x, float) and pd.isna(x)) or x is pd.NaT:
        return None
    if isinstance(x, date):
        return x
    try:
        return date.fromisoformat(str(x)[:10])
    except ValueError:
        return None


def _row(ev: Event, **extra) -> dict:
    return {"event_type": ev.event_type, "label_zh": event_label(ev.event_type, "zh"),
            "label_en": event_label(ev.event_type, "en"), "date": ev.event_date.isoformat(), **extra}


# -- supervision (督办) -----------------------------------------------------------------------------
def supervision_schedule(evs: Sequence[Event], profile: Profile, today: date) -> list[dict]:
    """Every report due under major-case supervision: due date, status (met / met_late /
    overdue / open / ended), the report that met it. The schedule is the supervision decision's
    ``report_every_days`` (else the profile's ``supervision.report_every_days``)."""
    out: list[dict] = []
    ruled = profile.rule("supervision.report_every_days")
    start = None
    for i, ev in enumerate(evs):
        if ev.event_type != "supervision_started":
            continue
        start = ev
        every = ev.details.get("report_every_days") or ruled.value
        if not every:
            continue
        end = next((e.event_date for e in evs[i + 1:] if e.event_type == "supervision_ended"), None)
        reports = [e.event_date for e in evs[i + 1:] if e.event_type == "supervision_report"
                   and (end is None or e.event_date <= end)]
        source = (f"{event_label('supervision_started')} {ev.event_date.isoformat()} "
                  f"({ev.details.get('authority')})" if ev.details.get("report_every_days") else ruled.source)
        k = 0
        while True:
            k += 1
            due = start.event_date + timedelta(days=int(every) * k)
            if end is not None and due > end:
                break
            by_due = sum(r <= due for r in reports)
            row = {"report_no": k, "due_date": due, "authority": ev.details.get("authority"),
                   "every_days": int(every), "source": source}
            if by_due >= k:
                row.update(status="met", report_date=reports[k - 1])
            elif len(reports) >= k:
                row.update(status="met_late", report_date=reports[k - 1])
            elif due < today:
                row.update(status="overdue", report_date=None, days_late=(today - due).days)
            else:
                row.update(status="open", report_date=None, days_left=(due - today).days)
            out.append(row)
            if row["status"] == "open" or k > 5000:
                break
    return out


# -- the record of a case's procedure ---------------------------------------------------------------
def procedure_record(case: Mapping[str, Any], events: Sequence[Event | Mapping], profile: Profile,
                     today: date | None = None) -> dict:
    """Jurisdiction, referrals, joint handling, appraisal institution / objections / reviews,
    agents, enforcement links, supervision, public comment, credit, the offset workflow and
    disclosures of one case, as plain data (CLI, dashboard, archive)."""
    from ..config import today as _today
    today = today or _today()
    evs = _events(events)
    by = lambda *types: [e for e in evs if e.event_type in types]  # noqa: E731
    juris = by("jurisdiction_assigned")
    joint = by("joint_handling_agreed")
    last_j = juris[-1] if juris else None
    excluded = by("screening_excluded")
    exclusion = None
    if excluded:
        item = profile.list("scope_exclusions").get(excluded[-1].details.get("reason"))
        exclusion = _row(excluded[-1], reason=excluded[-1].details.get("reason"),
                         zh=item.zh if item else None, en=item.en if item else None,
                         source=item.source if item else None, verified=item.verified if item else None)
    comments = []
    answered = {e.details.get("comment_id"): e for e in by("public_comment_answered")}
    for e in by("public_comment_received"):
        a = answered.get(e.details.get("comment_id"))
        comments.append({"comment_id": e.details.get("comment_id"), "document": e.details.get("document"),
                         "date": e.event_date.isoformat(), "commenter": e.details.get("commenter"),
                         "text": e.details.get("text"), "answered": a is not None,
                         "answer": a.details.get("answer") if a else None,
                         "answer_date": a.event_date.isoformat() if a else None})
    rounds = [{"document": e.details.get("document"),
               "document_zh": COMMENT_DOCUMENTS.get(e.details.get("document"), ("", ""))[0],
               "opened": e.event_date.isoformat(), "until": str(e.details.get("until")),
               "open_now": _d(e.details.get("until")) is not None and e.event_date <= today <= _d(e.details["until"]),
               "channel": e.details.get("channel")} for e in by("public_comment_opened")]
    def item_label(path: str, value, lang: int):
        item = profile.list(path).get(value) if value else None
        return None if item is None else (item.zh, item.en)[lang]

    def measure_label(value, lang: int):
        return item_label("credit.incentives", value, lang) or item_label("credit.dishonesty_measures", value, lang)

    basis = last_j.details.get("basis") if last_j else None
    return {
        "jurisdiction": None if last_j is None else {
            "level": last_j.details.get("level"), "level_zh": LEVELS.get(last_j.details.get("level"), ("", ""))[0],
            "level_en": LEVELS.get(last_j.details.get("level"), ("", ""))[1],
            "handling_region": last_j.details.get("handling_region"), "basis": basis,
            "basis_zh": item_label("jurisdiction.region_level_cases", basis, 0),
            "basis_en": item_label("jurisdiction.region_level_cases", basis, 1),
            "designated_by": last_j.details.get("designated_by"),
            "designated_department": last_j.details.get("designated_department"),
            "date": last_j.event_date.isoformat()},
        "joint_handling": [_row(e, lead_department=e.details.get("lead_department"),
                                departments=e.details.get("departments") or [],
                                joint_regions=e.details.get("joint_regions") or []) for e in joint],
        "joint_investigation_groups": [_row(e, lead_department=e.details.get("lead_department"),
                                            members=e.details.get("members") or [])
                                       for e in by("joint_investigation_group")],
        "exclusion": exclusion,
        "referrals": [_row(e, from_department=e.details.get("from_department"),
                           to_department=e.details.get("to_department"), note=e.details.get("note"))
                      for e in by("clue_referred")],
        "appraisal": {
            "institutions": [_row(e, institution=e.details.get("institution"), method=e.details.get("method"),
                                  document=e.details.get("document")) for e in by("appraisal_institution_selected")],
            "objections": [_row(e, by=e.details.get("by"), grounds=e.details.get("grounds"),
                                outcome=e.details.get("outcome"))
                           for e in by("appraisal_objection", "appraisal_objection_answered")],
            "third_party_reviews": [_row(e, reviewer=e.details.get("reviewer"),
                                         conclusion=e.details.get("conclusion"))
                                    for e in by("third_party_review")],
        },
        "consultation_requested": [_row(e, note=e.details.get("note")) for e in by("consultation_requested")],
        "agents": [_row(e, agent=e.details.get("agent"), principal=e.details.get("principal"),
                        document=e.details.get("document"), valid_until=e.details.get("valid_until"))
                   for e in by("agent_authorised")],
        "enforcement_links": [_row(e, action=e.details.get("action"),
                                   action_zh=POLICE_ACTIONS.get(e.details.get("action"), ("", ""))[0],
                                   action_en=POLICE_ACTIONS.get(e.details.get("action"), ("", ""))[1],
                                   department=e.details.get("from_department") or e.details.get("by")
                                   or e.details.get("police_unit"),
                                   reference=e.details.get("reference"))
                              for e in by("enforcement_referral", "compensation_duty_notified", "police_link")],
        "supervision": {"under_supervision": _supervised(evs),
                        "events": [_row(e, authority=e.details.get("authority"), summary=e.details.get("summary"))
                                   for e in by("supervision_started", "supervision_report", "supervision_ended")],
                        "schedule": [{**r, "due_date": r["due_date"].isoformat(),
                                      "report_date": r["report_date"].isoformat() if r.get("report_date") else None}
                                     for r in supervision_schedule(evs, profile, today)]},
        "public_participation": {"rounds": rounds, "comments": comments,
                                 "unanswered": sum(not c["answered"] for c in comments)},
        "credit": [_row(e, measure=e.details.get("measure"), measure_zh=measure_label(e.details.get("measure"), 0),
                        measure_en=measure_label(e.details.get("measure"), 1), court=e.details.get("court"),
                        reference=e.details.get("reference")) for e in by("credit_incentive", "dishonesty_listed")],
        "offset": offset_workflow(evs, profile),
        "disclosures": [_row(e, item=e.details.get("item"),
                             item_zh=DISCLOSURE_ITEMS.get(e.details.get("item"), (None, None))[0],
                             item_en=DISCLOSURE_ITEMS.get(e.details.get("item"), (None, None))[1])
                        for e in by("disclosed")],
        "information_sharing": [_share_row(e) for e in by("information_shared")],
        "accountability": [_accountability_row(e) for e in by("accountability_recorded", "commendation_recorded")],
    }


def _share_row(e: Event) -> dict:
    items = [i for i in (e.details.get("items") or []) if i in SHARED_ITEMS]
    direction = e.details.get("direction")
    return _row(e, direction=direction, direction_zh=SHARE_DIRECTIONS.get(direction, ("", ""))[0],
                direction_en=SHARE_DIRECTIONS.get(direction, ("", ""))[1],
                with_department=e.details.get("with_department"), items=items,
                items_zh=[SHARED_ITEMS[i][0] for i in items], items_en=[SHARED_ITEMS[i][1] for i in items],
                reference=e.details.get("reference"))


def _accountability_row(e: Event) -> dict:
    return _row(e, kind="accountability" if e.event_type == "accountability_recorded" else "commendation",
                subject=e.details.get("subject"), why=e.details.get("ground") or e.details.get("reason"),
                measure=e.details.get("measure"), decided_by=e.details.get("decided_by"),
                deadline=e.details.get("deadline"), reference=e.details.get("reference"))


def _supervised(evs: Sequence[Event]) -> bool:
    on = False
    for e in evs:
        if e.event_type == "supervision_started":
            on = True
        elif e.event_type == "supervision_ended":
            on = False
    return on


# -- technical-upgrade offset workflow -----------------------------------------------------------
OFFSET_STEPS = ("offset_applied", "offset_reviewed", "offset_accepted", "offset_granted")
OFFSET_STATUS = {"applied": ("已申请", "applied"), "reviewed": ("已审核", "reviewed"),
                 "accepted": ("已验收", "accepted"), "granted": ("已核定抵扣", "granted"),
                 "rejected": ("不予抵扣", "rejected"),
                 "pending_confirmation": ("待确认条件", "waiting for conditions to be confirmed")}


def offset_workflow(events: Sequence[Event | Mapping], profile: Profile) -> dict | None:
    """Where the technical-upgrade offset (技改抵扣) stands: application → review → acceptance →
    offset. Each condition is ``confirmed`` / ``not_met`` / ``unconfirmed`` with whether the
    profile's wording of it was verified; an unconfirmed condition keeps the offset *pending*
    (shown with its provisional amount), it never silently becomes zero."""
    evs = _events(events)
    steps = [e for e in evs if e.event_type in OFFSET_STEPS]
    if not steps:
        return None
    applied = next(e for e in steps if e.event_type == "offset_applied") if any(
        e.event_type == "offset_applied" for e in steps) else None
    review = next((e for e in reversed(steps) if e.event_type == "offset_reviewed"), None)
    listed = profile.list("modes.technical_upgrade_offset.conditions")
    stated = dict((review.details.get("conditions") or {}) if review else {})
    for item in listed.items:
        stated.setdefault(item.id, None)
    conditions = []
    for cid, v in stated.items():
        item = listed.get(cid)
        conditions.append({"id": cid, "zh": item.zh if item else cid, "en": item.en if item else cid,
                           "state": {True: "confirmed", False: "not_met", None: "unconfirmed"}[v],
                           "rule_verified": bool(item.verified) if item else False,
                           "source": item.source if item else listed.source})
    granted = next((e for e in reversed(steps) if e.event_type == "offset_granted"), None)
    last = steps[-1].event_type
    if any(c["state"] == "not_met" for c in conditions):
        status = "rejected"
    elif review is not None and review.details.get("verdict") == "rejected":
        status = "rejected"
    elif granted is not None:
        status = "granted"
    elif any(c["state"] == "unconfirmed" for c in conditions):
        status = "pending_confirmation"
    else:
        status = {"offset_applied": "applied", "offset_reviewed": "reviewed",
                  "offset_accepted": "accepted"}.get(last, last)
    requested = applied.details.get("eligible_investment_yuan") if applied else None
    return {"status": status, "status_zh": OFFSET_STATUS[status][0], "status_en": OFFSET_STATUS[status][1],
            "project": applied.details.get("project") if applied else None,
            "eligible_investment_yuan": requested,
            "requested_offset_yuan": applied.details.get("requested_offset_yuan") if applied else None,
            "granted_offset_yuan": granted.details.get("offset_yuan") if granted else None,
            "conditions": conditions, "conditions_rule_verified": listed.verified,
            "steps": [_row(e, verdict=e.details.get("verdict")) for e in steps]}


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
    when = _d(case.get("incident_date")) or _d(case.get("discovered_date"))
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
            day = _d(o.get("incident_date")) or _d(o.get("discovered_date"))
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
    rows = _case_event_rows(store, ("information_shared",), _share_row)
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
    rows = _case_event_rows(store, ("accountability_recorded", "commendation_recorded"), _accountability_row)
    if subject:
        rows = [r for r in rows if str(r["subject"] or "").strip() == str(subject).strip()]
    cols = ["date", "case_id", "kind", "label_zh", "label_en", "subject", "why", "measure", "decided_by",
            "deadline", "reference"]
    return _frame(rows, cols)


def _frame(rows: list[dict], cols: list[str]) -> pd.DataFrame:
    """Rows as a frame whose missing values stay ``None`` (never NaN shown as 'nan')."""
    frame = pd.DataFrame(rows, columns=cols).astype(object)
    return frame.where(frame.notna(), None)


# -- fund use at the damaged place (浙 第九条) -------------------------------------------------------
def fund_use(store: Store, case_id: str, profile: Profile | None = None) -> pd.DataFrame:
    """Each disbursement with where it was used and whether that is the damaged place's
    restoration: ``at_damaged_place`` True / False / None (not stated) and ``flag`` with why."""
    from .records import profile_for
    case = store.get("cases", case_id)
    prof = profile or profile_for(case)
    rule = prof.rule("funds.use_at_damaged_place")
    led = store.read("funds_ledger", case_id=case_id)
    led = led[led["entry_type"] == "disbursed"]
    sites = store.read("sites", case_id=case_id)
    roles = dict(zip(sites["site_id"], sites["role"])) if len(sites) else {}
    counties = dict(zip(sites["site_id"], sites["county"])) if len(sites) and "county" in sites else {}
    cols = ["entry_date", "amount_yuan", "purpose", "site_id", "use_kind", "at_damaged_place", "flag",
            "flag_zh", "rule_source"]
    out = []
    for r in led.to_dict("records"):
        site = r.get("site_id") if isinstance(r.get("site_id"), str) and r.get("site_id") else None
        kind = r.get("use_kind") if isinstance(r.get("use_kind"), str) else None
        if kind == "related_work":
            at, flag, zh = True, None, None
        elif kind == "other":
            at, flag, zh = False, "other_use", "用于修复以外的其他用途"
        elif site is None:
            at, flag, zh = None, "place_not_stated", "未记录使用场地"
        elif site not in roles:
            at, flag, zh = False, "site_of_another_case", "用于本案以外的场地"
        elif roles[site] in ("damaged", "in_situ_restoration", "monitoring_plot"):
            at, flag, zh = True, None, None
        elif roles[site] == "alternative_restoration" and counties.get(site) \
                and counties.get(site) == case.get("region"):
            at, flag, zh = True, None, None
        else:
            at, flag, zh = False, "outside_damaged_place", "用于损害地以外的替代修复"
        out.append({"entry_date": str(r["entry_date"])[:10], "amount_yuan": float(r["amount_yuan"]),
                    "purpose": r.get("purpose"), "site_id": site, "use_kind": kind, "at_damaged_place": at,
                    "flag": flag, "flag_zh": zh, "rule_source": rule.source if rule.is_set else None})
    return pd.DataFrame(out, columns=cols)


# -- screening reports (线索筛查情况报告) ----------------------------------------------------------
def _period(day: date, months: int) -> tuple[date, date]:
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
    clue opens no Zhejiang reporting period). Empty (with the reason in ``attrs``) when the
    profile sets no cycle."""
    from ..config import today as _today
    today = today or _today()
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
    ev = store.read("case_events", event_type="clue_registered") if len(cases) else pd.DataFrame()
    reports = store.read("screening_reports")
    first: dict[str, date] = {}
    clues: dict[str, list[date]] = {}
    if len(ev):
        region_of = dict(zip(cases["case_id"], cases["region"]))
        for r in ev.to_dict("records"):
            reg, day = region_of.get(r["case_id"]), _d(r["event_date"])
            if reg is None or day is None:
                continue
            first[reg] = min(first.get(reg, day), day)
            clues.setdefault(reg, []).append(day)
    for reg in regions or []:
        first.setdefault(reg, today)
    got = {(r["region"], str(r["period_start"])[:10]): r for r in reports.to_dict("records")}
    rows = []
    for reg in sorted(first):
        start, end = _period(first[reg], months)
        while end < today:
            rep = got.get((reg, start.isoformat()))
            rows.append({"region": reg, "period_start": start.isoformat(), "period_end": end.isoformat(),
                         "status": "submitted" if rep else "missing",
                         "submitted_on": str(rep["submitted_on"])[:10] if rep else None,
                         "submitted_to": rep["submitted_to"] if rep else None,
                         "n_clues": sum(start <= d <= end for d in clues.get(reg, [])), "source": rule.source})
            start, end = _period(end + timedelta(days=1), months)
    return pd.DataFrame(rows, columns=cols)


def add_screening_report(store: Store, report: Mapping[str, Any], actor, request_id: str | None = None) -> dict:
    """Record a region's screening report for one period (checked, audited). ``actor`` must be
    allowed to record case events (``case.event``) in the report's region. A ``request_id``
    already used (a form submitted twice) records nothing again and returns what it recorded."""
    from .. import access
    from ..importer import prepare
    region = report.get("region")
    actor = access.require(actor, "case.event", store,
                           region=str(region) if region not in (None, "") else None).name
    frame = pd.DataFrame([{**dict(report), "actor": actor}])
    frame.attrs.update(source="screening report", row_start=1, row_label="report")
    with store.transaction(actor) as tx:
        def write() -> dict:
            clean, _ = prepare(tx, "screening_reports", frame)
            row = clean.iloc[0].to_dict()
            if _d(row["period_end"]) < _d(row["period_start"]):
                raise InputError(Issue(Message("screening.period_order"), field="period_end"))
            if not tx.read("screening_reports", region=row["region"],
                           period_start=str(row["period_start"])[:10]).empty:
                raise InputError(Issue(Message("screening.duplicate", {"region": str(row["region"]),
                                                                       "start": str(row["period_start"])[:10]}),
                                       field="period_start"))
            tx.insert("screening_reports", clean, action="screening report")
            return row

        return tx.once(request_id, "screening.report", write)


# -- assessment (考核) -----------------------------------------------------------------------------
ASSESSMENT_COLUMNS = {
    "region": ("地区", "region"),
    "cases_opened": ("新增案件线索", "cases opened"),
    "cases_filed": ("立案数", "cases filed"),
    "cases_closed": ("结案数", "cases closed"),
    "agreements": ("达成赔偿协议", "agreements signed"),
    "median_days_to_agreement": ("立案至协议中位天数", "median days filing → agreement"),
    "restoration_accepted": ("修复验收通过", "restoration accepted"),
    "funds_due_yuan": ("应缴赔偿金（元）", "funds due (yuan)"),
    "funds_received_yuan": ("已收赔偿金（元）", "funds received (yuan)"),
    "funds_used_yuan": ("已使用资金（元）", "funds used (yuan)"),
    "supervision_reports_overdue": ("督办报告逾期", "supervision reports overdue"),
    "accountability_actions": ("责任追究", "accountability actions"),
    "commendations": ("表彰激励", "commendations"),
}


LEDGER_COLUMN = {"due": "funds_due_yuan", "instalment_due": "funds_due_yuan",
                 "received": "funds_received_yuan", "disbursed": "funds_used_yuan"}


def assessment(store: Store, start: date | None = None, end: date | None = None,
               today: date | None = None, by: str = "region") -> pd.DataFrame:
    """Per-region indicators for the province's assessment (考核) over [start, end]: cases opened
    (clue registered), filed, closed, agreements, median days from filing to agreement, restoration
    accepted, funds due / received / used, overdue supervision reports. ``by``: a field of the
    cases layer to group by (``region``; ``handling_region`` once jurisdictions exist)."""
    from ..config import today as _today
    from .records import _by_case
    from ..profiles.for_case import CaseProfiles
    today = today or _today()
    start = start or date(1900, 1, 1)
    end = end or today
    if end < start:
        raise InputError(Issue(f"the period ends ({end}) before it starts ({start})", field="end"))
    cases = store.read("cases")
    if by not in cases.columns:
        raise InputError(Issue(f"cases have no field '{by}' to group by", field="by"))
    events = _by_case(store.read("case_events"))
    ledger = store.read("funds_ledger")
    ledger = ledger.assign(_day=ledger["entry_date"].map(_d))
    ledger_by = {cid: g for cid, g in ledger.groupby("case_id")} if len(ledger) else {}
    prof = CaseProfiles()
    inside = lambda d: d is not None and start <= d <= end  # noqa: E731
    rows: dict[str, dict] = {}
    for case in cases.to_dict("records"):
        reg = case.get(by) or "—"
        r = rows.setdefault(reg, {k: 0 for k in ASSESSMENT_COLUMNS} | {"region": reg, "_days": []})
        evs = _events(events.get(case["case_id"], []))
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


# -- case archive (档案) ---------------------------------------------------------------------------
def _csv(frame: pd.DataFrame) -> bytes:
    geoms = frame.geometry.to_wkt() if "geometry" in frame.columns and hasattr(frame, "geometry") else None
    frame = pd.DataFrame(frame).copy()
    if geoms is not None:
        frame["geometry"] = geoms.values
    for c in frame.columns:
        if frame[c].map(lambda v: isinstance(v, (bytes, bytearray, memoryview))).any():
            frame[c] = frame[c].map(lambda v: f"<{len(v)} bytes>" if v is not None else None)
        elif frame[c].map(lambda v: isinstance(v, (dict, list))).any():
            frame[c] = frame[c].map(lambda v: json.dumps(v, ensure_ascii=False, default=str)
                                    if isinstance(v, (dict, list)) else v)
    return csv_bytes(frame)


def _safe(name: str) -> str:
    keep = "".join(ch if (ch.isalnum() or ch in "._-（）()") else "_" for ch in str(name))
    return keep.strip("._") or "file"


def export_archive(store: Store, case_id: str, path: str | Path, today: date | None = None) -> Path:
    """Write the case archive (:func:`archive_bytes`) to ``path`` (.zip)."""
    return write_bytes(path, archive_bytes(store, case_id, today))


def archive_bytes(store: Store, case_id: str, today: date | None = None) -> bytes:
    """The case archive (档案) as one ZIP file's bytes: ``index.csv`` lists every record and
    attachment (kind, id, date, title, file inside the archive), then the case record (JSON), its
    events (CSV, with each event's details), classifications, modes, ledger, effect evaluations,
    sites, the audit trail and every attachment as its own file. Tables are CSV files whose text
    cells never become spreadsheet formulas."""
    from .records import case_record
    rec = case_record(store, case_id, today)
    evs = store.read("case_events", case_id=case_id)
    index: list[dict] = []
    files: dict[str, bytes] = {}

    def add(name: str, data: bytes, kind: str, rid: str, day: str | None, title: str) -> None:
        files[name] = data
        index.append({"kind": kind, "record_id": rid, "date": day, "title": title, "file": name})

    add("case.json", json.dumps(rec, ensure_ascii=False, indent=2, default=str).encode("utf-8"), "case",
        case_id, None, str(rec["case"].get("title")))
    add("events.csv", _csv(evs), "events", case_id, None, f"{len(evs)} 个事件 events")
    for r in evs.to_dict("records"):
        add(f"events/{int(r['fid']):06d}_{r['event_type']}.json",
            json.dumps(r, ensure_ascii=False, indent=2, default=str).encode("utf-8"), "event",
            str(r["fid"]), str(r["event_date"])[:10],
            f"{event_label(r['event_type'])} {event_label(r['event_type'], 'en')}")
    for layer in ("case_classifications", "case_modes", "funds_ledger", "effect_evaluations", "sites",
                  "case_scenarios", "appraisals"):
        if layer not in store.layers():
            continue
        frame = store.read(layer, case_id=case_id)
        if len(frame):
            add(f"{layer}.csv", _csv(frame), layer, case_id, None, f"{len(frame)} 条 rows")
            for r in frame.to_dict("records"):
                rid = r.get("evaluation_id") or r.get("appraisal_id") or r.get("site_id") or r.get("fid")
                index.append({"kind": layer, "record_id": str(rid), "date": None, "title": "", "file": f"{layer}.csv"})
    audit = store.read("audit_log", record_id=case_id) if "audit_log" in store.layers() else pd.DataFrame()
    if len(audit):
        add("audit_log.csv", _csv(audit), "audit_log", case_id, None, f"{len(audit)} 条 changes")
    att = store.read("attachments", case_id=case_id)
    for r in att.to_dict("records"):
        name = f"attachments/{int(r['event_fid']):06d}_{int(r['fid']):04d}_{_safe(r['name'])}"
        add(name, bytes(r["data"]), "attachment", str(r["fid"]), None,
            f"{r['name']} ({r['mime']}, {int(r['size_bytes'])} bytes, event {int(r['event_fid'])})")
    idx = pd.DataFrame(index, columns=["kind", "record_id", "date", "title", "file"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("index.csv", csv_bytes(idx))
        for name, data in files.items():
            z.writestr(name, data)
    return buffer.getvalue()
