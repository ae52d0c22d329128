"""The raster commands on a dask.distributed cluster (a LocalCluster of 2 worker processes):
the same values as on local threads, the pixel map built on the workers equal to the local one,
a run that survives a killed worker (no task lost, no duplicate row), and clear refusals of an
unreachable scheduler and of rasters the workers cannot read."""
from __future__ import annotations

import os
import signal
import subprocess

import numpy as np
import pytest
from restoration.monitoring import open_cube, pixel_map
from restoration.monitoring import cluster as cluster_mod
from restoration.monitoring import tiles
from restoration.monitoring.runs import execute_run, plan_run

from ..markers import brings

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
@brings("subprocess")
def local_cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit="1GiB",
                                  dashboard_address=None) as lc:
        yield lc


def _series(store, sites=None):
    got = store.read("monitoring_series", source="raster:ndvi", site_id=sites)
    return got.sort_values(["site_id", "time"])[["site_id", "time", "value", "qc_flag"]].reset_index(drop=True)


class _Out:
    def __init__(self, code, out, err):
        self.exit_code, self.output = code, out + err


def test_ingest_on_the_cluster_gives_the_local_values(cli, gpkg_store, sample_dir, local_cluster, tmp_path):
    files = str(sample_dir / "ndvi" / "*.tif")
    sites = ["S011", "S016", "S003"]
    args = ["monitor", "ingest-raster", files, *sum((["--site", s] for s in sites), [])]
    local = _Out(*cli('--data', gpkg_store.data_dir, *args))
    assert local.exit_code == 0, local.output
    want = _series(gpkg_store, sites)
    on_cluster = _Out(*cli('--data', gpkg_store.data_dir, *[*args, "--scheduler", local_cluster.scheduler_address]))
    assert on_cluster.exit_code == 0, on_cluster.output
    got = _series(gpkg_store, sites)
    assert len(got) == len(want) > 0
    np.testing.assert_array_equal(got["value"], want["value"])  # to the last digit
    run = _Out(*cli('--data', gpkg_store.data_dir, *[*args, "--run", "--period", "12", "--scheduler", local_cluster.scheduler_address]))
    assert run.exit_code == 0 and "done" in run.output, run.output
    np.testing.assert_allclose(_series(gpkg_store, sites)["value"], want["value"], rtol=1e-12)
    runs = _Out(*cli('--data', gpkg_store.data_dir, *["monitor", "runs", "--json"]))
    assert local_cluster.scheduler_address in runs.output


def test_pixel_map_built_on_the_workers_equals_the_local_map(gpkg_store, sample_dir, local_cluster, monkeypatch):
    monkeypatch.setattr(tiles, "MIN_SITES_PER_TASK", 2)
    cube = open_cube(sample_dir / "ndvi" / "*.tif", chunks=128)
    sites = gpkg_store.read("sites")[["site_id", "geometry"]]
    with distributed.Client(local_cluster.scheduler_address) as client:
        remote = {m: tiles.map_on_workers(cube, sites, m, client=client) for m in ("center", "coverage")}
    local = {m: pixel_map(cube, sites, m) for m in ("center", "coverage")}
    assert (remote["center"].matrix != local["center"].matrix).nnz == 0
    for m in ("center", "coverage"):
        assert remote[m].flags == local[m].flags
        assert (remote[m].matrix.indices == local[m].matrix.indices).all()  # the same pixels, site by site
        # coverage fractions are summed per group of sites: equal to the last bit or two
        np.testing.assert_allclose(remote[m].matrix.data, local[m].matrix.data, rtol=0, atol=1e-15)
        np.testing.assert_allclose(remote[m].area_px, local[m].area_px, rtol=1e-15)


def test_run_survives_a_killed_worker_without_losing_or_duplicating(gpkg_store, sample_dir, local_cluster):
    files = str(sample_dir / "ndvi" / "*.tif")
    run_id = plan_run(gpkg_store, files, period=8, chunks=200)
    killed = []
    with distributed.Client(local_cluster.scheduler_address) as client, client.as_current():
        def kill_one(task_id):
            if not killed:  # a worker process dies mid-run (its nanny starts another)
                pid = next(iter(client.run(os.getpid).values()))
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
        first = execute_run(gpkg_store, run_id, on_task=kill_one, max_graph=60)
        tasks = gpkg_store.read("raster_run_tasks", run_id=run_id)
        if first.state != "done":  # tasks lost with the worker are left failed, then resumed
            assert set(tasks["state"]) <= {"done", "failed"}
            again = execute_run(gpkg_store, run_id)
            assert again.state == "done"
    assert killed
    tasks = gpkg_store.read("raster_run_tasks", run_id=run_id)
    assert set(tasks["state"]) == {"done"} and len(tasks) == first.n_tasks
    got = _series(gpkg_store)
    assert not got.duplicated(["site_id", "time"]).any()
    assert tasks["rows_written"].sum() == len(got)


def test_unreachable_scheduler_is_refused_and_nothing_written(cli, gpkg_store, sample_dir, monkeypatch):
    monkeypatch.setattr(cluster_mod, "CONNECT_TIMEOUT", 1.0)
    before = len(gpkg_store.read("monitoring_series"))
    monkeypatch.setenv("RESTORATION_SCHEDULER", "tcp://127.0.0.1:9")
    out = _Out(*cli('--data', gpkg_store.data_dir, *["monitor", "ingest-raster", str(sample_dir / "ndvi" / "*.tif")]))
    assert out.exit_code == 2 and "tcp://127.0.0.1:9" in out.output and "no scheduler answers" in out.output
    assert len(gpkg_store.read("monitoring_series")) == before


def test_rasters_the_workers_cannot_read_are_refused(cli, gpkg_store, local_cluster, tmp_path):
    missing = tmp_path / "only-on-this-machine" / "ndvi_2025-01-15.tif"
    before = len(gpkg_store.read("monitoring_series"))
    out = _Out(*cli("--data", gpkg_store.data_dir, "monitor", "zonal", missing, "--out", tmp_path / "z.csv",
                    "--scheduler", local_cluster.scheduler_address))
    assert out.exit_code == 2 and "cannot read the rasters" in out.output and str(missing) in out.output
    assert not (tmp_path / "z.csv").exists() and len(gpkg_store.read("monitoring_series")) == before


def test_workers_without_the_package_are_refused(cli, processes, gpkg_store, sample_dir, tmp_path):
    import socket
    import sys
    import time
    blocker = tmp_path / "no_restoration.py"
    blocker.write_text("import sys\nsys.modules['restoration'] = None  # this worker has no project installed\n")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    procs = [processes.popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                              "--port", str(port), "--no-dashboard"], env=env, stderr=subprocess.DEVNULL)]
    try:
        time.sleep(1.5)
        procs.append(processes.popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--no-nanny",
                                      "--nthreads", "1", "--no-dashboard", "--preload", str(blocker)],
                                     stderr=subprocess.DEVNULL, env=env))
        before = len(gpkg_store.read("monitoring_series"))
        out = _Out(*cli("--data", gpkg_store.data_dir, "monitor", "ingest-raster", sample_dir / "ndvi" / "*.tif",
                        "--scheduler", address))
        assert out.exit_code == 2 and address in out.output, out.output
        assert "cannot import the restoration package" in out.output
        assert len(gpkg_store.read("monitoring_series")) == before
    finally:
        for p in procs[::-1]:
            p.terminate()
            p.wait(timeout=10)
