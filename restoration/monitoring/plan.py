"""Planned trajectories of indicator targets, read in the equivalence engine's forms.

``indicator_targets.planned_trajectory`` holds one of:

* a list of ``[time, level]`` points — time as a (decimal) year or an ISO date; the level is
  linearly interpolated between points, the first value holds before the first point and the last
  value after the last (DESIGN.md "Equivalence conventions"; evaluated with
  ``equivalence.interpolation_matrix``);
* a shape mapping ``{"shape": "linear" | "exponential" | "logistic" | "step", "from": [year,
  level], "to": [year, level], ...}`` — parsed and expanded to yearly points by
  ``equivalence.trajectory.parse_trajectory`` itself, so a plan here and a scenario there give
  the same levels;
* nothing — then the straight line from (baseline_date, baseline) to (target_date, target).
"""
from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..errors import InputError, Issue


def decimal_year(when: Any) -> float:
    """A date (or a number, returned as is) as a decimal year: mid-day of its day of year over
    365.25-day years — the convention of the sample generator's recovery curves."""
    if isinstance(when, (int, float, np.integer, np.floating)) and not isinstance(when, bool):
        return float(when)
    ts = pd.Timestamp(when)
    return ts.year + (ts.day_of_year - 0.5) / 365.25


def plan_points(target: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray] | None:
    """``(years, levels)`` of a target's planned trajectory, or None without a plan."""
    spec = target.get("planned_trajectory")
    where = f"indicator_targets {target.get('site_id')}/{target.get('indicator')}"
    if isinstance(spec, str) and spec.strip():
        import json
        try:
            spec = json.loads(spec)
        except json.JSONDecodeError as exc:
            raise InputError(Issue(f"planned_trajectory is not JSON: {exc.msg}", source=where)) from None
    if spec in (None, [], {}) or (isinstance(spec, float) and math.isnan(spec)):
        b, t = target.get("baseline"), target.get("target")
        d0, d1 = target.get("baseline_date"), target.get("target_date")
        if None in (b, t, d0, d1) or any(isinstance(v, float) and math.isnan(v) for v in (b, t)):
            return None
        return np.array([decimal_year(d0), decimal_year(d1)]), np.array([float(b), float(t)])
    if isinstance(spec, Mapping) and "levels" in spec and "shape" not in spec:
        spec = spec["levels"]
    if isinstance(spec, Mapping):
        from equivalence.errors import ScenarioError
        from equivalence.trajectory import parse_trajectory
        try:
            traj = parse_trajectory(dict(spec), "planned_trajectory", lower=-math.inf)
        except ScenarioError as exc:
            raise InputError(Issue(str(exc), source=where)) from None
        params = list(traj.params) + list(traj.shape_params.values())
        values = {p.path: np.array([p.point]) for p in params}
        pts = traj.points(values)
        return np.array([p[0] for p in pts], float), np.array([p[1] for p in pts], float)
    if not isinstance(spec, (list, tuple)) or not spec:
        raise InputError(Issue("planned_trajectory must be [[year or date, level], ...] or a shape "
                               "mapping", source=where))
    years, levels = [], []
    for i, pt in enumerate(spec):
        if not isinstance(pt, (list, tuple)) or len(pt) != 2:
            raise InputError(Issue(f"point {i}: expected [year or date, level], got {pt!r}", source=where))
        try:
            years.append(decimal_year(pt[0]))
            levels.append(float(pt[1]))
        except (ValueError, TypeError):
            raise InputError(Issue(f"point {i}: cannot read {pt!r}", source=where)) from None
    years_a = np.asarray(years)
    if np.any(np.diff(years_a) <= 0):
        raise InputError(Issue("planned_trajectory points must be in increasing time order", source=where))
    return years_a, np.asarray(levels)


def planned_level(target: Mapping[str, Any], when: Any) -> float | None:
    """The planned level at ``when`` (date or decimal year), or None without a plan."""
    pts = plan_points(target)
    if pts is None:
        return None
    from equivalence import interpolation_matrix
    years, levels = pts
    return float((interpolation_matrix(years, [decimal_year(when)]) @ levels)[0])
