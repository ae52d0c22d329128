"""Area units shared by the equivalence engine and the platform.

1 mu (亩) = 10000/15 m² = 1/15 ha (the Chinese land unit as defined by the State Council's
1990 statute of units; 666.67 m²).
"""
from __future__ import annotations

#: hectares per one unit of each supported area unit
HA_PER_UNIT: dict[str, float] = {"ha": 1.0, "mu": 1.0 / 15.0, "m2": 1e-4, "km2": 100.0}

M2_PER_HA = 10_000.0
MU_PER_HA = 15.0


def to_ha(value, unit: str):
    """Convert an area in ``unit`` (ha, mu, m2 or km2) to hectares."""
    try:
        factor = HA_PER_UNIT[unit]
    except KeyError:
        raise ValueError(f"unknown area unit {unit!r}; use one of {sorted(HA_PER_UNIT)}") from None
    return value * factor


def from_ha(value, unit: str):
    """Convert an area in hectares to ``unit`` (ha, mu, m2 or km2)."""
    try:
        factor = HA_PER_UNIT[unit]
    except KeyError:
        raise ValueError(f"unknown area unit {unit!r}; use one of {sorted(HA_PER_UNIT)}") from None
    return value / factor
