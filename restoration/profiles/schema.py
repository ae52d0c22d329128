"""The profile format as data: which tables, rules and lists a profile file may hold.

One literal (:data:`SCHEMA`) describes the format; the checker (:mod:`.check`), the merge
(:mod:`.merge`) and the look-ups of a loaded profile (:mod:`.profile`) all walk it, so a key is
added to the format in one place. Node kinds:

- :class:`RuleNode` — one cited rule ``{ value, unit, source, verified, note }`` (``value`` of the
  node's kind; ``extra`` keys for time limits);
- :class:`ListNode` — a cited list of items ``[[...items]]`` (``id``, ``zh``, ``en``), merged by id;
- :class:`TableNode` — a table of named children; :class:`MapNode` — a table of any keys, each a
  ``child`` (a kind or a node);
- :class:`MetaNode` — the ``[profile]`` table: plain keys with a kind and whether required;
- :class:`ValueNode` — a plain value (the siting rules: the platform's ranking preferences, not
  cited legal rules).

Why not pydantic models: the format is walked three ways (check, merge, look-up by dotted path)
and every error must name the file and key path in the words of docs/cases.md; one data literal
does all three, where models would describe the tables a second time beside the merge and the
look-ups.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

#: boolean case facts that a minor-case exception may test (see ``restoration.cases.classify``)
BOOL_FACTS = ("facts_clear", "liability_undisputed", "obvious_impact", "in_red_line",
              "repeat_offence_within_2y", "rectification_completed")
#: kinds of damage a rule may be limited to (``applies_to``)
DAMAGE_KINDS = ("pollution", "ecological_destruction")
#: a profile version is in force from its ``effective_from`` date once activated with a document
#: number (文号), or a draft (never chosen by date; the status of a file that says neither)
PROFILE_STATUSES = ("in_force", "draft")
#: separates a profile's name from its version tag in a file name: ``zhejiang@2026.toml``
VERSION_SEP = "@"
#: why a value is advisory (参考) rather than binding, in the order it is reported
ADVISORY_REASONS = ("draft", "unverified")
#: what a rule that is not set displays
NOT_SET = "未设定 not set"


@dataclass(frozen=True)
class RuleNode:
    kind: str  # str | bool | int | number | share
    choices: tuple[str, ...] | None = None
    extra: Mapping[str, tuple[str, bool]] = field(default_factory=dict)  # key -> (kind, required)


@dataclass(frozen=True)
class ListNode:
    extra: Mapping[str, tuple[str, bool]] = field(default_factory=dict)


@dataclass(frozen=True)
class TableNode:
    children: Mapping[str, Any]


@dataclass(frozen=True)
class MapNode:
    child: Any


@dataclass(frozen=True)
class MetaNode:
    keys: Mapping[str, tuple[str, bool]]  # key -> (kind, required)


@dataclass(frozen=True)
class ValueNode:
    kind: str = "value"  # any TOML value; checked by the module that uses it


#: keys of a rule table, of a list table and of a list item (kind, and for items whether required)
RULE_KEYS = {"value": None, "unit": "str", "source": "str", "verified": "bool", "note": "str",
             "applies_to": "kinds"}
LIST_KEYS = {"source": "str", "verified": "bool", "note": "str", "replace": "bool", "items": None}
ITEM_KEYS = {"id": ("str", True), "zh": ("str", True), "en": ("str", True), "source": ("str", False),
             "verified": ("bool", False), "note": ("str", False)}

#: base-site selection (替代修复基地选址): ``restoration/profiles/siting.toml`` and a profile's
#: ``[siting]`` table; values are checked by :func:`restoration.profiles.siting.check_rules`
SITING = TableNode({k: ValueNode() for k in ("allowed_statuses", "watershed", "county", "max_distance_km",
                                             "distance_scale_km", "time_scale_years")}
                   | {"weights": MapNode(ValueNode())})

_TIME_LIMIT = RuleNode("int", extra={
    "zh": ("str", True), "en": ("str", True), "stage": ("stage", False),
    "day_kind": ("day_kind", True), "start_events": ("events", True), "stop_events": ("events", True)})

SCHEMA = TableNode({
    "profile": MetaNode({"id": ("str", True), "name_zh": ("str", True), "name_en": ("str", True),
                         "extends": ("str", False), "description": ("str", False),
                         # versions in force by date (docs/cases.md, "Profile versions")
                         "version": ("str", False), "status": ("status", False),
                         "effective_from": ("date", False), "effective_source": ("str", False),
                         # the document number (文号) that put the version in force: a version
                         # is a draft until it has one and an effective date
                         "document_number": ("str", False),
                         # the keys of [documents] whose text is in the repository (shared/seeds):
                         # a value verified against any other document is shown as such
                         "held_documents": ("str_list", False)}),
    "documents": MapNode("str"),
    "calendar": TableNode({
        "start_day_counted": RuleNode("bool"),
        "last_day_on_rest_day": RuleNode("str", choices=("next_working_day", "no_change")),
    }),
    "classification": TableNode({
        "significantly_minor": TableNode({
            "criteria": RuleNode("str", choices=("any", "all")),
            "amount_cap_yuan": RuleNode("number"),
            "no_obvious_impact": RuleNode("bool"),
            "exceptions": ListNode({"fact": ("fact", True), "when": ("bool", True)}),
            "repeat_lookback_years": RuleNode("number"),
        }),
        "simple": TableNode({
            "facts_clear_required": RuleNode("bool"),
            "liability_undisputed_required": RuleNode("bool"),
            "amount_cap_yuan": RuleNode("number"),
            "amount_cap_ceiling_yuan": RuleNode("number"),
            "appraisal": RuleNode("str", choices=("expert_simplified", "full")),
        }),
        "major": TableNode({
            "situations_count": RuleNode("int"),
            "triggers": ListNode(),
        }),
    }),
    "time_limits": MapNode(_TIME_LIMIT),
    "consultation": TableNode({
        "max_meetings": RuleNode("int"),
        "extension_with_approval": RuleNode("bool"),
        "re_consultations_after_refusal": RuleNode("int"),
        "failure_circumstances": ListNode(),
        "failure_circumstances_count": RuleNode("int"),
        "request_by_liable_party": RuleNode("bool"),
        "agent_authorisation_required": RuleNode("bool"),
    }),
    # -- the procedure around the case --
    "scope_exclusions": ListNode(),
    "jurisdiction": TableNode({
        "region_level_cases": ListNode(),
        "county_designation": RuleNode("bool"),
        "joint_handling": RuleNode("bool"),
        "lead_department_for_multi_department": RuleNode("bool"),
    }),
    "screening": TableNode({
        "report_every_months": RuleNode("int"),
        "report_to": RuleNode("str"),
        # who owes the periodic report: the province (its designated departments) or each county
        "reporting_level": RuleNode("str", choices=("province", "county")),
        "referral_between_departments": RuleNode("bool"),
    }),
    "investigation": TableNode({
        "joint_group_allowed": RuleNode("bool"),
    }),
    "appraisal": TableNode({
        "selection_methods": ListNode(),
        "objection_review": RuleNode("bool"),
        "third_party_review": RuleNode("bool"),
    }),
    "supervision": TableNode({
        "major_cases_supervised": RuleNode("bool"),
        "report_every_days": RuleNode("int"),
    }),
    "public_participation": TableNode({
        "documents": ListNode(),
        "comment_period_days": RuleNode("int"),
    }),
    "credit": TableNode({
        "incentives": ListNode(),
        "dishonesty_measures": ListNode(),
    }),
    "funds": TableNode({
        "use_at_damaged_place": RuleNode("bool"),
    }),

    "agreement_clauses": ListNode(),
    "clue_channels": ListNode({"aliases": ("str_list", False)}),
    "not_started_reasons": ListNode(),
    "termination_reasons": ListNode(),
    "effect_evaluation_exemptions": ListNode(),
    "modes": TableNode({
        "recognised": ListNode(),
        "labour_in_lieu": TableNode({"daily_rate_yuan": RuleNode("number"), "cap_yuan": RuleNode("number"),
                                     "cap_share": RuleNode("share")}),
        "technical_upgrade_offset": TableNode({"offset_ratio": RuleNode("share"), "max_share": RuleNode("share"),
                                               "period_years": RuleNode("number"), "conditions": ListNode()}),
        "instalments": TableNode({"max_count": RuleNode("int"), "max_period_months": RuleNode("int"),
                                  "min_first_share": RuleNode("share")}),
    }),
    "siting": SITING,
    "claim_scope": ListNode(),
})

#: the rule tables a profile lists (``Profile.walk``, ``restoration rules show``), in this order
WALK_ORDER = ("calendar", "classification", "time_limits", "consultation", "agreement_clauses",
              "clue_channels", "not_started_reasons", "termination_reasons",
              "effect_evaluation_exemptions", "modes", "scope_exclusions", "jurisdiction",
              "screening", "investigation", "appraisal", "supervision",
              "public_participation", "credit", "funds", "claim_scope")
