"""The Mann-Kendall trend test, for a concentration series whose evaluation asks whether it is
still rising (groundwater under risk control, 地下水风险管控).

A risk-control unit is not cleaned to a standard; its evaluation asks that the pollutant's
concentration in the monitoring wells not rise (a falling or stable trend). The test is the
non-parametric Mann-Kendall test (Mann 1945; Kendall 1975), with the variance corrected for tied
values (Gilbert 1987, eq. 16.4) and the continuity-corrected normal approximation.

Source check: that a groundwater risk-control evaluation reads the trend of the wells'
concentrations, and with Mann-Kendall, is how HJ 25.6-2019 《污染地块地下水修复和风险管控技术导则》
is commonly summarised; its text is not held in the repository, so neither the clause nor its
minimum number of rounds was checked. The minimum number of samples here (``min_samples``,
default 8 as for HJ 25.5's statistical rule) and the significance level (0.05) are parameters,
not the standard's numbers.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: trend -> (中文, English)
TRENDS = {"increasing": ("上升", "increasing"), "decreasing": ("下降", "decreasing"),
          "no_trend": ("无显著趋势（稳定）", "no significant trend (stable)")}


@dataclass(frozen=True)
class MannKendall:
    """The test's result: ``s`` the Kendall score, ``var_s`` its tie-corrected variance, ``z`` the
    normal score, ``p`` the two-sided p-value, ``tau`` Kendall's tau, ``trend`` at ``alpha``."""
    n: int
    s: int
    var_s: float
    z: float
    p: float
    tau: float
    trend: str
    alpha: float


def mann_kendall(values, *, alpha: float = 0.05) -> MannKendall:
    """The Mann-Kendall test of a series in time order (NaN values dropped).

    Parameters
    ----------
    values : array-like
        Observations in time order [any unit].
    alpha : float
        Two-sided significance level [-].

    Returns
    -------
    MannKendall
        ``trend`` is ``increasing`` / ``decreasing`` when ``p < alpha``, else ``no_trend``.

    References
    ----------
    .. [1] Mann, H. B. (1945). Nonparametric tests against trend. Econometrica 13, 245-259.
    .. [2] Kendall, M. G. (1975). Rank Correlation Methods. Griffin, London.
    .. [3] Gilbert, R. O. (1987). Statistical Methods for Environmental Pollution Monitoring.
       Van Nostrand Reinhold, New York, ch. 16.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = int(x.size)
    if n < 2:
        return MannKendall(n, 0, 0.0, 0.0, 1.0, 0.0, "no_trend", alpha)
    diff = np.sign(x[None, :] - x[:, None])  # [i, j] = sign(x_j - x_i)
    s = int(np.triu(diff, k=1).sum())
    _, counts = np.unique(x, return_counts=True)
    ties = counts[counts > 1]
    var_s = (n * (n - 1) * (2 * n + 5) - float((ties * (ties - 1) * (2 * ties + 5)).sum())) / 18.0
    if var_s <= 0:
        z = 0.0
    elif s > 0:
        z = (s - 1) / math.sqrt(var_s)
    elif s < 0:
        z = (s + 1) / math.sqrt(var_s)
    else:
        z = 0.0
    p = math.erfc(abs(z) / math.sqrt(2.0))
    tau = s / (n * (n - 1) / 2.0)
    trend = "no_trend" if p >= alpha else ("increasing" if z > 0 else "decreasing")
    return MannKendall(n, s, float(var_s), float(z), float(p), float(tau), trend, alpha)


__all__ = ["TRENDS", "MannKendall", "mann_kendall"]
