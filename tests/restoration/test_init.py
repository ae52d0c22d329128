"""`restoration init` leaves no build folder behind: not when interrupted, not after a crash."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from restoration.bootstrap import init_store, remove_stale_init_dirs

from ..conftest import unused_pid

REPO = Path(__file__).resolve().parents[2]


def test_sigterm_during_init_removes_the_build_folder(tmp_path, processes):
    data = tmp_path / "data"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = processes.popen([sys.executable, "-c", "from restoration.cli import main; main()", "--data", str(data),
                            "init"], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 60
        while not list(data.glob(".init-*")) and time.time() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert list(data.glob(".init-*")), "the build folder never appeared"
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM
    assert not list(data.glob(".init-*")) and not (data / "platform.gpkg").exists()


def test_stale_build_folders_of_dead_processes_are_removed(tmp_path):
    stale, live = tmp_path / ".init-stale", tmp_path / ".init-live"
    for folder, pid in ((stale, unused_pid()), (live, os.getppid())):
        folder.mkdir()
        (folder / "owner.pid").write_text(str(pid))
        (folder / "platform.gpkg").write_bytes(b"half")
    assert remove_stale_init_dirs(tmp_path) == [stale]
    assert live.exists()
    init_store(tmp_path / "platform.gpkg", from_sample=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".init-live", "platform.gpkg"]
