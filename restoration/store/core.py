"""The store gateway: every layer behind named operations, on either backend.

``Store`` (reads) and ``Transaction`` (writes, all or nothing) are the only door to the data:
no other module writes SQL or touches a connection. The backend — one GeoPackage file by
default, or PostgreSQL + PostGIS selected by a URL — is chosen by :func:`open_store`; both run
the same statements through :class:`~restoration.store.backend.Backend`. Every write is audited
with the transaction's actor; a lock held by another writer for longer than the lock timeout
(60 s) is reported as :class:`~restoration.errors.ConflictError` "busy, retry" (exit code 4).
"""
from __future__ import annotations
import logging
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import pandas as pd

from .. import files
from ..errors import ConflictError, StoreError
from ..system_errors import disk_full
from .backend import Backend
from .bulk_cases import run_before_commit
from .gpkg_backend import GpkgBackend
from .postgis import PostgisBackend, is_url
from .reads import Reads
from .transaction import Transaction

log = logging.getLogger(__name__)


def _busy_message(location: str) -> str:
    return (f"{location}: the store is busy (another user is writing); retry in a moment — "
            "nothing was saved")


class Store(Reads):
    """The platform's store on one backend. Open with :func:`open_store`."""

    def __init__(self, location: str | os.PathLike | Backend):
        if isinstance(location, Backend):
            self._backend = location
        else:
            self._backend = backend_for(location)

    @property
    def backend(self) -> str:
        """``"gpkg"`` or ``"postgis"``."""
        return self._backend.kind

    @property
    def location(self) -> str:
        """The file path or the database URL (without its password)."""
        return self._backend.location

    @property
    def path(self) -> Path | None:
        """The GeoPackage file (None on a database server)."""
        return getattr(self._backend, "path", None)

    @property
    def url(self) -> str | None:
        """The database URL (None for a GeoPackage)."""
        return getattr(self._backend, "url", None)

    def __repr__(self) -> str:
        return f"Store({self.location!r})"

    def close(self) -> None:
        self._backend.close()

    @contextmanager
    def _conn(self):
        try:
            with self._backend.reading() as conn:
                yield conn
        except self._backend.busy_errors as exc:
            if getattr(self._backend, "is_busy", lambda e: True)(exc):
                raise ConflictError(_busy_message(self.location)) from exc
            raise

    @contextmanager
    def transaction(self, actor: str = "system") -> Iterator[Transaction]:
        """A write transaction: committed when the block ends, rolled back on any error."""
        backend = self._backend
        try:
            with backend.writing() as conn:
                tx = Transaction(self, conn, actor)
                yield tx
                run_before_commit(tx)  # derived state kept in the same transaction
                if tx.touched:
                    backend.after_write(conn, tx.touched)
        except backend.busy_errors as exc:
            if getattr(backend, "is_busy", lambda e: True)(exc):
                log.info("store busy: %s", exc)
                raise ConflictError(_busy_message(self.location)) from exc
            raise disk_full(exc, self.location) or exc
        except Exception as exc:
            raise disk_full(exc, self.location) or exc

    @contextmanager
    def snapshot(self) -> Iterator["_Snapshot"]:
        """Reads that all see one consistent state of the store (for copies and backups taken
        while others write): one read transaction, REPEATABLE READ on PostGIS."""
        with self._backend.snapshot() as conn:
            yield _Snapshot(self, conn)

    # -- reads ------------------------------------------------------------------------------
    @property
    def version(self) -> int:
        """A counter that grows with every committed write: a cache key for readers."""
        _, rows = self._fetch("SELECT value FROM restoration_meta WHERE key = 'store_version'")
        return int(rows[0][0])

    @property
    def schema_version(self) -> int:
        _, rows = self._fetch("SELECT MAX(version) FROM restoration_schema")
        return int(rows[0][0])

    def schema_history(self) -> pd.DataFrame:
        """The applied migrations: version, applied_at, description."""
        return self._frame("SELECT version, applied_at, description FROM restoration_schema ORDER BY version")

    def layers(self) -> list[str]:
        with self._conn() as conn:
            return self._backend.layer_order(conn)

    def info(self) -> dict:
        """What the store holds: location, backend, versions, and the row count of every layer."""
        return {
            "path": self.location,
            "backend": self.backend,
            "schema_version": self.schema_version,
            "store_version": self.version,
            "layers": {name: self.count(name) for name in self.layers()},
        }

    # -- convenience writes -----------------------------------------------------------------
    def insert(self, layer: str, frame: pd.DataFrame, *, actor: str = "system",
               action: str = "insert", progress: bool = False) -> int:
        with self.transaction(actor) as tx:
            return tx.insert(layer, frame, action=action, progress=progress)


class _Snapshot(Reads):
    """Read operations on one read transaction (see ``Store.snapshot``)."""

    def __init__(self, store: Store, conn: Any):
        self.store = store
        self._backend = store._backend
        self._connection = conn

    @contextmanager
    def _conn(self):
        yield self._connection

    def layers(self) -> list[str]:
        return self._backend.layer_order(self._connection)



def backend_for(location: str | os.PathLike) -> Backend:
    """The backend for a store location: PostGIS for a ``postgresql://`` URL, else a GeoPackage."""
    if is_url(location):
        return PostgisBackend(str(location))
    text = str(location)
    if "://" in text:
        raise StoreError(f"'{text}': not a store location; give a GeoPackage path or a "
                         "postgresql://user@host/database URL")
    return GpkgBackend(Path(location))


def store_exists(location: str | os.PathLike) -> bool:
    """Whether a store (a file at the path, a store's tables in the database) is at ``location``."""
    return backend_for(location).exists()


def location_name(location: str | os.PathLike) -> str:
    """``location`` as messages show it (a database URL without its password)."""
    return backend_for(location).location


def create_store(location: str | os.PathLike, fill: Callable[[Transaction], None] | None = None, *,
                 actor: str = "system") -> Store:
    """Create a new store at ``location`` (refused if one exists), filled by ``fill(tx)`` in the
    same transaction as its schema: a failure or a killed process leaves no store — no empty
    one that looks valid and blocks the retry. A GeoPackage's folder must exist."""
    backend = backend_for(location)
    store = Store(backend)

    def run(conn) -> None:
        tx = Transaction(store, conn, actor)
        fill(tx)
        if tx.touched:
            backend.after_write(conn, tx.touched)
    backend.create(run if fill is not None else None)
    return store


def open_store(location: str | os.PathLike, *, create: bool = True, upgrade: bool = True) -> Store:
    """Open the store at ``location``: a GeoPackage path, or a ``postgresql://`` URL.

    A missing store is created (all layers, empty) unless ``create`` is False — a GeoPackage's data
    folder with it, owner-only, when missing (an existing folder is left as it is). An older store is
    migrated to the current schema in one transaction (unless ``upgrade`` is False). Something
    that is not a store of this platform, or a store written by a newer version, is refused.
    """
    backend = backend_for(location)
    if not backend.exists():
        if not create:
            raise StoreError(f"{backend.location}: no store here; run `restoration init` first")
        if getattr(backend, "path", None) is not None:
            files.make_folder(backend.path.parent)  # the data folder
        backend.create()
        log.info("created store %s", backend.location)
        return Store(backend)
    done = backend.open_checked(upgrade=upgrade)
    if done:
        log.info("migrated store %s to schema versions %s", backend.location, done)
    return Store(backend)

