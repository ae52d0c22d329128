"""The jurisdiction tree, built from the ``counties`` layer: the province (``"province"``) → its
设区市 (a county's ``city`` column; the city's code is its name) → counties (code
``county_id``). A user belongs to one node and sees and acts on what lies under it
(:mod:`restoration.access`).

References
----------
广西壮族自治区生态环境损害赔偿工作规则（征求意见稿）第二章 (管辖: 自治区、设区市管辖与联合办案).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

PROVINCE = "province"
#: names that mean the province level when a record names a region in words (e.g. a jurisdiction
#: event's "自治区")
PROVINCE_ALIASES = frozenset({"province", "全省", "本省", "省", "省级", "自治区", "全区", "自治区本级", "省本级"})

@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str  # province | city | county
    parent: str | None


class RegionTree:
    """Province → city → county, from the counties layer (``county_id``, ``name``, ``city``).

    A county without a city hangs directly under the province.
    """

    def __init__(self, counties: pd.DataFrame | None = None, province_name: str = "全省"):
        nodes = {PROVINCE: Region(PROVINCE, province_name, "province", None)}
        if counties is not None and len(counties):
            for row in counties[[c for c in ("county_id", "name", "city") if c in counties]].to_dict("records"):
                city = row.get("city")
                city = city if isinstance(city, str) and city.strip() else None
                if city and city not in nodes:
                    nodes[city] = Region(city, city, "city", PROVINCE)
                nodes[str(row["county_id"])] = Region(str(row["county_id"]), str(row["name"]), "county",
                                                      city or PROVINCE)
        self.nodes = nodes
        self._by_name: dict[str, str] = {}
        for code, node in nodes.items():
            self._by_name.setdefault(node.name, code)

    def __contains__(self, code: object) -> bool:
        return code in self.nodes

    def ancestors(self, code: str) -> list[str]:
        """``code`` and every region above it, up to the province."""
        out = []
        while code is not None and code in self.nodes and code not in out:
            out.append(code)
            code = self.nodes[code].parent
        return out

    def contains(self, outer: str, inner: str | None) -> bool:
        """Whether region ``inner`` lies in (or is) region ``outer``; the province holds all."""
        if outer == PROVINCE:
            return True
        return inner is not None and outer in self.ancestors(inner)

    def resolve(self, value: Any) -> str | None:
        """A region code from a code or a name (county or city name); None if unknown."""
        if not isinstance(value, str) or not value.strip():
            return None
        value = value.strip()
        if value in self.nodes:
            return value
        if value in PROVINCE_ALIASES:
            return PROVINCE
        return self._by_name.get(value)

    def name(self, code: str | None) -> str | None:
        node = self.nodes.get(code) if code else None
        return node.name if node else None

    def level(self, code: str | None) -> str | None:
        node = self.nodes.get(code) if code else None
        return node.level if node else None

    def codes(self) -> list[str]:
        """Every region code, the province first, each city followed by its counties."""
        out = [PROVINCE]
        cities = [c for c, n in self.nodes.items() if n.level == "city"]
        for city in cities:
            out.append(city)
            out += [c for c, n in self.nodes.items() if n.level == "county" and n.parent == city]
        out += [c for c, n in self.nodes.items() if n.level == "county" and n.parent == PROVINCE]
        return out

    def label(self, code: str | None, lang: str = "zh") -> str:
        """``桂西市 / 青岚县`` style path label of a region (for selects and tables)."""
        if not code or code not in self.nodes:
            return "—"
        if code == PROVINCE:
            return "全省" if lang == "zh" else "whole province"
        return " / ".join(self.nodes[c].name for c in reversed(self.ancestors(code)) if c != PROVINCE)


def region_tree(store) -> RegionTree:
    """The jurisdiction tree of a store (or transaction), from its counties layer."""
    return RegionTree(store.read("counties"))
