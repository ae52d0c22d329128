"""The one table of event checks: for each event type, the function that says why it may not
happen now (or None).

:data:`EVENT_CHECKS` joins the checks of the events that move a case through its stages
(:mod:`.stage_checks`), of the procedure events around it (:mod:`.procedure_rules`) and of the
evaluation's plan and satisfaction survey (:mod:`.evaluation_records`); the
workflow's replay (:func:`restoration.cases.workflow.check_event`) and the next steps offered to
a user (:mod:`.next_events`) both go through it. Events checked whatever the stage (a takeover,
a supplementary evaluation, everyday records, a stage correction) are the workflow's own.
"""
from __future__ import annotations

from .check_context import Check, CheckContext
from .evaluation_records import EVALUATION_RECORD_CHECKS
from .procedure_rules import PROCEDURE_CHECKS
from .stage_checks import STAGE_CHECKS

#: event type → its check
EVENT_CHECKS: dict[str, Check] = {**STAGE_CHECKS, **PROCEDURE_CHECKS, **EVALUATION_RECORD_CHECKS}

__all__ = ["EVENT_CHECKS", "Check", "CheckContext"]
