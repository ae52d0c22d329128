"""Lost resource for REA from a simple age-structured population model (animal-years, e.g. bird-years).

Wildlife REAs count the loss as the animal-years the injured population would have held without
the incident: the animals killed directly and, had they lived, their survivors and offspring,
until the population returns to its baseline. With age classes ``a = 0 … A−1``, annual survival
``s_a`` (class a to a+1; the last class is a plus-group that keeps ``s_{A−1}`` of itself) and
fecundity ``f_a`` (young entering class 0 next year per animal of class a), the lost animals
``x_0`` (direct losses by age class in the incident year) project as a Leslie matrix

.. math::

    x_{t+1} = M x_t,\\qquad M_{0a} = f_a,\\quad M_{a+1,a} = s_a,\\quad M_{A-1,A-1} = s_{A-1},

and the loss in year ``t0 + t`` is ``L(t) = Σ_a x_t[a]`` animals (animal-years per year) for
``t = 0 … R − 1``, R the years until the population returns (the loss is made good after that).

References
----------
Leslie, P. H. (1945). On the use of matrices in certain population mathematics. *Biometrika* 33(3),
183–212 (the projection matrix). Sperduto, M. B., Powers, S. P. & Donlan, M. (2003). Scaling
restoration to achieve quantitative enhancement of loon, seaduck, and other seabird populations.
*Marine Ecology Progress Series* 264, 221–232 (bird-years lost from direct kills, survival and
foregone production in an REA). Both not checked against the text here; no equation number cited.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

MAX_CLASSES = 100
MAX_YEARS = 500


def projection_matrix(survival: Sequence[float], fecundity: Sequence[float]) -> np.ndarray:
    """Leslie matrix ``M`` (A × A) from annual survival ``s_a`` [-] and fecundity ``f_a`` [young/yr]."""
    s = np.asarray(survival, dtype=float)
    f = np.asarray(fecundity, dtype=float)
    if s.ndim != 1 or s.size == 0 or s.size > MAX_CLASSES:
        raise ValueError(f"survival: one value per age class (1 to {MAX_CLASSES})")
    if f.shape != s.shape:
        raise ValueError("fecundity: one value per age class, as many as survival")
    if np.any(~np.isfinite(s)) or np.any((s < 0) | (s > 1)):
        raise ValueError("survival: fractions in [0, 1]")
    if np.any(~np.isfinite(f)) or np.any(f < 0) or np.any(f > 1000):
        raise ValueError("fecundity: young per animal per year in [0, 1000]")
    a = s.size
    m = np.zeros((a, a))
    m[0, :] += f
    idx = np.arange(a - 1)
    m[idx + 1, idx] += s[:-1]
    m[a - 1, a - 1] += s[-1]
    return m


def lost_animal_years(direct_losses: Sequence[float], survival: Sequence[float], fecundity: Sequence[float],
                      recovery_years: int, start_year: int = 0) -> pd.DataFrame:
    """Yearly loss table: ``year``, one column per age class, ``lost`` (animals that year =
    animal-years). ``lost`` is the ``lost_units`` series of an REA scenario (``resource_unit:
    bird-years`` for birds).

    Parameters
    ----------
    direct_losses : animals killed in ``start_year`` by age class [animals]
    survival : annual survival by age class [-]
    fecundity : young per animal per year by age class [young/yr]
    recovery_years : R, years from the incident until the population is back at baseline [yr]
    """
    x = np.asarray(direct_losses, dtype=float)
    m = projection_matrix(survival, fecundity)
    if x.shape != (m.shape[0],) or np.any(~np.isfinite(x)) or np.any(x < 0) or np.any(x > 1e12):
        raise ValueError("direct_losses: one count per age class, each in [0, 1e12]")
    if not 1 <= int(recovery_years) <= MAX_YEARS:
        raise ValueError(f"recovery_years: 1 to {MAX_YEARS}")
    rows = np.empty((int(recovery_years), x.size))
    for t in range(int(recovery_years)):  # R ≤ 500 matrix-vector products
        rows[t] = x
        x = m @ x
    df = pd.DataFrame(rows, columns=[f"age_{a}" for a in range(rows.shape[1])])
    df.insert(0, "year", np.arange(start_year, start_year + rows.shape[0]))
    df["lost"] = rows.sum(axis=1)
    return df


def lost_units_points(table: pd.DataFrame) -> list[list[float]]:
    """``[[year, lost], …]`` for the scenario key ``injury.lost_units`` (years after the table
    hold the last value, so the scenario's ``end_year`` should be the table's last year)."""
    return [[int(y), float(v)] for y, v in zip(table["year"], table["lost"])]
