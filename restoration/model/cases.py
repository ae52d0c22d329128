"""The cases and what is recorded on them: the case register, its events, appraisals,
classification decisions, restoration modes, the funds ledger, attachments and the regions'
screening reports."""
from __future__ import annotations

from ..config import DEFAULT_PROFILE
from ..vocab import AppraisalMethod, CaseClass, LedgerEntry, ModeStatus, RestorationMode, Stage
from .bounds import MAX_NOTE_LEN, MAX_YUAN
from .fields import ATTRIBUTES_FIELD, Field as F, LayerSpec, enum_values

#: fields migration 9 adds to cases: where the damage amount came from (an appraisal or typed by hand)
CASE_AMOUNT_FIELDS = (
    F("damage_amount_source", "enum", choices=("appraisal", "manual", "claim_items"), zh="损害数额来源"),
    F("damage_appraisal_id", "str", zh="损害数额所依据的鉴定评估"),
)


CASES = LayerSpec(
    "cases", key="case_id", importable=True, date_order=(("incident_date", "discovered_date"),),
    fields=(
        F("case_id", "str", required=True, zh="案件编号"),
        F("title", "str", required=True, zh="案件名称"),
        F("region", "str", required=True, zh="所在县区"),
        F("case_class", "enum", required=True, choices=enum_values(CaseClass), zh="案件类别"),
        F("stage", "enum", required=True, choices=enum_values(Stage), zh="办理阶段"),
        F("liable_party", "str", zh="赔偿义务人"),
        F("claimant_agency", "str", required=True, zh="赔偿权利人指定部门"),
        F("damage_amount_yuan", "float", min=0.0, max=MAX_YUAN, unit="yuan", zh="损害数额"),
        F("incident_date", "date", past=True, zh="损害发生日期"),
        F("discovered_date", "date", past=True, zh="发现日期"),
        F("clue_source", "str", zh="线索来源"),
        F("restoration_modes", "list", choices=enum_values(RestorationMode), default=(), zh="修复方式"),
        F("profile", "str", default=DEFAULT_PROFILE, zh="规则配置"),
        F("disclosed", "bool", default=False, zh="是否公开"),
        F("notes", "str", max_len=MAX_NOTE_LEN, zh="内部备注"),
        # access and disclosure
        F("handling_region", "str", zh="办理地区"),  # region code: county_id, city or "province"
        F("joint_regions", "list", default=(), zh="联合办案地区"),  # region codes (联合办案)
        F("appraisers", "list", default=(), zh="承办鉴定评估人员"),  # user names assigned
        F("public_title", "str", max_len=120, zh="公开标题"),  # the title the public sees, set by staff
        F("version", "int", computed=True, default=1, zh="版本号"),
        F("updated_at", "datetime", computed=True, zh="更新时间"),
    ) + CASE_AMOUNT_FIELDS + (ATTRIBUTES_FIELD,),
)


CASE_EVENTS = LayerSpec(
    "case_events", refs=(("case_id", "cases"),),
    fields=(
        F("case_id", "str", required=True),
        F("event_type", "str", required=True),
        F("event_date", "date", required=True),
        F("actor", "str"),
        F("details", "json"),
        F("recorded_at", "datetime", computed=True),
    ),
)


APPRAISALS = LayerSpec(
    "appraisals", key="appraisal_id", refs=(("case_id", "cases"),),
    fields=(
        F("appraisal_id", "str", required=True, zh="评估编号"),
        F("case_id", "str", required=True, zh="案件编号"),
        F("method", "enum", required=True, choices=enum_values(AppraisalMethod), zh="量化方法"),
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
)

# Classification decisions (computed + supervisor overrides), restoration modes per case and the
CASE_CLASSIFICATIONS = LayerSpec(
    "case_classifications", refs=(("case_id", "cases"),),
    fields=(
        F("case_id", "str", required=True, zh="案件编号"),
        F("profile", "str", required=True, zh="规则配置"),
        F("facts", "json", zh="案件事实"),
        F("computed_class", "enum", choices=enum_values(CaseClass), zh="规则判定类别"),
        F("case_class", "enum", required=True, choices=enum_values(CaseClass), zh="认定类别"),
        F("fired", "json", zh="触发规则及依据"),
        F("overridden", "bool", default=False, zh="人工调整"),
        F("reason", "str", zh="调整理由"),
        F("actor", "str", zh="操作人"),
        F("recorded_at", "datetime", computed=True, zh="记录时间"),
    ),
)


CASE_MODES = LayerSpec(
    "case_modes", refs=(("case_id", "cases"),),
    fields=(
        F("case_id", "str", required=True, zh="案件编号"),
        F("mode", "enum", required=True, choices=enum_values(RestorationMode), zh="修复方式"),
        F("site_ids", "list", default=(), zh="关联场地"),
        F("bank_project_id", "str", zh="替代修复项目"),
        F("parameters", "json", zh="参数"),
        F("value_yuan", "float", min=0.0, max=MAX_YUAN, unit="yuan", zh="折算金额"),
        F("status", "enum", choices=enum_values(ModeStatus), default="planned", zh="状态"),
        F("note", "str", zh="说明"),
        F("recorded_at", "datetime", computed=True, zh="记录时间"),
    ),
)


FUNDS_LEDGER = LayerSpec(
    "funds_ledger", refs=(("case_id", "cases"),),
    fields=(
        F("case_id", "str", required=True, zh="案件编号"),
        F("entry_type", "enum", required=True, choices=enum_values(LedgerEntry), zh="类型"),
        F("amount_yuan", "float", required=True, min=0.0, max=MAX_YUAN, unit="yuan", zh="金额"),
        F("entry_date", "date", required=True, zh="日期"),
        F("due_date", "date", zh="应缴日期"),
        F("instalment_no", "int", min=1, zh="期次"),
        F("counterparty", "str", zh="缴款人/收款方"),
        F("purpose", "str", zh="用途"),
        F("reference", "str", zh="凭证号"),
        F("note", "str", zh="说明"),
        F("recorded_at", "datetime", computed=True, zh="记录时间"),
        # migration 10: where a disbursement was used (浙 第九条: 损害地的生态修复)
        F("site_id", "str", zh="使用场地"),
        F("use_kind", "enum", choices=("restoration", "related_work", "other"), zh="资金用途类别"),
    ),
)

#: funds_ledger fields added by migration 10
FUNDS_LEDGER_EXTRA_FIELDS = ("site_id", "use_kind")


CASE_LAYERS = ("case_classifications", "case_modes", "funds_ledger")

# Files attached to case events (inspection photos): kept inside the store, written in the same
# transaction as their event, so an event and its photos land together or not at all.
ATTACHMENTS = LayerSpec(
    "attachments", refs=(("case_id", "cases"),),
    fields=(
        F("case_id", "str", required=True, zh="案件编号"),
        F("event_fid", "int", required=True, zh="事件编号"),
        F("name", "str", required=True, zh="文件名"),
        F("mime", "str", required=True, zh="类型"),
        F("size_bytes", "int", required=True, min=0, zh="大小"),
        F("data", "blob", required=True, zh="内容"),
        F("recorded_at", "datetime", computed=True, zh="记录时间"),
    ),
)

# Screening reports (线索筛查情况报告): a region's periodic report of its clue screening to the
# province (浙 第二条: 每半年收集汇总并报送). One row per region and period.
SCREENING_REPORTS = LayerSpec(
    "screening_reports", unique=(("region", "period_start"),),
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
)


PROCEDURE_LAYERS = ("screening_reports",)

# The claim item by item (索赔项目): what the damage amount is made of, one row per item of the
# profile's compensation scope (应急处置费用, 调查评估费用, 期间损害 ...). Once a case has items its
# damage amount is their sum. An item an appraisal computed names it; a re-appraisal supersedes
# the items of the appraisal it replaces (kept, marked ``superseded_by``), never the others.
CLAIM_ITEMS = LayerSpec(
    "claim_items", key="claim_id", refs=(("case_id", "cases"),),
    fields=(
        F("claim_id", "str", required=True, zh="索赔项目编号"),
        F("case_id", "str", required=True, zh="案件编号"),
        F("item", "str", required=True, zh="赔偿范围项目"),
        F("amount_yuan", "float", required=True, min=0.0, max=MAX_YUAN, unit="yuan", zh="金额"),
        F("source", "str", required=True, max_len=MAX_NOTE_LEN, zh="依据"),
        F("appraisal_id", "str", zh="所依据的鉴定评估"),
        F("superseded_by", "str", zh="被替代于"),
        F("note", "str", max_len=MAX_NOTE_LEN, zh="说明"),
        F("actor", "str", zh="录入人"),
        F("recorded_at", "datetime", computed=True, zh="记录时间"),
    ),
)


# -- derived: every case's deadlines as its history left them (kept by restoration.cases.case_state) --
#: one row per case: what its stored deadlines were derived from and the days they hold for
CASE_STATES = LayerSpec(
    "case_states", key="case_id", refs=(("case_id", "cases"),),
    fields=(
        F("case_id", "str", required=True, zh="案件编号"),
        F("case_stamp", "str", zh="案件版本"),  # the case's version and updated_at it was derived from
        F("profile_key", "str", zh="规则版本"),
        F("fingerprint", "str", zh="规则文件"),
        F("judged_on", "str", zh="适用规则日期"),  # None: judged on the day read
        F("valid_from", "str", zh="有效起始日"),
        F("valid_until", "str", zh="有效截止日"),  # exclusive; None: no end
        F("n_deadlines", "int", zh="期限数"),
        F("derived_at", "datetime", computed=True, zh="计算时间"),
    ),
)

#: one row per deadline of a case (``restoration.cases.deadlines.Deadline``), dates as text;
#: ``source``, ``note`` and ``missing`` hold JSON (a message keeps its code and parameters)
CASE_DEADLINES = LayerSpec(
    "case_deadlines", refs=(("case_id", "cases"),),
    fields=tuple(F(name, kind) for name, kind in (
        ("case_id", "str"), ("deadline", "str"), ("zh", "str"), ("en", "str"), ("kind", "str"),
        ("status", "str"), ("due_date", "str"), ("start_event", "str"), ("start_date", "str"),
        ("limit_days", "float"), ("day_kind", "str"), ("nominal_due", "str"), ("moved", "int"),
        ("stop_event", "str"), ("stop_date", "str"), ("provisional", "int"), ("provisional_reason", "str"),
        ("source", "str"), ("verified", "int"), ("profile", "str"), ("note", "str"), ("missing", "str"),
        ("missing_zh", "str"), ("missing_en", "str"), ("advisory", "str"), ("position", "int"))),
)

#: the derived case layers (migration 16)
CASE_STATE_LAYERS = ("case_states", "case_deadlines")
