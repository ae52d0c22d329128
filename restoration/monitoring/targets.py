"""Monitoring plans in: indicator targets from a file, and one target set or edited on the case page.

``restoration import targets FILE`` (:func:`import_targets`) reads CSV / Excel (and any table
``restoration import`` reads) with the same machinery as the other imports — column names by
field, Chinese name or alias (``场地编号, 监测指标, 单位, 目标方向, 基线值, 目标值, 基线日期, 目标日期,
计划轨迹, 参照场地编号``) or ``--map`` — then the general validation, the references (sites), the
target checks of :mod:`.target_checks` and the store's existing targets in one pass: every
problem is reported by row and field and nothing is written unless every row is good.

A site and indicator already holding a target is refused (the row names it) unless ``replace``:
then the stored target is replaced by the file's row (the old one kept in the audit log) and the
store's other targets stay as they are.

:func:`set_target` writes one target from a form: the same checks, audited with the target
before and after (record: the site), under an optimistic lock on the target's
:func:`revision` as the form read it, and once per ``request_id``.
"""
from __future__ import annotations

import hashlib
import json
import logging
import math
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

import numpy as np
import pandas as pd

from .. import access, model, scoped_store
from ..errors import ConflictError, InputError, Issue
from ..importer import prepare_rows, read_mapped
from ..messages import Message, Term
from ..store import Store, Transaction
from ..validate import Partial
from . import target_checks as checks
from .indicators import canonical_code

log = logging.getLogger(__name__)

LAYER = "indicator_targets"
FIELDS = tuple(f.name for f in model.LAYERS[LAYER].fields)
KEY = ("site_id", "indicator")


@dataclass
class TargetsImport:
    source: str
    rows: int
    replaced: int = 0
    sites: int = 0
    notes: list[str] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    #: True for ``--check``: everything was validated against the store, nothing written
    checked: bool = False


@contextmanager
def _writing(target: Store | Transaction, actor: str) -> Iterator[Transaction]:
    if isinstance(target, Transaction):
        yield target
    else:
        with target.transaction(actor) as tx:
            yield tx


def import_targets(store: Store | Transaction, path: str | Path, *, mapping: dict[str, str] | None = None,
                   check: bool = False, replace: bool = False, actor: Any = "cli",
                   source_layer: str | None = None, progress: bool = False) -> TargetsImport:
    """Import a monitoring plan's targets from ``path`` (see the module doc)."""
    frame, notes = read_mapped(path, LAYER, mapping=mapping, source_layer=source_layer)
    done = add_targets(store, frame, source=Path(path).name, actor=actor, check=check, replace=replace,
                       progress=progress)
    done.notes = notes + done.notes
    return done


def add_targets(store: Store | Transaction, frame: pd.DataFrame, *, source: str | None = None,
                actor: Any = "system", check: bool = False, replace: bool = False,
                progress: bool = False) -> TargetsImport:
    """Check and insert targets (a table with the layer's field names) in one transaction;
    InputError listing every problem by row and field, nothing written."""
    src = source or frame.attrs.get("source") or LAYER
    who = access.require(actor, "monitoring.plan", store)
    frame, notes, early, pairs = checks.normalise(frame)
    label, start = frame.attrs.get("row_label", "row"), int(frame.attrs.get("row_start", 1))
    with _writing(store, who.name) as tx:
        result: dict[str, Any] = {}

        def row_checks(part: Partial) -> list[Issue]:
            found, result["rows"] = checks.check_targets(part, pairs=pairs)
            found += early + checks.duplicates(part.frame, label, start)
            stored = _stored_keys(tx, part.frame)
            result["stored"] = stored
            if not replace:
                found += [(int(pos), "indicator", Message("target.exists", {
                    "site": str(part.frame["site_id"].iat[pos]),
                    "indicator": Term("indicator", str(part.frame["indicator"].iat[pos]))}))
                    for pos in np.flatnonzero(stored)]
            return checks.as_issues(found, frame, src)

        done = prepare_rows(tx, LAYER, frame, src, extra="ignore", checks=row_checks)
        rows = result["rows"]
        _require_sites(who, tx, rows["site_id"])
        report = TargetsImport(src, len(rows), int(result["stored"].sum()) if replace else 0,
                               int(rows["site_id"].nunique()), notes + done.notes, done.warnings, check)
        if check:
            return report
        if report.replaced:
            tx.delete_matching(LAYER, rows.loc[result["stored"], list(KEY)], action=f"replace (import {src})")
        tx.insert(LAYER, rows, action=f"import {src}", progress=progress)
    log.info("imported %d targets from %s (%d replaced)", report.rows, src, report.replaced)
    return report


def _stored_keys(tx: Transaction, rows: pd.DataFrame) -> np.ndarray:
    """Which rows name a site and indicator that already has a stored target."""
    sites = sorted(set(rows["site_id"].dropna()))
    # a few sites: only theirs; a province's plan: every stored key (no query with 40,000 parameters)
    have = tx.read(LAYER, columns=list(KEY), site_id=sites if len(sites) <= 500 else None)
    if have.empty or rows.empty:
        return np.zeros(len(rows), dtype=bool)
    mine = pd.MultiIndex.from_frame(rows[list(KEY)].astype(object))
    return np.asarray(mine.isin(pd.MultiIndex.from_frame(have[list(KEY)].astype(object))), dtype=bool)


def _require_sites(who: access.Actor, tx: Transaction, site_ids: pd.Series) -> None:
    """A regional user sets targets only on the sites of their region."""
    if who.region == access.PROVINCE:
        return
    outside = sorted({str(s) for s in site_ids.dropna()} - set(scoped_store.scope(tx, who).site_ids))
    if outside:
        raise access.deny(who, "sites_outside", sites=outside[:10])


# -- one target from a form --------------------------------------------------------------------
def revision(target: Mapping[str, Any] | None) -> str | None:
    """A short fingerprint of a stored target's values (None: no target): the form keeps the one
    it read and the write refuses to replace a target that changed since."""
    if target is None:
        return None
    plain = {f: _plain(target.get(f)) for f in FIELDS}
    text = json.dumps(plain, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _plain(v: Any) -> Any:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, (np.floating, float)):
        return float(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, tuple):
        return [_plain(x) for x in v]
    return v


def stored_target(store: Store | Transaction, site_id: str, indicator: str) -> dict | None:
    """The stored target of a site and indicator (a dict of the layer's fields), or None."""
    code = canonical_code(indicator) or indicator
    rows = store.read(LAYER, site_id=site_id, indicator=code)
    if rows.empty:
        return None
    return {f: _plain(rows.iloc[0][f]) for f in FIELDS}


def set_target(store: Store, values: Mapping[str, Any], actor: Any, *, expected: str | None = None,
               request_id: str | None = None) -> dict:
    """Set (add or replace) one site's target of one indicator; returns ``{"site_id",
    "indicator", "revision", "replaced"}``.

    ``expected`` is the :func:`revision` of the target the form showed (None: it showed none);
    a target added, changed or removed by someone else since is a ConflictError and nothing is
    written. ``values`` hold the layer's fields (``planned_trajectory`` may be the text
    ``2024:0.30; 2026:0.50``; blank unit / direction are filled as on import)."""
    site_id = str(values.get("site_id") or "").strip()
    who = access.require(actor, "monitoring.plan", store, site_id=site_id or None)
    frame = pd.DataFrame([{f: values.get(f) for f in FIELDS if f in values}])
    frame.attrs.update(source=LAYER, row_start=1, row_label="row")
    frame, _notes, early, pairs = checks.normalise(frame)
    code = str(frame["indicator"].iat[0]) if "indicator" in frame and pd.notna(frame["indicator"].iat[0]) else ""
    with store.transaction(who.name) as tx:
        def write() -> dict:
            before = stored_target(tx, site_id, code) if site_id and code else None
            if revision(before) != expected:
                raise ConflictError(_changed(tx, site_id, code, before, expected))
            result: dict[str, Any] = {}

            def row_checks(part: Partial) -> list[Issue]:
                found, result["rows"] = checks.check_targets(part, pairs=pairs)
                return checks.as_issues(found + early, frame, LAYER)

            try:
                prepare_rows(tx, LAYER, frame, LAYER, extra="ignore", checks=row_checks)
            except InputError as exc:  # one form, one target: the field says where, not a row
                raise InputError([Issue(i.message, field=i.field) for i in exc.issues]) from None
            row = result["rows"]
            if before is not None:
                tx.delete_matching(LAYER, row[list(KEY)], action=f"replace target {site_id} {code}")
            tx.insert(LAYER, row, action=f"set target {site_id} {code}")
            after = {f: _plain(row.iloc[0][f]) for f in FIELDS}
            # the site's history of its plan: before and after, readable in its region's audit log
            tx.audit("set indicator target", LAYER, site_id, before, after)
            return {"site_id": site_id, "indicator": code, "revision": revision(after),
                    "replaced": before is not None}

        return tx.once(request_id, "monitoring.plan", write)


def _changed(tx: Transaction, site_id: str, code: str, before: dict | None, expected: str | None) -> Message:
    params = {"site": site_id, "indicator": Term("indicator", code)}
    last = tx.read("audit_log", layer=LAYER, record_id=site_id, columns=["actor", "at"])
    if len(last):
        params.update(actor=str(last.iloc[-1]["actor"]), at=str(last.iloc[-1]["at"]))
        kind = "target.set_by" if before is not None and expected is None else (
            "target.removed_by" if before is None else "target.changed_by")
        return Message(kind, params)
    kind = "target.set_meanwhile" if before is not None and expected is None else (
        "target.removed" if before is None else "target.changed")
    return Message(kind, params)
