"""Small helpers shared by the bank modules: one transaction for a Store or an open Transaction."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from typing import Iterator

from equivalence.result import json_safe as _json_safe

from .. import config
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
        return config.today().isoformat()
    if isinstance(on, date):
        return on.isoformat()
    return date.fromisoformat(str(on)).isoformat()


def next_id(tx: Transaction, layer: str, column: str, prefix: str, width: int) -> str:
    """The next sequential id ``<prefix><number>`` of a layer; concurrent writers wait for
    each other (``Transaction.next_number``), so no two get the same id."""
    return f"{prefix}{tx.next_number(layer, column, prefix):0{width}d}"


def json_safe(x):
    """Plain JSON types (the equivalence engine's converter); any other object as text."""
    return _json_safe(x, str)


def positive_amount(value, field: str, unit: str = "") -> float:
    """``value`` as a positive finite float, or an InputError naming ``field``."""
    import math

    from ..errors import InputError, Issue
    what = f"a positive number{' of ' + unit if unit else ''}"
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(Issue(f"amount must be {what}, got {value!r}", field=field)) from None
    if not math.isfinite(number) or number <= 0:
        raise InputError(Issue(f"amount must be {what}, got {value!r}", field=field))
    return number
