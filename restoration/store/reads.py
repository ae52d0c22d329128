"""The named read operations, shared by a store, a write transaction (which sees its own
uncommitted writes) and a snapshot: ``read`` with keyword filters, ``get``, ``keys``,
``values``, ``count``, ``total``, ``totals``, ``extent``, ``last_change``. There is no SQL
condition in the interface: code outside the store says what it needs through keywords."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import model
from ..errors import InputError, Issue, NotFoundError
from ..messages import Message, Term
from .backend import Backend, plain, quote
from .values import from_column, from_value


def with_filters(where: str | None, params: tuple | dict, equals: dict[str, Any],
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
            clauses.append(f"{quote(column)} IN ({', '.join('?' * len(value))})")
            values.extend(norm(column, v) for v in value)
        else:
            clauses.append(f"{quote(column)} = ?")
            values.append(norm(column, value))
    return (" AND ".join(f"({c})" for c in clauses) or None), tuple(values)



def layer_spec(layer: str) -> model.LayerSpec:
    try:
        return model.LAYERS[layer]
    except KeyError:
        raise NotFoundError(f"unknown layer '{layer}'; layers: {', '.join(model.LAYERS)}") from None



class Reads:
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
        spec = layer_spec(layer)
        backend = self._backend
        sql = (f"SELECT {backend.select_columns(spec, columns)} FROM {quote(layer)}"
               + (f" WHERE {where}" if where else "") + " ORDER BY fid"
               + (backend.lock_suffix() if lock else ""))
        frame = self._frame(sql, params)
        for f in spec.fields:
            if f.name in frame:
                frame[f.name] = from_column(f, frame[f.name])
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
        spec = layer_spec(layer)
        where, params = with_filters(None, (), equals, spec)
        return self._read(layer, where, params, columns)

    def get(self, layer: str, key_value: str) -> dict:
        """One record of a keyed layer as a dict, or NotFoundError. Inside a write transaction
        on PostGIS the record stays locked until commit, so what is decided from it holds."""
        spec = layer_spec(layer)
        sql = (f"SELECT * FROM {quote(layer)} WHERE {quote(spec.key)} = ?"
               + (self._backend.lock_suffix() if self._locking else ""))
        cols, rows = self._fetch(sql, (key_value,))
        if not rows:
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
            v = from_value(kind, v)
            out[name] = v
        if spec.geometry and "geom" in cols:
            out["geometry"] = geom
        return out

    def keys(self, layer: str, column: str | None = None, /, **equals: Any) -> set:
        """The key values of a keyed layer — or the distinct values of ``column`` — optionally
        filtered."""
        spec = layer_spec(layer)
        return self.values(layer, column or spec.key, **equals)

    def values(self, layer: str, column: str, /, **equals: Any) -> set:
        """The distinct non-null values of one field (optionally filtered)."""
        return {r[0] for r in self._select(layer, f"DISTINCT {quote(self._field(layer, column))}", equals)
                if r[0] is not None}

    def count(self, layer: str, /, **equals: Any) -> int:
        return int(self._select(layer, "COUNT(*)", equals)[0][0])

    def total(self, layer: str, column: str, /, **equals: Any) -> float:
        """The sum of a numeric field over the rows the filters select (0 when none)."""
        return float(self._select(layer, f"COALESCE(SUM({quote(self._field(layer, column))}), 0)", equals)[0][0])

    @staticmethod
    def _field(layer: str, column: str) -> str:
        if column not in layer_spec(layer).field_names:
            raise InputError(Issue(f"unknown field '{column}'", source=layer))
        return column

    def _select(self, layer: str, what: str, equals: dict[str, Any]) -> list[tuple]:
        """``SELECT what FROM layer`` over the rows the filters select."""
        where, params = with_filters(None, (), equals, layer_spec(layer))
        _, rows = self._fetch(f"SELECT {what} FROM {quote(layer)}" + (f" WHERE {where}" if where else ""), params)
        return rows

    def totals(self, layer: str, column: str, by: list[str] | tuple[str, ...], /,
               **equals: Any) -> pd.DataFrame:
        """Sums of a numeric field grouped by fields ``by``: a frame with ``by`` + ``column``."""
        spec = layer_spec(layer)
        by = list(by)
        for c in [column, *by]:
            if c not in spec.field_names:
                raise InputError(Issue(f"unknown field '{c}'", source=layer))
        where, params = with_filters(None, (), equals, spec)
        group = ", ".join(quote(c) for c in by)
        frame = self._frame(f"SELECT {group}, COALESCE(SUM({quote(column)}), 0) AS {quote(column)} "
                            f"FROM {quote(layer)}" + (f" WHERE {where}" if where else "")
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
        if not layer_spec(layer).geometry:
            return None
        with self._conn() as conn:
            return self._backend.extent(conn, layer)

    def last_change(self, layer: str, record_id: str | None = None) -> dict | None:
        """The newest audit entry of a layer (or of one record): actor, action, at."""
        where, params = with_filters(None, (), {"layer": layer, "record_id": record_id}, model.LAYERS["audit_log"])
        _, rows = self._fetch(f"SELECT actor, action, at FROM audit_log WHERE {where} ORDER BY fid DESC LIMIT 1",
                              params)
        return dict(zip(("actor", "action", "at"), rows[0])) if rows else None

    def rows_as_stored(self, layer: str, columns: list[str] | None = None) -> tuple[list[str], list[tuple]]:
        """Every row of a layer as stored (with ``fid``; geometries decoded), ordered by fid:
        for copying a store between backends."""
        select = "*" if columns is None else ", ".join(quote(c) for c in columns
                                                       if c != "geom" or layer_spec(layer).geometry)
        names, rows = self._fetch(f"SELECT {select} FROM {quote(layer)} ORDER BY fid")
        if "geom" in names:
            i = names.index("geom")
            geoms = self._backend.decode_geoms([r[i] for r in rows])
            rows = [r[:i] + (g,) + r[i + 1:] for r, g in zip(rows, geoms)]
        return names, rows


__all__ = ["Reads", "with_filters", "layer_spec"]
