"""Fixtures for the dashboards: a data folder with the sample store and a staff user; a real
Streamlit server on a free port; Debian's Chromium (installed by ``.ci/run`` or by hand as the
README says: a test never changes the machine)."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from restoration import auth
from restoration.store import open_store

from ..conftest import chromium_executable as ensure_chromium
from ..markers import brings
from .stores import build_empty, build_imported, make_hostile

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
STAFF = ("supervisor1", "supervisor-pass-123")
SAMPLE_TODAY = "2026-11-20"  # restoration.sample.build.TODAY

#: a browser test looks at pages, which are the same on either store backend: it runs on the
#: GeoPackage only (the AppTest page tests run on both backends, and the deployment test drives a
#: PostGIS-backed server through the browser), which keeps the suite inside CI's time
ONE_BACKEND = pytest.mark.parametrize("backend", ["gpkg"])


@pytest.fixture
def staff_data(tmp_path, store):
    """A data folder (sample store + one supervisor account); RESTORATION_DATA points at it."""
    auth.add_user(store.data_dir, STAFF[0], STAFF[1], "supervisor")
    return store.data_dir


class _DataFolders:
    """The three data folders by name, each built the first time a test asks for it (a worker
    that runs only the empty store's walk does not build the other two)."""

    def __init__(self, root: Path, sample_template: Path):
        self.root, self.sample_template, self.built = root, sample_template, {}

    def __getitem__(self, name: str) -> Path:
        if name not in self.built:
            folder = self.root / name
            if name == "sample":
                folder.mkdir()
                shutil.copy(self.sample_template, folder / "platform.gpkg")
                make_hostile(open_store(folder / "platform.gpkg", create=False))
            elif name == "empty":
                build_empty(folder)
            elif name == "imported":
                build_imported(folder)
            else:
                raise KeyError(name)
            auth.add_user(folder, STAFF[0], STAFF[1], "supervisor")
            self.built[name] = folder
        return self.built[name]


@pytest.fixture(scope="session")
def stores(tmp_path_factory, _sample_store_template):
    """The three data folders — ``sample``, ``empty``, ``imported`` — each with one supervisor
    account."""
    return _DataFolders(tmp_path_factory.mktemp("browser"), _sample_store_template)


def signed_in(app, name: str = STAFF[0], role: str = "supervisor", region: str = "province"):
    """Put a live staff session into an AppTest (as the sign-in page does: the session guard ends
    one without its sign-in times or whose account does not exist)."""
    now = time.time()
    app.session_state["user"] = {"name": name, "role": role, "region": region,
                                 "signed_in_at": now, "last_seen": now}
    return app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


from restoration.cases.attachments import MAX_ATTACHMENT_MB  # noqa: E402


def start_server(data_dir: Path):
    """A Streamlit server on a free port for ``data_dir``: (process, base URL)."""
    port = free_port()
    env = dict(os.environ, RESTORATION_DATA=str(data_dir), RESTORATION_TILES="osm",
               RESTORATION_TODAY=SAMPLE_TODAY)
    log = open(data_dir / "streamlit.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(REPO / "dashboards" / "app.py"),
                             "--server.port", str(port), "--server.headless", "true",
                             "--server.enableStaticServing", "true", "--browser.gatherUsageStats", "false",
                             "--server.fileWatcherType", "none", "--server.maxUploadSize", str(MAX_ATTACHMENT_MB)],
                            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    proc._log = log
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail("streamlit exited: " + (data_dir / "streamlit.log").read_text())
            time.sleep(0.3)
    return proc, f"http://127.0.0.1:{port}"


def stop_server(proc) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
    proc._log.close()


@pytest.fixture
@brings("server")
def streamlit_server(staff_data):
    proc, url = start_server(staff_data)
    yield url
    stop_server(proc)


class Servers:
    """The Streamlit servers one test starts (:meth:`start`), stopped when the test ends."""

    def __init__(self):
        self.running: list = []

    def start(self, data_dir: Path) -> str:
        """A server for ``data_dir``: its base URL."""
        proc, url = start_server(data_dir)
        self.running.append(proc)
        return url

    def stop_all(self) -> None:
        while self.running:
            stop_server(self.running.pop())


@pytest.fixture
@brings("server")
def servers():
    """``servers.start(data_dir)`` -> URL, for a test that starts its servers itself."""
    running = Servers()
    yield running
    running.stop_all()


def launched_chromium():
    """Debian's headless Chromium under Playwright, with the suite's launch arguments (a
    generator: yields the browser, closes it after)."""
    from playwright.sync_api import sync_playwright
    exe = ensure_chromium()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(exe), args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


@pytest.fixture
@brings("browser")
def browser():
    yield from launched_chromium()
