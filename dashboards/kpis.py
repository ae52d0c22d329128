"""KPI cards' numbers: computed in :mod:`restoration.kpis`; this thin wrapper keeps the name the
pages call through ``data.overview_numbers`` (store first, so it is recomputed only when the store changes)."""
from __future__ import annotations

from datetime import date

from restoration.kpis import LAGGING, ON_TRACK, OverviewKpis, overview
from restoration.store import Store


def overview_numbers(store: Store, case_ids: tuple[str, ...], today: date | None = None) -> OverviewKpis:
    """:func:`restoration.kpis.overview` for ``case_ids`` (dict-style access still works)."""
    return overview(store, case_ids, today)


__all__ = ["overview_numbers", "OverviewKpis", "ON_TRACK", "LAGGING"]
