"""Fixtures for the case tests: the sample's today, profiles, and a writer for profile files."""
from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest

from restoration.cases import load_profile

TODAY = date(2026, 11, 20)  # restoration.sample.build.TODAY


@pytest.fixture
def guangxi():
    return load_profile("guangxi")


@pytest.fixture
def zhejiang():
    return load_profile("zhejiang")


@pytest.fixture
def write_profile(tmp_path):
    """Write ``name.toml`` into a temp folder and return its path."""
    def write(name: str, text: str) -> Path:
        path = tmp_path / f"{name}.toml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path
    return write


@pytest.fixture
def run_cli(sample_dir):
    """Run ``restoration --data DIR ...``; return (exit code, stdout, stderr)."""
    from restoration.cli import main

    def run(capsys, data: Path, *args: str):
        with pytest.raises(SystemExit) as exc:
            main(["--data", str(data), *args])
        out = capsys.readouterr()
        return exc.value.code, out.out, out.err
    return run
