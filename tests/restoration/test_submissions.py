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
