"""A case's alternative-restoration obligation: how much of its debit is covered, by which
projects, and what waits in escrow.

Coverage is measured in fractions of the debit, so projects in different units add up: an
allocation of ``a`` units at a project where the whole debit needs ``R`` units covers ``a / R``
(``R`` from the same equivalence calculation as the ranking).
"""
from __future__ import annotations

import numpy as np

from ..store import Store
from . import _common, escrow
from .siting import rank_base_sites


def case_obligation(store: Store, case_id: str) -> dict:
    """Debit, covered fractions (reserved / committed), the covering allocations and escrow."""
    ranking = rank_base_sites(store, case_id)
    cov = ranking.covered.copy()
    names = ranking.table.set_index("project_id")["name"]
    cov.insert(2, "name", cov["project_id"].map(names))
    reserved = float(np.nansum(cov.loc[cov["state"] == "reserved", "fraction"])) if not cov.empty else 0.0
    committed = float(np.nansum(cov.loc[cov["state"] == "committed", "fraction"])) if not cov.empty else 0.0
    esc = escrow.escrow_table(store, case_id=case_id)
    waiting = esc[esc["status"] == "awaiting_match"]
    total = reserved + committed
    status = "covered" if total >= 1 - 1e-6 else ("partly_covered" if total > 0 else "not_covered")
    labels = {"covered": "已落实 covered", "partly_covered": "部分落实 partly covered",
              "not_covered": "未落实 not covered"}
    return _common.json_safe({
        "case_id": case_id,
        "scenario_source": ranking.scenario_source,
        "debit": ranking.debit, "debit_unit": "ha·yr (discounted service hectare-years)",
        "debit_value_yuan": ranking.table.attrs.get("debit_value"),
        "covered_fraction": total, "reserved_fraction": reserved, "committed_fraction": committed,
        "outstanding_fraction": max(0.0, 1.0 - total),
        "status": status, "status_label": labels[status],
        "allocations": cov.to_dict(orient="records"),
        "escrow_awaiting_match_yuan": float(waiting["amount_yuan"].sum()) if not waiting.empty else 0.0,
        "escrow": esc.drop(columns=["version"], errors="ignore").to_dict(orient="records"),
    })
