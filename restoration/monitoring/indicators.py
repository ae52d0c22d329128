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
from ..vocab import INDICATOR_ALIASES as ALIASES, INDICATOR_LABELS as _L, canonical_indicator  # noqa: F401

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
    _L[ind.code] = (ind.zh, ind.en)  # the indicator vocabulary names it too
    return ind


for _ind in (
    # remote sensing vegetation indices (dimensionless)
    Indicator("ndvi", *_L["ndvi"], "1", -1.0, 1.0, "higher", "vegetation", _RATIO),
    Indicator("evi", *_L["evi"], "1", -1.0, 1.0, "higher", "vegetation", _RATIO),
    # spectral indices computed from surface-reflectance scenes (monitoring.indices)
    Indicator("savi", *_L["savi"], "1", -1.5, 1.5, "higher", "vegetation", _RATIO),
    Indicator("gndvi", *_L["gndvi"], "1", -1.0, 1.0, "higher", "vegetation", _RATIO),
    Indicator("nbr", *_L["nbr"], "1", -1.0, 1.0, "higher", "vegetation", _RATIO),
    Indicator("nbr2", *_L["nbr2"], "1", -1.0, 1.0, "higher", "vegetation", _RATIO),
    Indicator("ndmi", *_L["ndmi"], "1", -1.0, 1.0, "higher", "vegetation", _RATIO),
    Indicator("ndwi", *_L["ndwi"], "1", -1.0, 1.0, None, "physical", _RATIO),
    # field vegetation plots
    Indicator("vegetation_cover", *_L["vegetation_cover"], "%", 0.0, 100.0, "higher",
              "vegetation", _PERCENT),
    Indicator("canopy_cover", *_L["canopy_cover"], "%", 0.0, 100.0, "higher", "vegetation",
              _PERCENT),
    Indicator("survival_rate", *_L["survival_rate"], "%", 0.0, 100.0, "higher",
              "vegetation", _PERCENT),
    Indicator("species_richness", *_L["species_richness"], "species", 0.0, 2000.0, "higher",
              "ecological", {"count": 1.0, "种": 1.0}),
    Indicator("biomass", *_L["biomass"], "t/ha", 0.0, 2000.0, "higher", "ecological",
              {"kg/m2": 10.0, "g/m2": 0.01}),
    # surface water quality (GB 3838-2002 parameters), mg/L
    Indicator("cod", *_L["cod"], "mg/L", 0.0, 20_000.0, "lower",
              "concentration", _MG_L),
    Indicator("codmn", *_L["codmn"], "mg/L", 0.0, 1_000.0, "lower",
              "concentration", _MG_L),
    Indicator("bod5", *_L["bod5"], "mg/L", 0.0,
              10_000.0, "lower", "concentration", _MG_L),
    Indicator("nh3_n", *_L["nh3_n"], "mg/L", 0.0, 2_000.0, "lower",
              "concentration", _MG_L),
    Indicator("tp", *_L["tp"], "mg/L", 0.0, 500.0, "lower", "concentration", _MG_L),
    Indicator("tn", *_L["tn"], "mg/L", 0.0, 2_000.0, "lower", "concentration", _MG_L),
    Indicator("do", *_L["do"], "mg/L", 0.0, 25.0, "higher", "physical", _MG_L),
    Indicator("ph", *_L["ph"], "1", 0.0, 14.0, None, "physical", _RATIO),
    Indicator("turbidity", *_L["turbidity"], "NTU", 0.0, 10_000.0, "lower", "physical", {"ntu": 1.0}),
    # soil (GB 15618-2018 / GB 36600-2018 parameters), mg/kg dry weight
    Indicator("cd", *_L["cd"], "mg/kg", 0.0, 10_000.0, "lower", "concentration", _MG_KG),
    Indicator("hg", *_L["hg"], "mg/kg", 0.0, 10_000.0, "lower", "concentration", _MG_KG),
    Indicator("as", *_L["as"], "mg/kg", 0.0, 100_000.0, "lower", "concentration", _MG_KG),
    Indicator("pb", *_L["pb"], "mg/kg", 0.0, 100_000.0, "lower", "concentration", _MG_KG),
    Indicator("cr", *_L["cr"], "mg/kg", 0.0, 100_000.0, "lower", "concentration", _MG_KG),
    Indicator("cu", *_L["cu"], "mg/kg", 0.0, 100_000.0, "lower", "concentration", _MG_KG),
    Indicator("zn", *_L["zn"], "mg/kg", 0.0, 100_000.0, "lower", "concentration", _MG_KG),
    Indicator("ni", *_L["ni"], "mg/kg", 0.0, 100_000.0, "lower", "concentration", _MG_KG),
    Indicator("tph", *_L["tph"], "mg/kg", 0.0, 1_000_000.0,
              "lower", "concentration", _MG_KG),
    Indicator("soil_organic_matter", *_L["soil_organic_matter"], "g/kg", 0.0, 1_000.0, "higher",
              "ecological", {"g/kg": 1.0, "%": 10.0}),
):
    register_indicator(_ind)

def canonical_code(name: str) -> str | None:
    """The registry code for ``name`` (code, alias or Chinese name), or None if unknown."""
    return canonical_indicator(name)


def indicator_label(name: str, lang: str = "zh") -> str:
    """The indicator's name in ``lang`` (the code itself when it is not in the registry)."""
    code = canonical_code(name)
    return INDICATORS[code].label(lang) if code in INDICATORS else str(name)


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
