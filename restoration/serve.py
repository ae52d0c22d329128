"""Run the dashboard server as a child process that never outlives its parent.

``restoration demo`` starts ``streamlit run``; stopping ``demo`` with SIGTERM (a service manager,
``kill``) or SIGINT (Ctrl-C) must stop the server too. The child runs in its own process group so
the whole group (Streamlit and anything it starts) is signalled; on Linux the kernel also sends
it SIGTERM if the parent dies without a chance to clean up (``PR_SET_PDEATHSIG``).
"""
from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Mapping, Sequence

log = logging.getLogger(__name__)

#: seconds the server gets to shut down after SIGTERM before it is killed
GRACE_SECONDS = 10.0
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def streamlit_command(app: Path, port: int, extra: Sequence[str] = ()) -> list[str]:
    """The ``streamlit run`` command line for ``app``. Static file serving needs the app's
    ``static`` folder when the server starts (the app fills it with Leaflet on its first run):
    it is created here, so the server starts without a warning."""
    from .cases.attachments import MAX_ATTACHMENT_MB
    (Path(app).parent / "static").mkdir(exist_ok=True)
    # the uploader refuses what the store would refuse anyway, and says the same limit
    return [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
            "--server.headless", "true", "--server.enableStaticServing", "true",
            "--server.maxUploadSize", str(MAX_ATTACHMENT_MB),
            "--browser.gatherUsageStats", "false", *extra]


def stop(proc: subprocess.Popen, grace: float = GRACE_SECONDS) -> int:
    """SIGTERM the child's process group, wait up to ``grace`` seconds, then SIGKILL it."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            log.warning("dashboard server did not stop within %.0f s; killing it", grace)
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
    try:  # anything the server started in its group
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    return proc.returncode


def serve(command: Sequence[str], env: Mapping[str, str] | None = None) -> int:
    """Run ``command`` until it exits or this process gets SIGTERM / SIGINT; returns the exit
    code (128 + signal number when stopped by a signal, as a shell reports it)."""
    proc = subprocess.Popen(list(command), env=dict(env) if env is not None else None,
                            start_new_session=True,
                            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
    received: list[int] = []

    def on_signal(signum, frame):
        received.append(signum)
        raise KeyboardInterrupt

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        stop(proc)
        code = 128 + (received[0] if received else signal.SIGINT)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if proc.poll() is None:
            stop(proc)
    return code
