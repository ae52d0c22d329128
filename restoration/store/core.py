"""The store gateway: every layer behind named operations, on either backend.

``Store`` (reads) and ``Transaction`` (writes, all or nothing) are the only door to the data:
no other module writes SQL or touches a connection. The backend — one GeoPackage file by
default, or PostgreSQL + PostGIS selected by a URL — is chosen by :func:`open_store`; both run
the same statements through :class:`~restoration.store.backend.Backend`. Every write is audited
with the transaction's actor; a lock held by another writer for longer than the lock timeout
(60 s) is reported as :class:`~restoration.errors.ConflictError` "busy, retry" (exit code 4).
"""
from __future__ import annotations

import json
import logging
import math
import os
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from tqdm.auto import tqdm

from ..progress import bar_wanted
from .. import config, files, model
from ..errors import ConflictError, InputError, Issue, NotFoundError, StoreError
from ..system_errors import disk_full
from .backend import Backend, plain
from .backend import quote as _quote

log = logging.getLogger(__name__)

CHUNK_ROWS = 2_000


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
        return bytes(v)
    if f.kind == "float":
        return float(v)
    if f.kind == "int":
        return int(v)
    if isinstance(v, (np.generic,)):
        return v.item()
    return v


def _sql_column(f: model.Field, series: pd.Series) -> list:
    """A column's values as the backends take them: :func:`_sql_value` of each, with the common
    kinds done in one step (a float column of floats; text as it is, blanks as None)."""
    if f.kind == "float" and pd.api.types.is_float_dtype(series.dtype):
        values = series.to_numpy(dtype=float)
        out = values.tolist()
        for i in np.flatnonzero(np.isnan(values)):
            out[i] = None
        return out
    cells = series.to_numpy(dtype=object)
    if f.kind in ("str", "enum", "date", "datetime"):
        return [None if v is None or (isinstance(v, float) and math.isnan(v))
                else (v.item() if isinstance(v, np.generic) else v) for v in cells]
    return [_sql_value(f, v) for v in cells]


def _to_multi(geoms: np.ndarray) -> np.ndarray:
    out = np.asarray(geoms, dtype=object).copy()
    idx = np.flatnonzero(shapely.get_type_id(out) == 3)
    if len(idx):  # one MultiPolygon per Polygon, in one vectorised call
        out[idx] = shapely.multipolygons(out[idx], indices=np.arange(len(idx)))
    return out



def _busy_message(location: str) -> str:
    return (f"{location}: the store is busy (another user is writing); retry in a moment — "
            "nothing was saved")


def _with_filters(where: str | None, params: tuple | dict, equals: dict[str, Any],
                  spec: model.LayerSpec | None = None) -> tuple[str | None, tuple]:
    """Add ``column = ?`` (or ``IN``) conditions for the keyword filters that are not None."""
    clauses = [where] if where else []
    values = [plain(p) for p in params]

    def norm(column, v):
        if spec is not None and column in spec.field_names and spec.field(column).kind == "bool":
            return int(bool(v))
        return plain(v)

    for column, value in equals.items():
        if value is None:
            continue
        if spec is not None and column not in spec.field_names and column != "fid":
            raise InputError(Issue(f"unknown field '{column}'", source=spec.name))
        if isinstance(value, (list, tuple, set, frozenset, np.ndarray, pd.Index, pd.Series)):
            value = list(value)
            if not value:
                clauses.append("1 = 0")
                continue
            clauses.append(f"{_quote(column)} IN ({', '.join('?' * len(value))})")
            values.extend(norm(column, v) for v in value)
        else:
            clauses.append(f"{_quote(column)} = ?")
            values.append(norm(column, value))
    return (" AND ".join(f"({c})" for c in clauses) or None), tuple(values)


def _record(frame: pd.DataFrame) -> dict:
    row = frame.iloc[0].to_dict()
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}


def _spec(layer: str) -> model.LayerSpec:
    try:
        return model.LAYERS[layer]
    except KeyError:
        raise NotFoundError(f"unknown layer '{layer}'; layers: {', '.join(model.LAYERS)}") from None


class _Reads:
    """Named read operations shared by ``Store`` (own connection) and ``Transaction`` (its own,
    seeing its uncommitted writes)."""

    _backend: Backend

    @contextmanager
    def _conn(self):  # pragma: no cover - overridden
        raise NotImplementedError
        yield

    _locking = False

    def _fetch(self, sql: str, params: tuple = ()) -> tuple[list[str], list[tuple]]:
        with self._conn() as conn:
            return self._backend.fetch(conn, sql, params)

    def _frame(self, sql: str, params: tuple = ()) -> pd.DataFrame:
        cols, rows = self._fetch(sql, params)
        return pd.DataFrame.from_records(rows, columns=cols, coerce_float=True)

    def _read(self, layer: str, where: str | None, params: tuple, columns: list[str] | None = None,
              lock: bool = False) -> pd.DataFrame:
        spec = _spec(layer)
        backend = self._backend
        sql = (f"SELECT {backend.select_columns(spec, columns)} FROM {_quote(layer)}"
               + (f" WHERE {where}" if where else "") + " ORDER BY fid"
               + (backend.lock_suffix() if lock else ""))
        frame = self._frame(sql, params)
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
            elif f.kind == "blob":
                frame[f.name] = col.map(lambda v: bytes(v) if isinstance(v, (bytes, bytearray, memoryview))
                                        else None).astype(object)
        if spec.key and "fid" in frame:
            frame = frame.drop(columns="fid")
        if spec.geometry and "geom" in frame:
            geoms = backend.decode_geoms(frame.pop("geom").tolist())
            return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326", index=frame.index))
        return frame

    def read(self, layer: str, /, *, columns: list[str] | None = None, **equals: Any) -> pd.DataFrame:
        """Read a layer: a GeoDataFrame (EPSG:4326) for spatial layers, a DataFrame otherwise.

        Filter with keywords: ``read("escrow", case_id=c, status=s)`` (a None value is no filter,
        a tuple or list means "one of"; ``layer=`` filters a field named ``layer``). ``columns``
        reads only those fields (``"geometry"`` for the shape). There is no SQL condition: code
        outside the store says what it needs through the keywords or a named operation.
        """
        spec = _spec(layer)
        where, params = _with_filters(None, (), equals, spec)
        return self._read(layer, where, params, columns)

    def get(self, layer: str, key_value: str) -> dict:
        """One record of a keyed layer as a dict, or NotFoundError. Inside a write transaction
        on PostGIS the record stays locked until commit, so what is decided from it holds."""
        spec = _spec(layer)
        sql = (f"SELECT * FROM {_quote(layer)} WHERE {_quote(spec.key)} = ?"
               + (self._backend.lock_suffix() if self._locking else ""))
        cols, rows = self._fetch(sql, (key_value,))
        if not rows:
            from ..messages import Message, Term
            raise NotFoundError(Message("store.not_found", {"layer": Term("layer", layer), "key": Term("detail", spec.key),
                                                            "record": key_value}))
        return self._record_from_row(spec, cols, rows[0])

    def _record_from_row(self, spec: model.LayerSpec, cols: list[str], row: tuple) -> dict:
        """One stored row as the dict ``read`` would give for it (without building a frame:
        ``get`` runs inside every ledger and case write)."""
        out: dict[str, Any] = {}
        geom = None
        for name, v in zip(cols, row):
            if name == "fid":
                if not spec.key:
                    out["fid"] = v
                continue
            if name == "geom":
                geom = self._backend.decode_geoms([v])[0]
                continue
            kind = spec.field(name).kind if name in spec.field_names else None
            if kind in ("list", "json"):
                v = json.loads(v) if isinstance(v, str) else ([] if kind == "list" else None)
            elif v is None:
                pass
            elif kind == "bool":
                v = bool(v)
            elif kind == "float":
                v = float(v)
                v = None if math.isnan(v) else v
            elif kind == "int":
                v = int(v)
            elif kind == "blob":
                v = bytes(v)
            out[name] = v
        if spec.geometry and "geom" in cols:
            out["geometry"] = geom
        return out

    def keys(self, layer: str, column: str | None = None, /, **equals: Any) -> set:
        """The key values of a keyed layer — or the distinct values of ``column`` — optionally
        filtered."""
        spec = _spec(layer)
        return self.values(layer, column or spec.key, **equals)

    def values(self, layer: str, column: str, /, **equals: Any) -> set:
        """The distinct non-null values of one field (optionally filtered)."""
        spec = _spec(layer)
        if column not in spec.field_names:
            raise InputError(Issue(f"unknown field '{column}'", source=layer))
        where, params = _with_filters(None, (), equals, spec)
        _, rows = self._fetch(f"SELECT DISTINCT {_quote(column)} FROM {_quote(layer)}"
                              + (f" WHERE {where}" if where else ""), params)
        return {r[0] for r in rows if r[0] is not None}

    def count(self, layer: str, /, **equals: Any) -> int:
        spec = _spec(layer)
        where, params = _with_filters(None, (), equals, spec)
        _, rows = self._fetch(f"SELECT COUNT(*) FROM {_quote(layer)}" + (f" WHERE {where}" if where else ""),
                              params)
        return int(rows[0][0])

    def total(self, layer: str, column: str, /, **equals: Any) -> float:
        """The sum of a numeric field over the rows the filters select (0 when none)."""
        spec = _spec(layer)
        if column not in spec.field_names:
            raise InputError(Issue(f"unknown field '{column}'", source=layer))
        where, params = _with_filters(None, (), equals, spec)
        _, rows = self._fetch(f"SELECT COALESCE(SUM({_quote(column)}), 0) FROM {_quote(layer)}"
                              + (f" WHERE {where}" if where else ""), params)
        return float(rows[0][0])

    def totals(self, layer: str, column: str, by: list[str] | tuple[str, ...], /,
               **equals: Any) -> pd.DataFrame:
        """Sums of a numeric field grouped by fields ``by``: a frame with ``by`` + ``column``."""
        spec = _spec(layer)
        by = list(by)
        for c in [column, *by]:
            if c not in spec.field_names:
                raise InputError(Issue(f"unknown field '{c}'", source=layer))
        where, params = _with_filters(None, (), equals, spec)
        group = ", ".join(_quote(c) for c in by)
        frame = self._frame(f"SELECT {group}, COALESCE(SUM({_quote(column)}), 0) AS {_quote(column)} "
                            f"FROM {_quote(layer)}" + (f" WHERE {where}" if where else "")
                            + f" GROUP BY {group} ORDER BY {group}", params)
        if frame.empty:
            return pd.DataFrame({**{c: pd.Series(dtype=object) for c in by}, column: pd.Series(dtype=float)})
        frame[column] = frame[column].astype(float)
        return frame

    def has_layer(self, layer: str) -> bool:
        """Whether the store holds the layer (an older store may lack a newer one)."""
        with self._conn() as conn:
            return layer in self._backend.table_names(conn)

    def extent(self, layer: str) -> tuple[float, float, float, float] | None:
        """(min_x, min_y, max_x, max_y) of a spatial layer in EPSG:4326, from the spatial index;
        None when it holds no shape."""
        if not _spec(layer).geometry:
            return None
        with self._conn() as conn:
            return self._backend.extent(conn, layer)

    def last_change(self, layer: str, record_id: str | None = None) -> dict | None:
        """The newest audit entry of a layer (or of one record): actor, action, at."""
        where, params = _with_filters(None, (), {"layer": layer, "record_id": record_id}, model.LAYERS["audit_log"])
        _, rows = self._fetch(f"SELECT actor, action, at FROM audit_log WHERE {where} ORDER BY fid DESC LIMIT 1",
                              params)
        return dict(zip(("actor", "action", "at"), rows[0])) if rows else None

    def _raw(self, layer: str, columns: list[str] | None = None) -> tuple[list[str], list[tuple]]:
        """Every row of a layer as stored (with ``fid``; geometries decoded), ordered by fid:
        for copying a store between backends."""
        select = "*" if columns is None else ", ".join(_quote(c) for c in columns
                                                       if c != "geom" or _spec(layer).geometry)
        names, rows = self._fetch(f"SELECT {select} FROM {_quote(layer)} ORDER BY fid")
        if "geom" in names:
            i = names.index("geom")
            geoms = self._backend.decode_geoms([r[i] for r in rows])
            rows = [r[:i] + (g,) + r[i + 1:] for r, g in zip(rows, geoms)]
        return names, rows


class Transaction(_Reads):
    """One write transaction. Use through ``Store.transaction()``; all or nothing."""

    _locking = True

    def __init__(self, store: "Store", conn: Any, actor: str):
        self.store = store
        self._backend = store._backend
        self._connection = conn
        self.actor = actor
        self.touched: set[str] = set()

    @contextmanager
    def _conn(self):
        yield self._connection

    def _run(self, sql: str, params: tuple = ()) -> int:
        return self._backend.run(self._connection, sql, params)

    # -- locks --------------------------------------------------------------------------------
    def lock(self, layer: str, key_value: str) -> dict:
        """Lock one record until commit (PostGIS; the GeoPackage's writer lock already covers
        it) and return it."""
        return self.get(layer, key_value)

    def next_number(self, layer: str, column: str, prefix: str) -> int:
        """1 + the largest number ``n`` among values ``<prefix><n>`` of a field; concurrent
        transactions numbering the same layer wait for each other (no two get the same id)."""
        spec = _spec(layer)
        if column not in spec.field_names:
            raise InputError(Issue(f"unknown field '{column}'", source=layer))
        self._backend.lock_name(self._connection, f"{layer}.{column}")
        _, rows = self._fetch(f"SELECT {_quote(column)} FROM {_quote(layer)} WHERE {_quote(column)} LIKE ?",
                              (prefix.replace("%", "") + "%",))
        best = 0
        for (value,) in rows:
            tail = str(value)[len(prefix):]
            if tail.isdigit():
                best = max(best, int(tail))
        return best + 1

    # -- idempotent writes --------------------------------------------------------------------
    def once(self, request_id: str | None, action: str, write: Callable[[], Any]) -> Any:
        """Run ``write()`` once per ``request_id``: its result is recorded with the id (unique) in
        this transaction, and a later call with the same id writes nothing and returns the
        recorded result (as JSON gives it back). Two transactions with one id wait for each other,
        so a retried request or a second browser session never writes twice. No id: just write."""
        if request_id is None:
            return write()
        request_id = str(request_id)
        if not request_id or len(request_id) > 100:
            raise InputError(Issue("a request id is 1 to 100 characters", field="request_id"))
        self._backend.lock_name(self._connection, f"submissions.{request_id}")
        _, rows = self._fetch("SELECT action, result FROM submissions WHERE request_id = ?", (request_id,))
        if rows:
            done_action, result = rows[0]
            if done_action != action:
                raise ConflictError(f"request {request_id} was already used for '{done_action}', not '{action}'")
            log.info("request %s (%s) was already written; nothing written again", request_id, action)
            return json.loads(result) if result else None
        result = write()
        self._run("INSERT INTO submissions (request_id, action, actor, at, result) VALUES (?, ?, ?, ?, ?)",
                  (request_id, action, self.actor, config.now_utc(), _json(result)))
        self.touched.add("submissions")
        return result

    # -- audit ------------------------------------------------------------------------------
    def audit(self, action: str, layer: str, record_id: str | None = None,
              before: Any = None, after: Any = None) -> None:
        self._run("INSERT INTO audit_log (at, actor, action, layer, record_id, before, after) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?)",
                  (config.now_utc(), self.actor, action, layer, record_id, _json(before), _json(after)))

    # -- rows -------------------------------------------------------------------------------
    def _rows(self, layer: str, frame: pd.DataFrame) -> tuple[list[str], list[tuple]]:
        spec = model.LAYERS[layer]
        n = len(frame)
        # computed stamps the caller doesn't give: version 1, timestamps now
        stamps = [f for f in spec.fields if f.computed and f.name not in frame.columns
                  and (f.name == "version" or f.kind == "datetime")]
        cols = [f for f in spec.fields if f.name in frame.columns or f in stamps]
        names = [f.name for f in cols]
        stamp = config.now_utc()
        rows_cols = []
        for f in cols:
            if f.name in frame.columns:
                rows_cols.append(_sql_column(f, frame[f.name]))
            else:
                rows_cols.append([1 if f.name == "version" else stamp] * n)
        if spec.geometry:
            geoms = _to_multi(frame.geometry.to_numpy())
            rows_cols.insert(0, self._backend.encode_geoms(geoms))
            names = ["geom"] + names
        return names, list(zip(*rows_cols))

    def _refused(self, exc: BaseException, layer: str) -> InputError:
        return InputError(Issue(f"rejected by the store: {str(exc).strip().splitlines()[0]}", source=layer))

    def insert(self, layer: str, frame: pd.DataFrame, *, action: str = "insert",
               progress: bool = False) -> int:
        """Insert validated rows (``restoration.validate`` canonical form) into ``layer``."""
        spec = _spec(layer)
        n = len(frame)
        if n == 0:
            return 0
        names, rows = self._rows(layer, frame)
        bar = tqdm(total=n, desc=f"import {layer}", unit="row", disable=not bar_wanted(progress), leave=False)
        try:
            for start in range(0, n, CHUNK_ROWS):
                _executemany(self, layer, names, rows[start:start + CHUNK_ROWS])
                bar.update(min(CHUNK_ROWS, n - start))
        finally:
            bar.close()
        self.touched.add(layer)
        log.debug("inserted %d rows into %s (%s)", n, layer, action)
        if layer != "audit_log":
            ids = frame[spec.key].astype(str).tolist()[:1000] if spec.key else None
            self.audit(action, layer, None, None, {"rows": n, "ids": ids})
        return n

    def insert_one(self, layer: str, frame: pd.DataFrame, *, action: str = "insert") -> int:
        """Insert one validated row and return its feature id (``fid``)."""
        spec = _spec(layer)
        if len(frame) != 1:
            raise InputError(Issue(f"insert_one takes one row, got {len(frame)}", source=layer))
        names, rows = self._rows(layer, frame)
        try:
            fid = self._backend.insert_returning_fid(self._connection, layer, names, rows[0])
        except self._backend.integrity_errors as exc:
            raise self._refused(exc, layer) from exc
        self.touched.add(layer)
        key = str(frame[spec.key].iloc[0]) if spec.key else str(fid)
        self.audit(action, layer, key, None, {"rows": 1, "fid": fid})
        return fid

    def update(self, layer: str, key_value: str, changes: dict[str, Any], *,
               expected_version: int | None = None, action: str = "update") -> dict:
        """Change fields of one record; with ``expected_version`` (optimistic lock) refuse the
        change when someone else saved the record since it was read."""
        spec = _spec(layer)
        before = self.get(layer, key_value)  # locks the record on PostGIS
        has_version = "version" in spec.field_names
        if expected_version is not None and has_version and int(before["version"]) != int(expected_version):
            last = self.last_change(layer, key_value)
            from ..messages import Message, Term
            params = {"layer": Term("layer", layer), "record": key_value, "now": int(before["version"]),
                      "expected": int(expected_version)}
            raise ConflictError(Message("store.changed_by", {**params, "actor": last["actor"], "at": str(last["at"])})
                                if last else Message("store.changed", params))
        unknown = [k for k in changes if k not in spec.field_names]
        if unknown:
            raise InputError(Issue(f"unknown field(s) {', '.join(unknown)}", source=layer))
        changes = dict(changes)
        if has_version:
            changes["version"] = int(before["version"]) + 1
        if "updated_at" in spec.field_names:
            changes["updated_at"] = config.now_utc()
        sets = ", ".join(f"{_quote(k)} = ?" for k in changes)
        params = [_sql_value(spec.field(k), v) for k, v in changes.items()]
        try:
            self._run(f"UPDATE {_quote(layer)} SET {sets} WHERE {_quote(spec.key)} = ?", (*params, key_value))
        except self._backend.integrity_errors as exc:
            raise self._refused(exc, layer) from exc
        self.touched.add(layer)
        after = {**before, **changes}
        diff_before = {k: before.get(k) for k in changes}
        self.audit(action, layer, key_value, diff_before, {k: after[k] for k in changes})
        return after

    def update_row(self, layer: str, fid: int, changes: dict[str, Any], *, action: str = "update") -> None:
        """Change fields of one row of a layer without a key (events, series) by its ``fid``."""
        spec = _spec(layer)
        unknown = [k for k in changes if k not in spec.field_names]
        if unknown:
            raise InputError(Issue(f"unknown field(s) {', '.join(unknown)}", source=layer))
        sets = ", ".join(f"{_quote(k)} = ?" for k in changes)
        params = [_sql_value(spec.field(k), v) for k, v in changes.items()]
        if not self._run(f"UPDATE {_quote(layer)} SET {sets} WHERE fid = ?", (*params, int(fid))):
            raise NotFoundError(f"{layer}: no row {fid}")
        self.touched.add(layer)
        self.audit(action, layer, str(fid), None, {k: plain(v) for k, v in changes.items()})

    def delete(self, layer: str, key_value: str) -> None:
        spec = _spec(layer)
        before = self.get(layer, key_value)
        self._run(f"DELETE FROM {_quote(layer)} WHERE {_quote(spec.key)} = ?", (key_value,))
        self.touched.add(layer)
        self.audit("delete", layer, key_value, before, None)

    def _raw_insert(self, layer: str, names: list[str], rows: list[tuple]) -> None:
        """Insert rows as another store holds them (see ``_raw``), keeping their fids."""
        if not rows:
            return
        backend = self._backend
        if "geom" in names:
            i = names.index("geom")
            blobs = backend.encode_geoms(np.array([r[i] for r in rows], dtype=object))
            rows = [r[:i] + (g,) + r[i + 1:] for r, g in zip(rows, blobs)]
        rows = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in rows]
        for start in range(0, len(rows), CHUNK_ROWS):
            _executemany(self, layer, names, rows[start:start + CHUNK_ROWS])
        backend.after_explicit_fids(self._connection, layer)
        self.touched.add(layer)

    def delete_matching(self, layer: str, keys: pd.DataFrame, *, action: str = "delete") -> int:
        """Delete the rows whose fields equal one row of ``keys`` (its columns are the fields
        compared), auditing what was deleted; the number of rows deleted."""
        spec = _spec(layer)
        if keys.empty:
            return 0
        cols = list(keys.columns)
        for c in cols:
            if c not in spec.field_names:
                raise InputError(Issue(f"unknown field '{c}'", source=layer))
        cond = " AND ".join(f"{_quote(c)} = ?" for c in cols)
        tuples = [tuple(plain(v) for v in row) for row in keys.itertuples(index=False, name=None)]
        gone = []
        n = 0
        for start in range(0, len(tuples), 200):
            chunk = tuples[start:start + 200]
            where = " OR ".join(f"({cond})" for _ in chunk)
            params = tuple(v for t in chunk for v in t)
            if len(gone) < 1000:
                frame = self._read(layer, where, params)
                gone.extend(pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))
                            .to_dict(orient="records")[:1000 - len(gone)])
            n += self._run(f"DELETE FROM {_quote(layer)} WHERE {where}", params)
        if n:
            self.touched.add(layer)
            self.audit(action, layer, None, {"rows": n, "records": gone}, None)
        return n


def _executemany(tx: Transaction, layer: str, names: list[str], rows: list[tuple]) -> None:
    try:
        tx._backend.insert_rows(tx._connection, layer, names, rows)
    except tx._backend.integrity_errors as exc:
        raise tx._refused(exc, layer) from exc


class Store(_Reads):
    """The platform's store on one backend. Open with :func:`open_store`."""

    def __init__(self, location: str | os.PathLike | Backend):
        if isinstance(location, Backend):
            self._backend = location
        else:
            self._backend = _backend_for(location)

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


class _Snapshot(_Reads):
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


def _backend_for(location: str | os.PathLike) -> Backend:
    from .postgis import PostgisBackend, is_url
    if is_url(location):
        return PostgisBackend(str(location))
    text = str(location)
    if "://" in text:
        raise StoreError(f"'{text}': not a store location; give a GeoPackage path or a "
                         "postgresql://user@host/database URL")
    from .gpkg_backend import GpkgBackend
    return GpkgBackend(Path(location))


def store_exists(location: str | os.PathLike) -> bool:
    """Whether a store (a file at the path, a store's tables in the database) is at ``location``."""
    return _backend_for(location).exists()


def location_name(location: str | os.PathLike) -> str:
    """``location`` as messages show it (a database URL without its password)."""
    return _backend_for(location).location


def create_store(location: str | os.PathLike, fill: Callable[[Transaction], None] | None = None, *,
                 actor: str = "system") -> Store:
    """Create a new store at ``location`` (refused if one exists), filled by ``fill(tx)`` in the
    same transaction as its schema: a failure or a killed process leaves no store — no empty
    one that looks valid and blocks the retry. A GeoPackage's folder must exist."""
    backend = _backend_for(location)
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
    backend = _backend_for(location)
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
