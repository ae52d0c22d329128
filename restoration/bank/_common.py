"""Small helpers shared by the bank modules: one transaction for a Store or an open Transaction."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from typing import Iterator

from ..store import Store, Transaction


@contextmanager
def transaction(target: Store | Transaction, actor: str) -> Iterator[Transaction]:
    """Join ``target`` if it is already a transaction (so callers can batch several ledger steps
    atomically), else open one ``BEGIN IMMEDIATE`` transaction on the store."""
    if isinstance(target, Transaction):
        yield target
        return
    with target.transaction(actor) as tx:
        yield tx


def iso_day(on: date | str | None) -> str:
    """A date as ISO text; None is today."""
    if on is None:
        return date.today().isoformat()
    if isinstance(on, date):
        return on.isoformat()
    return date.fromisoformat(str(on)).isoformat()


def next_id(tx: Transaction, layer: str, column: str, prefix: str, width: int) -> str:
    """The next sequential id ``<prefix><number>`` of a layer; safe inside BEGIN IMMEDIATE."""
    row = tx.execute(f'SELECT MAX(CAST(SUBSTR("{column}", ?) AS INTEGER)) FROM "{layer}" '
                     f'WHERE "{column}" LIKE ?', (len(prefix) + 1, prefix + "%")).fetchone()
    return f"{prefix}{(row[0] or 0) + 1:0{width}d}"


def json_safe(x):
    """Plain JSON types: numpy scalars -> Python, NaN/inf -> None, arrays/tuples -> lists."""
    import math
    from collections.abc import Mapping

    import numpy as np
    if isinstance(x, Mapping):
        return {str(k): json_safe(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [json_safe(v) for v in x]
    if isinstance(x, np.ndarray):
        return [json_safe(v) for v in x.tolist()]
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(x) if math.isfinite(float(x)) else None
    if x is None or isinstance(x, str):
        return x
    if hasattr(x, "isoformat"):
        return x.isoformat()
    return str(x)
