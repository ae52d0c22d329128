"""The stored per-case deadlines equal a fresh replay of every case, after every kind of write,
on both backends — and they are the ones read (no case is replayed on read while its state holds)."""
from __future__ import annotations

import json
import math
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from restoration import config
from restoration.cases import history, overdue
from restoration.cases.case_state import backfill, dumps, loads, stale_cases
from restoration.cases.deadlines import compute_deadlines, frame
from restoration.cases.records import all_deadlines, by_case, deadlines, list_cases
from restoration.importer import prepare
from restoration.messages import Label, Message, Term
from restoration.profiles.for_case import CaseProfiles
from restoration.store.bulk_cases import read_deadlines

from .test_takeover import TODAY as TAKEOVER_TODAY, _events

TODAY = date(2026, 11, 20)


def fresh(store, today: date) -> pd.DataFrame:
    """Every case's deadlines replayed from its history now, as the register read them before
    they were stored."""
    cases = store.read("cases")
    events, ledger = by_case(store.read("case_events")), by_case(store.read("funds_ledger"))
    prof, found = CaseProfiles(), []
    for case in cases.to_dict("records"):
        evs = history.case_history(case, events.get(case["case_id"], []), today)
        profile = prof(case, evs)
        if profile is not None:
            found += compute_deadlines(case, evs, profile, ledger.get(case["case_id"]), today)
    return frame(found)


def _plain(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def records(table: pd.DataFrame) -> list[dict]:
    cols = [c for c in table.columns if c != "title"]
    return [{k: _plain(v) for k, v in r.items()} for r in table[cols].to_dict("records")]


def assert_stored_equals_fresh(store, *days: date) -> None:
    for day in days:
        stored = all_deadlines(store, day)
        assert records(stored) == records(fresh(store, day)), day
        assert len(stored)


def test_messages_survive_the_store():
    m = Message("deadline.missing_start", {"events": Label("送达磋商告知书", "consultation notice served"),
                                           "event": Term("event", "filed"), "n": 3, "list": [Term("stage", "filing")]})
    assert loads(dumps(m)) == m and loads(dumps("第十条")) == "第十条" and dumps(None) is None


def test_the_sample_reads_its_stored_state_and_it_equals_a_fresh_replay(store):
    assert stale_cases(store) == []  # every case's state was derived when it was written (today)
    assert len(read_deadlines(store)) > 0
    # read on an earlier day, only a supervision schedule (whose reports due depend on the day)
    # is replayed afresh; later, as long as no report falls due
    events = store.read("case_events")
    supervised = set(events.loc[events["event_type"] == "supervision_started", "case_id"])
    assert set(stale_cases(store, TODAY)) <= supervised
    assert_stored_equals_fresh(store, TODAY, config.today(), TODAY + timedelta(days=45), TODAY + timedelta(days=800))
    # the same answers through the register's doors
    late = overdue(store, TODAY)
    assert len(late) and (late["status"] == "overdue").all()
    listed = list_cases(store, today=TODAY).set_index("case_id")
    assert listed["overdue"].sum() == len(late)
    one = late["case_id"].iloc[0]
    assert records(pd.DataFrame([d.to_dict() for d in deadlines(store, one, TODAY)])) == \
        records(all_deadlines(store, TODAY).query("case_id == @one").reset_index(drop=True))


def test_days_passing_make_an_open_deadline_overdue_without_a_write(store):
    before = all_deadlines(store, TODAY)
    opened = before[(before["status"] == "open") & before["due_date"].notna()].iloc[0]
    later = date.fromisoformat(opened["due_date"]) + timedelta(days=1)
    after = all_deadlines(store, later)
    row = after[(after["case_id"] == opened["case_id"]) & (after["deadline"] == opened["deadline"])].iloc[0]
    assert row["status"] == "overdue" and row["days_left"] == -1
    assert_stored_equals_fresh(store, later)


def _register(empty_store, tmp_path, cli):
    from .test_takeover import HISTORY, _register as register_file
    data = str(empty_store.data_dir)
    for args in (["import", "counties", config.sample_dir() / "counties.geojson"],
                 ["import", "cases", register_file(tmp_path)]):
        code, out, err = cli("--data", data, "--today", TAKEOVER_TODAY, *args)
        assert code == 0, (args, out, err)
    day = date.fromisoformat(TAKEOVER_TODAY)
    assert stale_cases(empty_store, day) == []  # imported: every case derived at its takeover
    assert_stored_equals_fresh(empty_store, day)
    code, out, err = cli("--data", data, "--today", TAKEOVER_TODAY, "import", "events", _events(tmp_path, HISTORY))
    assert code == 0, err
    return data, day


def test_every_write_keeps_the_stored_state_equal_to_a_fresh_replay(empty_store, tmp_path, cli, monkeypatch):
    monkeypatch.setenv("RESTORATION_TODAY", TAKEOVER_TODAY)  # the day the register is taken over and read
    store = empty_store
    data, day = _register(store, tmp_path, cli)

    def same():
        assert stale_cases(store, day) == []
        assert_stored_equals_fresh(store, day)

    same()  # after the events import
    run = lambda *a: cli("--data", data, "--today", TAKEOVER_TODAY, *a)  # noqa: E731
    code, _, err = run("case", "event", "add", "T-07", "consultation_notice_served", "2026-11-02")
    assert code == 0, err
    same()  # an event added
    assert "T-07" not in set(overdue(store, day).attrs["not_computable"]["case_id"])
    code, _, err = run("case", "correct", "T-12", "--stage", "赔偿磋商", "--reason", "台账阶段填写有误",
                       "--document", "石岭环函〔2026〕7号")
    assert code == 0, err
    same()  # a correction
    code, _, err = run("import", "events", _events(tmp_path, [("T-06", "召开磋商会议", "2026-10-20", {})], "more.csv"))
    assert code == 0, err
    same()  # a second events import
    code, _, err = run("case", "ledger", "add", "T-10", "instalment_due", "100000", "2026-01-05",
                       "--due-date", "2026-03-01", "--instalment-no", "1")
    assert code == 0, err
    same()  # a ledger entry: the instalment is a deadline now
    assert "instalment_1" in set(all_deadlines(store, day).query("case_id == 'T-10'")["deadline"])
    stored = read_deadlines(store)
    code, out, err = run("case", "deadlines", "T-05", "--profile", "national")
    assert code == 0 and "what-if" in out, err
    pd.testing.assert_frame_equal(read_deadlines(store), stored)  # a what-if stores nothing
    frame_ = pd.DataFrame([{"case_id": "T-DRAFT", "title": "草案试算", "region": "石岭县", "case_class": "ordinary",
                            "stage": "screening", "claimant_agency": "测试局", "incident_date": "2025-01-01",
                            "discovered_date": "2025-01-01", "profile": "guangxi@draft-2025"}])
    with store.transaction("test") as tx:
        clean, _ = prepare(tx, "cases", frame_)
        tx.insert("cases", clean)
    same()  # a case assigned a draft version: derived under it
    assert set(read_deadlines(store, case_ids=["T-DRAFT"])["profile"]) == {"guangxi"}


def test_a_new_version_in_force_is_read_under_its_rules_and_backfilled(store, tmp_path, monkeypatch):
    assert stale_cases(store) == []
    (tmp_path / "guangxi@2026.toml").write_text(
        '[profile]\nid = "guangxi"\nname_zh = "广西"\nname_en = "Guangxi"\nextends = "guangxi"\n'
        'version = "2026"\nstatus = "in_force"\neffective_from = 2026-01-01\neffective_source = "测试文件 第一条"\n'
        'document_number = "测试〔2025〕1号"\n'
        '[consultation]\nmax_meetings = { value = 5, source = "测试文件 第二条", verified = true }\n',
        encoding="utf-8")
    monkeypatch.setenv("RESTORATION_PROFILES", str(tmp_path))
    moved = stale_cases(store)
    assert "GX-2025-002" in moved and "GX-2023-007" not in moved  # filed 2026: judged by the new version
    assert_stored_equals_fresh(store, TODAY)  # read afresh under the new version meanwhile
    assert backfill(store) == len(moved)
    assert stale_cases(store) == []
    assert_stored_equals_fresh(store, TODAY)


def test_a_store_without_stored_state_reads_the_same_and_is_backfilled(gpkg_store, cli):
    store = gpkg_store
    expected = records(all_deadlines(store, TODAY))
    with store.transaction("test") as tx:  # as a store written before the state was kept
        for layer in ("case_deadlines", "case_states"):
            tx.delete_matching(layer, store.read(layer, columns=["case_id"])[["case_id"]].drop_duplicates())
    assert len(stale_cases(store)) == store.count("cases")
    assert records(all_deadlines(store, TODAY)) == expected
    code, out, err = cli("--data", str(store.data_dir), "db", "upgrade")
    assert code == 0 and "derived the stored deadlines of" in out, err
    assert stale_cases(store) == [] and records(all_deadlines(store, TODAY)) == expected


def test_migration_16_is_safe_to_run_again(gpkg_store):
    from restoration.store.migrations import MIGRATIONS
    fn = next(f for v, _, f in MIGRATIONS if v == 16)
    with gpkg_store.transaction("test") as tx:
        ops = tx._backend.schema_ops(tx._connection)
        fn(ops)
        fn(ops)
    assert gpkg_store.has_layer("case_states") and gpkg_store.has_layer("case_deadlines")
