"""``restoration bank`` commands of credit release and stewardship: release schedules, milestones,
the project's own evaluation (which releases ``target_met`` tranches), securement, the management &
monitoring plan, its reports and the overdue list. Added to the bank group by ``cli.bank``."""
from __future__ import annotations

import click

from . import _bank, _context, _words


@click.command("schedule")
@click.argument("project_id")
@click.option("--tranche", "tranches", multiple=True, required=True,
              help="SHARE:MILESTONE, e.g. 0.25:secured, 0.5:construction_accepted, 0.25:target_met@5, 0.1:named:NAME.")
def schedule_(project_id: str, tranches: tuple[str, ...]) -> None:
    """Set PROJECT_ID's credit release schedule: tranches of capacity, each released by a milestone."""
    from ..bank import set_schedule
    done = set_schedule(_bank.store(), project_id, tranches, actor=_bank.actor())
    click.echo(f"已设定 release schedule of {project_id}: "
               + "; ".join(f"{t.share:.0%} {_bank.milestone(t.milestone)}" for t in done))


@click.command("milestone")
@click.argument("project_id")
@click.argument("milestone")
@click.argument("day", metavar="DATE")
@click.option("--evidence", required=True, help="What shows the milestone was reached (e.g. 竣工验收意见 no.).")
@click.option("--document", type=click.Path(exists=True, dir_okay=False), default=None, help="The evidence document.")
@click.option("--public", is_flag=True, help="Show the milestone's document on the public register.")
def milestone_(project_id: str, milestone: str, day: str, evidence: str, document: str | None, public: bool) -> None:
    """Record MILESTONE of PROJECT_ID reached on DATE: its tranche is released (target_met: see `bank evaluate`)."""
    from ..bank import project_balance, record_milestone
    store = _bank.store()
    row = record_milestone(store, project_id, milestone, day, evidence=evidence, document=document, public=public,
                           actor=_bank.actor())
    bal = project_balance(store, project_id)
    u = _words.unit(bal["capacity_unit"])
    click.echo(f"已记录 recorded {_bank.milestone(row['milestone'])} of {project_id} on {row['reached_on']}; "
               f"已释放 released {bal['released']:g} of {bal['capacity']:g} {u}")


@click.command("evaluate")
@click.argument("project_id")
@click.option("--as-of", "as_of", default=None, help="Evaluation date (YYYY-MM-DD, default today).")
def evaluate(project_id: str, as_of: str | None) -> None:
    """Evaluate PROJECT_ID's monitoring (effect evaluation rules) and release the target_met tranches it earns."""
    from ..bank.performance import evaluate_project
    from ..model import Verdict
    result = evaluate_project(_bank.store(), project_id, as_of=as_of, actor=_bank.actor())
    click.echo(f"{project_id} 监测评估 evaluation as of {result.as_of} (第{result.years}年 year {result.years}): "
               f"{_words.both(Verdict, result.verdict)}; {len(result.indicators)} 项指标 indicator target(s)")
    for r in result.indicators.itertuples(index=False):
        click.echo(f"  {r.site_id} {r.indicator_zh}: {r.message_zh}")
    for code in result.released:
        click.echo(f"  已释放 released: {_bank.milestone(code)}")


@click.command("secure")
@click.argument("project_id")
@click.option("--instrument", required=True, help="Legal instrument, e.g. 土地流转合同 or 保护地役权协议.")
@click.option("--term-years", required=True, type=int, help="Term of the securement [years].")
@click.option("--start", required=True, help="Start date (YYYY-MM-DD).")
@click.option("--document", default=None, help="Document reference (文号).")
@click.option("--public", is_flag=True, help="Show the securement on the public register.")
def secure(project_id: str, instrument: str, term_years: int, start: str, document: str | None, public: bool) -> None:
    """Record PROJECT_ID's securement (land and legal agreement)."""
    from ..bank import securement_end, set_securement
    rec = set_securement(_bank.store(), project_id, instrument=instrument, term_years=term_years, start=start,
                         document=document, public=public, actor=_bank.actor())
    click.echo(f"已记录 securement of {project_id}: {rec['instrument']}, {rec['term_years']} 年 years from "
               f"{rec['start']} to {securement_end(rec)}")


@click.command("plan")
@click.argument("project_id")
@click.option("--years", required=True, help="Reporting years, e.g. 2025,2027,2030.")
@click.option("--indicators", required=True, help="Monitored indicators, e.g. ndvi,vegetation_cover.")
@click.option("--responsible", required=True, help="Responsible party (an organisation).")
def plan(project_id: str, years: str, indicators: str, responsible: str) -> None:
    """Record PROJECT_ID's management & monitoring plan."""
    from ..bank import set_plan
    rec = set_plan(_bank.store(), project_id, reporting_years=years, indicators=indicators, responsible_party=responsible,
                   actor=_bank.actor())
    click.echo(f"已记录 plan of {project_id}: 报告年份 reporting years {', '.join(map(str, rec['reporting_years']))}")


@click.command("report")
@click.argument("project_id")
@click.argument("year", type=int)
@click.option("--on", "on", default=None, help="Date submitted (default today).")
def report_(project_id: str, year: int, on: str | None) -> None:
    """Record the monitoring report of YEAR of PROJECT_ID as submitted."""
    from ..bank import submit_report
    submit_report(_bank.store(), project_id, year, on=on, actor=_bank.actor())
    click.echo(f"已提交 report {year} of {project_id}")


@click.command("overdue")
@click.option("--today", default=None, help="Judge as of this date (YYYY-MM-DD).")
@click.option("--all", "show_all", is_flag=True, help="Also deadlines still open or met.")
@click.option("--json", "as_json", is_flag=True)
def overdue(today: str | None, show_all: bool, as_json: bool) -> None:
    """Overdue monitoring reports and expiring securements of the bank's projects."""
    from ..bank import stewardship_deadlines
    from ..vocab import label
    frame = stewardship_deadlines(_bank.store(), _context.today(today), overdue_only=not show_all)
    if as_json:
        _bank.echo_json(frame.to_dict(orient="records"))
        return
    if frame.empty:
        click.echo("没有逾期事项 nothing overdue")
        return
    what = {"report": "监测报告 monitoring report", "securement_end": "保障期满 securement ends"}
    for r in frame.itertuples(index=False):
        late = f"，逾期 {r.days_overdue} 天 overdue by {r.days_overdue} days" if r.days_overdue else ""
        click.echo(f"{r.project_id} {r.name} | {what[r.what]} {r.year} | 期限 due {r.due} | "
                   f"{label('deadline_status', r.status)} {label('deadline_status', r.status, 'en')}{late}")


#: the commands ``cli.bank`` adds to its group
COMMANDS = (schedule_, milestone_, evaluate, secure, plan, report_, overdue)
