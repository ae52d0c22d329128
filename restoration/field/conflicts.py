"""The review queue of a field import: conflicts a person decides, never the last edit.

A ``value`` conflict (the same attribute changed at the office and in the field) is resolved by
keeping the office's value or the field's; a reported feature (``geometry``, ``deleted``,
``added``: not applied by the import) is closed by keeping the office's — the change itself is
made at the office, where a site's outline and its computed fields are edited.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from .. import access, config
from ..errors import ConflictError, InputError, Issue
from ..store import Store
from .merge import same

KEEP = ("office", "field")


def conflicts(store: Store, *, status: str | None = "open", case_id: str | None = None) -> pd.DataFrame:
    """The review queue (``status`` None: every conflict, resolved ones too)."""
    frame = store.read("field_conflicts", status=status, case_id=case_id)
    return frame.drop(columns=["fid"], errors="ignore").sort_values(["case_id", "record_id", "field"],
                                                                    na_position="last").reset_index(drop=True)


def resolve(store: Store, conflict: str, keep: str, actor: "access.Actor | str") -> dict:
    """Resolve one open conflict by keeping the ``office`` or the ``field`` value; returns it.

    Keeping the field's value writes it to the site — refused (exit 4) when the office's value
    changed again since the conflict was queued (review it afresh)."""
    if keep not in KEEP:
        raise InputError(Issue(f"keep 'office' or 'field', not {keep!r}", field="--keep"))
    who = access.as_actor(actor)
    row = store.get("field_conflicts", conflict)
    access.require(who, "case.edit", store, case_id=row.get("case_id"))
    if row["status"] != "open":
        raise InputError(Issue(f"conflict {conflict} was resolved already ({row['kept']}, {row['resolved_by']})",
                               field="ID"))
    if keep == "field" and row["kind"] != "value":
        raise InputError(Issue(f"a {row['kind']} finding is not applied from the field: edit the site at the office "
                               "and keep 'office'", field="--keep"))
    with store.transaction(who.name) as tx:
        if keep == "field":
            now: Any = tx.get(row["layer"], row["record_id"]).get(row["field"])
            if not same(now, row["office_value"]):
                raise ConflictError(f"{row['layer']} {row['record_id']} {row['field']} changed at the office since the "
                                    f"conflict was queued (now {now!r}); review it again")
            tx.update(row["layer"], row["record_id"], {row["field"]: row["field_value"]},
                      action=f"field conflict {conflict}: field value kept")
        return tx.update("field_conflicts", conflict, {"status": "resolved", "kept": keep, "resolved_by": who.name,
                                                       "resolved_at": config.now_utc()},
                         action=f"field conflict {conflict} resolved")
