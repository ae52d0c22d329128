"""The credit ledger: reserve → commit → release allocations of bank capacity to cases.

Invariant: for every project, the sum of its ``reserved`` and ``committed`` allocations never
exceeds its capacity. Each operation reads the allocated total and writes the allocation inside
one ``BEGIN IMMEDIATE`` transaction, so SQLite serialises concurrent writers: of two processes
reserving the last hectares at the same moment one succeeds and the other gets
:class:`~restoration.errors.InsufficientCapacityError` (CLI exit code 3). Every operation also
appends a row to ``bank_ledger`` (the history) and to the audit log.

Amounts are in the project's capacity unit; an area amount in another area unit (mu, m2, km2) is
converted. Allocations not tied to a case in this store (e.g. a neighbouring region's case) carry
``external_ref`` instead of ``case_id``.
"""
from __future__ import annotations

import logging
import math

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import config
from ..errors import InputError, InsufficientCapacityError, Issue, NotFoundError
from ..messages import Message, Term
from ..store import Store, Transaction
from .. import access
from . import _common, eligibility, schedule, units

log = logging.getLogger(__name__)

#: statuses in which capacity may be reserved (a proposed project's capacity is not approved yet)
RESERVABLE = ("approved", "under_construction", "operational")
OPEN_STATES = _common.OPEN_STATES
DECIMALS = 6  # amounts are stored rounded to 1e-6 of the unit, so sums stay exact to that


def _now() -> str:
    return config.now_utc()


def _tolerance(capacity: float) -> float:
    return 10 ** -DECIMALS * max(1.0, abs(capacity)) * 1e-3


allocated = _common.allocated


def _log(tx: Transaction, action: str, *, allocation_id=None, escrow_id=None, project=None, case_id=None,
         amount=None, unit=None, note=None) -> None:
    after = allocated(tx, project["project_id"]) if project is not None else None
    tx.insert("bank_ledger", pd.DataFrame([{
        "at": _now(), "action": action, "allocation_id": allocation_id, "escrow_id": escrow_id,
        "project_id": None if project is None else project["project_id"], "case_id": case_id,
        "amount": amount, "unit": unit, "allocated_after": after,
        "capacity": None if project is None else float(project["capacity"]), "actor": tx.actor, "note": note}]))


def _amount(amount: float, unit: str | None, project: dict) -> float:
    target = project["capacity_unit"]
    value = _common.positive_amount(amount, "amount")
    if unit and unit != target:
        try:
            value = units.convert(value, unit, target)
        except ValueError:
            raise InputError(Issue(Message("bank.unit_mismatch", {
                "project": project["project_id"], "unit": Term("unit", target), "asked_unit": Term("unit", unit)}),
                field="unit")) from None
    rounded = round(value, DECIMALS)
    if rounded <= 0:
        raise InputError(Issue(Message("bank.below_precision", {
            "amount": repr(amount), "asked_unit": Term("unit", unit or target), "precision": 10 ** -DECIMALS,
            "unit": Term("unit", target)}), field="amount"))
    return rounded


def reserve(target: Store | Transaction, project_id: str, case_id: str | None, amount: float, *,
            unit: str | None = None, external_ref: str | None = None, note: str | None = None,
            escrow_id: str | None = None, state: str = "reserved", actor: str = "system",
            on: str | None = None, request_id: str | None = None) -> dict:
    """Reserve ``amount`` (capacity units, or ``unit``) of a project for a case; returns the
    allocation. Raises InsufficientCapacityError when less than that remains, and InputError
    when the case has ended or the project is not eligible for it
    (:func:`~restoration.bank.eligibility.check_allocation`, inside the write transaction).

    The capacity is for one case: ``case_id`` (a case of this store, checked) or ``external_ref``
    (a case outside this store, e.g. a neighbouring region's, which cannot be checked here) —
    never both."""
    if not case_id and not external_ref:
        raise InputError(Issue(Message("bank.who", {}), field="case_id"))
    if case_id and external_ref:
        raise InputError(Issue(Message("bank.case_or_external", {"case": case_id, "external": external_ref})))
    actor = access.require(actor, "bank.allocate", target, project_id=project_id, case_id=case_id or None).name
    with _common.transaction(target, actor) as tx:
        def write():
            project = tx.get("bank_projects", project_id)
            if case_id:
                tx.get("cases", case_id)
            if project["status"] not in RESERVABLE:
                raise InputError(Issue(Message("bank.not_reservable", {
                    "project": project_id, "status": Term("project_status", str(project["status"])),
                    "allowed": [Term("project_status", s) for s in RESERVABLE]}), field="status", source=project_id))
            qty = _amount(amount, unit, project)
            if case_id:
                eligibility.check_allocation(tx, project, case_id)
            capacity = float(project["capacity"])
            rel = schedule.project_release(tx, project)  # read after the project row is locked
            used = allocated(tx, project_id)
            remaining = rel.released - used
            if qty > remaining + _tolerance(capacity):
                u = project["capacity_unit"]
                if rel.next is not None:  # capacity exists but is not released yet
                    raise InsufficientCapacityError(Message("bank.insufficient_released", {
                        "project": project_id, "released": rel.released, "capacity": capacity, "allocated": used,
                        "remaining": max(remaining, 0), "unit": Term("unit", u), "asked": qty,
                        "next": Term("bank_milestone", rel.next.milestone), "share": rel.next.share}))
                raise InsufficientCapacityError(Message("bank.insufficient", {
                    "project": project_id, "remaining": max(remaining, 0), "unit": Term("unit", u),
                    "capacity": capacity, "allocated": used, "asked": qty}))
            aid = _common.next_id(tx, "bank_allocations", "allocation_id", "AL-", 6)
            row = {"allocation_id": aid, "project_id": project_id, "case_id": case_id, "external_ref": external_ref,
                   "amount": qty, "unit": project["capacity_unit"], "state": state,
                   "cost_yuan": round(qty * float(project["unit_cost_yuan"]), 2), "escrow_id": escrow_id,
                   "created_on": _common.iso_day(on), "note": note}
            tx.insert("bank_allocations", pd.DataFrame([row]))
            log.info("%s %s: %s %s of project %s for %s (allocated before %s of %s)", tx.actor, state, qty,
                     project["capacity_unit"], project_id, case_id or external_ref, used, project["capacity"])
            _log(tx, "reserve" if state == "reserved" else "commit", allocation_id=aid, escrow_id=escrow_id,
                 project=project, case_id=case_id, amount=qty, unit=project["capacity_unit"], note=note)
            return tx.get("bank_allocations", aid)
        return tx.once(request_id, "bank.reserve", write)


def _select(tx: Transaction, allocation_id: str | None, project_id: str | None, case_id: str | None,
            states: tuple[str, ...]) -> list[dict]:
    if allocation_id:
        a = tx.get("bank_allocations", allocation_id)
        if a["state"] not in states:
            raise InputError(Issue(Message("bank.allocation_state", {
                "allocation": allocation_id, "state": Term("allocation_state", str(a["state"])),
                "needed": [Term("allocation_state", s) for s in states]}), field="allocation_id"))
        return [a]
    if not project_id or not case_id:
        raise InputError(Issue("name an allocation, or a project and a case", field="allocation_id"))
    rows = tx.read("bank_allocations", project_id=project_id, case_id=case_id, state=tuple(states))
    if rows.empty:
        raise NotFoundError(f"no {' or '.join(states)} allocation of project {project_id} for case {case_id}")
    return [dict(r) for _, r in rows.iterrows()]


def commit(target: Store | Transaction, allocation_id: str | None = None, *, project_id: str | None = None,
           case_id: str | None = None, actor: str = "system", note: str | None = None) -> list[dict]:
    """Commit reserved allocations (one by id, or all of a project for a case): the capacity is
    sold and stays allocated. Refused (nothing committed) when the case has ended or the project
    is not eligible for it, as :func:`reserve`."""
    who = access.require(actor, "bank.allocate", target)
    with _common.transaction(target, who) as tx:
        out = []
        for a in _select(tx, allocation_id, project_id, case_id, ("reserved",)):
            access.require(who, "bank.allocate", tx, project_id=a["project_id"])
            project = tx.get("bank_projects", a["project_id"])
            if isinstance(a["case_id"], str) and a["case_id"]:  # the case may have ended, or its damaged site changed, since the reservation
                eligibility.check_allocation(tx, project, a["case_id"])
            after = tx.update("bank_allocations", a["allocation_id"], {"state": "committed"},
                              expected_version=a["version"])
            _log(tx, "commit", allocation_id=a["allocation_id"], escrow_id=a.get("escrow_id"), project=project,
                 case_id=a["case_id"], amount=a["amount"], unit=a["unit"], note=note)
            out.append(after)
        return out


def release(target: Store | Transaction, allocation_id: str | None = None, *, project_id: str | None = None,
            case_id: str | None = None, amount: float | None = None, force: bool = False,
            actor: str = "system", note: str | None = None, request_id: str | None = None) -> list[dict]:
    """Release reserved capacity back to the project (all of it, or ``amount`` from the newest
    reservations first). Committed allocations are final unless ``force`` (e.g. a court annulled
    the agreement); the history keeps every step."""
    states = ("reserved", "committed") if force else ("reserved",)
    who = access.require(actor, "bank.allocate", target)
    with _common.transaction(target, who) as tx:
        def write():
            rows = _select(tx, allocation_id, project_id, case_id, states)
            for a in rows:
                access.require(who, "bank.allocate", tx, project_id=a["project_id"])
            rows.sort(key=lambda a: a["allocation_id"], reverse=True)
            left = None
            if amount is not None:
                left = _amount(amount, None, tx.get("bank_projects", rows[0]["project_id"]))
                total = round(sum(float(a["amount"]) for a in rows), DECIMALS)
                if left > total + _tolerance(total):
                    raise InputError(Issue(Message("bank.release_too_much", {
                        "amount": left, "total": total, "unit": Term("unit", rows[0]["unit"]),
                        "states": [Term("allocation_state", s) for s in states]}), field="amount"))
            out = []
            for a in rows:
                if left is not None and left <= 0:
                    break
                qty = float(a["amount"]) if left is None else min(left, float(a["amount"]))
                project = tx.get("bank_projects", a["project_id"])
                if qty >= float(a["amount"]) - _tolerance(float(a["amount"])):
                    after = tx.update("bank_allocations", a["allocation_id"], {"state": "released"},
                                      expected_version=a["version"])
                else:
                    # partial: the allocation keeps the rest, the released part is a released record
                    after = tx.update("bank_allocations", a["allocation_id"],
                                      {"amount": round(float(a["amount"]) - qty, DECIMALS),
                                       "cost_yuan": round((float(a["amount"]) - qty) * float(project["unit_cost_yuan"]), 2)},
                                      expected_version=a["version"])
                    rid = _common.next_id(tx, "bank_allocations", "allocation_id", "AL-", 6)
                    tx.insert("bank_allocations", pd.DataFrame([{
                        "allocation_id": rid, "project_id": a["project_id"], "case_id": a["case_id"],
                        "external_ref": a.get("external_ref"), "amount": round(qty, DECIMALS), "unit": a["unit"],
                        "state": "released", "cost_yuan": 0.0, "escrow_id": a.get("escrow_id"),
                        "created_on": a.get("created_on"), "note": f"released part of {a['allocation_id']}"}]))
                _log(tx, "release", allocation_id=a["allocation_id"], escrow_id=a.get("escrow_id"), project=project,
                     case_id=a["case_id"], amount=round(qty, DECIMALS), unit=a["unit"], note=note)
                out.append(after)
                if left is not None:
                    left = round(left - qty, DECIMALS)
            return out
        return tx.once(request_id, "bank.release", write)


# -- reading ------------------------------------------------------------------------------
def balances(store: Store | Transaction) -> pd.DataFrame:
    """Per project: reserved, committed, allocated (capacity units) — of the projects the store
    (or a user's scoped view of it) shows: a county's case allocated on another county's project
    does not make that project's balance the county's to see."""
    sums = store.totals("bank_allocations", "amount", ["project_id", "state"], state=OPEN_STATES)
    sums = sums[sums["project_id"].isin(store.keys("bank_projects"))]
    partial = getattr(store, "partly_visible", lambda layer: set())("bank_projects")
    frame = (sums.pivot_table(index="project_id", columns="state", values="amount", aggfunc="sum")
             .reindex(columns=list(OPEN_STATES)).fillna(0.0).astype(float)
             .rename(columns={"reserved": "reserved", "committed": "committed"}))
    frame.columns.name = None
    frame = frame.reset_index()
    frame["allocated"] = frame["reserved"] + frame["committed"]
    if partial:  # another region's project read with one of this region's cases: no balance
        frame.loc[frame["project_id"].isin(partial), ["reserved", "committed", "allocated"]] = np.nan
    return frame


def bank_table(store: Store | Transaction) -> gpd.GeoDataFrame:
    """Every bank project with ``reserved``, ``committed``, ``allocated``, ``remaining`` (capacity
    units), ``released`` (by its release schedule; all of the capacity without one),
    ``remaining_released`` (what can be reserved now), ``next_milestone`` and ``utilisation``
    (allocated / capacity); NaN for a project a user reads only because
    one of their region's cases holds capacity in it (its balance is another region's)."""
    bank = store.read("bank_projects")
    bal = balances(store).set_index("project_id")
    partial = bank["project_id"].isin(getattr(store, "partly_visible", lambda layer: set())("bank_projects"))
    for col in ("reserved", "committed", "allocated"):
        bank[col] = bank["project_id"].map(bal[col]).fillna(0.0).to_numpy(dtype=float)
        bank.loc[partial, col] = np.nan
    bank["remaining"] = np.maximum(bank["capacity"].to_numpy(dtype=float) - bank["allocated"].to_numpy(), 0.0)
    cap = bank["capacity"].to_numpy(dtype=float)
    rel = schedule.release_table(store, bank["capacity"], bank["project_id"])
    bank["released"] = rel["released"].to_numpy()
    bank["next_milestone"] = rel["next_milestone"].to_numpy()
    bank["remaining_released"] = np.maximum(bank["released"].to_numpy() - bank["allocated"].to_numpy(), 0.0)
    bank["utilisation"] = np.divide(bank["allocated"].to_numpy(), cap, out=np.zeros(len(bank)), where=cap > 0)
    return bank


def project_balance(store: Store, project_id: str) -> dict:
    """One project's record with capacity, capacity_unit, reserved, committed, allocated, remaining,
    released, remaining_released and next_milestone (see :func:`bank_table`)."""
    project = store.get("bank_projects", project_id)
    project.pop("geometry", None)
    reserved = store.total("bank_allocations", "amount", project_id=project_id, state="reserved")
    committed = store.total("bank_allocations", "amount", project_id=project_id, state="committed")
    cap = float(project["capacity"])
    if project_id in getattr(store, "partly_visible", lambda layer: set())("bank_projects"):
        reserved = committed = math.nan  # another region's project, read with this region's case
    rel = schedule.project_release(store, project)
    project.update(reserved=reserved, committed=committed, allocated=reserved + committed,
                   remaining=max(cap - reserved - committed, 0.0) if not math.isnan(reserved) else math.nan,
                   released=rel.released, next_milestone=rel.next.milestone if rel.next else None,
                   remaining_released=(max(rel.released - reserved - committed, 0.0) if not math.isnan(reserved)
                                       else math.nan))
    return project


def allocations(store: Store, *, project_id: str | None = None, case_id: str | None = None,
                states: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Allocation records (current state), filtered."""
    return store.read("bank_allocations", project_id=project_id or None, case_id=case_id or None,
                      state=tuple(states) if states else None)


def ledger_table(store: Store, *, project_id: str | None = None, case_id: str | None = None) -> pd.DataFrame:
    """The ledger history (oldest first), plus one row per escrow deposit still awaiting a match
    (``action`` ``awaiting_match``), so money waiting for a project is seen with the capacity."""
    hist = store.read("bank_ledger", project_id=project_id or None, case_id=case_id or None)
    if project_id:
        return hist
    esc = store.read("escrow", status="awaiting_match", case_id=case_id or None)
    if esc.empty:
        return hist
    pending = pd.DataFrame({
        "at": esc["deposited_on"], "action": "awaiting_match", "allocation_id": None,
        "escrow_id": esc["escrow_id"], "project_id": None, "case_id": esc["case_id"],
        "amount": esc["amount_yuan"], "unit": "yuan", "allocated_after": np.nan, "capacity": np.nan,
        "actor": None, "note": esc["holder"]})
    return pd.concat([hist, pending], ignore_index=True)
