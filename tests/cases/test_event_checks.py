"""The table of event checks: one check per event type, shared by the replay and the next steps."""
from __future__ import annotations

from restoration.cases import workflow
from restoration.cases.event_checks import EVENT_CHECKS
from restoration.cases.events import EVENT_TYPES
from restoration.cases.procedure_rules import PROCEDURE_CHECKS
from restoration.cases.stage_checks import STAGE_CHECKS
from restoration.cases.takeover import CORRECTION


def test_every_event_type_has_exactly_one_check():
    # the events checked whatever the stage are the workflow's own; every other type is in the table
    own = set(workflow._ANY_STAGE) | {CORRECTION}
    assert set(EVENT_CHECKS) | own == set(EVENT_TYPES)
    assert not set(EVENT_CHECKS) & own
    assert not set(STAGE_CHECKS) & set(PROCEDURE_CHECKS)  # no event checked twice, one way overriding the other
