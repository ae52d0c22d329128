"""Capacity units of bank projects: areas (ha, mu, m2, km2) or resource units.

Some alternative restoration is bought in resource units rather than hectares: forestry carbon
sink in tonnes CO2e (林业碳汇认购), fish fry released (增殖放流, 尾), seedlings planted. Area units
are those of :mod:`equivalence.units`; an unknown unit is refused on import so capacity is never
compared across mismatched units.
"""
from __future__ import annotations

from equivalence.units import HA_PER_UNIT

#: resource and area units -> (中文, English): the vocabulary's (``restoration.vocab.units``)
from ..vocab import AREA_LABELS, RESOURCE_UNITS


def is_area(unit: str) -> bool:
    return unit in HA_PER_UNIT


def known(unit: str) -> bool:
    return unit in HA_PER_UNIT or unit in RESOURCE_UNITS


def label(unit: str) -> str:
    """``公顷 ha``-style bilingual label of a unit."""
    zh, en = AREA_LABELS.get(unit) or RESOURCE_UNITS.get(unit) or (unit, unit)
    return f"{zh} {en}"


def convert(amount: float, unit: str, to: str) -> float:
    """Convert between two area units; the same unit passes through; otherwise ValueError."""
    if unit == to:
        return float(amount)
    if is_area(unit) and is_area(to):
        return float(amount) * HA_PER_UNIT[unit] / HA_PER_UNIT[to]
    raise ValueError(f"cannot convert {unit} to {to}")


def all_units() -> list[str]:
    return list(HA_PER_UNIT) + list(RESOURCE_UNITS)
