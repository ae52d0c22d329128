"""Alternative-restoration project bank (替代修复项目库): registry, credit ledger, escrow and
base-site selection.

* ``registry`` — projects and base sites, strict import, dated status lifecycle;
* ``polygon_review`` / ``review`` — the checks of a polygon on import (overlaps, slivers, spikes)
  and its review status (submitted → needs changes / approved, who and when);
* ``ledger`` — reserve → commit → release allocations; "allocated ≤ capacity" in every transaction;
* ``schedule`` — credit release schedules: tranches released by milestones; reservable = released − allocated;
* ``performance`` — the ``target_met`` milestones released by the effect evaluation of the project's
  monitoring (imported on use: it loads the monitoring stack);
* ``stewardship`` — securement and the management & monitoring plan, with their deadlines;
* ``escrow`` — money awaiting a match (资金提存), matched to a project later;
* ``siting`` — :func:`rank_base_sites` with required area by the equivalence engine, split proposals;
* ``obligation`` — :func:`case_obligation`: how much of a case's debit is covered and by whom;
* ``scenarios`` — where a case's debit (equivalence scenario) lives;
* ``substitution`` / ``rules`` / ``units`` — the data the ranking reads.
"""
from __future__ import annotations

from .escrow import deposit, escrow_table, match, refund
from .ledger import (allocations, bank_table, commit, ledger_table, project_balance, release, reserve)
from .obligation import case_obligation
from .registry import add_projects, import_projects, set_status, status_history
from .review import review_history, review_status, set_review
from .stewardship import deadlines as stewardship_deadlines, securement_end, set_plan, set_securement, submit_report
from .schedule import Release, Tranche, parse_schedule, record_milestone, set_schedule, tranche_table
from ..profiles.siting import siting_rules
from .scenarios import candidate_scenario, case_scenario, set_case_scenario
from .siting import Ranking, propose_split, rank_base_sites, rank_base_sites_dict, rank_candidates
from .substitution import load_table as substitution_table

__all__ = [
    "add_projects", "import_projects", "set_status", "status_history", "reserve", "commit", "release",
    "bank_table", "project_balance", "allocations", "ledger_table", "deposit", "match", "refund", "escrow_table",
    "rank_base_sites", "rank_base_sites_dict", "rank_candidates", "propose_split", "Ranking", "case_obligation", "case_scenario",
    "set_case_scenario", "candidate_scenario", "siting_rules", "substitution_table",
    "set_securement", "set_plan", "submit_report", "stewardship_deadlines", "securement_end",
    "set_schedule", "record_milestone", "parse_schedule", "tranche_table", "Tranche", "Release",
    "set_review", "review_status", "review_history",
]
