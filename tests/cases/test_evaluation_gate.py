"""The effect evaluation gates the end of a case: sample case GX-2022-011, whose stored evaluation
fails (COD: UCL 23.67 mg/L > 20), cannot be accepted or closed until a supplementary restoration
is evaluated again or an authorised override records its reason and document — on both backends,
through the CLI and the API."""
from __future__ import annotations

import json
from datetime import date

import pytest

from restoration.cases import add_event, make_event, replay
from restoration.errors import InputError

from ..conftest import store_fingerprint
from .test_workflow import COMPLETED, CASE, hist

TODAY = "2026-11-20"
CASE_ID = "GX-2022-011"


@pytest.fixture
def failed(store, cli):
    """The sample with GX-2022-011's effect evaluation computed and stored (it fails)."""
    code, out, err = cli("--data", str(store.data_dir), "--today", TODAY, "monitor", "evaluate", CASE_ID,
                         "--as-of", TODAY)
    assert code == 0 and "未达标 fail" in out and "UCL=23.67" in out, (out, err)
    return store


def _add(cli, store, *args):
    return cli("--data", str(store.data_dir), "--today", TODAY, "case", "event", "add", CASE_ID, *args)


def test_a_failed_evaluation_blocks_acceptance_and_closing(failed, cli):
    store = failed
    code, _, err = _add(cli, store, "effect_evaluation", TODAY)  # the report event itself may be recorded
    assert code == 0, err
    before = store_fingerprint(store)
    for step in ("accepted", "验收通过", "closed"):
        code, _, err = _add(cli, store, step, TODAY)
        assert code == 2, step
        assert "the latest effect evaluation (GX-2022-011-EV01, as of 2026-11-20) is fail" in err
        assert "supplementary restoration" in err and "override" in err
    assert store_fingerprint(store) == before and store.get("cases", CASE_ID)["stage"] == "effect_evaluation"
    # an override needs both its reason and its document
    code, _, err = _add(cli, store, "accepted", TODAY, "--override-reason", "上游来水超标所致")
    assert code == 2 and "missing override_document" in err and store_fingerprint(store) == before


def test_an_authorised_override_is_recorded_and_lets_the_case_close(failed, cli):
    store = failed
    code, out, err = _add(cli, store, "accepted", TODAY, "--override-reason", "COD 超标系上游来水所致，经专家论证",
                          "--override-document", "柳溪环函〔2026〕12号")
    assert code == 0, err
    ev = store.read("case_events", case_id=CASE_ID).iloc[-1]
    assert ev["event_type"] == "accepted"
    assert ev["details"]["evaluation_override"] == {"reason": "COD 超标系上游来水所致，经专家论证",
                                                    "document": "柳溪环函〔2026〕12号"}
    assert (store.read("audit_log")["action"] == "event accepted").any()
    code, _, err = _add(cli, store, "closed", TODAY)  # the acceptance's override stands for the closing
    assert code == 0, err
    assert store.get("cases", CASE_ID)["stage"] == "closed"
    code, out, _ = cli("--data", str(store.data_dir), "--today", TODAY, "case", "check")
    assert code == 0


def test_a_failed_evaluation_opens_supplementary_restoration(failed, cli):
    store = failed
    code, out, err = _add(cli, store, "supplementary_restoration", TODAY, "--details",
                          json.dumps({"plan": "河段底泥清淤并补种水生植物"}, ensure_ascii=False))
    assert code == 0, err
    assert store.get("cases", CASE_ID)["stage"] == "restoration"
    code, _, err = _add(cli, store, "accepted", TODAY)
    assert code == 2 and "the supplementary restoration is under way" in err
    code, _, err = _add(cli, store, "restoration_completed", TODAY)  # completed again after the supplement
    assert code == 0, err
    code, _, err = _add(cli, store, "accepted", TODAY)  # the failed evaluation still decides
    assert code == 2 and "is fail" in err
    # re-evaluated: an evaluation report that passes, later than the stored evaluation
    store.get("cases", CASE_ID)
    who = "supervisor"
    add_event(store, CASE_ID, {"event_type": "effect_evaluation", "event_date": "2026-11-20",
                               "details": {"result": "pass", "note": "补充修复后复测达标"}}, who,
              today=date(2026, 11, 20))
    add_event(store, CASE_ID, {"event_type": "accepted", "event_date": "2026-11-20"}, who, today=date(2026, 11, 20))
    assert store.get("cases", CASE_ID)["stage"] == "effect_evaluation"


def test_supplementary_restoration_needs_a_failed_evaluation(store):
    with pytest.raises(InputError, match="follows a failed effect evaluation"):
        add_event(store, CASE_ID, {"event_type": "supplementary_restoration", "event_date": TODAY}, "t",
                  today=date(2026, 11, 20))


def test_an_evaluation_stored_after_an_acceptance_does_not_undo_it(guangxi):
    """History is judged by what was known when each event was recorded."""
    steps = hist(COMPLETED + [("effect_evaluation", "2026-05-01"), ("accepted", "2026-05-10")])
    events = [make_event(e) for e in steps]
    events[-1] = make_event({**steps[-1], "recorded_at": "2026-05-10T09:00:00"})
    late = [{"evaluation_id": "T-1-EV01", "as_of": "2026-06-01", "verdict": "fail",
             "evaluated_at": "2026-06-01T10:00:00"}]
    assert not replay(CASE, events, guangxi, date(2026, 11, 20), evaluations=late).problems
    early = [{**late[0], "as_of": "2026-05-05", "evaluated_at": "2026-05-05T10:00:00"}]
    problems = replay(CASE, events, guangxi, date(2026, 11, 20), evaluations=early).problems
    assert [p[1].event_type for p in problems] == ["accepted"]
    incomplete = [{**early[0], "verdict": "incomplete"}]
    assert "is insufficient evidence" in str(replay(CASE, events, guangxi, date(2026, 11, 20),
                                                     evaluations=incomplete).problems[0][2])
