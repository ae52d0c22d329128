"""``restoration bank ...``: the alternative-restoration project bank from the command line — the
registry (list, show, import, export, status), its public register and polygon review here; the
ledger (``bank_ledger``), release schedules and stewardship (``bank_schedule``) and base-site
selection (``bank_siting``) in their own modules, added to this group.

Exit codes: 2 bad input / unknown id, 3 insufficient capacity, 4 conflict (see ``cli.main``).
"""
from __future__ import annotations

import json
from pathlib import Path

import click

from . import _bank, _words, bank_ledger, bank_schedule, bank_siting
from .types import OutputFile
from ..model import AllocationState, EcosystemType, ProjectStatus


@click.group("bank")
def bank_group() -> None:
    """替代修复项目库 alternative-restoration project bank: registry, ledger, base-site ranking."""


@bank_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_(as_json: bool) -> None:
    """Every project with capacity, allocated and remaining."""
    from ..bank import bank_table
    table = bank_table(_bank.store()).drop(columns="geometry")
    cols = ["project_id", "name", "kind", "ecosystem_type", "status", "capacity", "capacity_unit",
            "released", "allocated", "remaining", "remaining_released", "next_milestone", "unit_cost_yuan",
            "watershed", "region"]
    if as_json:
        _bank.echo_json(table[cols].to_dict(orient="records"))
        return
    click.echo("编号 id | 名称 name | 生态系统 ecosystem | 状态 status | 容量 capacity | 已释放 released | "
               "已分配 allocated | 可预留 remaining released")
    for r in table[cols].itertuples(index=False):
        u = _words.unit(r.capacity_unit)
        click.echo(f"{r.project_id} | {r.name} | {_words.label(EcosystemType, r.ecosystem_type)} | "
                   f"{_words.label(ProjectStatus, r.status)} | {r.capacity:g} {u} | {r.released:g} | "
                   f"{_bank.amount(r.allocated)} | {_bank.amount(r.remaining_released)}")


@bank_group.command("show")
@click.argument("project_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show(project_id: str, as_json: bool) -> None:
    """One project: capacity, released, allocated, remaining released, tranches, allocations and status history."""
    from ..bank import allocations, project_balance, status_history, tranche_table
    from ..bank.review import review_status
    store = _bank.store()
    project = project_balance(store, project_id)
    allocs = allocations(store, project_id=project_id)
    history = status_history(store, project_id)
    tranches = tranche_table(store, project_id)
    reviews = review_status(store).set_index("project_id")
    review = reviews.loc[project_id].to_dict() if project_id in reviews.index else None
    if as_json:
        _bank.echo_json({**project, "tranches": tranches.to_dict(orient="records"),
                         "allocations": allocs.to_dict(orient="records"),
                         "status_history": history.to_dict(orient="records"), "polygon_review": review})
        return
    u = _words.unit(project["capacity_unit"])
    click.echo(f"{project['project_id']} {project['name']} ({_words.label(EcosystemType, project['ecosystem_type'])}, "
               f"{_words.label(ProjectStatus, project['status'])})")
    click.echo(f"  容量 capacity {project['capacity']:g} {u}; 已释放 released {project['released']:g} {u}; "
               f"已预留 reserved {_bank.amount(project['reserved'])}; 已确认 committed {_bank.amount(project['committed'])}; "
               f"可预留 remaining released {_bank.amount(project['remaining_released'])} {u}")
    if review:
        _echo_review(review)
    for t in tranches.itertuples(index=False):
        state = "已释放 released " + str(t.reached_on) if t.state == "released" else "待释放 pending"
        click.echo(f"  第{t.seq}期 tranche {t.seq}: {t.share:.0%} = {t.amount:g} {u} — {_bank.milestone(t.milestone)} ({state})")
    for r in allocs.itertuples(index=False):
        who = r.case_id if isinstance(r.case_id, str) and r.case_id else f"外部 external: {r.external_ref}"
        click.echo(f"  {r.allocation_id} {_words.label(AllocationState, r.state)} {r.amount:g} {_words.unit(r.unit)}"
                   f" -> {who}")
    for r in history.itertuples(index=False):
        before = _words.label(ProjectStatus, r.from_status) if r.from_status else "-"
        click.echo(f"  {r.changed_on}: {before} -> {_words.label(ProjectStatus, r.to_status)}")


def _echo_review(review: dict) -> None:
    """A polygon's review status (who, when, note) and its findings, in Chinese and English."""
    from ..bank.review import finding_text
    from ..vocab import label
    status = review["review_status"]
    note = f"; {review['review_note']}" if _bank.text(review.get("review_note"), "") else ""
    click.echo(f"  图斑审核 polygon review: {label('polygon_review', status)} {label('polygon_review', status, 'en')} "
               f"({_bank.text(review['reviewed_by'])}, {_bank.text(review['reviewed_at'])}){note}")
    for f in review["findings"]:
        click.echo(f"    {finding_text(f, 'zh')} / {finding_text(f, 'en')}")


@bank_group.command("review")
@click.argument("project_id")
@click.argument("status", type=click.Choice(["approved", "needs_changes"]))
@click.option("--note", default=None, help="Why (required for needs_changes, and to approve a polygon with findings).")
def review_(project_id: str, status: str, note: str | None) -> None:
    """Record the polygon review of PROJECT_ID: approved or needs_changes (who and when are kept)."""
    from ..bank.review import review_status, set_review
    store = _bank.store()
    set_review(store, project_id, status, note=note, actor=_bank.actor())
    click.echo(f"已记录 recorded polygon review of {project_id}:")
    _echo_review(review_status(store).set_index("project_id").loc[project_id].to_dict())


@bank_group.command("register")
@click.option("--out", required=True, type=click.Path(file_okay=False),
              help="Existing folder for bank_register.gpkg, bank_register.csv and bank_register.schema.json.")
def register_(out: str) -> None:
    """The bank's public register (nothing personal) as GeoPackage + CSV + JSON schema."""
    from ..bank.register import export_register
    paths = export_register(_bank.store(), out)
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
    report = import_projects(_bank.store(), file, crs=crs, actor=_bank.actor(), mapping=combine(map_text, map_file),
                             extra=extra, check=check, source_layer=source_layer, allow_outside=allow_outside,
                             allow_overlap=allow_overlap)
    for note in report.notes:
        click.echo(f"  {note}")
    _bank.echo_findings(report.findings)
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
    store = _bank.store()
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
    after = set_status(_bank.store(), project_id, status, on=on, note=note, actor=_bank.actor())
    click.echo(f"{project_id}: {_words.both(ProjectStatus, after['status'])} since {after['status_since']}")


for _command in (*bank_schedule.COMMANDS, *bank_ledger.COMMANDS, *bank_siting.COMMANDS):
    bank_group.add_command(_command)
