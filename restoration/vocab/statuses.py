"""Status and column labels of the platform's computed tables: deadlines, instalments,
technical-upgrade offsets, monitoring progress, the bank ledger's actions and the province's
assessment (考核) columns."""
from __future__ import annotations

from .base import Vocabulary, register

__all__ = ["DEADLINE_STATUS", "INSTALMENT_STATUS", "OFFSET_STATUS", "PROGRESS_STATUS", "LEDGER_ACTION",
           "ASSESSMENT_COLUMNS", "DEADLINE_STATUSES", "INSTALMENT_STATUSES", "OFFSET_STATUSES",
           "PROGRESS_STATUSES", "LEDGER_ACTIONS", "ASSESSMENT_COLUMN_LABELS", "BANK_MILESTONE", "BANK_MILESTONES",
           "BANK_TRANCHE_STATES", "POLYGON_REVIEWS", "POLYGON_CHECKS"]

#: a deadline's status (``cases.deadlines``)
DEADLINE_STATUS: dict[str, tuple[str, str]] = {
    "open": ("未到期", "open"),
    "overdue": ("已逾期", "overdue"),
    "met": ("按期完成", "met"),
    "met_late": ("逾期完成", "met late"),
    "completed": ("已完成（无期限规定）", "completed (no limit set)"),
    "not_set": ("期限未设定", "no limit set"),
    "ended": ("案件已结束", "case ended"),
    "not_computable": ("无法计算", "cannot be computed"),
}
#: an instalment's status (``cases.funds``)
INSTALMENT_STATUS: dict[str, tuple[str, str]] = {
    "paid": ("已缴清", "paid"),
    "paid_late": ("逾期后缴清", "paid late"),
    "partly_paid": ("部分缴纳", "partly paid"),
    "overdue": ("逾期未缴", "overdue"),
    "upcoming": ("未到期", "not yet due"),
    "no_date": ("未定缴款日期", "no due date"),
}
#: a technical-upgrade offset's status (``cases.procedure``)
OFFSET_STATUS: dict[str, tuple[str, str]] = {
    "applied": ("已申请", "applied"),
    "reviewed": ("已审核", "reviewed"),
    "accepted": ("已验收", "accepted"),
    "granted": ("已核定抵扣", "granted"),
    "rejected": ("不予抵扣", "rejected"),
    "pending_confirmation": ("待确认条件", "waiting for conditions to be confirmed"),
}
#: a monitoring indicator's progress against its plan (``monitoring.progress``)
PROGRESS_STATUS: dict[str, tuple[str, str]] = {
    "achieved": ("已达标", "achieved"),
    "on_track": ("按计划", "on track"),
    "lagging": ("滞后", "lagging"),
    "at_risk": ("有风险", "at risk"),
    "no_data": ("无数据", "no data"),
}
#: the bank ledger's actions (``bank_ledger.action``), and ``awaiting_match`` for escrow waiting
LEDGER_ACTION: dict[str, tuple[str, str]] = {
    "reserve": ("预留", "reserve"),
    "commit": ("确认", "commit"),
    "release": ("释放", "release"),
    "deposit": ("提存", "deposit"),
    "match": ("匹配", "match"),
    "refund": ("退回", "refund"),
    "awaiting_match": ("待匹配", "awaiting match"),
}
#: the columns of the province's assessment table (``cases.procedure.assessment``), in order
ASSESSMENT_COLUMNS: dict[str, tuple[str, str]] = {
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

DEADLINE_STATUSES = register(Vocabulary("deadline_status", DEADLINE_STATUS))
INSTALMENT_STATUSES = register(Vocabulary("instalment_status", INSTALMENT_STATUS))
OFFSET_STATUSES = register(Vocabulary("offset_status", OFFSET_STATUS))
PROGRESS_STATUSES = register(Vocabulary("progress_status", PROGRESS_STATUS))
LEDGER_ACTIONS = register(Vocabulary("ledger_action", LEDGER_ACTION))
ASSESSMENT_COLUMN_LABELS = register(Vocabulary("assessment_column", ASSESSMENT_COLUMNS))


#: a bank release milestone (``bank.schedule``); ``target_met@N`` and ``named:…`` are worded by rule
BANK_MILESTONE: dict[str, tuple[str, str]] = {
    "secured": ("土地与法律保障落实", "secured (land and legal agreement)"),
    "construction_accepted": ("竣工验收", "construction accepted"),
    "target_met": ("监测目标达成", "monitoring target met"),
}
#: a tranche's state and a polygon review's status
BANK_TRANCHE_STATE: dict[str, tuple[str, str]] = {"released": ("已释放", "released"), "pending": ("待释放", "pending")}
POLYGON_REVIEW: dict[str, tuple[str, str]] = {
    "submitted": ("已提交", "submitted"), "needs_changes": ("需修改", "needs changes"), "approved": ("已通过", "approved")}


def _milestone_words(code: str, lang: str) -> str:
    if code.startswith("target_met@"):
        year = code.split("@", 1)[1]
        return f"第{year}年监测目标达成" if lang == "zh" else f"monitoring target met at year {year}"
    if code.startswith("named:"):
        return code.split(":", 1)[1]
    return code


BANK_MILESTONES = register(Vocabulary("bank_milestone", BANK_MILESTONE, missing=_milestone_words))
BANK_TRANCHE_STATES = register(Vocabulary("bank_tranche_state", BANK_TRANCHE_STATE))
POLYGON_REVIEWS = register(Vocabulary("polygon_review", POLYGON_REVIEW))
#: a polygon review's findings (``bank.polygon_review``)
POLYGON_CHECK: dict[str, tuple[str, str]] = {
    "overlap": ("图斑重叠", "overlap"), "sliver": ("细长碎图斑", "sliver"), "thin_parts": ("含狭长部分", "thin parts"),
    "spike": ("尖刺", "spike")}
POLYGON_CHECKS = register(Vocabulary("polygon_check", POLYGON_CHECK))

#: a candidate clue from imagery in the screening register (``cases.clues``)
CANDIDATE_STATUS: dict[str, tuple[str, str]] = {
    "candidate": ("待核查", "to be checked"),
    "accepted": ("已受理为案件", "accepted as a case"),
    "dismissed": ("已排除", "dismissed"),
}
CANDIDATE_STATUSES = register(Vocabulary("candidate_status", CANDIDATE_STATUS))
__all__ += ["CANDIDATE_STATUS", "CANDIDATE_STATUSES"]
