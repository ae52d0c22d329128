"""The data model: domain vocabularies and the one definition of every store layer.

Each layer is a :class:`LayerSpec`; validation (``restoration.validate``), the store's tables
(``restoration.store``) and the exports all read these specs, so a field is defined once.
Names follow the glossary in DESIGN.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field as dc_field, replace
from enum import StrEnum
from typing import Any, Literal

from .config import DEFAULT_PROFILE


class _Labelled(StrEnum):
    """A vocabulary whose members carry a Chinese label (``.zh``) and an English one (``.en``)."""

    @property
    def zh(self) -> str:
        return _LABELS[type(self).__name__][self.value][0]

    @property
    def en(self) -> str:
        return _LABELS[type(self).__name__][self.value][1]

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


class Role(_Labelled):
    DAMAGED = "damaged"
    IN_SITU_RESTORATION = "in_situ_restoration"
    ALTERNATIVE_RESTORATION = "alternative_restoration"
    OFF_SITE_RESTORATION = "off_site_restoration"
    REFERENCE = "reference"
    MONITORING_PLOT = "monitoring_plot"


class EcosystemType(_Labelled):
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


class Stage(_Labelled):
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


class CaseClass(_Labelled):
    SIGNIFICANTLY_MINOR = "significantly_minor"
    SIMPLE = "simple"
    ORDINARY = "ordinary"
    MAJOR = "major"


class RestorationMode(_Labelled):
    IN_SITU = "in_situ"
    ALTERNATIVE = "alternative"
    OFF_SITE = "off_site"
    LABOUR_IN_LIEU = "labour_in_lieu"
    TECHNICAL_UPGRADE_OFFSET = "technical_upgrade_offset"
    INSTALMENTS = "instalments"
    MONETARY = "monetary"


class ProjectStatus(_Labelled):
    PROPOSED = "proposed"
    APPROVED = "approved"
    UNDER_CONSTRUCTION = "under_construction"
    OPERATIONAL = "operational"
    CLOSED = "closed"


class ProjectKind(_Labelled):
    PROJECT = "project"
    BASE_SITE = "base_site"


class Service(_Labelled):
    HABITAT = "habitat"
    WATER_PURIFICATION = "water_purification"
    CARBON_SEQUESTRATION = "carbon_sequestration"
    SOIL_RETENTION = "soil_retention"
    FLOOD_REGULATION = "flood_regulation"
    BIODIVERSITY = "biodiversity"
    FISHERY_RESOURCES = "fishery_resources"
    SOIL_QUALITY = "soil_quality"


_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "Role": {
        "damaged": ("受损区域", "damaged site"),
        "in_situ_restoration": ("原位修复区", "in-situ restoration site"),
        "alternative_restoration": ("替代修复区", "alternative restoration site"),
        "off_site_restoration": ("异地修复区", "off-site restoration site"),
        "reference": ("参照区", "reference site"),
        "monitoring_plot": ("监测样地", "monitoring plot"),
    },
    "EcosystemType": {
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
    },
    "Stage": {
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
    },
    "CaseClass": {
        "significantly_minor": ("显著轻微", "significantly minor"),
        "simple": ("简单", "simple"),
        "ordinary": ("一般", "ordinary"),
        "major": ("重大", "major"),
    },
    "RestorationMode": {
        "in_situ": ("原位修复", "in-situ restoration"),
        "alternative": ("替代修复", "alternative restoration"),
        "off_site": ("异地修复", "off-site restoration"),
        "labour_in_lieu": ("劳务代偿", "labour in lieu"),
        "technical_upgrade_offset": ("技改抵扣", "technical-upgrade offset"),
        "instalments": ("分期赔付", "instalments"),
        "monetary": ("货币赔偿", "monetary compensation"),
    },
    "ProjectStatus": {
        "proposed": ("拟建", "proposed"),
        "approved": ("已批准", "approved"),
        "under_construction": ("建设中", "under construction"),
        "operational": ("运行中", "operational"),
        "closed": ("已关闭", "closed"),
    },
    "ProjectKind": {
        "project": ("替代修复项目", "bank project"),
        "base_site": ("修复基地", "base site"),
    },
    "Service": {
        "habitat": ("生境", "habitat"),
        "water_purification": ("水质净化", "water purification"),
        "carbon_sequestration": ("固碳", "carbon sequestration"),
        "soil_retention": ("土壤保持", "soil retention"),
        "flood_regulation": ("洪水调蓄", "flood regulation"),
        "biodiversity": ("生物多样性", "biodiversity"),
        "fishery_resources": ("渔业资源", "fishery resources"),
        "soil_quality": ("土壤质量", "soil quality"),
    },
}

#: Open stages: a case in one of these still needs work.
OPEN_STAGES = tuple(s for s in Stage if s not in (Stage.CLOSED, Stage.NOT_STARTED, Stage.TERMINATED))

#: Plausibility bounds on input values (not rule values: no standard sets them). They catch
#: typing and unit errors (1e400, yuan entered as fen x 10^6...) before they reach the store.
#: 10^12 yuan (1万亿元) is far above any eco-environmental damage case or project cost.
MAX_YUAN = 1e12
#: a bank project's capacity in its own unit (ha, mu, m2, tCO2e, fish fry...)
MAX_QUANTITY = 1e12
#: relative value of a replacement site's services (1.0 = same as the injured site)
MAX_RELATIVE_VALUE = 1000.0
#: longest id (site_id, case_id, ...) and longest other text, in characters
MAX_ID_LEN = 100
MAX_TEXT_LEN = 2000
MAX_NOTE_LEN = 20000
#: largest polygon accepted per layer [ha]: sites and bank projects 10^6 ha (10,000 km²);
#: counties 5 x 10^7 ha (China's largest county, Ruoqiang, is about 2 x 10^7 ha); watersheds
#: 2 x 10^8 ha (the Yangtze basin is about 1.8 x 10^8 ha). Larger areas are nearly always a wrong
#: CRS (projected metres read as degrees, lon/lat swapped).
MAX_AREA_HA = {"sites": 1e6, "bank_projects": 1e6, "counties": 5e7, "watersheds": 2e8}
#: smallest polygon accepted [ha]: 1 m² (a 1 m × 1 m vegetation quadrat). Smaller is collinear
#: points (a "polygon" with no inside) or degrees stored under a projected CRS label.
MIN_AREA_HA = 1e-4
#: smallest area / perimeter² of a polygon, in its own CRS: below this its points lie on one line
#: (float noise gives a "triangle" of three collinear points 1e-14; a strip 1 m wide and 30 km long
#: has 8e-6). Tested in the file's CRS: reprojected, the line would bend and enclose an area.
MIN_FLATNESS = 1e-9
#: dates accepted in any date field: nothing in this platform's cases, monitoring or plans lies
#: outside (a typing error such as 0000-01-01 or 9999-12-31 does)
DATE_MIN = "1900-01-01"
DATE_MAX = "2100-12-31"
#: how far outside the store's counties (their bounding box) a site or bank project may lie [km]
#: before it is refused unless ``--allow-outside`` (a neighbouring region's reference site is near)
OUTSIDE_MARGIN_KM = 50.0
#: quality-control flags of a monitoring value (``qc_flag``; several joined by ``;``): the first
#: four are set by raster ingestion; ``cloudy``, ``outside``, ``suspect``, ``invalid`` and
#: ``rejected`` keep a value out of progress and evaluation (``monitoring.series.EXCLUDED_QC``)
QC_FLAGS = ("ok", "cloudy", "subpixel", "partial", "outside", "suspect", "invalid", "rejected", "estimated",
            "below_detection")

Kind = Literal["str", "float", "int", "date", "datetime", "bool", "enum", "list", "json", "blob"]
GeometryRule = Literal["polygon", "polygon_or_point"]


@dataclass(frozen=True)
class Field:
    """One column of a layer.

    ``computed`` fields are filled by the platform (an input that carries them is overwritten);
    ``choices`` holds the allowed values of an ``enum`` or of each item of a ``list``.
    """

    name: str
    kind: Kind
    required: bool = False
    choices: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    default: Any = None
    computed: bool = False
    unit: str | None = None
    zh: str = ""
    #: ``min`` is a strict bound (value > min), e.g. a capacity must be positive
    min_exclusive: bool = False
    #: longest text accepted (characters); None -> the validator's default for ids / text
    max_len: int | None = None
    #: a date that cannot lie after today (``config.today()``): something that happened or was measured
    past: bool = False

    @property
    def sql_type(self) -> str:
        return {
            "str": "TEXT", "enum": "TEXT", "list": "TEXT", "json": "TEXT",
            "float": "REAL", "int": "INTEGER", "bool": "BOOLEAN",
            "date": "DATE", "datetime": "DATETIME", "blob": "BLOB",
        }[self.kind]


def _enum(e: type[StrEnum]) -> tuple[str, ...]:
    return tuple(m.value for m in e)


@dataclass(frozen=True)
class LayerSpec:
    """A store layer: its columns, its key, and its geometry rule (None for plain tables)."""

    name: str
    fields: tuple[Field, ...]
    key: str | None = None  # natural primary key; None -> integer ``fid`` only
    geometry: GeometryRule | None = None
    importable: bool = False
    unique: tuple[tuple[str, ...], ...] = dc_field(default_factory=tuple)
    #: (field, layer) pairs: the field must hold a key of that layer (checked on import)
    refs: tuple[tuple[str, str], ...] = ()
    #: (earlier, later) date fields: the later may not precede the earlier in a row
    date_order: tuple[tuple[str, str], ...] = ()
    zh: str = ""

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


F = Field
LAYERS: dict[str, LayerSpec] = {}


def _layer(spec: LayerSpec) -> LayerSpec:
    LAYERS[spec.name] = spec
    return spec


SITES = _layer(LayerSpec(
    "sites", key="site_id", geometry="polygon_or_point", importable=True, zh="场地",
    refs=(("case_id", "cases"),),
    fields=(
        F("site_id", "str", required=True, zh="场地编号"),
        F("case_id", "str", zh="案件编号"),
        F("role", "enum", required=True, choices=_enum(Role), zh="场地类型"),
        F("ecosystem_type", "enum", required=True, choices=_enum(EcosystemType), zh="生态系统类型"),
        F("name", "str", required=True, zh="名称"),
        F("area_ha", "float", computed=True, unit="ha", zh="面积"),
        F("county", "str", computed=True, zh="县区"),
        F("watershed", "str", computed=True, zh="流域"),
        F("public_name", "str", max_len=120, zh="公开名称"),  # the name the public sees, set by staff (issue 11)
    ),
))

BANK_PROJECTS = _layer(LayerSpec(
    "bank_projects", key="project_id", geometry="polygon", importable=True, zh="替代修复项目库",
    fields=(
        F("project_id", "str", required=True, zh="项目编号"),
        F("name", "str", required=True, zh="名称"),
        F("kind", "enum", choices=_enum(ProjectKind), default="project", zh="类别"),
        F("ecosystem_type", "enum", required=True, choices=_enum(EcosystemType), zh="生态系统类型"),
        F("services", "list", choices=_enum(Service), default=(), zh="生态服务"),
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
        F("status", "enum", required=True, choices=_enum(ProjectStatus), zh="状态"),
        F("area_ha", "float", computed=True, unit="ha", zh="面积"),
    ),
))

CASES = _layer(LayerSpec(
    "cases", key="case_id", importable=True, zh="案件", date_order=(("incident_date", "discovered_date"),),
    fields=(
        F("case_id", "str", required=True, zh="案件编号"),
        F("title", "str", required=True, zh="案件名称"),
        F("region", "str", required=True, zh="所在县区"),
        F("case_class", "enum", required=True, choices=_enum(CaseClass), zh="案件类别"),
        F("stage", "enum", required=True, choices=_enum(Stage), zh="办理阶段"),
        F("liable_party", "str", zh="赔偿义务人"),
        F("claimant_agency", "str", required=True, zh="赔偿权利人指定部门"),
        F("damage_amount_yuan", "float", min=0.0, max=MAX_YUAN, unit="yuan", zh="损害数额"),
        F("incident_date", "date", past=True, zh="损害发生日期"),
        F("discovered_date", "date", past=True, zh="发现日期"),
        F("clue_source", "str", zh="线索来源"),
        F("restoration_modes", "list", choices=_enum(RestorationMode), default=(), zh="修复方式"),
        F("profile", "str", default=DEFAULT_PROFILE, zh="规则配置"),
        F("disclosed", "bool", default=False, zh="是否公开"),
        F("notes", "str", max_len=MAX_NOTE_LEN, zh="内部备注"),
        # access and disclosure (issue 11, migration 8)
        F("handling_region", "str", zh="办理地区"),  # region code: county_id, city or "province"
        F("joint_regions", "list", default=(), zh="联合办案地区"),  # region codes (联合办案)
        F("appraisers", "list", default=(), zh="承办鉴定评估人员"),  # user names assigned
        F("public_title", "str", max_len=120, zh="公开标题"),  # the title the public sees, set by staff
        F("version", "int", computed=True, default=1, zh="版本号"),
        F("updated_at", "datetime", computed=True, zh="更新时间"),
    ),
))

#: fields migration 9 adds to cases: where the damage amount came from (an appraisal or typed by hand)
CASE_AMOUNT_FIELDS = (
    F("damage_amount_source", "enum", choices=("appraisal", "manual"), zh="损害数额来源"),
    F("damage_appraisal_id", "str", zh="损害数额所依据的鉴定评估"),
)
CASES = _layer(replace(CASES, fields=CASES.fields + CASE_AMOUNT_FIELDS))


class AppraisalMethod(_Labelled):
    """How a damage amount was quantified (损害数额量化方法)."""

    ABATEMENT = "abatement"
    RESTORATION_COST = "restoration_cost"
    EQUIVALENCE = "equivalence"
    EXPERT = "expert"


_LABELS["AppraisalMethod"] = {
    "abatement": ("虚拟治理成本法", "imputed abatement cost"),
    "restoration_cost": ("修复费用法", "restoration-cost estimate"),
    "equivalence": ("等值分析法", "equivalence analysis"),
    "expert": ("专家评估", "expert assessment"),
}
_LABELS["AmountSource"] = {
    "appraisal": ("鉴定评估计算", "computed by an appraisal"),
    "manual": ("手工录入", "typed by hand"),
}


APPRAISALS = _layer(LayerSpec(
    "appraisals", key="appraisal_id", zh="鉴定评估结果", refs=(("case_id", "cases"),),
    fields=(
        F("appraisal_id", "str", required=True, zh="评估编号"),
        F("case_id", "str", required=True, zh="案件编号"),
        F("method", "enum", required=True, choices=_enum(AppraisalMethod), zh="量化方法"),
        F("standard", "str", zh="依据标准"),
        F("amount_yuan", "float", required=True, min=0.0, unit="yuan", zh="损害数额"),
        F("inputs", "json", zh="输入"),
        F("result", "json", zh="计算过程与结果"),
        F("software_version", "str", zh="软件版本"),
        F("appraised_on", "date", required=True, past=True, zh="评估日期"),
        F("appraiser", "str", required=True, zh="评估人"),
        F("all_verified", "bool", default=False, zh="取值均已核实"),
        F("note", "str", zh="说明"),
        F("recorded_at", "datetime", computed=True, zh="记录时间"),
    ),
))

CASE_EVENTS = _layer(LayerSpec(
    "case_events", zh="案件事件", refs=(("case_id", "cases"),),
    fields=(
        F("case_id", "str", required=True),
        F("event_type", "str", required=True),
        F("event_date", "date", required=True),
        F("actor", "str"),
        F("details", "json"),
        F("recorded_at", "datetime", computed=True),
    ),
))

MONITORING_SERIES = _layer(LayerSpec(
    "monitoring_series", zh="监测序列", unique=(("site_id", "indicator", "time", "source"),),
    refs=(("site_id", "sites"),),
    fields=(
        F("site_id", "str", required=True),
        F("indicator", "str", required=True),
        F("time", "datetime", required=True, past=True),
        F("value", "float", required=True),
        F("unit", "str", required=True),
        F("source", "str", required=True),
        F("qc_flag", "str", default="ok", choices=QC_FLAGS),
        # share of the site's pixels that were clear (not cloud, shadow, snow or nodata) on that
        # date, for raster values (issue 15; added to older stores by migration 11)
        F("valid_fraction", "float", min=0.0, max=1.0, zh="有效像元比例"),
    ),
))

class Direction(_Labelled):
    """Which way an indicator target improves (NDVI and cover up, concentrations down)."""

    HIGHER = "higher"
    LOWER = "lower"


_LABELS["Direction"] = {
    "higher": ("越高越好", "higher is better"),
    "lower": ("越低越好", "lower is better"),
}

INDICATOR_TARGETS = _layer(LayerSpec(
    "indicator_targets", zh="指标目标", unique=(("site_id", "indicator"),),
    refs=(("site_id", "sites"), ("reference_site_id", "sites")),  # dates in order: monitoring.target_checks
    fields=(
        F("site_id", "str", required=True, zh="场地编号"),
        F("indicator", "str", required=True, zh="监测指标"),
        F("unit", "str", required=True, zh="单位"),
        F("direction", "enum", required=True, choices=_enum(Direction), zh="目标方向"),
        F("baseline", "float", required=True, zh="基线值"),
        F("target", "float", required=True, zh="目标值"),
        F("baseline_date", "date", zh="基线日期"),
        F("target_date", "date", zh="目标日期"),
        F("planned_trajectory", "json", zh="计划轨迹"),
        F("reference_site_id", "str", zh="参照场地编号"),
    ),
))

AUDIT_LOG = _layer(LayerSpec(
    "audit_log", zh="审计日志",
    fields=(
        F("at", "datetime", required=True),
        F("actor", "str", required=True),
        F("action", "str", required=True),
        F("layer", "str", required=True),
        F("record_id", "str"),
        F("before", "json"),
        F("after", "json"),
    ),
))

# Submissions (issue 10): the request id of every form write, recorded (unique) in the same
# transaction as the write, with its result; the same request again returns that result and writes
# nothing (a double submit, a retried request, another browser session replaying it).
SUBMISSIONS = _layer(LayerSpec(
    "submissions", key="request_id", zh="表单提交记录",
    fields=(
        F("request_id", "str", required=True),
        F("action", "str", required=True),
        F("actor", "str"),
        F("at", "datetime", required=True),
        F("result", "json"),
    ),
))

COUNTIES = _layer(LayerSpec(
    "counties", key="county_id", geometry="polygon", importable=True, zh="县区",
    fields=(
        F("county_id", "str", required=True, zh="县区代码"),
        F("name", "str", required=True, zh="名称"),
        F("city", "str", zh="所属设区市"),  # the jurisdiction tree: province -> city -> county (issue 11)
        F("area_ha", "float", computed=True, unit="ha", zh="面积"),
    ),
))

WATERSHEDS = _layer(LayerSpec(
    "watersheds", key="watershed_id", geometry="polygon", importable=True, zh="流域",
    fields=(
        F("watershed_id", "str", required=True, zh="流域编号"),
        F("name", "str", required=True, zh="名称"),
        F("area_ha", "float", computed=True, unit="ha", zh="面积"),
    ),
))

#: The layers the issue names, in the order the store creates them.
CORE_LAYERS = ("sites", "bank_projects", "cases", "case_events", "monitoring_series",
               "indicator_targets", "audit_log")


# --- project bank (issue 6) ---
# Extra fields on bank_projects (added to existing stores by migration 4 with ALTER TABLE) and the
# layers of the bank's registry history, credit ledger, escrow and the cases' equivalence scenarios.
from dataclasses import replace as _replace  # noqa: E402


class AllocationState(_Labelled):
    RESERVED = "reserved"
    COMMITTED = "committed"
    RELEASED = "released"


class EscrowStatus(_Labelled):
    AWAITING_MATCH = "awaiting_match"
    MATCHED = "matched"
    REFUNDED = "refunded"


_LABELS["AllocationState"] = {
    "reserved": ("已预留", "reserved"),
    "committed": ("已确认", "committed"),
    "released": ("已释放", "released"),
}
_LABELS["EscrowStatus"] = {
    "awaiting_match": ("待匹配", "awaiting match"),
    "matched": ("已匹配", "matched"),
    "refunded": ("已退回", "refunded"),
}


class SitingReason(_Labelled):
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


_LABELS["SitingReason"] = {
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
}

#: fields migration 4 adds to bank_projects
BANK_PROJECT_EXTRA_FIELDS = (
    F("start_year", "int", min=1900, max=2200, zh="开始提供服务年份"),
    F("status_since", "date", zh="当前状态起始日期"),
)
BANK_PROJECTS = _layer(_replace(BANK_PROJECTS, fields=BANK_PROJECTS.fields + BANK_PROJECT_EXTRA_FIELDS))

BANK_STATUS_HISTORY = _layer(LayerSpec(
    "bank_status_history", zh="项目库状态变更", refs=(("project_id", "bank_projects"),),
    fields=(
        F("project_id", "str", required=True, zh="项目编号"),
        F("from_status", "enum", choices=_enum(ProjectStatus), zh="原状态"),
        F("to_status", "enum", required=True, choices=_enum(ProjectStatus), zh="新状态"),
        F("changed_on", "date", required=True, zh="变更日期"),
        F("actor", "str", zh="操作人"),
        F("note", "str", zh="说明"),
        F("recorded_at", "datetime", computed=True, zh="记录时间"),
    ),
))

BANK_ALLOCATIONS = _layer(LayerSpec(
    "bank_allocations", key="allocation_id", zh="项目库容量分配",
    refs=(("project_id", "bank_projects"), ("case_id", "cases")),
    fields=(
        F("allocation_id", "str", required=True, zh="分配编号"),
        F("project_id", "str", required=True, zh="项目编号"),
        F("case_id", "str", zh="案件编号"),
        F("external_ref", "str", zh="外部案件/用途"),
        F("amount", "float", required=True, min=0.0, zh="数量"),
        F("unit", "str", required=True, zh="单位"),
        F("state", "enum", required=True, choices=_enum(AllocationState), zh="状态"),
        F("cost_yuan", "float", min=0.0, max=MAX_YUAN, unit="yuan", zh="费用"),
        F("escrow_id", "str", zh="提存编号"),
        F("created_on", "date", zh="预留日期"),
        F("note", "str", zh="说明"),
        F("version", "int", computed=True, default=1, zh="版本号"),
        F("updated_at", "datetime", computed=True, zh="更新时间"),
    ),
))

BANK_LEDGER = _layer(LayerSpec(
    "bank_ledger", zh="项目库台账",
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
))

ESCROW = _layer(LayerSpec(
    "escrow", key="escrow_id", zh="替代修复资金提存", refs=(("case_id", "cases"),),
    fields=(
        F("escrow_id", "str", required=True, zh="提存编号"),
        F("case_id", "str", required=True, zh="案件编号"),
        F("amount_yuan", "float", required=True, min=0.0, max=MAX_YUAN, unit="yuan", zh="金额"),
        F("holder", "str", required=True, zh="提存机构/账户"),
        F("deposited_on", "date", required=True, zh="提存日期"),
        F("ecosystem_type", "enum", choices=_enum(EcosystemType), zh="拟修复生态系统类型"),
        F("status", "enum", required=True, choices=_enum(EscrowStatus), default="awaiting_match", zh="状态"),
        F("allocation_id", "str", zh="匹配的分配编号"),
        F("note", "str", zh="说明"),
        F("version", "int", computed=True, default=1, zh="版本号"),
        F("updated_at", "datetime", computed=True, zh="更新时间"),
    ),
))

CASE_SCENARIOS = _layer(LayerSpec(
    "case_scenarios", key="scenario_id", zh="案件等值评估情景", refs=(("case_id", "cases"),),
    fields=(
        F("scenario_id", "str", required=True, zh="情景编号"),
        F("case_id", "str", required=True, zh="案件编号"),
        F("purpose", "str", default="alternative_restoration", zh="用途"),
        F("scenario", "json", required=True, zh="情景（格式 v1）"),
        F("source", "str", zh="来源"),
        F("updated_at", "datetime", computed=True, zh="更新时间"),
    ),
))

BANK_LAYERS = ("bank_status_history", "bank_allocations", "bank_ledger", "escrow", "case_scenarios")


# --- cases and rules (issue 4) ---
# Classification decisions (computed + supervisor overrides), restoration modes per case and the
# case funds ledger. Events stay in case_events; meetings and agreements are events there.
class LedgerEntry(_Labelled):
    DUE = "due"
    INSTALMENT_DUE = "instalment_due"
    RECEIVED = "received"
    DISBURSED = "disbursed"


class ModeStatus(_Labelled):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


_LABELS["LedgerEntry"] = {
    "due": ("应缴", "amount due"),
    "instalment_due": ("分期应缴", "instalment due"),
    "received": ("已收", "received"),
    "disbursed": ("已拨付修复", "disbursed to restoration"),
}
_LABELS["ModeStatus"] = {
    "planned": ("计划", "planned"),
    "in_progress": ("实施中", "in progress"),
    "completed": ("已完成", "completed"),
}

CASE_CLASSIFICATIONS = _layer(LayerSpec(
    "case_classifications", zh="案件分类记录", refs=(("case_id", "cases"),),
    fields=(
        F("case_id", "str", required=True, zh="案件编号"),
        F("profile", "str", required=True, zh="规则配置"),
        F("facts", "json", zh="案件事实"),
        F("computed_class", "enum", choices=_enum(CaseClass), zh="规则判定类别"),
        F("case_class", "enum", required=True, choices=_enum(CaseClass), zh="认定类别"),
        F("fired", "json", zh="触发规则及依据"),
        F("overridden", "bool", default=False, zh="人工调整"),
        F("reason", "str", zh="调整理由"),
        F("actor", "str", zh="操作人"),
        F("recorded_at", "datetime", computed=True, zh="记录时间"),
    ),
))

CASE_MODES = _layer(LayerSpec(
    "case_modes", zh="案件修复方式", refs=(("case_id", "cases"),),
    fields=(
        F("case_id", "str", required=True, zh="案件编号"),
        F("mode", "enum", required=True, choices=_enum(RestorationMode), zh="修复方式"),
        F("site_ids", "list", default=(), zh="关联场地"),
        F("bank_project_id", "str", zh="替代修复项目"),
        F("parameters", "json", zh="参数"),
        F("value_yuan", "float", min=0.0, max=MAX_YUAN, unit="yuan", zh="折算金额"),
        F("status", "enum", choices=_enum(ModeStatus), default="planned", zh="状态"),
        F("note", "str", zh="说明"),
        F("recorded_at", "datetime", computed=True, zh="记录时间"),
    ),
))

FUNDS_LEDGER = _layer(LayerSpec(
    "funds_ledger", zh="赔偿资金台账", refs=(("case_id", "cases"),),
    fields=(
        F("case_id", "str", required=True, zh="案件编号"),
        F("entry_type", "enum", required=True, choices=_enum(LedgerEntry), zh="类型"),
        F("amount_yuan", "float", required=True, min=0.0, max=MAX_YUAN, unit="yuan", zh="金额"),
        F("entry_date", "date", required=True, zh="日期"),
        F("due_date", "date", zh="应缴日期"),
        F("instalment_no", "int", min=1, zh="期次"),
        F("counterparty", "str", zh="缴款人/收款方"),
        F("purpose", "str", zh="用途"),
        F("reference", "str", zh="凭证号"),
        F("note", "str", zh="说明"),
        F("recorded_at", "datetime", computed=True, zh="记录时间"),
        # issue 14 (migration 10): where a disbursement was used (浙 第九条: 损害地的生态修复)
        F("site_id", "str", zh="使用场地"),
        F("use_kind", "enum", choices=("restoration", "related_work", "other"), zh="资金用途类别"),
    ),
))

CASE_LAYERS = ("case_classifications", "case_modes", "funds_ledger")
#: funds_ledger fields added by migration 10
FUNDS_LEDGER_EXTRA_FIELDS = ("site_id", "use_kind")
_LABELS["FundUse"] = {
    "restoration": ("损害地生态修复", "restoration of the damaged place"),
    "related_work": ("损害赔偿相关工作支出", "related work (appraisal, monitoring ...)"),
    "other": ("其他用途", "other use"),
}

# --- procedure (issue 14) ---
# Screening reports (线索筛查情况报告): a region's periodic report of its clue screening to the
# province (浙 第二条: 每半年收集汇总并报送). One row per region and period.
SCREENING_REPORTS = _layer(LayerSpec(
    "screening_reports", zh="线索筛查情况报告", unique=(("region", "period_start"),),
    fields=(
        F("region", "str", required=True, zh="报送地区"),
        F("period_start", "date", required=True, zh="统计期起"),
        F("period_end", "date", required=True, zh="统计期止"),
        F("submitted_on", "date", required=True, zh="报送日期"),
        F("submitted_to", "str", required=True, zh="报送对象"),
        F("n_clues", "int", min=0, zh="筛查线索数"),
        F("n_referred", "int", min=0, zh="移送线索数"),
        F("n_filed", "int", min=0, zh="立案数"),
        F("note", "str", zh="说明"),
        F("actor", "str", zh="填报人"),
        F("recorded_at", "datetime", computed=True, zh="记录时间"),
    ),
))
PROCEDURE_LAYERS = ("screening_reports",)


# --- monitoring (issue 5) ---
# Restoration effect evaluations (修复效果评估): one record per evaluation of a case, with each
# indicator's verdict and evidence as JSON. Zonal raster means (e.g. NDVI) are not a layer of
# their own: they go into monitoring_series with source "raster:<indicator>" (ingest_raster
# registers where the files are in raster_sources, a layer of the dashboards section).
class Verdict(_Labelled):
    PASS = "pass"
    FAIL = "fail"
    INCOMPLETE = "incomplete"


_LABELS["Verdict"] = {
    "pass": ("达标", "pass"),
    "fail": ("未达标", "fail"),
    "incomplete": ("证据不足", "insufficient evidence"),
}

EFFECT_EVALUATIONS = _layer(LayerSpec(
    "effect_evaluations", key="evaluation_id", zh="修复效果评估", refs=(("case_id", "cases"),),
    fields=(
        F("evaluation_id", "str", required=True, zh="评估编号"),
        F("case_id", "str", required=True, zh="案件编号"),
        F("as_of", "date", required=True, zh="评估基准日"),
        F("verdict", "enum", required=True, choices=_enum(Verdict), zh="总体结论"),
        F("n_indicators", "int", min=0, zh="评估指标数"),
        F("n_passed", "int", min=0, zh="达标指标数"),
        F("n_failed", "int", min=0, zh="未达标指标数"),
        F("indicators", "json", zh="分指标结论及依据"),
        F("parameters", "json", zh="评估参数"),
        F("software_version", "str", zh="软件版本"),
        F("actor", "str", zh="评估人"),
        F("evaluated_at", "datetime", required=True, zh="评估时间"),
    ),
))

MONITORING_LAYERS = ("effect_evaluations",)

# Spectral recovery assessments (issue 15): the recovery metrics of one site and index, with the
# annual series, the target and a per-pixel map of one metric, stored with the case.
RECOVERY_ASSESSMENTS = _layer(LayerSpec(
    "recovery_assessments", key="assessment_id", zh="植被光谱恢复评估",
    refs=(("case_id", "cases"), ("site_id", "sites")),
    fields=(
        F("assessment_id", "str", required=True, zh="评估编号"),
        F("case_id", "str", zh="案件编号"),
        F("site_id", "str", required=True, zh="场地编号"),
        F("indicator", "str", required=True, zh="指标"),
        F("disturbance_year", "int", required=True, zh="受损年份"),
        F("restoration_year", "int", required=True, zh="修复开始年份"),
        F("target_kind", "str", required=True, zh="目标类型"),  # historic | reference_site
        F("reference_years", "json", zh="参照年份"),
        F("reference_site_id", "str", zh="参照场地"),
        F("target", "float", zh="恢复目标值"),
        F("percent_of_target", "float", zh="目标百分比"),
        F("timestep", "int", zh="评估年限"),
        F("series", "json", zh="年度序列"),  # [{year, value, n}]
        F("metrics", "json", zh="恢复指标"),  # {Y2R, R80P, RRI, YrYr, dIR, recovered, timestep_used}
        F("pixel_map", "json", zh="逐像元指标图"),  # {metric, values, bounds (lon/lat), crs, summary}
        F("parameters", "json", zh="参数"),
        F("software_version", "str", zh="软件版本"),
        F("actor", "str", zh="评估人"),
        F("assessed_at", "datetime", required=True, zh="评估时间"),
    ),
))


# --- dashboards (issue 7) ---
# Files attached to case events (inspection photos): kept inside the store, written in the same
# transaction as their event, so an event and its photos land together or not at all.
ATTACHMENTS = _layer(LayerSpec(
    "attachments", zh="附件", refs=(("case_id", "cases"),),
    fields=(
        F("case_id", "str", required=True, zh="案件编号"),
        F("event_fid", "int", required=True, zh="事件编号"),
        F("name", "str", required=True, zh="文件名"),
        F("mime", "str", required=True, zh="类型"),
        F("size_bytes", "int", required=True, min=0, zh="大小"),
        F("data", "blob", required=True, zh="内容"),
        F("recorded_at", "datetime", computed=True, zh="记录时间"),
    ),
))

# Where each raster series' files are (written by ``monitoring.ingest_raster``, read by
# ``monitoring.overlay``), so maps can show the imagery under the sites without opening files.
RASTER_SOURCES = _layer(LayerSpec(
    "raster_sources", key="source", zh="遥感影像来源",
    fields=(
        F("source", "str", required=True, zh="来源标识"),  # the monitoring_series source, e.g. raster:ndvi
        F("indicator", "str", required=True, zh="指标"),
        F("location", "str", required=True, max_len=10_000_000, zh="文件位置"),  # pattern, file or JSON list of files
        F("options", "json", zh="读取参数"),  # open_cube keyword arguments (date_pattern, variable ...)
        F("n_dates", "int", min=0, zh="影像期数"),
        F("first_date", "date", zh="最早日期"),
        F("last_date", "date", zh="最近日期"),
        F("crs", "str", zh="坐标系"),
        F("method", "str", zh="分区统计规则"),
        F("ingested_at", "datetime", required=True, zh="入库时间"),
    ),
))


# --- a user's own files in (issue 16) ---
# Columns of an imported file that are not fields of the layer are kept, per row, in a JSON
# ``attributes`` column (added to existing stores by migration 7), so nothing the user had is
# lost and exports show it; ``--extra ignore`` drops them instead (with a notice).
ATTRIBUTES_FIELD = F("attributes", "json", max_len=65536, zh="其他属性")
#: layers whose imports keep extra columns in ``attributes``
ATTRIBUTE_LAYERS = ("sites", "bank_projects", "cases", "counties", "watersheds")
for _name in ATTRIBUTE_LAYERS:
    if "attributes" not in LAYERS[_name].field_names:
        _layer(_replace(LAYERS[_name], fields=LAYERS[_name].fields + (ATTRIBUTES_FIELD,)))
SITES, BANK_PROJECTS, CASES, COUNTIES, WATERSHEDS = (LAYERS[n] for n in ATTRIBUTE_LAYERS)
