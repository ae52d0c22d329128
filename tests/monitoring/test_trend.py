"""The Mann-Kendall test against hand-computed values (Gilbert 1987, ch. 16)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from restoration.monitoring.trend import mann_kendall


def test_monotone_series_by_hand():
    r = mann_kendall(np.arange(1, 11))
    assert r.s == 45 and r.var_s == pytest.approx(125.0)  # n(n-1)(2n+5)/18 = 10·9·25/18
    assert r.z == pytest.approx(44 / math.sqrt(125)) and r.p == pytest.approx(math.erfc(r.z / math.sqrt(2)))
    assert r.trend == "increasing" and r.tau == pytest.approx(1.0)
    assert mann_kendall(np.arange(10, 0, -1)).trend == "decreasing"


def test_ties_correct_the_variance_and_nan_is_dropped():
    r = mann_kendall([1, 2, 2, 3, np.nan])
    # n = 4, one tie group of 2: (4·3·13 − 2·1·9)/18 = 138/18
    assert r.n == 4 and r.s == 5 and r.var_s == pytest.approx(138 / 18)
    flat = mann_kendall([2.0] * 8)
    assert flat.s == 0 and flat.trend == "no_trend" and flat.p == 1.0


def test_noise_has_no_trend():
    rng = np.random.default_rng(7)
    hits = sum(mann_kendall(rng.normal(size=24)).trend != "no_trend" for _ in range(400))
    assert hits / 400 < 0.09  # about α = 0.05
