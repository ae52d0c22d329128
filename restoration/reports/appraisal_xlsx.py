"""Appraisal workbooks (鉴定评估表格).

* :func:`write_abatement_xlsx` — one imputed-abatement calculation: the table of inputs,
  intermediates and result with sources and ``verified`` flags, unit-cost candidates, notes.
* :func:`write_case_appraisal_xlsx` — one workbook per case in the order an appraisal report
  uses: 1 损害确认 damage confirmation, 2 损害量化 quantification by method, 3 修复方案与费用
  restoration options and costs, 4 等值分析 equivalence, 5 不确定性 uncertainty, and 6 依据
  sources & software version. Sheets without data say so in words (never blank, never ``None``).

Files are written through :mod:`restoration.workbook` (built beside the destination and moved into
place; text cells never become formulas).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from equivalence import __version__

from ..model import AppraisalMethod, CaseClass, Stage
from ..workbook import write_workbook

CASE_SHEETS = ("1 损害确认", "2 损害量化", "3 修复方案与费用", "4 等值分析", "5 不确定性", "6 依据与版本")

_TABLE_HEADERS = {"step": "步骤 step", "symbol": "符号 symbol", "name_zh": "名称", "name_en": "name",
                  "value": "数值 value", "unit": "单位 unit", "source": "来源 source", "verified": "已核实 verified",
                  "origin": "取值方式 origin"}
_STEP = {"input": "输入 input", "intermediate": "中间量 intermediate", "result": "结果 result"}
_ORIGIN = {"input": "鉴定人输入 appraiser input", "table": "系数表 coefficient table", "computed": "计算 computed"}


def _yes(v: bool) -> str:
    return "是 yes" if v else "否 no — 未核实 unverified"


def abatement_table(d: dict[str, Any]) -> pd.DataFrame:
    """The calculation table of an abatement result dict, with bilingual headers and words."""
    df = pd.DataFrame(d["table"])
    df["step"] = df["step"].map(_STEP)
    df["origin"] = df["origin"].map(_ORIGIN)
    df["verified"] = df["verified"].map(_yes)
    return df.rename(columns=_TABLE_HEADERS)


def write_abatement_xlsx(result, path: str | Path) -> Path:
    """Workbook of one imputed-abatement calculation (sheets 计算 Calculation, 单位成本 UnitCost,
    说明 Notes)."""
    return write_workbook(path, abatement_sheets(result))


def abatement_sheets(result) -> dict[str, pd.DataFrame]:
    """The sheets of :func:`write_abatement_xlsx` (for :func:`restoration.workbook.workbook_bytes`)."""
    d = result.to_dict()
    notes = [("方法 method", f"{d['standard_label_zh']} {d['standard_label_en']}"),
             ("公式 formula", f"{d['formula']}; {d['gamma_form']}"),
             ("损害数额 amount (元 yuan)", d["amount_yuan"]), ("损害数额 amount (万元)", d["amount_wan_yuan"]),
             ("全部取值已核实 all values verified", _yes(d["all_verified"]))]
    notes += [("未核实 unverified", u) for u in d["unverified"]]
    notes += [("说明 note", n) for n in d["notes"]]
    notes += [("软件版本 software version", d["version"])]
    if d.get("source"):
        notes += [("输入文件 input file", d["source"]["file"]), ("sha256", d["source"]["sha256"])]
    alts = pd.DataFrame(d["unit_cost_alternatives"]).rename(columns={
        "value": "单位治理成本 unit cost", "basis": "依据 basis", "source": "来源 source", "rank": "优先级 rank",
        "chosen": "采用 chosen"})
    if "采用 chosen" in alts:
        alts["采用 chosen"] = alts["采用 chosen"].map({True: "是 yes", False: "否 no"})
    return {"计算 Calculation": abatement_table(d), "单位成本 UnitCost": alts,
            "说明 Notes": pd.DataFrame(notes, columns=["项目 item", "内容 value"])}


def write_restoration_cost_xlsx(result, path: str | Path) -> Path:
    """Workbook of one restoration-cost estimate (sheets 方案比选 Options, 措施 Measures)."""
    return write_workbook(path, {"方案比选 Options": result.options, "措施 Measures": result.measures})


def _none_sheet(text: str) -> pd.DataFrame:
    return pd.DataFrame({"说明 note": [text]})


def write_case_appraisal_xlsx(store, case_id: str, path: str | Path) -> Path:
    """One workbook per case in appraisal-report order (see the module docstring)."""
    return write_workbook(path, case_appraisal_sheets(store, case_id))


def case_appraisal_sheets(store, case_id: str) -> dict[str, pd.DataFrame]:
    """The sheets of :func:`write_case_appraisal_xlsx`, in report order."""
    from ..appraisal.records import amount_provenance, list_appraisals
    case = store.get("cases", case_id)
    prov = amount_provenance(store, case)
    appraisals = list_appraisals(store, case_id)
    amount = case.get("damage_amount_yuan")
    have_amount = amount is not None and not pd.isna(amount)
    src_label = {"appraisal": "鉴定评估计算 computed by an appraisal", "manual": "手工录入 typed by hand",
                 "claim_items": "索赔项目合计（含鉴定评估计算）sum of the claim items (appraisals included)",
                 None: "未记录 not recorded"}[prov.get("source")]
    confirm = [("案件编号 case id", case_id), ("案件名称 title", case.get("title")),
               ("案件类别 class", f"{CaseClass(case['case_class']).zh} {CaseClass(case['case_class']).en}"),
               ("办理阶段 stage", f"{Stage(case['stage']).zh} {Stage(case['stage']).en}"),
               ("赔偿义务人 liable party", case.get("liable_party") or "—"),
               ("损害发生日期 incident date", str(case.get("incident_date") or "—")),
               ("损害数额 damage amount (元 yuan)", float(amount) if have_amount else "未记录 not recorded"),
               ("损害数额 (万元)", float(amount) / 1e4 if have_amount else "—"),
               ("数额来源 amount source", src_label)]
    if prov.get("source") == "appraisal":
        confirm += [("依据的评估 appraisal", prov["appraisal_id"]),
                    ("量化方法 method", f"{prov['method_zh']} {prov['method_en']}"),
                    ("评估人 appraiser", prov["appraiser"]), ("评估日期 date", prov["appraised_on"])]
    for it in prov.get("items", []):
        confirm.append((f"索赔项目 claim item {it['claim_id']}", f"{it['item_zh']}：{it['amount_yuan']:,.2f} 元；{it['source']}"))
    used_ids = {it.get("appraisal_id") for it in prov.get("items", [])} | {prov.get("appraisal_id")}
    sheets: dict[str, pd.DataFrame] = {
        CASE_SHEETS[0]: pd.DataFrame([(k, "—" if v is None or (isinstance(v, float) and pd.isna(v)) else v)
                                      for k, v in confirm], columns=["项目 item", "内容 value"])}

    quant, options, equiv, unc = [], [], [], []
    for r in appraisals.to_dict("records"):
        res = r["result"] if isinstance(r["result"], dict) else json.loads(r["result"] or "{}")
        m = AppraisalMethod(r["method"])
        used = r["appraisal_id"] in used_ids
        quant.append({"评估编号 appraisal": r["appraisal_id"], "方法 method": f"{m.zh} {m.en}",
                      "依据 standard": res.get("standard_label_zh") or r.get("standard") or "—",
                      "损害数额 amount (元 yuan)": r["amount_yuan"], "评估人 appraiser": r["appraiser"],
                      "日期 date": str(r["appraised_on"]), "取值均已核实 all verified": _yes(bool(r["all_verified"])),
                      "采用 used for the case": "是 yes" if used else "否 no",
                      "软件版本 version": r["software_version"]})
        if r["method"] == "abatement" and res.get("table"):
            for row in res["table"]:
                quant.append({"评估编号 appraisal": r["appraisal_id"], "方法 method": f"  {row['symbol']} {row['name_zh']}",
                              "依据 standard": row["source"], "损害数额 amount (元 yuan)": row["value"],
                              "评估人 appraiser": row["unit"], "日期 date": "",
                              "取值均已核实 all verified": _yes(row["verified"]), "采用 used for the case": "",
                              "软件版本 version": ""})
        if r["method"] == "restoration_cost":
            for o in res.get("options", []):
                options.append({"评估编号 appraisal": r["appraisal_id"], "方案 option": o["option"],
                                "所需规模 required scale": o.get("required_scale"), "单位 unit": o.get("scale_unit") or "—",
                                "固定费用 fixed (元)": o["fixed_cost_yuan"],
                                "单位规模费用 per unit (元)": o["per_unit_cost_yuan"],
                                "预备费率 contingency": o["contingency_rate"], "合计 total (元)": o["total_yuan"],
                                "排序 rank": o["rank"], "最低 lowest": "是 yes" if o["lowest"] else "否 no"})
            for name, e in (res.get("equivalence") or {}).items():
                equiv.append({"评估编号 appraisal": r["appraisal_id"], "方案 option": name,
                              "方法 method": e.get("method_label"), "损害量 debit": e.get("debit"),
                              "单位补偿量 credit per unit": e.get("credit_per_unit"),
                              "所需规模 required scale": e.get("required_scale"), "单位 unit": e.get("scale_unit")})
        if r["method"] == "equivalence":
            equiv.append({"评估编号 appraisal": r["appraisal_id"], "方案 option": "—",
                          "方法 method": res.get("method_label"), "损害量 debit": res.get("debit"),
                          "单位补偿量 credit per unit": res.get("credit_per_unit"),
                          "所需规模 required scale": res.get("required_scale"), "单位 unit": res.get("scale_unit")})
            for key, p in (res.get("percentiles") or {}).items():
                unc.append({"评估编号 appraisal": r["appraisal_id"], "指标 quantity": key, **p})
        for u in res.get("unverified", []) or []:
            unc.append({"评估编号 appraisal": r["appraisal_id"], "指标 quantity": "未核实取值 unverified value",
                        "说明 note": u})
    sheets[CASE_SHEETS[1]] = pd.DataFrame(quant) if quant else _none_sheet("尚无鉴定评估结果 no appraisal recorded")
    sheets[CASE_SHEETS[2]] = pd.DataFrame(options) if options else _none_sheet("尚无修复方案费用测算 no restoration-cost estimate recorded")
    sheets[CASE_SHEETS[3]] = pd.DataFrame(equiv) if equiv else _none_sheet("尚无等值分析 no equivalence analysis recorded")
    sheets[CASE_SHEETS[4]] = pd.DataFrame(unc) if unc else _none_sheet("未做不确定性分析，所有取值已核实 no uncertainty analysis and no unverified value recorded")
    sheets[CASE_SHEETS[5]] = pd.DataFrame(
        [("软件 software", "restoration-platform"), ("版本 version", __version__),
         ("系数表 coefficients", "restoration/appraisal/coefficients/abatement.toml (每个取值附来源与核实标记 each value with source and verified flag)"),
         ("方法说明 methods", "docs/appraisal.md")], columns=["项目 item", "内容 value"])
    return sheets
