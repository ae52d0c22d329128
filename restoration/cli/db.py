"""``restoration db …``: where the store is, its schema, and moving it between backends.

``db info`` says which backend and schema version; ``db upgrade`` applies pending migrations
(also done on every open; this makes it an explicit, logged step for an administrator);
``db copy SRC DST`` moves a whole store between a GeoPackage and PostGIS in either direction,
checking row counts and geometries afterwards.
"""
from __future__ import annotations

import click

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
    if as_json:
        _context.echo_json(out)
        return
    click.echo(f"后端 backend: {store.backend}   位置 location: {store.location}")
    click.echo(f"模式版本 schema version: {out['schema_version']}   数据版本 store version: {out['store_version']}")
    for m in out["migrations"]:
        click.echo(f"  v{m['version']}  {m['applied_at']}  {m['description']}")


@db_group.command("upgrade")
def upgrade() -> None:
    """Apply pending schema migrations (in one transaction; a failure changes nothing)."""
    from ..store.core import _backend_for
    from ..store import SCHEMA_VERSION
    backend = _backend_for(_context.location())
    if not backend.exists():
        from ..errors import StoreError
        raise StoreError(f"{backend.location}: no store here; run `restoration init` first")
    done = backend.open_checked(upgrade=True)
    if done:
        click.echo(f"已升级 upgraded {backend.location}: applied {', '.join(f'v{v}' for v in done)} "
                   f"(now v{SCHEMA_VERSION})")
    else:
        click.echo(f"已是最新 up to date: {backend.location} is at schema v{SCHEMA_VERSION}")
    backend.close()


@db_group.command("copy")
@click.argument("src")
@click.argument("dst")
def copy(src: str, dst: str) -> None:
    """Copy the whole store SRC into a new store DST (GeoPackage path or postgresql:// URL).

    DST must not hold a store yet. Every layer is copied in one transaction with its rows'
    keys, versions and feature ids, then row counts and geometries are compared.
    """
    from ..store.copy import copy_store
    report = copy_store(src, dst, progress=True)
    for layer, n in report.counts.items():
        click.echo(f"  {layer}: {n}")
    click.echo(f"已复制 copied {report.rows} rows in {len(report.counts)} layers from {report.source} to "
               f"{report.target}; counts and geometries checked")
