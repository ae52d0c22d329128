"""The names of the store's layers and of the top of the jurisdiction tree.

The layers' fields are the data model's (``restoration.model``); a layer's Chinese name is defined
here once and the model's layer specs carry it. In English a layer is named by its code in words
(``bank_projects`` -> "bank projects").
"""
from __future__ import annotations

from .base import Vocabulary, register

__all__ = ["LAYER_NAMES", "LAYERS", "REGIONS"]

#: layer code -> (中文, English)
LAYER_NAMES: dict[str, tuple[str, str]] = {code: (zh, code.replace("_", " ")) for code, zh in {
    "sites": "场地",
    "bank_projects": "替代修复项目库",
    "cases": "案件",
    "appraisals": "鉴定评估结果",
    "case_events": "案件事件",
    "monitoring_series": "监测序列",
    "indicator_targets": "指标目标",
    "audit_log": "审计日志",
    "submissions": "表单提交记录",
    "counties": "县区",
    "watersheds": "流域",
    "bank_status_history": "项目库状态变更",
    "bank_allocations": "项目库容量分配",
    "bank_ledger": "项目库台账",
    "escrow": "替代修复资金提存",
    "case_scenarios": "案件等值评估情景",
    "case_classifications": "案件分类记录",
    "case_modes": "案件修复方式",
    "funds_ledger": "赔偿资金台账",
    "screening_reports": "线索筛查情况报告",
    "effect_evaluations": "修复效果评估",
    "recovery_assessments": "植被光谱恢复评估",
    "site_breaks": "场地扰动识别",
    "control_comparisons": "对照像元比较",
    "claim_items": "赔偿请求项目",
    "case_states": "案件期限状态",
    "case_deadlines": "案件期限",
    "field_store": "外业数据库标识",
    "field_packages": "外业巡查包",
    "field_inspections": "外业巡查记录",
    "field_photos": "外业照片证据",
    "field_conflicts": "外业待审冲突",
    "attachments": "附件",
    "raster_sources": "遥感影像来源",
    "raster_runs": "遥感入库运行",
    "raster_run_tasks": "遥感入库任务",
    "bank_tranches": "项目库分期释放计划",
    "bank_milestones": "项目库释放节点",
    "bank_securements": "项目库土地与法律保障",
    "bank_plans": "项目库管护与监测计划",
    "bank_polygon_reviews": "项目库图斑审核",
    "protected_areas": "生态保护红线与自然保护地",
    "clue_candidates": "遥感疑似线索",
}.items()}

LAYERS = register(Vocabulary("layer", LAYER_NAMES, missing=lambda code, lang: code.replace("_", " ")))
#: the region codes that are not a county or a city: the province itself
REGIONS = register(Vocabulary("region", {"province": ("全省", "province")}))
