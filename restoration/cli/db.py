"""``restoration db …``: where the store is, its schema, and moving it between backends.

``db info`` says which backend and schema version; ``db upgrade`` applies pending migrations
(also done on every open; this makes it an explicit, logged step for an administrator);
``db copy SRC DST`` moves a whole store between a GeoPackage and PostGIS in either direction,
checking row counts and geometries afterwards; ``db grant ROLE`` makes a PostgreSQL role the
store's runtime role (rows only, the audit log append-only: ``restoration.store.roles``).
"""
from __future__ import annotations

import click

from ..cases.case_state import backfill
from ..errors import InputError, Issue, StoreError
from ..store import backend_for, open_store
from . import _context


@click.group("db")
def db_group() -> None:
    """The store itself: info, upgrade, copy between a GeoPackage and PostgreSQL/PostGIS."""


@db_group.command("info")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def info(as_json: bool) -> None:
    """Backend, location, schema version and the applied migrations."""
    store = _context.store()
    history = store.schema_history()
    out = {"backend": store.backend, "location": store.location, "schema_version": store.schema_version,
           "store_version": store.version, "migrations": history.to_dict(orient="records")}
    if store.backend == "postgis":
        out["role"] = backend_for(_context.location()).connected_role()
    if as_json:
        _context.echo_json(out)
        return
    click.echo(f"后端 backend: {store.backend}   位置 location: {store.location}")
    if "role" in out:
        who = out["role"]
        kind = ("超级用户 superuser" if who["superuser"] else "所有者 owner" if who["owner"] else
                "运行角色 runtime (rows only)" if who["audit_writable"] is False else "其他 other")
        click.echo(f"数据库角色 database role: {who['user']} ({kind})")
    click.echo(f"模式版本 schema version: {out['schema_version']}   数据版本 store version: {out['store_version']}")
    for m in out["migrations"]:
        click.echo(f"  v{m['version']}  {m['applied_at']}  {m['description']}")


@db_group.command("upgrade")
def upgrade() -> None:
    """Apply pending schema migrations (in one transaction; a failure changes nothing)."""
    from ..store import SCHEMA_VERSION
    backend = backend_for(_context.location())
    if not backend.exists():
        raise StoreError(f"{backend.location}: no store here; run `restoration init` first")
    done = backend.open_checked(upgrade=True)
    backend.close()
    store = open_store(_context.location(), create=False)
    derived = backfill(store)  # every case's stored deadlines (a store from before they were kept)
    store.close()
    if done:
        click.echo(f"已升级 upgraded {backend.location}: applied {', '.join(f'v{v}' for v in done)} "
                   f"(now v{SCHEMA_VERSION})")
    else:
        click.echo(f"已是最新 up to date: {backend.location} is at schema v{SCHEMA_VERSION}")
    if derived:
        click.echo(f"已计算 derived the stored deadlines of {derived} cases")


@db_group.command("copy")
@click.argument("src")
@click.argument("dst")
def copy(src: str, dst: str) -> None:
    """Copy the whole store SRC into a new store DST (GeoPackage path or postgresql:// URL).

    DST must not hold a store yet. Every layer is copied in one transaction with its rows'
    keys, versions and feature ids, then row counts and geometries are compared.
    """
    from ..store.copy import copy_store
    for name, url in (("SRC", src), ("DST", dst)):
        _context.warn_password_on_command_line(url, name)
    report = copy_store(src, dst, progress=True)
    for layer, n in report.counts.items():
        click.echo(f"  {layer}: {n}")
    click.echo(f"已复制 copied {report.rows} rows in {len(report.counts)} layers from {report.source} to "
               f"{report.target}; counts and geometries checked")


@db_group.command("grant")
@click.argument("role")
def grant(role: str) -> None:
    """Make the PostgreSQL login ROLE the store's runtime role (run as the owner role).

    ROLE may then read and write the store's rows — what the dashboards, the CLI and notebooks
    do — and nothing else: no schema changes, and the audit log only read and appended to. The
    grant is recorded; `db upgrade` grants the layers later migrations add.
    """
    backend = backend_for(_context.location())
    if backend.kind != "postgis":
        raise InputError(Issue("database roles exist on a PostgreSQL store only (--db postgresql://…)",
                               field="--db"))
    tables = backend.grant_runtime(role)
    backend.close()
    click.echo(f"已授权 granted {role}: rows of {len(tables)} tables (SELECT, INSERT, UPDATE, DELETE); "
               "audit_log SELECT, INSERT only; no schema changes")
