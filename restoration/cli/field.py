"""``restoration field ...``: offline field inspection with QField — export a package, import it
back (inspections, photos as evidence, reference edits merged three-way), review the conflicts,
mark a field photo public (or withdraw it) for the public page.

Exit codes: 2 bad input (the row, field and file named; nothing written), 4 a conflict resolved
against an office value that changed again, 5 permission.
"""
from __future__ import annotations

import click

from . import _context
from ..errors import InputError, Issue
from ..field import conflicts, export_package, import_package, resolve, set_public

_KINDS = {"take": "采用外业修改 taken from the field", "value": "冲突待审 conflict for review",
          "geometry": "外业修改了图形（未采用）geometry edited in the field (not applied)",
          "deleted": "外业删除了要素（未采用）feature deleted in the field (not applied)",
          "added": "外业新增了要素（未采用）feature added in the field (not applied)"}
_FIELDS = {"name": "名称", "public_name": "公开名称", "ecosystem_type": "生态系统类型", "role": "场地类型"}


@click.group("field")
def field_group() -> None:
    """外业巡查 offline field inspection (QField): export, import, conflicts."""


def _case_ids(store, case_id: str | None, cases: str | None, region: str | None) -> list[str]:
    ids = [case_id] if case_id else []
    ids += [c.strip() for c in (cases or "").split(",") if c.strip()]
    if region:
        frame = store.read("cases", columns=["case_id", "region"])
        found = sorted(frame.loc[frame["region"] == region, "case_id"])
        if not found:
            raise InputError(Issue(f"no case in region {region!r}", field="--region"))
        ids += found
    if not ids:
        raise InputError(Issue("name a case (CASE_ID), --cases A,B or --region R", field="CASE_ID"))
    return ids


@field_group.command("export")
@click.argument("case_id", required=False)
@click.option("--cases", default=None, help="More cases, comma-separated.")
@click.option("--region", default=None, help="Every case of this region (县区).")
@click.option("--out", "out", required=True, type=click.Path(), help="New (or empty) folder for the package.")
@_context.actor_opt
def export_cmd(case_id, cases, region, out, actor) -> None:
    """Write a QField package of CASE_ID's sites (GeoPackage, project, base snapshot)."""
    store = _context.store()
    done = export_package(store, _case_ids(store, case_id, cases, region), out, _context.actor(actor))
    click.echo(f"已导出外业包 field package exported: {done.folder} (编号 id {done.package_id}; "
               f"{len(done.case_ids)} 个案件 cases, {done.sites} 个场地 sites)")
    click.echo("  用 QField 打开 open with QField: inspection.qgs")


def _line(c: dict) -> str:
    what = _FIELDS.get(c["field"] or "", c["field"] or "")
    values = f"：导出时 base {c['base']!r} / 办公室 office {c['office']!r} / 外业 field {c['field_value']!r}" \
        if c["field"] else ""
    return f"  {_KINDS[c['kind']]}: 场地 site {c['record_id']} {what}{values}"


@field_group.command("import")
@click.argument("folder", type=click.Path())
@click.option("--check", is_flag=True, help="Check only: say what would be imported, write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_context.actor_opt
@_context.today_opt
def import_cmd(folder, check, as_json, actor, today) -> None:
    """Import a field package: inspections become case records, photos evidence, edits merged."""
    report = import_package(_context.store(), folder, _context.actor(actor), check=check,
                            today=_context.today(today))
    if as_json:
        _context.echo_json(report.to_dict())
        return
    data = report.to_dict()
    if not report.changes_anything:
        click.echo(f"外业包 {report.package_id} 已导入，无新内容 already imported: nothing changed "
                   f"({report.skipped} 条巡查记录 inspections already in the store)")
        return
    verb = "检查通过，将导入 check passed, would import" if check else "已导入 imported"
    click.echo(f"{verb}: {report.new} 条巡查记录 inspections, {report.photos} 张照片 photos "
               f"(已有 already imported: {report.skipped})")
    if report.stale:
        click.echo("  注意：此包早于已导入的较新外业包，外业修改全部列入待审 older than a package imported since: "
                   "every field edit is queued for review")
    for c in data["taken"] + data["conflicts"] + data["reported"]:
        click.echo(_line(c))
    for w in report.warnings:
        click.echo(f"  提示 warning: {w}")
    if data["conflicts"]:
        click.echo("  待审冲突 review with: restoration field conflicts")


@field_group.command("conflicts")
@click.option("--all", "every", is_flag=True, help="Resolved ones too.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def conflicts_cmd(every, as_json) -> None:
    """The review queue: attributes changed at the office and in the field."""
    frame = conflicts(_context.store(), status=None if every else "open")
    if as_json:
        _context.echo_json(frame.to_dict("records"))
        return
    if frame.empty:
        click.echo("没有待审冲突 no conflicts to review")
        return
    for r in frame.to_dict("records"):
        state = "待审 open" if r["status"] == "open" else f"已处理 resolved: kept {r['kept']} ({r['resolved_by']})"
        click.echo(f"{r['conflict_id']}  案件 case {r['case_id']}  [{state}]")
        click.echo(_line({"kind": r["kind"], "record_id": r["record_id"], "field": r["field"],
                          "base": r["base_value"], "office": r["office_value"], "field_value": r["field_value"]}))


@field_group.command("resolve")
@click.argument("conflict_id")
@click.option("--keep", required=True, type=click.Choice(["office", "field"]),
              help="Keep the office's value or the field's.")
@_context.actor_opt
def resolve_cmd(conflict_id, keep, actor) -> None:
    """Resolve one conflict of the review queue."""
    row = resolve(_context.store(), conflict_id, keep, _context.actor(actor))
    kept = "办公室的值 the office's value" if keep == "office" else "外业的值 the field's value"
    click.echo(f"{row['conflict_id']}: 已保留 kept {kept} (场地 site {row['record_id']})")



@field_group.group("photo")
def photo_group() -> None:
    """外业照片 field photos: make one public on the public page, or withdraw it."""


def _publication(photo_id: str, public: bool, reason: str, actor: str | None) -> None:
    row = set_public(_context.store(), photo_id, public, reason, _context.actor(actor))
    if public:
        click.echo(f"照片 photo {row['photo_id']} ({row['name']}, 案件 case {row['case_id']}) 已公开 now public: "
                   "案件公开后在公开页显示 shown on the public page while the case is disclosed")
    else:
        click.echo(f"照片 photo {row['photo_id']} ({row['name']}, 案件 case {row['case_id']}) 已撤回公开 "
                   "withdrawn from the public page")


@photo_group.command("publish")
@click.argument("photo_id")
@click.option("--reason", required=True, help="Why the public may see it (kept with the decision).")
@_context.actor_opt
def publish_cmd(photo_id, reason, actor) -> None:
    """Show field photo PHOTO_ID (case show --json: field_evidence photo_id) on the public page."""
    _publication(photo_id, True, reason, actor)


@photo_group.command("unpublish")
@click.argument("photo_id")
@click.option("--reason", required=True, help="Why it is withdrawn (kept with the decision).")
@_context.actor_opt
def unpublish_cmd(photo_id, reason, actor) -> None:
    """Withdraw field photo PHOTO_ID from the public page."""
    _publication(photo_id, False, reason, actor)
