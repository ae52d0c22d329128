"""Probability distributions that may stand in for any scalar of a scenario.

A scalar in a scenario file is either a number or a mapping with a ``dist`` key::

    area: {dist: triangular, min: 30, mode: 40, max: 55}

Supported (parameters in the unit of the scalar they replace):

=============  ==========================================  =====================================
``dist``       keys                                        point estimate (deterministic run)
=============  ==========================================  =====================================
``uniform``    ``min``, ``max``                            ``(min + max) / 2``
``triangular`` ``min``, ``mode``, ``max``                  ``mode``
``pert``       ``min``, ``mode``, ``max``, [``lambda``=4]  ``mode``
``normal``     ``mean``, ``sd``, [``min``, ``max``]        ``mean``
``lognormal``  ``mu`` + ``sigma`` (of ln X) or             the mean ``exp(mu + sigma²/2)``
               ``mean`` + ``sd`` (of X), [``min``, ``max``]
=============  ==========================================  =====================================

Every distribution also accepts ``value``: an explicit point estimate that overrides the default
one (it must lie inside the support). ``min``/``max`` on ``normal`` and ``lognormal`` truncate the
distribution (draws outside are rejected and redrawn; the quantile function is that of the
truncated distribution).

PERT: Beta(α, β) on [min, max] with α = 1 + λ (mode − min)/(max − min), β = 1 + λ (max − mode)/(max − min)
(Vose, *Risk Analysis*, 3rd ed. 2008, "modified PERT"; λ = 4 is the classic PERT; equation form
from memory of that text — page not checked here).

Lognormal from ``mean``/``sd`` of X: σ² = ln(1 + sd²/mean²), μ = ln(mean) − σ²/2 (moments of the
lognormal distribution, any statistics text).

Pure numpy + the standard library (``statistics.NormalDist``, ``math.lgamma``) so that the engine
needs no scipy at run time; the tests check the quantile functions against scipy.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any, Mapping

import numpy as np

from .errors import invalid

DIST_KEYS: dict[str, tuple[set[str], set[str]]] = {
    # dist: (required keys, optional keys)
    "uniform": ({"min", "max"}, {"value"}),
    "triangular": ({"min", "mode", "max"}, {"value"}),
    "pert": ({"min", "mode", "max"}, {"lambda", "value"}),
    "normal": ({"mean", "sd"}, {"min", "max", "value"}),
    "lognormal": (set(), {"mu", "sigma", "mean", "sd", "min", "max", "value"}),
}

#: smallest probability mass a truncation window may keep (below this rejection sampling stalls)
MIN_TRUNCATED_MASS = 1e-6


@dataclass(frozen=True)
class Distribution:
    """A parsed, validated distribution.

    ``lower``/``upper`` are the support (after truncation); ``point`` is the value the
    deterministic run uses.
    """

    dist: str
    params: Mapping[str, float]
    lower: float
    upper: float
    point: float
    spec: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def zero_width(self) -> bool:
        """True when every draw equals the point value (e.g. uniform with min == max)."""
        p = self.params
        if self.dist in ("uniform", "triangular", "pert"):
            return p["max"] == p["min"]
        if self.dist == "normal":
            return p["sd"] == 0.0
        return p["sigma"] == 0.0

    # -- sampling -------------------------------------------------------------------------
    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` independent draws (float64, shape ``(n,)``)."""
        p = self.params
        if self.zero_width:
            # degenerate distributions: numpy's samplers reject min == max
            return np.full(n, self._degenerate_value())
        if self.dist == "uniform":
            return rng.uniform(p["min"], p["max"], n)
        if self.dist == "triangular":
            return rng.triangular(p["min"], p["mode"], p["max"], n)
        if self.dist == "pert":
            a, b = _pert_shape(p)
            return p["min"] + (p["max"] - p["min"]) * rng.beta(a, b, n)
        if self.dist == "normal":
            return self._truncated(rng, n, lambda m: rng.normal(p["mean"], p["sd"], m))
        return self._truncated(rng, n, lambda m: np.exp(rng.normal(p["mu"], p["sigma"], m)))

    def _degenerate_value(self) -> float:
        p = self.params
        if self.dist in ("uniform", "triangular", "pert"):
            return float(p["min"])
        if self.dist == "normal":
            return float(p["mean"])
        return float(math.exp(p["mu"]))

    @property
    def truncated(self) -> bool:
        """True for a normal or lognormal with a ``min`` or ``max`` that cuts its support."""
        if self.dist not in ("normal", "lognormal"):
            return False
        lower_free = self.lower == -math.inf if self.dist == "normal" else self.lower <= 0.0
        return not (lower_free and self.upper == math.inf)

    def _kept_mass(self) -> float:
        nd, lo, hi = self._normal_on_scale()
        flo = nd.cdf(lo) if math.isfinite(lo) else 0.0
        fhi = nd.cdf(hi) if math.isfinite(hi) else 1.0
        return fhi - flo

    def _normal_on_scale(self) -> tuple[NormalDist, float, float]:
        """The underlying normal and the truncation bounds on its scale (log scale for lognormal)."""
        p = self.params
        if self.dist == "normal":
            return NormalDist(p["mean"], p["sd"]), self.lower, self.upper
        lo = math.log(self.lower) if self.lower > 0 else -math.inf
        hi = math.log(self.upper) if math.isfinite(self.upper) else math.inf
        return NormalDist(p["mu"], p["sigma"]), lo, hi

    def _truncated(self, rng: np.random.Generator, n: int, draw) -> np.ndarray:
        if not self.truncated:
            return draw(n)
        # rejection in vectorised rounds: each round draws enough for the expected shortfall
        accept = self._kept_mass()
        kept: list[np.ndarray] = []
        have = 0
        for _ in range(1000):
            need = n - have
            if need <= 0:
                break
            x = draw(int(need / accept * 1.2) + 16)
            x = x[(x >= self.lower) & (x <= self.upper)]
            kept.append(x)
            have += x.size
        return np.concatenate(kept)[:n]

    # -- quantiles ------------------------------------------------------------------------
    def ppf(self, q: float) -> float:
        """Quantile function (inverse CDF) at probability ``q`` in [0, 1]."""
        p = self.params
        if self.zero_width:
            return self._degenerate_value()
        if self.dist == "uniform":
            return p["min"] + q * (p["max"] - p["min"])
        if self.dist == "triangular":
            a, c, b = p["min"], p["mode"], p["max"]
            fc = (c - a) / (b - a)
            if q < fc:
                return a + math.sqrt(q * (b - a) * (c - a))
            return b - math.sqrt((1 - q) * (b - a) * (b - c))
        if self.dist == "pert":
            a, b = _pert_shape(p)
            return p["min"] + (p["max"] - p["min"]) * beta_ppf(q, a, b)
        nd, lo, hi = self._normal_on_scale()
        flo = nd.cdf(lo) if math.isfinite(lo) else 0.0
        fhi = nd.cdf(hi) if math.isfinite(hi) else 1.0
        qq = min(max(flo + q * (fhi - flo), 1e-300), 1 - 1e-16)
        x = nd.inv_cdf(qq)
        return x if self.dist == "normal" else math.exp(x)


def _pert_shape(p: Mapping[str, float]) -> tuple[float, float]:
    lam = p.get("lambda", 4.0)
    width = p["max"] - p["min"]
    return 1 + lam * (p["mode"] - p["min"]) / width, 1 + lam * (p["max"] - p["mode"]) / width


# -- regularised incomplete beta (for the PERT quantile) ------------------------------------
def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction for I_x(a, b), modified Lentz method (Press et al., *Numerical Recipes*,
    3rd ed., §6.4, "betacf")."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta function I_x(a, b) (the Beta(a, b) CDF at x)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    ln_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    front = math.exp(ln_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def beta_ppf(q: float, a: float, b: float) -> float:
    """Quantile of Beta(a, b) by bisection on :func:`betainc` (to ~1e-14)."""
    lo, hi = 0.0, 1.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if betainc(a, b, mid) < q:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-15:
            break
    return 0.5 * (lo + hi)


# -- parsing ---------------------------------------------------------------------------------
def parse_distribution(spec: Mapping[str, Any], path: str, to_number) -> Distribution:
    """Validate a ``{dist: ..., ...}`` mapping; ``to_number(value, path)`` parses one number."""
    name = spec.get("dist")
    if not isinstance(name, str) or name.lower() not in DIST_KEYS:
        raise invalid(f"{path}.dist", "unknown_choice", what="distribution", value=repr(name), choices=list(DIST_KEYS))
    name = name.lower()
    required, optional = DIST_KEYS[name]
    keys = set(spec) - {"dist"}
    unknown = keys - required - optional
    if unknown:
        raise invalid(f"{path}.{sorted(unknown)[0]}", "dist_param_unknown", dist=name,
                      keys=sorted(required | optional))
    for k in sorted(required - keys):
        raise invalid(f"{path}.{k}", "dist_param_required", dist=name)
    p = {k: to_number(spec[k], f"{path}.{k}") for k in keys}
    lower, upper = -math.inf, math.inf

    if name in ("uniform", "triangular", "pert"):
        lo, hi = p["min"], p["max"]
        if hi < lo:
            raise invalid(f"{path}.max", "max_below_min", max=hi, min=lo)
        if name != "uniform" and not lo <= p["mode"] <= hi:
            raise invalid(f"{path}.mode", "mode_outside", mode=p["mode"], min=lo, max=hi)
        if name == "pert" and p.get("lambda", 4.0) <= 0:
            raise invalid(f"{path}.lambda", "positive")
        lower, upper = lo, hi
        point = (lo + hi) / 2 if name == "uniform" else p["mode"]
    elif name == "normal":
        if p["sd"] < 0:
            raise invalid(f"{path}.sd", "non_negative")
        lower, upper = p.get("min", -math.inf), p.get("max", math.inf)
        point = p["mean"]
    else:  # lognormal
        if {"mu", "sigma"} <= keys and not keys & {"mean", "sd"}:
            mu, sigma = p["mu"], p["sigma"]
        elif {"mean", "sd"} <= keys and not keys & {"mu", "sigma"}:
            if p["mean"] <= 0:
                raise invalid(f"{path}.mean", "lognormal_mean")
            if p["sd"] < 0:
                raise invalid(f"{path}.sd", "non_negative")
            sigma = math.sqrt(math.log1p((p["sd"] / p["mean"]) ** 2))
            mu = math.log(p["mean"]) - sigma**2 / 2
        else:
            raise invalid(path, "lognormal_params")
        if sigma < 0:
            raise invalid(f"{path}.sigma", "non_negative")
        p = {**p, "mu": mu, "sigma": sigma}
        lower, upper = max(p.get("min", 0.0), 0.0), p.get("max", math.inf)
        point = math.exp(mu + sigma**2 / 2)  # the mean, so {mean: m, sd: s} runs deterministically at m
    if upper < lower:
        raise invalid(f"{path}.max", "max_below_min", max=upper, min=lower)

    if "value" in p:
        point = p["value"]
    if not lower <= point <= upper:
        raise invalid(f"{path}.value" if "value" in p else path, "point_outside", point=point, lower=lower,
                      upper=upper)
    d = Distribution(name, p, lower, upper, float(point), dict(spec))
    if name in ("normal", "lognormal") and not d.zero_width and d._kept_mass() < MIN_TRUNCATED_MASS:
        raise invalid(path, "truncated_away", mass=d._kept_mass(), dist=name)
    return d
