"""Appraisal results stored with the case (鉴定评估结果): method, inputs, result, software version,
date and appraiser; the case's ``damage_amount_yuan`` is set from it in the same transaction, and
the case remembers which appraisal it came from (``damage_amount_source = appraisal``,
``damage_appraisal_id``). An amount edited by hand is marked ``manual``."""
from __future__ import annotations

import datetime as _dt
import json
from typing import Any, Mapping

import pandas as pd

from .. import access, config
from ..errors import InputError, Issue
from ..messages import Message
from ..model import DATE_MIN, OPEN_STAGES, AppraisalMethod, Stage
from ..store import Store
from .common import MAX_AMOUNT_YUAN, software_version


def record_appraisal(store: Store, case_id: str, result: Any, *, appraiser: str, actor: "access.Actor | str",
                     appraised_on: _dt.date | str | None = None, note: str | None = None,
                     expected_version: int | None = None, set_amount: bool = True, request_id: str | None = None) -> dict:
    """Store ``result`` (an :class:`AbatementResult`, a :class:`RestorationCostResult` or an
    equivalence result with a value) for ``case_id`` and set the case's damage amount from it.

    Returns the stored appraisal row. Raises :class:`InputError` (nothing written) when the result
    has no amount, and :class:`~restoration.errors.ConflictError` when ``expected_version`` is stale.
    """
    d = result.to_dict()
    method = d.get("method")
    amount = d.get("amount_yuan")
    if method not in AppraisalMethod._value2member_map_:
        if d.get("debit_value") is not None:
            method, amount = "equivalence", d["debit_value"]
        else:
            raise InputError(Issue(Message("appraisal.no_amount"), field="method"))
    if amount is None or not (0 <= float(amount) <= MAX_AMOUNT_YUAN):
        raise InputError(Issue(f"amount {amount!r} is not a usable damage amount", field="amount_yuan"))
    if not appraiser or not str(appraiser).strip():
        raise InputError(Issue(Message("appraisal.appraiser_required"), field="appraiser"))
    from ..validate import check_text  # no control characters (NUL), bounded length
    check_text(appraiser, "appraiser")
    check_text(note, "note", free_text=True)
    day = _appraisal_day(appraised_on)
    # an appraisal result (``case.appraisal``: appraisers on the cases assigned to them; supervisors
    # record every event of a case, results included)
    who = access.as_actor(actor)
    access.require(who, "case.event" if who.can("case.event") else "case.appraisal", store, case_id=case_id)
    with store.transaction(who.name) as tx:
        def write():
            if set_amount:
                _refuse_final_case(tx.get("cases", case_id), case_id)
            if expected_version is not None:
                tx.update("cases", case_id, {}, expected_version=expected_version)
            existing = tx.read("appraisals", case_id=case_id)
            appraisal_id = f"{case_id}-A{len(existing) + 1:02d}"
            while appraisal_id in set(existing["appraisal_id"]):
                appraisal_id += "b"
            row = {"appraisal_id": appraisal_id, "case_id": case_id, "method": method,
                   "standard": d.get("standard"), "amount_yuan": float(amount),
                   "inputs": json.loads(json.dumps(d.get("inputs"), default=str)),
                   "result": json.loads(json.dumps({k: v for k, v in d.items() if k != "inputs"}, default=str)),
                   "software_version": d.get("version") or software_version(), "appraised_on": day.isoformat(),
                   "appraiser": str(appraiser).strip(), "all_verified": bool(d.get("all_verified", True)),
                   "note": note}
            tx.insert("appraisals", pd.DataFrame([row]), action=f"appraisal {method}")
            if set_amount:
                tx.update("cases", case_id, {"damage_amount_yuan": float(amount), "damage_amount_source": "appraisal",
                                             "damage_appraisal_id": appraisal_id},
                          expected_version=None if expected_version is None else expected_version + 1,
                          action="damage amount from appraisal")
            return row
        return tx.once(request_id, "case.appraisal", write)


def _appraisal_day(value: _dt.date | str | None) -> _dt.date:
    """The appraisal's date: given (a date or YYYY-MM-DD), else today; not after today
    (``config.today()``) and not before the platform's first accepted date."""
    today = config.today()
    day = value or today
    if isinstance(day, str):
        try:
            day = _dt.date.fromisoformat(day)
        except ValueError:
            raise InputError(Issue(f"not a date: {day!r} (use YYYY-MM-DD)", field="appraised_on")) from None
    if day > today:
        raise InputError(Issue(f"{day.isoformat()} is after today ({today.isoformat()}): an appraisal cannot be dated "
                               "in the future", field="appraised_on"))
    if day < _dt.date.fromisoformat(DATE_MIN):
        raise InputError(Issue(f"{day.isoformat()} lies before {DATE_MIN}: is it a typing error?", field="appraised_on"))
    return day


def _refuse_final_case(case: Mapping, case_id: str) -> None:
    """A closed (or terminated, not started) case's damage amount is final: an appraisal may not
    change it."""
    stage = case.get("stage")
    if stage not in OPEN_STAGES:
        label = f"{Stage(stage).zh} {Stage(stage).en}" if stage in Stage._value2member_map_ else str(stage)
        raise InputError(Issue(f"case {case_id} is {label} ({stage}): its damage amount is final and an appraisal "
                               "may no longer change it", source=case_id, field="stage"))


def list_appraisals(store: Store, case_id: str | None = None) -> pd.DataFrame:
    """Appraisals (all, or of one case), oldest first."""
    if case_id is None:
        return store.read("appraisals")
    return store.read("appraisals", case_id=case_id)


def amount_provenance(store: Store, case: Mapping[str, Any]) -> dict[str, Any]:
    """Where the case's damage amount came from: ``{source, appraisal_id, method, method_zh,
    method_en, appraiser, appraised_on, all_verified, software_version}`` (``source`` is
    ``appraisal``, ``manual`` or ``None`` when no amount is recorded)."""
    amount = case.get("damage_amount_yuan")
    if amount is None or (isinstance(amount, float) and pd.isna(amount)):
        return {"source": None}
    src = case.get("damage_amount_source")
    aid = case.get("damage_appraisal_id")
    if src != "appraisal" or not aid or (isinstance(aid, float) and pd.isna(aid)):
        return {"source": "manual"}
    rows = store.read("appraisals", appraisal_id=aid)
    if rows.empty:
        return {"source": "manual", "note": f"appraisal {aid} not found"}
    r = rows.iloc[0]
    m = AppraisalMethod(r["method"])
    return {"source": "appraisal", "appraisal_id": aid, "method": m.value, "method_zh": m.zh, "method_en": m.en,
            "standard": r["standard"], "appraiser": r["appraiser"], "appraised_on": str(r["appraised_on"]),
            "all_verified": bool(r["all_verified"]), "software_version": r["software_version"]}
