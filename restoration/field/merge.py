"""The three-way merge of reference attributes: the base snapshot, the office now, the field.

A field changed on one side only is taken from that side; changed on both sides to different
values it is a conflict for review, never overwritten. Features deleted in the field, added in
the field or whose shape the field edited are reported, not applied (an outline is changed at
the office, where its area, county and watershed are computed again).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence


@dataclass(frozen=True)
class Change:
    """One merge finding: ``kind`` take (the field's value is applied), value (a conflict),
    geometry / deleted / added (reported, not applied)."""

    kind: str
    record_id: str
    field: str | None = None
    base: Any = None
    office: Any = None
    field_value: Any = None


def same(a: Any, b: Any) -> bool:
    """Equal as stored values (None, NaN and an empty text are all "no value"; 1 == 1.0)."""
    def norm(v):
        if v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip()):
            return None
        return v.strip() if isinstance(v, str) else v
    return norm(a) == norm(b)


def three_way(record_id: str, base: Mapping[str, Any], office: Mapping[str, Any], field: Mapping[str, Any],
              fields: Sequence[str], *, stale: bool = False) -> list[Change]:
    """The changes of one feature's ``fields``. ``stale``: the package is older than one already
    imported for the same case, so even a one-sided field change is queued for review."""
    out = []
    for f in fields:
        b, o, v = base.get(f), office.get(f), field.get(f)
        if same(v, b) or same(v, o):
            continue  # the field did not change it, or both sides agree
        if same(o, b) and not stale:
            out.append(Change("take", record_id, f, b, o, v))
        else:
            out.append(Change("value", record_id, f, b, o, v))
    return out


def features(base: Mapping[str, Mapping[str, Any]], field_hashes: Mapping[str, str | None]) -> list[Change]:
    """Deleted, added and reshaped features: ``base`` = {id: {"geometry": hash}}, ``field_hashes``
    = {id: hash} of the package's layer."""
    out = [Change("deleted", rid) for rid in base if rid not in field_hashes]
    out += [Change("added", rid) for rid in field_hashes if rid not in base]
    out += [Change("geometry", rid) for rid, h in field_hashes.items()
            if rid in base and base[rid].get("geometry") != h]
    return out
