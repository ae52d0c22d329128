"""What a case's procedure events add up to: jurisdiction, joint handling, appraisal institution /
objections / reviews, agents, enforcement links, the supervision schedule (督办), public comment,
credit, the technical-upgrade offset workflow (技改抵扣), disclosures, information sharing and
responsibility / commendation — pure functions of a case, its events and its profile.

The checks of these events are :mod:`.procedure_rules`; the records that span cases are
:mod:`.across_cases`. See docs/cases.md, "Procedure".
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Mapping, Sequence

import pandas as pd

from .. import config
from ..profiles.profile import Profile
from ..vocab import OFFSET_STATUS as _OFFSET_STATUS
from .events import event_label
from .procedure_rules import COMMENT_DOCUMENTS, DISCLOSURE_ITEMS, LEVELS, POLICE_ACTIONS, SHARE_DIRECTIONS, SHARED_ITEMS
from .workflow import Event, make_event, order


def ordered_events(events: Sequence[Event | Mapping]) -> list[Event]:
    """Events (``Event`` objects or stored rows) in date order."""
    return order(make_event(e) for e in events)


def day_or_none(x: Any) -> date | None:
    """A stored date (text, date or missing) as a date; None when missing or not a date."""
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
def _item_label(profile: Profile, path: str, value, lang: int) -> str | None:
    """The label (0: Chinese, 1: English) of the item ``value`` of the profile's list ``path``."""
    item = profile.list(path).get(value) if value else None
    return None if item is None else (item.zh, item.en)[lang]


def _jurisdiction(last: Event | None, profile: Profile) -> dict | None:
    """The latest jurisdiction assignment, labelled."""
    if last is None:
        return None
    d, basis = last.details, last.details.get("basis")
    level = LEVELS.get(d.get("level"), ("", ""))
    return {"level": d.get("level"), "level_zh": level[0], "level_en": level[1],
            "handling_region": d.get("handling_region"), "basis": basis,
            "basis_zh": _item_label(profile, "jurisdiction.region_level_cases", basis, 0),
            "basis_en": _item_label(profile, "jurisdiction.region_level_cases", basis, 1),
            "designated_by": d.get("designated_by"), "designated_department": d.get("designated_department"),
            "date": last.event_date.isoformat()}


def _exclusion(excluded: list[Event], profile: Profile) -> dict | None:
    """The latest scope exclusion with its reason from the profile's list."""
    if not excluded:
        return None
    last = excluded[-1]
    item = profile.list("scope_exclusions").get(last.details.get("reason"))
    return _row(last, reason=last.details.get("reason"), zh=item.zh if item else None, en=item.en if item else None,
                source=item.source if item else None, verified=item.verified if item else None)


def _public_participation(by, today: date) -> dict:
    """Comment periods (open now or not), the comments received and whether each was answered."""
    answered = {e.details.get("comment_id"): e for e in by("public_comment_answered")}
    comments = []
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
               "open_now": day_or_none(e.details.get("until")) is not None
               and e.event_date <= today <= day_or_none(e.details["until"]),
               "channel": e.details.get("channel")} for e in by("public_comment_opened")]
    return {"rounds": rounds, "comments": comments, "unanswered": sum(not c["answered"] for c in comments)}


def _appraisal(by) -> dict:
    """The appraisal institution chosen, objections and their answers, third-party reviews."""
    return {
        "institutions": [_row(e, institution=e.details.get("institution"), method=e.details.get("method"),
                              document=e.details.get("document")) for e in by("appraisal_institution_selected")],
        "objections": [_row(e, by=e.details.get("by"), grounds=e.details.get("grounds"),
                            outcome=e.details.get("outcome"))
                       for e in by("appraisal_objection", "appraisal_objection_answered")],
        "third_party_reviews": [_row(e, reviewer=e.details.get("reviewer"), conclusion=e.details.get("conclusion"))
                                for e in by("third_party_review")],
    }


def _supervision(evs: list[Event], by, profile: Profile, today: date) -> dict:
    """Whether the case is under supervision now, its supervision events and report schedule."""
    return {"under_supervision": _supervised(evs),
            "events": [_row(e, authority=e.details.get("authority"), summary=e.details.get("summary"))
                       for e in by("supervision_started", "supervision_report", "supervision_ended")],
            "schedule": [{**r, "due_date": r["due_date"].isoformat(),
                          "report_date": r["report_date"].isoformat() if r.get("report_date") else None}
                         for r in supervision_schedule(evs, profile, today)]}


def _credit(by, profile: Profile) -> list[dict]:
    """Credit incentives and dishonest-debtor listings, each measure labelled from the profile."""
    def measure(value, lang: int):
        return (_item_label(profile, "credit.incentives", value, lang)
                or _item_label(profile, "credit.dishonesty_measures", value, lang))
    return [_row(e, measure=e.details.get("measure"), measure_zh=measure(e.details.get("measure"), 0),
                 measure_en=measure(e.details.get("measure"), 1), court=e.details.get("court"),
                 reference=e.details.get("reference")) for e in by("credit_incentive", "dishonesty_listed")]


def _enforcement_row(e: Event) -> dict:
    action = POLICE_ACTIONS.get(e.details.get("action"), ("", ""))
    return _row(e, action=e.details.get("action"), action_zh=action[0], action_en=action[1],
                department=e.details.get("from_department") or e.details.get("by") or e.details.get("police_unit"),
                reference=e.details.get("reference"))


def _disclosure_row(e: Event) -> dict:
    item = DISCLOSURE_ITEMS.get(e.details.get("item"), (None, None))
    return _row(e, item=e.details.get("item"), item_zh=item[0], item_en=item[1])


def procedure_record(case: Mapping[str, Any], events: Sequence[Event | Mapping], profile: Profile,
                     today: date | None = None) -> dict:
    """Jurisdiction, referrals, joint handling, appraisal institution / objections / reviews,
    agents, enforcement links, supervision, public comment, credit, the offset workflow and
    disclosures of one case, as plain data (CLI, dashboard, archive)."""
    today = today or config.today()
    evs = ordered_events(events)
    by = lambda *types: [e for e in evs if e.event_type in types]  # noqa: E731
    juris = by("jurisdiction_assigned")
    return {
        "jurisdiction": _jurisdiction(juris[-1] if juris else None, profile),
        "joint_handling": [_row(e, lead_department=e.details.get("lead_department"),
                                departments=e.details.get("departments") or [],
                                joint_regions=e.details.get("joint_regions") or [])
                           for e in by("joint_handling_agreed")],
        "joint_investigation_groups": [_row(e, lead_department=e.details.get("lead_department"),
                                            members=e.details.get("members") or [])
                                       for e in by("joint_investigation_group")],
        "exclusion": _exclusion(by("screening_excluded"), profile),
        "referrals": [_row(e, from_department=e.details.get("from_department"),
                           to_department=e.details.get("to_department"), note=e.details.get("note"))
                      for e in by("clue_referred")],
        "appraisal": _appraisal(by),
        "consultation_requested": [_row(e, note=e.details.get("note")) for e in by("consultation_requested")],
        "agents": [_row(e, agent=e.details.get("agent"), principal=e.details.get("principal"),
                        document=e.details.get("document"), valid_until=e.details.get("valid_until"))
                   for e in by("agent_authorised")],
        "enforcement_links": [_enforcement_row(e)
                              for e in by("enforcement_referral", "compensation_duty_notified", "police_link")],
        "supervision": _supervision(evs, by, profile, today),
        "public_participation": _public_participation(by, today),
        "credit": _credit(by, profile),
        "offset": offset_workflow(evs, profile),
        "disclosures": [_disclosure_row(e) for e in by("disclosed")],
        "information_sharing": [sharing_row(e) for e in by("information_shared")],
        "accountability": [accountability_row(e) for e in by("accountability_recorded", "commendation_recorded")],
    }


def sharing_row(e: Event) -> dict:
    """An ``information_shared`` event as a row (direction, department, items in both languages)."""
    items = [i for i in (e.details.get("items") or []) if i in SHARED_ITEMS]
    direction = e.details.get("direction")
    return _row(e, direction=direction, direction_zh=SHARE_DIRECTIONS.get(direction, ("", ""))[0],
                direction_en=SHARE_DIRECTIONS.get(direction, ("", ""))[1],
                with_department=e.details.get("with_department"), items=items,
                items_zh=[SHARED_ITEMS[i][0] for i in items], items_en=[SHARED_ITEMS[i][1] for i in items],
                reference=e.details.get("reference"))


def accountability_row(e: Event) -> dict:
    """A responsibility finding or commendation as a row (kind, subject, why, measure, who decided)."""
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
#: an offset's status -> (中文, English): the vocabulary's (``restoration.vocab.statuses``)
OFFSET_STATUS = _OFFSET_STATUS


def offset_workflow(events: Sequence[Event | Mapping], profile: Profile) -> dict | None:
    """Where the technical-upgrade offset (技改抵扣) stands: application → review → acceptance →
    offset. Each condition is ``confirmed`` / ``not_met`` / ``unconfirmed`` with whether the
    profile's wording of it was verified; an unconfirmed condition keeps the offset *pending*
    (shown with its provisional amount), it never silently becomes zero."""
    evs = ordered_events(events)
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
