"""Many equal-service (HEA) debits of graded injury categories at once (NOAA-style injury classes).

Each case has ``k`` injury categories; category j of case i has area ``A_ij`` (ha), a service
level ``x0_ij`` from its ``start_year`` until recovery begins (``recovery_start``), then a linear
recovery to full service (1.0) at ``recovery_end``; loss counts from ``start_year`` to
``end_year`` inclusive. The debit is DESIGN.md's equal-service sum, per category and summed:

.. math::

    D_i = \\sum_j A_{ij} \\sum_{t=s_{ij}}^{e_{ij}} \\max(0, 1 - x_{ij}(t))\\, w_i(t)

with the year weight ``w`` of :func:`equivalence.discount.year_weights` (any convention; timing
annual, mid-year or quarterly), NOAA (1995, rev. 2006) *Habitat Equivalency Analysis: An
Overview* for the sum and the graded injury classes (not checked here for equation numbers).
The same numbers come from :func:`equivalence.run_scenario` with one ``injury`` entry per
category (tested); this function evaluates thousands of such scenarios in one vectorised pass.
"""
from __future__ import annotations

import numpy as np

from .discount import _OFFSETS

MAX_CASES = 1_000_000


def graded_debits(area_ha, initial_level, recovery_start, recovery_end, start_year, end_year, *, base_year,
                  rate, convention: str = "compound", timing: str = "annual") -> dict[str, np.ndarray]:
    """Debits [ha·yr] of ``n`` cases × ``k`` categories (inputs broadcast to shape (n, k);
    ``base_year`` and ``rate`` per case, shape (n,) or scalars).

    Returns ``{"debit": (n,), "by_category": (n, k)}``.
    """
    a = np.atleast_2d(np.asarray(area_ha, dtype=float))
    shape = np.broadcast_shapes(a.shape, *(np.atleast_2d(np.asarray(x)).shape for x in
                                           (initial_level, recovery_start, recovery_end, start_year, end_year)))
    if shape[0] > MAX_CASES:
        raise ValueError(f"at most {MAX_CASES:,} cases per call")
    a, x0, rs, re, s, e = (np.broadcast_to(np.atleast_2d(np.asarray(v, dtype=float)), shape)
                           for v in (area_ha, initial_level, recovery_start, recovery_end, start_year, end_year))
    if np.any(a <= 0) or np.any(x0 < 0) or np.any(re <= rs) or np.any(e < s):
        raise ValueError("areas > 0, levels >= 0, recovery_end > recovery_start, end_year >= start_year")
    n = shape[0]
    b = np.broadcast_to(np.asarray(base_year, dtype=float).reshape(-1), (n,))
    r = np.broadcast_to(np.asarray(rate, dtype=float).reshape(-1), (n,))
    lo, hi = int(s.min()), int(e.max())
    if hi - lo > 1000:
        raise ValueError("the years span more than 1000")
    offs = np.asarray(_OFFSETS[timing])
    years = np.arange(lo, hi + 1)
    t = (years[:, None] + offs[None, :]).ravel()                           # read times, (T,)
    frac = 1.0 / offs.size
    yr = np.repeat(years, offs.size)                                        # calendar year of each read
    # weights per case: w = f((B − t)) for each convention, shape (n, T)
    expo = b[:, None] - t[None, :]
    if convention == "compound":
        w = np.power(1.0 + r[:, None], expo)
    elif convention == "one_minus_d":
        w = np.power(1.0 - r[:, None], -expo)
    elif convention == "continuous":
        w = np.exp(r[:, None] * expo)
    else:
        raise ValueError(f"unknown discount convention {convention!r}")
    w = w * frac
    # level of each category at each read time: x0 before rs, linear to 1 at re, 1 after
    tt = t[None, None, :]
    f = np.clip((tt - rs[..., None]) / (re - rs)[..., None], 0.0, 1.0)
    level = x0[..., None] + (1.0 - x0[..., None]) * f
    active = (yr[None, None, :] >= s[..., None]) & (yr[None, None, :] <= e[..., None])
    loss = np.where(active, np.maximum(0.0, 1.0 - level), 0.0)               # (n, k, T)
    by_cat = a * np.einsum("nkt,nt->nk", loss, w)
    return {"debit": by_cat.sum(axis=1), "by_category": by_cat}


def graded_scenario(area_ha, initial_level, recovery_start, recovery_end, start_year, end_year, *, base_year,
                    rate, convention: str = "compound", timing: str = "annual") -> dict:
    """The scenario-format injury list for one case of :func:`graded_debits` (for checking)."""
    inj = []
    for j in range(len(area_ha)):
        inj.append({"name": f"class {j + 1}", "area": float(area_ha[j]), "area_unit": "ha",
                    "start_year": int(start_year[j]), "end_year": int(end_year[j]),
                    "levels": [[int(recovery_start[j]), float(initial_level[j])], [int(recovery_end[j]), 1.0]]})
    return {"schema_version": 1, "method": "service", "base_year": int(base_year), "discount_rate": float(rate),
            "discount_convention": convention, "timing": timing, "injury": inj,
            "replacement": {"start_year": int(base_year), "end_year": int(base_year) + 30,
                            "levels": [[int(base_year), 0.0], [int(base_year) + 5, 1.0]]}}
