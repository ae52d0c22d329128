"""The effect-evaluation report (修复效果评估报告) of a case, as a :class:`~restoration.document.Document`
(PDF and Word through ``restoration.document``), in the chapter order of an effect-evaluation
report.

The chapter order follows HJ 25.5-2018 《污染地块风险管控与土壤修复效果评估技术导则（试行）》 and
GB/T 39791.3-2024 (恢复效果评估) as they are commonly summarised — project overview, restoration
works, evaluation plan (units, points, timing), standards and methods, results, conclusion,
suggestions (long-term monitoring) — with the supplementary restoration and public satisfaction
as chapters of their own. Neither text is held in the repository (nor in the seeds, which name
only the steps 修复监督、效果评估、验收结案, 桂工作细则说明 四 第六章), so **every chapter is marked
unchecked** (``Section.unchecked``).
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from ..document import Document, Section, Table, write_document
from ..monitoring.evaluation import RULES
from ..monitoring.evaluation_plan import MEDIA, OBJECTIVES, RESULTS
from ..monitoring.indicators import indicator_label
from ..monitoring.trend import TRENDS
from ..store import Store
from ..vocab import EVENT_LABELS
from .effect_structure import EvaluationStructure, evaluation_structure

BASIS = ("章节顺序参照 HJ 25.5-2018《污染地块风险管控与土壤修复效果评估技术导则（试行）》及 GB/T 39791.3-2024 的通行概述"
         "编排，未对照标准原文核对；程序依据 桂工作细则说明 四 第六章（修复监督、效果评估、验收结案）。",
         "Chapter order after HJ 25.5-2018 and GB/T 39791.3-2024 as commonly summarised, not checked against "
         "their text; procedure per the Guangxi note, part 4, ch. 6 (supervision, evaluation, acceptance).")
_PASS = {True: ("达标", "pass"), False: ("未达标", "fail"), None: ("无数据", "no data")}


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _num(v, digits: int = 4) -> str:
    if v is None or v != v:
        return "—"
    return f"{float(v):.{digits}g}"


def _plan_sections(s: EvaluationStructure, lang: str) -> list[Section]:
    L = lambda zh, en: _t(lang, zh, en)  # noqa: E731
    p = s.plan
    if p is None:
        none = L("本案未记录修复效果评估方案（评估单元、采样点、评估时间）。", "No evaluation plan is recorded for the case.")
        return [Section(L("效果评估方案", "Evaluation plan"), [none], unchecked=True)]
    units = Table([L("评估单元", "Unit"), L("名称", "Name"), L("场地", "Site"), L("介质", "Medium"),
                   L("目标类型", "Objective"), L("面积 (m²)", "Area (m²)"), L("采样点数", "Points"),
                   L("采样轮次", "Rounds")],
                  [[u.unit, u.name or "—", u.site_id, L(*MEDIA[u.medium]), L(*OBJECTIVES[u.objective]),
                    "—" if u.area_m2 is None else f"{u.area_m2:,.0f}", str(u.points),
                    "—" if u.rounds is None else str(u.rounds)] for u in p.units],
                  widths=(1, 2, 1, 1.2, 1.6, 1.1, 1, 1))
    timing = L(f"评估时段：{p.start or '未定'} 至 {p.end or '未定'}；采样频次：{p.frequency or '未定'}。",
               f"Evaluation period: {p.start or 'not set'} to {p.end or 'not set'}; sampling: {p.frequency or 'not set'}.")
    who = [L(f"评估机构：{p.institution}", f"Evaluating institution: {p.institution}")] if p.institution else []
    points = L("采样点数按方案记录；标准按面积规定的最少点数，其原文未收录于本平台，未作核对。",
               "Points as the plan records them; the standard's minimum by area is not held here and was not checked.")
    return [Section(L("效果评估方案", "Evaluation plan"),
                    [L(f"方案记录日期：{p.recorded_on}", f"Plan recorded on {p.recorded_on}")] + who, unchecked=True),
            Section(L("评估范围与评估单元", "Scope and evaluation units"), [units], level=2, unchecked=True),
            Section(L("采样布点", "Sampling points"), [points], level=2, unchecked=True),
            Section(L("评估时间与频次", "Timing"), [timing], level=2, unchecked=True)]


def _methods(s: EvaluationStructure, lang: str) -> Section:
    L = lambda zh, en: _t(lang, zh, en)  # noqa: E731
    blocks: list = []
    if s.plan is not None:
        blocks.append(Table([L("评估单元", "Unit"), L("介质", "Medium"), L("评估方法", "Rule")],
                            [[u.unit, L(*MEDIA[u.medium]), L(u.rule[1], u.rule[2])] for u in s.plan.units],
                            widths=(1, 1.2, 4)))
    if s.targets:
        blocks.append(Table([L("场地", "Site"), L("指标", "Indicator"), L("基线", "Baseline"), L("目标值", "Target"),
                             L("单位", "Unit"), L("目标日期", "Target date")],
                            [[t["site_id"], indicator_label(t["indicator"], lang), _num(t.get("baseline")), _num(t.get("target")),
                              str(t.get("unit") or ""), str(t.get("target_date") or "—")] for t in s.targets]))
    blocks.append(L("浓度类指标：样品数不少于 8 个时，均值 95% 置信上限不高于标准值且无样品超过 2 倍标准值为达标，"
                    "少于 8 个时逐一对比（HJ 25.5-2018，未对照原文核对）；地下水风险管控单元：Mann-Kendall 趋势检验，"
                    "浓度不呈显著上升为达标（HJ 25.6-2019 的通行概述，未核对）；生态指标：最近观测均值与目标值比较。",
                    "Concentrations: 95 % UCL ≤ standard and no sample > 2 × standard from 8 samples, else each sample "
                    "(HJ 25.5-2018, not checked); groundwater risk control: Mann-Kendall, not rising (HJ 25.6-2019 as "
                    "commonly summarised, not checked); ecological indicators: mean of the last observations vs target."))
    return Section(L("评估标准与方法", "Standards and methods"), blocks, unchecked=True)


def _results(s: EvaluationStructure, lang: str) -> list[Section]:
    L = lambda zh, en: _t(lang, zh, en)  # noqa: E731
    latest = s.latest
    out = []
    if latest is None:
        blocks = [L("本案尚无平台计算的效果评估（restoration monitor evaluate）。", "No stored evaluation yet.")]
    else:
        rows = []
        for i in latest["indicators"]:
            ev = i.get("evidence") or {}
            stat = f"UCL={_num(ev['ucl'])}" if "ucl" in ev else (
                f"{L(*TRENDS[ev['trend']])}, p={_num(ev.get('p'), 3)}" if "trend" in ev else
                f"{L('均值', 'mean')}={_num(ev.get('mean'))}")
            rule = RULES.get(str(i.get("rule")), (str(i.get("rule_zh")), str(i.get("rule"))))
            rows.append([str(i.get("site_id")), indicator_label(str(i.get("indicator")), lang),
                         rule[0] if lang == "zh" else rule[1], str(i.get("n", "")), stat,
                         _num(i.get("target")), L(*_PASS[i.get("passed")])])
        blocks = [L(f"评估编号 {latest['evaluation_id']}，评估基准日 {latest['as_of']}：{latest['n_passed']} 项达标，"
                    f"{latest['n_failed']} 项未达标，共 {latest['n_indicators']} 项。",
                    f"Evaluation {latest['evaluation_id']} as of {latest['as_of']}: {latest['n_passed']} passed, "
                    f"{latest['n_failed']} failed of {latest['n_indicators']}."),
                  Table([L("场地", "Site"), L("指标", "Indicator"), L("规则", "Rule"), "n", L("统计量", "Statistic"),
                         L("标准/目标", "Standard"), L("结果", "Result")], rows, widths=(1, 1.2, 2.6, 0.5, 1.6, 1, 0.9))]
    out.append(Section(L("评估结果", "Results"), blocks, unchecked=True))
    if s.controls:
        ctrl = Table([L("场地", "Site"), L("指标", "Indicator"), L("受损年份", "Disturbed"), L("对照像元数", "Controls"),
                      L("差中差", "Effect"), L("相对恢复", "Relative recovery"), L("结论", "Verdict")],
                     [[c["site_id"], indicator_label(c["indicator"], lang), str(c.get("disturbance_year") or "—"), str(c.get("n_controls") or "—"),
                       _num(c.get("effect"), 3), _num(c.get("relative_recovery"), 3),
                       c["verdict_zh"] if lang == "zh" else c["verdict_en"]] for c in s.controls])
        blocks = [L("场地与匹配对照区（同地类、受损前水平和趋势相近的像元）的恢复比较（restoration monitor controls 存储结果）。",
                    "Site against matched controls (stored by restoration monitor controls)."), ctrl]
    else:
        blocks = [L("本案场地无已存储的对照区比较。", "No stored control comparison for the case's sites.")]
    out.append(Section(L("对照区比较", "Comparison with controls"), blocks, level=2, unchecked=True))
    return out


def _supplementary(s: EvaluationStructure, lang: str) -> Section:
    L = lambda zh, en: _t(lang, zh, en)  # noqa: E731
    rows = [[e["as_of"], e["evaluation_id"], L(*RESULTS[e["result"]]), f"{e['n_passed']}/{e['n_indicators']}"]
            for e in s.evaluations]
    hist = Table([L("评估基准日", "As of"), L("评估编号", "Evaluation"), L("结论", "Result"), L("达标/指标", "Passed")],
                 rows) if rows else L("无已存储的评估。", "No stored evaluation.")
    steps = Table([L("日期", "Date"), L("事项", "Step"), L("说明", "Note")],
                  [[p["date"], L(*EVENT_LABELS.get(p["event_type"], (p["event_type"], p["event_type"]))),
                    (p["note"] or "") + (L(f"（例外验收：{p['override']['reason']}；依据 {p['override']['document']}）",
                                           f" (override: {p['override']['reason']}; {p['override']['document']})")
                                         if p.get("override") else "")] for p in s.path],
                  widths=(1, 2, 4)) if s.path else L("无记录。", "Nothing recorded.")
    n_sup = sum(p["event_type"] == "supplementary_restoration" for p in s.path)
    lead = L(f"评估未达到或部分达到修复目标的，开展补充修复后重新评估；本案补充修复 {n_sup} 次。",
             f"A failed or partly achieved evaluation leads to supplementary restoration and a new evaluation; "
             f"{n_sup} supplementary restoration(s) recorded.")
    return Section(L("补充修复与再评估", "Supplementary restoration and re-evaluation"), [lead, hist, steps],
                   unchecked=True)


def _satisfaction(s: EvaluationStructure, lang: str) -> Section:
    L = lambda zh, en: _t(lang, zh, en)  # noqa: E731
    v = s.satisfaction
    if v is None:
        text = L("未记录公众满意度调查。", "No public-satisfaction survey recorded.")
    else:
        rate = "—" if v["rate"] is None else f"{v['rate']:.1%}"
        text = L(f"{v['date']} 以“{v['method']}”调查 {v['respondents']} 人，满意 {v['satisfied']} 人，满意率 {rate}"
                 f"{'（' + v['by'] + '）' if v['by'] else ''}。两份草案均未规定满意率要求，本报告不作判定。",
                 f"{v['date']}: {v['respondents']} asked ({v['method']}), {v['satisfied']} satisfied, {rate}. "
                 "Neither seed sets a threshold; none is applied.")
    return Section(L("公众满意度调查", "Public satisfaction"), [text], unchecked=True)


def evaluation_document(s: EvaluationStructure, lang: Literal["zh", "en"] = "zh") -> Document:
    """The report of the structure ``s`` as a Document (every chapter marked unchecked)."""
    L = lambda zh, en: _t(lang, zh, en)  # noqa: E731
    c = s.case
    overview = Table([L("项目", "Item"), L("内容", "Value")],
                     [[L("案件编号", "Case"), str(c["case_id"])], [L("案件名称", "Title"), str(c.get("title") or "")],
                      [L("所在地区", "Region"), str(c.get("region") or "")],
                      [L("赔偿义务人", "Liable party"), str(c.get("liable_party") or "")],
                      [L("赔偿权利人指定部门", "Claimant"), str(c.get("claimant_agency") or "")],
                      [L("规则", "Rules"), str(c.get("profile") or "")]], widths=(1, 3))
    works = [p for p in s.path if p["event_type"] in ("restoration_started", "restoration_completed",
                                                      "supplementary_restoration")]
    works_text = [L(f"{p['date']} {EVENT_LABELS[p['event_type']][0]} {p['note']}".strip(),
                    f"{p['date']} {EVENT_LABELS[p['event_type']][1]} {p['note']}".strip()) for p in works] or \
        [L("未记录修复工程的开始或完成。", "No start or completion of the works recorded.")]
    zh, en = RESULTS[s.result]
    conclusion = [L(f"修复效果评估结论：{zh}。", f"Conclusion: {en}.")]
    if s.result != "pass":
        conclusion.append(L("未达到修复目标的，不予验收，须补充修复并重新评估，或经有权角色记录理由与依据后例外验收。",
                            "Not accepted unless supplementary restoration passes a new evaluation, or an authorised "
                            "override is recorded with its reason and document."))
    if s.accepted_override:
        o = s.accepted_override
        conclusion.append(L(f"{o['date']} 例外验收：{o['reason']}；依据 {o['document']}。",
                            f"{o['date']} accepted by override: {o['reason']}; {o['document']}."))
    sections = [Section(L("项目概况", "Project overview"), [overview], unchecked=True),
                Section(L("修复工程概况", "Restoration works"), works_text, unchecked=True),
                *_plan_sections(s, lang), _methods(s, lang), *_results(s, lang), _supplementary(s, lang),
                _satisfaction(s, lang),
                Section(L("评估结论", "Conclusion"), conclusion, unchecked=True),
                Section(L("长期监测建议", "Long-term monitoring"), [L(z, e) for z, e in s.advice], unchecked=True)]
    latest = s.latest
    return Document(L("生态环境修复效果评估报告", "Restoration effect evaluation report"), sections, lang=lang,
                    subtitle=L(*BASIS),
                    cover=[(L("案件编号", "Case"), str(c["case_id"])), (L("案件名称", "Title"), str(c.get("title") or "")),
                           (L("评估编号", "Evaluation"), latest["evaluation_id"] if latest else "—"),
                           (L("评估基准日", "As of"), latest["as_of"] if latest else "—"),
                           (L("评估结论", "Result"), L(zh, en))],
                    signatures=[L("评估人", "Evaluator"), L("审核人", "Reviewer")],
                    reference=f"{c['case_id']} {latest['evaluation_id'] if latest else ''}".strip())


def write_evaluation_report(store: Store, case_id: str, *, docx: str | Path | None = None,
                            pdf: str | Path | None = None, lang: Literal["zh", "en"] = "zh") -> list[Path]:
    """Write the report of ``case_id`` to ``docx`` and/or ``pdf``; returns the paths written."""
    doc = evaluation_document(evaluation_structure(store, case_id), lang)
    return [write_document(doc, path, field=option) for path, option in ((docx, "--out"), (pdf, "--pdf"))
            if path is not None]


__all__ = ["BASIS", "evaluation_document", "write_evaluation_report"]
