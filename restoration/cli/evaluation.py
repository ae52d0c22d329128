"""``restoration case evaluation ...``: the effect evaluation with the standard's structure.

    restoration case evaluation plan CASE_ID DATE --file plan.yaml     # units, points, timing, long term
    restoration case evaluation satisfaction CASE_ID DATE --respondents N --satisfied M --method TEXT
    restoration case evaluation show CASE_ID [--json]                  # plan, results, path, advice
    restoration case evaluation report CASE_ID --out F.docx [--pdf F.pdf] [--lang zh|en]

The plan and the survey are case events (``effect_evaluation_plan``, ``public_satisfaction``),
checked and audited as every event; the evaluation itself is ``restoration monitor evaluate``.
A standalone group (:data:`COMMANDS`), added to the ``case`` group by :mod:`restoration.cli.cases`.
"""
from __future__ import annotations

import json

import click

from . import _context
from .types import OutputFile
from ..appraisal.common import read_input
from ..cases import add_event
from ..errors import InputError, Issue
from ..monitoring.evaluation_plan import MEDIA, OBJECTIVES, PLAN_EVENT, RESULTS, SATISFACTION_EVENT, parse_plan
from ..reports.effect_report import write_evaluation_report
from ..reports.effect_structure import evaluation_structure
from ..vocab import EVENT_LABELS


@click.group("evaluation")
def evaluation_group() -> None:
    """修复效果评估 the effect evaluation: plan, satisfaction survey, structure and report."""


@evaluation_group.command("plan")
@click.argument("case_id")
@click.argument("event_date")
@click.option("--file", "file", required=True, type=click.Path(dir_okay=False),
              help="The plan (YAML or JSON): units [unit, site_id, medium, objective, points, area_m2], timing, long_term.")
@_context.actor_opt
@_context.version_opt
def plan_cmd(case_id, event_date, file, actor, expected_version) -> None:
    """Record CASE_ID's evaluation plan (评估方案) dated EVENT_DATE."""
    data, _ = read_input(file)
    details = json.loads(json.dumps(data, default=str, ensure_ascii=False))  # YAML dates as text
    plan = parse_plan(details, source=file)
    add_event(_context.store(), case_id, {"event_type": PLAN_EVENT, "event_date": event_date, "details": details},
              _context.actor(actor), expected_version=expected_version, today=_context.today())
    click.echo(f"已记录 recorded {EVENT_LABELS[PLAN_EVENT][0]}：{len(plan.units)} 个评估单元 units，"
               f"{sum(u.points for u in plan.units)} 个采样点 points")


@evaluation_group.command("satisfaction")
@click.argument("case_id")
@click.argument("event_date")
@click.option("--respondents", type=click.IntRange(min=1), required=True, help="How many were asked.")
@click.option("--satisfied", type=click.IntRange(min=0), required=True, help="How many were satisfied.")
@click.option("--method", required=True, help="How (问卷 questionnaire, 座谈 meeting ...).")
@click.option("--by", "by", default=None, help="Who carried out the survey.")
@click.option("--note", default=None)
@_context.actor_opt
@_context.version_opt
def satisfaction_cmd(case_id, event_date, respondents, satisfied, method, by, note, actor, expected_version) -> None:
    """Record a public-satisfaction survey (公众满意度调查) of CASE_ID."""
    if satisfied > respondents:
        raise InputError(Issue(f"{satisfied} satisfied of {respondents} asked", field="--satisfied"))
    details = {"respondents": respondents, "satisfied": satisfied, "method": method}
    details.update({k: v for k, v in (("by", by), ("note", note)) if v})
    add_event(_context.store(), case_id, {"event_type": SATISFACTION_EVENT, "event_date": event_date,
                                          "details": details}, _context.actor(actor),
              expected_version=expected_version, today=_context.today())
    click.echo(f"已记录 recorded {EVENT_LABELS[SATISFACTION_EVENT][0]}：满意率 {satisfied / respondents:.1%}")


@evaluation_group.command("show")
@click.argument("case_id")
@_context.json_opt
def show_cmd(case_id, as_json) -> None:
    """CASE_ID's effect evaluation: plan, results by evaluation, path, satisfaction, advice."""
    s = evaluation_structure(_context.store(), case_id)
    if as_json:
        _context.echo_json(s.to_dict())
        return
    zh, en = RESULTS[s.result]
    click.echo(f"{case_id} 修复效果评估 effect evaluation：{zh} {en}")
    if s.plan is None:
        click.echo("  评估方案 plan：未记录 none recorded")
    else:
        click.echo(f"  评估方案 plan（{s.plan.recorded_on}）：{s.plan.start or '—'} 至 {s.plan.end or '—'}")
        for u in s.plan.units:
            click.echo(f"    {u.unit} {u.name} 场地 {u.site_id}：{MEDIA[u.medium][0]}，{OBJECTIVES[u.objective][0]}，"
                       f"{u.points} 个采样点；方法 {u.rule[1]}")
    for e in s.evaluations:
        click.echo(f"  {e['as_of']} {e['evaluation_id']}：{RESULTS[e['result']][0]}（{e['n_passed']}/{e['n_indicators']} 达标）")
    for p in s.path:
        click.echo(f"  {p['date']} {EVENT_LABELS.get(p['event_type'], (p['event_type'],))[0]} {p['note']}".rstrip())
    if s.satisfaction:
        v = s.satisfaction
        click.echo(f"  公众满意度 satisfaction：{v['satisfied']}/{v['respondents']}（{v['rate']:.1%}），{v['method']}")
    for c in s.controls:
        click.echo(f"  对照区比较 controls {c['site_id']} {c['indicator']}：{c['verdict_zh']}")
    for z, _ in s.advice:
        click.echo(f"  长期监测建议 advice：{z}")


@evaluation_group.command("report")
@click.argument("case_id")
@click.option("--out", "out", default=None, type=OutputFile(), help="Word file (.docx).")
@click.option("--pdf", "pdf", default=None, type=OutputFile(), help="PDF file (.pdf).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh")
def report_cmd(case_id, out, pdf, lang) -> None:
    """Write CASE_ID's effect-evaluation report (修复效果评估报告) as Word and/or PDF."""
    if out is None and pdf is None:
        raise InputError(Issue("give --out F.docx and/or --pdf F.pdf", field="--out"))
    for value, option, suffix in ((out, "--out", ".docx"), (pdf, "--pdf", ".pdf")):
        if value is not None and not value.lower().endswith(suffix):
            raise InputError(Issue(f"{option} is a {suffix} file", field=option))
    for path in write_evaluation_report(_context.store(), case_id, docx=out, pdf=pdf, lang=lang):
        click.echo(f"已写出 written {path}")


COMMANDS = (evaluation_group,)
