"""Shared fixtures: the committed sample, fresh stores."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from restoration import config
from restoration.bootstrap import init_store

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return config.sample_dir()


@pytest.fixture(scope="session")
def _sample_store_template(tmp_path_factory, sample_dir) -> Path:
    path = tmp_path_factory.mktemp("template") / "platform.gpkg"
    init_store(path, from_sample=True, sample=sample_dir)
    return path


@pytest.fixture
def store(tmp_path, _sample_store_template):
    """A fresh store loaded with the sample region (a copy of one built per session)."""
    from restoration.store import open_store
    target = tmp_path / "data" / "platform.gpkg"
    target.parent.mkdir()
    shutil.copy(_sample_store_template, target)
    return open_store(target, create=False)


@pytest.fixture
def empty_store(tmp_path):
    from restoration.store import open_store
    return open_store(tmp_path / "data" / "platform.gpkg")


def file_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture
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
def imported_store(tmp_path, _imported_store_template):
    """A store of imported counties, watersheds, 10 cases and 50 sites, with no events, bank or
    monitoring (see ``tests/stores.py``): a copy of one built per session."""
    from restoration.store import open_store
    target = tmp_path / "imported" / "platform.gpkg"
    target.parent.mkdir()
    shutil.copy(_imported_store_template, target)
    return open_store(target, create=False)
