"""Overview KPIs computed in ``restoration`` on the three stores (issue 10)."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from restoration import cases as case_api
from restoration import kpis
from restoration.model import OPEN_STAGES

TODAY = date(2026, 11, 20)  # the sample's pinned date


def test_sample_figures_agree_with_their_sources(store):
    k = kpis.overview(store, today=TODAY)
    frame = store.read("cases")
    assert k.cases == len(frame) == 16  # the sample: 15 cases + one excluded at screening (issue 14)
    assert k.open_cases == frame["stage"].isin([s.value for s in OPEN_STAGES]).sum()
    assert k.damage_yuan == pytest.approx(frame["damage_amount_yuan"].sum())
    od = case_api.overdue(store, TODAY)
    assert k.overdue == len(od) > 0 and list(k.overdue_table["case_id"]) == list(od["case_id"])
    # every open stage appears in workflow order, and the counts add up
    assert list(k.by_stage.index) == [s.value for s in OPEN_STAGES]
    assert k.by_stage.sum() == k.open_cases == k.by_class.sum()
    # the sample has on-track (GX-2023-009) and lagging (GX-2022-010) restoration
    assert k.on_track_ha > 0 and k.lagging_ha > 0
    ledger = store.read("funds_ledger")
    assert k.funds["received"] == pytest.approx(ledger.loc[ledger.entry_type == "received", "amount_yuan"].sum())
    assert k.funds["disbursed"] == pytest.approx(ledger.loc[ledger.entry_type == "disbursed", "amount_yuan"].sum())


def test_selection_restricts_every_figure(store):
    whole = kpis.overview(store, today=TODAY)
    one = kpis.overview(store, ["GX-2022-010"], today=TODAY)
    assert one.cases == 1 and one.open_cases == 1 and one.lagging_ha > 0
    assert one.on_track_ha + one.lagging_ha <= whole.on_track_ha + whole.lagging_ha
    assert one.sites == (store.read("sites")["case_id"] == "GX-2022-010").sum()
    assert one.lagging_ha <= whole.lagging_ha and one.damage_yuan == 4_500_000
    none = kpis.overview(store, [], today=TODAY)
    assert (none.cases, none.open_cases, none.overdue, none.damage_yuan) == (0, 0, 0, 0.0)


@pytest.mark.parametrize("kind", ["gpkg_empty_store", "imported_store"])
def test_stores_without_history(request, kind):
    store = request.getfixturevalue(kind)
    k = kpis.overview(store, today=TODAY)
    n = store.count("cases")
    assert k.cases == n and k.overdue == 0 and k.overdue_table.empty
    assert k.on_track_ha == k.lagging_ha == 0.0 and k.monitored_sites == 0
    assert k.funds == {"due": 0.0, "received": 0.0, "disbursed": 0.0}
    assert list(k.by_stage.index) == [s.value for s in OPEN_STAGES] and k.by_stage.sum() == k.open_cases
    if kind == "imported_store":
        assert n == 10 and k.sites == 50 and k.damage_yuan > 0


def test_dashboard_wrapper_keeps_its_name_and_dict_access(store):
    from dashboards.kpis import overview_numbers
    k = overview_numbers(store, ("GX-2022-010",), TODAY)
    assert k["open_cases"] == 1 and k["funds"]["due"] == k.funds["due"]
    assert isinstance(k["overdue_table"], pd.DataFrame)
