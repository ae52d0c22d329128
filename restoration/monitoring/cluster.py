"""Where the raster work runs: the local threaded scheduler, or a ``dask.distributed`` cluster
named by its scheduler address (``--scheduler`` or ``$RESTORATION_SCHEDULER``).

On a cluster the client checks, before any value is computed, that the scheduler answers, that
it has workers, that every worker can import this package (the task functions live in it) and
that the workers can open the input rasters (they read them themselves). Each refusal is an
:class:`SchedulerError` (exit 2) naming the address and the reason; nothing is written.
"""
from __future__ import annotations

import logging
import os
import re
from contextlib import contextmanager
from typing import Iterator, Sequence

from .._version import __version__
from ..errors import InputError, Issue

log = logging.getLogger(__name__)

#: environment variable naming the scheduler when ``--scheduler`` is not given
ENV = "RESTORATION_SCHEDULER"
#: seconds to wait for the scheduler and for its first worker
CONNECT_TIMEOUT = 10.0


class SchedulerError(InputError):
    """The scheduler cannot be used: unreachable, no workers, workers without the package, or
    workers that cannot read the rasters. The message names the address and what to do."""


def scheduler_address(option: str | None = None) -> str | None:
    """The scheduler to use: ``option`` (``--scheduler``), else ``$RESTORATION_SCHEDULER``, else
    None (the local threaded scheduler). An empty value means local too."""
    value = option if option is not None else os.environ.get(ENV)
    value = (value or "").strip()
    return value or None


def _fail(address: str, reason: str) -> SchedulerError:
    return SchedulerError(Issue(f"cannot use the dask scheduler at {address}: {reason}; nothing was computed "
                                "or written (start the scheduler and its workers, or leave out --scheduler "
                                f"and ${ENV} to run on this machine)", field="--scheduler"))


def _worker_version() -> str:
    """Runs on each worker: the package version it imports (fails there when it has none)."""
    return __version__


def _unreadable(paths: Sequence[str]) -> list[str]:
    """Runs on a worker: the first few of ``paths`` it cannot open (missing or unreadable)."""
    bad = []
    for p in paths:
        try:
            with open(p, "rb") as fh:
                fh.read(1)
        except OSError as exc:
            bad.append(f"{p} ({exc.strerror or exc})")
            if len(bad) >= 3:
                break
    return bad


#: what a scheduler address looks like: [tcp|tls|ws|wss://]HOST:PORT
ADDRESS = re.compile(r"^(?:(?:tcp|tls|ws|wss)://)?[A-Za-z0-9._\-\[\]:]+:\d{1,5}$")


def connect(address: str, *, timeout: float | None = None):
    """A ``distributed.Client`` on ``address`` whose workers all import this package;
    :class:`SchedulerError` otherwise (the client is closed again). ``timeout`` [s]: default
    :data:`CONNECT_TIMEOUT`."""
    timeout = CONNECT_TIMEOUT if timeout is None else timeout
    if len(address) > 300 or not ADDRESS.match(address):
        shown = address[:80] + ("…" if len(address) > 80 else "")
        raise _fail(shown, "that is not a scheduler address (use tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786)")
    try:
        from distributed import Client
    except ImportError:
        raise _fail(address, "dask.distributed is not installed here (pip install 'restoration[scale]')") from None
    try:
        client = Client(address, timeout=f"{timeout}s", set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        raise _fail(address, f"no scheduler answers there ({type(exc).__name__}: {exc})") from None
    try:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except (TimeoutError, OSError):
            raise _fail(address, f"the scheduler has no workers after {timeout:g} s") from None
        try:
            versions = client.run(_worker_version)
        except Exception as exc:  # noqa: BLE001 - what a worker raises unpickling our task: any error
            raise _fail(address, f"a worker cannot import the restoration package ({type(exc).__name__}: {exc}); "
                                 "install the same version on every worker") from None
        other = {w: v for w, v in versions.items() if v != __version__}
        if other:
            w, v = next(iter(other.items()))
            log.warning("worker %s runs restoration %s, this client %s", w, v, __version__)
    except BaseException:
        client.close()
        raise
    return client


def check_readable(client, paths: Sequence[str], address: str) -> None:
    """Refuse (:class:`SchedulerError`) when a worker cannot open one of the rasters ``paths``."""
    paths = [str(p) for p in paths if p and "://" not in str(p)]  # URLs are read by GDAL itself
    if not paths:
        return
    for worker, bad in client.run(_unreadable, paths).items():
        if bad:
            raise _fail(address, f"worker {worker} cannot read the rasters: {'; '.join(bad)} (put them on storage "
                                 "every worker mounts, or on an S3-compatible store or a STAC API)")


@contextmanager
def running_on(address: str | None, paths: Sequence[str] = ()) -> Iterator[object | None]:
    """Run the enclosed dask work on the cluster at ``address`` (the client is the default one
    inside), or locally when ``address`` is None. Yields the client or None."""
    if address is None:
        yield None
        return
    client = connect(address)
    try:
        check_readable(client, paths, address)
        with client.as_current():
            import dask
            with dask.config.set(scheduler=client):
                yield client
    finally:
        client.close()


def active_client():
    """The ``distributed`` client the current work runs on, or None (local threads)."""
    try:
        from distributed import default_client
        return default_client()
    except (ImportError, ValueError):
        return None


__all__ = ["ENV", "SchedulerError", "active_client", "check_readable", "connect", "running_on",
           "scheduler_address"]
