"""Trajectories: a level (or a quantity) as a function of the calendar year.

Convention (DESIGN.md, "Equivalence conventions (scenario format v1)"): a trajectory is a list of
``[year, level]`` points; ``level(t)`` is linear interpolation between points, the first point's
value before the first point and the last value after the last point. This is the piecewise-linear
service path of NOAA's HEA overview (1995/2006) and of the REMEDE toolkit (2008); those documents
draw such paths but the exact wording could not be checked for this code.

Shape forms expand to **yearly points** from the ``from`` year to the ``to`` year; after that they
are ordinary points, so the yearly table of a run shows exactly the levels used:

* ``linear``:      g(t) = (t − t0) / (t1 − t0)
* ``exponential``: g(t) = (1 − e^{−k (t − t0)}) / (1 − e^{−k (t1 − t0)}),  k = ``rate`` (1/yr) > 0
* ``logistic``:    g(t) = (σ(s (t − m)) − σ(s (t0 − m))) / (σ(s (t1 − m)) − σ(s (t0 − m))),
  σ(z) = 1/(1 + e^{−z}), s = ``steepness`` (1/yr) > 0, m = ``midpoint`` (year, default (t0 + t1)/2)
* ``step``:        g(t) = 0 for t < t1, 1 from t1 on

and level(t) = l0 + (l1 − l0) · g(t) for the yearly points t = t0 … t1. Between yearly points the
usual linear interpolation applies (so with ``timing: mid_year`` a step is read half-way at
t1 − 0.5). The normalisation makes every shape pass exactly through both end points.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import invalid
from .params import Param, parse_scalar, to_year

SHAPES = ("linear", "exponential", "logistic", "step")
#: most points (or shape years) one trajectory may hold: a bound on memory for hostile input
MAX_POINTS = 1000
_SHAPE_KEYS = {
    "linear": ({"from", "to"}, set()),
    "exponential": ({"from", "to", "rate"}, set()),
    "logistic": ({"from", "to", "steepness"}, {"midpoint"}),
    "step": ({"from", "to"}, set()),
}


def interpolation_matrix(point_years: Sequence[float], read_at: Sequence[float]) -> np.ndarray:
    """Matrix ``M`` (len(read_at) × len(point_years)) with ``level(read_at) = M @ point_values``.

    Piecewise-linear interpolation, constant before the first and after the last point — the
    same as ``numpy.interp`` but usable on many draws of point values at once
    (``values @ M.T``).
    """
    xp = np.asarray(point_years, dtype=float)
    x = np.asarray(read_at, dtype=float)
    m = np.zeros((x.size, xp.size))
    if xp.size == 1:
        m[:, 0] = 1.0
        return m
    xc = np.clip(x, xp[0], xp[-1])
    i = np.clip(np.searchsorted(xp, xc, side="right") - 1, 0, xp.size - 2)
    f = (xc - xp[i]) / (xp[i + 1] - xp[i])
    rows = np.arange(x.size)
    m[rows, i] = 1.0 - f
    m[rows, i + 1] += f
    return m


def _stack(columns: list[np.ndarray]) -> np.ndarray:
    """Stack (1,)- or (n,)-shaped draw arrays into shape (k, len(columns))."""
    cols = np.broadcast_arrays(*[np.asarray(c, dtype=float).reshape(-1) for c in columns])
    return np.stack(cols, axis=1)


def shape_g(shape: str, years: np.ndarray, t0: int, t1: int, params: Mapping[str, np.ndarray]) -> np.ndarray:
    """Normalised shape g(t) in [0, 1] at ``years`` (see module docstring), shape (k, len(years)).

    ``params`` values are arrays of draws (shape (1,) or (n,)): ``rate`` (1/yr), ``steepness``
    (1/yr), ``midpoint`` (year).
    """
    t = np.asarray(years, dtype=float).reshape(1, -1)
    if shape == "linear":
        return (t - t0) / (t1 - t0)
    if shape == "step":
        return (t >= t1).astype(float)
    if shape == "exponential":
        k = np.asarray(params["rate"], dtype=float).reshape(-1, 1)
        return -np.expm1(-k * (t - t0)) / -np.expm1(-k * (t1 - t0))
    if shape == "logistic":
        s = np.asarray(params["steepness"], dtype=float).reshape(-1, 1)
        mid = np.asarray(params["midpoint"], dtype=float).reshape(-1, 1)

        def sig(z):
            return 0.5 * (1.0 + np.tanh(0.5 * z))  # overflow-free logistic

        lo, hi = sig(s * (t0 - mid)), sig(s * (t1 - mid))
        return (sig(s * (t - mid)) - lo) / (hi - lo)
    raise ValueError(f"unknown shape {shape!r}")


@dataclass(frozen=True)
class Trajectory:
    """A parsed trajectory. ``kind`` is ``constant``, ``points`` or ``shape``.

    ``years`` are the point years (for shapes: every year from ``from`` to ``to``); ``params``
    the scalar inputs it depends on.
    """

    path: str
    kind: str
    years: np.ndarray
    params: tuple[Param, ...]
    shape: str | None = None
    shape_params: Mapping[str, Param] = field(default_factory=dict)

    @property
    def last_year(self) -> int | None:
        """Year of the last point (None for a constant): after it the level no longer changes."""
        return None if self.kind == "constant" else int(self.years[-1])

    def point_values(self, values: Mapping[str, np.ndarray]) -> np.ndarray:
        """Levels at the point years for each draw, shape (k, n_points)."""
        if self.kind in ("constant", "points"):
            return _stack([values[p.path] for p in self.params])
        sp = {k: np.asarray(values[p.path], dtype=float) for k, p in self.shape_params.items()}
        t0, t1 = int(self.years[0]), int(self.years[-1])
        g = shape_g(self.shape, self.years, t0, t1, sp)
        l0 = sp["from"].reshape(-1, 1)
        l1 = sp["to"].reshape(-1, 1)
        return l0 + (l1 - l0) * g

    def at(self, values: Mapping[str, np.ndarray], read_at: np.ndarray) -> np.ndarray:
        """Levels at the times ``read_at`` (years), shape (k, len(read_at))."""
        pv = self.point_values(values)
        if self.kind == "constant":
            return np.repeat(pv, np.size(read_at), axis=1)
        return pv @ interpolation_matrix(self.years, read_at).T

    def points(self, values: Mapping[str, np.ndarray]) -> list[list[float]] | float:
        """The (first draw's) points as ``[[year, level], ...]`` — the expansion of a shape;
        a constant trajectory gives its value."""
        pv = self.point_values(values)[0]
        if self.kind == "constant":
            return float(pv[0])
        return [[int(y), float(v)] for y, v in zip(self.years, pv)]


def parse_trajectory(spec: Any, path: str, *, lower: float = 0.0, lower_open: bool = False,
                     what: str = "level", allow_constant: bool = True) -> Trajectory:
    """Parse a trajectory: a number (constant), ``[[year, level], ...]`` or a shape mapping.

    Errors name the key path, e.g. ``injury.levels[2]: year 2019 repeats``.
    """
    if isinstance(spec, Mapping) and "shape" in spec:
        return _parse_shape(spec, path, lower=lower, lower_open=lower_open, what=what)
    if isinstance(spec, Mapping) and "dist" in spec or isinstance(spec, (int, float, str)) and not isinstance(spec, bool):
        if not allow_constant:
            raise invalid(path, "points_list")
        p = parse_scalar(spec, path, lower=lower, lower_open=lower_open, what=what)
        return Trajectory(path, "constant", np.array([], dtype=int), (p,))
    if not isinstance(spec, (list, tuple)):
        raise invalid(path, "points_or_shape")
    if len(spec) == 0:
        raise invalid(path, "points_empty")
    if len(spec) > MAX_POINTS:
        raise invalid(path, "points_too_many", n=len(spec), max=MAX_POINTS)
    years: list[int] = []
    params: list[Param] = []
    for i, pt in enumerate(spec):
        where = f"{path}[{i}]"
        if not isinstance(pt, (list, tuple)) or len(pt) != 2:
            raise invalid(where, "pair_expected", value=repr(pt))
        y = to_year(pt[0], where)
        if years and y == years[-1]:
            raise invalid(where, "year_repeats", year=y)
        if years and y < years[-1]:
            raise invalid(where, "year_order", year=y, previous=years[-1])
        years.append(y)
        params.append(parse_scalar(pt[1], f"{where}[1]", lower=lower, lower_open=lower_open, what=what))
    return Trajectory(path, "points", np.array(years, dtype=int), tuple(params))


def _parse_shape(spec: Mapping[str, Any], path: str, *, lower: float, lower_open: bool, what: str) -> Trajectory:
    shape = spec["shape"]
    if shape not in SHAPES:
        raise invalid(f"{path}.shape", "unknown_choice", what="shape", value=repr(shape), choices=list(SHAPES))
    required, optional = _SHAPE_KEYS[shape]
    keys = set(spec) - {"shape"}
    for k in sorted(keys - required - optional):
        raise invalid(f"{path}.{k}", "shape_param_unknown", shape=shape, keys=sorted(required | optional))
    for k in sorted(required - keys):
        raise invalid(f"{path}.{k}", "shape_param_required", shape=shape)
    ends = {}
    sp: dict[str, Param] = {}
    for k in ("from", "to"):
        pt = spec[k]
        if not isinstance(pt, (list, tuple)) or len(pt) != 2:
            raise invalid(f"{path}.{k}", "pair_expected", value=repr(pt))
        ends[k] = to_year(pt[0], f"{path}.{k}[0]")
        sp[k] = parse_scalar(pt[1], f"{path}.{k}[1]", lower=lower, lower_open=lower_open, what=what)
    t0, t1 = ends["from"], ends["to"]
    if t1 <= t0:
        raise invalid(f"{path}.to", "shape_order", end=t1, start=t0)
    if t1 - t0 > MAX_POINTS:
        raise invalid(f"{path}.to", "shape_span", max=MAX_POINTS, n=t1 - t0)
    if shape == "exponential":
        sp["rate"] = parse_scalar(spec["rate"], f"{path}.rate", lower=0.0, lower_open=True, what="rate")
    if shape == "logistic":
        sp["steepness"] = parse_scalar(spec["steepness"], f"{path}.steepness", lower=0.0, lower_open=True,
                                       what="steepness")
        sp["midpoint"] = parse_scalar(spec.get("midpoint", (t0 + t1) / 2), f"{path}.midpoint", what="midpoint")
    years = np.arange(t0, t1 + 1)
    return Trajectory(path, "shape", years, tuple(sp.values()), shape, sp)


# -- monitoring series → trajectory ---------------------------------------------------------
def _years_of(times: Any) -> np.ndarray:
    """Calendar year of each observation time: ints/floats (decimal years are floored),
    datetimes, dates, numpy datetime64 or ISO date strings."""
    arr = np.asarray(times)
    if arr.dtype.kind in "iu":
        return arr.astype(int)
    if arr.dtype.kind == "f":
        if np.isnan(arr).any():
            raise ValueError("times_or_years contains NaN")
        return np.floor(arr).astype(int)
    try:
        return pd.DatetimeIndex(pd.to_datetime(list(arr))).year.to_numpy()
    except (ValueError, TypeError) as exc:
        raise ValueError(f"times_or_years: cannot read as years or dates ({exc})") from None


def trajectory_from_observations(times_or_years: Sequence[Any], values: Sequence[float], baseline: float | None = None,
                                 reference: Any = None, target: float | None = None, *,
                                 as_frame: bool = False) -> list[list[float]] | pd.DataFrame:
    """Turn an observed monitoring series into ``[[year, level], ...]`` points for a scenario.

    Each calendar year's observations are averaged (annual mean, NaNs ignored) and divided by a
    denominator that stands for full service (level 1.0):

    ``level(year) = mean(values in year) / baseline``, or, with a reference site,
    ``level(year) = mean(values in year) / mean(reference in year)``.

    Parameters
    ----------
    times_or_years : sequence
        Observation times: integer years, decimal years (floored), dates/datetimes or ISO strings.
    values : sequence of float
        The indicator at the monitored (injured or replacement) site, in its own unit
        (e.g. vegetation cover, %, or biomass, t/ha).
    baseline : float, optional
        Indicator value that counts as full service (same unit as ``values``), e.g. the
        pre-injury value. Give either ``baseline`` or ``reference``.
    reference : float, sequence or mapping, optional
        Reference-site indicator: a scalar; a sequence (list, array, pandas Series — taken by
        position) observed at the same times as ``values``; or a mapping (dict) from year to
        value, e.g. ``series.groupby(year).mean().to_dict()``. Years without reference data are
        dropped.
    target : float, optional
        Upper cap on the returned level (dimensionless), e.g. ``1.0`` so recovery beyond the
        baseline earns no extra credit. Levels above it are set to it.
    as_frame : bool
        Return a DataFrame (year, n_obs, mean_value, denominator, level) instead of points.

    Returns
    -------
    list of [int, float]
        Points in calendar-year order, usable as ``levels`` in a scenario (``baseline: 1.0``).
    """
    years = _years_of(times_or_years)
    vals = np.asarray(values, dtype=float).reshape(-1)
    if years.size != vals.size:
        raise ValueError(f"times_or_years has {years.size} entries but values has {vals.size}")
    if (baseline is None) == (reference is None):
        raise ValueError("give exactly one of baseline (a value meaning full service) or reference (a reference site)")
    df = pd.DataFrame({"year": years, "value": vals})
    if baseline is not None:
        if not (isinstance(baseline, (int, float, np.number)) and math.isfinite(baseline) and baseline > 0):
            raise ValueError(f"baseline must be a positive number, got {baseline!r}")
        df["denominator"] = float(baseline)
    elif isinstance(reference, (int, float, np.number)):
        if not reference > 0:
            raise ValueError(f"reference must be positive, got {reference!r}")
        df["denominator"] = float(reference)
    elif isinstance(reference, Mapping):
        ref = pd.Series(dict(reference), dtype=float)
        ref.index = ref.index.astype(int)
        df["denominator"] = df["year"].map(ref.groupby(level=0).mean())
    else:
        ref = np.asarray(reference, dtype=float).reshape(-1)
        if ref.size != vals.size:
            raise ValueError(f"reference has {ref.size} entries but values has {vals.size}; "
                             "pass a mapping year -> value for reference data on other dates")
        df["denominator"] = df.assign(r=ref).groupby("year")["r"].transform("mean")
    if target is not None and not (math.isfinite(target) and target > 0):
        raise ValueError(f"target must be a positive number, got {target!r}")
    df = df.dropna(subset=["value", "denominator"])
    if df.empty:
        raise ValueError("no year has both an observation and a baseline/reference value")
    if (df["denominator"] <= 0).any():
        raise ValueError("reference values must be positive")
    out = df.groupby("year").agg(n_obs=("value", "size"), mean_value=("value", "mean"),
                                 denominator=("denominator", "mean")).reset_index()
    out["level"] = out["mean_value"] / out["denominator"]
    if target is not None:
        out["level"] = out["level"].clip(upper=target)
    if as_frame:
        return out
    return [[int(y), float(v)] for y, v in zip(out["year"], out["level"])]
