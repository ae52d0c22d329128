"""What a storage backend provides to the gateway (``restoration.store.core``).

The gateway (``Store`` / ``Transaction``) writes its SQL once, with ``?`` placeholders and
quoted identifiers that both SQLite and PostgreSQL understand; a backend connects, translates
placeholders, moves geometries in and out, locks, and maps its errors onto the platform's.
Two backends exist: :mod:`.gpkg_backend` (one GeoPackage file, the default) and
:mod:`.postgis` (PostgreSQL + PostGIS, for many users).
"""
from __future__ import annotations

import os
import re
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from .. import model

#: seconds a writer waits for another writer's lock before "busy, retry"
DEFAULT_LOCK_TIMEOUT = 60.0


def lock_timeout() -> float:
    """Seconds to wait for a lock: ``RESTORATION_LOCK_TIMEOUT`` when set, else 60."""
    try:
        return float(os.environ.get("RESTORATION_LOCK_TIMEOUT") or DEFAULT_LOCK_TIMEOUT)
    except ValueError:
        return DEFAULT_LOCK_TIMEOUT


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def plain(value: Any) -> Any:
    """A parameter as a plain Python value (numpy scalars are not adapted by the drivers)."""
    if isinstance(value, np.generic):
        return value.item()
    return value


class Backend:
    """One storage backend. Subclasses fill in every method."""

    kind: str = ""
    #: errors that mean "another writer holds the lock" (reported as busy, retry)
    busy_errors: tuple[type[BaseException], ...] = ()
    #: errors that mean a constraint refused the rows (reported as bad input)
    integrity_errors: tuple[type[BaseException], ...] = ()

    # -- identity ---------------------------------------------------------------------------
    @property
    def location(self) -> str:
        raise NotImplementedError

    # -- connections --------------------------------------------------------------------------
    @contextmanager
    def reading(self) -> Iterator[Any]:
        """A connection for reads outside a transaction."""
        raise NotImplementedError
        yield  # pragma: no cover

    @contextmanager
    def writing(self) -> Iterator[Any]:
        """A connection inside an open write transaction; committed on exit, rolled back on error."""
        raise NotImplementedError
        yield  # pragma: no cover

    @contextmanager
    def snapshot(self) -> Iterator[Any]:
        """A connection in a read-only transaction that sees one consistent state."""
        raise NotImplementedError
        yield  # pragma: no cover

    # -- statements -----------------------------------------------------------------------
    def sql(self, text: str) -> str:
        """``text`` (``?`` placeholders) in the driver's placeholder style."""
        return text

    def fetch(self, conn, sql: str, params: Sequence = ()) -> tuple[list[str], list[tuple]]:
        """Run a query; (column names, rows)."""
        cur = conn.execute(self.sql(sql), tuple(plain(p) for p in params))
        cols = [d[0] for d in cur.description]
        return cols, cur.fetchall()

    def run(self, conn, sql: str, params: Sequence = ()) -> int:
        """Run a statement; the number of rows it changed."""
        cur = conn.execute(self.sql(sql), tuple(plain(p) for p in params))
        return cur.rowcount

    def run_many(self, conn, sql: str, rows: Sequence[Sequence]) -> None:
        """Run one statement over many parameter rows (one round of the driver, not one per row)."""
        cur = conn.cursor()
        try:
            cur.executemany(self.sql(sql), [tuple(plain(p) for p in r) for r in rows])
        finally:
            cur.close()

    def insert_rows(self, conn, layer: str, names: list[str], rows: list[tuple]) -> None:
        """Bulk insert (geometry values already encoded by :meth:`encode_geoms`)."""
        raise NotImplementedError

    def insert_returning_fid(self, conn, layer: str, names: list[str], row: tuple) -> int:
        raise NotImplementedError

    def select_columns(self, spec: model.LayerSpec, columns: Sequence[str] | None) -> str:
        """The select list of a layer (all columns, or ``columns`` plus the fid)."""
        if columns is None:
            return "*"
        names = ["fid"] + [c for c in columns if c != "geometry"]
        if spec.geometry and "geometry" in columns:
            names.append("geom")
        return ", ".join(quote(c) for c in names)

    # -- geometries ---------------------------------------------------------------------------
    def encode_geoms(self, geoms: np.ndarray) -> list:
        raise NotImplementedError

    def decode_geoms(self, values: list) -> np.ndarray:
        raise NotImplementedError

    # -- locks and bookkeeping ------------------------------------------------------------------
    def lock_suffix(self) -> str:
        """Appended to a SELECT inside a write transaction to lock the rows it reads."""
        return ""

    def lock_name(self, conn, name: str) -> None:
        """Serialise transactions that use ``name`` (e.g. numbering new ids of one layer)."""

    def after_write(self, conn, touched: set[str]) -> None:
        raise NotImplementedError

    def after_explicit_fids(self, conn, layer: str) -> None:
        """Rows were inserted with their own fids: new rows must number after them."""

    def extent(self, conn, layer: str) -> tuple[float, float, float, float] | None:
        raise NotImplementedError

    def table_names(self, conn) -> set[str]:
        raise NotImplementedError

    def layer_order(self, conn) -> list[str]:
        """Layers in the order they were created."""
        raise NotImplementedError

    def schema_ops(self, conn) -> "SchemaOps":
        raise NotImplementedError

    # -- lifecycle ----------------------------------------------------------------------------
    def exists(self) -> bool:
        raise NotImplementedError

    def create(self, fill: "Callable[[Any], None] | None" = None) -> None:
        """Create a new store at the latest schema (refused if one exists). ``fill(conn)`` runs in
        the same transaction as the schema, before it commits: the store appears whole, with
        its rows, or not at all."""
        raise NotImplementedError

    def open_checked(self) -> None:
        """Refuse what is not a store of this platform; migrate an older one."""
        raise NotImplementedError

    def close(self) -> None:
        """Release pooled connections (nothing for a file)."""


_ADD_COLUMN = re.compile(r'^\s*ALTER\s+TABLE\s+"?(\w+)"?\s+ADD\s+COLUMN\s+"?(\w+)"?\s+(\w+)\s*$', re.I)
_CREATE_INDEX = re.compile(
    r'^\s*CREATE\s+(UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?"?(\w+)"?\s+ON\s+"?(\w+)"?\s*\(([^)]*)\)\s*$', re.I)


class SchemaOps:
    """Declarative schema operations a migration is written in; each backend executes them.

    A migration is a function of a ``SchemaOps``: ``ops.create_layer(spec)``,
    ``ops.add_field(layer, field)``, ``ops.create_index(layer, columns)``; ``ops.fields(layer)``
    and ``ops.has_layer(name)`` say what exists. ``ops.execute`` accepts the two DDL forms older
    migrations were written in (``ALTER TABLE t ADD COLUMN c TYPE`` and ``CREATE INDEX i ON
    t(cols)``) and turns them into the operations above, so they run on every backend.
    """

    kind = ""

    def create_layer(self, spec: model.LayerSpec) -> None:
        raise NotImplementedError

    def add_field(self, layer: str, field: model.Field) -> None:
        raise NotImplementedError

    def create_index(self, layer: str, columns: Sequence[str], name: str | None = None,
                     unique: bool = False) -> None:
        raise NotImplementedError

    def fields(self, layer: str) -> set[str]:
        raise NotImplementedError

    def has_layer(self, name: str) -> bool:
        raise NotImplementedError

    def init_metadata(self) -> None:
        raise NotImplementedError

    def spatial_index_all(self) -> None:
        raise NotImplementedError

    def record_version(self, version: int, applied_at: str, description: str) -> None:
        raise NotImplementedError

    def append_only(self, layer: str) -> None:
        """Make ``layer`` append-only: the database itself refuses to update, delete (or
        truncate) its rows, whoever asks."""
        raise NotImplementedError

    def run(self, sql: str, params: Sequence = ()) -> None:
        """Run one statement (``?`` placeholders) in this backend's dialect."""
        raise NotImplementedError

    def fill_missing(self, layer: str, column: str, value: Any) -> None:
        """Backfill: set ``layer.column`` to ``value`` on every row where it is empty (NULL)."""
        self.run(f"UPDATE {quote(layer)} SET {quote(column)} = ? WHERE {quote(column)} IS NULL", (value,))

    def fill_from(self, layer: str, column: str, source: str, source_column: str, *,
                  match: tuple[str, str]) -> None:
        """Backfill: where ``layer.column`` is empty, take ``source.source_column`` of the first
        ``source`` row whose ``match[1]`` equals the row's ``match[0]``."""
        mine, theirs = match
        self.run(f"UPDATE {quote(layer)} SET {quote(column)} = (SELECT s.{quote(source_column)} "
                 f"FROM {quote(source)} s WHERE s.{quote(theirs)} = {quote(layer)}.{quote(mine)} "
                 f"LIMIT 1) WHERE {quote(column)} IS NULL")

    def execute(self, ddl: str, params: Sequence = ()) -> None:
        m = _ADD_COLUMN.match(ddl)
        if m:
            layer, column, sql_type = m.groups()
            field = _field_named(layer, column, sql_type)
            if column not in self.fields(layer):
                self.add_field(layer, field)
            return
        m = _CREATE_INDEX.match(ddl)
        if m:
            unique, name, layer, cols = m.groups()
            self.create_index(layer, [c.strip().strip('"') for c in cols.split(",")], name, bool(unique))
            return
        raise NotImplementedError(
            "a migration may only use ops.create_layer / add_field / create_index (or the DDL "
            f"forms ALTER TABLE … ADD COLUMN and CREATE INDEX … ON t(cols)); got: {ddl[:80]}")


_KIND_OF_SQL = {"TEXT": "str", "REAL": "float", "INTEGER": "int", "BOOLEAN": "bool", "DATE": "date",
                "DATETIME": "datetime", "BLOB": "blob"}


def _field_named(layer: str, column: str, sql_type: str) -> model.Field:
    spec = model.LAYERS.get(layer)
    if spec is not None and column in spec.field_names:
        return spec.field(column)
    return model.Field(column, _KIND_OF_SQL.get(sql_type.upper(), "str"))  # type: ignore[arg-type]
