"""One write transaction: inserts, updates and deletes, each audited with the transaction's
actor in the same transaction; numbering, record locks and idempotent writes
(``once(request_id, …)``). All or nothing: opened by ``Store.transaction()``."""
from __future__ import annotations

import json
import logging
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from .. import config, model
from ..errors import ConflictError, InputError, Issue, NotFoundError
from ..messages import Message, Term
from ..progress import bar_wanted
from .backend import plain, quote
from .reads import Reads, layer_spec, with_filters
from .values import sql_column, sql_value, to_json, to_multi

if TYPE_CHECKING:
    from .core import Store

log = logging.getLogger(__name__)

#: rows sent to the backend in one statement batch
CHUNK_ROWS = 2_000


class Transaction(Reads):
    """One write transaction. Use through ``Store.transaction()``; all or nothing."""

    _locking = True

    def __init__(self, store: "Store", conn: Any, actor: str):
        self.store = store
        self._backend = store._backend
        self._connection = conn
        self.actor = actor
        self.touched: set[str] = set()
        #: the keys written per keyed layer (what the before-commit hooks derive from)
        self.written: dict[str, set] = {}

    def _wrote(self, layer: str, keys) -> None:
        self.written.setdefault(layer, set()).update(str(k) for k in keys)

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
        spec = layer_spec(layer)
        if column not in spec.field_names:
            raise InputError(Issue(f"unknown field '{column}'", source=layer))
        self._backend.lock_name(self._connection, f"{layer}.{column}")
        _, rows = self._fetch(f"SELECT {quote(column)} FROM {quote(layer)} WHERE {quote(column)} LIKE ?",
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
                  (request_id, action, self.actor, config.now_utc(), to_json(result)))
        self.touched.add("submissions")
        return result

    # -- audit ------------------------------------------------------------------------------
    def audit(self, action: str, layer: str, record_id: str | None = None,
              before: Any = None, after: Any = None) -> None:
        self._run("INSERT INTO audit_log (at, actor, action, layer, record_id, before, after) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?)",
                  (config.now_utc(), self.actor, action, layer, record_id, to_json(before), to_json(after)))

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
                rows_cols.append(sql_column(f, frame[f.name]))
            else:
                rows_cols.append([1 if f.name == "version" else stamp] * n)
        if spec.geometry:
            geoms = to_multi(frame.geometry.to_numpy())
            rows_cols.insert(0, self._backend.encode_geoms(geoms))
            names = ["geom"] + names
        return names, list(zip(*rows_cols))

    def _refused(self, exc: BaseException, layer: str) -> InputError:
        return InputError(Issue(f"rejected by the store: {str(exc).strip().splitlines()[0]}", source=layer))

    def insert(self, layer: str, frame: pd.DataFrame, *, action: str = "insert",
               progress: bool = False) -> int:
        """Insert validated rows (``restoration.validate`` canonical form) into ``layer``."""
        spec = layer_spec(layer)
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
        if spec.key:
            self._wrote(layer, frame[spec.key])
        log.debug("inserted %d rows into %s (%s)", n, layer, action)
        if layer != "audit_log":
            ids = frame[spec.key].astype(str).tolist()[:1000] if spec.key else None
            self.audit(action, layer, None, None, {"rows": n, "ids": ids})
        return n

    def insert_one(self, layer: str, frame: pd.DataFrame, *, action: str = "insert") -> int:
        """Insert one validated row and return its feature id (``fid``)."""
        spec = layer_spec(layer)
        if len(frame) != 1:
            raise InputError(Issue(f"insert_one takes one row, got {len(frame)}", source=layer))
        names, rows = self._rows(layer, frame)
        try:
            fid = self._backend.insert_returning_fid(self._connection, layer, names, rows[0])
        except self._backend.integrity_errors as exc:
            raise self._refused(exc, layer) from exc
        self.touched.add(layer)
        key = str(frame[spec.key].iloc[0]) if spec.key else str(fid)
        if spec.key:
            self._wrote(layer, [key])
        self.audit(action, layer, key, None, {"rows": 1, "fid": fid})
        return fid

    def update(self, layer: str, key_value: str, changes: dict[str, Any], *,
               expected_version: int | None = None, action: str = "update") -> dict:
        """Change fields of one record; with ``expected_version`` (optimistic lock) refuse the
        change when someone else saved the record since it was read."""
        spec = layer_spec(layer)
        before = self.get(layer, key_value)  # locks the record on PostGIS
        has_version = "version" in spec.field_names
        if expected_version is not None and has_version and int(before["version"]) != int(expected_version):
            last = self.last_change(layer, key_value)
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
        sets = ", ".join(f"{quote(k)} = ?" for k in changes)
        params = [sql_value(spec.field(k), v) for k, v in changes.items()]
        try:
            self._run(f"UPDATE {quote(layer)} SET {sets} WHERE {quote(spec.key)} = ?", (*params, key_value))
        except self._backend.integrity_errors as exc:
            raise self._refused(exc, layer) from exc
        self.touched.add(layer)
        if spec.key:
            self._wrote(layer, [key_value])
        after = {**before, **changes}
        diff_before = {k: before.get(k) for k in changes}
        self.audit(action, layer, key_value, diff_before, {k: after[k] for k in changes})
        return after

    def update_many(self, layer: str, changes: dict[str, dict[str, Any]], *,
                    action: str | dict[str, str] = "update") -> None:
        """Change the same fields of many records (``{key: {field: value}}``) — what :meth:`update`
        does for each (locked, version up by one, one audit row each), in a few statements for
        an import's thousands of records instead of three per record. ``action``: the audit's
        action, or one per key."""
        spec = layer_spec(layer)
        if not changes:
            return
        names = list(next(iter(changes.values())))
        unknown = [k for k in names if k not in spec.field_names]
        if unknown or any(list(c) != names for c in changes.values()):
            raise InputError(Issue(f"unknown or uneven field(s) {', '.join(unknown)}", source=layer))
        keys = list(changes)
        versioned = ["version"] if "version" in spec.field_names else []
        before: dict[str, dict] = {}
        for start in range(0, len(keys), _KEYS_PER_READ):  # locked on PostGIS, as get() does
            where, params = with_filters(None, (), {spec.key: keys[start:start + _KEYS_PER_READ]}, spec)
            for row in self._read(layer, where, params, [spec.key, *versioned, *names], lock=True).to_dict("records"):
                before[row[spec.key]] = row
        missing = [k for k in keys if k not in before]
        if missing:
            raise NotFoundError(Message("store.not_found", {"layer": Term("layer", layer), "key": Term("detail", spec.key),
                                                            "record": missing[0]}))
        stamp = config.now_utc()
        rows, audits = [], []
        for key in keys:
            after = dict(changes[key])
            if "version" in spec.field_names:
                after["version"] = int(before[key]["version"]) + 1
            if "updated_at" in spec.field_names:
                after["updated_at"] = stamp
            rows.append((*(sql_value(spec.field(k), v) for k, v in after.items()), key))
            audits.append((stamp, self.actor, action if isinstance(action, str) else action[key], layer, key,
                           to_json({k: plain(before[key].get(k)) for k in after}), to_json(after)))
        sets = ", ".join(f"{quote(k)} = ?" for k in after)
        try:
            self._backend.run_many(self._connection, f"UPDATE {quote(layer)} SET {sets} WHERE {quote(spec.key)} = ?", rows)
        except self._backend.integrity_errors as exc:
            raise self._refused(exc, layer) from exc
        self._backend.run_many(self._connection, "INSERT INTO audit_log (at, actor, action, layer, record_id, before, "
                               "after) VALUES (?, ?, ?, ?, ?, ?, ?)", audits)
        self.touched.add(layer)
        self._wrote(layer, keys)

    def update_row(self, layer: str, fid: int, changes: dict[str, Any], *, action: str = "update") -> None:
        """Change fields of one row of a layer without a key (events, series) by its ``fid``."""
        spec = layer_spec(layer)
        unknown = [k for k in changes if k not in spec.field_names]
        if unknown:
            raise InputError(Issue(f"unknown field(s) {', '.join(unknown)}", source=layer))
        sets = ", ".join(f"{quote(k)} = ?" for k in changes)
        params = [sql_value(spec.field(k), v) for k, v in changes.items()]
        if not self._run(f"UPDATE {quote(layer)} SET {sets} WHERE fid = ?", (*params, int(fid))):
            raise NotFoundError(f"{layer}: no row {fid}")
        self.touched.add(layer)
        self.audit(action, layer, str(fid), None, {k: plain(v) for k, v in changes.items()})

    def delete(self, layer: str, key_value: str) -> None:
        spec = layer_spec(layer)
        before = self.get(layer, key_value)
        self._run(f"DELETE FROM {quote(layer)} WHERE {quote(spec.key)} = ?", (key_value,))
        self.touched.add(layer)
        if spec.key:
            self._wrote(layer, [key_value])
        self.audit("delete", layer, key_value, before, None)

    def insert_as_stored(self, layer: str, names: list[str], rows: list[tuple]) -> None:
        """Insert rows as another store holds them (see ``rows_as_stored``), keeping their fids."""
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
        spec = layer_spec(layer)
        if keys.empty:
            return 0
        cols = list(keys.columns)
        for c in cols:
            if c not in spec.field_names:
                raise InputError(Issue(f"unknown field '{c}'", source=layer))
        cond = " AND ".join(f"{quote(c)} = ?" for c in cols)
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
            n += self._run(f"DELETE FROM {quote(layer)} WHERE {where}", params)
        if n:
            self.touched.add(layer)
            if spec.key in cols:
                self._wrote(layer, keys[spec.key])
            self.audit(action, layer, None, {"rows": n, "records": gone}, None)
        return n


def _executemany(tx: Transaction, layer: str, names: list[str], rows: list[tuple]) -> None:
    try:
        tx._backend.insert_rows(tx._connection, layer, names, rows)
    except tx._backend.integrity_errors as exc:
        raise tx._refused(exc, layer) from exc


#: keys per locked read of :meth:`Transaction.update_many` (below every backend's parameter limit)
_KEYS_PER_READ = 900

__all__ = ["Transaction", "CHUNK_ROWS"]
