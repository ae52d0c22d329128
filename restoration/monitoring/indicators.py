"""Known monitoring indicators: code, Chinese and English names, unit, accepted unit spellings,
plausible range, which direction is better and which evaluation rule applies.

A value outside the plausible range is refused on import (it is a typo or a unit mistake, not a
measurement). The ranges are deliberately wide physical bounds, not quality standards.

Kinds and rules:

* ``concentration`` (COD, NH3-N, heavy metals ...; lower is better): effect evaluation by the
  sample-based rule of HJ 25.5-2018 (see ``restoration.monitoring.evaluation``).
* ``vegetation`` / ``ecological`` (NDVI, cover, richness ...; higher is better): the mean of the
  last N observations against the target or against a share of the reference site.

Custom indicators can be added with :func:`register_indicator`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..errors import InputError, Issue

Direction = Literal["higher", "lower"]
Kind = Literal["concentration", "vegetation", "ecological", "physical"]


@dataclass(frozen=True)
class Indicator:
    """One indicator. ``unit`` is the canonical unit stored; ``units`` maps accepted spellings
    (lower-cased) to the factor that converts a value in that unit to ``unit``."""

    code: str
    zh: str
    en: str
    unit: str
    low: float
    high: float
    direction: Direction | None
    kind: Kind
    units: dict[str, float] = field(default_factory=dict)

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    def factor(self, unit: str | None) -> float | None:
        """Factor converting ``unit`` to the canonical unit, or None if the unit is not accepted."""
        if unit is None:
            return 1.0
        key = str(unit).strip().lower().replace("µ", "μ")
        if key == self.unit.lower():
            return 1.0
        return self.units.get(key)


_MG_L = {"mg/l": 1.0, "mg l-1": 1.0, "mg·l-1": 1.0, "毫克/升": 1.0,
         "μg/l": 1e-3, "ug/l": 1e-3, "微克/升": 1e-3, "g/l": 1e3}
_MG_KG = {"mg/kg": 1.0, "mg kg-1": 1.0, "毫克/千克": 1.0, "μg/kg": 1e-3, "ug/kg": 1e-3,
          "g/kg": 1e3}
_RATIO = {"1": 1.0, "": 1.0, "-": 1.0, "unitless": 1.0, "无量纲": 1.0}
_PERCENT = {"%": 1.0, "percent": 1.0, "fraction": 100.0}

INDICATORS: dict[str, Indicator] = {}


def register_indicator(ind: Indicator) -> Indicator:
    """Add (or replace) an indicator in the registry used by validation and evaluation."""
    INDICATORS[ind.code] = ind
    return ind


for _ind in (
    # remote sensing vegetation indices (dimensionless)
    Indicator("ndvi", "归一化植被指数", "NDVI", "1", -1.0, 1.0, "higher", "vegetation", _RATIO),
    Indicator("evi", "增强型植被指数", "EVI", "1", -1.0, 1.0, "higher", "vegetation", _RATIO),
    # spectral indices computed from surface-reflectance scenes (monitoring.indices)
    Indicator("savi", "土壤调节植被指数", "SAVI", "1", -1.5, 1.5, "higher", "vegetation", _RATIO),
    Indicator("gndvi", "绿光归一化植被指数", "GNDVI", "1", -1.0, 1.0, "higher", "vegetation", _RATIO),
    Indicator("nbr", "归一化燃烧指数", "NBR", "1", -1.0, 1.0, "higher", "vegetation", _RATIO),
    Indicator("nbr2", "归一化燃烧指数2", "NBR2", "1", -1.0, 1.0, "higher", "vegetation", _RATIO),
    Indicator("ndmi", "归一化水分指数", "NDMI", "1", -1.0, 1.0, "higher", "vegetation", _RATIO),
    Indicator("ndwi", "归一化水体指数", "NDWI", "1", -1.0, 1.0, None, "physical", _RATIO),
    # field vegetation plots
    Indicator("vegetation_cover", "植被覆盖度", "vegetation cover", "%", 0.0, 100.0, "higher",
              "vegetation", _PERCENT),
    Indicator("canopy_cover", "郁闭度", "canopy cover", "%", 0.0, 100.0, "higher", "vegetation",
              _PERCENT),
    Indicator("survival_rate", "苗木成活率", "seedling survival rate", "%", 0.0, 100.0, "higher",
              "vegetation", _PERCENT),
    Indicator("species_richness", "物种丰富度", "species richness", "species", 0.0, 2000.0, "higher",
              "ecological", {"count": 1.0, "种": 1.0}),
    Indicator("biomass", "生物量", "above-ground biomass", "t/ha", 0.0, 2000.0, "higher", "ecological",
              {"kg/m2": 10.0, "g/m2": 0.01}),
    # surface water quality (GB 3838-2002 parameters), mg/L
    Indicator("cod", "化学需氧量", "chemical oxygen demand (COD)", "mg/L", 0.0, 20_000.0, "lower",
              "concentration", _MG_L),
    Indicator("codmn", "高锰酸盐指数", "permanganate index (CODMn)", "mg/L", 0.0, 1_000.0, "lower",
              "concentration", _MG_L),
    Indicator("bod5", "五日生化需氧量", "five-day biochemical oxygen demand (BOD5)", "mg/L", 0.0,
              10_000.0, "lower", "concentration", _MG_L),
    Indicator("nh3_n", "氨氮", "ammonia nitrogen (NH3-N)", "mg/L", 0.0, 2_000.0, "lower",
              "concentration", _MG_L),
    Indicator("tp", "总磷", "total phosphorus (TP)", "mg/L", 0.0, 500.0, "lower", "concentration", _MG_L),
    Indicator("tn", "总氮", "total nitrogen (TN)", "mg/L", 0.0, 2_000.0, "lower", "concentration", _MG_L),
    Indicator("do", "溶解氧", "dissolved oxygen (DO)", "mg/L", 0.0, 25.0, "higher", "physical", _MG_L),
    Indicator("ph", "pH", "pH", "1", 0.0, 14.0, None, "physical", _RATIO),
    Indicator("turbidity", "浊度", "turbidity", "NTU", 0.0, 10_000.0, "lower", "physical", {"ntu": 1.0}),
    # soil (GB 15618-2018 / GB 36600-2018 parameters), mg/kg dry weight
    Indicator("cd", "镉", "cadmium (Cd)", "mg/kg", 0.0, 10_000.0, "lower", "concentration", _MG_KG),
    Indicator("hg", "汞", "mercury (Hg)", "mg/kg", 0.0, 10_000.0, "lower", "concentration", _MG_KG),
    Indicator("as", "砷", "arsenic (As)", "mg/kg", 0.0, 100_000.0, "lower", "concentration", _MG_KG),
    Indicator("pb", "铅", "lead (Pb)", "mg/kg", 0.0, 100_000.0, "lower", "concentration", _MG_KG),
    Indicator("cr", "铬", "chromium (Cr)", "mg/kg", 0.0, 100_000.0, "lower", "concentration", _MG_KG),
    Indicator("cu", "铜", "copper (Cu)", "mg/kg", 0.0, 100_000.0, "lower", "concentration", _MG_KG),
    Indicator("zn", "锌", "zinc (Zn)", "mg/kg", 0.0, 100_000.0, "lower", "concentration", _MG_KG),
    Indicator("ni", "镍", "nickel (Ni)", "mg/kg", 0.0, 100_000.0, "lower", "concentration", _MG_KG),
    Indicator("tph", "石油烃(C10-C40)", "petroleum hydrocarbons (C10-C40)", "mg/kg", 0.0, 1_000_000.0,
              "lower", "concentration", _MG_KG),
    Indicator("soil_organic_matter", "土壤有机质", "soil organic matter", "g/kg", 0.0, 1_000.0, "higher",
              "ecological", {"g/kg": 1.0, "%": 10.0}),
):
    register_indicator(_ind)

#: accepted alternative codes (as people write them in spreadsheets)
ALIASES = {"nh3-n": "nh3_n", "nh3n": "nh3_n", "氨氮": "nh3_n", "cod_cr": "cod", "codcr": "cod",
           "化学需氧量": "cod", "总磷": "tp", "总氮": "tn", "溶解氧": "do", "植被覆盖度": "vegetation_cover",
           "ph值": "ph", "镉": "cd", "汞": "hg", "砷": "as", "铅": "pb", "铬": "cr", "铜": "cu",
           "锌": "zn", "镍": "ni"}


def canonical_code(name: str) -> str | None:
    """The registry code for ``name`` (code, alias or Chinese name), or None if unknown."""
    key = str(name).strip().lower()
    if key in INDICATORS:
        return key
    if key in ALIASES:
        return ALIASES[key]
    for ind in INDICATORS.values():
        if key == ind.zh.lower():
            return ind.code
    return None


def get_indicator(name: str) -> Indicator:
    """The indicator called ``name``; InputError listing the known ones otherwise."""
    code = canonical_code(name)
    if code is None:
        raise InputError(Issue(f"unknown indicator '{name}'; known: {', '.join(sorted(INDICATORS))}"))
    return INDICATORS[code]


def direction_of(indicator: str, given: str | None = None) -> str:
    """'higher' or 'lower': the target's own direction if given, else the indicator's."""
    if given in ("higher", "lower"):
        return given
    code = canonical_code(indicator)
    d = INDICATORS[code].direction if code else None
    return d or "higher"


def catalogue() -> "pd.DataFrame":  # noqa: F821 - pandas imported lazily
    """The registry as a table (code, zh, en, unit, low, high, direction, kind) for docs and UIs."""
    import pandas as pd
    return pd.DataFrame([{"code": i.code, "zh": i.zh, "en": i.en, "unit": i.unit, "low": i.low,
                          "high": i.high, "direction": i.direction, "kind": i.kind}
                         for i in INDICATORS.values()])
