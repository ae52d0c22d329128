"""The sample cases' histories: events, restoration modes and funds ledger.

Each stage has a typical path of events (days after the previous event); a few cases have their
own path. Details carry what the rules need: reasons for side exits, the failure circumstance,
the agreement's clauses and the dates it fixes. As of the sample's TODAY (2026-11-20) some
deadlines are met, some open and some overdue, and the workflow validator accepts every history
(tests/cases/test_sample_cases.py).
"""
from __future__ import annotations

import json
from datetime import date, timedelta

import pandas as pd

from ..cases.modes import evaluate
from ..profiles.loader import load_profile
from . import catalogue as cat

#: the events each stage has been through, with days after the previous event
PATH = {
    "screening": [("clue_registered", 2)],
    "filing": [("clue_registered", 2), ("filed", 25)],
    "investigation": [("clue_registered", 2), ("filed", 20), ("investigation_started", 10)],
    "appraisal": [("clue_registered", 0), ("filed", 5), ("investigation_started", 3),
                  ("investigation_reported", 60), ("appraisal_commissioned", 12)],
    "consultation": [("clue_registered", 3), ("filed", 18), ("investigation_started", 7),
                     ("investigation_reported", 45), ("appraisal_commissioned", 10),
                     ("appraisal_reported", 70), ("consultation_notice_served", 14),
                     ("meeting_held", 21), ("meeting_held", 45)],
    "judicial_confirmation": [("clue_registered", 1), ("filed", 10), ("investigation_started", 5),
                              ("investigation_reported", 50), ("appraisal_commissioned", 8),
                              ("appraisal_reported", 80), ("consultation_notice_served", 10),
                              ("meeting_held", 15), ("meeting_held", 20), ("agreement_signed", 12),
                              ("judicial_confirmation_requested", 20)],
    "litigation": [("clue_registered", 2), ("filed", 15), ("investigation_started", 6),
                   ("investigation_reported", 55), ("appraisal_commissioned", 9),
                   ("appraisal_reported", 75), ("consultation_notice_served", 12),
                   ("meeting_held", 20), ("meeting_held", 25), ("meeting_held", 30),
                   ("consultation_failed", 20), ("litigation_filed", 40)],
    "restoration": [("clue_registered", 2), ("filed", 14), ("investigation_started", 5),
                    ("investigation_reported", 50), ("appraisal_commissioned", 7),
                    ("appraisal_reported", 65), ("consultation_notice_served", 10),
                    ("meeting_held", 20), ("agreement_signed", 15),
                    ("judicial_confirmation_requested", 10), ("judicial_confirmation_confirmed", 30),
                    ("restoration_started", 30), ("inspection", 120), ("inspection", 180)],
    "effect_evaluation": [("clue_registered", 1), ("filed", 12), ("investigation_started", 4),
                          ("investigation_reported", 40), ("appraisal_commissioned", 6),
                          ("appraisal_reported", 60), ("consultation_notice_served", 9),
                          ("meeting_held", 15), ("agreement_signed", 10),
                          ("judicial_confirmation_requested", 8), ("judicial_confirmation_confirmed", 25),
                          ("restoration_started", 20), ("inspection", 200), ("inspection", 200),
                          ("restoration_completed", 300), ("effect_evaluation_commissioned", 30)],
    "closed": [("clue_registered", 1), ("filed", 10), ("investigation_started", 4),
               ("investigation_reported", 30), ("expert_opinion", 20),
               ("consultation_notice_served", 8), ("meeting_held", 12), ("agreement_signed", 5),
               ("judicial_confirmation_requested", 7), ("judicial_confirmation_confirmed", 20),
               ("restoration_started", 15), ("inspection", 150), ("restoration_completed", 120),
               ("effect_evaluation", 30), ("accepted", 20), ("closed", 10)],
    "not_started": [("clue_registered", 1), ("not_started", 12)],
    "terminated": [("clue_registered", 2), ("filed", 20), ("investigation_started", 8),
                   ("terminated", 90)],
}

#: cases whose history differs from their stage's typical path
CASE_PATH = {
    # a simple case: experts' simplified appraisal, consultation opened recently (deadline open)
    "GX-2024-006": [("clue_registered", 3), ("filed", 18), ("investigation_started", 7),
                    ("investigation_reported", 60), ("expert_opinion", 20),
                    ("consultation_notice_served", 130), ("meeting_held", 21)],
    # a major case: long appraisal, the consultation period ends in the 2026 Spring Festival and
    # moves to the first working day after it; the court refused to confirm the first agreement
    # (clauses missing), one re-consultation, a new agreement is awaiting confirmation
    "GX-2023-007": [("clue_registered", 1), ("filed", 10), ("investigation_started", 5),
                    ("investigation_reported", 90), ("appraisal_commissioned", 10),
                    ("appraisal_reported", 300), ("consultation_notice_served", 10),
                    ("meeting_held", 20), ("meeting_held", 40), ("agreement_signed", 36),
                    ("judicial_confirmation_requested", 15), ("judicial_confirmation_refused", 56),
                    ("meeting_held", 28), ("agreement_signed", 40),
                    ("judicial_confirmation_requested", 20)],
    # restoration under a confirmed agreement; instalments in arrears -> enforcement applied for
    "GX-2023-015": PATH["restoration"] + [("enforcement_applied", 66)],
    # outside the scope: marine ecological damage (桂工作细则说明 五（一）)
    "GX-2026-016": [("clue_registered", 1), ("screening_excluded", 9)],
}

REASONS = {
    "not_started": {"reason": "significantly_minor_no_obvious_impact",
                    "note": "损害显著轻微且已完成整改，经研究决定不启动索赔"},
    "terminated": {"reason": "liable_party_deregistered",
                   "note": "赔偿义务人已注销且无其他责任主体，终止索赔"},
    "consultation_failed": {"circumstance": "period_expired_without_agreement",
                            "note": "三次磋商未达成一致"},
    "judicial_confirmation_refused": {"note": "法院以协议缺少修复效果评估和争议解决条款为由不予确认"},
    "enforcement_applied": {"note": "赔偿义务人未按协议缴纳第3、4期赔偿金，向法院申请强制执行"},
    "screening_excluded": {"reason": "marine_ecological_damage",
                           "note": "损害发生在近岸海域，属海洋生态环境损害，移交海洋主管部门依法处理"},
}

#: the procedure around the cases: (case, after event type, its occurrence, days after it,
#: event type, details). Dates are capped at the sample's today like the rest of the history.
PROCEDURE = [
    # screening: referral between departments; a county department designated by its city
    ("GX-2025-001", "clue_registered", 1, 3, "clue_referred",
     {"from_department": "石岭县生态环境局", "to_department": "石岭县林业局", "note": "越界开采涉及林地，移送林业部门核查"}),
    ("GX-2025-001", "clue_registered", 1, 5, "jurisdiction_assigned",
     {"level": "county", "handling_region": "石岭县", "designated_by": "石岭县所在设区市人民政府",
      "designated_department": "石岭县林业局"}),
    # a major sudden incident: region-level jurisdiction, joint handling, joint investigation group,
    # enforcement and police links, appraisal institution, supervision with one report overdue
    ("GX-2024-004", "clue_registered", 1, 0, "enforcement_referral",
     {"from_department": "桂源县生态环境局执法大队", "reference": "桂源环罚〔2025〕88号", "note": "一案双查"}),
    ("GX-2024-004", "clue_registered", 1, 1, "police_link",
     {"action": "pollutants_disposed", "police_unit": "桂源县公安局", "note": "公安机关先行处置泄漏化学品"}),
    ("GX-2024-004", "clue_registered", 1, 2, "jurisdiction_assigned",
     {"level": "province", "handling_region": "自治区", "basis": "major_sudden_incident"}),
    ("GX-2024-004", "clue_registered", 1, 3, "joint_handling_agreed",
     {"lead_department": "自治区生态环境厅", "departments": ["自治区生态环境厅", "自治区水利厅", "自治区农业农村厅"],
      "joint_regions": ["桂源县", "红河口县"]}),
    ("GX-2024-004", "filed", 1, 2, "joint_investigation_group",
     {"lead_department": "自治区生态环境厅", "members": ["自治区生态环境厅", "自治区水利厅", "桂源县公安局"]}),
    ("GX-2024-004", "filed", 1, 3, "compensation_duty_notified", {"by": "桂源县生态环境局执法大队"}),
    ("GX-2024-004", "filed", 1, 4, "police_link",
     {"action": "criminal_case_filed", "police_unit": "桂源县公安局", "reference": "桂公刑〔2025〕215号"}),
    ("GX-2024-004", "filed", 1, 5, "supervision_started",
     {"authority": "自治区生态环境损害赔偿制度改革工作领导小组办公室", "report_every_days": 90}),
    ("GX-2024-004", "investigation_reported", 1, 5, "appraisal_institution_selected",
     {"institution": "广西某生态环境损害司法鉴定中心", "method": "名录内随机抽取", "document": "选取记录（2026）3号"}),
    ("GX-2024-004", "filed", 1, 88, "supervision_report", {"summary": "完成应急处置和损害调查方案"}),
    ("GX-2024-004", "filed", 1, 178, "supervision_report", {"summary": "调查报告完成，委托鉴定评估"}),
    # a major case: objection to the appraisal, third-party review, agent's authorisation checked
    # before the agent attends, the agreement published for comment, supervision met on time
    ("GX-2023-007", "filed", 1, 1, "supervision_started",
     {"authority": "自治区生态环境损害赔偿制度改革工作领导小组办公室", "report_every_days": 180}),
    *[("GX-2023-007", "filed", 1, gap, "supervision_report", {"summary": summary}) for gap, summary in (
        (170, "损害调查进展"), (350, "鉴定评估进展"), (530, "磋商及司法确认进展"), (700, "重新磋商进展"))],
    ("GX-2023-007", "appraisal_reported", 1, 5, "appraisal_objection",
     {"by": "桂源县某矿业有限公司", "grounds": "对土壤污染范围认定有异议"}),
    ("GX-2023-007", "appraisal_reported", 1, 8, "third_party_review",
     {"reviewer": "自治区环境科学研究院专家组", "conclusion": "污染范围认定依据充分"}),
    ("GX-2023-007", "appraisal_reported", 1, 9, "appraisal_objection_answered",
     {"outcome": "rejected", "note": "经第三方论证，异议不成立"}),
    ("GX-2023-007", "appraisal_reported", 1, 9, "compensation_opinion_drafted", {}),
    ("GX-2023-007", "consultation_notice_served", 1, 1, "agent_authorised",
     {"agent": "王律师", "principal": "桂源县某矿业有限公司", "document": "授权委托书（特别授权）",
      "valid_until": "2027-12-31"}),
    ("GX-2023-007", "judicial_confirmation_refused", 1, 3, "public_comment_opened",
     {"document": "agreement", "until": "2026-06-15", "channel": "自治区生态环境厅网站"}),
    ("GX-2023-007", "judicial_confirmation_refused", 1, 10, "public_comment_received",
     {"document": "agreement", "comment_id": "C-2026-01", "commenter": "陈某某",
      "text": "建议明确修复后的土壤监测频次"}),
    ("GX-2023-007", "judicial_confirmation_refused", 1, 20, "public_comment_answered",
     {"comment_id": "C-2026-01", "answer": "已在补充协议中约定修复后两年每半年监测一次"}),
    # consultation opened on the liable party's request before the notice (simple case)
    ("GX-2024-006", "expert_opinion", 1, 30, "consultation_requested",
     {"note": "赔偿义务人书面申请先行磋商"}),
    # restoration plan published for comment; one comment not yet answered
    ("GX-2024-005", "meeting_held", 1, 3, "public_comment_opened",
     {"document": "restoration_plan", "until": "2026-12-05", "channel": "云潭县人民政府网站"}),
    ("GX-2024-005", "meeting_held", 1, 9, "public_comment_received",
     {"document": "restoration_plan", "comment_id": "C-2026-02", "commenter": "云潭县某村民委员会",
      "text": "希望修复后的河岸带种植本地树种"}),
    # technical-upgrade offset: application -> review -> acceptance -> offset; credit incentive;
    # agreement and fund use disclosed
    ("GX-2022-010", "consultation_notice_served", 1, 5, "offset_applied",
     {"project": "矿山粉尘收集与废水回用技术改造", "eligible_investment_yuan": 2_700_000}),
    ("GX-2022-010", "consultation_notice_served", 1, 15, "offset_reviewed",
     {"verdict": "approved", "conditions": {"beyond_legal_obligation": True, "measurable_eco_benefit": True}}),
    ("GX-2022-010", "agreement_signed", 1, 1, "credit_incentive",
     {"measure": "lighter_penalty", "note": "积极磋商并及时履责，行政处罚从轻"}),
    ("GX-2022-010", "agreement_signed", 1, 2, "disclosed", {"item": "agreement"}),
    ("GX-2022-010", "restoration_started", 1, 200, "offset_accepted", {"accepted": True}),
    ("GX-2022-010", "restoration_started", 1, 210, "offset_granted", {"offset_yuan": 810_000}),
    ("GX-2022-010", "restoration_started", 1, 400, "disclosed", {"item": "fund_use"}),
    # an offset still waiting for a condition to be confirmed (pending, not zero)
    ("GX-2023-009", "restoration_started", 1, 30, "offset_applied",
     {"project": "木材加工粉尘治理改造", "eligible_investment_yuan": 300_000}),
    ("GX-2023-009", "restoration_started", 1, 60, "offset_reviewed",
     {"verdict": "approved", "conditions": {"beyond_legal_obligation": True, "measurable_eco_benefit": None}}),
    # non-performance: after enforcement, the liable party is put on the dishonest-debtor list
    ("GX-2023-015", "enforcement_applied", 1, 20, "dishonesty_listed",
     {"court": "红河口县人民法院", "reference": "（2026）桂xxxx执xxx号", "measure": "dishonest_debtor_list"}),
    # the closed case's restoration result disclosed
    ("GX-2022-012", "accepted", 1, 3, "disclosed", {"item": "restoration_result"}),
    # a major case supervised until its agreement: the one report on time, then supervision ended
    ("GX-2022-010", "filed", 1, 2, "supervision_started",
     {"authority": "自治区生态环境损害赔偿制度改革工作领导小组办公室", "report_every_days": 90}),
    ("GX-2022-010", "filed", 1, 85, "supervision_report", {"summary": "损害调查完成，委托鉴定评估"}),
    ("GX-2022-010", "agreement_signed", 1, 3, "supervision_ended", {"note": "达成赔偿协议，督办结束"}),
    # information shared between departments (桂 第七章): the file sent to the police, monitoring
    # data received from the water department
    ("GX-2024-004", "police_link", 2, 1, "information_shared",
     {"direction": "sent", "with_department": "桂源县公安局", "items": ["case_file", "monitoring"],
      "reference": "桂源环函〔2025〕41号"}),
    ("GX-2024-004", "investigation_started", 1, 10, "information_shared",
     {"direction": "received", "with_department": "自治区水利厅", "items": ["monitoring"]}),
    # responsibility (责任追究) for the overdue supervision report; a commendation (表彰激励) after
    # the simple case was closed
    ("GX-2024-004", "supervision_started", 1, 300, "accountability_recorded",
     {"subject": "桂源县生态环境局", "ground": "第三次督办进展报告逾期未报", "measure": "约谈",
      "decided_by": "自治区生态环境损害赔偿制度改革工作领导小组办公室", "deadline": "supervision_report_3"}),
    ("GX-2022-012", "closed", 1, 40, "commendation_recorded",
     {"subject": "云潭县生态环境局", "reason": "简单案件快速办结，修复效果达标", "decided_by": "桂西市生态环境局"}),
]

ALL_CLAUSES = ["damage_facts", "evidence", "restoration_plan", "time_limits", "breach_liability",
               "effect_evaluation", "dispute_resolution"]


def _deadline(id_: str, zh: str, en: str, days: int, stops: list[str]) -> dict:
    return {"id": id_, "zh": zh, "en": en, "due_days": days, "stop_events": stops}


_RESTORE = ("restoration_completion", "协议约定修复完成期限", "restoration to be completed (agreement)")
#: (case, event type, occurrence) -> details; deadlines as days after the event
DETAILS = {
    ("GX-2024-003", "investigation_started", 1): {"deadlines": [_deadline(
        "investigation_plan_report", "调查方案确定的调查报告完成日期", "investigation report due (plan)",
        178, ["investigation_reported"])]},
    ("GX-2024-004", "appraisal_commissioned", 1): {"deadlines": [_deadline(
        "appraisal_contract_report", "鉴定评估委托合同约定的报告提交日期", "appraisal report due (contract)",
        328, ["appraisal_reported"])]},
    ("GX-2023-007", "agreement_signed", 1): {
        "clauses": ["damage_facts", "evidence", "restoration_plan", "time_limits", "breach_liability"],
        "amount_yuan": 3_800_000,
        "clause_override": {"reason": "效果评估与争议解决条款另行签订补充协议（经集体研究同意先行签署）",
                            "approved_by": "桂源县生态环境局局务会"}},
    ("GX-2023-007", "agreement_signed", 2): {
        "clauses": ALL_CLAUSES, "amount_yuan": 3_800_000,
        "deadlines": [_deadline(*_RESTORE, 900, ["restoration_completed"])]},
    ("GX-2023-009", "agreement_signed", 1): {
        "clauses": ALL_CLAUSES, "amount_yuan": 640_000,
        "deadlines": [_deadline(*_RESTORE, 646, ["restoration_completed"])]},
    ("GX-2022-010", "agreement_signed", 1): {
        "clauses": ALL_CLAUSES, "amount_yuan": 4_500_000,
        "deadlines": [_deadline(*_RESTORE, 1455, ["restoration_completed"])]},
    ("GX-2022-011", "agreement_signed", 1): {
        "clauses": ALL_CLAUSES, "amount_yuan": 1_650_000,
        "deadlines": [_deadline(*_RESTORE, 750, ["restoration_completed"])]},
    ("GX-2022-011", "effect_evaluation_commissioned", 1): {"deadlines": [_deadline(
        "effect_evaluation_report", "修复效果评估报告提交日期", "effect evaluation report due", 113,
        ["effect_evaluation"])]},
    ("GX-2022-012", "agreement_signed", 1): {
        "clauses": ALL_CLAUSES, "amount_yuan": 210_000,
        "deadlines": [_deadline(*_RESTORE, 365, ["restoration_completed"])]},
    ("GX-2022-012", "effect_evaluation", 1): {"result": "met", "note": "补播草地植被盖度达到协议目标"},
    ("GX-2023-015", "agreement_signed", 1): {
        "clauses": ["damage_facts", "evidence", "restoration_plan", "time_limits", "effect_evaluation",
                    "dispute_resolution"], "amount_yuan": 280_000,
        "clause_override": {"reason": "违约责任按分期赔付方案约定的强制执行条款处理",
                            "approved_by": "红河口县生态环境局"},
        "deadlines": [_deadline(*_RESTORE, 1060, ["restoration_completed"])]},
}


def event_dates(today: date) -> dict[str, list[tuple[str, date, dict]]]:
    """Every sample case's events as (type, date, details), dates capped at ``today``."""
    out = {}
    for cid, _t, _c, stage, _a, _i, discovered, *_ in cat.CASES:
        day = date.fromisoformat(discovered)
        seen: dict[str, int] = {}
        rows = []
        for etype, gap in CASE_PATH.get(cid, PATH[stage]):
            day = min(day + timedelta(days=gap), today)
            seen[etype] = seen.get(etype, 0) + 1
            details = dict(REASONS.get(etype, {}))
            details.update(json.loads(json.dumps(DETAILS.get((cid, etype, seen[etype]), {}))))
            if etype == "meeting_held":
                details.setdefault("note", "赔偿磋商会议")
            for dl in details.get("deadlines", []):
                dl["due_date"] = (day + timedelta(days=dl.pop("due_days"))).isoformat()
            rows.append((etype, day, details))
        out[cid] = _with_procedure(cid, rows, today)
    return out


def _with_procedure(cid: str, rows: list, today: date) -> list:
    """The case's rows with its procedure events inserted after their anchors (same-day events
    keep their place after the anchor), then in date order."""
    rows = list(rows)
    for case, anchor, occurrence, gap, etype, details in PROCEDURE:
        if case != cid:
            continue
        seen, at = 0, None
        for i, (t, _d, _x) in enumerate(rows):
            if t == anchor:
                seen += 1
                if seen == occurrence:
                    at = i
                    break
        if at is None:
            continue
        day = min(rows[at][1] + timedelta(days=gap), today)
        pos = at + 1
        while pos < len(rows) and rows[pos][1] <= day:
            pos += 1
        rows.insert(pos, (etype, day, json.loads(json.dumps(details))))
    return rows


def events(today: date) -> pd.DataFrame:
    rows = [{"case_id": cid, "event_type": etype, "event_date": day.isoformat(), "actor": "sample",
             "details": json.dumps(details, ensure_ascii=False)}
            for cid, evs in event_dates(today).items() for etype, day, details in evs]
    return pd.DataFrame(rows)


# -- restoration modes and funds ---------------------------------------------------------------
#: case -> [(mode, site ids, bank project, parameters, status, note)]
MODES = {
    "GX-2024-005": [("in_situ", ["S005"], None, {"plan": "恢复河岸植被缓冲带，回填采砂坑"}, "planned",
                     "磋商中拟定的修复方案")],
    "GX-2024-006": [("in_situ", ["S006"], None, {"plan": "清除废渣并改良耕作层土壤"}, "planned", None),
                    ("labour_in_lieu", [], None, {"days": 60, "persons": 1, "daily_rate_yuan": 150,
                                                  "work": "村级河道巡查与垃圾清理"}, "planned",
                     "日工资标准按协议草案；规则配置未设定")],
    "GX-2023-007": [("in_situ", ["S007"], None, {"cost_yuan": 1_900_000, "plan": "受污染农田土壤修复"},
                     "planned", None),
                    ("off_site", ["S008"], None, {"cost_yuan": 700_000, "plan": "异地土壤修复示范"}, "planned", None),
                    ("instalments", [], None, {"amount_yuan": 1_200_000, "count": 4, "first_date": "2026-09-30",
                                               "interval_months": 6, "agreed_on": "2026-07-13"}, "in_progress",
                     "服务功能损失赔偿金分4期缴纳")],
    "GX-2023-008": [("alternative", [], None, {"plan": "从替代修复项目库选择湿地修复基地"}, "planned",
                     "诉讼请求中的替代修复")],
    "GX-2023-009": [("in_situ", ["S010", "S011", "S013", "S014"], None,
                     {"cost_yuan": 600_000, "plan": "补植乡土树种并抚育三年"}, "in_progress", None)],
    "GX-2022-010": [("in_situ", ["S015", "S016"], None, {"cost_yuan": 2_100_000, "plan": "岩溶植被恢复"},
                     "in_progress", None),
                    ("alternative", ["S017"], None, {"cost_yuan": 1_050_000, "plan": "替代造林"}, "in_progress",
                     None),
                    ("technical_upgrade_offset", [], None,
                     {"eligible_investment_yuan": 2_700_000, "offset_ratio": 0.5, "max_share": 0.3,
                      "conditions": {"beyond_legal_obligation": True, "measurable_eco_benefit": True},
                      "project": "矿山粉尘收集与废水回用技术改造"}, "completed",
                     "抵扣比例和上限按协议；规则配置未设定")],
    "GX-2022-011": [("in_situ", ["S020", "S021", "S022"], None, {"cost_yuan": 1_000_000,
                                                                  "plan": "河段底泥清淤与生态浮床"},
                     "completed", None),
                    ("instalments", [], None, {"amount_yuan": 650_000, "count": 3, "first_date": "2023-10-31",
                                               "interval_months": 6, "agreed_on": "2023-08-19"}, "completed",
                     None)],
    "GX-2022-012": [("in_situ", ["S023", "S024"], None, {"cost_yuan": 192_000, "plan": "草地补播"}, "completed",
                     None),
                    ("labour_in_lieu", [], None, {"days": 60, "persons": 2, "daily_rate_yuan": 150,
                                                  "work": "草地管护"}, "completed", None)],
    "GX-2023-015": [("alternative", ["S028"], None, {"cost_yuan": 280_000, "plan": "河岸带替代修复"},
                     "in_progress", None),
                    ("instalments", [], None, {"amount_yuan": 280_000, "count": 4, "first_date": "2025-03-31",
                                               "interval_months": 3, "agreed_on": "2025-02-03"}, "in_progress",
                     "第3期部分缴纳、第4期未缴")],
}

#: (case, entry type, amount, entry date, counterparty / purpose, reference[, due date])
LEDGER = [
    ("GX-2023-007", "received", 300_000, "2026-09-28", "桂源县某矿业有限公司", "GY-2026-0928"),
    ("GX-2023-009", "due", 36_000, "2024-09-22", "鉴定评估费用", None, "2024-10-31"),
    ("GX-2023-009", "received", 36_000, "2024-10-15", "石岭县某林业开发有限公司", "SL-2024-1015"),
    ("GX-2022-010", "due", 3_150_000, "2024-01-06", "赔偿金（扣除技改抵扣后）", None, "2024-03-06"),
    ("GX-2022-010", "received", 3_150_000, "2024-03-01", "青岚县某矿业集团有限公司", "QL-2024-0301"),
    ("GX-2022-010", "disbursed", 1_800_000, "2024-04-10", "S017 替代修复造林工程", "BF-2024-0410"),
    ("GX-2022-010", "disbursed", 600_000, "2025-03-15", "S017 替代修复造林抚育", "BF-2025-0315"),
    ("GX-2022-011", "received", 216_666.67, "2023-10-30", "柳溪县某纸业有限公司", "LX-2023-1030"),
    ("GX-2022-011", "received", 216_666.67, "2024-04-28", "柳溪县某纸业有限公司", "LX-2024-0428"),
    ("GX-2022-011", "received", 216_666.66, "2024-11-05", "柳溪县某纸业有限公司", "LX-2024-1105"),
    ("GX-2022-011", "disbursed", 500_000, "2025-01-20", "S020 河段水质修复", "BF-2025-0120"),
    ("GX-2022-012", "due", 192_000, "2023-01-31", "赔偿金（扣除劳务代偿后）", None, "2023-03-02"),
    ("GX-2022-012", "received", 192_000, "2023-03-01", "云潭县某建筑工程有限公司", "YT-2023-0301"),
    ("GX-2022-012", "disbursed", 192_000, "2023-03-20", "S024 草地补播", "BF-2023-0320"),
    ("GX-2023-015", "received", 70_000, "2025-03-28", "红河口县某食品有限公司", "HH-2025-0328"),
    ("GX-2023-015", "received", 70_000, "2025-06-30", "红河口县某食品有限公司", "HH-2025-0630"),
    ("GX-2023-015", "received", 30_000, "2025-10-20", "红河口县某食品有限公司", "HH-2025-1020"),
    ("GX-2023-015", "disbursed", 150_000, "2025-11-05", "S028 河岸带替代修复", "BF-2025-1105"),
]


def case_modes() -> pd.DataFrame:
    """Restoration modes of the sample cases, valued with the Guangxi profile."""
    profile = load_profile("guangxi")
    amounts = {c[0]: c[4] for c in cat.CASES}
    rows = []
    for cid, modes in MODES.items():
        for mode, sites, project, params, status, note in modes:
            value = evaluate(mode, params, profile, {"damage_amount_yuan": amounts[cid]})["value_yuan"]
            rows.append({"case_id": cid, "mode": mode, "site_ids": ";".join(sites), "bank_project_id": project,
                         "parameters": json.dumps(params, ensure_ascii=False), "value_yuan": value,
                         "status": status, "note": note})
    return pd.DataFrame(rows)


def funds_ledger() -> pd.DataFrame:
    """Ledger rows: the instalment schedules of the instalment modes, then the entries above."""
    profile = load_profile("guangxi")
    rows = []
    for cid, modes in MODES.items():
        for mode, _s, _p, params, _st, _n in modes:
            if mode != "instalments":
                continue
            for r in evaluate(mode, params, profile)["details"]["schedule"]:
                rows.append({"case_id": cid, "entry_type": "instalment_due", "amount_yuan": r["amount_yuan"],
                             "entry_date": params["agreed_on"], "due_date": r["due_date"],
                             "instalment_no": r["instalment_no"], "counterparty": None,
                             "purpose": "分期赔付", "reference": None, "note": None,
                             "site_id": None, "use_kind": None})
    for cid, etype, amount, day, who, ref, *due in LEDGER:
        site = who.split()[0] if etype == "disbursed" and who.startswith("S") else None
        rows.append({"case_id": cid, "entry_type": etype, "amount_yuan": float(amount), "entry_date": day,
                     "due_date": due[0] if due else None, "instalment_no": None,
                     "counterparty": who if etype == "received" else None,
                     "purpose": who if etype != "received" else None, "reference": ref, "note": None,
                     "site_id": site,
                     "use_kind": ("restoration" if site else "related_work") if etype == "disbursed" else None})
    frame = pd.DataFrame(rows)
    frame["instalment_no"] = frame["instalment_no"].astype("Int64")
    return frame


#: screening reports (线索筛查情况报告) of two counties for the first half of 2026
SCREENING_REPORTS = [
    ("石岭县", "2026-01-01", "2026-06-30", "2026-07-08", "自治区生态环境损害赔偿制度改革工作领导小组办公室", 3, 1, 1),
    ("柳溪县", "2026-01-01", "2026-06-30", "2026-07-15", "自治区生态环境损害赔偿制度改革工作领导小组办公室", 2, 0, 1),
]


def screening_reports() -> pd.DataFrame:
    cols = ["region", "period_start", "period_end", "submitted_on", "submitted_to", "n_clues", "n_referred",
            "n_filed"]
    frame = pd.DataFrame(SCREENING_REPORTS, columns=cols)
    frame["actor"] = "sample"
    return frame
