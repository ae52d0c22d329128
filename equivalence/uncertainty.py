"""Monte Carlo over uncertain scalars, percentiles and one-at-a-time sensitivity (tornado data).

* Draws: each uncertain scalar is sampled independently with ``numpy.random.default_rng(seed)``
  (PCG64), in the stable order of :meth:`Scenario.params`, so a seed reproduces a run exactly on
  the same numpy version. Fixed scalars stay arrays of shape (1,) and broadcast.
* The engine is vectorised over draws (no Python loop per draw); draws are processed in chunks of
  ``chunk`` to bound memory (results do not depend on the chunk size).
* Percentiles use ``numpy.percentile`` (linear interpolation between order statistics).
* Sensitivity: each uncertain input in turn is set to its 5th and 95th percentile (the exact
  quantile of its distribution) while every other input stays at its point value — the classic
  one-at-a-time "tornado" (e.g. Vose 2008, ch. on sensitivity; not checked here).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd

from .methods import HEADLINES, evaluate
from .scenario import Scenario

DEFAULT_CHUNK = 25_000
SENSITIVITY_QUANTILES = (0.05, 0.95)


def point_values(scn: Scenario) -> dict[str, np.ndarray]:
    """Every scalar at its point value (distributions at their point estimate), shape (1,)."""
    return {p.path: np.array([p.point]) for p in scn.params()}


def sample_values(scn: Scenario, draws: int, seed: int | None) -> dict[str, np.ndarray]:
    """Draws of every uncertain scalar (shape (draws,)); fixed scalars stay shape (1,).

    Each draw array is checked against the scalar's domain (e.g. area > 0).
    """
    rng = np.random.default_rng(seed)
    out = point_values(scn)
    for p in scn.uncertain_params():
        x = p.dist.sample(rng, draws)
        p.check(x)
        out[p.path] = x
    return out


def evaluate_chunked(scn: Scenario, values: Mapping[str, np.ndarray], n: int,
                     chunk: int = DEFAULT_CHUNK) -> dict[str, np.ndarray | None]:
    """Totals for ``n`` draws, evaluated ``chunk`` draws at a time."""
    parts: list[dict[str, np.ndarray | None]] = []
    for start in range(0, n, chunk):
        sl = slice(start, min(start + chunk, n))
        vals = {k: (v[sl] if v.size > 1 else v) for k, v in values.items()}
        parts.append(evaluate(scn, vals).totals)
    return {k: (None if parts[0][k] is None else np.concatenate([p[k] for p in parts])) for k in HEADLINES}


@dataclass
class MonteCarlo:
    """Monte Carlo output: samples of each headline number, their summary and the tornado data."""

    draws: int
    seed: int | None
    samples: dict[str, np.ndarray]
    percentiles: dict[str, dict[str, float]]
    sensitivity: pd.DataFrame = field(default_factory=pd.DataFrame)
    inputs: list[str] = field(default_factory=list)


def summarise(samples: Mapping[str, np.ndarray], percentiles=(5.0, 50.0, 95.0)) -> dict[str, dict[str, float]]:
    """``{headline: {"p5": .., "p50": .., "p95": .., "mean": .., "std": ..}}`` (units of the headline)."""
    out: dict[str, dict[str, float]] = {}
    for key, x in samples.items():
        qs = np.percentile(x, percentiles)
        row = {f"p{q:g}": float(v) for q, v in zip(percentiles, qs)}
        row["mean"] = float(np.mean(x))
        row["std"] = float(np.std(x, ddof=1)) if x.size > 1 else 0.0
        out[key] = row
    return out


def sensitivity(scn: Scenario, quantiles=SENSITIVITY_QUANTILES) -> pd.DataFrame:
    """One-at-a-time sensitivity of every headline number to every uncertain input.

    Columns: ``input`` (key path), ``dist``, ``input_low``/``input_high`` (the input's quantiles),
    ``output``, ``at_low``/``at_high`` (headline value), ``base`` (deterministic value), ``swing``
    (|at_high − at_low|). Sorted by swing within each output. All 2·k runs are one vectorised batch.
    """
    params = scn.uncertain_params()
    cols = ["input", "dist", "input_low", "input_high", "output", "at_low", "at_high", "base", "swing"]
    if not params:
        return pd.DataFrame(columns=cols)
    k = len(params)
    base_vals = point_values(scn)
    batch = {path: np.repeat(v, 2 * k) for path, v in base_vals.items()}
    lows, highs = [], []
    for i, p in enumerate(params):
        lo, hi = p.dist.ppf(quantiles[0]), p.dist.ppf(quantiles[1])
        batch[p.path][2 * i], batch[p.path][2 * i + 1] = lo, hi
        lows.append(lo)
        highs.append(hi)
    tot = evaluate(scn, batch).totals
    base = evaluate(scn, base_vals).totals
    rows = []
    for out in HEADLINES:
        if tot[out] is None:
            continue
        for i, p in enumerate(params):
            a, b = float(tot[out][2 * i]), float(tot[out][2 * i + 1])
            rows.append([p.path, p.dist.dist, lows[i], highs[i], out, a, b, float(base[out][0]), abs(b - a)])
    df = pd.DataFrame(rows, columns=cols)
    return df.sort_values(["output", "swing"], ascending=[True, False], kind="stable").reset_index(drop=True)


def monte_carlo(scn: Scenario, draws: int, seed: int | None, *, chunk: int = DEFAULT_CHUNK,
                with_sensitivity: bool = True) -> MonteCarlo:
    """Run ``draws`` Monte Carlo evaluations of ``scn`` (vectorised) and summarise them."""
    if draws < 1:
        raise ValueError("draws must be >= 1")
    values = sample_values(scn, draws, seed)
    totals = evaluate_chunked(scn, values, draws, chunk)
    samples = {k: v for k, v in totals.items() if v is not None}
    sens = sensitivity(scn) if with_sensitivity else pd.DataFrame()
    return MonteCarlo(draws=draws, seed=seed, samples=samples, percentiles=summarise(samples, scn.percentiles),
                      sensitivity=sens, inputs=[p.path for p in scn.uncertain_params()])
