"""Imputed abatement cost (虚拟治理成本法): pure, vectorised arithmetic.

.. math::

    D = E \\times C \\times \\gamma

with ``E`` the discharge amount (t or m³), ``C`` the unit abatement cost (yuan per t or m³) and
``γ`` the adjustment coefficient (调整系数). How ``γ`` is composed depends on the method:

* GB/T 39793.2-2020 (surface water, 地表水): ``γ = α × τ × ω`` — hazard (危害系数 α),
  exceedance (超标系数 τ) and environmental-function (环境功能系数 ω) coefficients;
* GB/T 39793.1-2020 (air, 大气): ``γ = (α × β + ω) × τ`` — with receptor sensitivity (受体敏感系数 β);
* the 2017 explanatory note (环办政法〔2017〕, 《关于虚拟治理成本法适用情形与计算方法的说明》):
  ``γ = k``, one multiplier chosen within the range set for the receiving water's or air's
  environmental function class (e.g. surface water class Ⅲ 4.5–6).

The composition of γ for the two 2020 standards was taken from secondary sources (public
calculators quoting the standards) and could **not** be checked against the standards' text;
``restoration/appraisal/coefficients/abatement.toml`` records each with ``verified = false`` and the
appraisal result says so. Clause and equation numbers are therefore not cited here.

The exceedance coefficient τ is read from a tier table on the maximum exceedance multiple
``κ = (Z − B) / B`` (Z measured concentration, B the discharge limit).

Every function broadcasts over arrays, so 10,000 cases are one call (``benchmarks/appraisal.py``).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

#: the forms of γ; the coefficients each reads
FORMS = {
    "gbt39793_2": ("alpha", "tau", "omega"),
    "gbt39793_1": ("alpha", "beta", "omega", "tau"),
    "multiplier_2017": ("k",),
}


def exceedance_multiple(measured, limit) -> np.ndarray:
    """``κ = (Z − B) / B`` [-]: how many times the discharge limit ``B`` the measured
    concentration ``Z`` exceeds it (0 when it does not). Same units for Z and B (e.g. mg/L)."""
    z = np.asarray(measured, dtype=float)
    b = np.asarray(limit, dtype=float)
    if np.any(b <= 0):
        raise ValueError("limit must be > 0")
    return np.maximum(0.0, (z - b) / b)


def tier_value(x, upper_bounds: Sequence[float], values: Sequence[float]) -> np.ndarray:
    """Look ``x`` up in a tier table: ``values[i]`` for ``upper_bounds[i-1] < x <= upper_bounds[i]``
    (the last tier is open-ended: ``len(values) == len(upper_bounds) + 1``)."""
    ub = np.asarray(upper_bounds, dtype=float)
    vals = np.asarray(values, dtype=float)
    if vals.size != ub.size + 1:
        raise ValueError("a tier table needs one more value than upper bounds")
    return vals[np.searchsorted(ub, np.asarray(x, dtype=float), side="left")]


def adjustment_coefficient(form: str, *, alpha=None, beta=None, omega=None, tau=None, k=None) -> np.ndarray:
    """Adjustment coefficient γ [-] of ``form`` (see the module docstring), broadcast over arrays."""
    if form not in FORMS:
        raise ValueError(f"unknown form {form!r}; use one of {', '.join(FORMS)}")
    given = {"alpha": alpha, "beta": beta, "omega": omega, "tau": tau, "k": k}
    missing = [c for c in FORMS[form] if given[c] is None]
    if missing:
        raise ValueError(f"{form} needs {', '.join(missing)}")
    a = {c: np.asarray(given[c], dtype=float) for c in FORMS[form]}
    if form == "gbt39793_2":
        return a["alpha"] * a["tau"] * a["omega"]
    if form == "gbt39793_1":
        return (a["alpha"] * a["beta"] + a["omega"]) * a["tau"]
    return a["k"]


def imputed_abatement_cost(discharge, unit_cost, gamma) -> np.ndarray:
    """Damage amount ``D = E × C × γ`` [yuan] from discharge ``E`` [t or m³], unit abatement cost
    ``C`` [yuan per t or m³] and adjustment coefficient ``γ`` [-]; arrays broadcast."""
    e = np.asarray(discharge, dtype=float)
    c = np.asarray(unit_cost, dtype=float)
    g = np.asarray(gamma, dtype=float)
    if np.any(e < 0) or np.any(c < 0) or np.any(g < 0):
        raise ValueError("discharge, unit cost and γ must be >= 0")
    return e * c * g


def abatement_cases(form: str, discharge, unit_cost, *, alpha=None, beta=None, omega=None, tau=None, k=None,
                    kappa=None, tau_upper_bounds=None, tau_values=None) -> dict[str, np.ndarray]:
    """Many cases at once: γ (with τ from κ through the tier table when ``tau`` is None) and D.

    Returns ``{"tau", "gamma", "amount_yuan"}`` arrays.
    """
    if form != "multiplier_2017" and tau is None:
        if kappa is None or tau_upper_bounds is None or tau_values is None:
            raise ValueError("give tau, or kappa with the tier table (tau_upper_bounds, tau_values)")
        tau = tier_value(kappa, tau_upper_bounds, tau_values)
    gamma = adjustment_coefficient(form, alpha=alpha, beta=beta, omega=omega, tau=tau, k=k)
    return {"tau": None if tau is None else np.asarray(tau, dtype=float), "gamma": gamma,
            "amount_yuan": imputed_abatement_cost(discharge, unit_cost, gamma)}
