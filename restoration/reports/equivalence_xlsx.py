"""Excel export of one equivalence run (鉴定评估 appraisal tables).

Sheets: ``Inputs``, ``Debit`` (yearly), ``Credit`` (yearly), ``Result``, ``Uncertainty``. Column
headers are bilingual and carry their unit, e.g. ``贴现权重 weight (-)``,
``贡献 contribution (ha·yr)``. The file is written through :mod:`restoration.workbook` (built
beside the destination and moved into place, so a failed export never leaves a half-written
workbook; text cells never become formulas).
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from equivalence.result import METHOD_LABELS, EquivalenceResult

from ..workbook import workbook_bytes, write_workbook

SHEETS = ("Inputs", "Debit", "Credit", "Result", "Uncertainty")

_QUANTITY_LABELS = {
    "debit": "损害量 debit",
    "debit_value": "损害价值 debit value",
    "credit_per_unit": "单位补偿量 credit per unit",
    "required_scale": "所需规模 required scale",
    "required_area_ha": "所需面积 required area",
}


def _headers(result: EquivalenceResult, side: str) -> dict[str, str]:
    """Bilingual column headers with units for the yearly tables."""
    unit = result.scale_unit
    resource = result.variant == "resource"
    u = result.resource_unit or "units"  # REA units by name (bird-years, m³·a, t)
    h = {"category": "损害类别 injury category", "parcel": "替代地块 parcel", "share": "份额 share (-)",
         "year": "年份 year", "read_at": "读数时点 read at (yr)", "weight": "贴现权重 weight (-)",
         "perpetuity_tail": "永续尾项 perpetuity tail (row = T+1…∞)"}
    if side == "debit":
        if resource:
            h |= {"level": f"损失量 lost ({u}/yr)", "loss": f"损失 loss ({u}/yr)",
                  "contribution": f"贡献 contribution ({u})"}
        else:
            h |= {"baseline": "基线 baseline (level unit)", "level": "服务水平 level (level unit)",
                  "loss": "损失比例 loss (-)", "contribution": "贡献 contribution (ha·yr)",
                  "value_contribution": "价值贡献 value contribution (yuan)"}
    else:
        if resource:
            h |= {"level": f"增量 gained ({u}/yr per {unit})", "gain": f"增益 gain ({u}/yr per {unit})",
                  "contribution": f"贡献 contribution ({u} per {unit})"}
        else:
            h |= {"baseline": "参照基线 reference baseline (level unit)",
                  "initial_level": "初始水平 initial level (level unit)", "level": "修复水平 level (level unit)",
                  "gain": "增益比例 gain (-)", "contribution": f"贡献 contribution (ha·yr per {unit})",
                  "value_contribution": f"价值贡献 value contribution (yuan per {unit})"}
    return h


def _input_unit(key: str, result: EquivalenceResult) -> str:
    inputs = result.inputs
    last = key.split(".")[-1].split("[")[0]
    if key.startswith("injury.area") and last == "area":
        return inputs.get("injury", {}).get("area_unit", "ha")
    units = {
        "base_year": "year", "price_year": "year", "start_year": "year", "end_year": "year",
        "discount_rate": "1/yr", "unit_value": "yuan/(ha·yr)", "relative_value": "-",
        "unit_cost": f"yuan per {result.scale_unit}", "initial_level": "level unit",
        "levels": "[year, level]", "baseline": "level unit or [year, level]",
        "lost_units": "[year, units/yr]", "units_per_project_unit": "[year, units/yr per unit]",
    }
    return units.get(last, "")


def _flatten(d: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = []
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping) and "dist" not in v and "shape" not in v:
            rows += _flatten(v, key + ".")
        else:
            rows.append((key, v if isinstance(v, (int, float, str)) or v is None
                         else json.dumps(v, ensure_ascii=False)))
    return rows


def _inputs_frame(result: EquivalenceResult) -> pd.DataFrame:
    rows = [(k, v, _input_unit(k, result)) for k, v in _flatten(result.inputs)]
    for path, pts in result.trajectories.items():
        rows.append((f"{path} (expanded 展开)", json.dumps(pts, ensure_ascii=False), "[year, value]"))
    rows.append(("software version 软件版本", result.version, ""))
    if result.source:
        rows.append(("source file 情景文件", result.source.get("file"), ""))
        rows.append(("source sha256", result.source.get("sha256"), ""))
    return pd.DataFrame(rows, columns=["参数 key", "值 value", "单位 unit"])


def _result_frame(result: EquivalenceResult) -> pd.DataFrame:
    u = result.units
    rows: list[tuple[str, Any, str]] = [
        ("方法 method", METHOD_LABELS[result.variant], ""),
        ("基准年 base year", result.base_year, "year"),
        ("贴现率 discount rate", result.discount_rate, "1/yr"),
        ("时点 timing", result.timing, ""),
    ]
    for key, value in result.headline().items():
        if value is not None:
            rows.append((_QUANTITY_LABELS[key], value, u.get(key, "")))
    rows.append(("规模单位 scale unit", result.scale_unit, ""))
    for note in result.notes:
        rows.append(("说明 note", note, ""))
    return pd.DataFrame(rows, columns=["指标 quantity", "数值 value", "单位 unit"])


def _uncertainty_frames(result: EquivalenceResult) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    mc = result.monte_carlo
    if mc is None:
        return pd.DataFrame({"说明 note": ["未运行蒙特卡洛 Monte Carlo not run (no draws requested)"]}), None
    rows = []
    for key, p in mc.percentiles.items():
        row = {"指标 quantity": _QUANTITY_LABELS.get(key, key)}
        row |= {k.upper(): v for k, v in p.items() if k.startswith("p")}
        row |= {"均值 mean": p["mean"], "标准差 std": p["std"], "单位 unit": result.units.get(key, "")}
        rows.append(row)
    summary = pd.DataFrame(rows)
    summary.loc[len(summary)] = {"指标 quantity": f"抽样次数 draws = {mc.draws}, 随机种子 seed = {mc.seed}"}
    sens = mc.sensitivity.rename(columns={
        "input": "输入 input", "dist": "分布 distribution", "input_low": "输入低值 input at P5",
        "input_high": "输入高值 input at P95", "output": "输出 output", "at_low": "输出(低) output at input P5",
        "at_high": "输出(高) output at input P95", "base": "确定性值 deterministic", "swing": "摆幅 swing"})
    return summary, sens


def write_equivalence_xlsx(result: EquivalenceResult, path: str | os.PathLike) -> Path:
    """Write ``result`` to an Excel workbook at ``path`` (.xlsx) and return the path."""
    return write_workbook(path, equivalence_sheets(result))


def equivalence_xlsx(result: EquivalenceResult) -> bytes:
    """The workbook of :func:`write_equivalence_xlsx` as bytes (a download button)."""
    return workbook_bytes(equivalence_sheets(result))


def equivalence_sheets(result: EquivalenceResult) -> dict[str, Any]:
    """The workbook's sheets (``SHEETS``); the uncertainty sheet holds the one-at-a-time
    sensitivity table under its summary, with a caption."""
    debit = result.debit_yearly.rename(columns=_headers(result, "debit"))
    if result.credit_yearly is not None:
        credit = result.credit_yearly.rename(columns=_headers(result, "credit"))
    else:
        credit = pd.DataFrame({"说明 note": [
            "等价值(价值-成本)法无补偿时间序列 value-to-cost has no credit series: "
            f"required scale = debit value / unit cost ({result.credit_per_unit:,.2f} "
            f"yuan per {result.scale_unit})"]})
    summary, sens = _uncertainty_frames(result)
    uncertainty: Any = summary
    if sens is not None and not sens.empty:
        uncertainty = [summary, "单因素敏感性 one-at-a-time sensitivity (tornado)", sens]
    return {"Inputs": _inputs_frame(result), "Debit": debit, "Credit": credit, "Result": _result_frame(result),
            "Uncertainty": uncertainty}
