"""Restoration-cost estimate (修复费用法): measures × quantities × unit costs + contingency.

.. math::

    K = \\Big(\\sum_m q_m\\, p_m\\Big)\\,(1 + f)

with ``q_m`` the quantity of measure m (its own unit), ``p_m`` its unit cost (yuan per unit) and
``f`` the contingency rate (预备费率, a fraction). When the option's scale is set by equivalence
(a replacement project of ``S`` units), the measures priced per project unit are multiplied by S:
``K = (Σ_fixed q p + S Σ_per-unit q p)(1 + f)``. This is the cost-estimate arithmetic of the
restoration-cost method named in GB/T 39791.1-2020 (生态环境损害鉴定评估技术指南 总纲和关键环节
第1部分：总纲, 8 生态环境损害价值量化) — the clause number could not be checked here; the
contingency rate is the appraiser's input, not a value this code supplies.
"""
from __future__ import annotations

import numpy as np


def measures_cost(quantities, unit_costs) -> np.ndarray:
    """``Σ_m q_m p_m`` [yuan] over the last axis (arrays broadcast: (..., m))."""
    q = np.asarray(quantities, dtype=float)
    p = np.asarray(unit_costs, dtype=float)
    if np.any(q < 0) or np.any(p < 0):
        raise ValueError("quantities and unit costs must be >= 0")
    return np.sum(q * p, axis=-1)


def option_cost(fixed_cost, per_unit_cost=0.0, scale=0.0, contingency_rate=0.0) -> np.ndarray:
    """``K = (fixed + scale · per_unit)(1 + f)`` [yuan]; arrays broadcast."""
    f = np.asarray(contingency_rate, dtype=float)
    if np.any(f < 0) or np.any(f >= 1):
        raise ValueError("contingency_rate is a fraction in [0, 1)")
    return (np.asarray(fixed_cost, dtype=float) + np.asarray(scale, dtype=float)
            * np.asarray(per_unit_cost, dtype=float)) * (1.0 + f)
