"""A case's effect evaluation releases the bank's ``target_met`` tranches its monitoring earned:
after construction acceptance and a met monitoring target (judged by ``monitor evaluate``, never
typed) the project sells exactly what is released, and the release is in the audit log."""
from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from restoration.bank import project_balance, set_schedule

from ..conftest import run_cli as run

CASE = "GX-2022-010"


def _case_plot(store, value: float) -> None:
    """A monitoring plot of CASE inside BP13 (capacity 150 ha) with an NDVI target of 0.6 and a
    year of monthly values ``value``."""
    project = store.get("bank_projects", "BP13")
    plot = shapely.Point(shapely.point_on_surface(project["geometry"]).coords[0]).buffer(0.0005)
    store.insert("sites", gpd.GeoDataFrame({
        "site_id": ["BPM1"], "case_id": [CASE], "role": ["monitoring_plot"], "ecosystem_type": ["forest"],
        "name": ["项目库样地"]}, geometry=[plot], crs=4326))
    store.insert("indicator_targets", pd.DataFrame({
        "site_id": ["BPM1"], "indicator": ["ndvi"], "unit": ["1"], "direction": ["higher"], "baseline": [0.3],
        "target": [0.6], "target_date": ["2025-06-30"]}))
    times = [f"2025-{m:02d}-15T00:00:00" for m in range(1, 13)]
    store.insert("monitoring_series", pd.DataFrame({
        "site_id": "BPM1", "indicator": "ndvi", "time": times, "value": value, "unit": "1", "source": "field"}))


def _reserve(data: str, amount: float, capsys) -> tuple[int, str]:
    code, out, err = run(["--data", data, "bank", "reserve", "BP13", "--case", CASE, "--amount", amount], capsys)
    return code, out + err


def test_acceptance_and_a_met_target_release_what_the_project_sells(store, capsys):
    data = str(store.data_dir)
    set_schedule(store, "BP13", ["0.5:construction_accepted", "0.5:target_met@5"])
    _case_plot(store, 0.75)
    assert _reserve(data, 1, capsys)[0] == 3  # nothing released yet

    code, out, _ = run(["--data", data, "bank", "milestone", "BP13", "construction_accepted", "2021-06-01",
                        "--evidence", "竣工验收意见 2021-17"], capsys)
    assert code == 0 and "已释放 released 75 of 150" in out
    assert _reserve(data, 75, capsys)[0] == 0
    code, text = _reserve(data, 0.5, capsys)
    assert code == 3 and "监测目标达成" in text  # the next release is named

    code, out, _ = run(["--data", data, "monitor", "evaluate", CASE, "--as-of", "2026-01-15"], capsys)
    assert code == 0, out
    assert "项目库释放 bank release: BP13 第5年监测目标达成 " in out
    assert "(75 公顷)" in out and "None" not in out
    bal = project_balance(store, "BP13")
    assert (bal["released"], bal["remaining_released"]) == (150.0, 75.0)
    row = store.read("bank_milestones", project_id="BP13", milestone="target_met@5").iloc[0]
    assert row["reached_on"] == "2026-01-15" and "BPM1 ndvi" in row["evidence"]
    assert row["evaluation"]["verdict"] == "pass"
    audit = store.read("audit_log", layer="bank_milestones")
    assert audit["action"].tolist() == ["milestone", "milestone target_met@5 released by the evaluation"]

    assert _reserve(data, 75, capsys)[0] == 0  # exactly what is released, and no more
    assert _reserve(data, 0.01, capsys)[0] == 3
    assert project_balance(store, "BP13")["allocated"] == pytest.approx(150.0)
    # evaluating again releases nothing twice
    code, out, _ = run(["--data", data, "monitor", "evaluate", CASE, "--as-of", "2026-02-15", "--json"], capsys)
    assert code == 0 and json.loads(out)["bank_releases"] == []


def test_a_failed_target_or_no_save_releases_nothing(gpkg_store, capsys):
    data = str(gpkg_store.data_dir)
    set_schedule(gpkg_store, "BP13", ["0.5:construction_accepted", "0.5:target_met@5"])
    _case_plot(gpkg_store, 0.4)
    code, out, _ = run(["--data", data, "monitor", "evaluate", CASE, "--as-of", "2026-01-15", "--json"], capsys)
    assert code == 0 and json.loads(out)["bank_releases"] == []
    gpkg_store.insert("monitoring_series", pd.DataFrame({
        "site_id": "BPM1", "indicator": "ndvi", "time": [f"2025-12-{d:02d}T00:00:00" for d in range(1, 13)],
        "value": 0.9, "unit": "1", "source": "field"}))
    code, out, _ = run(["--data", data, "monitor", "evaluate", CASE, "--as-of", "2026-01-15", "--no-save"], capsys)
    assert code == 0 and "项目库释放" not in out
    assert gpkg_store.read("bank_milestones", project_id="BP13").empty


def test_a_project_outside_the_users_jurisdiction_is_named_not_refused(gpkg_store):
    """A county supervisor evaluates a case whose plot lies in another county's bank project:
    the project is named as left for a user who may act on it, nothing is released, and the
    province's evaluation then releases it."""
    from restoration.access import Actor
    from restoration.bank.performance import release_for_case

    set_schedule(gpkg_store, "BP13", ["0.5:construction_accepted", "0.5:target_met@5"])
    _case_plot(gpkg_store, 0.75)
    county = gpkg_store.get("cases", CASE)["handling_region"]
    other = next(c for c in gpkg_store.read("counties")["county_id"] if c != county)
    with gpkg_store.transaction("test") as tx:
        tx.update("bank_projects", "BP13", {"region": other})
    local = Actor("县级监管员", "supervisor", county)
    done = release_for_case(gpkg_store, CASE, as_of="2026-01-15", actor=local)
    assert (done.evaluated, done.withheld) == ([], [("BP13", "region")])
    assert gpkg_store.read("bank_milestones", project_id="BP13").empty
    done = release_for_case(gpkg_store, CASE, as_of="2026-01-15", actor="省级管理员")
    assert [ev.released for ev in done.evaluated] == [["target_met@5"]] and done.withheld == []

