"""KPI cards' numbers: computed in :mod:`restoration.kpis`; this thin wrapper keeps the name the
pages call through ``data.overview_numbers`` (store first, so it is recomputed only when the store changes)."""
from __future__ import annotations

from datetime import date

import pandas as pd

from restoration.kpis import LAGGING, ON_TRACK, OverviewKpis, overview
from restoration.store import Store

from .i18n import message, t


def overview_numbers(store: Store, case_ids: tuple[str, ...], today: date | None = None) -> OverviewKpis:
    """:func:`restoration.kpis.overview` for ``case_ids`` (dict-style access still works)."""
    return overview(store, case_ids, today)


def deadline_column(case_ids: pd.Series, k: OverviewKpis, lang: str) -> list[str]:
    """The register's deadline column: what cannot be computed and why, else how many are overdue,
    else a dash — never a "0 overdue" for a case whose deadlines are unknown."""
    gaps = k["not_computable_table"]
    overdue = k["overdue_table"]["case_id"].value_counts() if len(k["overdue_table"]) else pd.Series(dtype=int)
    missing = {cid: "；".join(message(m, lang) for m in rows["missing"]) if lang == "zh" else
               "; ".join(message(m, lang) for m in rows["missing"]) for cid, rows in gaps.groupby("case_id")}
    out = []
    for cid in case_ids:
        parts = [t("kpi.overdue_n", lang, n=int(overdue[cid]))] if cid in overdue.index else []
        if cid in missing:
            parts.append(t("kpi.cannot_compute", lang, what=missing[cid]))
        out.append(" · ".join(parts) or "—")
    return out


__all__ = ["overview_numbers", "deadline_column", "OverviewKpis", "ON_TRACK", "LAGGING"]
