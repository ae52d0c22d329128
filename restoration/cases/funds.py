"""The funds ledger of a case (赔偿资金台账): due, instalments, received, disbursed.

Entries are rows of the ``funds_ledger`` layer: ``due`` (the compensation owed in money),
``instalment_due`` (its schedule, 分期赔付), ``received`` and ``disbursed`` (paid out to
restoration). Money is summed in integer fen so totals are exact. Receipts pay the instalments
in due-date order. A disbursement can never exceed what was received: the check and the write
run in one store transaction, so two clerks paying out at once cannot overdraw the case.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Mapping

import pandas as pd

from equivalence.offsets import fen_to_yuan, to_fen

from .. import access
from ..errors import InputError, Issue
from ..importer import prepare
from ..model import LedgerEntry
from ..store import Store
from ..vocab import label
from .. import config


def _fen(x: Any) -> int:
    return to_fen(float(x), exact=False)


def _d(x: Any) -> date | None:
    if x is None or (isinstance(x, float) and pd.isna(x)) or x == "":
        return None
    return x if isinstance(x, date) else date.fromisoformat(str(x)[:10])


@dataclass(frozen=True)
class LedgerSummary:
    due_yuan: float
    scheduled_yuan: float
    received_yuan: float
    disbursed_yuan: float
    balance_yuan: float  # received - disbursed: money held for the case
    outstanding_yuan: float  # due - received (>= 0)
    arrears_yuan: float  # scheduled amounts past their due date and not paid
    instalment_rows: tuple[dict, ...]

    @property
    def instalments(self) -> pd.DataFrame:
        """One row per scheduled payment: number, due date, amount, paid, unpaid, paid on, status."""
        return pd.DataFrame(list(self.instalment_rows), columns=_COLUMNS)

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in ("due_yuan", "scheduled_yuan", "received_yuan", "disbursed_yuan",
                                           "balance_yuan", "outstanding_yuan", "arrears_yuan")}
        d["instalments"] = [{k: (v.isoformat() if isinstance(v, date) else v) for k, v in r.items()}
                            for r in self.instalment_rows]
        return d


_COLUMNS = ["instalment_no", "due_date", "amount_yuan", "paid_yuan", "unpaid_yuan", "paid_on", "status",
            "status_zh"]




def status_label(status: str, lang: str = "zh") -> str:
    """An instalment status's label (the vocabulary ``instalment_status``)."""
    return label("instalment_status", status, lang)


def summarise(entries: pd.DataFrame | list[dict], today: date | None = None) -> LedgerSummary:
    """Totals, balance, arrears and the status of each instalment, from ledger rows (a frame or
    a list of dicts).

    The schedule is the ``instalment_due`` rows; without them, the ``due`` rows (one payment each,
    due on their ``due_date``). Receipts, in date order, pay the schedule in due-date order.
    """
    today = today or config.today()
    rows_in = entries.to_dict("records") if isinstance(entries, pd.DataFrame) else list(entries or [])

    def of(kind: str) -> list[dict]:
        return [r for r in rows_in if r["entry_type"] == kind]

    def total(kind: str) -> int:
        return sum(_fen(r["amount_yuan"]) for r in of(kind))

    due, received, disbursed = total("due"), total("received"), total("disbursed")
    sched = of("instalment_due") or of("due")
    rows = []
    for n, r in enumerate(sched, 1):
        no = r.get("instalment_no")
        rows.append({"instalment_no": int(no) if no is not None and no == no else n,
                     "due_date": _d(r.get("due_date")), "amount_fen": _fen(r["amount_yuan"]),
                     "paid_fen": 0, "paid_on": None})
    rows.sort(key=lambda x: (x["due_date"] or date.max, x["instalment_no"]))
    receipts = sorted(((_d(r["entry_date"]), _fen(r["amount_yuan"])) for r in of("received")),
                      key=lambda p: p[0])
    i = 0
    for when, amount in receipts:
        while amount > 0 and i < len(rows):
            take = min(amount, rows[i]["amount_fen"] - rows[i]["paid_fen"])
            rows[i]["paid_fen"] += take
            amount -= take
            if rows[i]["paid_fen"] == rows[i]["amount_fen"]:
                rows[i]["paid_on"] = when
                i += 1
    arrears = 0
    for r in rows:
        unpaid = r["amount_fen"] - r["paid_fen"]
        if r["due_date"] is None:
            r["status"] = "paid" if unpaid == 0 else "no_date"
        elif unpaid == 0:
            r["status"] = "paid" if r["paid_on"] <= r["due_date"] else "paid_late"
        elif today > r["due_date"]:
            r["status"] = "overdue"
            arrears += unpaid
        else:
            r["status"] = "partly_paid" if r["paid_fen"] else "upcoming"
    table = tuple({
        "instalment_no": r["instalment_no"], "due_date": r["due_date"],
        "amount_yuan": fen_to_yuan(r["amount_fen"]), "paid_yuan": fen_to_yuan(r["paid_fen"]),
        "unpaid_yuan": fen_to_yuan(r["amount_fen"] - r["paid_fen"]), "paid_on": r["paid_on"],
        "status": r["status"], "status_zh": status_label(r["status"]),
    } for r in rows)
    scheduled = sum(r["amount_fen"] for r in rows)
    owed = due or scheduled
    return LedgerSummary(fen_to_yuan(due), fen_to_yuan(scheduled), fen_to_yuan(received),
                         fen_to_yuan(disbursed), fen_to_yuan(received - disbursed),
                         fen_to_yuan(max(0, owed - received)), fen_to_yuan(arrears), table)


def entries(store_or_tx, case_id: str) -> pd.DataFrame:
    return store_or_tx.read("funds_ledger", case_id=case_id)


def ledger(store: Store, case_id: str, today: date | None = None) -> dict:
    """The case's ledger rows and summary: ``{"entries": DataFrame, "summary": LedgerSummary}``."""
    store.get("cases", case_id)  # NotFoundError for an unknown case
    rows = entries(store, case_id)
    return {"entries": rows, "summary": summarise(rows, today)}


def add_entry(store: Store, case_id: str, entry: Mapping[str, Any], actor: str, *,
              expected_version: int | None = None, today: date | None = None) -> dict:
    """Record one ledger entry; the case's version goes up and the change is audited.

    ``entry``: ``entry_type`` (due / instalment_due / received / disbursed), ``amount_yuan``,
    ``entry_date`` (not in the future), optional ``due_date``, ``instalment_no``, ``counterparty``,
    ``purpose``, ``reference``, ``note``. A disbursement above the balance (received − disbursed)
    is refused with InputError; nothing is written.
    """
    today = today or config.today()
    actor = access.require(actor, "case.funds", store, case_id=case_id).name
    with store.transaction(actor) as tx:
        return add_entries(tx, case_id, [entry], expected_version=expected_version, today=today)[0]


def add_entries(tx, case_id: str, rows: list[Mapping[str, Any]], *, expected_version: int | None,
                today: date, touch_case: bool = True) -> list[dict]:
    """Add ledger rows inside an open transaction (used by :func:`add_entry` and by modes);
    ``touch_case=False`` leaves the case's version to the caller."""
    case = tx.get("cases", case_id)
    if expected_version is not None and int(case["version"]) != int(expected_version):
        tx.update("cases", case_id, {}, expected_version=expected_version)  # raises ConflictError
    frame = pd.DataFrame([{**dict(r), "case_id": case_id} for r in rows])
    frame.attrs.update(source=f"funds_ledger {case_id}", row_start=1, row_label="entry")
    clean, _ = prepare(tx, "funds_ledger", frame)
    issues = []
    current = entries(tx, case_id)
    balance = _fen(current.loc[current.entry_type == "received", "amount_yuan"].sum()) - \
        _fen(current.loc[current.entry_type == "disbursed", "amount_yuan"].sum())
    for n, r in enumerate(clean.to_dict("records"), 1):
        when = _d(r["entry_date"])
        if when > today:
            issues.append(Issue(f"entry date {when} is in the future (today is {today})", source="funds_ledger",
                                row=n, field="entry_date"))
        if case.get("incident_date") and when < _d(case["incident_date"]):
            issues.append(Issue(f"entry date {when} is before the incident ({case['incident_date']})",
                                source="funds_ledger", row=n, field="entry_date"))
        if r["entry_type"] == LedgerEntry.INSTALMENT_DUE.value and not r.get("due_date"):
            issues.append(Issue("an instalment needs its due_date", source="funds_ledger", row=n, field="due_date"))
        amount = _fen(r["amount_yuan"])
        if r["entry_type"] == LedgerEntry.RECEIVED.value:
            balance += amount
        elif r["entry_type"] == LedgerEntry.DISBURSED.value:
            if amount > balance:
                issues.append(Issue(
                    f"拨付 {fen_to_yuan(amount):,.2f} 元超过可用余额 {fen_to_yuan(balance):,.2f} 元 "
                    f"disbursement of {fen_to_yuan(amount):,.2f} yuan exceeds the balance received and not "
                    f"yet disbursed ({fen_to_yuan(balance):,.2f} yuan)", source="funds_ledger", row=n,
                    field="amount_yuan"))
            balance -= amount
    if issues:
        raise InputError(issues)
    tx.insert("funds_ledger", clean, action=f"ledger {case_id}")
    if touch_case:
        tx.update("cases", case_id, {}, expected_version=expected_version)
    return clean.to_dict("records")
