"""When the machine, not the input, refuses: a full disk, a folder that may not be written, a
read-only file system. The store's transactions and the command line turn these into one clear
:class:`~restoration.errors.ResourceError` (exit code 2) instead of an internal error; the
failed write was undone (a transaction rolled back), so nothing partial is left.

Recognised wherever they come from: an ``OSError`` (``ENOSPC``, ``EDQUOT``, ``EFBIG``; ``EACCES``,
``EPERM``, ``EROFS``), SQLite's ``SQLITE_FULL`` / ``SQLITE_READONLY`` (GeoPackage) and
PostgreSQL's ``disk_full`` (SQLSTATE 53100), also when wrapped in another exception.
"""
from __future__ import annotations

import errno
import sqlite3
from typing import Iterator

from .errors import ResourceError

_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_DENIED = {errno.EACCES, errno.EPERM, errno.EROFS}
#: PostgreSQL SQLSTATE codes: disk_full, and insufficient_resources / out_of_memory
_PG_FULL = {"53100"}


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen = set()
    while exc is not None and id(exc) not in seen and len(seen) < 20:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) says the disk or a quota is full."""
    for e in _chain(exc):
        if isinstance(e, OSError) and e.errno in _FULL:
            return True
        if isinstance(e, sqlite3.Error) and (getattr(e, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
                                             or "disk is full" in str(e)):
            return True
        if getattr(e, "sqlstate", None) in _PG_FULL:
            return True
    return False


def disk_full(exc: BaseException, where: str) -> ResourceError | None:
    """The error for a write to ``where`` that failed on a full disk, or None."""
    if not is_disk_full(exc):
        return None
    return ResourceError(f"{where}: the disk is full (no space left for the write); the write was undone and "
                         "nothing was changed — free some space (or raise the quota) and run the command again")


def explain(exc: BaseException, where: str | None = None) -> ResourceError | None:
    """A :class:`ResourceError` for a full disk, a permission refused or a read-only file system
    behind ``exc``; None when ``exc`` is something else (a real internal error)."""
    for e in _chain(exc):
        if isinstance(e, ResourceError):
            return e
    full = disk_full(exc, where or _filename(exc) or "the output")
    if full is not None:
        return full
    for e in _chain(exc):
        if isinstance(e, OSError) and e.errno in _DENIED:
            target = e.filename or where or "the output"
            return ResourceError(f"cannot write {target}: {e.strerror}; nothing was changed — choose a folder "
                                 "you may write to (or fix its permissions) and run the command again")
        if isinstance(e, sqlite3.Error) and getattr(e, "sqlite_errorcode", None) == sqlite3.SQLITE_READONLY:
            return ResourceError(f"{where or 'the store'}: the store file or its folder may not be written "
                                 f"({e}); nothing was changed — check their permissions")
    return None


def _filename(exc: BaseException) -> str | None:
    for e in _chain(exc):
        if isinstance(e, OSError) and e.filename:
            return str(e.filename)
    return None


__all__ = ["is_disk_full", "disk_full", "explain"]
