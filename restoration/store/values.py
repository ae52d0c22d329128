"""Values between the data model and the backends: Python and pandas values as the store's
columns hold them (JSON text for lists and mappings, 0/1 for booleans, MultiPolygons for
polygons), and back again as ``read`` gives them."""
from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
import shapely

from .. import model


def to_json(value: Any) -> str | None:
    """``value`` as JSON text (numpy numbers, arrays, timestamps and shapes included); None or NaN → None."""
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


def sql_value(f: model.Field, v: Any) -> Any:
    """One value of field ``f`` as the backends take it."""
    if f.kind in ("list", "json"):
        if isinstance(v, tuple):
            v = list(v)
        return to_json(v)
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


def sql_column(f: model.Field, series: pd.Series) -> list:
    """A column's values as the backends take them: :func:`sql_value` of each, with the common
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
    return [sql_value(f, v) for v in cells]


def to_multi(geoms: np.ndarray) -> np.ndarray:
    """Polygons as MultiPolygons (each spatial layer holds one geometry type); others unchanged."""
    out = np.asarray(geoms, dtype=object).copy()
    idx = np.flatnonzero(shapely.get_type_id(out) == 3)
    if len(idx):  # one MultiPolygon per Polygon, in one vectorised call
        out[idx] = shapely.multipolygons(out[idx], indices=np.arange(len(idx)))
    return out


def _is_missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def from_column(f: model.Field, col: pd.Series) -> pd.Series:
    """A column as the backend returned it → the values ``read`` gives for field ``f``."""
    if f.kind in ("list", "json"):
        return col.map(lambda v: json.loads(v) if isinstance(v, str) else
                       ([] if f.kind == "list" else None)).astype(object)
    if f.kind == "bool":
        return col.map(lambda v: None if _is_missing(v) else bool(v)).astype(object)
    if f.kind == "float":
        return pd.to_numeric(col, errors="coerce").astype(float)
    if f.kind in ("str", "enum", "date", "datetime"):
        return col.astype(object).where(col.notna(), None)
    if f.kind == "blob":
        return col.map(lambda v: bytes(v) if isinstance(v, (bytes, bytearray, memoryview)) else None).astype(object)
    return col


def from_value(kind: str | None, v: Any) -> Any:
    """One stored value → the value ``get`` gives for a field of ``kind``."""
    if kind in ("list", "json"):
        return json.loads(v) if isinstance(v, str) else ([] if kind == "list" else None)
    if v is None:
        return None
    if kind == "bool":
        return bool(v)
    if kind == "float":
        v = float(v)
        return None if math.isnan(v) else v
    if kind == "int":
        return int(v)
    if kind == "blob":
        return bytes(v)
    return v


__all__ = ["to_json", "sql_value", "sql_column", "to_multi", "from_column", "from_value"]
