"""Files the platform writes: one door for every output path.

Every file the platform creates — an export, a workbook, a report, an archive, a new store, the
users file, an installed profile, the sample — is written through :func:`write_file`:

* the destination is checked before any work: its folder must exist (a missing folder is
  refused with a message, never created on the side — only :func:`make_folder`, called by the
  commands documented to create their data folder, creates folders); an existing destination
  must be a regular file: a symbolic link, a device node, a FIFO, a socket or a folder is
  refused, so ``--pdf /dev/full`` is exit 2, not a device replaced by a file;
* the file is built in a private folder (0700) beside the destination and moved into place
  with one ``rename``: a reader sees the old file or the new one, never half of either, and an
  interrupted write leaves no file at the destination. A build folder left by a killed process
  is removed by the next write to the same name;
* a file the platform creates is owner-only (0600) — it may hold notes and personal data —
  and so is a folder it creates (0700). Nothing else is ever ``chmod``-ed: not an existing
  folder (a shared 1777 ``/tmp`` stays 1777), not a file that is read, not the source of a
  copy.

Errors name the path and, when given, the command-line option (``field``); a full disk is
:class:`~restoration.errors.DiskFullError` (exit 2, a resource error), every other refusal an
:class:`~restoration.errors.InputError` (exit 2).
"""
from __future__ import annotations

import errno
import logging
import os
import shutil
import signal
import stat
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from .errors import DiskFullError, InputError, Issue

log = logging.getLogger(__name__)

#: mode of every file the platform creates: the owner only
FILE_MODE = 0o600
#: mode of every folder the platform creates
FOLDER_MODE = 0o700
#: the build folder's owner file: the process id, so a later write knows a dead build from a live one
OWNER_FILE = "owner.pid"
#: a build folder without an owner file is left this long (it may be being created)
STALE_SECONDS = 3600
#: characters of the destination's name in its build folder's name (file names end at 255 bytes)
_PREFIX_CHARS = 60

_KINDS = ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"))


def _refuse(path: Path | str, message: str, field: str | None) -> InputError:
    return InputError(Issue(message, source=str(path), field=field))


def _kind(mode: int) -> str | None:
    """What a non-regular file is ("a symbolic link", "a character device", ...); None for a file."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "something other than a file")


def os_error(exc: OSError, path: Path | str, field: str | None = None) -> InputError | DiskFullError:
    """An operating-system error while writing ``path`` as the platform's error."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFullError(f"{path}: no space left on the device (or quota exceeded); nothing was written — "
                             "free some space or choose another folder")
    reason = exc.strerror or str(exc)
    return _refuse(path, f"cannot write here ({reason}); nothing was written — choose another path", field)


def check_destination(path: str | os.PathLike, *, field: str | None = None, replace: bool = True) -> Path:
    """``path`` if a file can be written there, else an :class:`InputError` saying why.

    Call it before expensive work (a command does it while parsing its options): the folder
    must exist and be a folder; an existing entry must be a regular file (never a symbolic
    link, device, FIFO, socket or folder) and is refused outright when ``replace`` is False.
    """
    path = Path(path)
    if path.name in ("", ".", ".."):
        raise _refuse(path, "not a file name; give the file to write, e.g. out.xlsx", field)
    folder = path.parent
    try:
        folder_mode = os.stat(folder).st_mode
    except FileNotFoundError:
        raise _refuse(path, f"the folder '{folder}' does not exist; create it first (nothing is created for "
                            "you) or choose another folder", field) from None
    except OSError as exc:
        raise _refuse(path, f"cannot reach the folder '{folder}' ({exc.strerror or exc})", field) from None
    if not stat.S_ISDIR(folder_mode):
        raise _refuse(path, f"'{folder}' is not a folder", field)
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return path
    except OSError as exc:
        raise _refuse(path, f"cannot check the destination ({exc.strerror or exc})", field) from None
    kind = _kind(mode)
    if kind:
        raise _refuse(path, f"the destination is {kind}, not a regular file; refusing to replace it — "
                            "give the path of a new or ordinary file", field)
    if not replace:
        raise _refuse(path, "a file already exists there; nothing was replaced — choose a new name or "
                            "move the file away", field)
    return path


def write_file(path: str | os.PathLike, write: Callable[[Path], Any], *, field: str | None = None,
               replace: bool = True, mode: int = FILE_MODE, prefix: str | None = None) -> Path:
    """Write a file through ``write(tmp)`` and move it to ``path`` in one step; returns ``path``.

    ``write`` receives a path with the destination's name inside a private build folder beside
    it (so format drivers that go by the suffix, and SQLite's side files, work) and must create
    that file. The result gets ``mode`` (owner-only by default), is flushed to disk and renamed
    over ``path`` — or, with ``replace=False``, linked to ``path`` only if nothing is there (a
    new store: never over another). Any failure removes the build folder and leaves ``path`` as
    it was. ``prefix``: the build folder's name prefix (default ``.<name>.partial-``).
    """
    path = check_destination(path, field=field, replace=replace)
    prefix = prefix or f".{path.name[:_PREFIX_CHARS]}.partial-"  # (a long name still leaves room)
    remove_stale_builds(path.parent, prefix)
    try:
        with build_folder(path.parent, prefix) as folder:
            tmp = folder / path.name
            write(tmp)
            _finish(tmp, path, mode, replace, field)
    except OSError as exc:
        raise os_error(exc, path, field) from exc
    return path


def write_bytes(path: str | os.PathLike, data: bytes, **options) -> Path:
    """Write ``data`` to ``path`` through :func:`write_file`."""
    return write_file(path, lambda tmp: tmp.write_bytes(data), **options)


def write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8", **options) -> Path:
    """Write ``text`` to ``path`` through :func:`write_file`."""
    return write_file(path, lambda tmp: tmp.write_text(text, encoding=encoding), **options)


def _finish(tmp: Path, path: Path, mode: int, replace: bool, field: str | None) -> None:
    st = os.lstat(tmp)
    if not stat.S_ISREG(st.st_mode):  # a writer that made something else than a file
        raise _refuse(path, "the file could not be written (the writer produced no regular file)", field)
    os.chmod(tmp, mode)  # the platform's own new file
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    check_destination(path, field=field, replace=replace)  # again, right before the move
    if replace:
        os.replace(tmp, path)
    else:
        _link_new(tmp, path, field)
    _sync_folder(path.parent)


def _link_new(tmp: Path, path: Path, field: str | None) -> None:
    """Move ``tmp`` to ``path`` only if nothing is there: a hard link fails on an existing name."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise _refuse(path, "a file appeared there meanwhile; nothing was replaced", field) from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.EXDEV):
            raise
        os.replace(tmp, path)  # a file system without hard links: checked just before


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- build folders ---------------------------------------------------------------------------------
_STOP_SIGNALS = tuple(s for s in (getattr(signal, n, None) for n in ("SIGINT", "SIGTERM", "SIGHUP")) if s)


def _block_signals():
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)


def _unblock_signals(previous) -> None:
    if previous is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextmanager
def build_folder(parent: Path, prefix: str) -> Iterator[Path]:
    """A private folder (0700) in ``parent`` holding the process id, removed at the end.

    Stop signals are held back between creating it and writing the owner file (delivered
    just after), so an interrupted process always leaves a folder the next write can judge."""
    blocked = _block_signals()
    try:
        folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
        try:
            (folder / OWNER_FILE).write_text(str(os.getpid()))
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
    finally:
        _unblock_signals(blocked)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def remove_stale_builds(parent: Path, prefix: str) -> list[Path]:
    """Remove build folders ``<prefix>*`` in ``parent`` left by a killed process (SIGKILL,
    power loss): those whose owner process is gone. A build still running, and a folder without
    an owner file younger than an hour, are left alone; so is anything not a plain folder."""
    removed = []
    try:
        candidates = [d for d in Path(parent).glob(f"{_glob_escape(prefix)}*")]
    except OSError:
        return removed
    for d in candidates:
        try:
            if not stat.S_ISDIR(os.lstat(d).st_mode):
                continue
            owner = int((d / OWNER_FILE).read_text().strip())
        except (OSError, ValueError):
            owner = None
        if owner is not None and owner != os.getpid() and _alive(owner):
            continue
        try:
            if owner is None and time.time() - os.lstat(d).st_mtime < STALE_SECONDS:
                continue
        except OSError:
            continue
        shutil.rmtree(d, ignore_errors=True)
        removed.append(d)
        log.info("removed %s, left by an interrupted write", d)
    return removed


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


# -- folders ------------------------------------------------------------------------------------------
def make_folder(path: str | os.PathLike, *, field: str | None = None, mode: int = FOLDER_MODE) -> Path:
    """The platform's own folder (the data folder, ``DATA/profiles``, a sample folder): created
    with ``mode`` (owner-only), each missing parent too, when it is missing. An existing folder
    is used as it is — never ``chmod``-ed. Something else at the path is refused."""
    path = Path(path)
    missing = []
    probe = path
    while not os.path.lexists(probe):
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, mode)
            os.chmod(folder, mode)  # mkdir's mode passes through the umask
            log.info("created folder %s (%o)", folder, mode)
        except FileExistsError:
            pass  # made meanwhile by another process: checked below
        except OSError as exc:
            raise _refuse(folder, f"cannot create the folder ({exc.strerror or exc})", field) from None
    try:
        if not stat.S_ISDIR(os.stat(path).st_mode):
            raise _refuse(path, "exists but is not a folder", field)
    except OSError as exc:
        raise _refuse(path, f"cannot reach the folder ({exc.strerror or exc})", field) from None
    return path


def open_lock(path: str | os.PathLike) -> int:
    """A lock file's descriptor (created owner-only when missing); a symbolic link at ``path``
    is refused instead of followed."""
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        return os.open(path, flags, FILE_MODE)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _refuse(path, "the lock file is a symbolic link; refusing to follow it", None) from None
        raise os_error(exc, path) from exc


_WARNED: set[str] = set()


def warn_if_shared(path: str | os.PathLike) -> None:
    """Log a warning (once per process) when an existing file or folder of the platform's data
    is open to other users. The platform never changes it: the administrator decides."""
    try:
        st = os.stat(path)
    except OSError:
        return
    if st.st_mode & 0o077 and st.st_uid == os.getuid() and str(path) not in _WARNED:
        _WARNED.add(str(path))
        log.warning("%s is open to other users (mode %o); the platform leaves it as it is — "
                    "`chmod %s %s` makes it owner-only", path, stat.S_IMODE(st.st_mode),
                    "700" if stat.S_ISDIR(st.st_mode) else "600", path)


__all__ = ["FILE_MODE", "FOLDER_MODE", "check_destination", "write_file", "write_bytes", "write_text",
           "make_folder", "build_folder", "remove_stale_builds", "open_lock", "warn_if_shared", "os_error"]
