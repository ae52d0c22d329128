"""Temporary PostgreSQL clusters never outlive the run that started them: stopped when the run is
interrupted (Ctrl-C, SIGTERM, SIGHUP) or exits, and a killed run's cluster stopped and removed by
the next one that starts (``restoration/store/pgtemp.py``)."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from restoration.store import pgtemp

from ..markers import brings

#: a run that starts a cluster, says where, and waits to be interrupted
RUN = """
import signal
from restoration.store.pgtemp import TempCluster
cluster = TempCluster().start()
print(cluster.root, flush=True)
signal.pause()
"""


@pytest.fixture
@brings("postgis")
def cluster_parent():
    """The folder the runs below make their clusters in (readable by the server's user when the
    tests run as root; pytest's own folders are not)."""
    folder = Path(tempfile.mkdtemp(prefix="pgtemp-test-"))
    folder.chmod(0o755)
    yield folder
    pgtemp.clean_stale(folder)  # a failed test leaves no server behind either
    shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    return pgtemp._process_start(pid) is not None


def _start_run(processes, parent: Path):
    """The run, its cluster's folder and the server's pid, once the server accepts connections."""
    run = processes.popen([sys.executable, "-c", RUN], env={**os.environ, "TMPDIR": str(parent)},
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = run.stdout.readline().strip()  # printed after pg_ctl -w: the server is up
    assert line, f"the run did not start a cluster: {run.stderr.read()}"
    root = Path(line)
    assert root.parent == parent
    server = pgtemp._postmaster(root / "data")
    assert server is not None and _running(server)
    return run, root, server


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP],
                         ids=["SIGINT", "SIGTERM", "SIGHUP"])
def test_an_interrupted_run_stops_its_cluster(processes, cluster_parent, signum):
    run, root, server = _start_run(processes, cluster_parent)
    run.send_signal(signum)
    run.wait(timeout=120)
    assert not _running(server), "the PostgreSQL server outlived the interrupted run"
    assert not root.exists()


def test_a_killed_runs_cluster_is_stopped_by_the_next_run(processes, cluster_parent):
    run, root, server = _start_run(processes, cluster_parent)
    run.kill()  # nothing runs in the killed process: its server keeps running ...
    run.wait(timeout=60)
    assert _running(server)
    live, live_root, live_server = _start_run(processes, cluster_parent)  # ... until the next run starts
    assert not _running(server) and not root.exists()
    assert _running(live_server) and live_root.exists(), "a live run's cluster was touched"
    live.send_signal(signal.SIGTERM)
    live.wait(timeout=120)
    assert not _running(live_server) and not live_root.exists()


def test_a_folder_being_made_is_left_alone(tmp_path):
    """No owner file yet and no server: a cluster being made right now (or an old one, removed
    only once it is old)."""
    young = Path(tempfile.mkdtemp(prefix=pgtemp.PREFIX, dir=tmp_path))
    assert pgtemp.clean_stale(tmp_path) == [] and young.exists()
    old = pgtemp._ORPHAN_AGE_S + 60
    os.utime(young, (young.stat().st_atime - old, young.stat().st_mtime - old))
    assert pgtemp.clean_stale(tmp_path) == [young] and not young.exists()
