"""Every bilingual vocabulary of the platform, in one place, under a ``kind → vocabulary`` registry.

The ground floor: nothing here imports from the rest of the platform, so the store, the messages
and every domain package word their codes from here.

>>> from restoration.vocab import Stage, label, vocabulary
>>> Stage.FILING.zh, label("event", "meeting_held", "en"), vocabulary("role").label("admin")
('立案', 'consultation meeting held', '系统管理员')

Kinds: the enums (``site_role``, ``ecosystem_type``, ``stage``, ``case_class``, ``restoration_mode``,
``project_status``, ``project_kind``, ``service``, ``allocation_state``, ``escrow_status``,
``siting_reason``, ``appraisal_method``, ``ledger_entry``, ``mode_status``, ``verdict``,
``direction``), ``amount_source``, ``fund_use``, ``event``, ``role`` (staff), ``action``,
``deadline_status``, ``instalment_status``, ``offset_status``, ``progress_status``,
``ledger_action``, ``assessment_column``, ``capacity_unit``, ``indicator``, ``layer``, ``region``.
"""
from __future__ import annotations

from .base import REGISTRY, Labelled, Vocabulary, label, labelled, pair, register, vocabulary
from .enums import (AMOUNT_SOURCES, FUND_USES, OPEN_STAGES, AllocationState, AppraisalMethod, CaseClass, Direction,
                    EcosystemType, EscrowStatus, LedgerEntry, ModeStatus, ProjectKind, ProjectStatus, RestorationMode,
                    Role, Service, SitingReason, Stage, Verdict)
from .events import EVENT_LABELS
from .indicators import ALIASES as INDICATOR_ALIASES, INDICATOR_LABELS, canonical_indicator
from .layers import LAYER_NAMES
from .people import ACTION_LABELS, ROLE_LABELS
from .statuses import (ASSESSMENT_COLUMNS, DEADLINE_STATUS, INSTALMENT_STATUS, LEDGER_ACTION, OFFSET_STATUS,
                       PROGRESS_STATUS)
from .terms import TERM_WORDS
from .units import AREA_LABELS, RESOURCE_UNITS

__all__ = ["REGISTRY", "Labelled", "Vocabulary", "label", "labelled", "pair", "register", "vocabulary",
           "AMOUNT_SOURCES", "FUND_USES", "OPEN_STAGES", "AllocationState", "AppraisalMethod", "CaseClass",
           "Direction", "EcosystemType", "EscrowStatus", "LedgerEntry", "ModeStatus", "ProjectKind", "ProjectStatus",
           "RestorationMode", "Role", "Service", "SitingReason", "Stage", "Verdict", "EVENT_LABELS",
           "INDICATOR_ALIASES", "INDICATOR_LABELS", "canonical_indicator", "LAYER_NAMES", "ACTION_LABELS",
           "ROLE_LABELS", "ASSESSMENT_COLUMNS", "DEADLINE_STATUS", "INSTALMENT_STATUS", "LEDGER_ACTION",
           "OFFSET_STATUS", "PROGRESS_STATUS", "AREA_LABELS", "RESOURCE_UNITS", "TERM_WORDS"]
