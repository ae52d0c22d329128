"""The procedure around a case, gathered in one place for its callers: what a case's procedure
events add up to (:mod:`.procedure_record`), the records that span cases (:mod:`.across_cases`),
fund use at the damaged place (:mod:`.fund_use`), screening reports (:mod:`.screening`), the
assessment (考核, :mod:`.assessment`) and the case archive (档案, :mod:`.archive`).

Pure functions take a case, its events and its profile; store functions take a ``Store`` (reads
and writes only through its methods). See docs/cases.md, "Procedure".
"""
from __future__ import annotations

from .across_cases import (CREDIT_EVENTS, accountability_register, credit_record, information_sharing,
                           repeat_offence_fact)
from .archive import archive_bytes, export_archive
from .assessment import ASSESSMENT_COLUMNS, LEDGER_COLUMN, assessment, export_assessment
from .fund_use import fund_use
from .procedure_record import OFFSET_STATUS, OFFSET_STEPS, offset_workflow, procedure_record, supervision_schedule
from .screening import add_screening_report, reporting_period, screening_report_status

__all__ = [
    "CREDIT_EVENTS", "accountability_register", "credit_record", "information_sharing", "repeat_offence_fact",
    "archive_bytes", "export_archive", "ASSESSMENT_COLUMNS", "LEDGER_COLUMN", "assessment", "export_assessment",
    "fund_use", "OFFSET_STATUS", "OFFSET_STEPS", "offset_workflow", "procedure_record", "supervision_schedule",
    "add_screening_report", "reporting_period", "screening_report_status",
]
