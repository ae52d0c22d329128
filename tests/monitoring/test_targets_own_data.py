"""Progress, alerts, effect evaluation and the overview's restoration areas on a user's own data:
an empty store, counties, cases and sites imported from files (``tests/stores.py``), a monitoring
plan from a Chinese-headed targets file and a field table — nothing from the sample, on both
backends, through the CLI. The behind-plan sites and cases are worked out by hand below."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from restoration import kpis
from restoration.monitoring import evaluate_case

from ..conftest import run_cli
from ..stores import imported_inputs

TODAY = "2026-11-20"
# decimal years (mid-day of the day of year over 365.25-day years, restoration.monitoring.plan):
# 2024-01-01 → 2024.00137, 2028-01-01 → 2028.00137, 2026-11-20 (day 324) → 2026.88569
NOW = 2026 + (324 - 0.5) / 365.25
LINEAR = (NOW - (2024 + 0.5 / 365.25)) / 4  # planned progress of a 2024-01-01 → 2028-01-01 line: 0.7211

PLAN = """场地编号,监测指标,单位,目标方向,基线值,目标值,基线日期,目标日期,计划轨迹
IM019,植被覆盖度,%,越高越好,20,80,2024-01-01,2028-01-01,
IM020,植被覆盖度,%,越高越好,20,80,2024-01-01,2028-01-01,
IM039,植被覆盖度,%,越高越好,20,80,2024-01-01,2028-01-01,
IM040,植被覆盖度,%,越高越好,20,80,2024-01-01,2028-01-01,
IM018,植被覆盖度,%,越高越好,20,80,2024-01-01,2028-01-01,
IM016,化学需氧量,μg/L,越低越好,40000,20000,2024-01-01,2026-06-01,
IM017,NDVI,1,越高越好,0.2,0.7,2024-01-01,2028-01-01,2024:0.2; 2026:0.6; 2028:0.7
"""
FIELD = """场地编号,监测指标,采样时间,监测值,单位
IM019,vegetation_cover,2025-06-01,45,%
IM019,vegetation_cover,2026-11-01,66,%
IM020,vegetation_cover,2026-11-01,40,%
IM039,vegetation_cover,2026-11-01,55,%
IM040,vegetation_cover,2026-11-01,85,%
IM016,cod,2026-11-01,35,mg/L
IM017,ndvi,2026-11-01,0.55,1
"""
# by hand, as of 2026-11-20 (progress = (current − baseline) / (target − baseline)):
#   IM019 (66 %):   0.767 vs planned 0.721 → on track
#   IM020 (40 %):   0.333, shortfall 0.388 → at risk
#   IM039 (55 %):   0.583, shortfall 0.138 → lagging
#   IM040 (85 %):   above the target → achieved
#   IM018:          no observation → no data
#   IM016 (COD 35 mg/L, plan 40 → 20 mg/L given in μg/L, due 2026-06-01): 0.25, past due → at risk
#   IM017 (NDVI 0.55, plan 0.2 → 0.6 in 2026 → 0.7 in 2028): planned 0.644 = 0.889 of the way,
#         progress 0.7, shortfall 0.189 → lagging
EXPECTED = {"IM019": "on_track", "IM020": "at_risk", "IM039": "lagging", "IM040": "achieved", "IM018": "no_data",
            "IM016": "at_risk", "IM017": "lagging"}
BEHIND = {"IM016", "IM017", "IM020", "IM039"}


@pytest.fixture
def own(empty_store, tmp_path, capsys):
    """The user's store: everything imported through the CLI as docs/import.md says."""
    files = imported_inputs(tmp_path / "inputs")
    (tmp_path / "计划.csv").write_text(PLAN, encoding="utf-8")
    (tmp_path / "现场监测.csv").write_text(FIELD, encoding="utf-8")
    steps = [["import", layer, files[layer]] for layer in ("counties", "watersheds", "cases", "sites")]
    steps += [["import", "targets", tmp_path / "计划.csv"], ["monitor", "ingest-table", tmp_path / "现场监测.csv"]]
    for step in steps:
        code, out, err = run_cli(["--data", empty_store.data_dir, "--today", TODAY, *step], capsys)
        assert code == 0, (step, out, err)
    cases = pd.read_csv(files["cases"])["case_id"].tolist()
    # site IMk belongs to the (k − 1) % 10-th case of the file (tests/stores.py)
    case_of = {f"IM{k:03d}": cases[(k - 1) % len(cases)] for k in range(1, 51)}
    return empty_store, case_of


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
