"""Polygon review (图斑审核) of bank projects: every project polygon carries a review status —
``submitted`` (written on import, with the import's findings), ``needs_changes`` or ``approved`` —
with who and when, kept as a history in ``bank_polygon_reviews`` (each step in the audit log).

A reviewer's decision keeps the findings it judged (the overlaps, slivers and spikes of
:mod:`.polygon_review`); asking for changes needs a note saying what to change, and so
does approving a polygon that has findings.
"""
from __future__ import annotations

import pandas as pd

from .. import access, config
from ..errors import InputError, Issue
from ..messages import Message, Term
from ..store import Store, Transaction
from ..vocab import label
from . import _common, polygon_review

STATUSES = ("submitted", "needs_changes", "approved")
#: what a reviewer may decide (``submitted`` is written by the import)
DECISIONS = ("approved", "needs_changes")
MAX_NOTE = 2000
COLUMNS = ["project_id", "review_status", "reviewed_by", "reviewed_at", "review_note", "findings"]


def finding_text(finding: dict, lang: str = "zh") -> str:
    """One finding of a polygon review in words (an overlap when it names no ``check``)."""
    check = finding.get("check") or "overlap"
    name = label("polygon_check", check, lang)
    v, lim = finding.get("value"), finding.get("limit")
    w = polygon_review.THIN_WIDTH_M
    if check == "overlap":
        kind = {"project": ("项目", "project"), "site": ("修复场地", "restoration site")}.get(
            finding.get("other_kind"), ("", ""))
        return (f"{name}：与{kind[0]} {finding.get('other_id')} 重叠 {finding.get('area_ha', 0):.2f} 公顷" if lang == "zh"
                else f"{name}: overlaps {kind[1]} {finding.get('other_id')} by {finding.get('area_ha', 0):.2f} ha")
    if check == "sliver":
        return (f"{name}：{v:.0%} 的面积窄于 {w:g} 米" if lang == "zh" else f"{name}: {v:.0%} of its area is narrower than {w:g} m")
    if check == "thin_parts":
        return (f"{name}：{v:,.0f} 平方米窄于 {w:g} 米" if lang == "zh" else f"{name}: {v:,.0f} m² narrower than {w:g} m")
    if check == "spike":
        return (f"{name}：最尖顶角 {v:.1f}°（小于 {lim:g}°）" if lang == "zh"
                else f"{name}: sharpest vertex {v:.1f}° (below {lim:g}°)")
    return name


def import_findings(overlaps: pd.DataFrame, shapes: pd.DataFrame, project_id: str) -> list[dict]:
    """One project's findings of an import: its overlaps (``check`` overlap) and shape checks."""
    over = overlaps[overlaps["project_id"] == project_id].assign(check="overlap")
    return (over.drop(columns="project_id").to_dict("records")
            + shapes[shapes["project_id"] == project_id].drop(columns="project_id").to_dict("records"))


def review_history(store: Store | Transaction, project_id: str | None = None) -> pd.DataFrame:
    """The review steps (of one project), oldest first."""
    rows = store.read("bank_polygon_reviews") if project_id is None else \
        store.read("bank_polygon_reviews", project_id=project_id)
    return rows.sort_values(["at", "fid"] if "fid" in rows.columns else ["at"], kind="stable").reset_index(drop=True)


def review_status(store: Store | Transaction) -> pd.DataFrame:
    """Each reviewed project's latest step: :data:`COLUMNS` (a project imported before reviews
    existed has none)."""
    rows = review_history(store)
    if rows.empty:
        return pd.DataFrame(columns=COLUMNS)
    last = rows.groupby("project_id", sort=True).tail(1)
    return pd.DataFrame({"project_id": last["project_id"].to_numpy(), "review_status": last["status"].to_numpy(),
                         "reviewed_by": last["actor"].to_numpy(), "reviewed_at": last["at"].astype(str).to_numpy(),
                         "review_note": last["note"].to_numpy(),
                         "findings": [f if isinstance(f, list) else [] for f in last["findings"]]},
                        columns=COLUMNS).sort_values("project_id").reset_index(drop=True)


def set_review(target: Store | Transaction, project_id: str, status: str, *, note: str | None = None,
               actor: str = "system", request_id: str | None = None) -> dict:
    """Record the reviewer's decision ``status`` (approved / needs_changes) on ``project_id``'s
    polygon, keeping the findings of its latest review. Refused (InputError, nothing written): an
    unknown decision, no note when asking for changes or approving a polygon with findings, a note
    longer than :data:`MAX_NOTE`. A ``request_id`` already used (a double click) records nothing
    again."""
    code = str(status).strip()
    if code not in DECISIONS:
        raise InputError(Issue(Message("bank.review_status", {"status": code[:40]}), field="STATUS"))
    text = str(note or "").strip()
    if len(text) > MAX_NOTE:
        raise InputError(Issue(Message("bank.text_too_long", {"field": "--note", "max": MAX_NOTE}), field="--note"))
    who = access.require(actor, "bank.registry", target, project_id=project_id)
    with _common.transaction(target, who) as tx:
        tx.lock("bank_projects", project_id)  # NotFoundError names an unknown project
        before = review_history(tx, project_id)
        findings = before["findings"].iloc[-1] if len(before) else []
        findings = findings if isinstance(findings, list) else []
        if not text and (code == "needs_changes" or findings):
            raise InputError(Issue(Message("bank.review_note_required", {
                "project": project_id, "status": Term("polygon_review", code), "n": len(findings)}), field="note"))
        row = {"project_id": project_id, "status": code, "findings": findings, "note": text or None,
               "actor": tx.actor, "at": config.now_utc()}
        tx.once(request_id, "bank.review",
                lambda: tx.insert("bank_polygon_reviews", pd.DataFrame([row]), action=f"polygon review {code}"))
    return row
