"""Claim items (索赔项目) carried in a case import: an optional column ``claim_items`` (or
``索赔项目``) holding each case's items as ``item=amount@source; item=amount@source`` (amount in
yuan; ``@source`` optional, then "案件导入文件 FILE") or as a JSON list of
``{item, amount_yuan, source}``.

Items are checked against the case's profile scope (``claim_scope``) and bounded, each problem
named by the file's row and the field ``claim_items``; they are written in the import's own
transaction, and the case's damage amount becomes their sum (a given ``damage_amount_yuan`` that
differs from the sum is refused).
"""
from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd

from ..errors import Issue
from .claims import MAX_YUAN, check_item, set_case_amount, write_item
from ..errors import InputError

COLUMNS = ("claim_items", "索赔项目")
FIELD = "claim_items"
MAX_ITEMS = 50


def _parse(cell: Any) -> list[dict]:
    """One cell's items (raises ValueError with what is wrong)."""
    text = str(cell).strip()
    if len(text) > 20_000:
        raise ValueError("at most 20,000 characters")
    if text.startswith("["):
        items = json.loads(text)
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ValueError("a JSON list of {item, amount_yuan, source}")
        return [{"item": str(i.get("item") or "").strip(), "amount": i.get("amount_yuan"),
                 "source": i.get("source")} for i in items]
    out = []
    for part in filter(None, (p.strip() for p in text.replace("；", ";").split(";"))):
        if "=" not in part:
            raise ValueError(f"{part[:40]!r}: write item=amount@source")
        item, rest = part.split("=", 1)
        amount, _, source = rest.partition("@")
        out.append({"item": item.strip(), "amount": amount.strip().replace(",", ""), "source": source.strip() or None})
    return out


class ClaimColumn:
    """The claim-item column of a case file: :meth:`take` removes and checks it before the cases
    are validated, :meth:`write` stores the items inside the import's transaction."""

    def __init__(self) -> None:
        self.items: dict[str, list[dict]] = {}
        self.source = ""

    def take(self, frame: pd.DataFrame, source: str) -> tuple[pd.DataFrame, list[Issue]]:
        col = next((c for c in COLUMNS if c in frame.columns), None)
        self.source = source
        if col is None:
            return frame, []
        start, label = int(frame.attrs.get("row_start", 1)), frame.attrs.get("row_label", "row")
        issues: list[Issue] = []
        for pos, (cell, row) in enumerate(zip(frame[col], frame.to_dict(orient="records"))):
            if cell is None or (isinstance(cell, float) and math.isnan(cell)) or not str(cell).strip():
                continue
            where = {"source": source, "row": pos + start, "row_label": label, "field": FIELD}
            found = self._row(cell, row, where)
            if isinstance(found, Issue):
                issues.append(found)
            elif found:
                self.items[str(row.get("case_id"))] = found
        out = frame.drop(columns=[col])
        out.attrs.update(frame.attrs)
        return out, issues

    def _row(self, cell: Any, row: dict, where: dict) -> list[dict] | Issue:
        """One row's items, or the first problem of the row."""
        try:
            items = _parse(cell)
        except (ValueError, json.JSONDecodeError) as exc:
            return Issue(f"索赔项目格式有误 claim items unreadable: {exc}", **where)
        if len(items) > MAX_ITEMS:
            return Issue(f"at most {MAX_ITEMS} claim items per case", **where)
        seen, total = set(), 0.0
        for it in items:
            try:
                check_item(row, it["item"])
                amount = float(it["amount"])
            except InputError as exc:
                return Issue(exc.issues[0].message, **where)
            except (TypeError, ValueError):
                return Issue(f"{it['item']}: not an amount in yuan: {it['amount']!r}", **where)
            if not (math.isfinite(amount) and 0 <= amount <= MAX_YUAN):
                return Issue(f"{it['item']}: amount {amount:g} outside 0 … {MAX_YUAN:,.0f} yuan", **where)
            if it["item"] in seen:
                return Issue(f"claim item {it['item']!r} is listed twice", **where)
            seen.add(it["item"])
            it["amount"], total = amount, total + amount
        given = row.get("damage_amount_yuan")
        if given not in (None, "") and not (isinstance(given, float) and math.isnan(given)):
            try:
                differs = abs(float(given) - total) > 0.005
            except (TypeError, ValueError):
                differs = False  # the case's own check names the bad amount
            if differs:
                return Issue(f"damage_amount_yuan {float(given):,.2f} differs from the sum of the claim items "
                             f"{total:,.2f}: leave the amount empty or correct it", **where)
        return items

    def write(self, tx, actor: str) -> int:
        """Store the items of the imported cases; the number of items written."""
        n = 0
        for case_id, items in self.items.items():
            case = tx.get("cases", case_id)
            for it in items:
                write_item(tx, case, it["item"], it["amount"], source=it["source"] or f"案件导入文件 {self.source}",
                           appraisal_id=None, note=None, actor=actor)
                n += 1
            set_case_amount(tx, case_id)
        return n


__all__ = ["ClaimColumn", "COLUMNS"]
