"""Least privilege on PostGIS, on the session's temporary cluster: an owner role runs init and
upgrades, a runtime role does everything the platform does at run time and nothing else — it
cannot update, delete or truncate the audit log, change the schema or disable a trigger; the
audit log refuses every role's UPDATE/DELETE (on the GeoPackage too). A password never has to
be on the command line: a password-less URL with PGPASSFILE or a libpq service file works, and
a password in --db is warned about."""
from __future__ import annotations

import itertools
import json
import os
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import psycopg
import pytest

from restoration import auth
from restoration.cases import add_event
from restoration.cases.records import update_case
from restoration.store import open_store
from restoration.store.postgis import close_pools

from .. import files
from ..conftest import REPO, run_cli, store_fingerprint
from ..markers import brings
from ..stores import imported_inputs

_numbers = itertools.count(1)


class Roles:
    """An owner role owning a database, and a runtime role granted on it (``db grant``)."""

    def __init__(self, cluster, init: bool = True, grant: bool = True):
        n = f"{os.getpid()}_{next(_numbers)}"
        self.cluster, self.owner, self.runtime, self.db = cluster, f"own_{n}", f"app_{n}", f"roles_{n}"
        with cluster.admin() as conn:
            conn.execute(f'CREATE ROLE "{self.owner}" LOGIN')
            conn.execute(f'CREATE ROLE "{self.runtime}" LOGIN')
            conn.execute(f'CREATE DATABASE "{self.db}" OWNER "{self.owner}"')
        with psycopg.connect(cluster.url(self.db), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION postgis")  # the superuser's one step (docs/deployment.md)
        if init:
            code, out, err = self.cli(self.owner, "init", "--empty")
            assert code == 0, err
        if grant:
            code, out, err = self.cli(self.owner, "db", "grant", self.runtime)
            assert code == 0 and "audit_log SELECT, INSERT only" in out, err

    def url(self, role: str) -> str:
        return self.cluster.url(self.db).replace("postgres@", f"{role}@")

    def cli(self, role: str, *argv, capsys=None):
        """The CLI as ``role`` (RESTORATION_DB, as the service file sets it) in a subprocess (the
        fixtures that make roles bring the ``subprocess`` marker)."""
        env = {**os.environ, "RESTORATION_DB": self.url(role), "RESTORATION_DATA": str(self.data)}
        done = subprocess.run([sys.executable, "-m", "restoration.cli", *map(str, argv)], env=env,
                              capture_output=True, text=True, cwd=REPO)
        return done.returncode, done.stdout, done.stderr

    @property
    def data(self) -> Path:
        folder = Path(self.cluster.root).parent / f"data_{self.db}"
        folder.mkdir(exist_ok=True)
        return folder

    def drop(self) -> None:
        for role in (self.owner, self.runtime):
            close_pools(self.url(role))
        with self.cluster.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')
            conn.execute(f'DROP ROLE IF EXISTS "{self.runtime}"')
            conn.execute(f'DROP ROLE IF EXISTS "{self.owner}"')


@pytest.fixture
@brings("subprocess")
def roles(pg_cluster):
    made = []

    def make(**kw) -> Roles:
        made.append(Roles(pg_cluster, **kw))
        return made[-1]
    yield make
    for r in made:
        r.drop()


@pytest.fixture(scope="module")
@brings("subprocess")
def runtime_store(pg_cluster, tmp_path_factory):
    """An agency store the runtime role filled as the documented deployment does: the owner ran
    init and db grant; the runtime role imported counties, watersheds, cases, sites and the bank."""
    r = Roles(pg_cluster)
    inputs = imported_inputs(tmp_path_factory.mktemp("inputs"))
    for layer in ("counties", "watersheds", "cases", "sites"):
        code, out, err = r.cli(r.runtime, "import", layer, inputs[layer])
        assert code == 0, (layer, err)
    code, out, err = r.cli(r.runtime, "import", "bank", REPO / "sample_data" / "bank_projects.gpkg")
    assert code == 0, err
    yield r
    r.drop()


def _audit_rows(url: str) -> list:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT fid, at, actor, action, layer, record_id FROM audit_log ORDER BY fid").fetchall()


# -- the runtime role works ---------------------------------------------------------------------------
def test_runtime_role_does_what_the_platform_does(runtime_store, monkeypatch):
    r = runtime_store
    monkeypatch.setenv("RESTORATION_DB", r.url(r.runtime))  # as the dashboard's service file sets it
    code, out, err = r.cli(r.runtime, "db", "info")
    assert code == 0 and f"{r.runtime} (运行角色 runtime (rows only))" in out, out + err
    steps = [
        ("bank", "reserve", "BP01", "--case", "GX-2025-001", "--amount", "2"),
        ("bank", "commit", "BP01", "--case", "GX-2025-001"),
        ("bank", "reserve", "BP02", "--case", "GX-2025-002", "--amount", "1"),
        ("bank", "release", "BP02", "--case", "GX-2025-002"),
        ("case", "disclose", "GX-2025-002", "--public-title", "柳溪县某养殖场废水直排致溪流污染案"),
    ]
    for argv in steps:
        code, out, err = r.cli(r.runtime, *argv)
        assert code == 0, (argv, out, err)
    store = open_store(r.url(r.runtime), create=False)
    case = store.get("cases", "GX-2024-003")
    update_case(store, "GX-2024-003", {"notes": "复核"}, "admin", expected_version=int(case["version"]))
    add_event(store, "GX-2025-001", {"event_type": "clue_registered", "event_date": "2026-09-28", "details": {}},
              "admin", today=date(2026, 11, 20), attachments=[("线索.pdf", "application/pdf", files.pdf())])
    auth.add_user(r.data, "wang", "Lijiang-Hetao-7531", "supervisor")  # users are audited in the store
    assert auth.sign_in(r.data, "wang", "Lijiang-Hetao-7531").ok
    layers = {(row[3], row[4]) for row in _audit_rows(r.url(r.runtime))}
    assert {("insert", "bank_allocations"), ("update", "bank_allocations"), ("update", "cases"),
            ("event clue_registered", "case_events"), ("user add", "users"), ("sign-in success", "users")} <= layers
    assert store.count("attachments") == 1 and store.get("cases", "GX-2025-002")["disclosed"]
    store.close()


# -- and nothing else -----------------------------------------------------------------------------------
@pytest.mark.parametrize("sql", [
    "UPDATE audit_log SET actor = 'nobody'",
    "DELETE FROM audit_log",
    "TRUNCATE audit_log",
    "ALTER TABLE audit_log DISABLE TRIGGER ALL",
    "DROP TRIGGER audit_log_append_only ON audit_log",
    "DROP TABLE cases",
    "ALTER TABLE cases ADD COLUMN x text",
    "CREATE TABLE stolen (x text)",
    "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
    "INSERT INTO restoration_schema VALUES (999, 'now', 'fake')",
    "DELETE FROM restoration_meta",
    "CREATE SCHEMA evil",
])
def test_runtime_role_cannot_touch_history_or_schema(runtime_store, sql):
    r = runtime_store
    before = _audit_rows(r.url(r.owner))
    with psycopg.connect(r.url(r.runtime), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(sql)
    assert _audit_rows(r.url(r.owner)) == before


@pytest.mark.parametrize("sql", ["UPDATE audit_log SET actor = 'nobody'", "DELETE FROM audit_log",
                                 "TRUNCATE audit_log"])
def test_owner_cannot_rewrite_the_audit_log_either(runtime_store, sql):
    """The trigger refuses every role, the owner that could grant itself anything included."""
    r = runtime_store
    before = _audit_rows(r.url(r.owner))
    with psycopg.connect(r.url(r.owner), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            conn.execute(sql)
    assert _audit_rows(r.url(r.owner)) == before and before


def test_audit_log_append_only_on_both_backends(store):
    """Whoever writes to the store by hand (sqlite3, psql as its owner) cannot rewrite history."""
    before = store_fingerprint(store)
    for sql in ("UPDATE audit_log SET actor = 'nobody'", "DELETE FROM audit_log"):
        if store.path is not None:
            with sqlite3.connect(store.path) as conn, pytest.raises(sqlite3.DatabaseError, match="append-only"):
                conn.execute(sql)
        else:
            with psycopg.connect(store.url, autocommit=True) as conn, \
                    pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                conn.execute(sql)
    assert store_fingerprint(store) == before
    n = store.count("audit_log")
    update_case(store, "GX-2022-010", {"notes": "仍可追加"}, "admin")  # appending still works
    assert store.count("audit_log") > n


# -- the owner's steps -------------------------------------------------------------------------------------
def test_schema_changes_need_the_owner(roles):
    r = roles(init=False, grant=False)
    code, out, err = r.cli(r.runtime, "init", "--empty")
    assert code == 2 and "run `restoration init` as the owner role" in err, err
    code, out, err = r.cli(r.owner, "init", "--empty")
    assert code == 0, err
    code, out, err = r.cli(r.owner, "db", "grant", r.runtime)
    assert code == 0, err
    # a pending migration (as after installing a new version): the runtime role is told to ask the owner
    with psycopg.connect(r.url(r.owner), autocommit=True) as conn:
        latest = conn.execute("SELECT max(version) FROM restoration_schema").fetchone()[0]
        conn.execute("DELETE FROM restoration_schema WHERE version = %s", (latest,))
    code, out, err = r.cli(r.runtime, "info")
    assert code == 2 and f"v{latest} are pending" in err and "`restoration db upgrade` as the owner" in err, err
    code, out, err = r.cli(r.owner, "db", "upgrade")
    assert code == 0 and f"v{latest}" in out, err
    code, out, err = r.cli(r.runtime, "info")  # the runtime role still has its rows after the upgrade
    assert code == 0, err
    with psycopg.connect(r.url(r.runtime), autocommit=True) as conn, \
            pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("DELETE FROM audit_log")


def test_grant_refusals(runtime_store):
    """Only a plain login role that owns nothing becomes a runtime role, granted by the owner."""
    r = runtime_store
    for who, role, why in [(r.owner, "no_such_role", "does not exist"), (r.owner, "postgres", "is a superuser"),
                           (r.owner, r.owner, "is the role connected"), (r.runtime, r.owner, "owns the database")]:
        code, out, err = r.cli(who, "db", "grant", role)
        assert code == 2 and why in err, (who, role, out, err)
    with r.cluster.admin() as conn:
        conn.execute(f'CREATE ROLE "{r.runtime}_2" LOGIN')
    try:
        code, out, err = r.cli(r.runtime, "db", "grant", f"{r.runtime}_2")
        assert code == 2 and f"only the owner of the store's tables ({r.owner}) may grant" in err, err
    finally:
        with r.cluster.admin() as conn:
            conn.execute(f'DROP ROLE "{r.runtime}_2"')


def test_grant_on_a_geopackage_refused(tmp_path, capsys):
    code, out, err = run_cli(["--data", tmp_path, "init", "--empty"], capsys)
    code, out, err = run_cli(["--data", tmp_path, "db", "grant", "app"], capsys)
    assert code == 2 and "PostgreSQL store only" in err


# -- passwords off the command line ----------------------------------------------------------------------
@pytest.fixture
def password_role(pg_cluster, roles):
    """A runtime role that must give a password (scram-sha-256 for it alone in pg_hba.conf)."""
    r = roles()
    password = "Tiankeng-Lijiang-9402"
    with pg_cluster.admin() as conn:
        conn.execute(f"ALTER ROLE \"{r.runtime}\" PASSWORD '{password}'")
    hba = pg_cluster.data / "pg_hba.conf"
    original = hba.read_text()
    hba.write_text(f"local all {r.runtime} scram-sha-256\n" + original)
    with pg_cluster.admin() as conn:
        conn.execute("SELECT pg_reload_conf()")
    yield r, password
    hba.write_text(original)
    with pg_cluster.admin() as conn:
        conn.execute("SELECT pg_reload_conf()")


def test_password_less_url_with_pgpassfile_or_service_file(password_role, tmp_path, monkeypatch, processes):
    r, password = password_role
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))
    code, out, err = r.cli(r.runtime, "db", "info")
    assert code == 2 and "password" in err.lower(), err  # the server really asks for one
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"*:*:{r.db}:{r.runtime}:{password}\n")
    passfile.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    code, out, err = r.cli(r.runtime, "db", "info")
    assert code == 0 and r.runtime in out and "warning" not in err, err
    services = tmp_path / "pg_service.conf"
    services.write_text(f"[restoration]\nhost={r.cluster.root}\nport={r.cluster.port}\ndbname={r.db}\n"
                        f"user={r.runtime}\n")
    monkeypatch.setenv("PGSERVICEFILE", str(services))
    done = processes.run([sys.executable, "-m", "restoration.cli", "--db", "postgresql:///?service=restoration",
                          "--data", r.data, "db", "info", "--json"], capture_output=True, text=True, cwd=REPO,
                         env={k: v for k, v in os.environ.items() if k != "RESTORATION_DB"})
    assert done.returncode == 0 and json.loads(done.stdout)["role"]["user"] == r.runtime, done.stderr
    assert "warning" not in done.stderr


def test_password_on_the_command_line_warned(password_role, capsys, monkeypatch):
    r, password = password_role
    monkeypatch.delenv("RESTORATION_DB", raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")
    url = r.url(r.runtime).replace(f"{r.runtime}@", f"{r.runtime}:{password}@")
    code, out, err = run_cli(["--data", r.data, "--db", url, "db", "info"], capsys)
    assert code == 0 and "the password in --db is visible to every user of this machine (ps)" in err
    assert password not in out + err  # and it is never echoed
    code, out, err = run_cli(["--data", r.data, "db", "copy", url, r.data / "copy.gpkg"], capsys)
    assert "the password in SRC is visible" in err and password not in out + err
    monkeypatch.setenv("RESTORATION_DB", url)  # the environment is the owner's only: no warning
    code, out, err = run_cli(["--data", r.data, "db", "info"], capsys)
    assert code == 0 and "warning" not in err


@pytest.mark.parametrize("url, warned, shown", [
    ("postgresql://app:S3cret-pw@db.example/restoration", True, "postgresql://app:***@db.example/restoration"),
    ("postgresql://app@db.example/restoration?password=S3cret-pw&sslmode=require", True,
     "postgresql://app@db.example/restoration?password=***&sslmode=require"),
    ("postgresql://app@db.example/restoration", False, "postgresql://app@db.example/restoration"),
    ("postgresql:///?service=restoration", False, "postgresql:///?service=restoration"),
])
def test_passwords_in_urls_found_and_never_shown(url, warned, shown):
    from restoration.cli._context import password_in
    from restoration.store.postgis import redact
    assert password_in(url) is warned and redact(url) == shown and "S3cret" not in redact(url)
