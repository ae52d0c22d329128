"""Case records in the store: events change the stage and version, refusals write nothing, two
people editing the same version get a clear conflict, every change is audited."""
from __future__ import annotations

from datetime import date

import pytest

from restoration.cases import add_event, case_events, case_record, update_case
from restoration.errors import ConflictError, InputError

from .conftest import TODAY

NOTICE = {"event_type": "consultation_notice_served", "event_date": "2026-11-02"}


def _audit(store, case_id):
    log = store.read("audit_log", layer=("cases", "case_events"))
    return log[(log["layer"] == "case_events") | (log["record_id"] == case_id)].reset_index(drop=True)


def test_event_moves_the_stage_and_version_and_is_audited(store):
    cid = "GX-2024-004"  # appraisal commissioned
    before = store.get("cases", cid)
    n_audit = len(_audit(store, cid))
    after = add_event(store, cid, {"event_type": "appraisal_reported", "event_date": "2026-11-02"}, "li",
                      expected_version=before["version"], today=TODAY)
    assert after["stage"] == "appraisal" and after["version"] == before["version"] + 1
    after = add_event(store, cid, NOTICE, "li", expected_version=after["version"], today=TODAY)
    assert store.get("cases", cid)["stage"] == "consultation"
    assert case_events(store, cid)[-1].event_type == "consultation_notice_served"
    assert case_events(store, cid)[-1].actor == "li"
    audit = _audit(store, cid).iloc[n_audit:]
    assert list(audit["actor"]) == ["li"] * 4
    assert list(audit["action"]) == ["event appraisal_reported"] * 2 + ["event consultation_notice_served"] * 2
    assert set(audit["layer"]) == {"cases", "case_events"}


def test_refused_event_writes_nothing(store):
    cid = "GX-2024-004"
    version = store.version
    n_events = store.count("case_events")
    with pytest.raises(InputError, match="no meeting before the notice"):
        add_event(store, cid, {"event_type": "meeting_held", "event_date": "2026-11-02"}, "li", today=TODAY)
    with pytest.raises(InputError, match="in the future"):
        add_event(store, cid, {"event_type": "appraisal_reported", "event_date": "2026-11-21"}, "li", today=TODAY)
    assert store.version == version and store.count("case_events") == n_events
    assert store.get("cases", cid)["version"] == 1


def test_two_editors_same_version(store):
    cid = "GX-2024-004"
    read_by_wang = read_by_zhao = store.get("cases", cid)["version"]
    add_event(store, cid, {"event_type": "appraisal_reported", "event_date": "2026-11-02"}, "wang",
              expected_version=read_by_wang, today=TODAY)
    n_events = store.count("case_events")
    with pytest.raises(ConflictError) as exc:
        add_event(store, cid, {"event_type": "appraisal_reported", "event_date": "2026-11-03"}, "zhao",
                  expected_version=read_by_zhao, today=TODAY)
    msg = str(exc.value)
    assert "wang" in msg and "version 2" in msg and "nothing was saved" in msg
    assert exc.value.exit_code == 4
    # wang's change is kept, zhao's is not written
    assert store.count("case_events") == n_events
    assert [e.actor for e in case_events(store, cid) if e.event_type == "appraisal_reported"] == ["wang"]
    # zhao reloads and edits the current version: accepted
    case = update_case(store, cid, {"notes": "赵：补充鉴定材料"}, "zhao", expected_version=2)
    assert case["version"] == 3 and store.get("cases", cid)["notes"] == "赵：补充鉴定材料"


def test_edit_conflict_keeps_the_first_edit(store):
    cid = "GX-2023-009"
    v = store.get("cases", cid)["version"]
    update_case(store, cid, {"liable_party": "石岭县某林业开发有限公司（已更名）"}, "wang", expected_version=v)
    with pytest.raises(ConflictError):
        update_case(store, cid, {"liable_party": "另一名称"}, "zhao", expected_version=v)
    assert store.get("cases", cid)["liable_party"] == "石岭县某林业开发有限公司（已更名）"
    audit = store.read("audit_log", record_id=cid, action="update")
    assert len(audit) == 1 and audit["actor"].iloc[0] == "wang" and "已更名" in audit["after"].iloc[0]["liable_party"]


def test_edit_refuses_derived_and_bad_fields(store):
    with pytest.raises(InputError, match="stage follows the events"):
        update_case(store, "GX-2023-009", {"stage": "closed"}, "wang")
    with pytest.raises(InputError, match="not a number"):
        update_case(store, "GX-2023-009", {"damage_amount_yuan": "lots"}, "wang")
    assert store.get("cases", "GX-2023-009")["version"] == 1


def test_case_record_is_complete(store):
    rec = case_record(store, "GX-2023-015", TODAY)
    assert rec["derived_stage"] == rec["stage"] == "restoration" and not rec["problems"]
    assert rec["clue_channel"]["id"] == "complaints"
    assert {m["mode"] for m in rec["modes"]} == {"alternative", "instalments"}
    assert rec["ledger"]["arrears_yuan"] == 110_000
    assert any(d["overdue"] for d in rec["deadlines"])
    assert [m["id"] for m in rec["consultation"]["agreement"]["missing_clauses"]] == ["breach_liability"]


def test_changes_that_break_the_history_are_refused(store):
    from restoration.cases import override_class
    # GX-2022-012 was appraised by experts (simplified appraisal): only a simple case may be
    with pytest.raises(InputError, match="would make the recorded history invalid.*simple cases"):
        override_class(store, "GX-2022-012", "ordinary", "金额复核", "supervisor")
    with pytest.raises(InputError, match="before the incident"):
        update_case(store, "GX-2022-012", {"incident_date": "2022-12-01"}, "supervisor")
    assert store.get("cases", "GX-2022-012")["version"] == 1
    assert update_case(store, "GX-2022-012", {"incident_date": "2022-10-09"}, "supervisor")["version"] == 2


def test_a_stored_case_with_an_unknown_profile_does_not_break_the_others(store, capsys, tmp_path):
    """A row written by an older version or by GDAL/QGIS directly names a profile this
    installation lacks: listings, overdue and deadlines work for every other case, and the bad
    case is reported clearly (bilingual, exit 0 for the listings, exit 2 for that case alone)."""
    from restoration.cases import all_deadlines, check_all, list_cases, overdue
    from restoration.cases.register import register_tables
    from tests.conftest import run_cli
    today = date(2026, 11, 30)
    good_before = overdue(store, today)
    with store.transaction("qgis") as tx:
        tx.update("cases", "GX-2023-009", {"profile": "hainan"})
    listed = list_cases(store, today=today)
    assert len(listed) == len(store.read("cases"))
    bad = listed.set_index("case_id").loc["GX-2023-009"]
    assert "unknown rule profile 'hainan'" in bad["problem"] and "规则配置“hainan”不存在" in bad["problem"]
    assert bad["overdue"] == 0 and bad["next_due"] is None
    assert listed.set_index("case_id").drop("GX-2023-009")["problem"].isna().all()
    late = overdue(store, today)
    assert set(late["case_id"]) == set(good_before["case_id"]) - {"GX-2023-009"} and len(late)
    assert list(late.attrs["case_problems"]) == ["GX-2023-009"]
    assert "GX-2023-009" not in set(all_deadlines(store, today)["case_id"])
    assert "hainan" in check_all(store, today)["GX-2023-009"][0]
    assert "hainan" not in set(register_tables(store, today)["规则 rules"]["profile_used"])
    data = str(store.data_dir)
    for argv in (["case", "list"], ["case", "overdue"], ["case", "list", "--json"], ["case", "overdue", "--json"]):
        code, out, err = run_cli(["--data", data, *argv, "--today", "2026-11-30"], capsys)
        assert code == 0, err
        assert "GX-2024-003" in out  # another case, still there
        assert "注意 warning: 案件 GX-2023-009 的规则配置“hainan”不存在" in err and "Traceback" not in err
    code, out, err = run_cli(["--data", data, "case", "deadlines", "GX-2023-009"], capsys)
    assert code == 2 and "case GX-2023-009 names the unknown rule profile 'hainan'" in err
    assert "internal error" not in err and "Traceback" not in err
    code, out, err = run_cli(["--data", data, "case", "export", "--out", tmp_path / "r.xlsx"], capsys)
    assert code == 0, err


def test_a_stored_profile_path_is_never_read_as_a_file(store, tmp_path):
    """``profile`` is a name: a path written into the store is an unknown profile, not a file to load."""
    from restoration.cases import deadlines
    (tmp_path / "evil.toml").write_text("[profile]\nid = 'evil'\n")
    with store.transaction("qgis") as tx:
        tx.update("cases", "GX-2023-009", {"profile": str(tmp_path / "evil.toml")})
    with pytest.raises(InputError, match="unknown rule profile"):
        deadlines(store, "GX-2023-009")
