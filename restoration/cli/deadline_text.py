"""How the command line prints deadlines: a case's list (``case show``, ``case deadlines``) and
every case's overdue ones with those that cannot be computed (``case overdue``)."""
from __future__ import annotations

from datetime import date

import click
import pandas as pd

from . import _context
from ..cases.deadlines import STATUS_LABELS

#: the columns of a deadline that cannot be computed in ``case overdue --json``
GAP_COLUMNS = ["case_id", "title", "deadline", "zh", "en", "kind", "missing_zh", "missing_en", "source"]


def print_deadlines(rows: list[dict]) -> None:
    """One case's deadlines, each with its status in both languages, what a deadline that cannot
    be computed lacks, and the rule or event that set it."""
    click.echo("期限 deadlines:")
    if not rows:
        click.echo("  （无 none）")
    for d in rows:
        when = d["due_date"] or "—"
        left = f" ({d['days_left']:+d} d)" if d["days_left"] is not None else ""
        flag = " ⚠逾期 OVERDUE" if d["overdue"] else " ⚠" if d["status"] == "not_computable" else ""
        prov = " [暂定 provisional]" if d["provisional"] else ""
        zh, en = STATUS_LABELS[d["status"]]
        advisory = f" 〔{d['advisory_zh']} {d['advisory_en']}〕" if isinstance(d.get("advisory"), str) else ""
        click.echo(f"  {when}{left}  {d['zh']} / {d['en']}: {zh} {en}{flag}{advisory}{prov}")
        if d.get("missing_zh"):
            click.echo(f"      缺少 missing: {d['missing_zh']} — {d['missing_en']}")
        if d["source"] is not None:
            click.echo(f"      依据 source: {d['source']}{'' if d['verified'] else ' (未核实 unverified)'}")
        if d.get("note") and d["moved"]:
            click.echo(f"      {d['note']}")
        if d["provisional_reason"]:
            click.echo(f"      {d['provisional_reason']}")


def advisory_count(frame: pd.DataFrame) -> int:
    """How many deadlines of ``frame`` are advisory (draft or unverified rule)."""
    return int(frame["advisory"].notna().sum()) if "advisory" in frame and len(frame) else 0


def print_overdue(frame: pd.DataFrame, today: date, as_json: bool) -> None:
    """Every overdue deadline, then the cases whose deadlines cannot be computed and why: "0
    overdue" alone would be a guess while any deadline is unknown."""
    gaps = frame.attrs["not_computable"]
    if as_json:
        _context.echo_json({"today": today.isoformat(), "overdue": frame.to_dict("records"),
                            "overdue_advisory": advisory_count(frame),
                            "not_computable": gaps[GAP_COLUMNS].to_dict("records"),
                            "not_computable_cases": sorted(set(gaps["case_id"])),
                            "not_computed": frame.attrs.get("case_problems", {})})
        return
    for r in frame.to_dict("records"):
        advisory = f"  〔{r['advisory_zh']} {r['advisory_en']}〕" if isinstance(r.get("advisory"), str) else ""
        click.echo(f"{r['case_id']}  {r['due_date']}  逾期 {-int(r['days_left'])} 天 days  {r['zh']} / {r['en']}"
                   f"{advisory}  [{r['source']}]")
    n_adv = advisory_count(frame)
    if n_adv:
        click.echo(f"其中 {n_adv} 项依据草案或未核实的规则，仅供参考 — {n_adv} of them advisory (draft or unverified "
                   f"rule), {len(frame) - n_adv} binding")
    n_gap = gaps["case_id"].nunique()
    if not n_gap:
        click.echo(f"{len(frame)} overdue")
        return
    click.echo(f"逾期 {len(frame)} 项（仅计可计算的期限） {len(frame)} overdue among the deadlines that can be computed")
    click.echo(f"期限无法计算 cannot be computed: {n_gap} cases")
    for r in gaps.to_dict("records"):
        click.echo(f"  {r['case_id']}  {r['zh']} / {r['en']}: {r['missing_zh']} — {r['missing_en']}")
