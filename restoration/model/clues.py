"""Clues from imagery: the sensitive areas a user imports (ecological red lines, nature reserves
and other protected areas) and the screening register of candidate clues that disturbed patches
inside sensitive areas become, until a person accepts one as a case or dismisses it."""
from __future__ import annotations

from ..vocab.statuses import CANDIDATE_STATUS
from .bounds import MAX_NOTE_LEN
from .fields import ATTRIBUTES_FIELD, Field as F, LayerSpec

#: a candidate's state in the register: found by the platform, then decided by a person
CANDIDATE_STATUSES = tuple(CANDIDATE_STATUS)

PROTECTED_AREAS = LayerSpec(
    "protected_areas", key="area_id", geometry="polygon", importable=True,
    fields=(
        F("area_id", "str", required=True, zh="保护地编号"),
        F("name", "str", required=True, zh="名称"),
        F("designation", "str", zh="类型"),  # e.g. 生态保护红线, 自然保护区, 森林公园 (as the file says)
        F("area_ha", "float", computed=True, unit="ha", zh="面积"),
    ) + (ATTRIBUTES_FIELD,),
)

CLUE_CANDIDATES = LayerSpec(
    "clue_candidates", key="candidate_id", refs=(("case_id", "cases"),),
    fields=(
        F("candidate_id", "str", required=True, zh="疑似线索编号"),
        F("status", "enum", required=True, choices=CANDIDATE_STATUSES, default="candidate", zh="状态"),
        F("indicator", "str", zh="指标"),
        F("break_year", "int", required=True, zh="扰动年份"),
        F("uncertainty_years", "float", zh="年份不确定度"),
        F("index_drop", "float", zh="指数下降"),
        F("area_ha", "float", required=True, min=0.0, unit="ha", zh="面积"),
        F("n_pixels", "int", min=1, zh="像元数"),
        F("lon", "float", min=-180.0, max=180.0, zh="经度"),
        F("lat", "float", min=-90.0, max=90.0, zh="纬度"),
        F("county", "str", zh="县区"),
        F("inside", "json", zh="所在敏感区域"),  # [{layer, id, name}]
        F("evidence", "json", zh="证据"),  # years before/after, bounds, raster, parameters
        F("chip_before", "blob", zh="扰动前影像"),  # PNG
        F("chip_after", "blob", zh="扰动后影像"),  # PNG
        F("found_by", "str", zh="识别人"),
        F("found_at", "datetime", required=True, zh="识别时间"),
        F("decided_by", "str", zh="处理人"),
        F("decided_at", "datetime", zh="处理时间"),
        F("case_id", "str", zh="案件编号"),
        F("dismiss_reason", "str", max_len=MAX_NOTE_LEN, zh="排除理由"),
    ),
)

CLUE_LAYERS = ("protected_areas", "clue_candidates")
