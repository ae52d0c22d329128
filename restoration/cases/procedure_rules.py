"""Checks for the procedure events around a case: scope exclusions, referrals,
jurisdiction and joint handling, appraisal institution / objections / third-party review, the
liable party's request to consult, agents' authorisations, enforcement links, major-case
supervision (督办), public comment, credit records, the technical-upgrade offset workflow,
disclosure, information sharing between departments and responsibility / commendation (责任追究与表彰激励).

One small function per event type (:data:`PROCEDURE_CHECKS`), each given a
:class:`~.check_context.CheckContext` and returning why the event may not happen now (a
:class:`~restoration.messages.Message`, citing the rule where there is one), or None.
:func:`apply_procedure_event` keeps the part of the replay state these checks need. The
vocabularies that are categories of the seeds, not rule values, live here (``POLICE_ACTIONS`` ...).
"""
from __future__ import annotations

from ..messages import Label, Message, Term
from ..model import CaseClass
from .check_context import Check, CheckContext, choice, from_list, missing, require_text, text
from .event_record import _as_date

#: jurisdiction levels (自治区/省级, 设区市, 县级 by designation)
LEVELS = {"province": ("省级（自治区）", "province / region"), "city": ("设区市", "city"),
          "county": ("县级（受指定）", "county (designated)")}
#: links with a police (criminal) case — 浙具体意见说明 三（四）3 第六条
POLICE_ACTIONS = {
    "criminal_case_filed": ("公安机关立案侦办", "police opened a criminal case"),
    "appraisal_commissioned": ("公安机关委托鉴定评估", "appraisal commissioned by the police"),
    "materials_provided": ("提供鉴定材料", "appraisal materials provided"),
    "pollutants_disposed": ("先行处置污染物", "pollutants disposed of in advance"),
}
#: documents published for public comment
COMMENT_DOCUMENTS = {"restoration_plan": ("修复方案", "restoration plan"),
                     "agreement": ("赔偿协议", "compensation agreement")}
OBJECTION_OUTCOMES = {"upheld": ("异议成立", "upheld"), "rejected": ("异议不成立", "rejected"),
                      "partly_upheld": ("部分成立", "partly upheld")}
REVIEW_VERDICTS = {"approved": ("审核通过", "approved"), "rejected": ("审核不通过", "rejected")}
#: what may be published about a case (through the public allow-list)
DISCLOSURE_ITEMS = {"agreement": ("赔偿协议", "agreement"),
                    "restoration_result": ("修复结果", "restoration result"),
                    "fund_use": ("资金使用情况", "use of funds")}
#: what one department shares with another about a case (信息共享, 桂工作细则说明 四 第七章、五（五）)
SHARED_ITEMS = {"clue": ("案件线索", "clue"), "case_file": ("案件材料", "case file"),
                "appraisal": ("鉴定评估报告", "appraisal report"), "agreement": ("赔偿协议", "agreement"),
                "penalty": ("行政处罚信息", "administrative penalty"),
                "criminal_case": ("刑事案件信息", "criminal case"),
                "monitoring": ("监测数据", "monitoring data"), "restoration": ("修复进展", "restoration progress")}
SHARE_DIRECTIONS = {"sent": ("提供", "sent"), "received": ("获取", "received")}


def _needs_then(types: tuple[str, ...], then: Check) -> Check:
    """A check asking first for an earlier event (any of ``types``), then ``then``."""
    return lambda c: c.need(*types) or then(c)


def _screening_excluded(c: CheckContext) -> Message | None:
    if c.state.has("filed"):
        return c.refuse("event.excluded_after_filing", terminated=Term("event", "terminated"))
    options = c.profile.list("scope_exclusions")
    if not options.is_set:
        return c.refuse("event.no_scope_exclusions", profile=c.profile.id, source=options.source)
    return c.need("clue_registered") or from_list(c, "scope_exclusions", "reason")


def _jurisdiction_assigned(c: CheckContext) -> Message | None:
    d = c.details
    problem = c.need("clue_registered") or choice(c, "level", LEVELS) or require_text(c, "handling_region")
    if problem:
        return problem
    if d["level"] == "province" and c.profile.list("jurisdiction.region_level_cases").is_set:
        return from_list(c, "jurisdiction.region_level_cases", "basis")
    if d["level"] == "county":
        rule = c.profile.rule("jurisdiction.county_designation")
        if rule.value is False:
            return c.refuse("event.county_designation_not_allowed", source=rule.source)
        if not (text(d, "designated_by") and text(d, "designated_department")):
            return c.refuse("event.county_designation", source=rule.source)
    return None


def _joint_handling_agreed(c: CheckContext) -> Message | None:
    depts = c.details.get("departments") or []
    regions = c.details.get("joint_regions") or []
    if not isinstance(depts, list) or not isinstance(regions, list):
        return c.refuse("event.lists_expected", fields=[Term("detail", "departments"), Term("detail", "joint_regions")])
    if len(depts) < 2 and not regions:
        return c.refuse("event.joint_needs_two")
    lead = text(c.details, "lead_department")
    if not lead:
        return missing(c, "lead_department")
    if depts and lead not in depts:
        return c.refuse("event.lead_not_participant", lead=lead)
    return None


def _joint_investigation_group(c: CheckContext) -> Message | None:
    members = c.details.get("members") or []
    if not isinstance(members, list) or len(members) < 2:
        return c.refuse("event.group_needs_two")
    return require_text(c, "lead_department")


def _institution_selected(c: CheckContext) -> Message | None:
    return (c.need("filed") or require_text(c, "institution")
            or from_list(c, "appraisal.selection_methods", "method", required=False))


def _objection_answered(c: CheckContext) -> Message | None:
    if c.state.objections_open <= 0:
        return c.refuse("event.no_open_objection")
    return choice(c, "outcome", OBJECTION_OUTCOMES)


def _consultation_requested(c: CheckContext) -> Message | None:
    rule = c.profile.rule("consultation.request_by_liable_party")
    if rule.value is not True:
        return c.refuse("event.request_not_allowed", profile=c.profile.id, source=rule.source)
    if c.state.has("consultation_notice_served", "consultation_requested"):
        return c.refuse("event.consultation_started")
    return c.need("filed")


def _supervision_started(c: CheckContext) -> Message | None:
    rule = c.profile.rule("supervision.major_cases_supervised")
    if c.case.get("case_class") != CaseClass.MAJOR.value:
        return c.refuse("event.supervision_major_only", source=rule.source,
                        case_class=Term("case_class", str(c.case.get("case_class"))))
    if c.state.supervised is not None:
        return c.refuse("event.already_supervised", since=c.state.supervised.event_date.isoformat())
    if not text(c.details, "authority"):
        return missing(c, "authority")
    every = c.details.get("report_every_days")
    ruled = c.profile.rule("supervision.report_every_days")
    if every is None and not ruled.is_set:
        return c.refuse("event.report_schedule_needed", source=ruled.source)
    if every is not None and (not isinstance(every, int) or isinstance(every, bool) or not 1 <= every <= 366):
        return c.refuse("event.report_every_days_range", value=repr(every))
    return c.need("clue_registered")


def _supervision_open(c: CheckContext) -> Message | None:
    return c.refuse("event.not_supervised") if c.state.supervised is None else None


def _comment_opened(c: CheckContext) -> Message | None:
    problem = choice(c, "document", COMMENT_DOCUMENTS)
    if problem:
        return problem
    until = c.details.get("until")
    if not until:
        return missing(c, "until")
    end = _as_date(until, "until", None)
    if end <= c.ev.event_date:
        return c.refuse("event.comment_period_order")
    rule = c.profile.rule("public_participation.comment_period_days")
    if rule.is_set and (end - c.ev.event_date).days < rule.value:
        return c.refuse("event.comment_period_short", days=rule.value, source=rule.source)
    return c.need("filed")


def _comment_received(c: CheckContext) -> Message | None:
    doc = c.details.get("document")
    opened = c.state.comment_rounds.get(doc)
    if opened is None:
        shown = Label(*COMMENT_DOCUMENTS[doc]) if doc in COMMENT_DOCUMENTS else repr(doc)
        return c.refuse("event.no_comment_period", document=shown, opened=Term("event", "public_comment_opened"))
    if c.ev.event_date > _as_date(opened.details["until"], "until", None):
        return c.refuse("event.comment_period_closed", until=str(opened.details["until"]))
    cid = text(c.details, "comment_id")
    if not cid or not text(c.details, "text"):
        return missing(c, "comment_id", "text")
    if cid in c.state.comments:
        return c.refuse("event.comment_id_taken", comment=cid)
    return None


def _comment_answered(c: CheckContext) -> Message | None:
    cid = text(c.details, "comment_id")
    if cid not in c.state.comments:
        return c.refuse("event.no_such_comment", comment=cid)
    if cid in c.state.answered:
        return c.refuse("event.comment_answered", comment=cid)
    return require_text(c, "answer")


def _credit_incentive(c: CheckContext) -> Message | None:
    """An incentive (从轻或减轻处罚) rewards a party that consulted actively and performed in time;
    not one whose case went to litigation after a failed consultation, nor one put on the
    dishonest-debtor list (the profile's ``credit.incentives`` source, 桂工作细则说明 五（三）6)."""
    problem = c.need("agreement_signed", "judgment_effective") or from_list(c, "credit.incentives", "measure")
    if problem:
        return problem
    source = c.profile.list("credit.incentives").source
    if c.state.has("dishonesty_listed"):
        return c.refuse("event.incentive_not_earned", reason=Message("event.incentive_dishonest"), source=source)
    if c.state.has("litigation_filed"):
        return c.refuse("event.incentive_not_earned", reason=Message("event.incentive_litigated"), source=source)
    return None


def _dishonesty_listed(c: CheckContext) -> Message | None:
    return c.need("enforcement_applied", what="event.why_enforcement_first") or require_text(c, "court")


def _offset_applied(c: CheckContext) -> Message | None:
    inv = c.details.get("eligible_investment_yuan")
    if not text(c.details, "project") or not isinstance(inv, (int, float)) or isinstance(inv, bool) or inv <= 0:
        return missing(c, "project", "eligible_investment_yuan")
    return None


def _offset_reviewed(c: CheckContext) -> Message | None:
    problem = c.need("offset_applied") or choice(c, "verdict", REVIEW_VERDICTS)
    if problem:
        return problem
    conds = c.details.get("conditions")
    if not isinstance(conds, dict) or any(v not in (True, False, None) for v in conds.values()):
        return c.refuse("event.conditions_format")
    listed = c.profile.list("modes.technical_upgrade_offset.conditions")
    unknown = [k for k in conds if listed.is_set and k not in listed]
    if unknown:
        return c.refuse("event.unknown_conditions", unknown=[str(k) for k in unknown],
                        listed=[Label(i.zh, i.id) for i in listed.items])
    if c.details["verdict"] == "approved" and any(v is False for v in conds.values()):
        return c.refuse("event.condition_not_met")
    return None


def _offset_accepted(c: CheckContext) -> Message | None:
    rev = c.state.offset_review
    if rev is None or rev.details.get("verdict") != "approved":
        return c.refuse("event.offset_review_first", reviewed=Term("event", "offset_reviewed"))
    return None


def _offset_granted(c: CheckContext) -> Message | None:
    if not c.state.offset_accepted:
        return c.refuse("event.offset_acceptance_first", accepted=Term("event", "offset_accepted"))
    conds = dict(c.state.offset_review.details.get("conditions") or {})
    listed = c.profile.list("modes.technical_upgrade_offset.conditions")
    for item in listed.items:
        conds.setdefault(item.id, None)
    open_ = [k for k, v in conds.items() if v is not True]
    if open_:
        shown = [Label(listed.get(k).zh, k) if listed.get(k) is not None else str(k) for k in open_]
        return c.refuse("event.conditions_open", conditions=shown, reviewed=Term("event", "offset_reviewed"))
    amount = c.details.get("offset_yuan")
    if not isinstance(amount, (int, float)) or isinstance(amount, bool) or amount < 0:
        return missing(c, "offset_yuan")
    return None


def _disclosed(c: CheckContext) -> Message | None:
    problem = choice(c, "item", DISCLOSURE_ITEMS)
    if problem:
        return problem
    if c.details["item"] == "agreement":
        return c.need("agreement_signed")
    if c.details["item"] == "restoration_result":
        return c.need("effect_evaluation", "accepted")
    return c.need("filed")


def _information_shared(c: CheckContext) -> Message | None:
    problem = choice(c, "direction", SHARE_DIRECTIONS) or require_text(c, "with_department")
    if problem:
        return problem
    items = c.details.get("items")
    if not isinstance(items, list) or not items or any(i not in SHARED_ITEMS for i in items):
        return c.refuse("event.shared_items", value=repr(items),
                        choices=[Label(zh, f"{k} ({en})") for k, (zh, en) in SHARED_ITEMS.items()])
    return None


def _details(*keys: str) -> Check:
    """A check that asks for text details ``keys``."""
    return lambda c: require_text(c, *keys)


#: the check of each procedure event around a case
PROCEDURE_CHECKS: dict[str, Check] = {
    "screening_excluded": _screening_excluded,
    "clue_referred": _needs_then(("clue_registered",), _details("to_department")),
    "jurisdiction_assigned": _jurisdiction_assigned,
    "joint_handling_agreed": _needs_then(("clue_registered",), _joint_handling_agreed),
    "joint_investigation_group": _needs_then(("filed",), _joint_investigation_group),
    "appraisal_institution_selected": _institution_selected,
    "appraisal_objection": _needs_then(("appraisal_reported", "expert_opinion"), _details("by", "grounds")),
    "appraisal_objection_answered": _objection_answered,
    "third_party_review": _needs_then(("appraisal_reported", "expert_opinion"), _details("reviewer", "conclusion")),
    "compensation_opinion_drafted": lambda c: c.need("investigation_reported", "appraisal_reported", "expert_opinion"),
    "consultation_requested": _consultation_requested,
    "agent_authorised": _needs_then(("filed",), _details("agent", "principal", "document")),
    "enforcement_referral": _needs_then(("clue_registered",), _details("from_department")),
    "compensation_duty_notified": _needs_then(("clue_registered",), _details("by")),
    "police_link": _needs_then(("clue_registered",), lambda c: choice(c, "action", POLICE_ACTIONS)),
    "supervision_started": _supervision_started,
    "supervision_report": _supervision_open,
    "supervision_ended": _supervision_open,
    "public_comment_opened": _comment_opened,
    "public_comment_received": _comment_received,
    "public_comment_answered": _comment_answered,
    "credit_incentive": _credit_incentive,
    "dishonesty_listed": _dishonesty_listed,
    "offset_applied": _needs_then(("filed",), _offset_applied),
    "offset_reviewed": _offset_reviewed,
    "offset_accepted": _offset_accepted,
    "offset_granted": _offset_granted,
    "disclosed": _disclosed,
    "information_shared": _needs_then(("clue_registered",), _information_shared),
    # who was held responsible, on what ground, decided by whom (责任追究); a finding is about the
    # handling of the case, so the case must at least be registered
    "accountability_recorded": _needs_then(("clue_registered",), _details("subject", "ground", "decided_by")),
    "commendation_recorded": _needs_then(("clue_registered",), _details("subject", "reason", "decided_by")),
}


def apply_procedure_event(state, ev) -> None:
    t, d = ev.event_type, ev.details
    if t == "agent_authorised":
        state.agents[str(d.get("agent"))] = ev
    elif t == "supervision_started":
        state.supervised = ev
    elif t == "supervision_ended":
        state.supervised = None
    elif t == "appraisal_objection":
        state.objections_open += 1
    elif t == "appraisal_objection_answered":
        state.objections_open -= 1
    elif t == "public_comment_opened":
        state.comment_rounds[d.get("document")] = ev
    elif t == "public_comment_received":
        state.comments[str(d.get("comment_id"))] = ev
    elif t == "public_comment_answered":
        state.answered.add(str(d.get("comment_id")))
    elif t == "offset_reviewed":
        state.offset_review, state.offset_accepted = ev, False
    elif t == "offset_accepted":
        state.offset_accepted = bool(d.get("accepted", True))
