"""Small helpers shared by the bank modules: one transaction for a Store or an open Transaction."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from typing import Iterator

from equivalence.result import json_safe as _json_safe

from .. import config
from ..store import Store, Transaction
from .. import config


#: allocation states that hold capacity
OPEN_STATES = ("reserved", "committed")


def allocated(tx: Store | Transaction, project_id: str) -> float:
    """Reserved + committed amount of a project [capacity units]."""
    return tx.total("bank_allocations", "amount", project_id=project_id, state=OPEN_STATES)


@contextmanager
def transaction(target: Store | Transaction, actor) -> Iterator[Transaction]:
    """Join ``target`` if it is already a transaction (so callers can batch several ledger steps
    atomically), else open one ``BEGIN IMMEDIATE`` transaction on the store (``actor``: a user or
    a name; the audit log gets the name)."""
    from .. import access
    if isinstance(target, Transaction):
        yield target
        return
    with target.transaction(access.name_of(actor)) as tx:
        yield tx


def iso_day(on: date | str | None) -> str:
    """A date as ISO text; None is today."""
    if on is None:
        return config.today().isoformat()
    if isinstance(on, date):
        return on.isoformat()
    try:
        return date.fromisoformat(str(on).strip()).isoformat()
    except ValueError:
        from ..errors import InputError, Issue
        raise InputError(Issue(f"'{str(on)[:40]}' is not a date (use YYYY-MM-DD)", field="--on")) from None


def next_id(tx: Transaction, layer: str, column: str, prefix: str, width: int) -> str:
    """The next sequential id ``<prefix><number>`` of a layer; concurrent writers wait for
    each other (``Transaction.next_number``), so no two get the same id."""
    return f"{prefix}{tx.next_number(layer, column, prefix):0{width}d}"


def json_safe(x):
    """Plain JSON types (the equivalence engine's converter); any other object as text."""
    return _json_safe(x, str)


def positive_amount(value, field: str, unit: str = "", maximum: float | None = None) -> float:
    """``value`` as a positive finite float (at most ``maximum``, default the model's plausibility
    bound), or an InputError naming ``field``."""
    import math

    from ..errors import InputError, Issue
    from ..model import MAX_QUANTITY
    maximum = MAX_QUANTITY if maximum is None else maximum
    from ..messages import Message, Term
    refused = Message("bank.amount_range_unit" if unit else "bank.amount_range",
                      {"max": maximum, "value": repr(str(value)[:60]), **({"unit": Term("unit", unit)} if unit else {})})
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InputError(Issue(refused, field=field)) from None
    if not math.isfinite(number) or number <= 0 or number > maximum:
        raise InputError(Issue(refused, field=field))
    return number
