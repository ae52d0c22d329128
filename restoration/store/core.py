"""The embedded store: one GeoPackage file, written only in transactions.

This module is the only code that opens the file. Every write runs inside one SQLite
transaction (``BEGIN IMMEDIATE``), so an import that fails halfway leaves the file exactly as it
was, and two processes writing at once are serialised by SQLite's lock.
"""
from __future__ import annotations

import json
import math
import os
import sqlite3
import tempfile
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from tqdm.auto import tqdm

from .. import model
from ..errors import ConflictError, InputError, Issue, NotFoundError, StoreError
from . import gpkg
from .migrations import LATEST, MIGRATIONS, _quote

CHUNK_ROWS = 2_000


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def _json(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, (pd.Timestamp, datetime)):
        return o.isoformat()
    if isinstance(o, shapely.Geometry):  # a deleted or edited feature's shape, kept in the audit log
        return o.wkt
    if isinstance(o, (bytes, bytearray, memoryview)):
        return f"<{len(o)} bytes>"
    raise TypeError(f"cannot store {type(o).__name__} as JSON")


def _sql_value(f: model.Field, v: Any) -> Any:
    if f.kind in ("list", "json"):
        if isinstance(v, tuple):
            v = list(v)
        return _json(v)
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if f.kind == "bool":
        return int(bool(v))
    if f.kind == "blob":
        return sqlite3.Binary(bytes(v))
    if f.kind == "float":
        return float(v)
    if f.kind == "int":
        return int(v)
    if isinstance(v, (np.generic,)):
        return v.item()
    return v


def _to_multi(geoms: np.ndarray) -> np.ndarray:
    out = np.asarray(geoms, dtype=object).copy()
    is_poly = shapely.get_type_id(out) == 3
    for i in np.flatnonzero(is_poly):
        out[i] = shapely.MultiPolygon([out[i]])
    return out


class Transaction:
    """One write transaction. Use through ``Store.transaction()``; all or nothing."""

    def __init__(self, store: "Store", conn: sqlite3.Connection, actor: str):
        self.store = store
        self.conn = conn
        self.actor = actor
        self.touched: set[str] = set()

    # -- generic SQL for domain modules (ledger, workflow) -----------------------------------
    def execute(self, sql: str, params: tuple | dict = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def query(self, sql: str, params: tuple | dict = ()) -> pd.DataFrame:
        return pd.read_sql_query(sql, self.conn, params=params)

    def read(self, layer: str, where: str | None = None, params: tuple | dict = (),
             **equals: Any) -> pd.DataFrame:
        """Read a layer inside this transaction (sees its uncommitted writes); as ``Store.read``."""
        where, params = _with_filters(where, params, equals)
        return self.store._read(self.conn, layer, where, params)

    def keys(self, layer: str, column: str | None = None) -> set:
        """The distinct values of ``column`` (default: the layer's key) in ``layer``."""
        column = column or model.LAYERS[layer].key
        return {r[0] for r in self.conn.execute(f"SELECT DISTINCT {_quote(column)} FROM {_quote(layer)}")}

    # -- audit ------------------------------------------------------------------------------
    def audit(self, action: str, layer: str, record_id: str | None = None,
              before: Any = None, after: Any = None) -> None:
        self.conn.execute(
            "INSERT INTO audit_log (at, actor, action, layer, record_id, before, after) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (_now(), self.actor, action, layer, record_id, _json(before), _json(after)))

    # -- rows -------------------------------------------------------------------------------
    def insert(self, layer: str, frame: pd.DataFrame, *, action: str = "insert",
               progress: bool = False) -> int:
        """Insert validated rows (``restoration.validate`` canonical form) into ``layer``."""
        spec = model.LAYERS[layer]
        n = len(frame)
        if n == 0:
            return 0
        # computed stamps the caller doesn't give: version 1, timestamps now
        stamps = [f for f in spec.fields if f.computed and f.name not in frame.columns
                  and (f.name == "version" or f.kind == "datetime")]
        cols = [f for f in spec.fields if f.name in frame.columns or f in stamps]
        names = [f.name for f in cols]
        columns = {f.name: (frame[f.name].to_numpy(dtype=object) if f.name in frame.columns else None)
                   for f in cols}
        stamp = _now()
        rows_cols = []
        for f in cols:
            values = columns[f.name]
            if values is None:
                fill = 1 if f.name == "version" else stamp
                rows_cols.append([fill] * n)
            else:
                rows_cols.append([_sql_value(f, v) for v in values])
        if spec.geometry:
            geoms = _to_multi(frame.geometry.to_numpy())
            rows_cols.insert(0, gpkg.encode(geoms))
            names = ["geom"] + names
        sql = (f"INSERT INTO {_quote(layer)} ({', '.join(_quote(c) for c in names)}) "
               f"VALUES ({', '.join('?' * len(names))})")
        rows = list(zip(*rows_cols))
        bar = tqdm(total=n, desc=f"import {layer}", unit="row", disable=not progress, leave=False)
        try:
            for start in range(0, n, CHUNK_ROWS):
                _executemany(self.conn, sql, rows[start:start + CHUNK_ROWS], layer, spec)
                bar.update(min(CHUNK_ROWS, n - start))
        finally:
            bar.close()
        self.touched.add(layer)
        if layer != "audit_log":
            ids = frame[spec.key].astype(str).tolist()[:1000] if spec.key else None
            self.audit(action, layer, None, None, {"rows": n, "ids": ids})
        return n

    def get(self, layer: str, key_value: str) -> dict:
        spec = model.LAYERS[layer]
        frame = self.store._read(self.conn, layer, f"{_quote(spec.key)} = ?", (key_value,))
        if frame.empty:
            raise NotFoundError(f"{layer}: no record with {spec.key} '{key_value}'")
        return _record(frame)

    def update(self, layer: str, key_value: str, changes: dict[str, Any], *,
               expected_version: int | None = None, action: str = "update") -> dict:
        """Change fields of one record; with ``expected_version`` (optimistic lock) refuse the
        change when someone else saved the record since it was read."""
        spec = model.LAYERS[layer]
        before = self.get(layer, key_value)
        has_version = "version" in spec.field_names
        if expected_version is not None and has_version and int(before["version"]) != int(expected_version):
            last = self.conn.execute(
                "SELECT actor, at FROM audit_log WHERE layer = ? AND record_id = ? ORDER BY fid DESC LIMIT 1",
                (layer, key_value)).fetchone()
            who = f" by {last[0]} at {last[1]} UTC" if last else ""
            raise ConflictError(
                f"{layer} '{key_value}' was changed{who} (now version {before['version']}, you edited "
                f"version {expected_version}); reload it and apply your change again — nothing was saved")
        unknown = [k for k in changes if k not in spec.field_names]
        if unknown:
            raise InputError(Issue(f"unknown field(s) {', '.join(unknown)}", source=layer))
        changes = dict(changes)
        if has_version:
            changes["version"] = int(before["version"]) + 1
        if "updated_at" in spec.field_names:
            changes["updated_at"] = _now()
        sets = ", ".join(f"{_quote(k)} = ?" for k in changes)
        params = [_sql_value(spec.field(k), v) for k, v in changes.items()]
        self.conn.execute(f"UPDATE {_quote(layer)} SET {sets} WHERE {_quote(spec.key)} = ?",
                          (*params, key_value))
        self.touched.add(layer)
        after = {**before, **changes}
        diff_before = {k: before.get(k) for k in changes}
        self.audit(action, layer, key_value, diff_before, {k: after[k] for k in changes})
        return after

    def delete(self, layer: str, key_value: str) -> None:
        spec = model.LAYERS[layer]
        before = self.get(layer, key_value)
        self.conn.execute(f"DELETE FROM {_quote(layer)} WHERE {_quote(spec.key)} = ?", (key_value,))
        self.touched.add(layer)
        self.audit("delete", layer, key_value, before, None)


def _executemany(conn: sqlite3.Connection, sql: str, rows: list[tuple], layer: str,
                 spec: model.LayerSpec) -> None:
    try:
        conn.executemany(sql, rows)
    except sqlite3.IntegrityError as exc:
        raise InputError(Issue(f"rejected by the store: {exc}", source=layer)) from exc


def _with_filters(where: str | None, params: tuple | dict, equals: dict[str, Any]) -> tuple[str | None, tuple]:
    """Add ``column = ?`` (or ``IN``) conditions for the keyword filters that are not None."""
    clauses = [where] if where else []
    values = list(params)
    for column, value in equals.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple, set)):
            value = list(value)
            clauses.append(f"{_quote(column)} IN ({', '.join('?' * len(value))})")
            values.extend(value)
        else:
            clauses.append(f"{_quote(column)} = ?")
            values.append(value)
    return (" AND ".join(f"({c})" for c in clauses) or None), tuple(values)


def _record(frame: pd.DataFrame) -> dict:
    row = frame.iloc[0].to_dict()
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}


class Store:
    """A GeoPackage-backed store. Open with :func:`open_store`."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    # -- connections ------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 60000")
        gpkg.register_functions(conn)  # the R-tree triggers call ST_MinX & co.
        return conn

    @contextmanager
    def transaction(self, actor: str = "system") -> Iterator[Transaction]:
        """A write transaction: committed when the block ends, rolled back on any error."""
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            tx = Transaction(self, conn, actor)
            try:
                yield tx
                if tx.touched:
                    self._after_write(conn, tx.touched)
                conn.execute("COMMIT")
            except BaseException:
                # pandas rolls back by itself when a query inside the transaction fails; a second
                # ROLLBACK would then fail and hide the original error
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        finally:
            conn.close()

    def _after_write(self, conn: sqlite3.Connection, touched: set[str]) -> None:
        conn.execute("UPDATE restoration_meta SET value = CAST(value AS INTEGER) + 1 "
                     "WHERE key = 'store_version'")
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        for layer in touched | {"audit_log"}:
            spec = model.LAYERS[layer]
            extent = None
            if spec.geometry:
                blobs = [r[0] for r in conn.execute(f"SELECT geom FROM {_quote(layer)}")]
                extent = gpkg.bounds(gpkg.decode(blobs))
            if extent:
                conn.execute("UPDATE gpkg_contents SET last_change = ?, min_x = ?, min_y = ?, "
                             "max_x = ?, max_y = ? WHERE table_name = ?", (stamp, *extent, layer))
            else:
                conn.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name = ?",
                             (stamp, layer))

    # -- reads ------------------------------------------------------------------------------
    def _read(self, conn: sqlite3.Connection, layer: str, where: str | None = None,
              params: tuple | dict = ()) -> pd.DataFrame:
        spec = model.LAYERS[layer]
        sql = f"SELECT * FROM {_quote(layer)}" + (f" WHERE {where}" if where else "") + " ORDER BY fid"
        frame = pd.read_sql_query(sql, conn, params=params)
        for f in spec.fields:
            if f.name not in frame:
                continue
            col = frame[f.name]
            if f.kind in ("list", "json"):
                frame[f.name] = col.map(lambda v: json.loads(v) if isinstance(v, str) else
                                        ([] if f.kind == "list" else None)).astype(object)
            elif f.kind == "bool":
                frame[f.name] = col.map(lambda v: None if v is None or (isinstance(v, float) and
                                                                       math.isnan(v)) else bool(v)).astype(object)
            elif f.kind == "float":
                frame[f.name] = pd.to_numeric(col, errors="coerce").astype(float)
            elif f.kind in ("str", "enum", "date", "datetime"):
                frame[f.name] = col.astype(object).where(col.notna(), None)
        if spec.key:
            frame = frame.drop(columns="fid")
        if spec.geometry:
            geoms = gpkg.decode(frame.pop("geom").tolist())
            return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"))
        return frame

    def read(self, layer: str, where: str | None = None, params: tuple | dict = (),
             **equals: Any) -> pd.DataFrame:
        """Read a layer: a GeoDataFrame (EPSG:4326) for spatial layers, a DataFrame otherwise.

        ``where`` is an SQL condition with ``?`` placeholders, e.g. ``read("sites", "case_id = ?",
        ("GX-2024-001",))``; keyword filters are simpler: ``read("escrow", case_id=c, status=s)``
        (a None value is no filter, a tuple or list means "one of").
        """
        if layer not in model.LAYERS:
            raise NotFoundError(f"unknown layer '{layer}'; layers: {', '.join(model.LAYERS)}")
        where, params = _with_filters(where, params, equals)
        conn = self._connect()
        try:
            return self._read(conn, layer, where, params)
        finally:
            conn.close()

    def get(self, layer: str, key_value: str) -> dict:
        """One record of a keyed layer as a dict, or NotFoundError."""
        spec = model.LAYERS[layer]
        frame = self.read(layer, f"{_quote(spec.key)} = ?", (key_value,))
        if frame.empty:
            raise NotFoundError(f"{layer}: no record with {spec.key} '{key_value}'")
        return _record(frame)

    def query(self, sql: str, params: tuple | dict = ()) -> pd.DataFrame:
        """A read-only SQL query (no geometry decoding)."""
        conn = self._connect()
        try:
            conn.execute("PRAGMA query_only = ON")
            return pd.read_sql_query(sql, conn, params=params)
        finally:
            conn.close()

    def keys(self, layer: str, column: str | None = None) -> set:
        """The distinct values of ``column`` (default: the layer's key) in ``layer``."""
        column = column or model.LAYERS[layer].key
        return set(self.query(f"SELECT DISTINCT {_quote(column)} AS k FROM {_quote(layer)}")["k"])

    def count(self, layer: str) -> int:
        return int(self.query(f"SELECT COUNT(*) AS n FROM {_quote(layer)}")["n"].iloc[0])

    @property
    def version(self) -> int:
        """A counter that grows with every committed write: a cache key for readers."""
        return int(self.query("SELECT value FROM restoration_meta WHERE key = 'store_version'")["value"].iloc[0])

    @property
    def schema_version(self) -> int:
        return int(self.query("SELECT MAX(version) AS v FROM restoration_schema")["v"].iloc[0])

    def layers(self) -> list[str]:
        return list(self.query("SELECT table_name FROM gpkg_contents ORDER BY rowid")["table_name"])

    def info(self) -> dict:
        """What the store holds: path, versions, and the row count of every layer."""
        return {
            "path": str(self.path),
            "schema_version": self.schema_version,
            "store_version": self.version,
            "layers": {name: self.count(name) for name in self.layers()},
        }

    # -- convenience writes -----------------------------------------------------------------
    def insert(self, layer: str, frame: pd.DataFrame, *, actor: str = "system",
               action: str = "insert", progress: bool = False) -> int:
        with self.transaction(actor) as tx:
            return tx.insert(layer, frame, action=action, progress=progress)


def _is_store(conn: sqlite3.Connection) -> bool:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return "restoration_schema" in tables


def _migrate(conn: sqlite3.Connection, applied: set[int]) -> None:
    """Apply every migration not yet applied, in version order (a version that arrived later
    with a lower number is still applied)."""
    for version, description, fn in MIGRATIONS:
        if version not in applied:
            fn(conn)
            conn.execute("INSERT INTO restoration_schema VALUES (?, ?, ?)", (version, _now(), description))


def open_store(path: str | os.PathLike, *, create: bool = True) -> Store:
    """Open the GeoPackage store at ``path``; create it (all layers, empty) if it is missing.

    An older file is migrated to the current schema in one transaction. A file that is not a
    GeoPackage of this platform, or one written by a newer version, is refused.
    """
    path = Path(path)
    if not path.exists():
        if not create:
            raise StoreError(f"{path}: no store here; run `restoration init` first")
        path.parent.mkdir(parents=True, exist_ok=True)
        # build the new file beside the target and move it in, so no half-created store is seen
        fd, tmp = tempfile.mkstemp(suffix=".gpkg.tmp", dir=path.parent)
        os.close(fd)
        os.unlink(tmp)
        conn = sqlite3.connect(tmp, isolation_level=None)
        gpkg.register_functions(conn)
        try:
            conn.execute(f"PRAGMA application_id = {gpkg.APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {gpkg.USER_VERSION}")
            conn.execute("BEGIN")
            conn.execute("CREATE TABLE restoration_schema (version INTEGER PRIMARY KEY, "
                         "applied_at DATETIME, description TEXT)")
            _migrate(conn, set())
            conn.execute("COMMIT")
        except BaseException:
            conn.close()
            Path(tmp).unlink(missing_ok=True)
            raise
        conn.close()
        os.replace(tmp, path)
        return Store(path)

    try:
        conn = sqlite3.connect(path, timeout=60, isolation_level=None)
        gpkg.register_functions(conn)
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        ours = _is_store(conn)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a GeoPackage/SQLite file ({exc})") from exc
    try:
        if app_id != gpkg.APPLICATION_ID or not ours:
            raise StoreError(f"{path}: a file exists here but it is not a store of this platform; "
                             "choose another --data folder or move the file away")
        applied = {r[0] for r in conn.execute("SELECT version FROM restoration_schema")}
        known = {m[0] for m in MIGRATIONS}
        if applied - known:
            raise StoreError(f"{path}: store schema version {max(applied)} is newer than this software "
                             f"understands ({LATEST}); upgrade restoration-platform")
        if known - applied:
            conn.execute("BEGIN IMMEDIATE")
            try:
                _migrate(conn, applied)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
    finally:
        conn.close()
    return Store(path)
