"""Appraisal results stored with the case (鉴定评估结果): method, inputs, result, software version,
date and appraiser. The appraisal feeds its own claim item (:mod:`.claims`, an item of the
profile's compensation scope) in the same transaction, and the case's ``damage_amount_yuan``
becomes the sum of its items (``damage_amount_source = claim_items``): several appraisals of one
case add up; a re-appraisal (``replaces``) supersedes only the item of the appraisal it replaces.
An amount edited by hand is marked ``manual``."""
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
from ..cases.claims import DEFAULT_ITEM, amount_provenance, check_item, set_case_amount, supersede, write_item
from .common import MAX_AMOUNT_YUAN, software_version


def record_appraisal(store: Store, case_id: str, result: Any, *, appraiser: str, actor: "access.Actor | str",
                     appraised_on: _dt.date | str | None = None, note: str | None = None,
                     expected_version: int | None = None, set_amount: bool = True, request_id: str | None = None,
                     item: str | None = None, replaces: str | None = None, manifest: dict | None = None) -> dict:
    """Store ``result`` (an :class:`AbatementResult`, a :class:`RestorationCostResult` or an
    equivalence result with a value) for ``case_id``, add it as the claim item ``item`` (default
    by method, :data:`~.claims.DEFAULT_ITEM`) and set the case's damage amount to the sum of its
    items. ``replaces``: the appraisal this one redoes — its items are superseded, no others.
    ``manifest`` (:func:`~.manifest.build_manifest`) is kept with the result (``result.manifest``),
    so the appraisal report can attach it and ``appraisal verify`` re-perform it.

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
            case = tx.get("cases", case_id)
            if set_amount:
                _refuse_final_case(case, case_id)
                check_item(case, item or DEFAULT_ITEM[method])
            if expected_version is not None:
                tx.update("cases", case_id, {}, expected_version=expected_version)
            existing = tx.read("appraisals", case_id=case_id, columns=["appraisal_id"])  # ids only: not the manifests
            if replaces is not None and replaces not in set(existing["appraisal_id"]):
                raise InputError(Issue(f"{replaces!r} is not an appraisal of case {case_id}", source=case_id,
                                       field="replaces"))
            appraisal_id = f"{case_id}-A{len(existing) + 1:02d}"
            while appraisal_id in set(existing["appraisal_id"]):
                appraisal_id += "b"
            row = {"appraisal_id": appraisal_id, "case_id": case_id, "method": method,
                   "standard": d.get("standard"), "amount_yuan": float(amount),
                   "inputs": json.loads(json.dumps(d.get("inputs"), default=str)),
                   "result": json.loads(json.dumps({**{k: v for k, v in d.items() if k != "inputs"},
                                                    **({"manifest": manifest} if manifest else {})}, default=str)),
                   "software_version": d.get("version") or software_version(), "appraised_on": day.isoformat(),
                   "appraiser": str(appraiser).strip(), "all_verified": bool(d.get("all_verified", True)),
                   "note": note}
            tx.insert("appraisals", pd.DataFrame([row]), action=f"appraisal {method}")
            if set_amount:
                if replaces is not None:
                    supersede(tx, case_id, replaces, appraisal_id)
                label = d.get("standard_label_zh") or AppraisalMethod(method).zh
                write_item(tx, case, item or DEFAULT_ITEM[method], amount,
                           source=f"鉴定评估 {appraisal_id}（{label}，{str(appraiser).strip()}，{day.isoformat()}）",
                           appraisal_id=appraisal_id, note=note, actor=who.name)
                set_case_amount(tx, case_id)
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


__all__ = ["record_appraisal", "list_appraisals", "amount_provenance"]


def list_appraisals(store: Store, case_id: str | None = None) -> pd.DataFrame:
    """Appraisals (all, or of one case), oldest first."""
    if case_id is None:
        return store.read("appraisals")
    return store.read("appraisals", case_id=case_id)
