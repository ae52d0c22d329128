"""Escrow (资金提存): money paid for alternative restoration before a bank project fits.

When no bank project fits yet, the liable party's payment can wait in escrow (e.g. a notary's
escrow account, 公证提存) marked "awaiting match"; later it is matched to a project, which reserves
(or commits) the capacity the money buys in the same transaction. Deposits, matches and refunds
are ledger rows; awaiting deposits appear in :func:`restoration.bank.ledger.ledger_table`.
"""
from __future__ import annotations

import pandas as pd

from ..errors import InputError, InsufficientCapacityError, Issue
from ..messages import Message
from ..store import Store, Transaction
from ..validate import validate_frame
from .. import access
from . import _common, ledger as _ledger


def deposit(target: Store | Transaction, case_id: str, amount_yuan: float, holder: str, *,
            on: str | None = None, ecosystem_type: str | None = None, note: str | None = None,
            actor: str = "system") -> dict:
    """Record money held in escrow for a case's alternative restoration, awaiting a match."""
    amount = _common.positive_amount(amount_yuan, "amount_yuan", "yuan")
    if not holder or not str(holder).strip():
        raise InputError(Issue("name the escrow holder (e.g. 某公证处提存账户)", field="holder"))
    actor = access.require(actor, "bank.escrow", target, case_id=case_id).name
    with _common.transaction(target, actor) as tx:
        tx.get("cases", case_id)
        eid = _common.next_id(tx, "escrow", "escrow_id", "ES-", 4)
        row = {"escrow_id": eid, "case_id": case_id, "amount_yuan": round(amount, 2), "holder": str(holder).strip(),
               "deposited_on": _common.iso_day(on), "ecosystem_type": ecosystem_type,
               "status": "awaiting_match", "allocation_id": None, "note": note}
        clean = validate_frame("escrow", pd.DataFrame([row]), "escrow").frame
        tx.insert("escrow", clean)
        _ledger._log(tx, "deposit", escrow_id=eid, case_id=case_id, amount=round(amount, 2), unit="yuan", note=holder)
        return tx.get("escrow", eid)


def match(target: Store | Transaction, escrow_id: str, project_id: str, *, amount: float | None = None,
          commit: bool = False, actor: str = "system", note: str | None = None) -> dict:
    """Match an awaiting deposit to a project: reserve (``commit``: commit) ``amount`` capacity
    units for the deposit's case — by default what the money buys at the project's unit cost,
    capped by what remains. Returns the allocation."""
    who = access.require(actor, "bank.escrow", target, project_id=project_id)
    with _common.transaction(target, who) as tx:
        esc = tx.get("escrow", escrow_id)
        access.require(who, "bank.escrow", tx, case_id=esc["case_id"])
        if esc["status"] != "awaiting_match":
            raise InputError(Issue(f"escrow {escrow_id} is {esc['status']}, not awaiting a match", field="escrow_id"))
        project = tx.get("bank_projects", project_id)
        if amount is None:
            buys = float(esc["amount_yuan"]) / float(project["unit_cost_yuan"]) if project["unit_cost_yuan"] else 0.0
            remaining = float(project["capacity"]) - _ledger.allocated(tx, project_id)
            amount = min(buys, remaining)
            if amount <= 0:
                raise InsufficientCapacityError(Message("bank.no_capacity_left", {"project": project_id}))
        alloc = _ledger.reserve(tx, project_id, esc["case_id"], amount, escrow_id=escrow_id,
                                state="committed" if commit else "reserved", actor=actor,
                                note=note or f"matched from escrow {escrow_id}")
        tx.update("escrow", escrow_id, {"status": "matched", "allocation_id": alloc["allocation_id"]},
                  expected_version=esc["version"])
        _ledger._log(tx, "match", allocation_id=alloc["allocation_id"], escrow_id=escrow_id, project=project,
                     case_id=esc["case_id"], amount=alloc["amount"], unit=alloc["unit"], note=note)
        return alloc


def refund(target: Store | Transaction, escrow_id: str, *, actor: str = "system", note: str | None = None) -> dict:
    """Return an unmatched deposit (e.g. the court changed the remedy to monetary compensation)."""
    who = access.require(actor, "bank.escrow", target)
    with _common.transaction(target, who) as tx:
        esc = tx.get("escrow", escrow_id)
        access.require(who, "bank.escrow", tx, case_id=esc["case_id"])
        if esc["status"] != "awaiting_match":
            raise InputError(Issue(f"escrow {escrow_id} is {esc['status']}; only a deposit awaiting a match "
                                   "can be refunded", field="escrow_id"))
        after = tx.update("escrow", escrow_id, {"status": "refunded"}, expected_version=esc["version"])
        _ledger._log(tx, "refund", escrow_id=escrow_id, case_id=esc["case_id"], amount=esc["amount_yuan"],
                     unit="yuan", note=note)
        return after


def escrow_table(store: Store, *, case_id: str | None = None, status: str | None = None) -> pd.DataFrame:
    return store.read("escrow", case_id=case_id or None, status=status or None)
