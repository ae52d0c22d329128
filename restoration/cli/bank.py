"""``restoration bank ...``: the alternative-restoration project bank from the command line.

Exit codes: 2 bad input / unknown id, 3 insufficient capacity, 4 conflict (see ``cli.main``).
"""
from __future__ import annotations

import json
from pathlib import Path

import click

from . import _context, _words
from .types import Number, OutputFile
from .. import limits
from ..errors import InputError, Issue
from ..model import AllocationState, EcosystemType, EscrowStatus, ProjectStatus


def _store():
    return _context.store()


def _actor() -> str:
    return _context.actor()


def _echo_json(obj) -> None:
    from ..bank._common import json_safe
    _context.echo_json(json_safe(obj))


def _pairs(values: tuple[str, ...], what: str) -> dict:
    """``key=value`` options into a dict (numbers parsed)."""
    out = {}
    for item in values:
        for part in item.split(","):
            if not part.strip():
                continue
            if "=" not in part:
                raise InputError(Issue(f"expected key=value, got {part!r}", field=what))
            k, v = (x.strip() for x in part.split("=", 1))
            try:
                out[k] = float(v)
            except ValueError:
                out[k] = v
    return out


@click.group("bank")
def bank_group() -> None:
    """替代修复项目库 alternative-restoration project bank: registry, ledger, base-site ranking."""


@bank_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_(as_json: bool) -> None:
    """Every project with capacity, allocated and remaining."""
    from ..bank import bank_table
    table = bank_table(_store()).drop(columns="geometry")
    cols = ["project_id", "name", "kind", "ecosystem_type", "status", "capacity", "capacity_unit",
            "released", "allocated", "remaining", "remaining_released", "next_milestone", "unit_cost_yuan",
            "watershed", "region"]
    if as_json:
        _echo_json(table[cols].to_dict(orient="records"))
        return
    click.echo("编号 id | 名称 name | 生态系统 ecosystem | 状态 status | 容量 capacity | 已释放 released | "
               "已分配 allocated | 可预留 remaining released")
    for r in table[cols].itertuples(index=False):
        u = _words.unit(r.capacity_unit)
        click.echo(f"{r.project_id} | {r.name} | {_words.label(EcosystemType, r.ecosystem_type)} | "
                   f"{_words.label(ProjectStatus, r.status)} | {r.capacity:g} {u} | {r.released:g} | "
                   f"{_amount(r.allocated)} | {_amount(r.remaining_released)}")


def _amount(value) -> str:
    """A capacity figure; ``—`` where it is not this user's to see (another region's balance)."""
    return "—" if value is None or value != value else f"{value:g}"


@bank_group.command("show")
@click.argument("project_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show(project_id: str, as_json: bool) -> None:
    """One project: capacity, released, allocated, remaining released, tranches, allocations and status history."""
    from ..bank import allocations, project_balance, status_history, tranche_table
    store = _store()
    project = project_balance(store, project_id)
    allocs = allocations(store, project_id=project_id)
    history = status_history(store, project_id)
    tranches = tranche_table(store, project_id)
    if as_json:
        _echo_json({**project, "tranches": tranches.to_dict(orient="records"),
                    "allocations": allocs.to_dict(orient="records"),
                    "status_history": history.to_dict(orient="records")})
        return
    u = _words.unit(project["capacity_unit"])
    click.echo(f"{project['project_id']} {project['name']} ({_words.label(EcosystemType, project['ecosystem_type'])}, "
               f"{_words.label(ProjectStatus, project['status'])})")
    click.echo(f"  容量 capacity {project['capacity']:g} {u}; 已释放 released {project['released']:g} {u}; "
               f"已预留 reserved {_amount(project['reserved'])}; 已确认 committed {_amount(project['committed'])}; "
               f"可预留 remaining released {_amount(project['remaining_released'])} {u}")
    for t in tranches.itertuples(index=False):
        state = "已释放 released " + str(t.reached_on) if t.state == "released" else "待释放 pending"
        click.echo(f"  第{t.seq}期 tranche {t.seq}: {t.share:.0%} = {t.amount:g} {u} — {_milestone(t.milestone)} ({state})")
    for r in allocs.itertuples(index=False):
        who = r.case_id if isinstance(r.case_id, str) and r.case_id else f"外部 external: {r.external_ref}"
        click.echo(f"  {r.allocation_id} {_words.label(AllocationState, r.state)} {r.amount:g} {_words.unit(r.unit)}"
                   f" -> {who}")
    for r in history.itertuples(index=False):
        before = _words.label(ProjectStatus, r.from_status) if r.from_status else "-"
        click.echo(f"  {r.changed_on}: {before} -> {_words.label(ProjectStatus, r.to_status)}")


def _milestone(code) -> str:
    """A milestone code as ``中文 english``."""
    from ..vocab import label
    zh, en = label("bank_milestone", code, "zh"), label("bank_milestone", code, "en")
    return zh if zh == en else f"{zh} {en}"


@bank_group.command("schedule")
@click.argument("project_id")
@click.option("--tranche", "tranches", multiple=True, required=True,
              help="SHARE:MILESTONE, e.g. 0.25:secured, 0.5:construction_accepted, 0.25:target_met@5, 0.1:named:NAME.")
def schedule_(project_id: str, tranches: tuple[str, ...]) -> None:
    """Set PROJECT_ID's credit release schedule: tranches of capacity, each released by a milestone."""
    from ..bank import set_schedule
    done = set_schedule(_store(), project_id, tranches, actor=_actor())
    click.echo(f"已设定 release schedule of {project_id}: "
               + "; ".join(f"{t.share:.0%} {_milestone(t.milestone)}" for t in done))


@bank_group.command("milestone")
@click.argument("project_id")
@click.argument("milestone")
@click.argument("day", metavar="DATE")
@click.option("--evidence", required=True, help="What shows the milestone was reached (e.g. 竣工验收意见 no.).")
@click.option("--document", type=click.Path(exists=True, dir_okay=False), default=None, help="The evidence document.")
@click.option("--public", is_flag=True, help="Show the milestone's document on the public register.")
def milestone_(project_id: str, milestone: str, day: str, evidence: str, document: str | None, public: bool) -> None:
    """Record MILESTONE of PROJECT_ID reached on DATE: its tranche is released (target_met: see `bank evaluate`)."""
    from ..bank import project_balance, record_milestone
    store = _store()
    row = record_milestone(store, project_id, milestone, day, evidence=evidence, document=document, public=public,
                           actor=_actor())
    bal = project_balance(store, project_id)
    u = _words.unit(bal["capacity_unit"])
    click.echo(f"已记录 recorded {_milestone(row['milestone'])} of {project_id} on {row['reached_on']}; "
               f"已释放 released {bal['released']:g} of {bal['capacity']:g} {u}")


@bank_group.command("evaluate")
@click.argument("project_id")
@click.option("--as-of", "as_of", default=None, help="Evaluation date (YYYY-MM-DD, default today).")
def evaluate(project_id: str, as_of: str | None) -> None:
    """Evaluate PROJECT_ID's monitoring (effect evaluation rules) and release the target_met tranches it earns."""
    from ..bank.performance import evaluate_project
    from ..model import Verdict
    result = evaluate_project(_store(), project_id, as_of=as_of, actor=_actor())
    click.echo(f"{project_id} 监测评估 evaluation as of {result.as_of} (第{result.years}年 year {result.years}): "
               f"{_words.both(Verdict, result.verdict)}; {len(result.indicators)} 项指标 indicator target(s)")
    for r in result.indicators.itertuples(index=False):
        click.echo(f"  {r.site_id} {r.indicator_zh}: {r.message_zh}")
    for code in result.released:
        click.echo(f"  已释放 released: {_milestone(code)}")


@bank_group.command("secure")
@click.argument("project_id")
@click.option("--instrument", required=True, help="Legal instrument, e.g. 土地流转合同 or 保护地役权协议.")
@click.option("--term-years", required=True, type=int, help="Term of the securement [years].")
@click.option("--start", required=True, help="Start date (YYYY-MM-DD).")
@click.option("--document", default=None, help="Document reference (文号).")
@click.option("--public", is_flag=True, help="Show the securement on the public register.")
def secure(project_id: str, instrument: str, term_years: int, start: str, document: str | None, public: bool) -> None:
    """Record PROJECT_ID's securement (land and legal agreement)."""
    from ..bank import securement_end, set_securement
    rec = set_securement(_store(), project_id, instrument=instrument, term_years=term_years, start=start,
                         document=document, public=public, actor=_actor())
    click.echo(f"已记录 securement of {project_id}: {rec['instrument']}, {rec['term_years']} 年 years from "
               f"{rec['start']} to {securement_end(rec)}")


@bank_group.command("plan")
@click.argument("project_id")
@click.option("--years", required=True, help="Reporting years, e.g. 2025,2027,2030.")
@click.option("--indicators", required=True, help="Monitored indicators, e.g. ndvi,vegetation_cover.")
@click.option("--responsible", required=True, help="Responsible party (an organisation).")
def plan(project_id: str, years: str, indicators: str, responsible: str) -> None:
    """Record PROJECT_ID's management & monitoring plan."""
    from ..bank import set_plan
    rec = set_plan(_store(), project_id, reporting_years=years, indicators=indicators, responsible_party=responsible,
                   actor=_actor())
    click.echo(f"已记录 plan of {project_id}: 报告年份 reporting years {', '.join(map(str, rec['reporting_years']))}")


@bank_group.command("report")
@click.argument("project_id")
@click.argument("year", type=int)
@click.option("--on", "on", default=None, help="Date submitted (default today).")
def report_(project_id: str, year: int, on: str | None) -> None:
    """Record the monitoring report of YEAR of PROJECT_ID as submitted."""
    from ..bank import submit_report
    submit_report(_store(), project_id, year, on=on, actor=_actor())
    click.echo(f"已提交 report {year} of {project_id}")


@bank_group.command("overdue")
@click.option("--today", default=None, help="Judge as of this date (YYYY-MM-DD).")
@click.option("--all", "show_all", is_flag=True, help="Also deadlines still open or met.")
@click.option("--json", "as_json", is_flag=True)
def overdue(today: str | None, show_all: bool, as_json: bool) -> None:
    """Overdue monitoring reports and expiring securements of the bank's projects."""
    from ..bank import stewardship_deadlines
    from ..vocab import label
    frame = stewardship_deadlines(_store(), _context.today(today), overdue_only=not show_all)
    if as_json:
        _echo_json(frame.to_dict(orient="records"))
        return
    if frame.empty:
        click.echo("没有逾期事项 nothing overdue")
        return
    what = {"report": "监测报告 monitoring report", "securement_end": "保障期满 securement ends"}
    for r in frame.itertuples(index=False):
        late = f"，逾期 {r.days_overdue} 天 overdue by {r.days_overdue} days" if r.days_overdue else ""
        click.echo(f"{r.project_id} {r.name} | {what[r.what]} {r.year} | 期限 due {r.due} | "
                   f"{label('deadline_status', r.status)} {label('deadline_status', r.status, 'en')}{late}")


@bank_group.command("register")
@click.option("--out", required=True, type=click.Path(file_okay=False),
              help="Existing folder for bank_register.gpkg, bank_register.csv and bank_register.schema.json.")
def register_(out: str) -> None:
    """The bank's public register (nothing personal) as GeoPackage + CSV + JSON schema."""
    from ..bank.register import export_register
    paths = export_register(_store(), out)
    click.echo("已导出公开登记簿 public register written: " + ", ".join(str(p) for p in paths))


@bank_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--crs", default=None, help="CRS of the coordinates, e.g. EPSG:4490; GCJ-02 / BD-09 are converted.")
@click.option("--map", "map_text", default=None, help="Name the file's columns: field=column,...")
@click.option("--map-file", default=None, type=click.Path(dir_okay=False), help="Mapping file {field: column}.")
@click.option("--extra", type=click.Choice(["keep", "ignore"]), default="keep", show_default=True,
              help="Columns that are not fields: keep them in 'attributes' or ignore them.")
@click.option("--check", is_flag=True, help="Validate everything and write nothing.")
@click.option("--layer", "source_layer", default=None, help="Layer to read from a GeoPackage holding several.")
@click.option("--allow-outside", is_flag=True, help="Accept projects far outside the store's counties.")
@click.option("--allow-overlap", default=None, metavar="REASON",
              help="Accept polygons overlapping other projects or restoration sites, for this reason.")
def import_(file: str, crs: str | None, map_text: str | None, map_file: str | None, extra: str,
            check: bool, source_layer: str | None, allow_outside: bool, allow_overlap: str | None) -> None:
    """Import bank projects with the registry's strict checks (invalid polygons are refused)."""
    from ..bank import import_projects
    from ..columns import combine
    report = import_projects(_store(), file, crs=crs, actor=_actor(), mapping=combine(map_text, map_file),
                             extra=extra, check=check, source_layer=source_layer, allow_outside=allow_outside,
                             allow_overlap=allow_overlap)
    for note in report.notes:
        click.echo(f"  {note}")
    verb = "已检查 checked (nothing written):" if check else "已导入 imported"
    click.echo(f"{verb} {report.rows} projects from {report.source}: {', '.join(report.project_ids)}")


@bank_group.command("export")
@click.option("--out", required=True, type=OutputFile(),
              help="Excel workbook (.xlsx: bank, allocations, ledger, escrow, status history) or .gpkg/.geojson/.csv.")
def export(out: str) -> None:
    """Export the bank with allocated/remaining (and, to Excel, the ledger)."""
    from ..bank import bank_table, ledger_table, status_history
    from ..bank._common import json_safe
    from ..exports import export_frame
    from ..workbook import write_workbook
    store = _store()
    table = bank_table(store)
    path = Path(out)
    if path.suffix.lower() == ".xlsx":
        sheets = {"bank": table.drop(columns="geometry"), "allocations": store.read("bank_allocations"),
                  "ledger": ledger_table(store), "escrow": store.read("escrow"),
                  "status_history": status_history(store)}
        for frame in sheets.values():  # lists and mappings as JSON of plain values (NaN as text)
            for col in frame.columns:
                if frame[col].map(lambda v: isinstance(v, (list, dict))).any():
                    frame[col] = frame[col].map(lambda v: json.dumps(json_safe(v), ensure_ascii=False)
                                                if isinstance(v, (list, dict)) else v)
        write_workbook(path, sheets, field="--out")
    else:
        export_frame(table, path, "bank_projects", field="--out")
    click.echo(f"已导出 exported {len(table)} projects to {path}")


@bank_group.command("status")
@click.argument("project_id")
@click.argument("status")
@click.option("--on", "on", default=None, help="Date of the change (YYYY-MM-DD, default today).")
@click.option("--note", default=None)
def status(project_id: str, status: str, on: str | None, note: str | None) -> None:
    """Move a project along proposed → approved → under_construction → operational → closed."""
    from ..bank import set_status
    after = set_status(_store(), project_id, status, on=on, note=note, actor=_actor())
    click.echo(f"{project_id}: {_words.both(ProjectStatus, after['status'])} since {after['status_since']}")


@bank_group.command("rank")
@click.argument("case_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--weights", multiple=True, help="Score weights, e.g. cost=0.5,distance=0.3.")
@click.option("--rule", "rule", multiple=True, help="Rule overrides, e.g. watershed=required or max_distance_km=50.")
@click.option("--top", type=click.IntRange(min=1), default=None, help="Only the best N candidates.")
def rank(case_id: str, as_json: bool, weights: tuple[str, ...], rule: tuple[str, ...], top: int | None) -> None:
    """Rank bank projects for CASE_ID: eligibility, required area, cost, distance, score."""
    import pandas as pd

    from ..bank import rank_base_sites
    ranking = rank_base_sites(_store(), case_id, weights=_pairs(weights, "weights") or None,
                              rules=_pairs(rule, "rule") or None)
    if as_json:
        _echo_json(ranking.to_dict(top=top))
        return
    t = ranking.table if top is None else ranking.table.head(top)
    if ranking.table.empty:
        click.echo(f"案件 case {case_id}: 项目库为空 the project bank has no projects yet — import them with "
                   "`restoration bank import FILE`")
        return
    source = ("推算情景（非鉴定结论）derived placeholder, not an appraisal — store one with `restoration bank "
              "scenario set`" if ranking.scenario_source == "derived" else ranking.scenario_source)
    click.echo(f"案件 case {case_id}: 损害 debit {ranking.debit:.1f} ha·yr; 已落实 covered "
               f"{ranking.covered_fraction:.0%} (情景 scenario: {source})")
    for key, zh, en in (("watershed", "流域", "watershed"), ("county", "县区", "county")):
        if getattr(ranking.site, key) is None and ranking.rules[key] != "any":
            click.echo(f"  受损场地的{zh}未知（无{zh}图层）：不比较同一{zh} — the damaged site's {en} is unknown "
                       f"(no {en} layer): same-{en} rules are not applied" if ranking.rules[key] == "preferred" else
                       f"  受损场地的{zh}未知（无{zh}图层），规则要求同一{zh}：没有项目符合 — the damaged site's {en} "
                       f"is unknown (no {en} layer) and the rules require the same {en}: no project qualifies")
    click.echo("名次 rank | 项目 project | 可选 eligible | 所需 required | 费用 cost (万元) | 距离 km | 得分 score | 原因 reasons")
    for r in t.itertuples(index=False):
        need = f"{r.needed_amount:.2f} {_words.unit(r.capacity_unit)}" if r.needed_amount == r.needed_amount else "-"
        cost = f"{r.cost_yuan / 1e4:.1f}" if r.cost_yuan == r.cost_yuan else "-"
        score = f"{r.score:.3f}" if r.score == r.score else "-"
        click.echo(f"{'-' if pd.isna(r.rank) else r.rank} | {r.project_id} {r.name} | {'是 yes' if r.eligible else '否 no'} | {need} | "
                   f"{cost} | {r.distance_km:.1f} | {score} | {'; '.join(r.reasons)}")
    if ranking.split is not None:
        click.echo("无单个项目容量足够 no single project fits; 拆分方案 proposed split:")
        for r in ranking.split.itertuples(index=False):
            click.echo(f"  {r.project_id} {r.amount:.2f} {_words.unit(r.unit)} ({r.fraction:.0%}), "
                       f"{r.cost_yuan / 1e4:.1f} 万元")
        short = ranking.split.attrs["shortfall_fraction"]
        if short > 0:
            click.echo(f"  缺口 shortfall {short:.0%}: consider escrow (restoration bank escrow deposit)")


def _who(case_id: str | None, external: str | None) -> None:
    if not case_id and not external:
        raise click.UsageError("give --case CASE_ID (or --external for a case outside this store)")


@bank_group.command("reserve")
@click.argument("project_id")
@click.option("--case", "case_id", default=None, help="Case the capacity is for.")
@click.option("--external", default=None, help="A case outside this store, instead of --case (not with it).")
@click.option("--amount", required=True, type=Number(0, min_open=True), help="Amount in the project's capacity unit.")
@click.option("--unit", default=None, help="Unit of --amount if not the project's (ha, mu, ...).")
@click.option("--note", default=None)
@click.option("--json", "as_json", is_flag=True)
def reserve(project_id: str, case_id: str | None, external: str | None, amount: float, unit: str | None,
            note: str | None, as_json: bool) -> None:
    """Reserve capacity of PROJECT_ID for a case (exit 3 when not enough remains)."""
    from ..bank import project_balance, reserve as _reserve
    _who(case_id, external)
    store = _store()
    a = _reserve(store, project_id, case_id, amount, unit=unit, external_ref=external, note=note, actor=_actor())
    bal = project_balance(store, project_id)
    if as_json:
        _echo_json({"allocation": a, "project": {k: bal[k] for k in ("capacity", "capacity_unit", "allocated",
                                                                     "remaining")}})
        return
    u = _words.unit(bal["capacity_unit"])
    click.echo(f"已预留 reserved {a['amount']:g} {u} of {project_id} for {case_id or external} "
               f"({a['allocation_id']}); 剩余 remaining {_amount(bal['remaining'])} {u}")


@bank_group.command("commit")
@click.argument("project_id")
@click.option("--case", "case_id", default=None)
@click.option("--allocation", default=None, help="One allocation id instead of all of the case's reservations.")
@click.option("--note", default=None)
def commit(project_id: str, case_id: str | None, allocation: str | None, note: str | None) -> None:
    """Commit the case's reservations on PROJECT_ID."""
    from ..bank import commit as _commit
    done = _commit(_store(), allocation, project_id=project_id, case_id=case_id, note=note, actor=_actor())
    for a in done:
        click.echo(f"已确认 committed {a['allocation_id']}: {a['amount']:g} {_words.unit(a['unit'])} of {a['project_id']}")


@bank_group.command("release")
@click.argument("project_id")
@click.option("--case", "case_id", default=None)
@click.option("--allocation", default=None)
@click.option("--amount", type=Number(0, min_open=True), default=None, help="Release only this much (newest reservations first).")
@click.option("--force", is_flag=True, help="Also release committed allocations.")
@click.option("--note", default=None)
def release(project_id: str, case_id: str | None, allocation: str | None, amount: float | None, force: bool,
            note: str | None) -> None:
    """Release the case's reservations on PROJECT_ID back to the bank."""
    from ..bank import project_balance, release as _release
    store = _store()
    done = _release(store, allocation, project_id=project_id, case_id=case_id, amount=amount, force=force,
                    note=note, actor=_actor())
    bal = project_balance(store, project_id)
    click.echo(f"已释放 released from {len(done)} allocation(s); {project_id} 剩余 remaining "
               f"{_amount(bal['remaining'])} {_words.unit(bal['capacity_unit'])}")


@bank_group.command("obligation")
@click.argument("case_id")
@click.option("--json", "as_json", is_flag=True)
def obligation(case_id: str, as_json: bool) -> None:
    """How much of CASE_ID's alternative-restoration obligation is covered, and by which projects."""
    from ..bank import case_obligation
    ob = case_obligation(_store(), case_id)
    if as_json:
        _echo_json(ob)
        return
    click.echo(f"{case_id}: {ob['status_label']} — covered {ob['covered_fraction']:.0%} "
               f"(committed {ob['committed_fraction']:.0%}, reserved {ob['reserved_fraction']:.0%})")
    for a in ob["allocations"]:
        held = f"{a['project_id']} {a['name']}: {a['amount']:g} {_words.unit(a['unit'])} " \
               f"{_words.label(AllocationState, a['state'])}"
        if a.get("counted", True):
            share = "-" if a["fraction"] is None else f"{a['fraction']:.0%}"
            click.echo(f"  {held} = {share}")
        else:  # held at a project that may not restore this damage: no cover
            click.echo(f"  {held} — 不计入 not counted: {a['not_counted_zh']} / {a['not_counted_en']}")
    if ob["escrow_awaiting_match_yuan"]:
        click.echo(f"  提存待匹配 escrow awaiting match: {ob['escrow_awaiting_match_yuan'] / 1e4:.1f} 万元")


@bank_group.command("ledger")
@click.option("--project", "project_id", default=None)
@click.option("--case", "case_id", default=None)
@click.option("--json", "as_json", is_flag=True)
def ledger_(project_id: str | None, case_id: str | None, as_json: bool) -> None:
    """Ledger history (reserve/commit/release/deposit/match/refund) and escrow awaiting a match."""
    from ..bank import ledger_table
    from .types import require_known
    store = _store()
    require_known(project_id, store.keys("bank_projects"), "--project", "bank project")
    require_known(case_id, store.keys("cases"), "--case", "case")
    t = ledger_table(store, project_id=project_id, case_id=case_id)
    if as_json:
        _echo_json(t.to_dict(orient="records"))
        return
    for r in t.itertuples(index=False):
        amount = f"{r.amount / 1e4:,.2f} 万元" if r.unit == "yuan" else f"{r.amount:g} {_words.unit(r.unit)}"
        click.echo(f"{r.at} {_words.LEDGER_ACTIONS.get(r.action, r.action)} {_text(r.project_id)} {_text(r.case_id)} "
                   f"{amount} {_text(r.allocation_id, _text(r.escrow_id, ''))}")


def _text(value, missing: str = "-") -> str:
    """A cell of a text line: ``missing`` for None / NaN / empty (never ``None`` or ``nan``)."""
    return missing if value is None or (isinstance(value, float) and value != value) or value == "" else str(value)


@bank_group.group("escrow")
def escrow_group() -> None:
    """资金提存 money awaiting a matching project."""


@escrow_group.command("deposit")
@click.argument("case_id")
@click.option("--amount-yuan", required=True, type=Number(0, min_open=True))
@click.option("--holder", required=True, help="Escrow holder, e.g. 某公证处提存账户.")
@click.option("--on", "on", default=None)
@click.option("--ecosystem", default=None)
@click.option("--note", default=None)
def escrow_deposit(case_id: str, amount_yuan: float, holder: str, on: str | None, ecosystem: str | None,
                   note: str | None) -> None:
    from ..bank import deposit
    e = deposit(_store(), case_id, amount_yuan, holder, on=on, ecosystem_type=ecosystem, note=note, actor=_actor())
    click.echo(f"已提存 deposited {e['escrow_id']}: {e['amount_yuan']:g} yuan for {case_id}, awaiting match")


@escrow_group.command("match")
@click.argument("escrow_id")
@click.argument("project_id")
@click.option("--amount", type=Number(0, min_open=True), default=None, help="Capacity units (default: what the money buys).")
@click.option("--commit", "do_commit", is_flag=True)
def escrow_match(escrow_id: str, project_id: str, amount: float | None, do_commit: bool) -> None:
    from ..bank import match
    a = match(_store(), escrow_id, project_id, amount=amount, commit=do_commit, actor=_actor())
    click.echo(f"已匹配 matched {escrow_id} -> {project_id}: {a['allocation_id']} {a['amount']:g} "
               f"{_words.unit(a['unit'])} {_words.both(AllocationState, a['state'])}")


@escrow_group.command("refund")
@click.argument("escrow_id")
def escrow_refund(escrow_id: str) -> None:
    from ..bank import refund
    refund(_store(), escrow_id, actor=_actor())
    click.echo(f"已退回 refunded {escrow_id}")


@escrow_group.command("list")
@click.option("--json", "as_json", is_flag=True)
def escrow_list(as_json: bool) -> None:
    from ..bank import escrow_table
    t = escrow_table(_store())
    if as_json:
        _echo_json(t.to_dict(orient="records"))
        return
    for r in t.itertuples(index=False):
        click.echo(f"{r.escrow_id} {r.case_id} {r.amount_yuan / 1e4:,.2f} 万元 {_words.both(EscrowStatus, r.status)} "
                   f"({r.holder})")


@bank_group.group("scenario")
def scenario_group() -> None:
    """A case's equivalence scenario (its debit)."""


@scenario_group.command("set")
@click.argument("case_id")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def scenario_set(case_id: str, file: str) -> None:
    """Store FILE (scenario format v1, YAML or JSON) as CASE_ID's scenario."""
    import yaml
    from ..bank import set_case_scenario
    try:
        text = limits.read_bounded(file, limits.DOCUMENT_FILE).decode("utf-8")
        data = json.loads(text) if file.lower().endswith(".json") else yaml.safe_load(text)
    except UnicodeDecodeError:
        raise InputError(Issue("is not UTF-8 text", source=Path(file).name)) from None
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise InputError(Issue(f"not valid JSON/YAML: {str(exc).splitlines()[0]}", source=Path(file).name)) from None
    sid = set_case_scenario(_store(), case_id, data, source=Path(file).name, actor=_actor())
    click.echo(f"已保存 stored {sid} for {case_id}")


@scenario_group.command("show")
@click.argument("case_id")
def scenario_show(case_id: str) -> None:
    """Print CASE_ID's scenario (stored, or the derived default)."""
    from ..bank import case_scenario
    _echo_json(case_scenario(_store(), case_id))
