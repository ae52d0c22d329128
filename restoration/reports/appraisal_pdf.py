"""A printable PDF of one calculation (计算书): title, inputs, formula, the yearly or step table,
the result, unverified values and the software version, with a Chinese font embedded.

Uses reportlab with WenQuanYi Micro Hei (Debian ``fonts-wqy-microhei``; ``.ci/run`` installs it);
the font is embedded as a TrueType subset so the PDF prints the same anywhere.
"""
from __future__ import annotations

import datetime as _dt
import io
import re
from pathlib import Path
from typing import Any

from ..appraisal.abatement import coefficient_tables
from ..appraisal.common import plain_number, yuan_text
from ..appraisal.manifest import embed_in_pdf
from ..document import cjk_font, numbered_canvas
from ..files import write_bytes
from ..messages import word

def _today() -> _dt.date:
    from ..config import today
    return today()


def _fmt(v: Any) -> str:
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float):
        if v != v:
            return "—"
        return plain_number(v)
    return "—" if v is None else str(v)


#: the input file's keys in Chinese (the PDF shows no raw YAML keys)
_KEY_ZH = {"standard": "依据方法", "title": "名称", "function_class": "环境功能区类别", "pollutants": "污染物",
           "name": "名称", "discharge": "排放数量", "amount": "数量", "unit": "单位", "source": "来源",
           "unit_cost": "单位治理成本", "value": "数值", "basis": "取值依据", "coefficients": "系数",
           "note": "说明", "reason": "理由", "case_id": "案件编号", "price_year": "价格基准年", "notes": "说明",
           "appraiser": "评估人", "date": "日期", "exceedance": "超标", "measured": "实测浓度", "limit": "标准限值"}


def _input_row(key: str, value: str) -> tuple[str, str]:
    """One input row with its key path in Chinese (``pollutants[1].discharge.amount`` → 污染物2 排放数量
    数量) and coded values as their labels."""

    words = []
    for part in key.split("."):
        m = re.fullmatch(r"(\w+)\[(\d+)\]", part)
        words.append(f"{_KEY_ZH.get(m.group(1), m.group(1))}{int(m.group(2)) + 1}" if m else _KEY_ZH.get(part, part))
    tables = coefficient_tables()
    last = key.split(".")[-1]
    if last == "standard" and value in tables["forms"]:
        value = tables["forms"][value]["name_zh"]
    elif last == "function_class":
        value = next((f["ranges"][value]["name_zh"] for f in tables["forms"].values() if value in f.get("ranges", {})),
                     value)
    elif last == "basis" and value in tables["unit_cost_basis"]["labels"]:
        value = tables["unit_cost_basis"]["labels"][value]["zh"]
    elif last == "unit" and value == "m3":
        value = "m³"
    return " ".join(words), value


def _flatten(d: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Inputs as (key path, value) rows; trajectories and lists of numbers stay on one line."""
    rows: list[tuple[str, str]] = []
    if isinstance(d, dict):
        for k, v in d.items():
            rows += _flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(d, list) and d and all(isinstance(x, dict) for x in d):
        for i, x in enumerate(d):
            rows += _flatten(x, f"{prefix}[{i}]")
    else:
        rows.append((prefix, str(d)))
    return rows


def write_calculation_pdf(title: str, formula_lines: list[str], table_header: list[str], table_rows: list[list[Any]],
                          result_lines: list[str], path: str | Path, *, notes: list[str] | None = None,
                          version: str = "", inputs: list[tuple[str, str]] | None = None,
                          year_columns: tuple[int, ...] = (), manifest: dict | None = None,
                          reference: str = "") -> Path:
    """Write the calculation PDF (A4). Every user-supplied string is drawn as text (no markup).
    ``manifest`` (:mod:`restoration.appraisal.manifest`) is attached to the PDF as
    ``manifest.json`` and its sha256 printed under the result. Every page is numbered
    "第 N 页 共 M 页" with ``reference`` (the input file's hash) in its footer, and the sheet ends
    with the lines where the one who calculated and the one who checked sign and date it (so it
    can be attached to a report as signed)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
    from xml.sax.saxutils import escape

    font = cjk_font()
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13)
    head = ParagraphStyle("head", fontName=font, fontSize=15, leading=20, spaceAfter=6)
    sub = ParagraphStyle("sub", fontName=font, fontSize=11, leading=15, spaceBefore=8, spaceAfter=4)
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10)

    def p(text: str, style=body):
        return Paragraph(escape(str(text)), style)

    story = [p(title, head), p(f"生成日期 generated {_today().isoformat()} · 软件版本 software version {version}")]
    width = A4[0] - 30 * mm
    if inputs:
        story.append(p("输入 Inputs", sub))
        it = Table([[p(k, cell), p(v, cell)] for k, v in inputs], colWidths=[width * 0.35, width * 0.65])
        it.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.lightgrey), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story.append(it)
    story.append(p("公式 Formula", sub))
    story += [p(line) for line in formula_lines]
    story.append(p("计算过程 Calculation", sub))
    def cellv(i, v):  # years and read times without thousands separators
        return p(f"{v:g}" if i in year_columns and isinstance(v, (int, float)) else _fmt(v), cell)
    data = [[p(h, cell) for h in table_header]] + [[cellv(i, v) for i, v in enumerate(row)] for row in table_rows]
    t = Table(data, repeatRows=1, colWidths=[width / len(table_header)] * len(table_header))
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                           ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                           ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [t, p("结果 Result", sub)]
    story += [p(line) for line in result_lines]
    if notes:
        story.append(p("说明 Notes", sub))
        story += [p("• " + n) for n in notes]
    if manifest is not None:
        story.append(p("复核清单 Re-performance manifest", sub))
        story.append(p(f"本计算书附有复核清单 manifest.json（sha256 {manifest['manifest_sha256']}）："
                       "输入文件及其哈希、系数表版本及哈希、软件版本、随机种子与抽样次数、全部结果数值及其哈希。"
                       "复核：restoration appraisal verify 本文件.pdf"))
    story.append(Spacer(1, 14))
    story.append(Table([[p(role, cell), p("签字 signature：", cell), p("日期 date：", cell)] for role in SIGNERS],
                       colWidths=[width * 0.34, width * 0.38, width * 0.28], rowHeights=[28] * len(SIGNERS),
                       style=[("LINEBELOW", (1, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                      bottomMargin=18 * mm, title=title, author="restoration-platform").build(
        story, canvasmaker=numbered_canvas("第 {n} 页 共 {m} 页 page {n} of {m}", reference))
    data = buf.getvalue() if manifest is None else embed_in_pdf(buf.getvalue(), manifest)
    return write_bytes(path, data)


#: who signs a calculation sheet (the report adds the institution's reviewer and seal)
SIGNERS = ("计算人 calculated by", "复核人 checked by")


def _reference(d: dict) -> str:
    """The footer's reference: the input file's name and the start of its hash."""
    src = d.get("source") or {}
    return f"{Path(str(src.get('file', ''))).name} sha256 {src['sha256'][:16]}" if src.get("sha256") else ""


def _tau_note(d: dict) -> list[str]:
    """Where τ came from when it was read off the exceedance tiers: the tiers and their source."""
    if not any(r["symbol"] == "τ" and r["origin"] == "table" for r in d["table"]):
        return []
    meta = coefficient_tables()["forms"][d["standard"]]["coefficients"]["tau"]
    bounds, values = meta["tier_upper_bounds"], meta["tier_values"]
    tiers = [f"κ ≤ {b:g} → {v:g}" for b, v in zip(bounds, values)] + [f"κ > {bounds[-1]:g} → {values[-1]:g}"]
    return [f"超标系数 τ 按最大超标倍数 κ 分档取值（{'；'.join(tiers)}），来源：{meta.get('source_zh') or meta['source']}"
            f"{'' if meta['verified'] else '（未核实）'}"]


def abatement_pdf(result, path: str | Path, *, manifest: dict | None = None) -> Path:
    """The calculation sheet of an imputed-abatement result (notes and sources in Chinese)."""
    d = result.to_dict()
    step = {"input": "输入", "intermediate": "中间量", "result": "结果"}
    rows = [[step[r["step"]], r["symbol"], f"{r['name_zh']} {r['name_en']}", r["value"], r["unit"],
             r.get("source_zh") or r["source"], "是" if r["verified"] else "否（未核实）"] for r in d["table"]]
    items = [f"  {i['name']}：{yuan_text(i['amount_yuan'])}" for i in d["items"]]
    title = f"虚拟治理成本法计算书 Imputed abatement cost — {d.get('title') or d['standard_label_zh']}"
    return write_calculation_pdf(
        title, [f"{d['standard_label_zh']} / {d['standard_label_en']}", f"{d['formula']},  {d['gamma_form']}"],
        ["步骤 step", "符号 symbol", "名称 name", "数值 value", "单位 unit", "来源 source", "已核实 verified"], rows,
        items + [f"损害数额{'合计' if items else ''} damage amount D = {yuan_text(d['amount_yuan'])}"],
        path, notes=[f"未核实：{u}" for u in d["unverified_zh"]] + [word(n, "zh") for n in result.notes]
        + _tau_note(d), version=d["version"], manifest=manifest, reference=_reference(d),
        inputs=[_input_row(k, v) for k, v in _flatten(d["inputs"]) if not k.startswith(("unit_cost", "coefficients"))]
        + ([("输入文件 input file", d["source"]["file"]), ("sha256", d["source"]["sha256"])] if d.get("source") else []))


def equivalence_pdf(result, path: str | Path, *, manifest: dict | None = None) -> Path:
    """The calculation sheet of an equivalence run: inputs, formula, yearly debit table, result."""
    d = result.to_dict()
    u = result.units
    rows = []
    for r in d["yearly"]["debit"]:
        rows.append([r.get("category", ""), r["year"], r.get("read_at"), r.get("level"), r.get("loss"), r.get("weight"),
                     r.get("contribution")])
    weight = {"compound": "w(t) = (1 + r)^(B − t)", "one_minus_d": "w(t) = (1 − d)^(t − B)",
              "continuous": "w(t) = e^(−ρ (t − B))"}[d["discount_convention"]]
    formula = [f"{d['method_label']}; 基准年 base year {d['base_year']}; 贴现率 rate {d['discount_rate']:g} "
               f"({d['discount_convention']}); timing {d['timing']}", weight,
               "D = A · Σ_t max(0, (b(t) − x(t)) / b(t)) · w(t);  S = D / c" if result.variant != "resource"
               else "D = Σ_t L(t) · w(t);  S = D / c"]
    res = [f"损害 debit D = {d['debit']:,.6f} {u.get('debit', '')}",
           f"单位补偿量 credit per unit c = {d['credit_per_unit']:,.6f} {u.get('credit_per_unit', '')}",
           f"所需规模 required scale S = {d['required_scale']:,.6f} {u.get('required_scale', '')}"]
    if d.get("debit_value") is not None:
        res.append(f"损害价值 debit value = {d['debit_value']:,.2f} 元 yuan")
    for c in d.get("categories") or []:
        res.append(f"  损害类别 category {c['name']}: {c['debit']:,.6f} {u.get('debit', '')}")
    for pc in d.get("parcels") or []:
        res.append(f"  替代地块 parcel {pc['name']} (share {pc['share']:g}): credit {pc['credit_per_unit']:,.6f}, "
                   f"scale {pc['required_scale']:,.6f} {d['scale_unit']}")
    return write_calculation_pdf("等值分析计算书 Equivalence calculation", formula,
                                 ["类别 category", "年份 year", "读数时点 read at", "水平 level", "损失 loss",
                                  "权重 weight", f"贡献 contribution ({u.get('debit', '')})"], rows, res, path,
                                 notes=d["notes"], version=d["version"], inputs=_flatten(d["inputs"])
                                 + ([("输入文件 input file", d["source"]["file"])] if d.get("source") else []),
                                 year_columns=(1, 2), manifest=manifest, reference=_reference(d))
