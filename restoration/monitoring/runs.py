"""A large raster ingest as a task table: tiles × periods, recorded in the store, resumable.

:func:`plan_run` records a run (layer ``raster_runs``) and its tasks (``raster_run_tasks``): the
sites grouped by the raster tile holding their first pixel, the dates cut into periods of
``period`` dates; one task per (tile, period) that has sites. :func:`execute_run` computes the
tasks not yet done, in submissions of a bounded graph size (a few thousand dask tasks whatever
the region), on the local threaded scheduler or the active ``distributed`` cluster, and writes
each task's values in one transaction together with its state, so a crash or a killed worker
leaves every task either done with all its rows or not done with none. :func:`resume_run`
continues a run that did not finish: finished tasks are neither recomputed nor written again.

Read amplification = bytes read ÷ bytes used: the decoded bytes of the raster chunks the tasks'
windows touch (a chunk shared by several tasks of one submission is read once, its bytes shared
between them) ÷ the bytes of the sites' own pixels.
"""
from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from .. import config
from ..errors import ConflictError, InputError, Issue
from ..store import Store
from ..validate import validate_frame
from .cluster import active_client
from .cube import grid_of, open_cube
from .indicators import get_indicator
from .ingest import _display_name, _location, _qc, check_cube_options, register_source
from .pixelcache import kept_pixel_map, map_key
from .pixelmap import PixelMap
from .series import write_series, writing
from .tiles import map_on_workers, site_tiles, spatial_chunks, window_of, window_weights
from .zonal import BlockWeights, _block_partials

log = logging.getLogger(__name__)

#: dates per period (task) by default
PERIOD = 12
#: dask tasks per submission, at most (one submission may exceed it by one run task)
MAX_GRAPH = 4000
NEED = frozenset({"mean", "count", "valid_fraction"})


@dataclass
class RunSummary:
    run_id: str
    state: str
    n_tasks: int
    tasks_done: int
    rows_written: int
    bytes_read: int
    bytes_used: int
    pixel_map_reused: bool = False

    @property
    def read_amplification(self) -> float | None:
        return self.bytes_read / self.bytes_used if self.bytes_used else None

    def summary(self) -> str:
        amp = self.read_amplification
        return (f"run {self.run_id} {self.state}: {self.tasks_done}/{self.n_tasks} tasks, {self.rows_written} values"
                + (f", read amplification {amp:.2f}" if amp is not None else ""))


def _sites_key(sites) -> str:
    h = hashlib.sha256()
    h.update("\x1f".join(sites["site_id"].astype(str)).encode())
    for wkb in sites.geometry.to_wkb():
        h.update(b"\x00" if wkb is None else wkb)
    return h.hexdigest()


def _sites(store, site_ids):
    sites = store.read("sites")
    if site_ids is not None:
        unknown = sorted(set(site_ids) - set(sites["site_id"]))
        if unknown:
            raise InputError(Issue(f"unknown site id(s): {', '.join(unknown[:20])}", source="sites"))
        sites = sites[sites["site_id"].isin(list(site_ids))]
    return sites[["site_id", "geometry"]].reset_index(drop=True)


def _weights(cube, sites, method: str, pixel_maps) -> tuple[PixelMap, bool]:
    if pixel_maps is None:
        return map_on_workers(cube, sites, method), False
    pm, built = kept_pixel_map(cube, sites, method, pixel_maps)
    return pm, not built


def _tasks(pm: PixelMap, cube: xr.DataArray, period: int) -> list[dict]:
    """The (tile, period) tasks with their sites (positions in the site list)."""
    ych, xch = spatial_chunks(cube)
    tiles = site_tiles(pm, ych, xch)
    n_t = int(cube.sizes["time"])
    out = []
    for tile in np.unique(tiles[tiles >= 0]):
        rows = np.flatnonzero(tiles == tile)
        for p in range(0, (n_t + period - 1) // period):
            out.append({"tile": int(tile), "period": p, "rows": rows})
    return out


def plan_run(store: Store, source: Any, *, indicator: str = "ndvi", label: str | None = None,
             method: str = "center", site_ids: Sequence[str] | None = None, min_valid_fraction: float = 0.5,
             period: int = PERIOD, actor: str = "cli", pixel_maps: str | Path | None = None,
             **cube_options) -> str:
    """Record a run of ``source`` for the store's sites (or ``site_ids``) as tiles × periods;
    returns its id. Nothing is computed yet: :func:`execute_run` does that."""
    ind = get_indicator(indicator)
    label = label or f"raster:{ind.code}"
    check_cube_options(cube_options)
    if period < 1:
        raise InputError(Issue("a period holds at least one date", field="--period"))
    cube = open_cube(source, **cube_options)
    sites = _sites(store, site_ids)
    if sites.empty:
        raise InputError(Issue("the store has no sites to compute values for; import the sites first", source="sites"))
    pm, _ = _weights(cube, sites, method, pixel_maps)
    tasks = _tasks(pm, cube, period)
    if not tasks:
        raise InputError(Issue(f"the raster covers none of the {len(sites)} sites; nothing was planned",
                               source=_display_name(source, cube)))
    run_id = f"R{config.now_utc('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:6]}"
    transform, crs, shape = grid_of(cube)
    options = {"method": method, "min_valid_fraction": float(min_valid_fraction), "period": int(period),
               "site_ids": list(site_ids) if site_ids is not None else None, "cube": _plain(cube_options),
               "grid": map_key(cube, sites.iloc[:0], method), "n_dates": int(cube.sizes["time"]),
               "label": label}
    record = {"run_id": run_id, "source": label, "indicator": ind.code, "location": _location(source),
              "options": options, "sites_key": _sites_key(sites), "state": "planned", "n_tasks": len(tasks),
              "tasks_done": 0, "rows_written": 0, "bytes_read": 0, "bytes_used": 0, "actor": actor,
              "created_at": config.now_utc(), "updated_at": config.now_utc()}
    rows = pd.DataFrame([{"task_id": f"{run_id}:{t['tile']}:{t['period']}", "run_id": run_id, "tile": t["tile"],
                          "period": t["period"], "state": "pending", "attempts": 0, "n_sites": len(t["rows"]),
                          "rows_written": 0, "bytes_read": 0, "bytes_used": 0} for t in tasks])
    with writing(store, actor) as tx:
        tx.insert("raster_runs", validate_frame("raster_runs", pd.DataFrame([record]), source="raster_runs").frame,
                  action="plan raster run")
        tx.insert("raster_run_tasks", validate_frame("raster_run_tasks", rows, source="raster_run_tasks").frame,
                  action="plan raster run")
    log.info("planned run %s: %d tasks (%d tiles x periods of %d dates)", run_id, len(tasks),
             len({t["tile"] for t in tasks}), period)
    return run_id


def _plain(options: dict) -> dict:
    return {k: v for k, v in options.items() if isinstance(v, (str, int, float, bool))}


def _source_of(location: str) -> Any:
    return json.loads(location) if location.startswith("[") else location


def _task_partials(block: np.ndarray, weights: BlockWeights) -> dict:
    """Runs on a worker: the sums of one task's window over its dates."""
    return _block_partials(np.asarray(block), weights, NEED)


def _bytes_read(batch: list[dict], ych, xch, itemsize: int) -> None:
    """Each task's share of the decoded chunk bytes its window touches (shared chunks split)."""
    yb, xb = np.r_[0, np.cumsum(ych)], np.r_[0, np.cumsum(xch)]
    users: dict[tuple, int] = {}
    for t in batch:
        r0, c0, h, w = t["window"]
        js = range(np.searchsorted(yb, r0, side="right") - 1, np.searchsorted(yb, r0 + h, side="left"))
        ks = range(np.searchsorted(xb, c0, side="right") - 1, np.searchsorted(xb, c0 + w, side="left"))
        t["chunks"] = [(t["period"], j, k) for j in js for k in ks]
        for key in t["chunks"]:
            users[key] = users.get(key, 0) + 1
    for t in batch:
        share = sum(ych[j] * xch[k] / users[(p, j, k)] for p, j, k in t["chunks"])
        t["bytes_read"] = int(round(share * t["n_t"] * itemsize))


def _rows_of(task: dict, sums: dict, pm: PixelMap, ids: np.ndarray, times: pd.DatetimeIndex, ind, label: str,
             min_valid: float, name: str) -> pd.DataFrame:
    rows = task["rows"]
    wv, wx = sums["w_valid"], sums["w_x"]
    total = pm.total_weight[rows][:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(wv > 0, wx / wv, np.nan)
        vf = np.where(total > 0, wv / total, np.nan)
    t = len(times)
    frame = pd.DataFrame({"site_id": np.repeat(ids[rows], t).astype(str), "time": np.tile(times.values, len(rows)),
                          "mean": mean.reshape(-1), "valid_fraction": vf.reshape(-1),
                          "flag": np.repeat(np.asarray(pm.flags, dtype=object)[rows], t)})
    frame = frame[frame["mean"].notna()].reset_index(drop=True)
    bad = (frame["mean"] < ind.low) | (frame["mean"] > ind.high)
    if bad.any():
        first = frame[bad].iloc[0]
        raise InputError(Issue(f"{int(bad.sum())} zonal means are outside the plausible range {ind.low:g}..{ind.high:g} "
                               f"of {ind.code} (e.g. site {first.site_id} on {pd.Timestamp(first.time).date()}); "
                               "is the raster's scale factor set?", source=name))
    qc = _qc(frame["valid_fraction"].to_numpy(), frame["flag"], min_valid)
    out = pd.DataFrame({"site_id": frame["site_id"].to_numpy(), "indicator": ind.code,
                        "time": pd.DatetimeIndex(frame["time"]).strftime("%Y-%m-%dT%H:%M:%S"),
                        "value": frame["mean"].astype(float).to_numpy(), "unit": ind.unit, "source": label,
                        "qc_flag": qc})
    return validate_frame("monitoring_series", out, source=name).frame


def _batches(tasks: list[dict], max_graph: int) -> list[list[dict]]:
    out, cur, size = [], [], 0
    for t in tasks:
        if cur and size + t["graph"] > max_graph:
            out.append(cur)
            cur, size = [], 0
        cur.append(t)
        size += t["graph"]
    return out + ([cur] if cur else [])


def _open(store: Store, run_id: str) -> dict:
    if not store.has_layer("raster_runs"):
        raise InputError(Issue("this store has no raster runs yet (upgrade it: restoration db upgrade)",
                               source="raster_runs"))
    found = store.read("raster_runs", run_id=run_id)
    if found.empty:
        raise InputError(Issue(f"no raster run {run_id}; `restoration monitor runs` lists them", field="--resume"))
    run = found.iloc[0].to_dict()
    run["options"] = run["options"] if isinstance(run["options"], dict) else json.loads(run["options"] or "{}")
    return run


def execute_run(store: Store, run_id: str, *, actor: str = "cli", pixel_maps: str | Path | None = None,
                max_graph: int = MAX_GRAPH, on_task: Callable[[str], None] | None = None) -> RunSummary:
    """Compute and write the tasks of run ``run_id`` not yet done (see the module docstring).
    ``on_task(task_id)`` is called after each task is stored (progress; tests stop a run there)."""
    run = _open(store, run_id)
    if run["state"] == "done":
        return _summary(store, run_id)
    opts = run["options"]
    source = _source_of(run["location"])
    cube = open_cube(source, **opts.get("cube", {}))
    name = _display_name(source, cube)
    sites = _sites(store, opts.get("site_ids"))
    if _sites_key(sites) != run["sites_key"]:
        raise ConflictError(f"the sites changed since run {run_id} was planned; plan a new run")
    if int(cube.sizes["time"]) != int(opts["n_dates"]) or map_key(cube, sites.iloc[:0], opts["method"]) != opts["grid"]:
        raise ConflictError(f"the rasters of run {run_id} ({name}) changed (dates or grid) since it was "
                            "planned; plan a new run")
    pm, reused = _weights(cube, sites, opts["method"], pixel_maps)
    ind = get_indicator(run["indicator"])
    ids = sites["site_id"].to_numpy()
    times = pd.DatetimeIndex(cube["time"].values)
    period = int(opts["period"])
    state = store.read("raster_run_tasks", run_id=run_id)
    done = set(state.loc[state["state"] == "done", "task_id"])
    ych, xch = spatial_chunks(cube)
    todo = [t for t in _tasks(pm, cube, period) if f"{run_id}:{t['tile']}:{t['period']}" not in done]
    attempts = dict(zip(state["task_id"], state["attempts"].fillna(0).astype(int)))
    data = cube.data if cube.chunks is not None else None
    _prepare(todo, run_id, pm, period, len(times), ych, xch)
    _set_run(store, actor, run_id, {"state": "running", "scheduler": _scheduler_name(), "error": None})
    failed = []
    itemsize = np.dtype(cube.dtype).itemsize
    for batch in _batches(todo, max_graph):
        _bytes_read(batch, ych, xch, itemsize)
        with writing(store, actor) as tx:  # a crash from here on leaves these tasks 'running'
            tx.update_many("raster_run_tasks", {t["id"]: {"state": "running", "attempts": attempts.get(t["id"], 0) + 1}
                                                for t in batch}, action="start raster run tasks")
        for t, sums in _compute(batch, cube, data, pm):
            if isinstance(sums, BaseException):
                failed.append((t, sums))
                _fail_task(store, actor, t, sums, attempts)
                continue
            try:
                frame = _rows_of(t, sums, pm, ids, times[t["times"]], ind, run["source"],
                                 float(opts["min_valid_fraction"]), name)
            except InputError as exc:
                failed.append((t, exc))
                _fail_task(store, actor, t, exc, attempts)
                continue
            _store_task(store, actor, run_id, t, frame, pm, itemsize, attempts, name)
            if on_task is not None:
                on_task(t["id"])
    summary = _summary(store, run_id)
    final = "done" if summary.tasks_done == summary.n_tasks else "failed"
    error = None if not failed else f"{len(failed)} task(s) failed, e.g. {failed[0][0]['id']}: {failed[0][1]}"
    with writing(store, actor, site_ids=ids) as tx:
        changes = {"state": final, "error": error, "updated_at": config.now_utc()}
        if summary.bytes_used:
            changes["read_amplification"] = summary.bytes_read / summary.bytes_used
        tx.update("raster_runs", run_id, changes, action=f"raster run {final}")
        if final == "done" and not isinstance(source, xr.DataArray):
            register_source(tx, run["source"], ind.code, source, cube, method=opts["method"], options=opts.get("cube", {}))
    summary.state, summary.pixel_map_reused = final, reused
    log.info("%s; bytes read %d, bytes used %d", summary.summary(), summary.bytes_read, summary.bytes_used)
    return summary


def _prepare(todo: list[dict], run_id: str, pm: PixelMap, period: int, n_times: int, ych, xch) -> None:
    """Each task's id, window, dates and an estimate of its dask graph size (reads, slices, sum)."""
    def n_chunks(n, ch):
        return max(1, int(np.ceil(n / max(ch)))) if ch else 1
    for t in todo:
        t["id"] = f"{run_id}:{t['tile']}:{t['period']}"
        t["window"] = window_of(pm, t["rows"])
        t0 = t["period"] * period
        t["times"] = slice(t0, min(t0 + period, n_times))
        t["n_t"] = t["times"].stop - t0
        t["graph"] = 2 + 3 * t["n_t"] * n_chunks(t["window"][2], ych) * n_chunks(t["window"][3], xch)


def _scheduler_name() -> str:
    client = active_client()
    return "local threads" if client is None else str(client.scheduler.address)


def _compute(batch: list[dict], cube, data, pm: PixelMap):
    """Yield ``(task, sums or the exception)`` for the tasks of one submission, as they finish."""
    import dask
    delayed = []
    for t in batch:
        r0, c0, h, w = t["window"]
        bw = BlockWeights(window_weights(pm, t["rows"], t["window"]), (h, w))
        if data is not None:
            block = data[t["times"], r0:r0 + h, c0:c0 + w]
        else:
            block = np.asarray(cube.values[t["times"], r0:r0 + h, c0:c0 + w])
        delayed.append(dask.delayed(_task_partials, pure=True)(block, bw))
    client = active_client()
    if client is None:
        try:
            results = dask.compute(*delayed)
        except Exception as exc:  # noqa: BLE001 - the whole submission failed: each task says so
            results = [exc] * len(batch)
        yield from zip(batch, results)
        return
    from distributed import as_completed
    futures = client.compute(delayed)
    where = {f.key: t for f, t in zip(futures, batch)}
    for fut in as_completed(futures):
        try:
            yield where[fut.key], fut.result()
        except Exception as exc:  # noqa: BLE001 - a killed worker, an unreadable block: the task failed
            yield where[fut.key], exc


def _store_task(store, actor, run_id, t, frame, pm, itemsize, attempts, name) -> None:
    used_px = np.unique(window_weights(pm, t["rows"], t["window"]).indices).size
    used = int(used_px * t["n_t"] * itemsize)
    with writing(store, actor, site_ids=frame["site_id"].unique() if len(frame) else None) as tx:
        n, _ = write_series(tx, frame, replace=True, action=f"ingest raster {name} (run {run_id})")
        tx.update("raster_run_tasks", t["id"], {"state": "done", "attempts": attempts.get(t["id"], 0) + 1,
                                                 "rows_written": n, "bytes_read": t["bytes_read"], "bytes_used": used,
                                                 "error": None, "finished_at": config.now_utc()},
                  action="raster run task done")
        run = tx.get("raster_runs", run_id)
        tx.update("raster_runs", run_id, {"tasks_done": int(run["tasks_done"] or 0) + 1,
                                          "rows_written": int(run["rows_written"] or 0) + n,
                                          "bytes_read": int(run["bytes_read"] or 0) + t["bytes_read"],
                                          "bytes_used": int(run["bytes_used"] or 0) + used,
                                          "updated_at": config.now_utc()}, action="raster run progress")


def _fail_task(store, actor, t, exc, attempts) -> None:
    log.warning("task %s failed: %s", t["id"], exc)
    with writing(store, actor) as tx:
        tx.update("raster_run_tasks", t["id"], {"state": "failed", "attempts": attempts.get(t["id"], 0) + 1,
                                                 "error": f"{type(exc).__name__}: {exc}"[:10_000]},
                  action="raster run task failed")


def _set_run(store, actor, run_id, changes) -> None:
    with writing(store, actor) as tx:
        tx.update("raster_runs", run_id, {**changes, "updated_at": config.now_utc()}, action="raster run state")


def _summary(store: Store, run_id: str) -> RunSummary:
    run = store.get("raster_runs", run_id)
    return RunSummary(run_id, str(run["state"]), int(run["n_tasks"] or 0), int(run["tasks_done"] or 0),
                      int(run["rows_written"] or 0), int(run["bytes_read"] or 0), int(run["bytes_used"] or 0))


def resume_run(store: Store, run_id: str, **kwargs) -> RunSummary:
    """Continue run ``run_id``: its unfinished tasks only (see :func:`execute_run`)."""
    return execute_run(store, run_id, **kwargs)


def list_runs(store: Store) -> pd.DataFrame:
    """The raster runs, newest first, with their progress and read amplification."""
    cols = ["run_id", "state", "source", "indicator", "n_tasks", "tasks_done", "rows_written", "bytes_read",
            "bytes_used", "read_amplification", "scheduler", "created_at", "updated_at", "error"]
    if not store.has_layer("raster_runs"):
        return pd.DataFrame(columns=cols)
    runs = store.read("raster_runs")
    return runs[cols].sort_values("created_at", ascending=False).reset_index(drop=True)


__all__ = ["MAX_GRAPH", "PERIOD", "RunSummary", "execute_run", "list_runs", "plan_run", "resume_run"]
