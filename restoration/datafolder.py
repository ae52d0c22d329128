"""The data folder's own small files (staff accounts, sign-in counters, sessions): owner-only
JSON, written whole and atomically, one writer at a time.

The folder is created (or tightened) 0700; each file is written to a temporary file made 0600
from the start (``mkstemp``) and renamed over the old one, so a reader never sees half a file;
writers of any of these files take one lock (``flock`` on ``.users.lock``), across threads and
processes on one machine (not over NFS/SMB: docs/deployment.md).
"""
from __future__ import annotations

import fcntl
import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import InputError, Issue
from .store.core import owner_only


def secure_dir(path: Path) -> Path:
    """Create the data folder owner-only (0700), or tighten one we own."""
    owner_only(Path(path), 0o700)
    return Path(path)


def load(path: Path, empty: dict) -> dict:
    """The JSON object in ``path`` (a fresh copy of ``empty`` when there is no file)."""
    if not path.exists():
        return json.loads(json.dumps(empty))
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(Issue(f"not valid JSON: {exc.msg}", source=str(path))) from exc


def save(path: Path, data: dict) -> None:
    """Write ``data`` to ``path`` owner-only (0600) and atomically."""
    secure_dir(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")  # mkstemp: 0600 from the start
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


@contextmanager
def locked(data_dir: Path) -> Iterator[None]:
    """One writer of the data folder's files at a time (threads and processes)."""
    secure_dir(Path(data_dir))
    lock = Path(data_dir) / ".users.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
