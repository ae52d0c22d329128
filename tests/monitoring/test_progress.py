"""Progress against plan, status on both sides of each tolerance, planned trajectories in the
equivalence engine's forms, and the alert list — on the sample region's real data."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from restoration.monitoring import alerts, classify, planned_level, progress_table, site_series
from restoration.monitoring.plan import decimal_year

TODAY = "2026-11-20"  # the sample's "now"


@pytest.mark.parametrize("progress, planned, past_due, expected", [
    (1.0, 0.5, False, "achieved"), (1.3, 1.0, True, "achieved"),
    (0.55, 0.60, False, "on_track"), (0.49, 0.60, False, "lagging"),  # 0.10 tolerance
    (0.31, 0.60, False, "lagging"), (0.29, 0.60, False, "at_risk"),   # 0.30 tolerance
    (0.95, 1.0, True, "lagging"),  # past the target date: never on track
    (0.60, 1.0, True, "at_risk"), (float("nan"), 0.5, False, "no_data"),
])
def test_status_on_both_sides_of_the_tolerances(progress, planned, past_due, expected):
    assert classify(progress, planned, past_due) == expected


def test_tolerances_are_configurable():
    assert classify(0.45, 0.60, False) == "lagging"
    assert classify(0.45, 0.60, False, {"on_track": 0.2}) == "on_track"
    assert classify(0.45, 0.60, False, {"lagging": 0.1}) == "at_risk"


def test_planned_trajectory_forms_match_the_equivalence_engine():
    from equivalence.trajectory import parse_trajectory
    base = {"site_id": "S", "indicator": "ndvi", "baseline": 0.2, "target": 0.6}
    # points with decimal years or dates, linear between, constant outside
    pts = {**base, "planned_trajectory": [[2024.5, 0.2], ["2027-07-02", 0.6]]}
    assert planned_level(pts, 2020) == pytest.approx(0.2)
    assert planned_level(pts, 2030) == pytest.approx(0.6)
    mid = (2024.5 + decimal_year("2027-07-02")) / 2
    assert planned_level(pts, mid) == pytest.approx(0.4)
    # a shape: the same yearly expansion as a scenario's levels
    shape = {"shape": "exponential", "from": [2024, 0.2], "to": [2030, 0.6], "rate": 0.5}
    traj = parse_trajectory(shape, "x")
    values = {p.path: np.array([p.point]) for p in list(traj.params) + list(traj.shape_params.values())}
    expected = dict((y, v) for y, v in traj.points(values))
    got = planned_level({**base, "planned_trajectory": shape}, 2027.0)
    assert got == pytest.approx(expected[2027])
    # no plan: the straight line between baseline and target dates
    line = {**base, "baseline_date": "2024-01-01", "target_date": "2028-01-01"}
    assert planned_level(line, "2026-01-01") == pytest.approx(0.4, abs=0.001)
    assert planned_level(base, 2026) is None


def test_sample_region_shows_progress_lagging_and_risk(store):
    table = progress_table(store, today=TODAY).set_index(["site_id", "indicator"])
    status = table["status"]
    assert status[("S011", "ndvi")] == "on_track"      # restoration on plan
    assert status[("S017", "ndvi")] == "on_track"
    assert status[("S016", "ndvi")] == "at_risk"       # the lagging mine restoration, past its date
    assert status[("S024", "ndvi")] == "achieved"      # recovered grassland
    assert status[("S020", "cod")] == "lagging"        # COD not yet at target
    assert status[("S020", "nh3_n")] == "achieved"
    assert status[("S028", "ndvi")] == "no_data"       # outside the NDVI window
    # the numbers behind one row, recomputed from the raw series
    row = table.loc[("S011", "ndvi")]
    s = site_series(store, "S011", "ndvi")
    recent = s[(s["time"] > pd.Timestamp(TODAY) - pd.Timedelta(days=90)) & (s["time"] <= TODAY)]
    assert row["current"] == pytest.approx(recent["value"].mean())
    assert row["progress"] == pytest.approx((row["current"] - 0.25) / (0.72 - 0.25))
    assert row["planned"] == pytest.approx(0.25 + (0.72 - 0.25) * (decimal_year(TODAY) - 2024.5) / 3)
    assert row["share_of_reference"] == pytest.approx(row["current"] / row["reference_current"])
    # lower-is-better: progress still counts towards the target
    cod = table.loc[("S020", "cod")]
    assert cod["progress"] == pytest.approx((cod["current"] - 42) / (20 - 42))
    assert 0.8 < cod["progress"] < 1


def test_progress_for_one_case_and_unknown_case(store):
    from restoration.errors import NotFoundError
    one = progress_table(store, "GX-2022-011", today=TODAY)
    assert set(one["case_id"]) == {"GX-2022-011"} and len(one) == 4
    with pytest.raises(NotFoundError):
        progress_table(store, "GX-0000-000")


def test_alerts_across_cases(store, tmp_path):
    from restoration.monitoring import ingest_table
    table = alerts(store, today=TODAY)
    assert table.iloc[0]["severity"] == "high" and table.iloc[0]["site_id"] == "S016"
    kinds = set(zip(table["site_id"], table["kind"]))
    assert {("S016", "at_risk"), ("S020", "lagging"), ("S028", "no_data")} <= kinds
    assert not (table["kind"] == "exceedance").any()
    # one COD sample above twice the target (20 mg/L) raises an exceedance alert
    path = tmp_path / "spike.csv"
    path.write_text("site_id,indicator,time,value,unit\nS020,cod,2026-11-10,45.5,mg/L\n", encoding="utf-8")
    ingest_table(store, path)
    table = alerts(store, today=TODAY)
    spike = table[table["kind"] == "exceedance"]
    assert len(spike) == 1 and spike.iloc[0]["severity"] == "high" and "45.5" in spike.iloc[0]["message_zh"]
    # stale: nothing observed at S011 for months
    later = alerts(store, today="2027-06-01", stale_days=120)
    assert ("S011", "stale") in set(zip(later["site_id"], later["kind"]))
