"""A printable case report (案件报告) as one self-contained HTML page (print to PDF from a browser).

Staff-facing: it carries the liable party and the record as it stands; the public page never
uses it.
"""
from __future__ import annotations

import html
from datetime import date

import pandas as pd

from .. import config
from .._version import __version__
from ..cases import case_record
from ..cases.events import event_label
from ..model import CaseClass, RestorationMode, Role, Stage
from ..store import Store

_CSS = """
body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif;margin:2em;color:#222}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;border-bottom:1px solid #999;margin-top:1.6em}
table{border-collapse:collapse;width:100%;font-size:.9em}th,td{border:1px solid #bbb;padding:3px 6px;text-align:left}
th{background:#eee}.overdue{color:#b71c1c;font-weight:bold}.meta{color:#555;font-size:.85em}
@media print{body{margin:1cm}h2{page-break-after:avoid}table{page-break-inside:auto}}
"""


def _yuan(v) -> str:
    return "—" if v is None or v != v else f"{v / 1e4:,.2f} 万元（{v:,.0f} 元）"


def _table(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "<p>—</p>"
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for _, r in frame.iterrows():
        cls = ' class="overdue"' if r.get("逾期 overdue") == "是" else ""
        rows.append(f"<tr{cls}>" + "".join(f"<td>{html.escape('' if v is None or v != v else str(v))}</td>"
                                           for v in r.to_numpy()) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _procedure_parts(proc: dict) -> list[str]:
    """The procedure around the case: jurisdiction, joint handling, supervision,
    public comment, credit, offset — every value escaped by ``_table``."""
    rows = []
    j = proc.get("jurisdiction")
    if j:
        rows.append(("管辖 jurisdiction", f"{j['level_zh']} · {j['handling_region']}"
                     + (f" · {j['designated_department']}" if j.get("designated_department") else "")))
    for k in proc.get("joint_handling", []):
        rows.append(("联合办案 joint handling", f"牵头 {k['lead_department']}：{'、'.join(k['departments'])}"))
    for g in proc.get("joint_investigation_groups", []):
        rows.append(("联合调查组 joint investigation group", f"{g['lead_department']}：{'、'.join(g['members'])}"))
    x = proc.get("exclusion")
    if x:
        rows.append(("筛查排除 excluded", f"{x['zh']}（{x['source']}）"))
    sched = (proc.get("supervision") or {}).get("schedule", [])
    if sched:
        late = sum(s["status"] == "overdue" for s in sched)
        rows.append(("督办 supervision", f"{sched[0]['authority']}，每 {sched[0]['every_days']} 日报告；逾期 {late} 次"))
    pp = proc.get("public_participation") or {}
    if pp.get("rounds"):
        rows.append(("公众参与 public comment", f"征求意见 {len(pp['rounds'])} 次，意见 {len(pp['comments'])} 条，"
                                             f"未答复 {pp['unanswered']} 条"))
    for c in proc.get("credit", []):
        rows.append(("信用 credit", f"{c['date']} {c['label_zh']} {c.get('measure') or c.get('court') or ''}"))
    off = proc.get("offset")
    if off:
        rows.append(("技改抵扣 offset", f"{off['status_zh']} {off['status_en']} · {off['project']}"))
    for r in proc.get("information_sharing", []):
        rows.append(("信息共享 information shared", f"{r['date']} {r['direction_zh']} {r['with_department']}："
                                                   f"{'、'.join(r['items_zh'])}"))
    for r in proc.get("accountability", []):
        rows.append((f"{r['label_zh']} {r['label_en']}", f"{r['date']} {r['subject']}：{r['why']}"
                     + (f"（{r['measure']}）" if r.get("measure") else "") + f" — {r['decided_by']}"))
    if not rows:
        return []
    return ["<h2>程序 Procedure</h2>", _table(pd.DataFrame(rows, columns=["项目 item", "内容 value"]))]


def case_report_html(store: Store, case_id: str, today: date | None = None) -> str:
    """The case's record, timeline, deadlines, sites, modes, funds, alternative-restoration
    coverage and latest effect evaluation, as printable HTML."""
    today = today or config.today()
    rec = case_record(store, case_id, today=today)
    case = rec["case"]
    sites = store.read("sites", case_id=case_id)
    parts = [f"<h1>{html.escape(case['title'])}</h1>",
             f"<p class='meta'>案件编号 {html.escape(case_id)} · 报告日期 {today.isoformat()} · "
             f"restoration-platform {__version__}</p>",
             "<h2>基本情况 Record</h2>",
             _table(pd.DataFrame([
                 ("办理阶段 stage", f"{Stage(case['stage']).zh} {case['stage']}"),
                 ("案件类别 class", f"{CaseClass(case['case_class']).zh} {case['case_class']}"),
                 ("所在县区 county", case["region"]), ("赔偿义务人 liable party", case.get("liable_party")),
                 ("赔偿权利人指定部门 claimant agency", case["claimant_agency"]),
                 ("损害数额 damage", _yuan(case.get("damage_amount_yuan"))),
                 ("损害发生日期 incident", case.get("incident_date")),
                 ("发现日期 discovered", case.get("discovered_date")),
                 ("线索来源 clue source", case.get("clue_source")),
                 ("修复方式 modes", "、".join(RestorationMode(m).zh for m in case.get("restoration_modes") or [])),
                 ("规则配置 rule profile", " → ".join(rec["profile"]["chain"]) +
                  f"（{rec['profile'].get('key', '')}，按 {rec['profile'].get('judged_on', '')} 施行的版本 version in force on that date）"),
                 ("版本 version", case.get("version")),
             ], columns=["项目 item", "内容 value"]))]
    dl = pd.DataFrame(rec["deadlines"])
    parts.append("<h2>期限 Deadlines</h2>")
    if not dl.empty:
        parts.append(_table(pd.DataFrame({
            "期限 deadline": dl["zh"], "截止日期 due": dl["due_date"], "剩余天数 days left": dl["days_left"].map(lambda d: "" if d is None or d != d else f"{int(d)}"),
            "逾期 overdue": dl["overdue"].map({True: "是", False: ""}), "依据 rule": dl["source"]})))
    else:
        parts.append("<p>—</p>")
    ev = pd.DataFrame(rec["events"])
    parts.append("<h2>办理过程 Events</h2>")
    parts.append(_table(pd.DataFrame({
        "日期 date": ev["event_date"], "事件 event": ev["event_type"].map(event_label),
        "登记人 by": ev["actor"]}) if not ev.empty else ev))
    parts.append("<h2>场地 Sites</h2>")
    parts.append(_table(pd.DataFrame({
        "场地 site": sites["site_id"], "名称 name": sites["name"],
        "类型 role": sites["role"].map(lambda r: Role(r).zh),
        "面积（公顷）ha": sites["area_ha"].round(2), "面积（亩）mu": (sites["area_ha"] * 15).round(1),
        "县区 county": sites["county"]})))
    if rec["modes"]:
        parts.append("<h2>修复方式 Restoration modes</h2>")
        parts.append(_table(pd.DataFrame({
            "方式 mode": [RestorationMode(m["mode"]).zh for m in rec["modes"]],
            "折算金额 value": [_yuan(m.get("value_yuan")) for m in rec["modes"]]})))
    led = rec["ledger"]
    parts.append("<h2>资金 Funds</h2>")
    parts.append(_table(pd.DataFrame([
        ("应收 due", _yuan(led["due_yuan"] or led["scheduled_yuan"])), ("已收 received", _yuan(led["received_yuan"])),
        ("已拨付 disbursed", _yuan(led["disbursed_yuan"])), ("结余 balance", _yuan(led["balance_yuan"])),
        ("逾期欠缴 arrears", _yuan(led["arrears_yuan"]))], columns=["项目 item", "金额 amount"])))
    parts += _procedure_parts(rec.get("procedure") or {})
    evals = store.read("effect_evaluations", case_id=case_id)
    if len(evals):
        last = evals.iloc[-1]
        parts.append("<h2>修复效果评估 Effect evaluation</h2>")
        parts.append(f"<p>{html.escape(str(last['evaluation_id']))} · 评估基准日 {last['as_of']} · "
                     f"结论 <b>{html.escape(str(last['verdict']))}</b> "
                     f"（达标 {last['n_passed']} / 未达标 {last['n_failed']}）</p>")
    body = "\n".join(parts)
    return (f"<!DOCTYPE html><html lang='zh'><head><meta charset='utf-8'><title>{html.escape(case_id)}</title>"
            f"<style>{_CSS}</style></head><body>{body}</body></html>")
