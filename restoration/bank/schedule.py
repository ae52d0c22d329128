"""Credit release schedules (分期释放): a bank project's capacity in tranches, each released by a
milestone of the project — so a project sells only what restoration has earned, not its whole
capacity on the day it is registered.

A tranche is a share of capacity and the milestone that releases it:

* ``secured`` — land and legal agreement in place (土地与法律保障落实);
* ``construction_accepted`` — construction accepted (竣工验收);
* ``target_met@N`` — the indicator targets of the project's monitoring met at year N after the
  project's start year, as judged by the platform's own effect evaluation
  (:mod:`restoration.bank.performance`), never typed by hand;
* ``named:NAME`` — any other milestone of the banking instrument.

Released capacity = capacity × the shares of the tranches whose milestone is recorded; a project
without a schedule has its whole capacity released (as before schedules existed). The ledger
reserves at most *released − allocated* in its locked transaction (``ledger.reserve``), so the
limit holds under concurrent reservations as the capacity limit does.

References
----------
33 CFR 332.8(o)(8), credit release schedule of compensatory mitigation banks (US).
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from .. import access, config, limits
from ..errors import InputError, Issue
from ..messages import Message, Term
from ..store import Store, Transaction
from . import _common

#: milestones released by a typed record; ``target_met@N`` only by the evaluation
TYPED = ("secured", "construction_accepted")
TARGET = "target_met"
NAMED = "named:"
SHARE_TOLERANCE = 1e-6
MAX_EVIDENCE = 2000


@dataclass(frozen=True)
class Tranche:
    """One tranche: ``share`` of capacity [-], released by ``milestone`` (``year``: for
    ``target_met@N``, N years after the project's start year)."""

    share: float
    milestone: str
    year: int | None = None


@dataclass(frozen=True)
class Release:
    """A project's release state [capacity units]: ``released`` of ``capacity``; ``next`` the
    first tranche not yet released (None when all are); ``scheduled`` False without tranches."""

    capacity: float
    released: float
    next: Tranche | None
    scheduled: bool


def milestone_code(text: str, field: str = "milestone") -> tuple[str, int | None]:
    """The canonical code of a milestone and its year (``target_met@N``), or InputError naming it."""
    raw = str(text).strip()
    if raw in TYPED:
        return raw, None
    if raw.startswith(NAMED) and raw[len(NAMED):].strip() and len(raw) <= 80:
        return NAMED + raw[len(NAMED):].strip(), None
    if raw == TARGET:
        return f"{TARGET}@0", 0
    if raw.startswith(TARGET + "@"):
        year = raw.split("@", 1)[1]
        if year.isdigit() and int(year) <= 200:
            return f"{TARGET}@{int(year)}", int(year)
    raise InputError(Issue(Message("bank.milestone_unknown", {"milestone": raw[:80]}), field=field))


def parse_tranche(text: str) -> Tranche:
    """``SHARE:MILESTONE`` (e.g. ``0.25:secured``, ``0.5:target_met@5``) as a :class:`Tranche`."""
    raw = str(text).strip()
    share_text, sep, milestone = raw.partition(":")
    if not sep or not milestone.strip():
        raise InputError(Issue(Message("bank.tranche_syntax", {"text": raw[:80]}), field="--tranche"))
    try:
        share = float(share_text)
    except ValueError:
        share = math.nan
    if not math.isfinite(share) or share <= 0 or share > 1:
        raise InputError(Issue(Message("bank.tranche_share", {"text": raw[:80]}), field="--tranche"))
    code, year = milestone_code(milestone, "--tranche")
    return Tranche(share, code, year)


def parse_schedule(value) -> list[Tranche]:
    """A schedule from tranche texts or one text of them separated by ``;`` (the import column),
    checked: shares sum to 1, no milestone twice. An empty value: no schedule."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    texts = [t for t in (value.split(";") if isinstance(value, str) else list(value)) if str(t).strip()]
    tranches = [parse_tranche(t) for t in texts]
    if not tranches:
        return []
    total = sum(t.share for t in tranches)
    if abs(total - 1.0) > SHARE_TOLERANCE:
        raise InputError(Issue(Message("bank.schedule_sum", {"total": round(total, 6)}), field="--tranche"))
    seen: set[str] = set()
    for t in tranches:
        if t.milestone in seen:
            raise InputError(Issue(Message("bank.tranche_duplicate", {"milestone": Term("bank_milestone", t.milestone)}),
                                   field="--tranche"))
        seen.add(t.milestone)
    return tranches


def schedule_text(tranches: list[Tranche]) -> str:
    """The schedule as ``SHARE:MILESTONE;…`` (the import column's form)."""
    return ";".join(f"{t.share:g}:{t.milestone}" for t in tranches)


def tranches_of(store: Store | Transaction, project_id: str) -> list[Tranche]:
    rows = store.read("bank_tranches", project_id=project_id)
    rows = rows.sort_values("seq")
    return [Tranche(float(r.share), str(r.milestone), None if pd.isna(r.year) else int(r.year))
            for r in rows.itertuples(index=False)]


def reached(store: Store | Transaction, project_id: str) -> dict[str, str]:
    """Milestone code -> date reached, of one project."""
    rows = store.read("bank_milestones", project_id=project_id)
    return {str(m): str(d) for m, d in zip(rows["milestone"], rows["reached_on"])}


def _release(capacity: float, tranches: list[Tranche], done) -> Release:
    if not tranches:
        return Release(capacity, capacity, None, False)
    share = sum(t.share for t in tranches if t.milestone in done)
    pending = [t for t in tranches if t.milestone not in done]
    released = capacity if not pending else round(capacity * min(share, 1.0), 6)
    return Release(capacity, released, pending[0] if pending else None, True)


def project_release(tx: Store | Transaction, project: dict) -> Release:
    """The release state of ``project`` (a ``bank_projects`` record) read in ``tx``."""
    pid = project["project_id"]
    return _release(float(project["capacity"]), tranches_of(tx, pid), reached(tx, pid))


def release_table(store: Store | Transaction, capacity: pd.Series, project_ids: pd.Series) -> pd.DataFrame:
    """Per project (aligned with ``project_ids``): ``released`` [capacity units], ``next_milestone``
    (code, None when all is released) and ``scheduled`` — from two reads, for the whole bank."""
    tranches = store.read("bank_tranches")
    done = store.read("bank_milestones", columns=["project_id", "milestone"])
    ids = project_ids.to_numpy()
    cap = capacity.to_numpy(dtype=float)
    out = pd.DataFrame({"released": cap.copy(), "next_milestone": None, "scheduled": False})
    if tranches.empty:
        return out
    keys = set(zip(done["project_id"], done["milestone"]))
    tranches = tranches.sort_values(["project_id", "seq"])
    tranches["reached"] = [(p, m) in keys for p, m in zip(tranches["project_id"], tranches["milestone"])]
    share = tranches[tranches["reached"]].groupby("project_id")["share"].sum()
    pending = tranches[~tranches["reached"]].groupby("project_id")["milestone"].first()
    scheduled = np.isin(ids, tranches["project_id"].unique())
    got = pd.Series(ids).map(share).fillna(0.0).to_numpy(dtype=float)
    nxt = pd.Series(ids).map(pending)
    out["scheduled"] = scheduled
    out["next_milestone"] = pd.Series([v if isinstance(v, str) else None for v in nxt], dtype=object)
    all_done = scheduled & nxt.isna().to_numpy()
    out["released"] = np.where(scheduled & ~all_done, np.round(cap * np.minimum(got, 1.0), 6), cap)
    return out


def registered_on(tx: Store | Transaction, project_id: str) -> str | None:
    """The date the project entered the registry (its first status-history date)."""
    hist = tx.read("bank_status_history", project_id=project_id)
    days = [str(d) for d in hist["changed_on"].dropna()]
    return min(days) if days else None


def set_schedule(target: Store | Transaction, project_id: str, tranches, *, actor: str = "system") -> list[Tranche]:
    """Give ``project_id`` the release schedule ``tranches`` (texts or :class:`Tranche`), replacing
    its old one. Refused (InputError, nothing written) when shares do not sum to 1, a milestone is
    unknown or twice, or the new schedule would release less than is already allocated."""
    items = [t if isinstance(t, Tranche) else parse_tranche(t) for t in tranches]
    items = parse_schedule([f"{t.share!r}:{t.milestone}" for t in items])
    who = access.require(actor, "bank.registry", target, project_id=project_id)
    with _common.transaction(target, who) as tx:
        project = tx.lock("bank_projects", project_id)  # the ledger's reservations wait for this
        used = _common.allocated(tx, project_id)
        after = _release(float(project["capacity"]), items, reached(tx, project_id))
        if used > after.released + 1e-9:
            raise InputError(Issue(Message("bank.schedule_below_allocated", {
                "project": project_id, "allocated": used, "released": after.released,
                "unit": Term("unit", project["capacity_unit"])}), field="--tranche", source=project_id))
        tx.delete_matching("bank_tranches", pd.DataFrame({"project_id": [project_id]}), action="schedule replaced")
        if items:
            tx.insert("bank_tranches", pd.DataFrame([{
                "project_id": project_id, "seq": i + 1, "share": t.share, "milestone": t.milestone, "year": t.year,
                "set_on": config.today().isoformat(), "actor": tx.actor} for i, t in enumerate(items)]),
                action="release schedule")
    return items


def _document_note(path) -> str | None:
    """A document's name and SHA-256 (the file itself stays with the caller), bounded."""
    if path is None:
        return None
    data = limits.read_bounded(path, limits.DOCUMENT_FILE, source="--document")
    return f"{Path(path).name} (sha256:{hashlib.sha256(data).hexdigest()[:16]})"


def _check_day(tx: Transaction, project_id: str, day: str) -> None:
    if day > config.today().isoformat():
        raise InputError(Issue(Message("bank.milestone_future", {"date": day}), field="DATE"))
    start = registered_on(tx, project_id)
    if start and day < start:
        raise InputError(Issue(Message("bank.milestone_before_project", {
            "date": day, "project": project_id, "start": start}), field="DATE"))


def write_milestone(tx: Transaction, project: dict, code: str, day: str, evidence: str, *,
                    document: str | None = None, public: bool = False, evaluation=None) -> dict:
    """Record milestone ``code`` of ``project`` reached on ``day`` in ``tx`` (checks: scheduled,
    not yet recorded, dated between the project's registration and today)."""
    pid = project["project_id"]
    tranches = tranches_of(tx, pid)
    if code not in {t.milestone for t in tranches}:
        raise InputError(Issue(Message("bank.milestone_not_scheduled", {
            "project": pid, "milestone": Term("bank_milestone", code),
            "schedule": schedule_text(tranches) or "-"}), field="MILESTONE"))
    done = reached(tx, pid)
    if code in done:
        raise InputError(Issue(Message("bank.milestone_reached", {
            "project": pid, "milestone": Term("bank_milestone", code), "date": done[code]}), field="MILESTONE"))
    _check_day(tx, pid, day)
    row = {"project_id": pid, "milestone": code, "reached_on": day, "evidence": evidence, "document": document,
           "public": bool(public), "evaluation": evaluation, "actor": tx.actor}
    tx.insert("bank_milestones", pd.DataFrame([row]),
              action="milestone" if evaluation is None else f"milestone {code} released by the evaluation")
    return row


def record_milestone(target: Store | Transaction, project_id: str, milestone: str, on: date | str, *,
                     evidence: str, document=None, public: bool = False, actor: str = "system") -> dict:
    """Record that ``project_id`` reached ``milestone`` on ``on`` with ``evidence`` (and a
    ``document`` file, kept as name and checksum): its tranche is released. A ``target_met``
    milestone is refused here — the evaluation releases it (:mod:`.performance`)."""
    code, _ = milestone_code(milestone, "MILESTONE")
    if code.startswith(TARGET):
        raise InputError(Issue(Message("bank.target_by_hand", {"project": project_id}), field="MILESTONE"))
    text = str(evidence or "").strip()
    if not text:
        raise InputError(Issue(Message("bank.evidence_required", {}), field="--evidence"))
    if len(text) > MAX_EVIDENCE:
        raise InputError(Issue(Message("bank.text_too_long", {"field": "--evidence", "max": MAX_EVIDENCE}),
                               field="--evidence"))
    day = _common.iso_day(on)
    note = _document_note(document)
    who = access.require(actor, "bank.registry", target, project_id=project_id)
    with _common.transaction(target, who) as tx:
        project = tx.lock("bank_projects", project_id)
        return write_milestone(tx, project, code, day, text, document=note, public=public)


def tranche_table(store: Store | Transaction, project_id: str) -> pd.DataFrame:
    """One project's tranches with ``state`` (released / pending), ``reached_on`` and the
    amount each releases [capacity units]."""
    project = store.get("bank_projects", project_id)
    tranches = tranches_of(store, project_id)
    done = reached(store, project_id)
    cap = float(project["capacity"])
    return pd.DataFrame([{"seq": i + 1, "share": t.share, "milestone": t.milestone, "amount": round(cap * t.share, 6),
                          "state": "released" if t.milestone in done else "pending",
                          "reached_on": done.get(t.milestone)} for i, t in enumerate(tranches)],
                        columns=["seq", "share", "milestone", "amount", "state", "reached_on"])
