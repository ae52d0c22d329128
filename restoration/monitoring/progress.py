"""Restoration progress against plan, status per site and indicator, and the alert list.

For every target (``indicator_targets``: site, indicator, baseline, target, direction, planned
trajectory, optional reference site):

* ``current`` — mean of the usable observations in the ``window_days`` before ``today`` (the
  last observation if none is that recent; ``stale`` then says so);
* ``progress = (current − baseline) / (target − baseline)`` — 0 at baseline, 1 at target, in
  either direction (lower-is-better indicators have target < baseline, so the sign works out);
* ``planned_progress`` — the same ratio for the planned level at ``today`` (clipped to 0..1);
* ``status``:

  - ``achieved`` (已达标): progress ≥ 1;
  - ``on_track`` (按计划): shortfall = planned_progress − progress ≤ ``on_track`` tolerance
    (default 0.10) and the target date has not passed;
  - ``lagging`` (滞后): shortfall ≤ ``lagging`` tolerance (default 0.30), or within the on-track
    tolerance but past the target date;
  - ``at_risk`` (有风险): a larger shortfall;
  - ``no_data`` (无数据): no usable observation up to ``today``.

Alerts collect every lagging, at-risk or data-less target, stale series (last observation older
than ``stale_days``), and concentration samples above twice their target (the HJ 25.5-2018
exceedance bound, see :mod:`.evaluation`).
"""
from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .. import config
from ..store import Store
from .indicators import INDICATORS, canonical_code, direction_of
from ..messages import Message, Term
from ..vocab import PROGRESS_STATUS
from .plan import decimal_year, plan_points
from .series import read_series

#: progress status -> (中文, English): the vocabulary's (``restoration.vocab.statuses``)
STATUS = PROGRESS_STATUS
DEFAULT_TOLERANCES = {"on_track": 0.10, "lagging": 0.30}
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def _today(today: Any) -> pd.Timestamp:
    return pd.Timestamp(config.today()) if today is None else pd.Timestamp(today)


def progress_ratio(current: float, baseline: float, target: float) -> float:
    """(current − baseline) / (target − baseline); 1 when the target equals the baseline and is met."""
    if target == baseline:
        return 1.0 if current == target else 0.0
    return (current - baseline) / (target - baseline)


def classify(progress: float, planned_progress: float | None, past_due: bool,
             tolerances: Mapping[str, float] | None = None) -> str:
    """Status from progress and planned progress (see the module docstring)."""
    tol = {**DEFAULT_TOLERANCES, **(tolerances or {})}
    if progress is None or (isinstance(progress, float) and math.isnan(progress)):
        return "no_data"
    if progress >= 1.0 - 1e-12:
        return "achieved"
    planned = 1.0 if past_due else (planned_progress if planned_progress is not None else 0.0)
    shortfall = planned - progress
    if shortfall <= tol["on_track"] and not past_due:
        return "on_track"
    if shortfall <= tol["lagging"]:
        return "lagging"
    return "at_risk"


def _targets(store: Store, case_id: str | None) -> pd.DataFrame:
    targets = store.read("indicator_targets")
    sites = store.read("sites")[["site_id", "case_id", "name", "role"]]
    frame = targets.merge(sites, on="site_id", how="left")
    if case_id is not None:
        store.get("cases", case_id)  # NotFoundError names an unknown case
        frame = frame[frame["case_id"] == case_id]
    return frame.reset_index(drop=True)


def _windows(series: pd.DataFrame, today: pd.Timestamp, window_days: int) -> dict[tuple, tuple]:
    """Per (site_id, indicator): the current value, the number of observations used, the last
    observation time and the stale flag — the mean of the observations in the ``window_days``
    before ``today``, else (stale) the mean of those at the last time — for all series at once."""
    keys = ["site_id", "indicator"]
    obs = series[series["time"] <= today + pd.Timedelta(days=1) - pd.Timedelta(seconds=1)]
    if obs.empty:
        return {}
    last = obs.groupby(keys, sort=False, dropna=False)["time"].max()
    recent = obs[obs["time"] > today - pd.Timedelta(days=window_days)]
    recent = recent.groupby(keys, sort=False, dropna=False)["value"].agg(["mean", "count"])
    at_last = obs.join(last.rename("_last"), on=keys)
    at_last = at_last[at_last["time"] == at_last["_last"]].groupby(keys, sort=False, dropna=False)["value"]
    at_last = at_last.agg(["mean", "count"])
    recent = dict(zip(recent.index, zip(recent["mean"], recent["count"])))
    at_last = dict(zip(at_last.index, zip(at_last["mean"], at_last["count"])))
    out = {}
    for key, when in last.items():
        stale = key not in recent
        mean, count = at_last[key] if stale else recent[key]
        out[key] = (float(mean), int(count), when, stale)
    return out


def _planned(target: Mapping[str, Any], year: float) -> float | None:
    """The planned level at decimal ``year`` (``plan.planned_level``: piecewise linear between the
    plan's points, flat outside them), or None without a plan."""
    spec = target.get("planned_trajectory")
    if type(spec) is list and spec and all(type(p) is list and len(p) == 2 and type(p[0]) in _NUMBERS
                                           and type(p[1]) in _NUMBERS for p in spec):
        years = [p[0] for p in spec]  # decimal years already: the common plan, read without plan_points
        if all(a < b for a, b in zip(years, years[1:])):
            return float(np.interp(year, years, [p[1] for p in spec]))
    pts = plan_points(target)
    if pts is None:
        return None
    return float(np.interp(year, pts[0], pts[1]))


_NUMBERS = (int, float)


def progress_table(store: Store, case_id: str | None = None, *, today: Any = None,
                   window_days: int = 90, tolerances: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Progress and status of every target (of one case with ``case_id``) as of ``today``.

    Columns: case_id, site_id, site_name, indicator, indicator_zh, unit, direction, baseline,
    target, baseline_date, target_date, current, n_obs, last_observation, stale, planned,
    planned_progress, progress, shortfall, status, status_zh, status_en, reference_site_id,
    reference_current, share_of_reference.
    """
    when = _today(today)
    year = decimal_year(when)
    targets = _targets(store, case_id)
    ids = sorted(set(targets["site_id"]) | set(targets["reference_site_id"].dropna()))
    series = read_series(store, ids, sorted(set(targets["indicator"])))
    windows = _windows(series, when, window_days)
    nothing = (math.nan, 0, None, False)
    due = pd.to_datetime(targets["target_date"], errors="coerce")
    past_due_all = (due.notna() & (when > due)).to_numpy()
    rows = []
    for t, past_due in zip(targets.to_dict("records"), past_due_all):
        code = canonical_code(t["indicator"]) or t["indicator"]
        current, n_obs, last, stale = windows.get((t["site_id"], t["indicator"]), nothing)
        baseline, target = float(t["baseline"]), float(t["target"])
        direction = direction_of(t["indicator"], t.get("direction"))
        progress = progress_ratio(current, baseline, target) if not math.isnan(current) else math.nan
        planned = _planned(t, year)
        planned_progress = None
        if planned is not None:
            planned_progress = float(np.clip(progress_ratio(planned, baseline, target), 0.0, 1.0))
        past_due = bool(past_due)
        status = classify(progress, planned_progress, past_due, tolerances)
        ref_current = share = math.nan
        ref = t.get("reference_site_id")
        if isinstance(ref, str) and ref:
            ref_current = windows.get((ref, t["indicator"]), nothing)[0]
            if ref_current and not math.isnan(ref_current) and not math.isnan(current):
                share = current / ref_current
        ind = INDICATORS.get(code)
        rows.append({
            "case_id": t.get("case_id"), "site_id": t["site_id"], "site_name": t.get("name"),
            "indicator": t["indicator"], "indicator_zh": ind.zh if ind else t["indicator"],
            "unit": t["unit"], "direction": direction, "baseline": baseline, "target": target,
            "baseline_date": t.get("baseline_date"), "target_date": t.get("target_date"),
            "current": current, "n_obs": n_obs, "last_observation": last, "stale": stale,
            "planned": planned if planned is not None else math.nan,
            "planned_progress": planned_progress if planned_progress is not None else math.nan,
            "progress": progress,
            "shortfall": (1.0 if past_due else (planned_progress or 0.0)) - progress
            if not math.isnan(progress) else math.nan,
            "status": status, "status_zh": STATUS[status][0], "status_en": STATUS[status][1],
            "reference_site_id": ref if isinstance(ref, str) else None,
            "reference_current": ref_current, "share_of_reference": share,
        })
    cols = ["case_id", "site_id", "site_name", "indicator", "indicator_zh", "unit", "direction", "baseline",
            "target", "baseline_date", "target_date", "current", "n_obs", "last_observation", "stale",
            "planned", "planned_progress", "progress", "shortfall", "status", "status_zh", "status_en",
            "reference_site_id", "reference_current", "share_of_reference"]
    return pd.DataFrame(rows, columns=cols)


def alerts(store: Store, case_id: str | None = None, *, today: Any = None, window_days: int = 90,
           stale_days: int = 120, tolerances: Mapping[str, float] | None = None,
           table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Everything a supervisor should look at, most severe first.

    Columns: severity (high / medium / low), kind (at_risk, lagging, no_data, stale,
    exceedance), case_id, site_id, indicator, time, message_zh, message_en, and message (a
    :class:`restoration.messages.Message`: the same alert as a code and parameters).
    """
    when = _today(today)
    table = progress_table(store, case_id, today=when, window_days=window_days,
                           tolerances=tolerances) if table is None else table
    out = []

    def add(sev, kind, row, zh, en, time=None, message=None):
        out.append({"severity": sev, "kind": kind, "case_id": row["case_id"], "site_id": row["site_id"],
                    "indicator": row["indicator"], "time": time, "message_zh": zh, "message_en": en,
                    "message": message})

    def msg(code, row, **params):  # the same alert as a code + parameters (shown via the dictionaries)
        return Message(code, {"site": row["site_id"], "indicator": Term("indicator", row["indicator"]), **params})

    # the columns the alerts need, as records once (a province's 40,000 targets: no per-row frames)
    records = table[["case_id", "site_id", "indicator", "indicator_zh", "unit", "direction", "target", "progress",
                     "planned_progress", "status", "status_zh", "status_en", "last_observation"]].to_dict("records")
    for row in records:
        name = f"{row['site_id']} {row['indicator_zh']}"
        if row["status"] in ("at_risk", "lagging"):
            sev = "high" if row["status"] == "at_risk" else "medium"
            zh = (f"{name}：进度 {row['progress']:.0%}，计划 "
                  f"{(row['planned_progress'] if not math.isnan(row['planned_progress']) else 0):.0%}"
                  f"（{row['status_zh']}）")
            en = (f"{row['site_id']} {row['indicator']}: progress {row['progress']:.0%} vs planned "
                  f"{(row['planned_progress'] if not math.isnan(row['planned_progress']) else 0):.0%} "
                  f"({row['status_en']})")
            planned = row["planned_progress"] if not math.isnan(row["planned_progress"]) else 0
            add(sev, row["status"], row, zh, en, row["last_observation"],
                msg("alert.progress", row, progress=row["progress"], planned=planned,
                    status=Term("progress_status", row["status"])))
        elif row["status"] == "no_data":
            add("medium", "no_data", row, f"{name}：无监测数据", f"{row['site_id']} {row['indicator']}: no data",
                message=msg("alert.no_data", row))
        last = row["last_observation"]
        if last is not None and not pd.isna(last) and (when - pd.Timestamp(last)).days > stale_days:
            days = (when - pd.Timestamp(last)).days
            add("low", "stale", row, f"{name}：最近一次监测在 {days} 天前",
                f"{row['site_id']} {row['indicator']}: last observation {days} days ago", last,
                msg("alert.stale", row, days=days))
    # concentrations: any recent sample above twice its target (their series read at once)
    rows = [(row, ind) for row in records
            for ind in [INDICATORS.get(canonical_code(row["indicator"]) or "")]
            if ind is not None and ind.kind == "concentration" and row["direction"] == "lower"]
    series = read_series(store, sorted({r["site_id"] for r, _ in rows}), sorted({r["indicator"] for r, _ in rows})) \
        if rows else None
    recent = series[(series["time"] <= when) & (series["time"] > when - pd.Timedelta(days=window_days))] \
        if rows else None
    samples = {k: g for k, g in recent.groupby(["site_id", "indicator"])} if rows and len(recent) else {}
    for row, ind in rows:
        obs = samples.get((row["site_id"], row["indicator"]))
        if obs is None:
            continue
        over = obs[obs["value"] > 2 * row["target"]]
        if not over.empty:
            worst = over.loc[over["value"].idxmax()]
            add("high", "exceedance", row,
                f"{row['site_id']} {ind.zh}：{worst['time'].date()} 样品 {worst['value']:g} {row['unit']} "
                f"超过目标值 {row['target']:g} 的 2 倍",
                f"{row['site_id']} {row['indicator']}: sample of {worst['time'].date()} {worst['value']:g} "
                f"{row['unit']} above twice the target {row['target']:g}", worst["time"],
                msg("alert.exceedance", row, date=str(worst["time"].date()), value=float(worst["value"]),
                    unit=row["unit"], target=float(row["target"])))
    frame = pd.DataFrame(out, columns=["severity", "kind", "case_id", "site_id", "indicator", "time",
                                       "message_zh", "message_en", "message"])
    if frame.empty:
        return frame
    frame["_o"] = frame["severity"].map(SEVERITY_ORDER)
    return frame.sort_values(["_o", "case_id", "site_id", "indicator"], kind="stable").drop(
        columns="_o").reset_index(drop=True)
