"""Disturbance dating per pixel: the year of the largest disturbance in an annual index series,
its magnitude, the level before it, the recovery slope after it and an uncertainty in years.

The model is a LandTrendr-style temporal segmentation reduced to its question for case work —
*did this place lose vegetation, when, and is it coming back?* — as one disturbance between two
straight segments (Kennedy et al. 2010 fit up to ``maxSegments`` vertices; one break answers the
supervisor's question and is fitted exactly):

    y(t) = a₁ + b₁·t   for t <  t_k        (before the disturbance)
    y(t) = a₂ + b₂·t   for t ≥ t_k        (the disturbance year and the recovery)

For every candidate year ``t_k`` both lines are least-squares fits; all candidates of all pixels
are evaluated at once from cumulative sums over time (O(T) per pixel, no Python loop over pixels
or years of candidates). The break year is the candidate with the largest F statistic of the
two-segment model against one straight line, among candidates where the index drops (a loss);
it is kept only when

* the F statistic exceeds the (1 − α) quantile of the same *maximum over candidates* under the
  no-break null (sup-F, Andrews 1993) — the quantile is simulated for each number of valid years
  with the same procedure, so the false-break rate on stable Gaussian-noise pixels is α
  whatever the series length;
* the recovery is not faster than ``1 / recovery_threshold`` years for the whole loss
  (LandTrendr's ``recoveryThreshold``: a dip that is gone within a few years is noise or a
  cloud, not a disturbance);
* the magnitude is at least ``min_magnitude`` (index units; unset by default: there is no
  published value that holds for every index and sensor).

Before fitting, one-year spikes are damped as LandTrendr does (``spikeThreshold``): an interior
value far from both neighbours, whose neighbours agree, is replaced by their mean. The
uncertainty is the half-width (years) of the set of candidate years whose residual sum of
squares is within ``χ²₁(0.95) · σ̂²`` of the best one — a profile-likelihood interval for the
break date (approximate; Bai 1997 gives the asymptotic form).

References
----------
.. [1] Kennedy, R.E., Yang, Z. and Cohen, W.B., 2010. Detecting trends in forest disturbance
   and recovery using yearly Landsat time series: 1. LandTrendr — Temporal segmentation
   algorithms. Remote Sensing of Environment 114(12), 2897–2910.
.. [2] Google Earth Engine, ``ee.Algorithms.TemporalSegmentation.LandTrendr`` (API reference):
   defaults ``spikeThreshold`` 0.9, ``recoveryThreshold`` 0.25, ``pvalThreshold`` 0.1,
   ``minObservationsNeeded`` 6.
.. [3] Andrews, D.W.K., 1993. Tests for parameter instability and structural change with
   unknown change point. Econometrica 61(4), 821–856.
.. [4] Bai, J., 1997. Estimation of a change point in multiple regression models. Review of
   Economics and Statistics 79(4), 551–563.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np

from ..errors import InputError, Issue

#: outputs of :func:`segment`, in the band order of the breaks raster
OUTPUTS = ("break_year", "magnitude", "recovery_slope", "uncertainty_years", "pre_level", "post_level",
           "f_statistic", "n_years")
CHI2_1_95 = 3.841458820694124  # χ²(1) 0.95 quantile


@dataclass(frozen=True)
class Parameters:
    """The method's parameters, with the meaning and the source of each default.

    ``min_years`` — fewest valid years a series needs (LandTrendr ``minObservationsNeeded`` 6);
    ``min_side`` — fewest valid years on each side of a break (3: a line with one residual
    degree of freedom); ``alpha`` — significance of the break (0.05, the false-break rate on
    stable pixels); ``spike_threshold`` — LandTrendr's spike damping (0.9; 1.0 damps nothing);
    ``recovery_threshold`` — a loss recovered faster than 1/this years is refused (LandTrendr
    0.25, i.e. 4 years); ``min_magnitude`` — smallest loss kept, index units (unset);
    ``direction`` — ``"loss"`` for indices where vegetation is high (NDVI, NBR, EVI …),
    ``"gain"`` where a disturbance raises the index (e.g. a bare-soil index)."""
    min_years: int = 6
    min_side: int = 3
    alpha: float = 0.05
    spike_threshold: float = 0.9
    recovery_threshold: float = 0.25
    min_magnitude: float | None = None
    direction: str = "loss"

    def check(self) -> None:
        problems = []
        if self.min_side < 2 or self.min_years < 2 * self.min_side:
            problems.append(Issue(f"min_years ({self.min_years}) must be at least twice min_side ({self.min_side}) "
                                  "and min_side at least 2", field="min_years"))
        if not 0 < self.alpha < 0.5:
            problems.append(Issue(f"alpha {self.alpha} must be between 0 and 0.5", field="alpha"))
        if not 0 < self.spike_threshold <= 1:
            problems.append(Issue(f"spike_threshold {self.spike_threshold} must be in (0, 1]", field="spike_threshold"))
        if not self.recovery_threshold > 0:
            problems.append(Issue("recovery_threshold must be positive", field="recovery_threshold"))
        if self.direction not in ("loss", "gain"):
            problems.append(Issue(f"direction '{self.direction}' is not loss or gain", field="direction"))
        if problems:
            raise InputError(problems)


def despike(values: np.ndarray, threshold: float = 0.9) -> np.ndarray:
    """Damp one-year spikes along the last axis (LandTrendr's ``spikeThreshold``): an interior
    valid value whose distance from its neighbours' mean is more than ``1/(1-threshold)`` times
    the neighbours' own difference is replaced by that mean. ``threshold=1`` returns a copy."""
    y = np.array(values, dtype=float, copy=True)
    if threshold >= 1 or y.shape[-1] < 3:
        return y
    prev, mid, nxt = y[..., :-2], y[..., 1:-1], y[..., 2:]
    mean = (prev + nxt) / 2
    spike = np.abs(mid - mean)
    spread = np.abs(prev - nxt)
    with np.errstate(invalid="ignore"):
        damp = np.isfinite(prev) & np.isfinite(nxt) & np.isfinite(mid) & (spread < (1 - threshold) * spike)
    y[..., 1:-1] = np.where(damp, mean, mid)
    return y


def _prefix(y: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Cumulative sums over time of (w, wt, wt², wy, wty, wy²), with a leading zero: (6, T+1, …)."""
    w = np.isfinite(y)
    y0 = np.where(w, y, 0.0)
    tt = np.broadcast_to(t, y.shape)
    parts = np.stack([w.astype(float), w * tt, w * tt * tt, y0, y0 * tt, y0 * y0])
    parts = np.moveaxis(parts, -1, 1)  # (6, T, …)
    out = np.zeros((6, parts.shape[1] + 1) + parts.shape[2:])
    np.cumsum(parts, axis=1, out=out[:, 1:])
    return out


def _line(s: np.ndarray):
    """Least-squares line of segment sums ``s`` (6, …): (n, slope, intercept, sse)."""
    n, st, stt, sy, sty, syy = s
    with np.errstate(invalid="ignore", divide="ignore"):
        den = n * stt - st * st
        slope = np.where(den > 0, (n * sty - st * sy) / np.where(den > 0, den, 1), 0.0)
        icpt = np.where(n > 0, (sy - slope * st) / np.where(n > 0, n, 1), np.nan)
        sse = np.maximum(syy - icpt * sy - slope * sty, 0.0)
    return n, slope, icpt, sse


def _scan(y: np.ndarray, t: np.ndarray, p: Parameters) -> dict[str, np.ndarray]:
    """All candidate breaks of series ``y`` (…, T) at times ``t`` (T,), centred: the best one."""
    T = y.shape[-1]
    S = _prefix(y, t)
    total = S[:, -1]
    n0, _, _, sse0 = _line(total)
    ks = np.arange(1, T)  # break at index k: pre = [0, k), post = [k, T)
    pre = S[:, ks]                   # (6, K, …)
    post = total[:, None] - pre
    n1, b1, a1, e1 = _line(pre)
    n2, b2, a2, e2 = _line(post)
    tk = t[ks].reshape((-1,) + (1,) * (y.ndim - 1))
    drop = (a1 + b1 * tk) - (a2 + b2 * tk)
    if p.direction == "gain":
        drop = -drop
    sse1 = e1 + e2
    dof = n0 - 4
    with np.errstate(invalid="ignore", divide="ignore"):
        f = ((sse0 - sse1) / 2) / (sse1 / np.where(dof > 0, dof, np.nan))
    ok = (n1 >= p.min_side) & (n2 >= p.min_side) & (n0 >= p.min_years) & (drop > 0) & np.isfinite(f)
    f = np.where(ok, f, -np.inf)
    best = np.argmax(f, axis=0)
    take = lambda a: np.take_along_axis(np.broadcast_to(a, f.shape), best[None], 0)[0]  # noqa: E731
    fb = take(f)
    sse_best = take(sse1)
    sigma2 = sse_best / np.where(dof > 0, dof, np.nan)
    with np.errstate(invalid="ignore"):
        near = ok & (sse1 <= sse_best + CHI2_1_95 * sigma2)
    kyear = np.broadcast_to(ks.reshape((-1,) + (1,) * (y.ndim - 1)), f.shape)
    kbest = ks[best]
    half = np.where(near, np.abs(kyear - kbest), 0).max(axis=0) if f.size else np.zeros(f.shape[1:])
    return {"k": kbest, "f": fb, "n": n0, "drop": take(drop), "b1": take(b1), "a1": take(a1),
            "b2": take(b2), "a2": take(a2), "half": half, "found": np.isfinite(fb)}


@lru_cache(maxsize=256)
def critical_f(n_years: int, min_side: int, alpha: float, direction: str = "loss", spike_threshold: float = 0.9,
               draws: int = 4000) -> float:
    """The (1 − α) quantile of the maximum F over candidate breaks under the no-break null, for
    ``n_years`` consecutive valid years: simulated with the same spike damping and scan on
    Gaussian noise (fixed seed, so the value is reproducible)."""
    if n_years < 2 * min_side:
        return float("inf")
    rng = np.random.default_rng(20100601 + n_years * 31 + min_side)
    t = np.arange(n_years, dtype=float) - (n_years - 1) / 2
    y = despike(rng.standard_normal((draws, n_years)), spike_threshold)
    p = Parameters(min_years=2 * min_side, min_side=min_side, alpha=alpha, spike_threshold=spike_threshold,
                   direction=direction)
    f = _scan(y, t, p)["f"]
    f = np.where(np.isfinite(f), f, 0.0)  # no drop candidate at all: no break, F counted as 0
    return float(np.quantile(f, 1 - alpha))


def segment(values: np.ndarray, years: Sequence[int], params: Parameters | None = None) -> dict[str, np.ndarray]:
    """The largest disturbance of each series along the last axis of ``values`` (…, T).

    Parameters
    ----------
    values : array (…, T)
        Annual index values [index units]; NaN where a year has no valid observation.
    years : sequence of int, length T
        The years of the last axis, increasing (gaps allowed).
    params : Parameters, optional
        The method's parameters (defaults documented on :class:`Parameters`).

    Returns
    -------
    dict of arrays (…)
        ``break_year`` [year] (NaN where no break is kept), ``magnitude`` [index units, > 0 for a
        loss], ``recovery_slope`` [index units / year, after the break], ``uncertainty_years``
        [years, ±], ``pre_level`` [index units, the fitted level the year before the break],
        ``post_level`` [index units, fitted at the break year], ``f_statistic`` and ``n_years``
        (valid years used).

    References
    ----------
    See the module docstring: Kennedy et al. (2010); Andrews (1993); Bai (1997).
    """
    p = params or Parameters()
    p.check()
    years = np.asarray(years, dtype=float)
    y = np.asarray(values, dtype=float)
    if years.ndim != 1 or y.shape[-1] != years.size:
        raise InputError(Issue(f"{y.shape[-1]} values per series but {years.size} years", field="years"))
    if years.size < p.min_years:
        raise InputError(Issue(f"{years.size} years given; the method needs at least {p.min_years} "
                               "(min_years, LandTrendr's minObservationsNeeded)", field="years"))
    if np.any(np.diff(years) <= 0):
        raise InputError(Issue("years must increase", field="years"))
    y = despike(y, p.spike_threshold)
    t = years - years.mean()
    r = _scan(y, t, p)
    table = np.array([critical_f(n, p.min_side, p.alpha, p.direction, p.spike_threshold) for n in range(years.size + 1)])
    crit = table[np.clip(r["n"], 0, years.size).astype(int)]
    byear = years[r["k"]]
    slope = r["b2"] if p.direction == "loss" else -r["b2"]
    with np.errstate(invalid="ignore"):
        fast = slope * (1.0 / p.recovery_threshold) >= r["drop"]  # the whole loss back within 1/threshold years
        keep = r["found"] & (r["f"] > crit) & ~fast
        if p.min_magnitude is not None:
            keep &= r["drop"] >= p.min_magnitude
    tb = byear - years.mean()
    prev_year = years[np.maximum(r["k"] - 1, 0)] - years.mean()
    nan = np.nan
    return {"break_year": np.where(keep, byear, nan), "magnitude": np.where(keep, r["drop"], nan),
            "recovery_slope": np.where(keep, r["b2"], nan), "uncertainty_years": np.where(keep, r["half"], nan),
            "pre_level": np.where(keep, r["a1"] + r["b1"] * prev_year, nan),
            "post_level": np.where(keep, r["a2"] + r["b2"] * tb, nan),
            "f_statistic": np.where(r["found"], r["f"], nan), "n_years": r["n"].astype(int)}


__all__ = ["OUTPUTS", "Parameters", "segment", "despike", "critical_f"]
