"""One injury, many candidate replacements: equivalence totals for each candidate at once.

Planners compare the same debit against thousands of candidate projects, each with its own
service trajectory, relative value, pre-project level or unit cost. :func:`evaluate_batch` puts
the candidates on the leading "draw" axis of :func:`equivalence.methods.evaluate` — the same
core that :func:`equivalence.run_scenario` uses — so every number equals ``run_scenario`` for
that candidate's scenario (tested), with no Python loop per candidate.

Two things ``evaluate`` alone cannot do, and this module adds:

* Candidate trajectories with *different* point years. All are re-expressed on the union of their
  point years: a piecewise-linear path with constant ends is unchanged when it is sampled at
  extra points that include all of its own break points (between two union points it is linear;
  outside its own first/last point it is constant), so the levels are exact.
* Candidates that never gain. ``evaluate`` refuses a whole run when one draw earns no credit;
  here such candidates get ``gains = False`` and NaN credit / scale instead, and the others run.

Symbols and units are those of :mod:`equivalence.methods` (credit per unit in ha·yr per
replacement unit, or yuan per unit for value-to-cost; required scale in the replacement unit).
"""
from __future__ import annotations

import copy
from itertools import chain
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from .discount import make_schedule
from .methods import HEADLINES, evaluate
from .scenario import Scenario, horizon_year, parse_scenario
from .uncertainty import point_values


@dataclass
class BatchResult:
    """Totals for each of ``n`` candidates (arrays of shape (n,)); NaN where ``gains`` is False."""

    debit: np.ndarray
    debit_value: np.ndarray | None
    credit_per_unit: np.ndarray
    required_scale: np.ndarray
    required_area_ha: np.ndarray | None
    gains: np.ndarray
    variant: str

    def __len__(self) -> int:
        return int(self.gains.size)


def common_grid(levels: Sequence[Sequence[Sequence[float]]]) -> tuple[np.ndarray, np.ndarray]:
    """Put trajectories given as ``[[year, level], ...]`` (calendar years, increasing) on the
    union of their point years.

    Returns ``(years, values)`` with ``values[i]`` the levels of trajectory ``i`` at ``years``,
    exact under the piecewise-linear / constant-ends convention (see module docstring).
    Vectorised over trajectories: each is padded to the longest one by repeating its last
    level at later years (which leaves the path unchanged), then read at every union year.
    """
    n = len(levels)
    if n == 0:
        raise ValueError("no trajectories given")
    lengths = np.fromiter((len(p) for p in levels), dtype=int, count=n)
    if np.any(lengths == 0):
        raise ValueError(f"trajectory {int(np.argmax(lengths == 0))}: needs at least one [year, level] point")
    try:
        flat = np.fromiter(chain.from_iterable(chain.from_iterable(levels)), dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"trajectories must be lists of [year, level] pairs of numbers ({exc})") from None
    if flat.size != 2 * lengths.sum():
        raise ValueError("trajectories must be lists of [year, level] pairs")
    pts = flat.reshape(-1, 2)
    row = np.repeat(np.arange(n), lengths)
    years, vals = pts[:, 0], pts[:, 1]

    def first_bad(mask: np.ndarray, what: str) -> None:
        if mask.any():
            i = int(row[np.argmax(mask)])
            raise ValueError(f"trajectory {i}: {what}, got {[list(p) for p in levels[i]]!r}")

    first_bad(years != np.round(years), "years must be whole numbers")
    first_bad(~np.isfinite(vals) | (vals < 0), "levels must be finite and >= 0")
    same_row = np.r_[False, row[1:] == row[:-1]]
    first_bad(same_row & (np.r_[np.inf, np.diff(years)] <= 0), "years must increase")

    grid = np.unique(years).astype(int)
    width = int(lengths.max())
    start = np.r_[0, np.cumsum(lengths)[:-1]]
    col = np.arange(pts.shape[0]) - start[row]
    last = start + lengths - 1
    # padded (n, width): extra points repeat the last level one year apart after the last year
    pad = np.arange(width)[None, :] - (lengths - 1)[:, None]
    py = years[last][:, None] + np.maximum(pad, 0).astype(float)
    pv = np.repeat(vals[last][:, None], width, axis=1)
    py[row, col] = years
    pv[row, col] = vals
    if width == 1:
        return grid, np.repeat(pv, grid.size, axis=1)
    g = grid[None, :].astype(float)
    gc = np.clip(g, py[:, :1], py[:, -1:])                                   # (n, G)
    k = np.clip((py[:, None, :] <= gc[:, :, None]).sum(axis=2) - 1, 0, width - 2)
    y0, y1 = np.take_along_axis(py, k, 1), np.take_along_axis(py, k + 1, 1)
    v0, v1 = np.take_along_axis(pv, k, 1), np.take_along_axis(pv, k + 1, 1)
    f = (gc - y0) / (y1 - y0)
    return grid, v0 + (v1 - v0) * f


def _column(x: Any, n: int, name: str) -> np.ndarray:
    """A per-candidate input as an array (n,): a scalar is repeated."""
    arr = np.asarray(x, dtype=float).reshape(-1)
    if arr.size == 1:
        return np.full(n, arr[0])
    if arr.size == n:
        return arr.copy()
    raise ValueError(f"{name}: expected a scalar or {n} values, got {arr.size}")


def evaluate_batch(scenario: Mapping[str, Any] | Scenario, *,
                   levels: Sequence[Sequence[Sequence[float]]] | tuple[np.ndarray, np.ndarray] | None = None,
                   relative_value: Any = None, initial_level: Any = None, unit_cost: Any = None,
                   n: int | None = None) -> BatchResult:
    """Evaluate ``scenario`` once per candidate replacement.

    Parameters
    ----------
    scenario : mapping or Scenario
        A scenario (format v1). Its injury, base year, discount rate, timing and replacement
        years are shared by all candidates; distributions are used at their point values.
    levels : list of ``[[year, level], ...]`` or ``(years, values)``
        One replacement trajectory per candidate (calendar years; levels in the injured
        baseline's unit), for methods ``service`` and ``value`` / ``value_to_value``.
        ``(years, values)`` gives all candidates on shared point years, ``values`` (n, k).
    relative_value, initial_level : scalar or array (n,)
        Per-candidate ``replacement.relative_value`` (V, dimensionless) and
        ``replacement.initial_level`` (y0); default: the scenario's.
    unit_cost : scalar or array (n,)
        Per-candidate ``replacement.unit_cost`` (yuan per replacement unit), value-to-cost only.
    n : int
        Number of candidates when neither ``levels`` nor an array argument says it.

    Returns
    -------
    BatchResult
        Arrays (n,) equal to ``run_scenario(...).to_dict()`` totals of each candidate's scenario.
    """
    scn, grid_values = _shared_scenario(scenario, levels)
    sizes = [np.size(a) for a in (relative_value, initial_level, unit_cost) if a is not None]
    if grid_values is not None:
        sizes.append(grid_values.shape[0])
    count = n if n is not None else max(sizes + [1])
    values = _candidate_values(scn, count, grid_values, relative_value, initial_level, unit_cost)
    gains = _gains(scn, values, count)
    totals = evaluate(scn, values).totals
    out = {}
    for key in HEADLINES:
        v = totals[key]
        if v is None:
            out[key] = None
            continue
        v = np.broadcast_to(v, (count,)).astype(float).copy()
        if key != "debit" and key != "debit_value":
            v[~gains] = np.nan
        out[key] = v
    return BatchResult(debit=out["debit"], debit_value=out["debit_value"], credit_per_unit=out["credit_per_unit"],
                       required_scale=out["required_scale"], required_area_ha=out["required_area_ha"],
                       gains=gains, variant=scn.variant)


def _shared_scenario(scenario: Mapping[str, Any] | Scenario,
                     levels) -> tuple[Scenario, np.ndarray | None]:
    """The scenario every candidate shares (no uncertainty; with candidate trajectories, the
    replacement on their common point years) and the candidates' levels on those years (n, k)."""
    raw = copy.deepcopy(dict(scenario.raw if isinstance(scenario, Scenario) else scenario))
    raw.pop("uncertainty", None)
    grid_values = None
    if levels is not None:
        if isinstance(levels, tuple) and len(levels) == 2 and np.ndim(levels[1]) == 2:
            grid = np.asarray(levels[0], dtype=int)
            grid_values = np.asarray(levels[1], dtype=float)
        else:
            grid, grid_values = common_grid(levels)
        raw["replacement"] = {**dict(raw.get("replacement", {})),
                              "levels": [[int(y), 0.0] for y in grid]}
    return parse_scenario(raw), grid_values


def _candidate_values(scn: Scenario, count: int, grid_values: np.ndarray | None, relative_value: Any,
                      initial_level: Any, unit_cost: Any) -> dict:
    """The scenario's point values with the per-candidate inputs as columns (n,)."""
    variant = scn.variant
    rep = scn.replacement
    values = point_values(scn)
    if grid_values is not None:
        if variant not in ("service", "value_to_value"):
            raise ValueError(f"candidate trajectories need method service or value_to_value, not {variant}")
        if grid_values.shape[0] != count:
            raise ValueError(f"levels: expected {count} trajectories, got {grid_values.shape[0]}")
        for j, p in enumerate(rep.levels.params):
            values[p.path] = grid_values[:, j].copy()
    if relative_value is not None:
        if rep.relative_value is None:
            raise ValueError(f"method {variant} has no replacement.relative_value")
        rv = _column(relative_value, count, "relative_value")
        if np.any(~np.isfinite(rv)) or np.any(rv < 0):
            raise ValueError("relative_value must be finite and >= 0")
        values[rep.relative_value.path] = rv
    if initial_level is not None:
        if rep.initial_level is None:
            raise ValueError(f"method {variant} has no replacement.initial_level")
        values[rep.initial_level.path] = _column(initial_level, count, "initial_level")
    if unit_cost is not None:
        if variant != "value_to_cost":
            raise ValueError(f"unit_cost is a value_to_cost input, not {variant}")
        values[rep.unit_cost.path] = _column(unit_cost, count, "unit_cost")
    return values


def _gains(scn: Scenario, values: dict, count: int) -> np.ndarray:
    """Which candidates gain anything (n,); the others get stand-in inputs in ``values`` so
    :func:`evaluate` does not refuse the batch (their results are blanked)."""
    variant = scn.variant
    rep = scn.replacement
    gains = np.ones(count, dtype=bool)
    if variant == "value_to_cost":
        cost = np.broadcast_to(values[rep.unit_cost.path], (count,))
        gains = np.isfinite(cost) & (cost > 0)
        if not gains.all():
            values[rep.unit_cost.path] = np.where(gains, cost, 1.0)
    elif variant in ("service", "value_to_value"):
        # a candidate gains iff its level exceeds y0 at some year of the credit schedule (w > 0)
        horizon = horizon_year(rep.start_year, rep.levels, scn.injury.baseline) if rep.perpetuity else None
        sched = make_schedule(rep.start_year, rep.end_year, scn.timing, horizon)
        y = rep.levels.at(values, sched.read_at)
        y0 = np.asarray(values[rep.initial_level.path], dtype=float).reshape(-1, 1)
        rv = np.broadcast_to(np.asarray(values[rep.relative_value.path], dtype=float), (count,))
        # a tolerance: on the union grid a flat path is rebuilt as a(1-f) + a f, which can be
        # an ulp above a; run_scenario sees exactly a there and no gain
        tol = 1e-9 * np.maximum(1.0, np.abs(y0))
        gains = np.broadcast_to((y > y0 + tol).any(axis=1), (count,)) & (rv > 0)
        if not gains.all():
            for p in rep.levels.params:
                col = np.broadcast_to(values[p.path], (count,)).copy()
                col[~gains] = np.broadcast_to(y0[:, 0], (count,))[~gains] + 1.0
                values[p.path] = col
            rv_col = rv.copy()
            rv_col[~gains] = 1.0
            values[rep.relative_value.path] = rv_col
    # resource: quantities per project unit are not per-candidate inputs here
    return gains
