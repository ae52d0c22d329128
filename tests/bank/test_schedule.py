"""Credit release schedules: a project sells only what its milestones released; construction
acceptance and a met monitoring target release their tranches; every bad input is refused with
nothing written; the limit holds under concurrent reservations."""
from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from restoration import InputError, InsufficientCapacityError
from restoration.bank import (add_projects, bank_table, project_balance, record_milestone, reserve, set_schedule,
                              tranche_table)
from restoration.bank.performance import evaluate_project

from ..conftest import run_cli as run
from .test_registry import SQUARE, _projects

SCHEDULE = ["0.25:secured", "0.5:construction_accepted", "0.25:target_met@5"]


def _written(store) -> tuple:
    return tuple(len(store.read(layer)) for layer in ("bank_tranches", "bank_milestones", "bank_allocations"))


def test_a_project_sells_only_what_its_milestones_released(store):
    set_schedule(store, "BP13", SCHEDULE)
    bal = project_balance(store, "BP13")
    assert (bal["capacity"], bal["released"], bal["remaining_released"]) == (150.0, 0.0, 0.0)
    assert bal["next_milestone"] == "secured"
    with pytest.raises(InsufficientCapacityError, match=r"not yet released.*Next release: secured"):
        reserve(store, "BP13", "GX-2022-010", 1.0)

    record_milestone(store, "BP13", "secured", "2020-01-10", evidence="土地流转合同 2020-003")
    assert project_balance(store, "BP13")["released"] == pytest.approx(37.5)
    reserve(store, "BP13", "GX-2022-010", 37.5)
    with pytest.raises(InsufficientCapacityError, match="construction accepted") as refused:
        reserve(store, "BP13", "GX-2022-010", 0.1)
    from restoration.messages import word
    assert "下一次释放：竣工验收" in word(refused.value.message, "zh")

    record_milestone(store, "BP13", "construction_accepted", "2021-06-01", evidence="竣工验收意见 2021-17")
    table = bank_table(store).set_index("project_id")
    assert table.loc["BP13", "released"] == pytest.approx(112.5)
    assert table.loc["BP13", "remaining_released"] == pytest.approx(75.0)
    assert table.loc["BP13", "next_milestone"] == "target_met@5"
    # a project without a schedule is as before: all of its capacity is released
    assert table.loc["BP01", "released"] == table.loc["BP01", "capacity"]
    assert pd.isna(table.loc["BP01", "next_milestone"])
    assert tranche_table(store, "BP13")["state"].tolist() == ["released", "released", "pending"]


@pytest.mark.parametrize("bad, expect", [
    (["0.5:secured", "0.4:construction_accepted"], "add up to 0.9"),
    (["0.5:secured", "0.5:planted"], "unknown milestone 'planted'"),
    (["1.5:secured"], "at most 1"),
    (["secured"], "expected SHARE:MILESTONE"),
    (["0.5:secured", "0.5:secured"], "twice"),
])
def test_bad_schedules_are_refused_and_nothing_is_written(gpkg_store, bad, expect):
    before = _written(gpkg_store)
    with pytest.raises(InputError, match=expect):
        set_schedule(gpkg_store, "BP13", bad)
    assert _written(gpkg_store) == before


def test_bad_milestones_and_schedule_changes_are_refused(gpkg_store):
    store = gpkg_store
    set_schedule(store, "BP13", SCHEDULE)
    record_milestone(store, "BP13", "secured", "2020-01-10", evidence="合同")
    reserve(store, "BP13", "GX-2022-010", 30.0)
    before = _written(store)
    for args, expect in [
        (("target_met@5", "2024-01-01"), "released by the platform's own evaluation"),
        (("target_met", "2024-01-01"), "released by the platform's own evaluation"),
        (("construction_accepted", "2001-01-01"), "before project BP13 was registered"),
        (("construction_accepted", "2999-01-01"), "in the future"),
        (("named:planted", "2022-01-01"), "no tranche released by"),
        (("secured", "2022-01-01"), "already recorded on 2020-01-10"),
        (("bogus", "2022-01-01"), "unknown milestone"),
    ]:
        with pytest.raises(InputError, match=expect):
            record_milestone(store, "BP13", *args, evidence="x")
    with pytest.raises(InputError, match="--evidence"):
        record_milestone(store, "BP13", "construction_accepted", "2022-01-01", evidence="  ")
    # 30 ha are allocated: a schedule releasing only 15 ha now is refused, one releasing 37.5 is not
    with pytest.raises(InputError, match="30 公顷 allocated|30 ha allocated|has 30"):
        set_schedule(store, "BP13", ["0.1:secured", "0.9:construction_accepted"])
    assert _written(store) == before
    set_schedule(store, "BP13", ["0.25:secured", "0.75:construction_accepted"])
    assert project_balance(store, "BP13")["released"] == pytest.approx(37.5)


def _monitoring_plot(store, value: float) -> None:
    """A monitoring plot inside BP13 with an NDVI target of 0.6 and a year of monthly values."""
    project = store.get("bank_projects", "BP13")
    plot = shapely.Point(shapely.point_on_surface(project["geometry"]).coords[0]).buffer(0.0005)
    store.insert("sites", gpd.GeoDataFrame({
        "site_id": ["BPM1"], "role": ["monitoring_plot"], "ecosystem_type": ["forest"], "name": ["样地"]},
        geometry=[plot], crs=4326))
    store.insert("indicator_targets", pd.DataFrame({
        "site_id": ["BPM1"], "indicator": ["ndvi"], "unit": ["1"], "direction": ["higher"], "baseline": [0.3],
        "target": [0.6], "target_date": ["2025-06-30"]}))
    times = [f"2025-{m:02d}-15T00:00:00" for m in range(1, 13)]
    store.insert("monitoring_series", pd.DataFrame({
        "site_id": "BPM1", "indicator": "ndvi", "time": times, "value": value, "unit": "1", "source": "field"}))


@pytest.mark.parametrize("value, verdict", [(0.4, "fail"), (0.75, "pass")])
def test_the_evaluation_releases_a_met_monitoring_target(store, value, verdict):
    set_schedule(store, "BP13", ["0.5:construction_accepted", "0.5:target_met@5"])
    record_milestone(store, "BP13", "construction_accepted", "2021-06-01", evidence="竣工验收意见")
    _monitoring_plot(store, value)
    result = evaluate_project(store, "BP13", as_of="2026-01-15")
    assert result.verdict == verdict and result.years == 2026 - 2018
    assert result.indicators["site_id"].tolist() == ["BPM1"]
    released = project_balance(store, "BP13")["released"]
    if verdict == "pass":
        assert result.released == ["target_met@5"] and released == pytest.approx(150.0)
        row = store.read("bank_milestones", project_id="BP13", milestone="target_met@5").iloc[0]
        assert "BPM1 ndvi" in row["evidence"] and row["evaluation"]["verdict"] == "pass"
        assert evaluate_project(store, "BP13", as_of="2026-02-15").released == []  # released once
    else:
        assert result.released == [] and released == pytest.approx(75.0)


def test_not_yet_year_n_releases_nothing(gpkg_store):
    set_schedule(gpkg_store, "BP13", ["0.5:construction_accepted", "0.5:target_met@20"])
    _monitoring_plot(gpkg_store, 0.75)
    result = evaluate_project(gpkg_store, "BP13", as_of="2026-01-15")
    assert result.verdict == "pass" and result.released == []


def test_import_with_a_release_schedule_column(gpkg_store):
    frame = _projects([SQUARE, shapely.box(108.62, 23.60, 108.63, 23.61)],
                      release_schedule=["0.4:secured;0.6:construction_accepted", None])
    add_projects(gpkg_store, frame, source="bank.geojson")
    table = bank_table(gpkg_store).set_index("project_id")
    assert table.loc["NP0", "released"] == 0.0 and table.loc["NP1", "released"] == 50.0
    assert "release_schedule" not in json.dumps(gpkg_store.get("bank_projects", "NP0").get("attributes") or {})
    bad = _projects([shapely.box(108.64, 23.60, 108.65, 23.61)], release_schedule=["0.4:secured;0.5:planted"])
    bad["project_id"] = ["NP9"]
    before = len(gpkg_store.read("bank_projects"))
    with pytest.raises(InputError, match=r"bank.geojson, row 1, field 'release_schedule': unknown milestone 'planted'"):
        add_projects(gpkg_store, bad, source="bank.geojson")
    assert len(gpkg_store.read("bank_projects")) == before


def test_cli_schedule_milestone_reserve(gpkg_store, capsys, tmp_path):
    data = str(gpkg_store.data_dir)
    code, out, _ = run(["--data", data, "bank", "schedule", "BP13", "--tranche", "0.25:secured",
                        "--tranche", "0.75:construction_accepted"], capsys)
    assert code == 0 and "25% 土地与法律保障落实" in out
    code, _, err = run(["--data", data, "bank", "schedule", "BP13", "--tranche", "0.5:secured"], capsys)
    assert code == 2 and "各期份额合计为 0.5" in err
    code, _, err = run(["--data", data, "bank", "reserve", "BP13", "--case", "GX-2022-010", "--amount", "1"], capsys)
    assert code == 3 and "下一次释放：土地与法律保障落实" in err
    doc = tmp_path / "合同.pdf"
    doc.write_bytes(b"%PDF-1.4 contract")
    code, out, _ = run(["--data", data, "bank", "milestone", "BP13", "secured", "2020-01-10",
                        "--evidence", "土地流转合同", "--document", doc], capsys)
    assert code == 0 and "已释放 released 37.5 of 150 公顷" in out
    code, _, err = run(["--data", data, "bank", "milestone", "BP13", "target_met", "2024-01-01",
                        "--evidence", "x"], capsys)
    assert code == 2 and "监测目标达成节点只能由平台的监测评估释放" in err
    code, out, _ = run(["--data", data, "bank", "show", "BP13"], capsys)
    assert code == 0 and "已释放 released 37.5 公顷" in out and "竣工验收 construction accepted (待释放 pending)" in out
    assert "None" not in out and "nan" not in out
    shown = json.loads(run(["--data", data, "bank", "show", "BP13", "--json"], capsys)[1])
    assert shown["tranches"][0]["state"] == "released" and shown["remaining_released"] == 37.5
    code, out, _ = run(["--data", data, "bank", "list"], capsys)
    assert code == 0 and "已释放 released" in out


def test_concurrent_reservations_never_exceed_the_released_capacity(store, monkeypatch, processes):
    """Four processes at once each ask for the whole released 37.5 ha of BP13 (capacity 150):
    one gets it, three are refused, nothing beyond the released part is sold."""
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    import bank_race_worker
    set_schedule(store, "BP13", SCHEDULE)
    record_milestone(store, "BP13", "secured", "2020-01-10", evidence="合同")
    ctx = processes.context("spawn")
    barrier = ctx.Barrier(4)
    queue = ctx.Queue()
    procs = [ctx.Process(target=bank_race_worker.reserve_last,
                         args=(store.url or str(store.path), barrier, "BP13", "GX-2022-010", 37.5, queue))
             for _ in range(4)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert sorted(r[0] for r in results) == ["insufficient", "insufficient", "insufficient", "ok"]
    assert all("not yet released" in r[1] for r in results if r[0] == "insufficient")
    bal = project_balance(store, "BP13")
    assert bal["allocated"] == pytest.approx(37.5) and bal["remaining_released"] == 0.0
