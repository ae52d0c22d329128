"""Idempotent submission: a write with a request id happens once, whatever repeats it (a double
submit, a retried request, another session on the same store); both store backends."""
from __future__ import annotations

from datetime import date

import pytest

from restoration.bank import release, reserve
from restoration.cases.records import add_event
from restoration.errors import ConflictError
from restoration.store import open_store

TODAY = date(2026, 11, 20)


def _audit(store, layer):
    log = store.read("audit_log")
    return int((log["layer"] == layer).sum())


def test_the_same_request_writes_once(store):
    n, audits = store.count("bank_allocations"), _audit(store, "bank_allocations")
    first = reserve(store, "BP13", "GX-2022-010", 2.5, request_id="reserve_GX-2022-010:abc123")
    # the same request again, through another connection (another browser session, a retry)
    other = open_store(store.location, create=False)
    again = reserve(other, "BP13", "GX-2022-010", 2.5, request_id="reserve_GX-2022-010:abc123")
    assert again["allocation_id"] == first["allocation_id"] and again["amount"] == first["amount"]
    assert store.count("bank_allocations") == n + 1
    assert _audit(store, "bank_allocations") == audits + 1  # one write, one audit entry
    assert store.count("submissions") == 1
    # a new request (the form's next render) writes again
    second = reserve(store, "BP13", "GX-2022-010", 2.5, request_id="reserve_GX-2022-010:def456")
    assert second["allocation_id"] != first["allocation_id"]
    assert store.count("bank_allocations") == n + 2 and _audit(store, "bank_allocations") == audits + 2
    # without a request id every call writes (the command line, scripts)
    reserve(store, "BP13", "GX-2022-010", 1.0)
    assert store.count("bank_allocations") == n + 3 and store.count("submissions") == 2
    # release: a repeated request does not fail on the allocation it already released
    done = release(store, first["allocation_id"], request_id="release:1")
    repeated = release(store, first["allocation_id"], request_id="release:1")  # no "nothing to release"
    assert [r["allocation_id"] for r in repeated] == [r["allocation_id"] for r in done]
    assert store.get("bank_allocations", first["allocation_id"])["version"] == done[0]["version"]
    assert store.get("bank_allocations", first["allocation_id"])["state"] == "released"
    # an id used for one action is not taken for another
    with pytest.raises(ConflictError):
        reserve(store, "BP13", "GX-2022-010", 1.0, request_id="release:1")


def test_a_repeated_event_is_recorded_once(store):
    cid = "GX-2024-004"
    before = store.get("cases", cid)
    n_events = store.count("case_events", case_id=cid)
    event = {"event_type": "appraisal_reported", "event_date": "2026-11-02"}
    a = add_event(store, cid, event, "li", expected_version=before["version"], today=TODAY, request_id="event_x:1")
    # the repeat carries the version the form was rendered with: no conflict, no second event
    b = add_event(store, cid, event, "li", expected_version=before["version"], today=TODAY, request_id="event_x:1")
    assert a["version"] == b["version"] == before["version"] + 1
    assert store.count("case_events", case_id=cid) == n_events + 1


def test_the_other_forms_write_once(store):
    """The calculator's save-to-case, the monitoring page's evaluate-now button, the access panel's
    case update and the screening-report form: the same request id twice writes once."""
    from restoration.bank import case_scenario, set_case_scenario
    from restoration.cases.procedure import add_screening_report
    from restoration.cases.records import update_case
    from restoration.monitoring import evaluate_case
    cid = "GX-2022-010"
    scenario = case_scenario(store, cid)["scenario"]
    n = store.count("case_scenarios")
    first = set_case_scenario(store, cid, scenario, source="calc", request_id="eq_save:1")
    assert set_case_scenario(store, cid, scenario, source="calc", request_id="eq_save:1") == first
    assert store.count("case_scenarios") == n + 1

    n = store.count("effect_evaluations")
    ev1 = evaluate_case(store, cid, as_of="2026-11-20", request_id="evaluate:1")
    ev2 = evaluate_case(store, cid, as_of="2026-11-20", request_id="evaluate:1")
    assert ev1.evaluation_id == ev2.evaluation_id and store.count("effect_evaluations") == n + 1

    version = int(store.get("cases", cid)["version"])
    audits = _audit(store, "cases")
    for _ in range(2):  # the repeat carries the version the form was rendered with: no conflict
        saved = update_case(store, cid, {"appraisers": ["zhang.appraiser"]}, "admin", expected_version=version,
                            request_id="access:1")
        assert int(saved["version"]) == version + 1
    assert int(store.get("cases", cid)["version"]) == version + 1 and _audit(store, "cases") == audits + 1

    n = store.count("screening_reports")
    report = {"region": "桂源县", "period_start": "2026-01-01", "period_end": "2026-06-30",
              "submitted_on": "2026-07-20", "submitted_to": "省工作小组"}
    a = add_screening_report(store, report, "t", request_id="screening:1")
    b = add_screening_report(store, report, "t", request_id="screening:1")  # no "already recorded"
    assert store.count("screening_reports") == n + 1 and str(a["region"]) == str(b["region"]) == "桂源县"
    assert store.count("submissions") == 4
