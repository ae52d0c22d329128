"""Checks for the procedure events around a case (issue 14): scope exclusions, referrals,
jurisdiction and joint handling, appraisal institution / objections / third-party review, the
liable party's request to consult, agents' authorisations, enforcement links, major-case
supervision (督办), public comment, credit records, the technical-upgrade offset workflow,
disclosure, information sharing between departments and responsibility / commendation (责任追究与表彰激励).

Each check returns why the event may not happen now (a :class:`~restoration.messages.Message`,
citing the rule where there is one), or None. :func:`apply_procedure_event` keeps the part of the replay state these checks need. The
vocabularies that are categories of the seeds, not rule values, live here (``POLICE_ACTIONS`` ...).
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

from ..messages import Label, Message, Term
from ..model import CaseClass
from ..profiles.profile import Profile

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


def _text(details: Mapping[str, Any], key: str) -> str:
    v = details.get(key)
    return str(v).strip() if v is not None else ""


class EventName(str):
    """How the problems below name the event (``str``: the bilingual text the remaining
    sentences use; ``where``: the parameters of a :class:`~restoration.messages.Message`)."""

    where: dict

    def __new__(cls, text: str, where: Mapping[str, Any]):
        obj = super().__new__(cls, text)
        obj.where = dict(where)
        return obj


def _where(name: str) -> dict:
    return getattr(name, "where", {"event": str(name), "date": ""})


def _missing(name: str, *keys: str) -> Message:
    return Message("event.missing_details", {**_where(name), "fields": [Term("detail", k) for k in keys]})


def _choice(name: str, details: Mapping[str, Any], key: str,
            options: Mapping[str, tuple[str, str]]) -> Message | None:
    v = details.get(key)
    if v in options:
        return None
    return Message("event.choose_one", {**_where(name), "field": Term("detail", key), "value": repr(v),
                                        "choices": [Label(zh, f"{k} ({en})") for k, (zh, en) in options.items()]})


def _from_list(profile: Profile, path: str, name: str, details: Mapping[str, Any], key: str,
               required: bool = True) -> Message | None:
    """The value must come from the profile's list when the profile has one."""
    options = profile.list(path)
    v = details.get(key)
    if not options.is_set:
        return None if (v or not required) else _missing(name, key)
    if v not in options:
        return Message("event.unknown_reason" if v is not None else "event.choose_reason",
                       {**_where(name), "field": Term("detail", key), "value": str(v),
                                                "choices": [Label(i.zh, f"{i.id} ({i.en or i.zh})") for i in options.items],
                                                "source": options.source})
    return None


def check_procedure_event(state, ev, case: Mapping[str, Any], profile: Profile, name: str,
                          need: Callable[..., Message | None]) -> Message | None:
    t, d = ev.event_type, ev.details
    if t == "screening_excluded":
        if state.has("filed"):
            return Message("event.excluded_after_filing", {**_where(name), "terminated": Term("event", "terminated")})
        options = profile.list("scope_exclusions")
        if not options.is_set:
            return Message("event.no_scope_exclusions", {**_where(name), "profile": profile.id, "source": options.source})
        return need("clue_registered") or _from_list(profile, "scope_exclusions", name, d, "reason")
    if t == "clue_referred":
        return need("clue_registered") or (None if _text(d, "to_department") else _missing(name, "to_department"))
    if t == "jurisdiction_assigned":
        problem = need("clue_registered") or _choice(name, d, "level", LEVELS)
        if problem:
            return problem
        if not _text(d, "handling_region"):
            return _missing(name, "handling_region")
        if d["level"] == "province" and profile.list("jurisdiction.region_level_cases").is_set:
            return _from_list(profile, "jurisdiction.region_level_cases", name, d, "basis")
        if d["level"] == "county":
            rule = profile.rule("jurisdiction.county_designation")
            if rule.value is False:
                return Message("event.county_designation_not_allowed", {**_where(name), "source": rule.source})
            if not (_text(d, "designated_by") and _text(d, "designated_department")):
                return Message("event.county_designation", {**_where(name), "source": rule.source})
        return None
    if t == "joint_handling_agreed":
        problem = need("clue_registered")
        if problem:
            return problem
        depts = d.get("departments") or []
        regions = d.get("joint_regions") or []
        if not isinstance(depts, list) or not isinstance(regions, list):
            return Message("event.lists_expected", {**_where(name), "fields": [Term("detail", "departments"),
                                                                  Term("detail", "joint_regions")]})
        if len(depts) < 2 and not regions:
            return Message("event.joint_needs_two", _where(name))
        lead = _text(d, "lead_department")
        if not lead:
            return _missing(name, "lead_department")
        if depts and lead not in depts:
            return Message("event.lead_not_participant", {**_where(name), "lead": lead})
        return None
    if t == "joint_investigation_group":
        problem = need("filed")
        if problem:
            return problem
        members = d.get("members") or []
        if not isinstance(members, list) or len(members) < 2:
            return Message("event.group_needs_two", _where(name))
        if not _text(d, "lead_department"):
            return _missing(name, "lead_department")
        return None
    if t == "appraisal_institution_selected":
        problem = need("filed") or (None if _text(d, "institution") else _missing(name, "institution"))
        if problem:
            return problem
        return _from_list(profile, "appraisal.selection_methods", name, d, "method", required=False)
    if t == "appraisal_objection":
        problem = need("appraisal_reported", "expert_opinion")
        if problem:
            return problem
        return None if (_text(d, "by") and _text(d, "grounds")) else _missing(name, "by", "grounds")
    if t == "appraisal_objection_answered":
        if state.objections_open <= 0:
            return Message("event.no_open_objection", _where(name))
        return _choice(name, d, "outcome", OBJECTION_OUTCOMES)
    if t == "third_party_review":
        problem = need("appraisal_reported", "expert_opinion")
        if problem:
            return problem
        return None if (_text(d, "reviewer") and _text(d, "conclusion")) else _missing(name, "reviewer", "conclusion")
    if t == "compensation_opinion_drafted":
        return need("investigation_reported", "appraisal_reported", "expert_opinion")
    if t == "consultation_requested":
        rule = profile.rule("consultation.request_by_liable_party")
        if rule.value is not True:
            return Message("event.request_not_allowed", {**_where(name), "profile": profile.id, "source": rule.source})
        if state.has("consultation_notice_served", "consultation_requested"):
            return Message("event.consultation_started", _where(name))
        return need("filed")
    if t == "agent_authorised":
        problem = need("filed")
        if problem:
            return problem
        if not (_text(d, "agent") and _text(d, "principal") and _text(d, "document")):
            return _missing(name, "agent", "principal", "document")
        return None
    if t == "enforcement_referral":
        return need("clue_registered") or (None if _text(d, "from_department") else _missing(name, "from_department"))
    if t == "compensation_duty_notified":
        return need("clue_registered") or (None if _text(d, "by") else _missing(name, "by"))
    if t == "police_link":
        return need("clue_registered") or _choice(name, d, "action", POLICE_ACTIONS)
    if t == "supervision_started":
        rule = profile.rule("supervision.major_cases_supervised")
        if case.get("case_class") != CaseClass.MAJOR.value:
            return Message("event.supervision_major_only", {**_where(name), "source": rule.source,
                                                             "case_class": Term("case_class", str(case.get("case_class")))})
        if state.supervised is not None:
            return Message("event.already_supervised", {**_where(name), "since": state.supervised.event_date.isoformat()})
        if not _text(d, "authority"):
            return _missing(name, "authority")
        every = d.get("report_every_days")
        ruled = profile.rule("supervision.report_every_days")
        if every is None and not ruled.is_set:
            return Message("event.report_schedule_needed", {**_where(name), "source": ruled.source})
        if every is not None and (not isinstance(every, int) or isinstance(every, bool) or not 1 <= every <= 366):
            return Message("event.report_every_days_range", {**_where(name), "value": repr(every)})
        return need("clue_registered")
    if t in ("supervision_report", "supervision_ended"):
        if state.supervised is None:
            return Message("event.not_supervised", _where(name))
        return None
    if t == "public_comment_opened":
        problem = _choice(name, d, "document", COMMENT_DOCUMENTS)
        if problem:
            return problem
        until = d.get("until")
        if not until:
            return _missing(name, "until")
        from .workflow import _as_date
        end = _as_date(until, "until", None)
        if end <= ev.event_date:
            return Message("event.comment_period_order", _where(name))
        rule = profile.rule("public_participation.comment_period_days")
        if rule.is_set and (end - ev.event_date).days < rule.value:
            return Message("event.comment_period_short", {**_where(name), "days": rule.value, "source": rule.source})
        return need("filed")
    if t == "public_comment_received":
        doc = d.get("document")
        opened = state.comment_rounds.get(doc)
        if opened is None:
            shown = Label(*COMMENT_DOCUMENTS[doc]) if doc in COMMENT_DOCUMENTS else repr(doc)
            return Message("event.no_comment_period", {**_where(name), "document": shown,
                                                        "opened": Term("event", "public_comment_opened")})
        from .workflow import _as_date
        if ev.event_date > _as_date(opened.details["until"], "until", None):
            return Message("event.comment_period_closed", {**_where(name), "until": str(opened.details["until"])})
        cid = _text(d, "comment_id")
        if not cid or not _text(d, "text"):
            return _missing(name, "comment_id", "text")
        if cid in state.comments:
            return Message("event.comment_id_taken", {**_where(name), "comment": cid})
        return None
    if t == "public_comment_answered":
        cid = _text(d, "comment_id")
        if cid not in state.comments:
            return Message("event.no_such_comment", {**_where(name), "comment": cid})
        if cid in state.answered:
            return Message("event.comment_answered", {**_where(name), "comment": cid})
        return None if _text(d, "answer") else _missing(name, "answer")
    if t == "credit_incentive":
        problem = need("agreement_signed", "judgment_effective")
        if problem:
            return problem
        return _from_list(profile, "credit.incentives", name, d, "measure")
    if t == "dishonesty_listed":
        problem = need("enforcement_applied", what="event.why_enforcement_first")
        if problem:
            return problem
        return None if _text(d, "court") else _missing(name, "court")
    if t == "offset_applied":
        problem = need("filed")
        if problem:
            return problem
        inv = d.get("eligible_investment_yuan")
        if not _text(d, "project") or not isinstance(inv, (int, float)) or isinstance(inv, bool) or inv <= 0:
            return _missing(name, "project", "eligible_investment_yuan")
        return None
    if t == "offset_reviewed":
        problem = need("offset_applied") or _choice(name, d, "verdict", REVIEW_VERDICTS)
        if problem:
            return problem
        conds = d.get("conditions")
        if not isinstance(conds, dict) or any(v not in (True, False, None) for v in conds.values()):
            return Message("event.conditions_format", _where(name))
        listed = profile.list("modes.technical_upgrade_offset.conditions")
        unknown = [k for k in conds if listed.is_set and k not in listed]
        if unknown:
            return Message("event.unknown_conditions", {**_where(name), "unknown": [str(k) for k in unknown],
                                                         "listed": [Label(i.zh, i.id) for i in listed.items]})
        if d["verdict"] == "approved" and any(v is False for v in conds.values()):
            return Message("event.condition_not_met", _where(name))
        return None
    if t == "offset_accepted":
        rev = state.offset_review
        if rev is None or rev.details.get("verdict") != "approved":
            return Message("event.offset_review_first", {**_where(name), "reviewed": Term("event", "offset_reviewed")})
        return None
    if t == "offset_granted":
        if not state.offset_accepted:
            return Message("event.offset_acceptance_first", {**_where(name), "accepted": Term("event", "offset_accepted")})
        conds = dict(state.offset_review.details.get("conditions") or {})
        listed = profile.list("modes.technical_upgrade_offset.conditions")
        for item in listed.items:
            conds.setdefault(item.id, None)
        open_ = [k for k, v in conds.items() if v is not True]
        if open_:
            shown = [Label(listed.get(k).zh, k) if listed.get(k) is not None else str(k) for k in open_]
            return Message("event.conditions_open", {**_where(name), "conditions": shown,
                                                      "reviewed": Term("event", "offset_reviewed")})
        amount = d.get("offset_yuan")
        if not isinstance(amount, (int, float)) or isinstance(amount, bool) or amount < 0:
            return _missing(name, "offset_yuan")
        return None
    if t == "disclosed":
        problem = _choice(name, d, "item", DISCLOSURE_ITEMS)
        if problem:
            return problem
        if d["item"] == "agreement":
            return need("agreement_signed")
        if d["item"] == "restoration_result":
            return need("effect_evaluation", "accepted")
        return need("filed")
    if t == "information_shared":
        problem = need("clue_registered") or _choice(name, d, "direction", SHARE_DIRECTIONS)
        if problem:
            return problem
        if not _text(d, "with_department"):
            return _missing(name, "with_department")
        items = d.get("items")
        if not isinstance(items, list) or not items or any(i not in SHARED_ITEMS for i in items):
            return Message("event.shared_items", {**_where(name), "value": repr(items),
                                                   "choices": [Label(zh, f"{k} ({en})") for k, (zh, en) in SHARED_ITEMS.items()]})
        return None
    if t == "accountability_recorded":
        # who was held responsible, on what ground, decided by whom (责任追究); a finding is about
        # the handling of the case, so the case must at least be registered
        problem = need("clue_registered")
        if problem:
            return problem
        if not (_text(d, "subject") and _text(d, "ground") and _text(d, "decided_by")):
            return _missing(name, "subject", "ground", "decided_by")
        return None
    if t == "commendation_recorded":
        problem = need("clue_registered")
        if problem:
            return problem
        if not (_text(d, "subject") and _text(d, "reason") and _text(d, "decided_by")):
            return _missing(name, "subject", "reason", "decided_by")
        return None
    raise AssertionError(t)  # pragma: no cover - every type is handled


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
