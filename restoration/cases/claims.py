"""The claim item by item (索赔项目): what a case's damage amount is made of.

Items come from the case's rule profile (``[claim_scope]``: 期间损害, 永久性损害, 调查评估费用,
修复费用, 应急处置费用, each with its source). Once a case has an item, its ``damage_amount_yuan``
is the sum of its current items (summed in fen), written in the same transaction as the item,
and the case's class is recomputed from its last classification decision with the new amount.
An appraisal feeds its own item; a re-appraisal supersedes the items of the appraisal it
replaces and no other.
"""
from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from equivalence.offsets import fen_to_yuan, to_fen

from .. import access
from ..errors import InputError, Issue
from ..importer import prepare
from ..model import MAX_YUAN, AppraisalMethod
from ..profiles.for_case import profile_for
from ..profiles.profile import RuleList
from ..store import Store
from .classify import classify

#: the scope item an appraisal feeds when the appraiser names none, by method
DEFAULT_ITEM = {"abatement": "restoration", "restoration_cost": "restoration", "equivalence": "interim_loss"}
CLAIM_COLUMNS = ["claim_id", "item", "item_zh", "item_en", "amount_yuan", "source", "appraisal_id", "note"]


def claim_scope(case: Mapping[str, Any]) -> RuleList:
    """The compensation-scope items the case's profile lists (``claim_scope``)."""
    return profile_for(case).list("claim_scope")


def check_item(case: Mapping[str, Any], item: str) -> RuleList:
    """``item`` must be on the case's scope list; else an :class:`InputError` listing it."""
    scope = claim_scope(case)
    if item not in scope:
        listed = "; ".join(f"{i.id} = {i.zh}" for i in scope.items) or "(the profile lists none)"
        raise InputError(Issue(f"赔偿范围无此项 unknown claim item {str(item)[:60]!r}; use one of: {listed} "
                               f"(source: {scope.source})", source=str(case.get("case_id")), field="item"))
    return scope


def add_claim_item(store: Store, case_id: str, item: str, amount_yuan: float, *, source: str,
                   actor: "access.Actor | str", appraisal_id: str | None = None, note: str | None = None,
                   expected_version: int | None = None) -> dict:
    """Add one claim item to ``case_id`` and set the case's amount to the sum of its items.

    ``appraisal_id`` (optional) must be an appraisal of this case. Returns the stored item.
    """
    who = access.as_actor(actor)
    access.require(who, "case.edit", store, case_id=case_id)
    with store.transaction(who.name) as tx:
        case = tx.get("cases", case_id)
        if expected_version is not None:
            tx.update("cases", case_id, {}, expected_version=expected_version)
        if appraisal_id is not None:
            found = tx.read("appraisals", appraisal_id=appraisal_id)
            if found.empty or found.iloc[0]["case_id"] != case_id:
                raise InputError(Issue(f"appraisal {appraisal_id!r} is not an appraisal of case {case_id}",
                                       source=case_id, field="appraisal"))
        row = write_item(tx, case, item, amount_yuan, source=source, appraisal_id=appraisal_id, note=note,
                         actor=who.name)
        set_case_amount(tx, case_id)
        return row


def write_item(tx, case: Mapping[str, Any], item: str, amount_yuan: Any, *, source: str, appraisal_id: str | None,
               note: str | None, actor: str) -> dict:
    """Insert one item inside an open transaction (checked against the profile's scope list)."""
    case_id = str(case["case_id"])
    check_item(case, item)
    if source is None or not str(source).strip():
        raise InputError(Issue("依据必填 a claim item needs its source (e.g. the appraisal report, an invoice)",
                               source=case_id, field="source"))
    try:
        amount = float(amount_yuan)
    except (TypeError, ValueError):
        raise InputError(Issue(f"not an amount: {amount_yuan!r}", source=case_id, field="amount_yuan")) from None
    if not (0 <= amount <= MAX_YUAN):
        raise InputError(Issue(f"amount {amount_yuan!r} outside 0 … {MAX_YUAN:,.0f} yuan", source=case_id,
                               field="amount_yuan"))
    n = tx.next_number("claim_items", "claim_id", f"{case_id}-C")
    row = {"claim_id": f"{case_id}-C{n:02d}", "case_id": case_id, "item": item,
           "amount_yuan": fen_to_yuan(to_fen(amount, exact=False)), "source": str(source).strip(),
           "appraisal_id": appraisal_id, "superseded_by": None, "note": note, "actor": actor}
    clean, _ = prepare(tx, "claim_items", pd.DataFrame([row]))
    tx.insert("claim_items", clean, action="claim item")
    return row


def supersede(tx, case_id: str, old_appraisal_id: str, new_appraisal_id: str) -> int:
    """Mark the current items of ``old_appraisal_id`` superseded by ``new_appraisal_id``; the
    number of items superseded (a re-appraisal replaces its own items only)."""
    rows = tx.read("claim_items", case_id=case_id)
    mine = rows[(rows["appraisal_id"] == old_appraisal_id) & rows["superseded_by"].isna()] if len(rows) else rows
    for cid in mine["claim_id"] if len(mine) else []:
        tx.update("claim_items", cid, {"superseded_by": new_appraisal_id}, action="claim item superseded")
    return len(mine)


def current_items(store_or_tx, case_id: str) -> pd.DataFrame:
    """The case's claim items that no re-appraisal superseded, oldest first."""
    rows = store_or_tx.read("claim_items", case_id=case_id)
    if rows.empty:
        return rows
    return rows[rows["superseded_by"].isna()].sort_values("claim_id").reset_index(drop=True)


def claim_items(store: Store, case_id: str) -> list[dict]:
    """The case's current claim items with their Chinese and English labels (``CLAIM_COLUMNS``)."""
    case = store.get("cases", case_id)
    scope = claim_scope(case)
    out = []
    for r in current_items(store, case_id).to_dict(orient="records"):
        it = scope.get(r["item"])
        out.append({"claim_id": r["claim_id"], "item": r["item"], "item_zh": it.zh if it else r["item"],
                    "item_en": it.en if it else r["item"], "amount_yuan": round(float(r["amount_yuan"]), 2),
                    "source": r["source"], "appraisal_id": _text(r.get("appraisal_id")), "note": _text(r.get("note"))})
    return out


def _text(v: Any) -> str | None:
    return None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)


def set_case_amount(tx, case_id: str) -> float:
    """The case's damage amount := the sum of its current items (in fen); the class follows
    from the case's last classification decision (unless a supervisor set it by hand)."""
    items = current_items(tx, case_id)
    total = fen_to_yuan(sum(to_fen(float(a), exact=False) for a in items["amount_yuan"])) if len(items) else 0.0
    tx.update("cases", case_id, {"damage_amount_yuan": total, "damage_amount_source": "claim_items",
                                 "damage_appraisal_id": None}, action="damage amount = sum of claim items")
    _reclassify(tx, case_id, total)
    return total


def _reclassify(tx, case_id: str, total: float) -> None:
    """Re-run the last classification decision with the new amount; record a decision and set the
    class when it changes. A class set by hand (override) stays."""
    last = tx.read("case_classifications", case_id=case_id)
    if last.empty:
        return
    row = last.iloc[-1]
    facts = row["facts"]
    if bool(row["overridden"]) or not isinstance(facts, Mapping) or facts.get("damage_amount_yuan") == total:
        return
    case = tx.get("cases", case_id)
    new_facts = {k: v for k, v in facts.items() if k != "damage_amount_provenance"}
    new_facts["damage_amount_yuan"] = total
    result = classify(new_facts, profile_for(case), source=f"case {case_id} facts")
    frame = pd.DataFrame([{"case_id": case_id, "profile": row["profile"], "facts": dict(result.facts),
                           "computed_class": result.case_class, "case_class": result.case_class,
                           "fired": result.fired, "overridden": False,
                           "reason": "damage amount changed: sum of the claim items", "actor": tx.actor}])
    clean, _ = prepare(tx, "case_classifications", frame)
    tx.insert("case_classifications", clean, action="classification (claim items)")
    if result.case_class != case.get("case_class"):
        tx.update("cases", case_id, {"case_class": result.case_class}, action="class follows the claim items")


def amount_provenance(store: Store, case: Mapping[str, Any]) -> dict[str, Any]:
    """Where the case's damage amount came from: ``source`` is ``claim_items`` (with ``items``:
    each current item, and for an item an appraisal computed its method, appraiser, date and
    whether all values were verified), ``appraisal`` (a store from before claim items:
    ``appraisal_id, method, method_zh, method_en, appraiser, appraised_on, all_verified,
    software_version``), ``manual`` or ``None`` when no amount is recorded."""
    amount = case.get("damage_amount_yuan")
    if amount is None or (isinstance(amount, float) and pd.isna(amount)):
        return {"source": None}
    src = case.get("damage_amount_source")
    if src == "claim_items":
        items = claim_items(store, str(case["case_id"]))
        for it in items:
            if it["appraisal_id"]:
                it.update({k: v for k, v in _appraisal_facts(store, it["appraisal_id"]).items() if k != "source"})
        return {"source": "claim_items", "items": items}
    aid = case.get("damage_appraisal_id")
    if src != "appraisal" or not aid or (isinstance(aid, float) and pd.isna(aid)):
        return {"source": "manual"}
    return _appraisal_facts(store, aid)


def _appraisal_facts(store: Store, aid: str) -> dict[str, Any]:
    rows = store.read("appraisals", appraisal_id=aid)
    if rows.empty:
        return {"source": "manual", "note": f"appraisal {aid} not found"}
    r = rows.iloc[0]
    m = AppraisalMethod(r["method"])
    return {"source": "appraisal", "appraisal_id": aid, "method": m.value, "method_zh": m.zh, "method_en": m.en,
            "standard": r["standard"], "appraiser": r["appraiser"], "appraised_on": str(r["appraised_on"]),
            "all_verified": bool(r["all_verified"]), "software_version": r["software_version"]}
