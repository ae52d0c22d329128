"""Scalars of a scenario: a fixed number or a distribution, with the key path it came from."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from .distributions import Distribution, parse_distribution
from .errors import invalid

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def to_number(value: Any, path: str) -> float:
    """Parse one finite number. Plain numeric strings are accepted because PyYAML reads ``3e-2``
    (no dot) as a string; anything else (``"3%"``) is an error naming ``path``."""
    if isinstance(value, bool):
        raise invalid(path, "not_number", value=repr(value))
    if isinstance(value, (int, float, np.integer, np.floating)):
        x = float(value)
    elif isinstance(value, str) and _NUMBER.match(value.strip()):
        x = float(value)
    elif isinstance(value, str) and value.strip().endswith("%"):
        raise invalid(path, "percent", value=repr(value))
    else:
        raise invalid(path, "not_number", value=repr(value))
    if not math.isfinite(x):
        raise invalid(path, "not_finite", value=repr(value))
    return x


#: a bound on any integer read as a year or a count, so absurd sizes fail at parse time
MAX_ABS_INTEGER = 100_000


def to_year(value: Any, path: str) -> int:
    """Parse a calendar year (an integer; distributions are not allowed for years).

    Years beyond ±100 000 are refused here (``end_year: 200000000`` would otherwise allocate a
    schedule of 2·10⁸ rows); the scenario also bounds every year to the base year ± 500.
    """
    if isinstance(value, Mapping):
        raise invalid(path, "year_uncertain")
    x = to_number(value, path)
    if x != int(x):
        raise invalid(path, "year_whole", value=repr(value))
    if abs(x) > MAX_ABS_INTEGER:
        raise invalid(path, "out_of_range", value=repr(value), limit=MAX_ABS_INTEGER)
    return int(x)


@dataclass(frozen=True)
class Param:
    """One scalar input: ``value`` (fixed) or ``dist`` (uncertain), found at ``path``.

    ``lower``/``lower_open`` state the domain the engine accepts (e.g. area > 0); it is checked for
    the point value at parse time and for every Monte Carlo draw.
    """

    path: str
    value: float | None = None
    dist: Distribution | None = None
    lower: float = -math.inf
    lower_open: bool = False
    what: str = "value"

    @property
    def point(self) -> float:
        return self.dist.point if self.dist is not None else float(self.value)

    @property
    def uncertain(self) -> bool:
        return self.dist is not None

    def check(self, x: np.ndarray) -> None:
        """Raise ScenarioError if any of ``x`` is outside the domain."""
        x = np.asarray(x)
        bad = (x <= self.lower) if self.lower_open else (x < self.lower)
        n_bad = int(np.count_nonzero(bad))
        if n_bad:
            sign = ">" if self.lower_open else ">="
            if x.size == 1:
                raise invalid(self.path, "bound", what=self.what, sign=sign, bound=self.lower,
                              value=float(x.ravel()[0]))
            raise invalid(self.path, "bound_draws", n=n_bad, size=x.size, sign=sign, bound=self.lower)


def parse_scalar(value: Any, path: str, *, lower: float = -math.inf, lower_open: bool = False,
                 what: str = "value") -> Param:
    """A number or a ``{dist: ...}`` mapping → :class:`Param`, checked against the domain."""
    if isinstance(value, Mapping):
        if "dist" not in value:
            raise invalid(path, "number_or_dist")
        d = parse_distribution(value, path, to_number)
        p = Param(path, None, d, lower, lower_open, what)
        # a bounded support that leaves the domain is an error now, not after sampling
        if not (d.dist == "normal" and d.lower == -math.inf):
            lo = d.lower
            closed = not (d.dist == "lognormal" and lo <= 0.0)  # an untruncated lognormal never reaches 0
            if lo < lower or (lo == lower and lower_open and closed):
                sign = ">" if lower_open else ">="
                raise invalid(path, "bound_dist", what=what, sign=sign, bound=lower, value=lo)
        p.check(np.array([p.point]))
        return p
    p = Param(path, to_number(value, path), None, lower, lower_open, what)
    p.check(np.array([p.value]))
    return p
