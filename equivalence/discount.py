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

**Discount conventions** (scenario key ``discount_convention``; all three give the same weights
when their rates are converted, see ``docs/scenario-format.md``):

* ``compound`` (default) — :math:`w(t) = (1 + r)^{B - t}`, the NOAA form above;
* ``one_minus_d`` — :math:`w(t) = (1 - d)^{t - B}`, the form of the UK Statutory Biodiversity
  Metric's temporal multipliers at d = 3.5 % (Defra/Natural England, *The Statutory Biodiversity
  Metric — User Guide*, 2024; equation number not checked here); equal to ``compound`` with
  :math:`r = d / (1 - d)`;
* ``continuous`` — :math:`w(t) = e^{-\\rho (t - B)}`, continuous compounding (any corporate-finance
  text, e.g. Brealey, Myers & Allen, *Principles of Corporate Finance*, ch. 2); equal to
  ``compound`` with :math:`\\rho = \\ln(1 + r)`.

**Timing** ``quarterly`` (offered by Visual_HEA — Kohler & Dodge, 2006, *Visual_HEA: Habitat
Equivalency Analysis software*, NOAA / Kohler Environmental; not checked here): each year is four
rows read at ``t``, ``t + 0.25``, ``t + 0.5``, ``t + 0.75``, each carrying a quarter of the year's
quantity at its own weight, :math:`\\tfrac14 w(t + j/4)`.

The perpetuity tail of every convention and timing is
:math:`\\big(\\sum_j f_j\\, w(T + o_j)\\big) \\cdot v / (1 - v)` with :math:`v` the one-year factor
(:math:`1/(1+r)`, :math:`1 - d`, :math:`e^{-\\rho}`), :math:`o_j` the read offsets and :math:`f_j` the
row fractions; for ``compound`` and ``annual`` it is exactly :math:`(1+r)^{B-T}/r`.

The functions here broadcast over a leading "draw" axis so the same code serves one deterministic
evaluation (1 draw) and a Monte Carlo run (many draws), with no Python loop per draw.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TIMINGS = ("annual", "mid_year", "quarterly")
CONVENTIONS = ("compound", "one_minus_d", "continuous")
#: read offsets (yr) and the share of the year each row carries, per timing
_OFFSETS = {"annual": (0.0,), "mid_year": (0.5,), "quarterly": (0.0, 0.25, 0.5, 0.75)}


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
    fraction: np.ndarray | None = None  # share of the year each row carries (quarterly: 0.25)

    @property
    def has_tail(self) -> bool:
        return bool(self.tail.any())


def read_offset(timing: str) -> float:
    """Offset (years) between a calendar year and the time its level is read: 0 or 0.5
    (quarterly: 0, the first quarter; its other rows are read at 0.25, 0.5, 0.75)."""
    if timing in _OFFSETS:
        return _OFFSETS[timing][0]
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
    if timing == "quarterly":
        offs = np.asarray(_OFFSETS["quarterly"])
        body = years[~tail]
        q_years = np.repeat(body, offs.size)
        q_read = (body[:, None] + offs[None, :]).ravel()
        if tail.any():  # one tail row stands for every year after T (the level is constant there)
            q_years = np.append(q_years, years[-1])
            q_read = np.append(q_read, float(years[-1]))
        q_tail = np.zeros(q_years.size, dtype=bool)
        q_tail[-1] = bool(tail.any())
        frac = np.full(q_years.size, 0.25)
        frac[q_tail] = 1.0
        return Schedule(years=q_years, read_at=q_read, tail=q_tail, timing=timing, fraction=frac)
    return Schedule(years=years, read_at=years + off, tail=tail, timing=timing)


def _check_convention(convention: str) -> None:
    if convention not in CONVENTIONS:
        raise ValueError(f"unknown discount convention {convention!r}; use one of {', '.join(CONVENTIONS)}")


def year_weights(read_at, base_year: float, rate, convention: str = "compound") -> np.ndarray:
    """Discount weight of a quantity read at ``read_at`` (dimensionless).

    * ``compound``:    ``(1 + r) ** (B - t)``  (NOAA 1995/2006, discount factor ρ_t = (1+r)^(C−t))
    * ``one_minus_d``: ``(1 - d) ** (t - B)``  (UK Statutory Biodiversity Metric form, d = 3.5 %)
    * ``continuous``:  ``exp(-ρ (t - B))``     (continuous compounding)

    ``read_at`` is ``t`` (annual), ``t + 0.5`` (mid-year) or ``t + j/4`` (quarterly).
    ``rate`` (1/yr) may be a scalar or an array of draws of shape ``(n,)``; the result then has
    shape ``(n, len(read_at))``.
    """
    _check_convention(convention)
    r = np.asarray(rate, dtype=float).reshape(-1, 1)
    expo = float(base_year) - np.asarray(read_at, dtype=float).reshape(1, -1)
    if convention == "compound":
        return np.power(1.0 + r, expo)
    if convention == "one_minus_d":
        return np.power(1.0 - r, -expo)
    return np.exp(r * expo)


def one_year_factor(rate, convention: str = "compound") -> np.ndarray:
    """``v``, the weight of a year relative to the one before: 1/(1+r), 1−d or e^(−ρ)."""
    _check_convention(convention)
    r = np.asarray(rate, dtype=float)
    if convention == "compound":
        return 1.0 / (1.0 + r)
    if convention == "one_minus_d":
        return 1.0 - r
    return np.exp(-r)


def perpetuity_tail_factor(base_year: float, last_year: int, rate, timing: str = "annual",
                           convention: str = "compound") -> np.ndarray:
    """Closed-form weight of all years after ``T = last_year``.

    ``compound``, annual/mid-year: ``(1+r)**(B - T - δ) / r`` with δ = 0 or 0.5, since
    Σ_{k≥1} (1+r)^(B-T-δ-k) = (1+r)^(B-T-δ) · (1/(1+r)) / (1 - 1/(1+r)) = (1+r)^(B-T-δ)/r.
    In general ``(Σ_j f_j w(T + o_j)) · v / (1 - v)`` with ``v`` = :func:`one_year_factor`
    (one_minus_d: v/(1−v) = (1−d)/d; continuous: 1/(e^ρ − 1)). ``rate`` must be positive.
    """
    r = np.asarray(rate, dtype=float).reshape(-1, 1)
    if np.any(r <= 0):
        raise ValueError("a perpetuity needs a positive discount rate")
    if convention == "compound" and timing in ("annual", "mid_year"):
        return np.power(1.0 + r, float(base_year) - last_year - read_offset(timing)) / r
    offs = np.asarray(_OFFSETS[timing])
    frac = 1.0 / offs.size
    w = year_weights(last_year + offs, base_year, r[:, 0], convention).sum(axis=1, keepdims=True) * frac
    v = one_year_factor(r, convention)
    return w * v / (1.0 - v)


def schedule_weights(schedule: Schedule, base_year: float, rate, convention: str = "compound") -> np.ndarray:
    """Weights of every row of ``schedule``, shape ``(n_rates, n_rows)``; the tail row (if any)
    carries :func:`perpetuity_tail_factor` so that ``Σ q·w`` over the rows is the whole sum.
    Quarterly rows carry a quarter of the year's weight."""
    w = year_weights(schedule.read_at, base_year, rate, convention)
    if schedule.fraction is not None:
        w = w * schedule.fraction.reshape(1, -1)
    if schedule.has_tail:
        t_last = int(schedule.years[-1]) - 1
        w = w.copy()
        w[:, -1] = perpetuity_tail_factor(base_year, t_last, rate, schedule.timing, convention)[:, 0]
    return w


def convert_rate(rate: float, from_convention: str, to_convention: str) -> float:
    """The rate of ``to_convention`` giving the same weights as ``rate`` under ``from_convention``.

    Via the one-year factor v: compound r = 1/v − 1, one_minus_d d = 1 − v, continuous ρ = −ln v.
    E.g. 3 % compound = 2.9126 % one_minus_d = 2.9559 % continuous; the UK metric's 3.5 %
    one_minus_d = 3.6269 % compound.
    """
    v = float(one_year_factor(rate, from_convention))
    _check_convention(to_convention)
    if to_convention == "compound":
        return 1.0 / v - 1.0
    if to_convention == "one_minus_d":
        return 1.0 - v
    return -float(np.log(v))


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
