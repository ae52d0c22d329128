"""The project bank (替代修复项目库): its projects, their status history, capacity allocations and
ledger, escrowed funds and the cases' equivalence scenarios."""
from __future__ import annotations

from ..vocab import AllocationState, EcosystemType, EscrowStatus, ProjectKind, ProjectStatus, Service
from .bounds import MAX_QUANTITY, MAX_RELATIVE_VALUE, MAX_YUAN
from .fields import ATTRIBUTES_FIELD, Field as F, LayerSpec, enum_values

#: fields migration 4 adds to bank_projects
BANK_PROJECT_EXTRA_FIELDS = (
    F("start_year", "int", min=1900, max=2200, zh="开始提供服务年份"),
    F("status_since", "date", zh="当前状态起始日期"),
)


BANK_PROJECTS = LayerSpec(
    "bank_projects", key="project_id", geometry="polygon", importable=True,
    fields=(
        F("project_id", "str", required=True, zh="项目编号"),
        F("name", "str", required=True, zh="名称"),
        F("kind", "enum", choices=enum_values(ProjectKind), default="project", zh="类别"),
        F("ecosystem_type", "enum", required=True, choices=enum_values(EcosystemType), zh="生态系统类型"),
        F("services", "list", choices=enum_values(Service), default=(), zh="生态服务"),
        F("capacity", "float", required=True, min=0.0, min_exclusive=True, max=MAX_QUANTITY, zh="容量"),
        F("capacity_unit", "str", required=True, zh="容量单位"),
        F("unit_cost_yuan", "float", required=True, min=0.0, max=MAX_YUAN, unit="yuan per capacity unit",
          zh="单位成本"),
        F("relative_value", "float", min=0.0, min_exclusive=True, max=MAX_RELATIVE_VALUE, default=1.0,
          zh="相对价值"),
        F("trajectory", "json", zh="预期服务恢复轨迹"),
        F("region", "str", zh="所在县区"),
        F("watershed", "str", zh="流域"),
        F("operator", "str", zh="运营单位"),
        F("status", "enum", required=True, choices=enum_values(ProjectStatus), zh="状态"),
        F("area_ha", "float", computed=True, unit="ha", zh="面积"),
    ) + BANK_PROJECT_EXTRA_FIELDS + (ATTRIBUTES_FIELD,),
)


BANK_STATUS_HISTORY = LayerSpec(
    "bank_status_history", refs=(("project_id", "bank_projects"),),
    fields=(
        F("project_id", "str", required=True, zh="项目编号"),
        F("from_status", "enum", choices=enum_values(ProjectStatus), zh="原状态"),
        F("to_status", "enum", required=True, choices=enum_values(ProjectStatus), zh="新状态"),
        F("changed_on", "date", required=True, zh="变更日期"),
        F("actor", "str", zh="操作人"),
        F("note", "str", zh="说明"),
        F("recorded_at", "datetime", computed=True, zh="记录时间"),
    ),
)


BANK_ALLOCATIONS = LayerSpec(
    "bank_allocations", key="allocation_id",
    refs=(("project_id", "bank_projects"), ("case_id", "cases")),
    fields=(
        F("allocation_id", "str", required=True, zh="分配编号"),
        F("project_id", "str", required=True, zh="项目编号"),
        F("case_id", "str", zh="案件编号"),
        F("external_ref", "str", zh="外部案件/用途"),
        F("amount", "float", required=True, min=0.0, zh="数量"),
        F("unit", "str", required=True, zh="单位"),
        F("state", "enum", required=True, choices=enum_values(AllocationState), zh="状态"),
        F("cost_yuan", "float", min=0.0, max=MAX_YUAN, unit="yuan", zh="费用"),
        F("escrow_id", "str", zh="提存编号"),
        F("created_on", "date", zh="预留日期"),
        F("note", "str", zh="说明"),
        F("version", "int", computed=True, default=1, zh="版本号"),
        F("updated_at", "datetime", computed=True, zh="更新时间"),
    ),
)


BANK_LEDGER = LayerSpec(
    "bank_ledger",
    fields=(
        F("at", "datetime", required=True, zh="时间"),
        F("action", "enum", required=True, zh="操作",
          choices=("reserve", "commit", "release", "deposit", "match", "refund")),
        F("allocation_id", "str", zh="分配编号"),
        F("escrow_id", "str", zh="提存编号"),
        F("project_id", "str", zh="项目编号"),
        F("case_id", "str", zh="案件编号"),
        F("amount", "float", zh="数量"),
        F("unit", "str", zh="单位"),
        F("allocated_after", "float", zh="操作后已分配"),
        F("capacity", "float", zh="容量"),
        F("actor", "str", zh="操作人"),
        F("note", "str", zh="说明"),
    ),
)


ESCROW = LayerSpec(
    "escrow", key="escrow_id", refs=(("case_id", "cases"),),
    fields=(
        F("escrow_id", "str", required=True, zh="提存编号"),
        F("case_id", "str", required=True, zh="案件编号"),
        F("amount_yuan", "float", required=True, min=0.0, max=MAX_YUAN, unit="yuan", zh="金额"),
        F("holder", "str", required=True, zh="提存机构/账户"),
        F("deposited_on", "date", required=True, zh="提存日期"),
        F("ecosystem_type", "enum", choices=enum_values(EcosystemType), zh="拟修复生态系统类型"),
        F("status", "enum", required=True, choices=enum_values(EscrowStatus), default="awaiting_match", zh="状态"),
        F("allocation_id", "str", zh="匹配的分配编号"),
        F("note", "str", zh="说明"),
        F("version", "int", computed=True, default=1, zh="版本号"),
        F("updated_at", "datetime", computed=True, zh="更新时间"),
    ),
)


CASE_SCENARIOS = LayerSpec(
    "case_scenarios", key="scenario_id", refs=(("case_id", "cases"),),
    fields=(
        F("scenario_id", "str", required=True, zh="情景编号"),
        F("case_id", "str", required=True, zh="案件编号"),
        F("purpose", "str", default="alternative_restoration", zh="用途"),
        F("scenario", "json", required=True, zh="情景（格式 v1）"),
        F("source", "str", zh="来源"),
        F("updated_at", "datetime", computed=True, zh="更新时间"),
    ),
)


BANK_LAYERS = ("bank_status_history", "bank_allocations", "bank_ledger", "escrow", "case_scenarios")


# Credit release schedule (分期释放): a project's capacity in tranches, each released by a milestone
# (``restoration.bank.schedule``); a project without tranches has its whole capacity released.
BANK_TRANCHES = LayerSpec(
    "bank_tranches", refs=(("project_id", "bank_projects"),), unique=(("project_id", "seq"),),
    fields=(
        F("project_id", "str", required=True, zh="项目编号"),
        F("seq", "int", required=True, min=1, zh="序号"),
        F("share", "float", required=True, min=0.0, max=1.0, min_exclusive=True, zh="容量份额"),
        F("milestone", "str", required=True, max_len=80, zh="释放节点"),
        F("year", "int", min=0, max=200, zh="目标年限（自开始年份）"),
        F("set_on", "date", zh="设定日期"),
        F("actor", "str", zh="操作人"),
    ),
)

# Milestones reached (节点达成): typed with evidence, or (target_met) written by the evaluation.
BANK_MILESTONES = LayerSpec(
    "bank_milestones", refs=(("project_id", "bank_projects"),),
    fields=(
        F("project_id", "str", required=True, zh="项目编号"),
        F("milestone", "str", required=True, max_len=80, zh="节点"),
        F("reached_on", "date", required=True, past=True, zh="达成日期"),
        F("evidence", "str", required=True, max_len=2000, zh="依据"),
        F("document", "str", max_len=500, zh="证明文件"),
        F("public", "bool", default=False, zh="公开"),
        F("evaluation", "json", zh="评估结论"),
        F("actor", "str", zh="操作人"),
        F("recorded_at", "datetime", computed=True, zh="记录时间"),
    ),
)

# Securement (土地与法律保障) and the management & monitoring plan (管护与监测计划) of a project.
BANK_SECUREMENTS = LayerSpec(
    "bank_securements", key="project_id", refs=(("project_id", "bank_projects"),),
    fields=(
        F("project_id", "str", required=True, zh="项目编号"),
        F("instrument", "str", required=True, max_len=200, zh="保障文书"),
        F("term_years", "int", required=True, min=1, max=999, zh="期限（年）"),
        F("start", "date", required=True, zh="起始日期"),
        F("document", "str", max_len=500, zh="文件"),
        F("public", "bool", default=False, zh="公开"),
        F("actor", "str", zh="操作人"),
        F("updated_at", "datetime", computed=True, zh="更新时间"),
    ),
)

BANK_PLANS = LayerSpec(
    "bank_plans", key="project_id", refs=(("project_id", "bank_projects"),),
    fields=(
        F("project_id", "str", required=True, zh="项目编号"),
        F("reporting_years", "json", required=True, zh="报告年份"),
        F("indicators", "json", required=True, zh="监测指标"),
        F("responsible_party", "str", required=True, max_len=200, zh="责任单位"),
        F("reports", "json", zh="已提交报告"),  # {year: submitted_on}
        F("actor", "str", zh="操作人"),
        F("updated_at", "datetime", computed=True, zh="更新时间"),
    ),
)

# Polygon review (图斑审核) of a project's boundary: submitted, needs changes, approved — who and when.
BANK_POLYGON_REVIEWS = LayerSpec(
    "bank_polygon_reviews", refs=(("project_id", "bank_projects"),),
    fields=(
        F("project_id", "str", required=True, zh="项目编号"),
        F("status", "enum", required=True, choices=("submitted", "needs_changes", "approved"), zh="审核状态"),
        F("findings", "json", zh="检查结果"),
        F("note", "str", max_len=2000, zh="说明"),
        F("actor", "str", zh="操作人"),
        F("at", "datetime", required=True, zh="时间"),
    ),
)

#: the layers migration 18 adds (release schedules, stewardship, polygon review)
BANK_REGISTER_LAYERS = ("bank_tranches", "bank_milestones", "bank_securements", "bank_plans",
                        "bank_polygon_reviews")
