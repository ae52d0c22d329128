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
)}

#: stages after which nothing more can happen to a case
END_STAGES = (Stage.CLOSED, Stage.NOT_STARTED, Stage.TERMINATED)


def event_label(code: str, lang: str = "zh") -> str:
    e = EVENT_TYPES.get(code)
    return e.label(lang) if e else code
