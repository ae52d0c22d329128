"""What a case publishes beyond its public fields: its agreement, its restoration
result and its use of funds, each only after a ``disclosed`` event for that item, and only for a
case the staff marked ``disclosed``.

Built on the public allow-list (``restoration.disclosure``): every value below is a number, a
date or a label from the vocabularies — no free text, no person — so nothing here can carry
personal data onto the public page; :func:`public_case_items` shows the ids as the public case
list does and passes the rows through the personal-data detector once more.
"""
from __future__ import annotations

import pandas as pd

from ..disclosure import public_id, withhold_personal
from ..model import RestorationMode
from ..store import Store
from .fund_use import fund_use
from .procedure_rules import DISCLOSURE_ITEMS
from .workflow import make_event, order

#: columns of :func:`public_items` (the allow-list of this hook)
PUBLIC_ITEM_FIELDS = ("case_id", "item", "item_zh", "item_en", "published_on", "agreement_date",
                      "agreement_amount_yuan", "restoration_modes", "effect_verdict", "accepted_on",
                      "closed_on", "funds_received_yuan", "funds_used_yuan", "funds_used_at_damaged_place_yuan")


def public_items(store: Store) -> pd.DataFrame:
    """One row per published item of each disclosed case (fields: ``PUBLIC_ITEM_FIELDS``)."""
    cases = store.read("cases", disclosed=True)
    rows = []
    if len(cases):
        ids = tuple(cases["case_id"])
        events = store.read("case_events", case_id=ids)
        evals = store.read("effect_evaluations", case_id=ids)
        ledger = store.read("funds_ledger", case_id=ids)
        modes = dict(zip(cases["case_id"], cases["restoration_modes"]))
        for cid in ids:
            evs = order(make_event(r) for r in events[events["case_id"] == cid].to_dict("records"))
            first = {}
            for e in evs:
                first.setdefault(e.event_type, e.event_date)
            agreement = next((e for e in reversed(evs) if e.event_type == "agreement_signed"), None)
            for e in evs:
                if e.event_type != "disclosed" or e.details.get("item") not in DISCLOSURE_ITEMS:
                    continue
                item = e.details["item"]
                zh, en = DISCLOSURE_ITEMS[item]
                row = {k: None for k in PUBLIC_ITEM_FIELDS} | {
                    "case_id": cid, "item": item, "item_zh": zh, "item_en": en,
                    "published_on": e.event_date.isoformat()}
                if item == "agreement" and agreement is not None:
                    amount = agreement.details.get("amount_yuan")
                    row.update(agreement_date=agreement.event_date.isoformat(),
                               agreement_amount_yuan=float(amount) if isinstance(amount, (int, float)) else None,
                               restoration_modes=[m for m in (modes.get(cid) or [])
                                                  if m in RestorationMode._value2member_map_])
                elif item == "restoration_result":
                    mine = evals[evals["case_id"] == cid].sort_values("evaluated_at")
                    row.update(effect_verdict=mine["verdict"].iloc[-1] if len(mine) else None,
                               accepted_on=first["accepted"].isoformat() if "accepted" in first else None,
                               closed_on=first["closed"].isoformat() if "closed" in first else None)
                elif item == "fund_use":
                    mine = ledger[ledger["case_id"] == cid]
                    use = fund_use(store, cid)
                    row.update(funds_received_yuan=float(mine.loc[mine.entry_type == "received", "amount_yuan"].sum()),
                               funds_used_yuan=float(use["amount_yuan"].sum()) if len(use) else 0.0,
                               funds_used_at_damaged_place_yuan=float(
                                   use.loc[use["at_damaged_place"].eq(True), "amount_yuan"].sum()) if len(use) else 0.0)
                rows.append(row)
    return pd.DataFrame(rows, columns=list(PUBLIC_ITEM_FIELDS))


def public_case_items(store: Store) -> pd.DataFrame:
    """Published agreements, restoration results and fund use of disclosed cases, as the public
    page receives them: numbers, dates and labels only (:func:`public_items`), each case under the
    id the public case list shows (:func:`restoration.disclosure.public_cases`)."""
    items = public_items(store)
    numbers = {c: public_id(c, i) for i, c in enumerate(store.read("cases", disclosed=1)["case_id"])}
    items["case_id"] = items["case_id"].map(numbers)  # the ids public_cases shows (an odd id: #n)
    return withhold_personal(items, ("item_zh", "item_en"))
