"""A throwaway PostgreSQL + PostGIS cluster, for the tests and the benchmarks.

Debian's ``postgresql-15`` and ``postgresql-15-postgis-3`` packages provide the binaries; the
cluster lives in a temporary folder, listens only on a Unix socket there (no TCP port to
collide with), runs as an unprivileged user when started by root (the server refuses root),
and is tuned for speed over durability (``fsync=off``): never use it for real data.
"""
from __future__ import annotations

import glob
import logging
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import StoreError
from .postgis import close_pools

log = logging.getLogger(__name__)


def bindir() -> Path:
    """The newest installed PostgreSQL's binaries (``/usr/lib/postgresql/N/bin``)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise StoreError("PostgreSQL is not installed: apt-get install postgresql-15 postgresql-15-postgis-3")


class TempCluster:
    """``initdb`` + ``pg_ctl start`` in a fresh folder; :meth:`stop` removes everything."""

    def __init__(self, user: str | None = None):
        self.bin = bindir()
        self.root = Path(tempfile.mkdtemp(prefix="restoration-pg-"))
        self.data = self.root / "data"
        self.port = 5432  # only a Unix socket in self.root: the number can't collide
        self._as = []
        if os.geteuid() == 0:
            user = user or "postgres"
            try:
                pw = pwd.getpwnam(user)
            except KeyError:
                subprocess.run(["useradd", "--system", "--no-create-home", user], check=True)
                pw = pwd.getpwnam(user)
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
            self._as = ["runuser", "-u", user, "--"]
        self.user = user or pwd.getpwuid(os.geteuid()).pw_name
        self.started = False

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self._as, *args], capture_output=True, text=True)
        if done.returncode:
            raise StoreError(f"{Path(args[0]).name} failed: {done.stderr.strip() or done.stdout.strip()}")

    def start(self) -> "TempCluster":
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        opts = (f"-c listen_addresses='' -c unix_socket_directories={self.root} -p {self.port} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
                "-c shared_buffers=64MB")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"),
                  "-o", opts, "-w", "-t", "60", "start")
        self.started = True
        log.info("temporary PostgreSQL cluster in %s", self.root)
        return self

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@/{dbname}?host={self.root}&port={self.port}"

    def admin(self):
        import psycopg
        return psycopg.connect(self.url(), autocommit=True)

    def create_database(self, name: str, template: str | None = None, postgis: bool = True) -> str:
        """A new database (copied from ``template`` when given); its URL."""
        with self.admin() as conn:
            if template:
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
            else:
                conn.execute(f'CREATE DATABASE "{name}"')
        if postgis and not template:
            import psycopg
            with psycopg.connect(self.url(name), autocommit=True) as conn:
                conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        return self.url(name)

    def drop_database(self, name: str) -> None:
        close_pools(self.url(name))
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self.started:
            close_pools()
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
            self.started = False
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "TempCluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
