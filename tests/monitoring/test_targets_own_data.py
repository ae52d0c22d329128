"""Progress, alerts, effect evaluation and the overview's restoration areas on a user's own data:
an empty store, counties, cases and sites imported from files (``tests/stores.py``), a monitoring
plan from a Chinese-headed targets file and a field table — nothing from the sample, on both
backends, through the CLI. The behind-plan sites and cases are worked out by hand in tests/own_plan.py."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from restoration import kpis
from restoration.monitoring import evaluate_case

from ..conftest import run_cli
from ..own_plan import BEHIND, EXPECTED, LINEAR, NOW, TODAY, build_own_plan


@pytest.fixture
def own(empty_store, tmp_path, capsys):
    """The user's store: everything imported through the CLI as docs/import.md says."""
    return empty_store, build_own_plan(empty_store, tmp_path, capsys)



def test_progress_and_alerts_name_the_behind_plan_sites_and_cases(own, capsys):
    store, case_of = own
    code, out, err = run_cli(["--data", store.data_dir, "monitor", "progress", "--today", TODAY, "--json"], capsys)
    assert code == 0, err
    table = pd.DataFrame(json.loads(out))
    assert dict(zip(table["site_id"], table["status"])) == EXPECTED
    rows = table.set_index("site_id")
    assert rows.loc["IM019", "planned_progress"] == pytest.approx(LINEAR, abs=1e-9)
    assert rows.loc["IM020", "progress"] == pytest.approx(20 / 60)
    assert rows.loc["IM016", "progress"] == pytest.approx(0.25)  # 40 → 20 mg/L, 35 measured
    assert (rows.loc["IM016", "unit"], rows.loc["IM016", "baseline"]) == ("mg/L", 40.0)
    assert rows.loc["IM017", "planned"] == pytest.approx(0.6 + 0.1 * (NOW - 2026) / 2, abs=1e-9)
    behind = table[table["status"].isin(kpis.LAGGING)]
    assert set(behind["site_id"]) == BEHIND
    assert set(behind["case_id"]) == {case_of[s] for s in BEHIND} == {"GX-2024-006", "GX-2023-007", "GX-2022-010",
                                                                      "GX-2023-009"}
    code, out, err = run_cli(["--data", store.data_dir, "monitor", "alerts", "--today", TODAY, "--json"], capsys)
    alerts = pd.DataFrame(json.loads(out))
    assert sorted(alerts.loc[alerts["severity"] == "high", "site_id"]) == ["IM016", "IM020"]
    assert sorted(zip(alerts.loc[alerts["severity"] == "medium", "site_id"],
                      alerts.loc[alerts["severity"] == "medium", "kind"])) == [
        ("IM017", "lagging"), ("IM018", "no_data"), ("IM039", "lagging")]


def test_the_overview_areas_and_effect_evaluation_follow_the_plan(own):
    store, case_of = own
    today = pd.Timestamp(TODAY).date()
    k = kpis.overview(store, today=today)
    area = store.read("sites").set_index("site_id")["area_ha"]
    assert k.monitored_sites == 7
    assert k.lagging_ha == pytest.approx(float(area[sorted(BEHIND)].sum()))
    assert k.on_track_ha == pytest.approx(float(area[["IM019", "IM040"]].sum()))
    # COD of IM016 due 2026-06-01, one sample of 35 mg/L above the 20 mg/L target: fails
    cod = evaluate_case(store, case_of["IM016"], as_of=TODAY, save=False)
    assert cod.verdict == "fail"
    # GX-2022-010: IM040 passes, IM020 falls short but is due only in 2028 → not yet conclusive
    veg = evaluate_case(store, case_of["IM020"], as_of=TODAY, save=False)
    assert case_of["IM020"] == case_of["IM040"] and veg.verdict == "incomplete"
    passed = dict(zip(veg.indicators["site_id"], veg.indicators["passed"]))
    assert passed == {"IM020": False, "IM040": True}
