"""The labels of capacity and area units: areas (ha, mu, m2, km2) and the resource units some
alternative restoration is bought in (forestry carbon sink in tonnes CO2e, fish fry released,
seedlings planted)."""
from __future__ import annotations

from .base import Vocabulary, register

__all__ = ["AREA_LABELS", "MU_PER_HA", "RESOURCE_UNITS", "UNITS"]

#: hectares -> 亩 (1 ha = 15 亩, the 市制 mu of 666.67 m²)
MU_PER_HA = 15.0

#: area units -> (中文, English)
AREA_LABELS: dict[str, tuple[str, str]] = {
    "ha": ("公顷", "ha"), "mu": ("亩", "mu"), "m2": ("平方米", "m²"), "km2": ("平方公里", "km²"),
}
#: resource units -> (中文, English)
RESOURCE_UNITS: dict[str, tuple[str, str]] = {
    "tCO2e": ("吨二氧化碳当量", "tonnes CO2e"),
    "fish_fry": ("尾（鱼苗）", "fish fry"),
    "seedlings": ("株（苗木）", "seedlings"),
    "m3": ("立方米", "cubic metres"),
}

#: every capacity unit; a unit not listed is its own word (the code is the English: ha, mu, tCO2e)
UNITS = register(Vocabulary("capacity_unit", {**AREA_LABELS, **RESOURCE_UNITS}))
