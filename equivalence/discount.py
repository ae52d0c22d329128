"""The one discounted-sum core shared by equal-service, equal-resource and equal-value methods.

Every quantity the engine reports (debit, credit per unit, value of the loss) is

.. math::

    S = \\sum_{t=s}^{e} q(t)\\, w(t) \\;[+\\; q(T+1)\\, W_\\infty]

with the yearly weight (DESIGN.md, "Equivalence conventions (scenario format v1)")

* ``timing: annual``   — :math:`w(t) = (1 + r)^{B - t}`, ``q`` read at ``t``;
* ``timing: mid_year`` — :math:`w(t) = (1 + r)^{B - t - 0.5}`, ``q`` read at ``t + 0.5``,

where ``B`` is the base year and ``r`` the real discount rate (1/yr). Years before ``B`` are
compounded (w > 1), later years discounted (w < 1). This is the discount factor
:math:`\\rho_t = (1 + r)^{C - t}` of NOAA's *Habitat Equivalency Analysis: An Overview*
(NOAA Damage Assessment and Restoration Program, Policy and Technical Paper 95-1, 1995, revised
2000 and 2006), with ``C`` the claim (base) year; the REMEDE toolkit (Lipton et al., *Resource
Equivalency Methods for Assessing Environmental Damage in the EU*, 2008) and GB/T 39791.1-2020
Annex B (资料性附录 "等值分析方法") present the same present-value sum. Equation numbers in those
documents could not be checked for this code and are therefore not cited. The mid-year variant
follows the within-period crediting argument of Thur (2007), "Refining the use of habitat
equivalency analysis", *Environmental Management* (volume and pages not checked here).

For ``end_year: perpetuity`` the series is summed year by year up to ``T`` and the rest is the
closed-form geometric tail (DESIGN.md)

.. math::

    \\sum_{t=T+1}^{\\infty} q\\,(1+r)^{B-t} = q\\,(1+r)^{B-T} / r
    \\qquad(\\text{mid-year: } q\\,(1+r)^{B-T-0.5} / r),

valid for ``r > 0`` when ``q`` is constant from ``T + 1`` on (the caller picks ``T`` so that it is).

The functions here broadcast over a leading "draw" axis so the same code serves one deterministic
evaluation (1 draw) and a Monte Carlo run (many draws), with no Python loop per draw.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TIMINGS = ("annual", "mid_year")


@dataclass(frozen=True)
class Schedule:
    """The years of one discounted sum.

    ``years`` are calendar years (int); ``read_at`` the time at which each year's quantity is
    read (``t`` or ``t + 0.5``, in years); ``tail`` marks the last row when it stands for every
    year from ``T + 1`` to infinity (perpetuity), whose weight is the closed-form tail factor.
    """

    years: np.ndarray
    read_at: np.ndarray
    tail: np.ndarray
    timing: str

    @property
    def has_tail(self) -> bool:
        return bool(self.tail.any())


def read_offset(timing: str) -> float:
    """Offset (years) between a calendar year and the time its level is read: 0 or 0.5."""
    if timing == "annual":
        return 0.0
    if timing == "mid_year":
        return 0.5
    raise ValueError(f"unknown timing {timing!r}; use one of {TIMINGS}")


def make_schedule(start_year: int, end_year: int | None, timing: str = "annual",
                  horizon: int | None = None) -> Schedule:
    """Years ``start_year .. end_year`` inclusive, or, for perpetuity (``end_year=None``),
    ``start_year .. horizon`` plus one tail row for year ``horizon + 1``.

    Parameters
    ----------
    start_year, end_year : int
        Calendar years; ``end_year=None`` means perpetuity.
    timing : {"annual", "mid_year"}
    horizon : int
        ``T`` for perpetuity: the last year summed explicitly (the later of the last trajectory
        point and the start year, so that the quantity is constant after it).
    """
    off = read_offset(timing)
    if end_year is None:
        if horizon is None:
            raise ValueError("perpetuity needs a horizon year T")
        last = max(int(horizon), int(start_year))
        years = np.arange(int(start_year), last + 2)
        tail = np.zeros(years.size, dtype=bool)
        tail[-1] = True
    else:
        if end_year < start_year:
            raise ValueError(f"start year {start_year} is after end year {end_year}")
        years = np.arange(int(start_year), int(end_year) + 1)
        tail = np.zeros(years.size, dtype=bool)
    return Schedule(years=years, read_at=years + off, tail=tail, timing=timing)


def year_weights(read_at, base_year: float, rate) -> np.ndarray:
    """Discount weight ``(1 + r) ** (base_year - read_at)`` (dimensionless).

    ``read_at`` is ``t`` (annual) or ``t + 0.5`` (mid-year), so this is w(t) of both timings.
    ``rate`` (1/yr) may be a scalar or an array of draws of shape ``(n,)``; the result then has
    shape ``(n, len(read_at))``.
    """
    r = np.asarray(rate, dtype=float).reshape(-1, 1)
    expo = float(base_year) - np.asarray(read_at, dtype=float).reshape(1, -1)
    return np.power(1.0 + r, expo)


def perpetuity_tail_factor(base_year: float, last_year: int, rate, timing: str = "annual") -> np.ndarray:
    """Closed-form weight of all years after ``T = last_year``: ``(1+r)**(B - T - δ) / r``.

    δ = 0 (annual) or 0.5 (mid-year). Dimensionless; ``rate`` (1/yr) must be positive.
    Derivation: Σ_{k≥1} (1+r)^(B-T-δ-k) = (1+r)^(B-T-δ) · (1/(1+r)) / (1 - 1/(1+r)) = (1+r)^(B-T-δ)/r.
    """
    r = np.asarray(rate, dtype=float).reshape(-1, 1)
    if np.any(r <= 0):
        raise ValueError("a perpetuity needs a positive discount rate")
    return np.power(1.0 + r, float(base_year) - last_year - read_offset(timing)) / r


def schedule_weights(schedule: Schedule, base_year: float, rate) -> np.ndarray:
    """Weights of every row of ``schedule``, shape ``(n_rates, n_rows)``; the tail row (if any)
    carries :func:`perpetuity_tail_factor` so that ``Σ q·w`` over the rows is the whole sum."""
    w = year_weights(schedule.read_at, base_year, rate)
    if schedule.has_tail:
        t_last = int(schedule.years[-1]) - 1
        w = w.copy()
        w[:, -1] = perpetuity_tail_factor(base_year, t_last, rate, schedule.timing)[:, 0]
    return w


def discounted_sum(terms, weights) -> np.ndarray:
    """Σ over rows of ``terms × weights``: shape ``(n,)`` from ``(n|1, m)`` inputs.

    ``terms`` are the yearly quantities (e.g. service hectares lost, units lost, yuan), already
    read at the schedule's times; the result is in the same unit × years.
    """
    terms = np.asarray(terms, dtype=float)
    weights = np.asarray(weights, dtype=float)
    if weights.shape[0] == 1:
        # one rate for all draws: a matrix-vector product is the cheap path
        return np.atleast_1d(terms @ weights[0])
    if terms.shape[0] == 1:
        return weights @ terms[0]
    return np.einsum("ij,ij->i", terms, weights)
