"""The embedded backend: one GeoPackage file (SQLite), the default with no configuration.

Every write runs inside one SQLite transaction (``BEGIN IMMEDIATE``), so an import that fails
halfway leaves the file exactly as it was, and writers are serialised by SQLite's lock: the
ledger's read-then-write decisions need nothing more. The file stays a plain GeoPackage
(OGC 12-128r18) that QGIS and GDAL open as it is, with an R-tree index on every spatial layer.
"""
from __future__ import annotations

import logging
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

from .. import config, files, model
from ..errors import ConflictError, StoreError
from . import gpkg
from . import bulk_sites
from .backend import Backend, SchemaOps, lock_timeout, quote
from . import migrations as _migrations
from .migrations import geometry_type_name, migrate

log = logging.getLogger(__name__)


class GpkgBackend(Backend):
    kind = "gpkg"
    busy_errors = (sqlite3.OperationalError,)
    integrity_errors = (sqlite3.IntegrityError,)

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    @property
    def location(self) -> str:
        return str(self.path)

    def _connect(self, path: Path | str | None = None) -> sqlite3.Connection:
        timeout = lock_timeout()
        conn = sqlite3.connect(path or self.path, timeout=timeout, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        gpkg.register_functions(conn)  # the R-tree triggers call ST_MinX & co.
        return conn

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        conn = self._connect()
        try:
            yield conn
        finally:
            conn.close()

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    try:
                        conn.execute("ROLLBACK")
                    except sqlite3.Error:  # a connection a full disk left in error: recovered below
                        pass
                raise
        finally:
            conn.close()
            self._roll_back_hot_journal()

    def _roll_back_hot_journal(self) -> None:
        """A write that failed on a full disk can leave the rollback journal behind (SQLite defers
        the rollback to the next connection): roll it back now, so the file is as it was before."""
        if not Path(f"{self.path}-journal").exists():
            return
        try:
            conn = self._connect()
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            finally:
                conn.close()
        except sqlite3.Error:
            log.warning("%s: a failed write left its journal; the next access rolls it back", self.path)

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        conn = self._connect()
        try:
            conn.execute("BEGIN")  # the shared lock taken by the first read holds until the end
            try:
                yield conn
            finally:
                conn.execute("ROLLBACK")
        finally:
            conn.close()

    @staticmethod
    def is_busy(exc: BaseException) -> bool:
        text = str(exc).lower()
        return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)

    # -- statements -----------------------------------------------------------------------------
    def insert_rows(self, conn, layer: str, names: list[str], rows: list[tuple]) -> None:
        sql = (f"INSERT INTO {quote(layer)} ({', '.join(quote(c) for c in names)}) "
               f"VALUES ({', '.join('?' * len(names))})")
        bulk_sites.insert_indexed(conn, layer, names, rows, sql)  # the R-tree filled once per batch

    def insert_returning_fid(self, conn, layer: str, names: list[str], row: tuple) -> int:
        sql = (f"INSERT INTO {quote(layer)} ({', '.join(quote(c) for c in names)}) "
               f"VALUES ({', '.join('?' * len(names))})")
        return int(conn.execute(sql, row).lastrowid)

    # -- geometries -----------------------------------------------------------------------------
    def encode_geoms(self, geoms: np.ndarray) -> list:
        return gpkg.encode(geoms)

    def decode_geoms(self, values: list) -> np.ndarray:
        return gpkg.decode(values)

    # -- bookkeeping ----------------------------------------------------------------------------
    def after_write(self, conn, touched: set[str]) -> None:
        """Bump the store version; stamp ``gpkg_contents`` with the time and, for spatial layers,
        the extent read from the R-tree index (not by decoding every geometry)."""
        conn.execute("UPDATE restoration_meta SET value = CAST(value AS INTEGER) + 1 "
                     "WHERE key = 'store_version'")
        stamp = config.now_utc(gpkg.TIMESTAMP_FORMAT)
        for layer in touched | {"audit_log"}:
            extent = self.extent(conn, layer) if model.LAYERS[layer].geometry else None
            if extent:
                conn.execute("UPDATE gpkg_contents SET last_change = ?, min_x = ?, min_y = ?, "
                             "max_x = ?, max_y = ? WHERE table_name = ?", (stamp, *extent, layer))
            else:
                conn.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name = ?", (stamp, layer))

    def extent(self, conn, layer: str) -> tuple[float, float, float, float] | None:
        rtree = f"rtree_{layer}_geom"
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (rtree,)).fetchone():
            row = conn.execute(f"SELECT MIN(minx), MIN(miny), MAX(maxx), MAX(maxy) FROM {quote(rtree)}").fetchone()
            return None if row is None or row[0] is None else tuple(float(v) for v in row)
        blobs = [r[0] for r in conn.execute(f"SELECT geom FROM {quote(layer)}")]  # before schema v6
        return gpkg.bounds(gpkg.decode(blobs))

    def table_names(self, conn) -> set[str]:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def layer_order(self, conn) -> list[str]:
        return [r[0] for r in conn.execute("SELECT table_name FROM gpkg_contents ORDER BY rowid")]

    def schema_ops(self, conn) -> "GpkgOps":
        return GpkgOps(conn)

    # -- lifecycle -------------------------------------------------------------------------------
    def exists(self) -> bool:
        return self.path.exists()

    def create(self, fill: Callable[[sqlite3.Connection], None] | None = None) -> None:
        # built in a private folder beside the target and moved in (never over another file), so
        # no half-created or half-filled store is ever seen at the path; owner-only (0600)
        files.write_file(self.path, lambda tmp: self._build(tmp, fill), replace=False)

    def _build(self, tmp: Path, fill: Callable[[sqlite3.Connection], None] | None) -> None:
        conn = self._connect(tmp)
        try:
            conn.execute(f"PRAGMA application_id = {gpkg.APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {gpkg.USER_VERSION}")
            conn.execute("BEGIN")
            conn.execute("CREATE TABLE restoration_schema (version INTEGER PRIMARY KEY, "
                         "applied_at DATETIME, description TEXT)")
            migrate(GpkgOps(conn), set(), config.now_utc())
            if fill is not None:
                fill(conn)
            conn.execute("COMMIT")
        finally:
            conn.close()

    def applied_versions(self, conn) -> set[int]:
        return {r[0] for r in conn.execute("SELECT version FROM restoration_schema")}

    def open_checked(self, *, upgrade: bool = True) -> list[int]:
        path = self.path
        try:
            conn = self._connect()
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            ours = "restoration_schema" in self.table_names(conn)
        except sqlite3.DatabaseError as exc:
            if self.is_busy(exc):
                raise ConflictError(f"{path}: the store is busy (another user is writing); retry in a "
                                    "moment") from exc
            raise StoreError(f"{path}: not a GeoPackage/SQLite file ({exc})") from exc
        try:
            if app_id != gpkg.APPLICATION_ID or not ours:
                raise StoreError(f"{path}: a file exists here but it is not a store of this platform; "
                                 "choose another --data folder or move the file away")
            files.warn_if_shared(path)  # said, never changed: the file's mode is the administrator's
            applied = self.applied_versions(conn)
            known = {m[0] for m in _migrations.MIGRATIONS}
            if applied - known:
                raise StoreError(f"{path}: store schema version {max(applied)} is newer than this software "
                                 f"understands ({_migrations.LATEST}); upgrade restoration-platform")
            if known - applied and upgrade:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    done = migrate(GpkgOps(conn), applied, config.now_utc())
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                return done
            return []
        finally:
            conn.close()


class GpkgOps(SchemaOps):
    """Schema operations in GeoPackage SQL (tables registered in gpkg_contents, R-tree index)."""

    kind = "gpkg"

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def run(self, sql: str, params=()) -> None:
        self.conn.execute(sql, tuple(params))

    def create_layer(self, spec: model.LayerSpec) -> None:
        conn = self.conn
        cols = ["fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL"]
        if spec.geometry:
            cols.append(f"geom {geometry_type_name(spec)}")
        for f in spec.fields:
            col = f"{quote(f.name)} {f.sql_type}"
            if f.name == spec.key:
                col += " NOT NULL UNIQUE"
            cols.append(col)
        for unique in spec.unique:
            cols.append(f"UNIQUE ({', '.join(quote(c) for c in unique)})")
        conn.execute(f"CREATE TABLE {quote(spec.name)} ({', '.join(cols)})")
        data_type = "features" if spec.geometry else "attributes"
        conn.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) "
            "VALUES (?, ?, ?, ?, ?)",
            (spec.name, data_type, spec.name, spec.zh, 4326 if spec.geometry else None))
        if spec.geometry:
            conn.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, 4326, 0, 0)",
                         (spec.name, geometry_type_name(spec)))
            if self.has_layer("gpkg_extensions"):  # schema v6 on: every spatial layer carries its R-tree
                self.add_rtree(spec.name)

    def add_field(self, layer: str, field: model.Field) -> None:
        self.conn.execute(f"ALTER TABLE {quote(layer)} ADD COLUMN {quote(field.name)} {field.sql_type}")

    def create_index(self, layer: str, columns: Sequence[str], name: str | None = None,
                     unique: bool = False) -> None:
        name = name or f"idx_{layer}_{'_'.join(columns)}"
        self.conn.execute(f"CREATE {'UNIQUE ' if unique else ''}INDEX IF NOT EXISTS {quote(name)} "
                          f"ON {quote(layer)} ({', '.join(quote(c) for c in columns)})")

    def fields(self, layer: str) -> set[str]:
        return {row[1] for row in self.conn.execute(f"PRAGMA table_info({quote(layer)})")}

    def has_layer(self, name: str) -> bool:
        return self.conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone() is not None

    def init_metadata(self) -> None:
        for ddl in gpkg.METADATA_DDL:
            self.conn.execute(ddl)
        self.conn.executemany("INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)",
                              gpkg.spatial_ref_rows())
        self.conn.execute("CREATE TABLE restoration_meta (key TEXT PRIMARY KEY, value TEXT)")
        self.conn.execute("INSERT INTO restoration_meta VALUES ('store_version', '0')")

    def add_rtree(self, table: str) -> None:
        """Give a spatial table its R-tree index (filled from the rows it holds) and register it."""
        conn = self.conn
        gpkg.register_functions(conn)
        for ddl in gpkg.rtree_ddl(table):
            conn.execute(ddl)
        conn.execute(f'INSERT INTO "rtree_{table}_geom" SELECT fid, ST_MinX(geom), ST_MaxX(geom), ST_MinY(geom), '
                     f'ST_MaxY(geom) FROM {quote(table)} WHERE geom NOT NULL AND NOT ST_IsEmpty(geom)')
        conn.execute("INSERT INTO gpkg_extensions VALUES (?, 'geom', ?, ?, ?)", (table, *gpkg.RTREE_EXTENSION))

    def spatial_index_all(self) -> None:
        self.conn.execute("""CREATE TABLE IF NOT EXISTS gpkg_extensions (
            table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL,
            scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))""")
        for (table,) in self.conn.execute("SELECT table_name FROM gpkg_geometry_columns").fetchall():
            if not self.has_layer(f"rtree_{table}_geom"):
                self.add_rtree(table)

    def append_only(self, layer: str) -> None:
        for op in ("UPDATE", "DELETE"):  # SQLite has no TRUNCATE: a DELETE of all rows fires these
            self.conn.execute(f"CREATE TRIGGER IF NOT EXISTS {quote(f'{layer}_no_{op.lower()}')} BEFORE {op} "
                              f"ON {quote(layer)} BEGIN SELECT RAISE(ABORT, '{layer} is append-only: "
                              f"{op} refused'); END")

    def record_version(self, version: int, applied_at: str, description: str) -> None:
        self.conn.execute("INSERT INTO restoration_schema VALUES (?, ?, ?)", (version, applied_at, description))
