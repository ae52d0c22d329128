"""`restoration demo` stops its Streamlit server when it is stopped (SIGTERM, SIGINT): a real
process, a real server, a real port."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import psutil
import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), 0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_demo_stops_its_server(tmp_path, _sample_store_template, signum, processes):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(_sample_store_template, data / "platform.gpkg")
    port = _free_port()
    env = dict(os.environ, RESTORATION_TILES="none")
    demo = processes.popen([sys.executable, "-c", "from restoration.cli import main; main()",
                            "--data", str(data), "demo", "--port", str(port)],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    children: list[psutil.Process] = []
    try:
        deadline = time.time() + 120
        while not _open(port):
            assert demo.poll() is None, demo.stdout.read()
            assert time.time() < deadline, "the dashboard never listened"
            time.sleep(0.3)
        children = psutil.Process(demo.pid).children(recursive=True)
        assert children, "streamlit should run as a child of demo"
        demo.send_signal(signum)
        assert demo.wait(30) == 128 + signum
        gone, alive = psutil.wait_procs(children, timeout=15)
        assert not alive, f"still running after demo stopped: {[p.pid for p in alive]}"
        assert not _open(port), "the server's port is still open"
        assert "仪表板 dashboard" in demo.stdout.read()
    finally:
        for child in children:  # on failure: only the processes this test started
            if child.is_running():
                child.kill()
        if demo.poll() is None:
            demo.kill()
            demo.wait()
