"""A throwaway PostgreSQL + PostGIS cluster, for the tests and the benchmarks.

Debian's ``postgresql-15`` and ``postgresql-15-postgis-3`` packages provide the binaries; the
cluster lives in a temporary folder, listens only on a Unix socket there (no TCP port to
collide with), runs as an unprivileged user when started by root (the server refuses root),
and is tuned for speed over durability (``fsync=off``): never use it for real data.

Nothing is left running when the run that started a cluster ends, however it ends: the server
runs in its own session (a Ctrl-C at the terminal reaches the run, not the server, so the run
stops it in order); SIGTERM and SIGHUP stop every cluster of the process before it dies; an
``atexit`` hook stops the ones still running at exit; and a run killed outright (SIGKILL, a
crash) leaves an ``owner`` file naming its process, so the next :meth:`TempCluster.start` on
the machine finds the folder of a dead owner and stops and removes it (:func:`clean_stale`).
"""
from __future__ import annotations

import atexit
import glob
import json
import logging
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import psycopg

from ..errors import StoreError
from .postgis import close_pools

log = logging.getLogger(__name__)

PREFIX = "restoration-pg-"
OWNER_FILE = "owner"
#: a folder without an owner file (being made right now, or from an older version) is only
#: removed when no server runs from it and it is older than this
_ORPHAN_AGE_S = 600

_live: dict[int, "TempCluster"] = {}
_live_lock = threading.Lock()
_hooks_installed = False


def bindir() -> Path:
    """The newest installed PostgreSQL's binaries (``/usr/lib/postgresql/N/bin``)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise StoreError("PostgreSQL is not installed: apt-get install postgresql-15 postgresql-15-postgis-3")


def _process_start(pid: int) -> str | None:
    """The start time of process ``pid`` (clock ticks since boot, from ``/proc``): with the pid
    it names one process, not whichever later one reused the number. None when it is gone (or a
    zombie: ended, not yet collected by its parent)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:  # no /proc: fall back to "does the pid exist"
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return "?"
    fields = stat.rsplit(")", 1)[1].split()
    return None if fields[0] in ("Z", "X") else fields[19]


def _owner_alive(owner: dict) -> bool:
    started = _process_start(int(owner["pid"]))
    return started is not None and (started == owner.get("started") or "?" in (started, owner.get("started")))


def _postmaster(data: Path) -> int | None:
    """The pid of the server running from ``data`` (its ``postmaster.pid``), None if none runs."""
    try:
        pid = int((data / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None
    return pid if _process_start(pid) is not None else None


def _halt(root: Path) -> None:
    """Stop the server of the cluster in ``root`` at once (SIGQUIT: PostgreSQL's immediate
    shutdown, what ``pg_ctl -m immediate`` sends) and remove the folder. Safe inside a signal
    handler: no connection pool, no lock, no subprocess."""
    pid = _postmaster(root / "data")
    if pid is not None:
        try:
            os.kill(pid, signal.SIGQUIT)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + 30
        while _process_start(pid) is not None and time.monotonic() < deadline:
            time.sleep(0.05)
    shutil.rmtree(root, ignore_errors=True)


def clean_stale(tmpdir: str | Path | None = None) -> list[Path]:
    """Stop and remove the clusters whose run died without stopping them (the owner process is
    gone); a folder without an owner file only when no server runs from it and it is old. The
    folders removed."""
    removed = []
    for root in sorted(Path(tmpdir or tempfile.gettempdir()).glob(PREFIX + "*")):
        try:
            owner = json.loads((root / OWNER_FILE).read_text())
        except FileNotFoundError:
            owner = None
        except (OSError, ValueError):
            continue
        if owner is not None:
            if _owner_alive(owner):
                continue
        elif _postmaster(root / "data") is not None or time.time() - root.stat().st_mtime < _ORPHAN_AGE_S:
            continue
        log.info("removing the temporary PostgreSQL cluster of a run that ended: %s", root)
        _halt(root)
        removed.append(root)
    return removed


def _stop_all_at_exit() -> None:
    with _live_lock:
        clusters = list(_live.values())
    for cluster in clusters:
        try:
            cluster.stop()
        except Exception:  # noqa: BLE001 - at exit: stop the others, make sure the folder goes
            log.exception("stopping the temporary cluster in %s", cluster.root)
            _halt(cluster.root)


def _on_signal(signum, frame) -> None:
    """Stop this process's clusters, then die of the signal as the process would have."""
    for cluster in list(_live.values()):
        _halt(cluster.root)
        cluster.started = False
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _install_hooks() -> None:
    """``atexit`` once; handlers for the signals that would otherwise end the process without
    unwinding (only where nobody installed one, and only from the main thread, where Python
    allows it). SIGINT keeps Python's handler: KeyboardInterrupt unwinds, the fixtures' and
    context managers' :meth:`TempCluster.stop` and the ``atexit`` hook run."""
    global _hooks_installed
    if _hooks_installed:
        return
    _hooks_installed = True
    atexit.register(_stop_all_at_exit)
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        if signal.getsignal(sig) is signal.SIG_DFL:
            signal.signal(sig, _on_signal)


class TempCluster:
    """``initdb`` + ``pg_ctl start`` in a fresh folder; :meth:`stop` removes everything."""

    def __init__(self, user: str | None = None):
        self.bin = bindir()
        self.root = Path(tempfile.mkdtemp(prefix=PREFIX))
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
        (self.root / OWNER_FILE).write_text(json.dumps(
            {"pid": os.getpid(), "started": _process_start(os.getpid()), "user": self.user}))

    def _run(self, *args: str) -> None:
        # a session of its own: a Ctrl-C at the terminal goes to the run, which stops the server
        done = subprocess.run([*self._as, *args], capture_output=True, text=True, start_new_session=True)
        if done.returncode:
            raise StoreError(f"{Path(args[0]).name} failed: {done.stderr.strip() or done.stdout.strip()}")

    def start(self) -> "TempCluster":
        clean_stale(self.root.parent)
        _install_hooks()
        with _live_lock:
            _live[id(self)] = self
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        opts = (f"-c listen_addresses='' -c unix_socket_directories={self.root} -p {self.port} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
                "-c shared_buffers=64MB")
        self.started = True  # from here on a server may be running: stop() stops it
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"),
                  "-o", opts, "-w", "-t", "60", "start")
        log.info("temporary PostgreSQL cluster in %s", self.root)
        return self

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@/{dbname}?host={self.root}&port={self.port}"

    def admin(self):
        return psycopg.connect(self.url(), autocommit=True)

    def create_database(self, name: str, template: str | None = None, postgis: bool = True) -> str:
        """A new database (copied from ``template`` when given); its URL."""
        with self.admin() as conn:
            if template:
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
            else:
                conn.execute(f'CREATE DATABASE "{name}"')
        if postgis and not template:
            with psycopg.connect(self.url(name), autocommit=True) as conn:
                conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        return self.url(name)

    def drop_database(self, name: str) -> None:
        close_pools(self.url(name))
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        """Stop the server (if it runs) and remove the folder; safe to call twice."""
        if self.started:
            close_pools()
            if _postmaster(self.data) is not None:
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
            self.started = False
        shutil.rmtree(self.root, ignore_errors=True)
        with _live_lock:
            _live.pop(id(self), None)

    def __enter__(self) -> "TempCluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
