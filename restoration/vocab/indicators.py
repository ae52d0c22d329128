"""The names of the known monitoring indicators and the spellings people use for them.

The indicators' units, ranges and evaluation rules are the monitoring package's
(``restoration.monitoring.indicators``); a custom indicator registered there is added here too.
"""
from __future__ import annotations

from .base import Vocabulary, register

__all__ = ["INDICATOR_LABELS", "ALIASES", "INDICATOR_NAMES", "canonical_indicator"]

#: indicator code -> (中文, English)
INDICATOR_LABELS: dict[str, tuple[str, str]] = {
    "ndvi": ("归一化植被指数", "NDVI"),
    "evi": ("增强型植被指数", "EVI"),
    "savi": ("土壤调节植被指数", "SAVI"),
    "gndvi": ("绿光归一化植被指数", "GNDVI"),
    "nbr": ("归一化燃烧指数", "NBR"),
    "nbr2": ("归一化燃烧指数2", "NBR2"),
    "ndmi": ("归一化水分指数", "NDMI"),
    "ndwi": ("归一化水体指数", "NDWI"),
    "vegetation_cover": ("植被覆盖度", "vegetation cover"),
    "canopy_cover": ("郁闭度", "canopy cover"),
    "survival_rate": ("苗木成活率", "seedling survival rate"),
    "species_richness": ("物种丰富度", "species richness"),
    "biomass": ("生物量", "above-ground biomass"),
    "cod": ("化学需氧量", "chemical oxygen demand (COD)"),
    "codmn": ("高锰酸盐指数", "permanganate index (CODMn)"),
    "bod5": ("五日生化需氧量", "five-day biochemical oxygen demand (BOD5)"),
    "nh3_n": ("氨氮", "ammonia nitrogen (NH3-N)"),
    "tp": ("总磷", "total phosphorus (TP)"),
    "tn": ("总氮", "total nitrogen (TN)"),
    "do": ("溶解氧", "dissolved oxygen (DO)"),
    "ph": ("pH", "pH"),
    "turbidity": ("浊度", "turbidity"),
    "cd": ("镉", "cadmium (Cd)"),
    "hg": ("汞", "mercury (Hg)"),
    "as": ("砷", "arsenic (As)"),
    "pb": ("铅", "lead (Pb)"),
    "cr": ("铬", "chromium (Cr)"),
    "cu": ("铜", "copper (Cu)"),
    "zn": ("锌", "zinc (Zn)"),
    "ni": ("镍", "nickel (Ni)"),
    "tph": ("石油烃(C10-C40)", "petroleum hydrocarbons (C10-C40)"),
    "soil_organic_matter": ("土壤有机质", "soil organic matter"),
}

#: accepted alternative codes (as people write them in spreadsheets)
ALIASES = {"nh3-n": "nh3_n", "nh3n": "nh3_n", "氨氮": "nh3_n", "cod_cr": "cod", "codcr": "cod",
           "化学需氧量": "cod", "总磷": "tp", "总氮": "tn", "溶解氧": "do", "植被覆盖度": "vegetation_cover",
           "ph值": "ph", "镉": "cd", "汞": "hg", "砷": "as", "铅": "pb", "铬": "cr", "铜": "cu",
           "锌": "zn", "镍": "ni"}


def canonical_indicator(name: str) -> str | None:
    """The indicator code ``name`` names (a code, an alias or a Chinese name, in any case), or None."""
    key = str(name).strip().lower()
    if key in INDICATOR_LABELS:
        return key
    if key in ALIASES:
        return ALIASES[key]
    for code, (zh, _en) in INDICATOR_LABELS.items():
        if key == zh.lower():
            return code
    return None


INDICATOR_NAMES = register(Vocabulary("indicator", INDICATOR_LABELS, canonical=canonical_indicator))
