"""Shared fixtures: the committed sample, fresh stores, the shared reference cases."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from restoration import config
from restoration.bootstrap import init_store

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


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
