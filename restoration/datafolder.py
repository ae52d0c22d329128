"""The data folder's own small files (staff accounts, sign-in counters, sessions): owner-only
JSON, written whole and atomically, one writer at a time.

The folder is created 0700 when missing (an existing one is left as it is); each file goes
through the one file writer (``restoration.files``: owner-only, built beside and renamed into
place, so a reader never sees half a file); writers of any of these files take one lock
(``flock`` on ``.users.lock``, opened without following a link), across threads and processes
on one machine (not over NFS/SMB: docs/deployment.md).
"""
from __future__ import annotations

import fcntl
import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from . import files
from .errors import InputError, Issue


def secure_dir(path: Path) -> Path:
    """The data folder, created owner-only (0700) when missing; an existing one is left as it is."""
    return files.make_folder(path)


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
    files.write_text(path, json.dumps(data, ensure_ascii=False, indent=2))


@contextmanager
def locked(data_dir: Path) -> Iterator[None]:
    """One writer of the data folder's files at a time (threads and processes)."""
    secure_dir(Path(data_dir))
    fd = files.open_lock(Path(data_dir) / ".users.lock")
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
