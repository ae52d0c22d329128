"""Case records under provincial rules (案件办理): classification, workflow and deadlines,
consultation, restoration modes and the funds ledger. The screening register of clues from
imagery is :mod:`.clues` (imported on its own: it stands on the imagery readers).

Rules are data: the rule profiles of :mod:`restoration.profiles` (national, guangxi, zhejiang),
loaded and checked by :func:`load_profile`. The store-facing functions take a ``Store`` and, where the answer
depends on the date, ``today`` (default: the real date) so results are reproducible.
See docs/cases.md.
"""
from .classify import Classification, classify, read_facts
from .consultation import consultation_record, missing_clauses
from .deadlines import Deadline, compute_deadlines
from .events import EVENT_TYPES, EventType
from .funds import LedgerSummary, add_entry as add_ledger_entry, ledger, summarise as summarise_ledger
from .holidays import period_end
from .history_import import import_events
from .modes import add_mode, case_modes, evaluate as evaluate_mode
from .next_events import allowed_next, next_events
from .records import (add_event, all_deadlines, case_events, case_record, check_all, deadlines, list_cases,
                      override_class, overdue, profile_for, record_classification, update_case)
from ..profiles import Profile, Rule, RuleList, available_profiles, load_profile
from .workflow import Event, make_event, replay, validate_history

__all__ = [
    "Classification", "classify", "read_facts", "consultation_record", "missing_clauses",
    "Deadline", "compute_deadlines", "EVENT_TYPES", "EventType", "LedgerSummary",
    "add_ledger_entry", "ledger", "summarise_ledger", "period_end", "add_mode", "case_modes",
    "evaluate_mode", "add_event", "all_deadlines", "case_events", "case_record", "check_all",
    "deadlines", "list_cases", "override_class", "overdue", "profile_for", "record_classification",
    "update_case", "Profile", "Rule", "RuleList", "available_profiles", "load_profile", "Event",
    "make_event", "replay", "validate_history", "allowed_next", "next_events", "import_events",
]
