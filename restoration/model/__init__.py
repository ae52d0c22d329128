"""The data model: the one definition of every store layer, by concept.

Each layer is a :class:`LayerSpec` defined once, whole, in the module of its concept — places
(:mod:`.places`), cases (:mod:`.cases`), the project bank (:mod:`.bank`), monitoring
(:mod:`.monitoring`), the platform's own records (:mod:`.platform`); validation
(``restoration.validate``), the store's tables (``restoration.store``) and the exports all read
these specs, so a field is defined once. The vocabularies the fields take their choices from are
``restoration.vocab``'s, re-exported here. Names follow the glossary (docs/design.md).
"""
from __future__ import annotations

from ..vocab import (OPEN_STAGES, AllocationState, AppraisalMethod, CaseClass, Direction, EcosystemType,
                     EscrowStatus, LedgerEntry, ModeStatus, ProjectKind, ProjectStatus, RestorationMode, Role, Service,
                     SitingReason, Stage, Verdict)
from .bank import (BANK_ALLOCATIONS, BANK_LAYERS, BANK_LEDGER, BANK_MILESTONES, BANK_PLANS,
                   BANK_POLYGON_REVIEWS, BANK_PROJECT_EXTRA_FIELDS, BANK_PROJECTS, BANK_REGISTER_LAYERS,
                   BANK_SECUREMENTS, BANK_STATUS_HISTORY, BANK_TRANCHES, CASE_SCENARIOS, ESCROW)
from .bounds import (DATE_MAX, DATE_MIN, MAX_AREA_HA, MAX_ID_LEN, MAX_NOTE_LEN, MAX_QUANTITY, MAX_RELATIVE_VALUE,
                     MAX_TEXT_LEN, MAX_YUAN, MIN_AREA_HA, MIN_FLATNESS, OUTSIDE_MARGIN_KM, QC_FLAGS)
from .clues import CANDIDATE_STATUSES, CLUE_CANDIDATES, CLUE_LAYERS, PROTECTED_AREAS
from .cases import (APPRAISALS, ATTACHMENTS, CASE_AMOUNT_FIELDS, CASE_CLASSIFICATIONS, CASE_EVENTS, CASE_LAYERS,
                    CASE_DEADLINES, CASE_MODES, CASE_STATE_LAYERS, CASE_STATES, CASES,
                    CLAIM_ITEMS, FUNDS_LEDGER, FUNDS_LEDGER_EXTRA_FIELDS, PROCEDURE_LAYERS,
                    SCREENING_REPORTS)
from .field import (FIELD_CONFLICTS, FIELD_INSPECTIONS, FIELD_LAYERS, FIELD_PACKAGES, FIELD_PHOTOS,
                    FIELD_STORE, PHOTO_PUBLICATION_FIELDS)
from .fields import ATTRIBUTE_LAYERS, ATTRIBUTES_FIELD, Field, GeometryRule, Kind, LayerSpec, enum_values
from .monitoring import (EFFECT_EVALUATIONS, INDICATOR_TARGETS, MONITORING_LAYERS, MONITORING_SERIES, RASTER_SOURCES,
                         RECOVERY_ASSESSMENTS, SITE_BREAKS, CONTROL_COMPARISONS, RASTER_RUNS, RASTER_RUN_TASKS)
from .places import COUNTIES, SITES, WATERSHEDS
from .platform import AUDIT_LOG, SUBMISSIONS

F = Field

#: every layer by name, in the order the store creates them
LAYERS: dict[str, LayerSpec] = {spec.name: spec for spec in (
    SITES, BANK_PROJECTS, CASES, APPRAISALS, CASE_EVENTS, MONITORING_SERIES, INDICATOR_TARGETS, AUDIT_LOG,
    SUBMISSIONS, COUNTIES, WATERSHEDS, BANK_STATUS_HISTORY, BANK_ALLOCATIONS, BANK_LEDGER, ESCROW, CASE_SCENARIOS,
    CASE_CLASSIFICATIONS, CASE_MODES, FUNDS_LEDGER, SCREENING_REPORTS, EFFECT_EVALUATIONS, RECOVERY_ASSESSMENTS,
    ATTACHMENTS, RASTER_SOURCES, SITE_BREAKS, CONTROL_COMPARISONS, FIELD_STORE, FIELD_PACKAGES, FIELD_INSPECTIONS,
    FIELD_PHOTOS, FIELD_CONFLICTS, BANK_TRANCHES, BANK_MILESTONES, BANK_SECUREMENTS, BANK_PLANS,
    BANK_POLYGON_REVIEWS, CLAIM_ITEMS, RASTER_RUNS, RASTER_RUN_TASKS, CASE_STATES, CASE_DEADLINES,
    PROTECTED_AREAS, CLUE_CANDIDATES)}

#: the first layers of a store, in the order it creates them
CORE_LAYERS = ("sites", "bank_projects", "cases", "case_events", "monitoring_series",
               "indicator_targets", "audit_log")

__all__ = [
    "OPEN_STAGES", "AllocationState", "AppraisalMethod", "CaseClass", "Direction", "EcosystemType", "EscrowStatus",
    "LedgerEntry", "ModeStatus", "ProjectKind", "ProjectStatus", "RestorationMode", "Role", "Service",
    "SitingReason", "Stage", "Verdict",
    "Field", "F", "GeometryRule", "Kind", "LayerSpec", "enum_values", "ATTRIBUTE_LAYERS", "ATTRIBUTES_FIELD",
    "LAYERS", "CORE_LAYERS",
    "DATE_MAX", "DATE_MIN", "MAX_AREA_HA", "MAX_ID_LEN", "MAX_NOTE_LEN", "MAX_QUANTITY", "MAX_RELATIVE_VALUE",
    "MAX_TEXT_LEN", "MAX_YUAN", "MIN_AREA_HA", "MIN_FLATNESS", "OUTSIDE_MARGIN_KM", "QC_FLAGS",
    "SITES", "COUNTIES", "WATERSHEDS", "PROTECTED_AREAS", "CLUE_CANDIDATES", "CLUE_LAYERS", "CANDIDATE_STATUSES",
    "CASES", "CASE_AMOUNT_FIELDS", "CASE_EVENTS", "APPRAISALS", "CASE_CLASSIFICATIONS", "CASE_MODES",
    "FUNDS_LEDGER", "FUNDS_LEDGER_EXTRA_FIELDS", "CLAIM_ITEMS", "CASE_STATES", "CASE_DEADLINES", "CASE_STATE_LAYERS", "CASE_LAYERS", "ATTACHMENTS", "SCREENING_REPORTS",
    "PROCEDURE_LAYERS",
    "BANK_PROJECTS", "BANK_PROJECT_EXTRA_FIELDS", "BANK_STATUS_HISTORY", "BANK_ALLOCATIONS", "BANK_LEDGER",
    "ESCROW", "CASE_SCENARIOS", "BANK_LAYERS", "BANK_TRANCHES", "BANK_MILESTONES", "BANK_SECUREMENTS",
    "BANK_PLANS", "BANK_POLYGON_REVIEWS", "BANK_REGISTER_LAYERS",
    "MONITORING_SERIES", "INDICATOR_TARGETS", "EFFECT_EVALUATIONS", "MONITORING_LAYERS", "RECOVERY_ASSESSMENTS",
    "RASTER_SOURCES", "SITE_BREAKS", "CONTROL_COMPARISONS", "RASTER_RUNS", "RASTER_RUN_TASKS",
    "AUDIT_LOG", "SUBMISSIONS",
    "FIELD_STORE", "FIELD_PACKAGES", "FIELD_INSPECTIONS", "FIELD_PHOTOS", "FIELD_CONFLICTS", "FIELD_LAYERS", "PHOTO_PUBLICATION_FIELDS",
]
