"""A raster ingest as a task table of tiles × periods: the same values as the one-shot ingest,
each task stored once with its rows, a run stopped mid-way resumed without recomputing or
duplicating what was stored, and the runs listed."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from restoration.errors import ConflictError, InputError
from restoration.monitoring import ingest_raster
from restoration.monitoring.runs import execute_run, list_runs, plan_run, resume_run

SITES = ["S011", "S016", "S003", "S007"]


def _values(store):
    got = store.read("monitoring_series", source="raster:ndvi", site_id=SITES)
    return got.sort_values(["site_id", "time"])[["site_id", "time", "value", "qc_flag"]].reset_index(drop=True)


def test_run_gives_the_ingest_values_and_resumes_without_duplicates(store, sample_dir, tmp_path):
    files = str(sample_dir / "ndvi" / "*.tif")
    ingest_raster(store, files, site_ids=SITES)
    want = _values(store)
    run_id = plan_run(store, files, site_ids=SITES, period=5, chunks=128, pixel_maps=tmp_path / "maps")
    tasks = store.read("raster_run_tasks", run_id=run_id)
    assert len(tasks) >= 2 * 5 and set(tasks["state"]) == {"pending"}  # tiles × 5 periods of 24 dates
    stored = []

    def crash_after_three(task_id):
        stored.append(task_id)
        if len(stored) == 3:
            raise KeyboardInterrupt  # the client dies mid-run
    with pytest.raises(KeyboardInterrupt):
        execute_run(store, run_id, on_task=crash_after_three, max_graph=40)
    tasks = store.read("raster_run_tasks", run_id=run_id).set_index("task_id")
    assert (tasks["state"] == "done").sum() == 3
    assert store.get("raster_runs", run_id)["state"] == "running"  # left in a clear, resumable state
    later = []
    summary = resume_run(store, run_id, on_task=later.append, pixel_maps=tmp_path / "maps")
    assert not set(later) & set(stored)  # finished tasks are not recomputed
    assert summary.state == "done" and summary.tasks_done == summary.n_tasks == len(tasks)
    assert summary.pixel_map_reused
    got = _values(store)
    assert not got.duplicated(["site_id", "time"]).any()
    assert len(got) == len(want) == summary.rows_written
    np.testing.assert_allclose(got["value"], want["value"], rtol=1e-12)
    assert (got["qc_flag"] == want["qc_flag"]).all()
    assert summary.read_amplification >= 1.0
    runs = list_runs(store)
    assert runs.iloc[0]["run_id"] == run_id and runs.iloc[0]["read_amplification"] == pytest.approx(
        summary.read_amplification)
    done = store.read("raster_run_tasks", run_id=run_id)
    assert (done["attempts"] >= 1).all() and done["rows_written"].sum() == len(got)


def test_resume_refuses_changed_rasters_and_unknown_runs(store, sample_dir, tmp_path):
    import shutil
    with pytest.raises(InputError, match="no raster run"):
        resume_run(store, "R-nope")
    folder = tmp_path / "ndvi"
    shutil.copytree(sample_dir / "ndvi", folder)
    run_id = plan_run(store, str(folder / "*.tif"), site_ids=SITES[:2], period=12)
    assert store.get("raster_runs", run_id)["state"] == "planned"
    assert store.read("raster_run_tasks", run_id=run_id)["rows_written"].sum() == 0  # planning computes nothing
    sorted(folder.glob("*.tif"))[-1].unlink()  # a date went missing
    before = len(store.read("monitoring_series"))
    with pytest.raises(ConflictError, match="changed"):
        resume_run(store, run_id)
    assert len(store.read("monitoring_series")) == before


def test_cli_run_resume_and_runs_listing(cli, gpkg_store, sample_dir):
    data = ("--data", gpkg_store.data_dir)
    code, out, err = cli(*data, "monitor", "runs")
    assert code == 0 and "无 none" in out
    code, out, err = cli(*data, "monitor", "ingest-raster", "--resume", "R-unknown")
    assert code == 2 and "R-unknown" in out + err
    code, out, err = cli(*data, "-v", "monitor", "ingest-raster", sample_dir / "ndvi" / "*.tif", "--site", "S011",
                         "--run", "--period", "6")
    assert code == 0, out + err
    assert "已完成 done" in out and "read amplification" in err  # -v prints bytes read ÷ bytes used
    run_id = out.split("planned run ")[1].split()[0]
    code, out, err = cli(*data, "monitor", "ingest-raster", "--resume", run_id)
    assert code == 0 and "4/4 tasks" in out  # nothing left to do: the run stays as it was
    code, out, err = cli(*data, "monitor", "runs")
    assert run_id in out and "已完成 done" in out and "读放大 amplification" in out
