"""The typed case events (案件事件) and the stage each one moves a case to.

One vocabulary for the workflow validator, the deadline rules (profiles name events by these
codes) and the interface labels. The order follows DESIGN.md's stages.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..model import Stage


@dataclass(frozen=True)
class EventType:
    code: str
    zh: str
    en: str
    #: stage after the event; None leaves the stage as it was
    stage: Stage | None

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


_E = EventType
EVENT_TYPES: dict[str, EventType] = {e.code: e for e in (
    _E("clue_registered", "线索登记", "clue registered", Stage.SCREENING),
    _E("filed", "立案", "case filed", Stage.FILING),
    _E("not_started", "决定不启动索赔", "claim not started", Stage.NOT_STARTED),
    _E("investigation_started", "启动损害调查", "investigation started", Stage.INVESTIGATION),
    _E("investigation_reported", "调查报告（结论）", "investigation reported", Stage.INVESTIGATION),
    _E("appraisal_commissioned", "委托鉴定评估", "appraisal commissioned", Stage.APPRAISAL),
    _E("appraisal_reported", "鉴定评估报告", "appraisal reported", Stage.APPRAISAL),
    _E("expert_opinion", "专家评估意见（简易评估）", "expert opinion (simplified appraisal)", Stage.APPRAISAL),
    _E("consultation_notice_served", "送达磋商告知书", "consultation notice served", Stage.CONSULTATION),
    _E("meeting_held", "召开磋商会议", "consultation meeting held", Stage.CONSULTATION),
    _E("consultation_failed", "磋商不成", "consultation failed", Stage.CONSULTATION),
    _E("agreement_signed", "签订赔偿协议", "agreement signed", Stage.CONSULTATION),
    _E("judicial_confirmation_requested", "申请司法确认", "judicial confirmation requested",
       Stage.JUDICIAL_CONFIRMATION),
    _E("judicial_confirmation_confirmed", "司法确认", "judicial confirmation granted",
       Stage.JUDICIAL_CONFIRMATION),
    _E("judicial_confirmation_refused", "不予司法确认", "judicial confirmation refused", Stage.CONSULTATION),
    _E("litigation_filed", "提起诉讼", "litigation filed", Stage.LITIGATION),
    _E("judgment_effective", "裁判生效", "judgment effective", Stage.LITIGATION),
    _E("payment_order_applied", "申请支付令", "payment order applied for", None),
    _E("enforcement_applied", "申请强制执行", "compulsory enforcement applied for", None),
    _E("restoration_started", "修复开工", "restoration started", Stage.RESTORATION),
    _E("inspection", "修复过程监督检查", "inspection", None),
    _E("restoration_completed", "修复完成", "restoration completed", Stage.RESTORATION),
    _E("effect_evaluation_commissioned", "委托修复效果评估", "effect evaluation commissioned",
       Stage.EFFECT_EVALUATION),
    _E("effect_evaluation", "修复效果评估报告", "effect evaluation reported", Stage.EFFECT_EVALUATION),
    _E("effect_evaluation_exempted", "免于修复效果评估", "effect evaluation exempted", Stage.EFFECT_EVALUATION),
    _E("accepted", "验收通过", "accepted", Stage.EFFECT_EVALUATION),
    _E("closed", "结案", "case closed", Stage.CLOSED),
    _E("terminated", "终止索赔", "claim terminated", Stage.TERMINATED),
    # -- the procedure around the case: none of these moves the stage, except the scope
    # exclusion (a side exit at screening) and the liable party's request (opens consultation)
    _E("screening_excluded", "不属于赔偿范围（筛查排除）", "outside the scope (excluded at screening)",
       Stage.NOT_STARTED),
    _E("clue_referred", "线索移送", "clue referred to another department", None),
    _E("jurisdiction_assigned", "确定管辖", "jurisdiction assigned", None),
    _E("joint_handling_agreed", "联合办案（牵头部门）", "joint handling agreed (lead department)", None),
    _E("joint_investigation_group", "成立联合调查组", "joint investigation group formed", None),
    _E("appraisal_institution_selected", "选定鉴定评估机构", "appraisal institution selected", None),
    _E("appraisal_objection", "对鉴定评估意见提出异议", "objection to the appraisal", None),
    _E("appraisal_objection_answered", "异议处理意见", "objection answered", None),
    _E("third_party_review", "第三方论证", "third-party review of the appraisal", None),
    _E("compensation_opinion_drafted", "拟定赔偿意见", "compensation opinion drafted", None),
    _E("consultation_requested", "赔偿义务人申请先行磋商", "consultation requested by the liable party",
       Stage.CONSULTATION),
    _E("agent_authorised", "代理人授权文书核验", "agent's authorisation verified", None),
    _E("enforcement_referral", "行政执法移送（一案双查）", "referral from administrative enforcement (一案双查)",
       None),
    _E("compensation_duty_notified", "告知赔偿义务", "liable party told of the compensation duty", None),
    _E("police_link", "与公安机关衔接", "link with a police (criminal) case", None),
    _E("supervision_started", "列入重大案件督办", "major-case supervision (督办) started", None),
    _E("supervision_report", "督办进展报告", "progress report to the supervising authority", None),
    _E("supervision_ended", "督办结束", "supervision ended", None),
    _E("public_comment_opened", "公开征求意见", "published for public comment", None),
    _E("public_comment_received", "收到公众意见", "public comment received", None),
    _E("public_comment_answered", "公众意见答复", "public comment answered", None),
    _E("credit_incentive", "诚信激励", "incentive for active performance", None),
    _E("dishonesty_listed", "列入失信被执行人名单", "put on the dishonest-debtor list", None),
    _E("offset_applied", "技改抵扣申请", "technical-upgrade offset applied for", None),
    _E("offset_reviewed", "技改抵扣审核", "technical-upgrade offset reviewed", None),
    _E("offset_accepted", "技改项目验收", "technical upgrade accepted", None),
    _E("offset_granted", "核定抵扣", "offset granted", None),
    _E("disclosed", "信息公开", "published (disclosure)", None),
    # Guangxi ch. 7: information sharing, responsibility and commendation (may follow the case's end)
    _E("information_shared", "部门间信息共享", "information shared between departments", None),
    _E("accountability_recorded", "责任追究", "accountability action recorded", None),
    _E("commendation_recorded", "表彰激励", "commendation recorded", None),
    # a register taken over mid-procedure, corrections, the supplementary-restoration path and the
    # everyday records a supervisor keeps on a case at any stage
    _E("taken_over", "接管（导入时所处阶段）", "taken over (stage at import)", None),
    _E("stage_corrected", "阶段更正", "stage corrected", None),
    _E("supplementary_restoration", "补充修复（效果评估未达标）", "supplementary restoration (evaluation failed)",
       Stage.RESTORATION),
    _E("monitoring_note", "监测记录", "monitoring note", None),
    _E("document_filed", "附件归档", "document filed (attachment)", None),
)}

#: the procedure events around a case (docs/cases.md, "Procedure"), in the order above
_CODES = list(EVENT_TYPES)
PROCEDURE_EVENTS = tuple(_CODES[_CODES.index("screening_excluded"):_CODES.index("commendation_recorded") + 1])

#: events about the handling of a case that may still be recorded after it ended (closed, not
#: started, terminated): a responsibility finding or a commendation often follows the end, and
#: the file can still be shared with another department
AFTER_END_EVENTS = frozenset({"information_shared", "accountability_recorded", "commendation_recorded",
                              "inspection", "monitoring_note", "document_filed"})

#: the everyday records a supervisor saves on a case at any stage (also after it ended: aftercare
#: patrols and the file go on); none of them moves the stage
RECORD_EVENTS = ("inspection", "monitoring_note", "document_filed")

#: events only the platform writes (the takeover of an imported case) or that need their own
#: command and permission (a stage correction): not offered by the event form, refused in a file
SYSTEM_EVENTS = ("taken_over", "stage_corrected")

#: events a case goes through once (a second one is refused; a supplementary restoration lets the
#: restoration be completed again)
ONCE = ("clue_registered", "filed", "investigation_started", "investigation_reported", "appraisal_commissioned",
        "restoration_started", "restoration_completed", "accepted")

#: stages after which nothing more can happen to a case
END_STAGES = (Stage.CLOSED, Stage.NOT_STARTED, Stage.TERMINATED)


def event_label(code: str, lang: str = "zh") -> str:
    e = EVENT_TYPES.get(code)
    return e.label(lang) if e else code


def _bare(label: str) -> str:
    """A label without its parenthesised part (``调查报告（结论）`` -> ``调查报告``)."""
    for open_ in ("（", "("):
        label = label.split(open_, 1)[0]
    return label.strip()


def _names() -> dict[str, str | None]:
    """Every accepted spelling of an event type -> its code (None: a spelling two types share)."""
    names: dict[str, str | None] = {}
    for e in EVENT_TYPES.values():
        for spelling in (e.code, e.zh, e.en.lower(), _bare(e.zh), _bare(e.en).lower()):
            if spelling and names.get(spelling, e.code) != e.code:
                names[spelling] = None  # ambiguous: the code (or the full label) is needed
            elif spelling:
                names[spelling] = e.code
    for e in EVENT_TYPES.values():  # a code or a full label always names its own type
        names[e.code] = names[e.zh] = names[e.en.lower()] = e.code
    return names


_NAMES = _names()


def event_code(text: object) -> str | None:
    """The event type a user's text names: its code (``meeting_held``), its Chinese label
    (``召开磋商会议``, also without the part in brackets: ``调查报告``) or its English label, in any
    case; None when it names none (or two)."""
    if not isinstance(text, str):
        return None
    key = text.strip()
    return _NAMES.get(key) or _NAMES.get(key.lower())


def event_choices() -> list[tuple[str, str, str]]:
    """(code, 中文, English) of every event type, in the vocabulary's order: what an error about an
    unknown type lists."""
    return [(e.code, e.zh, e.en) for e in EVENT_TYPES.values()]
