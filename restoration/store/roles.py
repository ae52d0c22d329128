"""Least privilege on the server backend: an owner role and a runtime role.

The **owner** role owns the database and the store's tables; an administrator uses it for what
changes the schema — ``restoration init``, ``db upgrade`` (and the migrations any open would
apply), ``db copy`` into the server — and for :func:`grant_runtime`. The **runtime** role is what
the dashboards, the CLI users and the notebooks connect as: it may read and write rows
(``SELECT, INSERT, UPDATE, DELETE`` on the store's layers) and nothing else — no DDL, no
trigger changes, and on ``audit_log`` only ``SELECT`` and ``INSERT`` (the audit log is also
append-only by a trigger that refuses every role, :meth:`PostgisOps.append_only`). So a leaked
runtime password or a compromised dashboard cannot rewrite history or drop a table.

The runtime roles granted are recorded in ``restoration_meta`` (``runtime_role:<name>``), and
every migration the owner applies grants them the new layers too (:func:`regrant`).

References
----------
PostgreSQL 15 documentation §5.7 (privileges), ``GRANT``, ``REVOKE``; §5.9.6 (since PostgreSQL 15
``PUBLIC`` has no ``CREATE`` on schema ``public``); §39.1 (triggers).
"""
from __future__ import annotations

import logging


from .. import config, model
from ..errors import InputError, Issue, StoreError

log = logging.getLogger(__name__)

#: what the runtime role may do on each kind of table
RUNTIME_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
#: tables the runtime role may only read and append to / read / read and bump
APPEND_ONLY = {"audit_log": "SELECT, INSERT"}
BOOKKEEPING = {"restoration_schema": "SELECT", "restoration_meta": "SELECT, UPDATE"}
_META_KEY = "runtime_role:"


def _ident(name: str):
    from psycopg import sql
    return sql.Identifier(name)


def _store_tables(conn) -> list[str]:
    have = {r[0] for r in conn.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")}
    return sorted(have & (set(model.LAYERS) | set(BOOKKEEPING)))


def _grant(conn, role: str) -> list[str]:
    """Grant ``role`` the runtime privileges on every table of the store (in this transaction)."""
    from psycopg import sql
    r = _ident(role)
    schema = conn.execute("SELECT current_schema()").fetchone()[0]
    conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
        _ident(conn.execute("SELECT current_database()").fetchone()[0]), r))
    conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(_ident(schema), r))
    tables = _store_tables(conn)
    for table in tables:
        t = _ident(table)
        conn.execute(sql.SQL("REVOKE ALL ON TABLE {} FROM {}").format(t, r))
        privileges = APPEND_ONLY.get(table) or BOOKKEEPING.get(table) or RUNTIME_PRIVILEGES
        conn.execute(sql.SQL("GRANT " + privileges + " ON TABLE {} TO {}").format(t, r))
    return tables


def regrant(conn) -> list[str]:
    """Grant every recorded runtime role the store's tables again (after a migration added some);
    the roles granted."""
    if "restoration_meta" not in _store_tables(conn):
        return []
    roles = [k[len(_META_KEY):] for (k,) in conn.execute(
        "SELECT key FROM restoration_meta WHERE key LIKE %s", (_META_KEY + "%",))]
    present = {r for (r,) in conn.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", (roles,))}
    for role in roles:
        if role in present:
            _grant(conn, role)
        else:
            log.warning("runtime role %s no longer exists; not granted", role)
    return [r for r in roles if r in present]


def grant_runtime(conn, role: str) -> list[str]:
    """Make ``role`` the store's runtime role, on a connection of the owner (autocommit; one
    transaction here); the tables granted.

    Refused (:class:`InputError`) for a role that does not exist, is a superuser, owns the
    database or is the role connected; :class:`StoreError` when the connected role may not
    grant (it does not own the store's tables)."""
    import psycopg
    row = conn.execute("SELECT r.rolsuper, r.rolname = current_user, "
                       "r.oid = (SELECT datdba FROM pg_database WHERE datname = current_database()) "
                       "FROM pg_roles r WHERE r.rolname = %s", (role,)).fetchone()
    problem = ("does not exist (CREATE ROLE … LOGIN first)" if row is None else
               "is a superuser" if row[0] else "is the role connected (connect as the owner)" if row[1]
               else "owns the database" if row[2] else None)
    if problem:
        raise InputError(Issue(f"role '{role}' {problem}: the runtime role must be a plain login role "
                               "that owns nothing", field="ROLE"))
    owner, mine = conn.execute("SELECT tableowner, pg_has_role(current_user, tableowner, 'USAGE') FROM pg_tables "
                               "WHERE schemaname = current_schema() AND tablename = 'restoration_schema'").fetchone()
    if not mine:
        raise StoreError(f"only the owner of the store's tables ({owner}) may grant them; connected as "
                         f"{conn.execute('SELECT current_user').fetchone()[0]} — run `restoration db grant` as "
                         "the owner role")
    conn.execute("BEGIN")
    try:
        tables = _grant(conn, role)
        conn.execute("INSERT INTO restoration_meta (key, value) VALUES (%s, %s) ON CONFLICT (key) "
                     "DO UPDATE SET value = EXCLUDED.value",
                     (_META_KEY + role, config.now_utc()))
        conn.execute("COMMIT")
    except psycopg.errors.InsufficientPrivilege as exc:
        conn.execute("ROLLBACK")
        raise StoreError(f"this role may not grant the store's tables ({str(exc).strip()}); "
                         "run `restoration db grant` as the owner role") from exc
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return tables


def connected_role(conn) -> dict:
    """Who this connection is: ``user``, whether it is a ``superuser``, owns the database
    (``owner``) or may change the audit log (``audit_writable``)."""
    user, superuser, owner = conn.execute(
        "SELECT current_user, r.rolsuper, r.oid = d.datdba FROM pg_roles r, pg_database d "
        "WHERE r.rolname = current_user AND d.datname = current_database()").fetchone()
    writable = conn.execute("SELECT has_table_privilege('audit_log', 'UPDATE') OR "
                            "has_table_privilege('audit_log', 'DELETE')").fetchone()[0] \
        if "audit_log" in _store_tables(conn) else None
    return {"user": user, "superuser": bool(superuser), "owner": bool(owner), "audit_writable": writable}
