"""Appraisal toolkit (损害数额量化): imputed abatement cost (虚拟治理成本法), restoration-cost
estimate (修复费用法) by option, and appraisal results stored with the case.

Pure arithmetic lives in :mod:`equivalence` (``abatement``, ``restoration_cost``,
``population``); this package resolves inputs and coefficients with their provenance and links
results to the store; re-performance manifests (:mod:`.manifest`) and the appraisal report
(:mod:`.report`). Exports: ``docs/appraisal.md``.
"""
from __future__ import annotations

from .abatement import AbatementResult, appraise_abatement, appraise_abatement_file, coefficient_tables
from .manifest import build_manifest, verify
from .records import amount_provenance, list_appraisals, record_appraisal
from .report import appraisal_report
from .restoration_cost import RestorationCostResult, estimate_restoration_cost, estimate_restoration_cost_file

__all__ = ["AbatementResult", "appraise_abatement", "appraise_abatement_file", "coefficient_tables",
           "RestorationCostResult", "estimate_restoration_cost", "estimate_restoration_cost_file",
           "record_appraisal", "list_appraisals", "amount_provenance", "build_manifest", "verify",
           "appraisal_report"]
