"""Set-based writes and reads of the cases' derived state (``case_states``, ``case_deadlines``):
many cases' rows replaced in a few statements, read back as plain frames.

The rows are derived data (``restoration.cases.case_state`` derives them from each case's
history): the write that caused them is audited, they are not audited again.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import pandas as pd

from .. import config, model
from .backend import quote
from .reads import with_filters

#: keys per DELETE (below every backend's parameter limit)
_KEYS_PER_STATEMENT = 900
#: hooks run inside every write transaction before it commits: ``hook(tx, written)`` with
#: ``written`` = {layer: keys written}; a derived layer kept by a higher package registers here
BEFORE_COMMIT: list[Callable[[Any, dict[str, set]], None]] = []


def before_commit(hook: Callable[[Any, dict[str, set]], None]) -> Callable:
    """Register ``hook`` to run in every write transaction before it commits (once per hook)."""
    if hook not in BEFORE_COMMIT:
        BEFORE_COMMIT.append(hook)
    return hook


def run_before_commit(tx) -> None:
    """The registered hooks, over what ``tx`` wrote (called by ``Store.transaction``)."""
    written = getattr(tx, "written", None)
    if not written:
        return
    for hook in BEFORE_COMMIT:
        hook(tx, written)


#: the fields of a stored deadline row, in order (``replace_states`` takes rows as tuples of them)
DEADLINE_FIELDS = tuple(f.name for f in model.LAYERS["case_deadlines"].fields)


def replace_states(tx, case_ids: Sequence[str], states: Sequence[dict], deadlines: Sequence[tuple]) -> None:
    """The derived rows of ``case_ids`` replaced by ``states`` (one dict per case) and
    ``deadlines`` (tuples in :data:`DEADLINE_FIELDS` order, any number per case), in the open
    transaction ``tx``."""
    ids = list(dict.fromkeys(case_ids))
    if not ids or not tx.has_layer("case_states"):
        return
    backend, conn = tx._backend, tx._connection
    for start in range(0, len(ids), _KEYS_PER_STATEMENT):
        chunk = ids[start:start + _KEYS_PER_STATEMENT]
        marks = ", ".join("?" * len(chunk))
        for layer in model.CASE_STATE_LAYERS:
            backend.run(conn, f"DELETE FROM {quote(layer)} WHERE case_id IN ({marks})", tuple(chunk))
    stamp = config.now_utc()
    if states:
        names = [f.name for f in model.LAYERS["case_states"].fields if f.name != "derived_at"]
        backend.insert_rows(conn, "case_states", names + ["derived_at"],
                            [tuple(r.get(n) for n in names) + (stamp,) for r in states])
    if deadlines:
        backend.insert_rows(conn, "case_deadlines", list(DEADLINE_FIELDS), list(deadlines))
    tx.touched.update(model.CASE_STATE_LAYERS)


def read_states(reads, case_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """The stored ``case_states`` rows (of ``case_ids``, else all), as stored."""
    return _read(reads, "case_states", {"case_id": case_ids})


def read_deadlines(reads, *, case_ids: Sequence[str] | None = None,
                   statuses: Sequence[str] | None = None) -> pd.DataFrame:
    """The stored ``case_deadlines`` rows (of ``case_ids`` / with one of ``statuses``), as
    stored, in case order and each case's own order (``position``)."""
    return _read(reads, "case_deadlines", {"case_id": case_ids, "status": statuses}, order="case_id, position")


def _read(reads, layer: str, equals: dict, order: str | None = None) -> pd.DataFrame:
    spec = model.LAYERS[layer]
    names = [f.name for f in spec.fields]
    if not reads.has_layer(layer):
        return pd.DataFrame(columns=names)
    where, params = with_filters(None, (), {k: (list(v) if v is not None else None) for k, v in equals.items()},
                                 spec)
    sql = (f"SELECT {', '.join(quote(n) for n in names)} FROM {quote(layer)}" + (f" WHERE {where}" if where else "")
           + (f" ORDER BY {order}" if order else ""))
    return reads._frame(sql, params)


__all__ = ["DEADLINE_FIELDS", "before_commit", "replace_states", "read_states", "read_deadlines", "run_before_commit"]
