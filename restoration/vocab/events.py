"""The labels of the typed case events (案件事件), in the order of the procedure.

Which stage each event moves a case to is the case workflow's business (``restoration.cases.events``);
here are only the words.
"""
from __future__ import annotations

from .base import Vocabulary, register

__all__ = ["EVENT_LABELS", "EVENTS"]

#: event type code -> (中文, English)
EVENT_LABELS: dict[str, tuple[str, str]] = {
    "clue_registered": ("线索登记", "clue registered"),
    "filed": ("立案", "case filed"),
    "not_started": ("决定不启动索赔", "claim not started"),
    "investigation_started": ("启动损害调查", "investigation started"),
    "investigation_reported": ("调查报告（结论）", "investigation reported"),
    "appraisal_commissioned": ("委托鉴定评估", "appraisal commissioned"),
    "appraisal_reported": ("鉴定评估报告", "appraisal reported"),
    "expert_opinion": ("专家评估意见（简易评估）", "expert opinion (simplified appraisal)"),
    "consultation_notice_served": ("送达磋商告知书", "consultation notice served"),
    "meeting_held": ("召开磋商会议", "consultation meeting held"),
    "consultation_failed": ("磋商不成", "consultation failed"),
    "agreement_signed": ("签订赔偿协议", "agreement signed"),
    "judicial_confirmation_requested": ("申请司法确认", "judicial confirmation requested"),
    "judicial_confirmation_confirmed": ("司法确认", "judicial confirmation granted"),
    "judicial_confirmation_refused": ("不予司法确认", "judicial confirmation refused"),
    "litigation_filed": ("提起诉讼", "litigation filed"),
    "judgment_effective": ("裁判生效", "judgment effective"),
    "payment_order_applied": ("申请支付令", "payment order applied for"),
    "enforcement_applied": ("申请强制执行", "compulsory enforcement applied for"),
    "restoration_started": ("修复开工", "restoration started"),
    "inspection": ("修复过程监督检查", "inspection"),
    "restoration_completed": ("修复完成", "restoration completed"),
    "effect_evaluation_commissioned": ("委托修复效果评估", "effect evaluation commissioned"),
    "effect_evaluation": ("修复效果评估报告", "effect evaluation reported"),
    "effect_evaluation_exempted": ("免于修复效果评估", "effect evaluation exempted"),
    "accepted": ("验收通过", "accepted"),
    "closed": ("结案", "case closed"),
    "terminated": ("终止索赔", "claim terminated"),
    # the procedure around the case: what happens beside the stages (jurisdiction, joint handling,
    # objections, supervision, public comment, offsets, disclosure …)
    "screening_excluded": ("不属于赔偿范围（筛查排除）", "outside the scope (excluded at screening)"),
    "clue_referred": ("线索移送", "clue referred to another department"),
    "jurisdiction_assigned": ("确定管辖", "jurisdiction assigned"),
    "joint_handling_agreed": ("联合办案（牵头部门）", "joint handling agreed (lead department)"),
    "joint_investigation_group": ("成立联合调查组", "joint investigation group formed"),
    "appraisal_institution_selected": ("选定鉴定评估机构", "appraisal institution selected"),
    "appraisal_objection": ("对鉴定评估意见提出异议", "objection to the appraisal"),
    "appraisal_objection_answered": ("异议处理意见", "objection answered"),
    "third_party_review": ("第三方论证", "third-party review of the appraisal"),
    "compensation_opinion_drafted": ("拟定赔偿意见", "compensation opinion drafted"),
    "consultation_requested": ("赔偿义务人申请先行磋商", "consultation requested by the liable party"),
    "agent_authorised": ("代理人授权文书核验", "agent's authorisation verified"),
    "enforcement_referral": ("行政执法移送（一案双查）", "referral from administrative enforcement (一案双查)"),
    "compensation_duty_notified": ("告知赔偿义务", "liable party told of the compensation duty"),
    "police_link": ("与公安机关衔接", "link with a police (criminal) case"),
    "supervision_started": ("列入重大案件督办", "major-case supervision (督办) started"),
    "supervision_report": ("督办进展报告", "progress report to the supervising authority"),
    "supervision_ended": ("督办结束", "supervision ended"),
    "public_comment_opened": ("公开征求意见", "published for public comment"),
    "public_comment_received": ("收到公众意见", "public comment received"),
    "public_comment_answered": ("公众意见答复", "public comment answered"),
    "credit_incentive": ("诚信激励", "incentive for active performance"),
    "dishonesty_listed": ("列入失信被执行人名单", "put on the dishonest-debtor list"),
    "offset_applied": ("技改抵扣申请", "technical-upgrade offset applied for"),
    "offset_reviewed": ("技改抵扣审核", "technical-upgrade offset reviewed"),
    "offset_accepted": ("技改项目验收", "technical upgrade accepted"),
    "offset_granted": ("核定抵扣", "offset granted"),
    "disclosed": ("信息公开", "published (disclosure)"),
    # information sharing, responsibility and commendation (may follow the case's end)
    "information_shared": ("部门间信息共享", "information shared between departments"),
    "accountability_recorded": ("责任追究", "accountability action recorded"),
    "commendation_recorded": ("表彰激励", "commendation recorded"),
    # a register taken over mid-procedure, corrections, the supplementary restoration and the
    # everyday records a supervisor keeps on a case at any stage
    "taken_over": ("接管（导入时所处阶段）", "taken over (stage at import)"),
    "stage_corrected": ("阶段更正", "stage corrected"),
    "supplementary_restoration": ("补充修复（效果评估未达标）", "supplementary restoration (evaluation failed)"),
    "effect_evaluation_plan": ("修复效果评估方案", "effect evaluation plan"),
    "public_satisfaction": ("公众满意度调查", "public satisfaction survey"),
    "monitoring_note": ("监测记录", "monitoring note"),
    "document_filed": ("附件归档", "document filed (attachment)"),
}

EVENTS = register(Vocabulary("event", EVENT_LABELS))
