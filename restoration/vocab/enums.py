"""The platform's enumerated vocabularies: each an enum whose members carry their labels.

Site roles, ecosystem types, stages, case classes, restoration modes, the project bank's statuses,
effect-evaluation verdicts, target directions … A member is its code (``Stage.FILING == "filing"``);
``.zh``, ``.en`` and ``.label(lang)`` are its labels; each enum is registered as a vocabulary
(``vocabulary("stage")``).
"""
from __future__ import annotations

from .base import Labelled, Vocabulary, labelled, register

__all__ = ["Role", "EcosystemType", "Stage", "CaseClass", "RestorationMode", "ProjectStatus", "ProjectKind",
           "Service", "AllocationState", "EscrowStatus", "SitingReason", "AppraisalMethod", "LedgerEntry",
           "ModeStatus", "Verdict", "Direction", "AMOUNT_SOURCES", "FUND_USES", "OPEN_STAGES"]


@labelled("site_role", {
    "damaged": ("受损区域", "damaged site"),
    "in_situ_restoration": ("原位修复区", "in-situ restoration site"),
    "alternative_restoration": ("替代修复区", "alternative restoration site"),
    "off_site_restoration": ("异地修复区", "off-site restoration site"),
    "reference": ("参照区", "reference site"),
    "monitoring_plot": ("监测样地", "monitoring plot"),
})
class Role(Labelled):
    DAMAGED = "damaged"
    IN_SITU_RESTORATION = "in_situ_restoration"
    ALTERNATIVE_RESTORATION = "alternative_restoration"
    OFF_SITE_RESTORATION = "off_site_restoration"
    REFERENCE = "reference"
    MONITORING_PLOT = "monitoring_plot"


@labelled("ecosystem_type", {
    "forest": ("森林", "forest"),
    "wetland": ("湿地", "wetland"),
    "riparian_buffer": ("河岸缓冲带", "riparian buffer"),
    "karst_grassland": ("岩溶草地", "karst grassland"),
    "grassland": ("草地", "grassland"),
    "farmland_soil": ("农田土壤", "farmland soil"),
    "mangrove": ("红树林", "mangrove"),
    "river": ("河流", "river"),
    "lake_reservoir": ("湖库", "lake / reservoir"),
    "mine_land": ("矿山用地", "mine land"),
    "urban_green": ("城市绿地", "urban green space"),
})
class EcosystemType(Labelled):
    FOREST = "forest"
    WETLAND = "wetland"
    RIPARIAN_BUFFER = "riparian_buffer"
    KARST_GRASSLAND = "karst_grassland"
    GRASSLAND = "grassland"
    FARMLAND_SOIL = "farmland_soil"
    MANGROVE = "mangrove"
    RIVER = "river"
    LAKE_RESERVOIR = "lake_reservoir"
    MINE_LAND = "mine_land"
    URBAN_GREEN = "urban_green"


@labelled("stage", {
    "screening": ("线索筛查", "screening"),
    "filing": ("立案", "filing"),
    "investigation": ("损害调查", "investigation"),
    "appraisal": ("鉴定评估", "appraisal"),
    "consultation": ("赔偿磋商", "consultation"),
    "judicial_confirmation": ("司法确认", "judicial confirmation"),
    "litigation": ("诉讼", "litigation"),
    "restoration": ("修复", "restoration"),
    "effect_evaluation": ("修复效果评估", "effect evaluation"),
    "closed": ("验收结案", "closed"),
    "not_started": ("不启动索赔", "claim not started"),
    "terminated": ("终止索赔", "claim terminated"),
})
class Stage(Labelled):
    """Workflow stages in DESIGN.md's order, then the two side exits."""

    SCREENING = "screening"
    FILING = "filing"
    INVESTIGATION = "investigation"
    APPRAISAL = "appraisal"
    CONSULTATION = "consultation"
    JUDICIAL_CONFIRMATION = "judicial_confirmation"
    LITIGATION = "litigation"
    RESTORATION = "restoration"
    EFFECT_EVALUATION = "effect_evaluation"
    CLOSED = "closed"
    NOT_STARTED = "not_started"
    TERMINATED = "terminated"


@labelled("case_class", {
    "significantly_minor": ("显著轻微", "significantly minor"),
    "simple": ("简单", "simple"),
    "ordinary": ("一般", "ordinary"),
    "major": ("重大", "major"),
})
class CaseClass(Labelled):
    SIGNIFICANTLY_MINOR = "significantly_minor"
    SIMPLE = "simple"
    ORDINARY = "ordinary"
    MAJOR = "major"


@labelled("restoration_mode", {
    "in_situ": ("原位修复", "in-situ restoration"),
    "alternative": ("替代修复", "alternative restoration"),
    "off_site": ("异地修复", "off-site restoration"),
    "labour_in_lieu": ("劳务代偿", "labour in lieu"),
    "technical_upgrade_offset": ("技改抵扣", "technical-upgrade offset"),
    "instalments": ("分期赔付", "instalments"),
    "monetary": ("货币赔偿", "monetary compensation"),
})
class RestorationMode(Labelled):
    IN_SITU = "in_situ"
    ALTERNATIVE = "alternative"
    OFF_SITE = "off_site"
    LABOUR_IN_LIEU = "labour_in_lieu"
    TECHNICAL_UPGRADE_OFFSET = "technical_upgrade_offset"
    INSTALMENTS = "instalments"
    MONETARY = "monetary"


@labelled("project_status", {
    "proposed": ("拟建", "proposed"),
    "approved": ("已批准", "approved"),
    "under_construction": ("建设中", "under construction"),
    "operational": ("运行中", "operational"),
    "closed": ("已关闭", "closed"),
})
class ProjectStatus(Labelled):
    PROPOSED = "proposed"
    APPROVED = "approved"
    UNDER_CONSTRUCTION = "under_construction"
    OPERATIONAL = "operational"
    CLOSED = "closed"


@labelled("project_kind", {
    "project": ("替代修复项目", "bank project"),
    "base_site": ("修复基地", "base site"),
})
class ProjectKind(Labelled):
    PROJECT = "project"
    BASE_SITE = "base_site"


@labelled("service", {
    "habitat": ("生境", "habitat"),
    "water_purification": ("水质净化", "water purification"),
    "carbon_sequestration": ("固碳", "carbon sequestration"),
    "soil_retention": ("土壤保持", "soil retention"),
    "flood_regulation": ("洪水调蓄", "flood regulation"),
    "biodiversity": ("生物多样性", "biodiversity"),
    "fishery_resources": ("渔业资源", "fishery resources"),
    "soil_quality": ("土壤质量", "soil quality"),
})
class Service(Labelled):
    HABITAT = "habitat"
    WATER_PURIFICATION = "water_purification"
    CARBON_SEQUESTRATION = "carbon_sequestration"
    SOIL_RETENTION = "soil_retention"
    FLOOD_REGULATION = "flood_regulation"
    BIODIVERSITY = "biodiversity"
    FISHERY_RESOURCES = "fishery_resources"
    SOIL_QUALITY = "soil_quality"


@labelled("appraisal_method", {
    "abatement": ("虚拟治理成本法", "imputed abatement cost"),
    "restoration_cost": ("修复费用法", "restoration-cost estimate"),
    "equivalence": ("等值分析法", "equivalence analysis"),
    "expert": ("专家评估", "expert assessment"),
})
class AppraisalMethod(Labelled):
    """How a damage amount was quantified (损害数额量化方法)."""

    ABATEMENT = "abatement"
    RESTORATION_COST = "restoration_cost"
    EQUIVALENCE = "equivalence"
    EXPERT = "expert"


@labelled("direction", {
    "higher": ("越高越好", "higher is better"),
    "lower": ("越低越好", "lower is better"),
})
class Direction(Labelled):
    """Which way an indicator target improves (NDVI and cover up, concentrations down)."""

    HIGHER = "higher"
    LOWER = "lower"


@labelled("allocation_state", {
    "reserved": ("已预留", "reserved"),
    "committed": ("已确认", "committed"),
    "released": ("已释放", "released"),
})
class AllocationState(Labelled):
    RESERVED = "reserved"
    COMMITTED = "committed"
    RELEASED = "released"


@labelled("escrow_status", {
    "awaiting_match": ("待匹配", "awaiting match"),
    "matched": ("已匹配", "matched"),
    "refunded": ("已退回", "refunded"),
})
class EscrowStatus(Labelled):
    AWAITING_MATCH = "awaiting_match"
    MATCHED = "matched"
    REFUNDED = "refunded"


@labelled("siting_reason", {
    "ecosystem_mismatch": ("生态系统不可替代", "ecosystem cannot substitute"),
    "status": ("项目状态不符", "project status not allowed"),
    "full": ("容量已满", "no capacity remaining"),
    "other_watershed": ("不同流域", "other watershed"),
    "other_county": ("不同县区", "other county"),
    "too_far": ("距离过远", "too far"),
    "bad_trajectory": ("恢复轨迹无效", "invalid trajectory"),
    "no_unit_value": ("缺少单位价值", "no unit value"),
    "no_credit": ("无生态增益", "no credit"),
    "short": ("剩余容量不足", "not enough capacity alone"),
    "other_watershed_preferred": ("非同流域", "not the same watershed"),
    "other_county_preferred": ("非同县区", "not the same county"),
})
class SitingReason(Labelled):
    """Why a bank project is not, or only partly, a candidate for a case (base-site ranking).
    The first eight block a candidate; the last three are information."""

    ECOSYSTEM_MISMATCH = "ecosystem_mismatch"
    STATUS = "status"
    FULL = "full"
    OTHER_WATERSHED = "other_watershed"
    OTHER_COUNTY = "other_county"
    TOO_FAR = "too_far"
    BAD_TRAJECTORY = "bad_trajectory"
    NO_UNIT_VALUE = "no_unit_value"
    NO_CREDIT = "no_credit"
    SHORT = "short"
    OTHER_WATERSHED_PREFERRED = "other_watershed_preferred"
    OTHER_COUNTY_PREFERRED = "other_county_preferred"


@labelled("ledger_entry", {
    "due": ("应缴", "amount due"),
    "instalment_due": ("分期应缴", "instalment due"),
    "received": ("已收", "received"),
    "disbursed": ("已拨付修复", "disbursed to restoration"),
})
class LedgerEntry(Labelled):
    DUE = "due"
    INSTALMENT_DUE = "instalment_due"
    RECEIVED = "received"
    DISBURSED = "disbursed"


@labelled("mode_status", {
    "planned": ("计划", "planned"),
    "in_progress": ("实施中", "in progress"),
    "completed": ("已完成", "completed"),
})
class ModeStatus(Labelled):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


@labelled("verdict", {
    "pass": ("达标", "pass"),
    "fail": ("未达标", "fail"),
    "incomplete": ("证据不足", "insufficient evidence"),
})
class Verdict(Labelled):
    PASS = "pass"
    FAIL = "fail"
    INCOMPLETE = "incomplete"


#: Open stages: a case in one of these still needs work.
OPEN_STAGES = tuple(s for s in Stage if s not in (Stage.CLOSED, Stage.NOT_STARTED, Stage.TERMINATED))

#: where a case's damage amount came from (``cases.damage_amount_source``)
AMOUNT_SOURCES = register(Vocabulary("amount_source", {
    "appraisal": ("鉴定评估计算", "computed by an appraisal"),
    "manual": ("手工录入", "typed by hand"),
    "claim_items": ("索赔项目合计", "sum of the claim items"),
}))
#: what a disbursement of the funds ledger was used for (``funds_ledger.use_kind``)
FUND_USES = register(Vocabulary("fund_use", {
    "restoration": ("损害地生态修复", "restoration of the damaged place"),
    "related_work": ("损害赔偿相关工作支出", "related work (appraisal, monitoring ...)"),
    "other": ("其他用途", "other use"),
}))
