"""The labels of staff roles and of the actions the permission matrix checks."""
from __future__ import annotations

from .base import Vocabulary, register

__all__ = ["ROLE_LABELS", "ACTION_LABELS", "ROLES", "ACTIONS"]

#: staff role -> (中文, English), most powerful first
ROLE_LABELS: dict[str, tuple[str, str]] = {
    "admin": ("系统管理员", "administrator"),
    "supervisor": ("监管人员", "supervisor"),
    "appraiser": ("鉴定评估人员", "appraiser"),
    "planner": ("规划人员", "planner"),
    "readonly": ("只读用户", "read-only"),
}
#: every action a write function checks -> (中文, English)
ACTION_LABELS: dict[str, tuple[str, str]] = {
    "users.manage": ("管理用户", "manage users"),
    "rules.edit": ("修改规则配置", "edit rule profiles"),
    "data.import": ("导入数据", "import data"),
    "case.edit": ("编辑案件", "edit cases"),
    "case.assign": ("指定办理地区与鉴定人员", "set handling region and appraisers"),
    "case.disclose": ("公开案件与审定公开文本", "disclose cases and approve public text"),
    "case.event": ("记录案件事件与巡查", "record case events and inspections"),
    "case.correct": ("更正案件阶段与例外验收（须理由和文书）",
                     "correct a case's stage, accept against its evaluation (with reason and document)"),
    "case.appraisal": ("提交鉴定评估结果", "record appraisal results"),
    "case.classify": ("案件分类", "classify cases"),
    "case.modes": ("确定修复方式", "record restoration modes"),
    "case.funds": ("资金收支", "record funds"),
    "scenario.edit": ("编辑等值评估情景", "edit equivalence scenarios"),
    "monitoring.ingest": ("导入监测数据", "ingest monitoring data"),
    "monitoring.evaluate": ("修复效果评估", "evaluate restoration effect"),
    "monitoring.plan": ("设定监测指标目标", "set monitoring targets"),
    "bank.registry": ("维护替代修复项目库", "maintain the project bank"),
    "bank.allocate": ("预留、确认与释放项目容量", "reserve, commit and release bank capacity"),
    "bank.escrow": ("代管资金", "escrow funds"),
}

ROLES = register(Vocabulary("role", ROLE_LABELS))
ACTIONS = register(Vocabulary("action", ACTION_LABELS))
