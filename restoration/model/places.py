"""The places: sites (damaged, restored, reference, monitoring plots) and the reference layers
of the province (counties with their cities — the jurisdiction tree — and watersheds)."""
from __future__ import annotations

from ..vocab import EcosystemType, Role
from .fields import ATTRIBUTES_FIELD, Field as F, LayerSpec, enum_values


SITES = LayerSpec(
    "sites", key="site_id", geometry="polygon_or_point", importable=True,
    refs=(("case_id", "cases"),),
    fields=(
        F("site_id", "str", required=True, zh="场地编号"),
        F("case_id", "str", zh="案件编号"),
        F("role", "enum", required=True, choices=enum_values(Role), zh="场地类型"),
        F("ecosystem_type", "enum", required=True, choices=enum_values(EcosystemType), zh="生态系统类型"),
        F("name", "str", required=True, zh="名称"),
        F("area_ha", "float", computed=True, unit="ha", zh="面积"),
        F("county", "str", computed=True, zh="县区"),
        F("watershed", "str", computed=True, zh="流域"),
        F("public_name", "str", max_len=120, zh="公开名称"),  # the name the public sees, set by staff
    ) + (ATTRIBUTES_FIELD,),
)


COUNTIES = LayerSpec(
    "counties", key="county_id", geometry="polygon", importable=True,
    fields=(
        F("county_id", "str", required=True, zh="县区代码"),
        F("name", "str", required=True, zh="名称"),
        F("city", "str", zh="所属设区市"),  # the jurisdiction tree: province -> city -> county
        F("area_ha", "float", computed=True, unit="ha", zh="面积"),
    ) + (ATTRIBUTES_FIELD,),
)


WATERSHEDS = LayerSpec(
    "watersheds", key="watershed_id", geometry="polygon", importable=True,
    fields=(
        F("watershed_id", "str", required=True, zh="流域编号"),
        F("name", "str", required=True, zh="名称"),
        F("area_ha", "float", computed=True, unit="ha", zh="面积"),
    ) + (ATTRIBUTES_FIELD,),
)
