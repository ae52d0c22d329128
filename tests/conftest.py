"""Shared fixtures: the committed sample, fresh stores, processes; the markers from fixtures
(``tests/markers.py``), the ``--quick`` run and the order the files are handed out in."""
from __future__ import annotations

import hashlib
import itertools
import multiprocessing
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


from restoration import config
from restoration.bootstrap import init_store

from .markers import (KINDS, brings, check_dynamic_request, forbid_pages, forbid_processes, has_kind,
                      mark_items)

REPO = Path(__file__).resolve().parents[1]


#: the full run (``-n logical`` in the README and ``.ci/run``) spreads the files over every core
#: with pytest-xdist (``--dist loadfile --no-loadscope-reorder`` in pyproject.toml): a file's tests
#: stay on one worker (its module fixtures — a Streamlit server, Chromium — start once), and the
#: longest files are handed out first (``--no-loadscope-reorder`` keeps this order; xdist would
#: otherwise sort files by their number of tests) so no worker is left with a long file at the
#: end while the others idle. Measured, not guessed: per-file totals of a full run's
#: ``--junitxml`` times, every file over 45 s (the browser walk's three files were one).
LONGEST_FIRST = (
    "dashboards/test_browser_sample.py",
    "dashboards/test_browser_imported.py",
    "dashboards/test_browser_empty.py",
    "dashboards/test_session_browser.py",
    "dashboards/test_app.py",
    "restoration/test_access.py",
    "dashboards/test_pages_text.py",
    "dashboards/test_recovery_panels.py",
    "dashboards/test_access_pages.py",
    "restoration/test_auth.py",
    "dashboards/test_procedure_panels.py",
    "deployment/test_deployment_doc.py",
    "restoration/test_db_roles.py",
    "cases/test_procedure.py",
    "appraisal/test_restoration_cost_and_records.py",
    "dashboards/test_appraisal_page.py",
)

QUICK_HELP = ("the fast majority: GeoPackage only, no PostGIS, servers, browsers, subprocesses, "
              "notebooks or page scripts (the tests marked " + ", ".join(KINDS) + " are left out)")


def pytest_addoption(parser):
    parser.addoption("--quick", action="store_true", default=False, help=QUICK_HELP)


def pytest_configure(config):
    """The markers are registered in pyproject.toml (``pytest --markers`` lists them): the same
    names as here."""
    registered = {line.split(":", 1)[0].strip() for line in config.getini("markers")}
    missing = sorted(set(KINDS) - registered)
    if missing:
        raise pytest.UsageError(f"markers {missing} (tests/markers.py) are not registered in pyproject.toml")


@pytest.hookimpl(tryfirst=True)  # before -m selects by the markers set here
def pytest_collection_modifyitems(session, config, items):
    """Markers from the fixtures; ``--quick`` leaves the marked tests out; the longest test files
    first (stable otherwise: the files' own order is kept)."""
    mark_items(items)
    if config.getoption("quick"):
        left_out = [item for item in items if has_kind(item)]
        if left_out:
            config.hook.pytest_deselected(items=left_out)
            items[:] = [item for item in items if not has_kind(item)]
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}

    tests = REPO / "tests"

    def key(item):
        path = Path(item.path).resolve()
        rel = path.relative_to(tests).as_posix() if path.is_relative_to(tests) else ""
        return rank.get(rel, len(rank))

    items[:] = sorted(items, key=key)  # sorted() is stable


def pytest_fixture_setup(fixturedef, request):
    check_dynamic_request(fixturedef, request)


def pytest_sessionfinish(session, exitstatus):
    """Collect notebook kernel clients while the log streams are still open (their ``__del__``
    logs; after pytest closed the streams that prints a "Logging error" traceback)."""
    import gc
    gc.collect()


@pytest.fixture(autouse=True)
def _processes_only_with_a_marker(request, monkeypatch):
    """A test with none of the markers starts no process and runs no page script (so ``--quick``
    does neither)."""
    if not has_kind(request.node):
        forbid_processes(monkeypatch)
        forbid_pages(monkeypatch)


class Processes:
    """The processes one test starts: :meth:`run` is ``subprocess.run``, :meth:`popen` is
    ``subprocess.Popen``, :meth:`context` a ``multiprocessing`` context; a process still running
    when the test ends is ended (terminate, then kill)."""

    def __init__(self):
        self.started: list[subprocess.Popen] = []

    def run(self, argv, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(argv, **kwargs)

    def popen(self, argv, **kwargs) -> subprocess.Popen:
        proc = subprocess.Popen(argv, **kwargs)
        self.started.append(proc)
        return proc

    def context(self, method: str):
        return multiprocessing.get_context(method)

    def cli(self, *args, **kwargs) -> subprocess.CompletedProcess:
        """``restoration ARGS`` as a user runs it, in this interpreter; output captured as text."""
        kwargs = {"capture_output": True, "text": True, **kwargs}
        return self.run([sys.executable, "-c", "from restoration.cli import main; main()", *map(str, args)],
                        **kwargs)

    def end(self) -> None:
        for proc in self.started:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(10)


#: Debian's Chromium (``apt-get install chromium``; no browser can be downloaded here)
CHROMIUM = Path("/usr/bin/chromium")


def chromium_executable() -> Path:
    """Debian's Chromium. A missing one fails the test with the command that installs it: the
    suite does not install packages (``.ci/run`` and the README do)."""
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is missing ({CHROMIUM}): install Debian's packages with "
                    "'apt-get install chromium fonts-wqy-microhei' (.ci/run does)", pytrace=False)
    return CHROMIUM


@pytest.fixture
@brings("browser")
def chromium() -> Path:
    """The Chromium executable, for a test that launches the browser itself."""
    return chromium_executable()


def unused_pid() -> int:
    """A process id no process has now — what a dead owner's pid looks like — found without
    starting (and waiting for) a process."""
    top = int(Path("/proc/sys/kernel/pid_max").read_text()) if Path("/proc/sys/kernel/pid_max").exists() else 32768
    for pid in range(top - 1, 1000, -1):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            continue
    raise AssertionError("every process id is in use")


@pytest.fixture
@brings("subprocess")
def processes():
    """Start processes through this (it marks the test ``subprocess``): ``processes.run(argv)``,
    ``processes.popen(argv)``, ``processes.context("spawn")``."""
    procs = Processes()
    yield procs
    procs.end()


@pytest.fixture(autouse=True)
def _real_main_module():
    """Streamlit's AppTest puts the page script in ``sys.modules["__main__"]`` and leaves it there;
    a later ``spawn``/``forkserver`` child would then import that page (and run it) as its main
    module. Put the real one back after every test."""
    import sys
    main = sys.modules.get("__main__")
    yield
    if sys.modules.get("__main__") is not main:
        sys.modules["__main__"] = main


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return config.sample_dir()


#: the store backends the store-touching tests run against (``RESTORATION_TEST_BACKENDS`` may
#: narrow it for a quick local run; CI runs both)
BACKENDS = [b.strip() for b in os.environ.get("RESTORATION_TEST_BACKENDS", "gpkg,postgis").split(",")
            if b.strip()]
_db_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def _sample_store_template(tmp_path_factory, sample_dir) -> Path:
    path = tmp_path_factory.mktemp("template") / "platform.gpkg"
    init_store(path, from_sample=True, sample=sample_dir)
    return path


@pytest.fixture(scope="session")
@brings("postgis")
def pg_cluster():
    """One temporary PostgreSQL + PostGIS cluster for the whole session (Debian's packages)."""
    from restoration.store.pgtemp import TempCluster
    cluster = TempCluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def pg_templates(pg_cluster, sample_dir) -> dict[str, str]:
    """Template databases: an empty migrated store and the sample store; each test's database
    is a cheap copy of one (CREATE DATABASE … TEMPLATE)."""
    from restoration.store import open_store
    from restoration.store.postgis import close_pools
    empty = pg_cluster.create_database("tpl_empty")
    open_store(empty).close()
    sample = pg_cluster.create_database("tpl_sample", template="tpl_empty")
    from restoration.bootstrap import load_sample
    store = open_store(sample, create=False)
    load_sample(store, sample_dir)
    store.close()
    close_pools()
    return {"empty": "tpl_empty", "sample": "tpl_sample"}


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """The store backend of this test run: ``gpkg`` or ``postgis``."""
    return request.param


@pytest.fixture
def data_dir(tmp_path) -> Path:
    """The data folder (users file, exports; the GeoPackage when that is the backend)."""
    folder = tmp_path / "data"
    folder.mkdir(exist_ok=True)
    return folder


class _Databases:
    """Per-test databases copied from the templates, made one ahead in a background thread (so
    the copy overlaps the previous test) and dropped after use."""

    def __init__(self, cluster, templates: dict[str, str]):
        import queue
        import threading
        self.cluster, self.templates = cluster, templates
        self.ready = {kind: queue.Queue(maxsize=1) for kind in templates}
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._fill, args=(kind,), daemon=True) for kind in templates]
        for t in self.threads:
            t.start()

    def _fill(self, kind: str) -> None:
        import queue
        while not self.stop.is_set():
            name = f"t{os.getpid()}_{next(_db_numbers)}"
            try:
                self.cluster.create_database(name, template=self.templates[kind])
            except Exception as exc:  # noqa: BLE001 - handed to the test that takes it
                name = exc
            while not self.stop.is_set():
                try:
                    self.ready[kind].put(name, timeout=0.2)
                    break
                except queue.Full:
                    continue

    def take(self, kind: str) -> str:
        name = self.ready[kind].get(timeout=300)
        if isinstance(name, Exception):
            raise name
        return name

    def close(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(30)


@pytest.fixture(scope="session")
def _pg_databases(pg_cluster, pg_templates):
    dbs = _Databases(pg_cluster, pg_templates)
    yield dbs
    dbs.close()


def new_pg_database(request, template: str) -> str:
    """A fresh database copied from a template; dropped after the test. Its URL."""
    cluster = request.getfixturevalue("pg_cluster")
    name = request.getfixturevalue("_pg_databases").take(template)
    request.addfinalizer(lambda: cluster.drop_database(name))
    return cluster.url(name)


def _open(request, backend: str, data_dir: Path, monkeypatch, sample: bool):
    from restoration.store import open_store
    if backend == "postgis":
        url = new_pg_database(request, "sample" if sample else "empty")
        monkeypatch.setenv("RESTORATION_DB", url)  # the CLI and subprocesses use it too
        store = open_store(url, create=False)
    else:
        monkeypatch.delenv("RESTORATION_DB", raising=False)
        target = data_dir / "platform.gpkg"
        if sample:
            shutil.copy(request.getfixturevalue("_sample_store_template"), target)
            store = open_store(target, create=False)
        else:
            store = open_store(target)
    store.data_dir = data_dir  # the data folder that goes with it (tests pass it as --data)
    return store


@pytest.fixture
def store(request, backend, data_dir, monkeypatch):
    """A fresh store loaded with the sample region, on each backend (a GeoPackage copied from
    one built per session; a PostGIS database copied from a template)."""
    return _open(request, backend, data_dir, monkeypatch, sample=True)


@pytest.fixture
def empty_store(request, backend, data_dir, monkeypatch):
    """A fresh, empty store on each backend."""
    return _open(request, backend, data_dir, monkeypatch, sample=False)


@pytest.fixture
def gpkg_store(request, data_dir, monkeypatch):
    """The sample store as a GeoPackage file (for what only a file has: GDAL, bytes, SQLite)."""
    return _open(request, "gpkg", data_dir, monkeypatch, sample=True)


@pytest.fixture
def gpkg_empty_store(request, data_dir, monkeypatch):
    return _open(request, "gpkg", data_dir, monkeypatch, sample=False)


def file_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def store_fingerprint(store) -> object:
    """What must not change when a write is refused: the file's bytes for a GeoPackage; for a
    database the write counter, every layer's row count and the newest audit entry."""
    if store.path is not None:
        return file_digest(store.path)
    return (store.version, store.info()["layers"], store.last_change("audit_log"),
            tuple(store.read("audit_log", columns=["action"])["fid"]))


@pytest.fixture
@brings("notebook", "subprocess")
def run_notebook(tmp_path):
    """Execute a notebook with nbclient in this venv's interpreter; returns (notebook, tmp dir).

    The kernel spec is written to a temporary folder with argv = ``sys.executable``, so the
    notebook runs in exactly this environment whatever ``python`` is on PATH. The notebook's
    working directory is an empty folder (checked to stay empty) and the kernel's TMPDIR points
    into pytest's tmp_path, where notebooks write their outputs.
    """
    import os
    import sys

    import nbclient
    import nbformat
    from ipykernel import kernelspec
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    def run(path: Path):
        nb = nbformat.read(path, as_version=4)
        kernels = tmp_path / "kernels"
        kernelspec.write_kernel_spec(str(kernels / "python3"))
        ksm = KernelSpecManager(kernel_dirs=[str(kernels)])
        assert ksm.get_kernel_spec("python3").argv[0] == sys.executable
        km = KernelManager(kernel_name="python3", kernel_spec_manager=ksm)
        work, tmp = tmp_path / "cwd", tmp_path / "tmp"
        work.mkdir()
        tmp.mkdir()
        client = nbclient.NotebookClient(nb, km=km, timeout=600, kernel_name="python3",
                                         resources={"metadata": {"path": str(work)}})
        client.execute(env={**os.environ, "TMPDIR": str(tmp)})  # CellExecutionError on a failing cell
        assert not any(work.iterdir()), "the notebook should write into its own temporary folder only"
        return nb, tmp

    return run


def notebook_text(nb) -> str:
    """Every text, plain and HTML output of a notebook, joined."""
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            data = out.get("data", {})
            parts.extend([data.get("text/plain", ""), data.get("text/html", "")])
    return "\n".join(parts)


def run_cli(argv, capsys):
    """Run the ``restoration`` CLI in-process -> (exit code, stdout, stderr)."""
    from restoration.cli import main
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in argv])
    out = capsys.readouterr()
    return exit_info.value.code, out.out, out.err


@pytest.fixture
def cli(capsys):
    """``cli(*args)`` -> (exit code, stdout, stderr), through :func:`run_cli`."""
    return lambda *argv: run_cli(argv, capsys)


@pytest.fixture(scope="session")
def _imported_store_template(tmp_path_factory) -> Path:
    from .stores import imported_store_dir
    root = tmp_path_factory.mktemp("imported")
    return imported_store_dir(root / "data", root / "inputs") / config.STORE_FILE


@pytest.fixture
def imported_store(tmp_path, _imported_store_template, monkeypatch):
    """A store of imported counties, watersheds, 10 cases and 50 sites, with no events, bank or
    monitoring (see ``tests/stores.py``): a copy of one built per session (a GeoPackage)."""
    from restoration.store import open_store
    target = tmp_path / "imported" / "platform.gpkg"
    target.parent.mkdir()
    shutil.copy(_imported_store_template, target)
    monkeypatch.delenv("RESTORATION_DB", raising=False)
    store = open_store(target, create=False)
    store.data_dir = target.parent
    return store
