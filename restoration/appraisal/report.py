"""The appraisal report (生态环境损害鉴定评估报告书) of one case, as a :class:`~restoration.document.Document`.

Chapters follow the report-writing annex of GB/T 39791.1-2020 (附录A《生态环境损害鉴定评估报告书的
编制要求》, informative). The annex's text is not held here: only the standard's table of
contents was read (a public mirror), which names the annex and the main text's chapters 5–8
(损害确定, 因果关系分析, 实物量化, 价值量化). Every chapter is therefore marked ``unchecked``.

Content comes from the case: facts (the case record), investigation (its events), causation and
other statements the store does not hold (``content``: a mapping the appraiser supplies), the
quantification (stored appraisals, their claim items and a calculation annex per appraisal), the
equivalence scenario where the case has one, the conclusion. :func:`blocking` lists what is
missing before a report can be issued; :func:`appraisal_report` refuses (exit 2) while any is.
"""
from __future__ import annotations

import json
from typing import Any, Mapping

import pandas as pd

from .. import config
from ..cases.claims import claim_items
from ..cases.events import event_label
from ..document import Document, Section, Table
from ..errors import InputError, Issue
from ..model import CaseClass, Stage
from ..store import Store
from .common import plain_number, yuan_text

#: statements the appraiser supplies (the store does not hold them), each bounded
CONTENT_KEYS = {"institution", "licence", "appraisers", "commissioned_by", "investigation", "damage", "causation",
                "quantification_notes", "conclusion", "special_notes", "report_date", "reference"}
MAX_TEXT = 20_000

_T = {  # chapter titles and fixed wording, Chinese and English
    "title": ("生态环境损害鉴定评估报告书", "Eco-environmental damage appraisal report"),
    "basic": ("基本情况", "General information"), "facts": ("损害事实与案情概要", "Facts of the damage"),
    "basis": ("鉴定评估依据", "Basis of the appraisal"),
    "investigation": ("生态环境损害调查", "Damage investigation"),
    "damage": ("生态环境损害确定", "Determination of the damage"),
    "causation": ("因果关系分析", "Causation analysis"),
    "quant": ("生态环境损害量化", "Quantification of the damage"),
    "claims": ("索赔项目与数额", "Claim items and amounts"),
    "equivalence": ("替代修复等值分析", "Equivalence analysis of alternative restoration"),
    "conclusion": ("鉴定评估结论", "Conclusion"), "special": ("特别事项说明", "Special notes"),
    "annex": ("附件：计算书", "Annex: calculation sheets"),
    "none": ("无", "none"), "institution": ("鉴定评估机构", "Appraisal institution"),
    "appraisers": ("鉴定评估人员", "Appraisers"), "case_id": ("案件编号", "Case number"),
    "date": ("报告日期", "Report date"), "commissioned": ("委托单位", "Commissioned by"),
    "seal": ("鉴定评估机构（盖章）", "Appraisal institution (seal)"),
    "signer": ("鉴定评估人", "Appraiser"), "reviewer": ("复核人", "Reviewer"),
}


def _t(key: str, lang: str) -> str:
    return _T[key][0 if lang == "zh" else 1]


def check_content(content: Mapping[str, Any] | None, source: str | None = None) -> dict:
    """The appraiser's statements: known keys only, text bounded; ``appraisers`` a list of names."""
    content = dict(content or {})
    issues = [Issue("unknown key; known keys: " + ", ".join(sorted(CONTENT_KEYS)), source=source, field=k)
              for k in content if k not in CONTENT_KEYS]
    for k, v in content.items():
        if k == "appraisers":
            names = v if isinstance(v, list) else [v]
            if not all(isinstance(n, str) and 0 < len(n.strip()) <= 100 for n in names):
                issues.append(Issue("a list of names (each 1–100 characters)", source=source, field=k))
        elif k in CONTENT_KEYS and (not isinstance(v, (str, int, float)) or isinstance(v, bool)
                                    or len(str(v)) > MAX_TEXT):
            issues.append(Issue(f"text of at most {MAX_TEXT:,} characters", source=source, field=k))
    if issues:
        raise InputError(issues)
    if "appraisers" in content and not isinstance(content["appraisers"], list):
        content["appraisers"] = [content["appraisers"]]
    return content


def gather(store: Store, case_id: str, content: Mapping[str, Any] | None = None) -> dict:
    """Everything the report is filled from: the case, its events, appraisals, claim items and
    equivalence scenarios, and the appraiser's ``content``."""
    case = store.get("cases", case_id)
    events = store.read("case_events", case_id=case_id)
    appraisals = store.read("appraisals", case_id=case_id)
    scenarios = store.read("case_scenarios", case_id=case_id)
    content = check_content(content)
    chosen = events[events["event_type"] == "appraisal_institution_selected"] if not events.empty else events
    details = [d if isinstance(d, dict) else json.loads(d or "{}") for d in chosen.get("details", [])]
    institution = content.get("institution") or next((d.get("institution") for d in details if d.get("institution")),
                                                     None)
    appraisers = content.get("appraisers") or sorted({str(a) for a in appraisals.get("appraiser", []) if a})
    report_date = str(content.get("report_date") or config.today().isoformat())
    return {"case": dict(case), "events": events, "appraisals": appraisals, "claims": claim_items(store, case_id),
            "scenarios": scenarios, "content": content, "institution": institution, "appraisers": appraisers,
            "report_date": report_date}


def blocking(g: Mapping[str, Any], lang: str = "zh") -> list[Issue]:
    """What must be there before the report can be issued, each named by its field."""
    zh = lang == "zh"
    case, ev = g["case"], g["events"]
    types = set(ev["event_type"]) if not ev.empty else set()
    need = [
        ("institution", g["institution"], "鉴定评估机构（选取记录或 content.institution）" if zh
         else "the appraisal institution (its selection event, or content.institution)"),
        ("appraisers", g["appraisers"], "鉴定评估人员（已记录的鉴定评估或 content.appraisers）" if zh
         else "the appraisers (of a recorded appraisal, or content.appraisers)"),
        ("incident_date", case.get("incident_date") or case.get("discovered_date"),
         "损害发生或发现日期" if zh else "the date the damage happened or was found"),
        ("investigation", "investigation_reported" in types or g["content"].get("investigation"),
         "调查结论（“调查报告”事件或 content.investigation）" if zh
         else "the investigation's findings (an investigation_reported event, or content.investigation)"),
        ("causation", g["content"].get("causation"), "因果关系分析（content.causation）" if zh
         else "the causation analysis (content.causation)"),
        ("appraisals", not g["appraisals"].empty, "至少一项已记录的损害量化（restoration appraisal record）" if zh
         else "at least one recorded quantification (restoration appraisal record)"),
    ]
    return [Issue(("缺少必备内容：" if zh else "missing mandatory content: ") + what, source=str(case["case_id"]),
                  field=f) for f, value, what in need if not value]


def _event_rows(events: pd.DataFrame, kinds: tuple[str, ...], lang: str) -> list[list[str]]:
    if events.empty:
        return []
    rows = events[events["event_type"].isin(kinds)].sort_values("event_date")
    out = []
    for r in rows.itertuples():
        d = r.details if isinstance(r.details, dict) else json.loads(r.details or "{}")
        note = "；".join(f"{v}" for k, v in d.items() if k in ("institution", "document", "note", "method", "summary"))
        out.append([str(r.event_date)[:10], event_label(r.event_type, lang), note or "—"])
    return out


def _facts(g: Mapping[str, Any], lang: str) -> list:
    c, zh = g["case"], lang == "zh"
    cls = CaseClass(c["case_class"]).zh if zh and c.get("case_class") in CaseClass._value2member_map_ else c.get(
        "case_class")
    stage = Stage(c["stage"]) if c.get("stage") in Stage._value2member_map_ else None
    labels = (("案件名称", "title"), ("行政区", "region"), ("赔偿义务人", "liable_party"), ("赔偿权利人指定部门", "claimant_agency"),
              ("损害发生日期", "incident_date"), ("发现日期", "discovered_date"), ("线索来源", "clue_source")) if zh else (
        ("Title", "title"), ("Region", "region"), ("Liable party", "liable_party"), ("Claimant agency", "claimant_agency"),
        ("Incident date", "incident_date"), ("Discovered", "discovered_date"), ("Clue source", "clue_source"))
    rows = [[k, _s(c.get(f))] for k, f in labels]
    rows += [["案件类别" if zh else "Case class", _s(cls)],
             ["办理阶段" if zh else "Stage", (stage.zh if zh else stage.en) if stage else _s(c.get("stage"))]]
    return [Table(["项目" if zh else "Item", "内容" if zh else "Content"], rows, widths=(1, 3))] + (
        [str(g["content"]["damage"])] if g["content"].get("damage") else [])


def _s(v: Any) -> str:
    return "—" if v is None or (isinstance(v, float) and pd.isna(v)) or str(v) == "" else str(v)[:2000]


def _quantification(g: Mapping[str, Any], lang: str) -> list:
    zh = lang == "zh"
    rows = []
    for a in g["appraisals"].itertuples():
        res = a.result if isinstance(a.result, dict) else {}
        label = res.get("standard_label_zh" if zh else "standard_label_en") or a.method
        rows.append([a.appraisal_id, label, _yuan(lang, a.amount_yuan), _s(a.appraiser), str(a.appraised_on)[:10],
                     ("是" if zh else "yes") if a.all_verified else ("否（含未核实取值）" if zh else "no (unverified values)")])
    blocks: list = [Table(["编号" if zh else "No.", "方法" if zh else "Method", "数额" if zh else "Amount",
                           "评估人" if zh else "Appraiser", "日期" if zh else "Date",
                           "取值均已核实" if zh else "All verified"], rows, widths=(1.3, 2.4, 2.2, 1, 1.1, 1.2))]
    if g["content"].get("quantification_notes"):
        blocks.append(str(g["content"]["quantification_notes"]))
    return blocks


def _claims(g: Mapping[str, Any], lang: str) -> list:
    zh = lang == "zh"
    rows = [[c["item_zh"] if zh else c["item_en"], _yuan(lang, c["amount_yuan"]), _s(c["source"])] for c in g["claims"]]
    total = sum(round(c["amount_yuan"] * 100) for c in g["claims"]) / 100
    rows.append(["合计" if zh else "Total", _yuan(lang, total), ""])
    return [Table(["索赔项目" if zh else "Claim item", "数额" if zh else "Amount", "依据" if zh else "Basis"], rows,
                  widths=(1.5, 2, 3))]


def _equivalence(g: Mapping[str, Any], lang: str) -> list:
    zh = lang == "zh"
    sc = g["scenarios"]
    if sc.empty:
        return ["本案未进行替代修复等值分析。" if zh else "No equivalence analysis was made for this case."]
    out: list = []
    for r in sc.itertuples():
        s = r.scenario if isinstance(r.scenario, dict) else json.loads(r.scenario or "{}")
        inj = s.get("injury") or {}
        out.append(("情景 {id}：{t}；方法 {m}；基准年 {b}；贴现率 {d}；受损面积 {a} {u}" if zh else
                    "Scenario {id}: {t}; method {m}; base year {b}; discount rate {d}; injured area {a} {u}").format(
            id=r.scenario_id, t=s.get("title", "—"), m=s.get("method", "—"), b=s.get("base_year", "—"),
            d=s.get("discount_rate", "—"), a=inj.get("area", "—"), u=inj.get("area_unit", "")))
    return out


def _annex(g: Mapping[str, Any], lang: str) -> list[Section]:
    """One calculation sheet per appraisal: its table and its manifest's sha256."""
    zh = lang == "zh"
    sections = []
    for a in g["appraisals"].itertuples():
        res = a.result if isinstance(a.result, dict) else {}
        blocks: list = []
        if res.get("table"):
            blocks.append(Table(["符号" if zh else "Symbol", "名称" if zh else "Name", "数值" if zh else "Value",
                                 "单位" if zh else "Unit", "来源" if zh else "Source"],
                                [[r["symbol"], r["name_zh"] if zh else r["name_en"], _mono(_num(r["value"]), lang),
                                  _mono(r["unit"], lang),
                                  _mono(_s(r.get("source_zh" if zh else "source_en") or r.get("source")), lang)]
                                 for r in res["table"]],
                                widths=(0.6, 1.6, 1.4, 0.8, 3)))
        for i in res.get("items") or []:
            blocks.append(f"{i['name']}：{_yuan(lang, i['amount_yuan'])}")
        blocks.append(("损害数额：" if zh else "Damage amount: ") + _yuan(lang, a.amount_yuan))
        m = res.get("manifest")
        blocks.append(("复核清单 sha256：" if zh else "Manifest sha256: ") + (m["manifest_sha256"] if m else (
            "无（该结果记录于复核清单启用之前）" if zh else "none (recorded before manifests)")))
        sections.append(Section(f"{a.appraisal_id}", blocks, level=2, unchecked=True))
    return sections


#: the calculation table's bilingual cells, in one language
_BILINGUAL = {"元 yuan": ("元", "yuan"), "输入 input": ("输入", "input")}


def _mono(text: str, lang: str) -> str:
    """A cell of the calculation table in the report's language: the table's two-language
    cells (``元 yuan``, a function class ``环境空气 二类区 ambient air zone 2``) in one."""
    if text in _BILINGUAL:
        return _BILINGUAL[text][0 if lang == "zh" else 1]
    cut = next((i for i, ch in enumerate(text) if ch.isascii() and ch.isalpha()), None)
    if cut and text[cut - 1] == " " and any("\u4e00" <= ch <= "\u9fff" for ch in text[:cut]) and text[cut:].isascii():
        return text[:cut].strip() if lang == "zh" else text[cut:].strip()
    return text


def _yuan(lang: str, x: Any) -> str:
    """An amount in the report's language: ``1,234.00 元（0.12 万元）`` / ``1,234.00 yuan (0.12 × 10⁴ yuan)``."""
    if lang == "zh":
        return yuan_text(x)
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "—"
    return f"{v:,.2f} yuan ({v / 10_000:,.2f} × 10⁴ yuan)" if v == v else "—"


def _num(v: Any) -> str:
    return plain_number(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else _s(v)


def build_report(g: Mapping[str, Any], lang: str = "zh") -> Document:
    """The report as a document (chapters unchecked against the standard's annex)."""
    zh, c, content = lang == "zh", g["case"], g["content"]
    inv = _event_rows(g["events"], ("investigation_started", "investigation_reported", "inspection", "expert_opinion"),
                      lang)
    basis = ["《中华人民共和国民法典》第一千二百三十四条、第一千二百三十五条（未核对条文原文）",
             "GB/T 39791.1-2020《生态环境损害鉴定评估技术指南 总纲和关键环节 第1部分：总纲》",
             "GB/T 39793.1/.2-2020 虚拟治理成本法（适用时；见附件计算书所列来源及核实情况）"] if zh else [
        "Civil Code of the PRC, arts. 1234–1235 (text not checked here)",
        "GB/T 39791.1-2020 Technical guidelines for eco-environmental damage appraisal — Part 1: General",
        "GB/T 39793.1/.2-2020 imputed abatement cost (where used; sources and verification in the annex)"]
    sections = [
        Section(_t("basic", lang), [Table(["项目" if zh else "Item", "内容" if zh else "Content"], [
            [_t("case_id", lang), str(c["case_id"])], [_t("institution", lang), _s(g["institution"])],
            ["执业许可" if zh else "Licence", _s(content.get("licence"))],
            [_t("appraisers", lang), "、".join(g["appraisers"]) if g["appraisers"] else "—"],
            [_t("commissioned", lang), _s(content.get("commissioned_by") or c.get("claimant_agency"))],
            [_t("date", lang), g["report_date"]]], widths=(1, 3))], unchecked=True),
        Section(_t("facts", lang), _facts(g, lang), unchecked=True),
        Section(_t("basis", lang), basis, unchecked=True),
        Section(_t("investigation", lang), ([Table(["日期" if zh else "Date", "事项" if zh else "Event",
                                                     "说明" if zh else "Note"], inv, widths=(1, 1.5, 3))] if inv else [])
                + ([str(content["investigation"])] if content.get("investigation") else []), unchecked=True),
        Section(_t("damage", lang), [str(content.get("damage") or ("见第2章损害事实。" if zh else "See chapter 2."))],
                unchecked=True),
        Section(_t("causation", lang), [str(content.get("causation") or "—")], unchecked=True),
        Section(_t("quant", lang), _quantification(g, lang), unchecked=True),
        Section(_t("claims", lang), _claims(g, lang), level=2, unchecked=True),
        Section(_t("equivalence", lang), _equivalence(g, lang), unchecked=True),
        Section(_t("conclusion", lang), _conclusion(g, lang), unchecked=True),
        Section(_t("special", lang), [str(content.get("special_notes") or _t("none", lang)),
                                      "本报告各章标题与顺序未对照 GB/T 39791.1-2020 附录A 原文核对。" if zh else
                                      "The chapters' headings and order were not checked against GB/T 39791.1-2020 "
                                      "Annex A."], unchecked=True),
        Section(_t("annex", lang), [], unchecked=True), *_annex(g, lang)]
    cover = [(_t("case_id", lang), str(c["case_id"])), (_t("institution", lang), _s(g["institution"])),
             (_t("appraisers", lang), "、".join(g["appraisers"]) or "—"), (_t("date", lang), g["report_date"])]
    ref = str(content.get("reference") or f"{c['case_id']} {_t('title', lang)}")
    return Document(_t("title", lang), sections, lang=lang, subtitle=_s(c.get("title")), cover=cover,
                    signatures=[f"{_t('signer', lang)} {n}" for n in g["appraisers"]] + [_t("reviewer", lang)],
                    seal=_t("seal", lang), reference=ref)


def _conclusion(g: Mapping[str, Any], lang: str) -> list:
    zh = lang == "zh"
    total = sum(round(c["amount_yuan"] * 100) for c in g["claims"]) / 100
    line = (f"经鉴定评估，本案生态环境损害数额（索赔项目合计）为 {_yuan(lang, total)}。" if zh else
            f"The eco-environmental damage amount of this case (sum of the claim items) is {_yuan(lang, total)}.")
    unverified = [a.appraisal_id for a in g["appraisals"].itertuples() if not a.all_verified]
    out = [line]
    if unverified:
        out.append(("以下鉴定评估含未经核实的取值，见附件计算书：" if zh else "These appraisals hold unverified values "
                    "(see the annex): ") + "、".join(unverified))
    if g["content"].get("conclusion"):
        out.append(str(g["content"]["conclusion"]))
    return out


def appraisal_report(store: Store, case_id: str, content: Mapping[str, Any] | None = None,
                     lang: str = "zh", *, draft: bool = False) -> tuple[Document, list[dict]]:
    """The report of ``case_id`` and the manifests of its appraisals (to attach to the PDF).
    Raises :class:`InputError` listing every missing mandatory content (nothing written);
    ``draft``: a draft instead, titled so, the missing content listed on its first page."""
    g = gather(store, case_id, content)
    missing = blocking(g, lang)
    if missing and not draft:
        raise InputError(missing)
    manifests = [a.result["manifest"] for a in g["appraisals"].itertuples()
                 if isinstance(a.result, dict) and a.result.get("manifest")]
    doc = build_report(g, lang)
    if draft:
        doc.title += "（草稿，不得出具）" if lang == "zh" else " (draft, not to be issued)"
        doc.sections.insert(0, Section("草稿：出具前须补齐的必备内容" if lang == "zh" else
                                       "Draft: mandatory content missing before issue",
                                       [str(i.message) for i in missing] or [_t("none", lang)]))
    return doc, manifests


__all__ = ["appraisal_report", "build_report", "gather", "blocking", "check_content", "CONTENT_KEYS"]
