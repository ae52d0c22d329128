"""Synthetic annual index stacks with injected disturbances, for testing and benchmarking the
disturbance dating (:mod:`restoration.monitoring.segmentation`): stable levels, Gaussian noise,
one offset per year shared by all pixels (as atmospheric or sensor differences between annual
composites), clouds (missing years) and, in a share of the pixels, a loss in a known year that
recovers linearly."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Injected:
    """A stack ``values`` (n, T) with the truth: which pixels were disturbed, when, how much."""
    values: np.ndarray
    years: np.ndarray
    disturbed: np.ndarray
    break_year: np.ndarray  # NaN where stable
    magnitude: np.ndarray   # 0 where stable


def injected_stack(n: int, years=range(2000, 2024), *, seed: int = 0, share: float = 0.5, noise: float = 0.03,
                   year_offsets: float = 0.015, clouds: float = 0.1, magnitude=(0.15, 0.4),
                   recovery=(0.005, 0.03), level=(0.5, 0.8)) -> Injected:
    """``n`` pixel series over ``years`` (index units, NDVI/NBR-like): ``share`` of them lose
    ``magnitude`` (uniform range) in a year at least 3 years from either end and recover by
    ``recovery`` per year; ``noise`` is the per-observation standard deviation, ``year_offsets``
    that of the offset shared by every pixel in a year; ``clouds`` the share of missing values."""
    rng = np.random.default_rng(seed)
    years = np.asarray(list(years), dtype=int)
    T = years.size
    base = rng.uniform(*level, n)[:, None]
    y = base + rng.normal(0.0, noise, (n, T)) + rng.normal(0.0, year_offsets, T)[None, :]
    disturbed = rng.random(n) < share
    k = rng.integers(3, T - 3, n)
    mag = np.where(disturbed, rng.uniform(*magnitude, n), 0.0)
    rate = rng.uniform(*recovery, n)
    t = np.arange(T)[None, :]
    loss = np.where(t >= k[:, None], np.maximum(mag[:, None] - rate[:, None] * (t - k[:, None]), 0.0), 0.0)
    y = y - loss
    y[rng.random((n, T)) < clouds] = np.nan
    return Injected(y, years, disturbed, np.where(disturbed, years[k], np.nan), mag)


__all__ = ["Injected", "injected_stack"]
