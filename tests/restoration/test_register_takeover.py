"""An agency's first day, end to end, on both backends: an empty store, the counties, a register of
ten cases at every stage from a CSV (no history), their sites, a monitoring plan and a field table
(``tests/own_plan.py``), the project bank — then part of the cases' history from an events file.

What the supervisor asks — which cases are overdue, which deadlines cannot be computed, which cases
are behind plan — is answered from the CLI and the overview page (zh and en) with the case ids
worked out by hand below; an everyday record keeps a case's stage, a failed evaluation stops the
acceptance until an authorised override, and the bank refuses a project the case cannot use."""
from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from restoration import auth, config

from ..cases.test_takeover import ALL_CLAUSES, RESTORATION_DUE
from ..conftest import store_fingerprint
from ..dashboards.conftest import REPO, STAFF, signed_in
from ..own_plan import BEHIND, TODAY, build_own_plan

#: the register's earlier history, as the agency keeps it (Chinese headers and labels)
HISTORY = [
    # consultation notice served 2026-06-01: the 90-day consultation period ended about 2026-08-31,
    # long before 2026-11-20 → overdue
    ("GX-2024-005", "送达磋商告知书", "2026-06-01", {}),
    ("GX-2024-005", "召开磋商会议", "2026-07-01", {}),
    # served 2026-10-01: the period runs to about 2026-12-30 → open
    ("GX-2024-006", "送达磋商告知书", "2026-10-01", {}),
    # the agreement that set the restoration deadline 2026-06-30, which passed → overdue
    ("GX-2023-009", "签订赔偿协议", "2025-03-01", {"clauses": ALL_CLAUSES, "deadlines": [RESTORATION_DUE]}),
]
#: before the history: the consultation cases have no notice date, the restoration cases no
#: deadline from an agreement — unknown, not "0 overdue"
NOT_COMPUTABLE_BEFORE = {"GX-2024-005", "GX-2024-006", "GX-2023-009", "GX-2022-010"}
OVERDUE_AFTER = {"GX-2024-005", "GX-2023-009"}
NOT_COMPUTABLE_AFTER = {"GX-2022-010"}
APP = str(REPO / "dashboards" / "app.py")


def _history(folder):
    lines = ["案件编号,事件类型,日期,详情"]
    for cid, etype, day, details in HISTORY:
        text = json.dumps(details, ensure_ascii=False).replace('"', '""') if details else ""
        lines.append(f'{cid},{etype},{day},"{text}"')
    path = folder / "办案记录.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def agency(empty_store, tmp_path, capsys, cli):
    """The empty store after the register, sites, plan, field table and bank went in."""
    case_of = build_own_plan(empty_store, tmp_path, capsys)
    data = str(empty_store.data_dir)
    code, out, err = cli("--data", data, "--today", TODAY, "import", "bank",
                         config.sample_dir() / "bank_projects.gpkg")
    assert code == 0, (out, err)
    return empty_store, data, tmp_path, case_of


def _run(cli, data, *args):
    return cli("--data", data, "--today", TODAY, *args)


def _overdue(cli, data) -> dict:
    code, out, err = _run(cli, data, "case", "overdue", "--json")
    assert code == 0, err
    return json.loads(out)


def test_the_supervisors_questions_have_the_right_answers(agency, cli):
    store, data, folder, case_of = agency
    # day one, before any history: nothing is overdue *as far as can be computed*, and the rest
    # is named with what is missing
    got = _overdue(cli, data)
    assert got["overdue"] == [] and set(got["not_computable_cases"]) == NOT_COMPUTABLE_BEFORE
    code, out, _ = _run(cli, data, "case", "overdue")
    assert "0 overdue among the deadlines that can be computed" in out and "\n0 overdue\n" not in out
    # behind plan: the cases of the sites the plan puts behind (own_plan.py, by hand)
    code, out, err = _run(cli, data, "monitor", "progress", "--json")
    assert code == 0, err
    rows = json.loads(out)
    behind = {r["site_id"] for r in rows if r["status"] in ("lagging", "at_risk")}
    assert behind == BEHIND
    assert {case_of[s] for s in behind} == {"GX-2024-006", "GX-2023-007", "GX-2022-010", "GX-2023-009"}
    # the history comes in: two cases are now overdue, one is still unknown
    code, out, err = _run(cli, data, "import", "events", _history(folder))
    assert code == 0, (out, err)
    got = _overdue(cli, data)
    assert {r["case_id"] for r in got["overdue"]} == OVERDUE_AFTER
    assert set(got["not_computable_cases"]) == NOT_COMPUTABLE_AFTER
    stages = store.read("cases").set_index("case_id")["stage"]
    assert stages["GX-2024-005"] == "consultation" and stages["GX-2023-009"] == "restoration"


def test_an_inspection_keeps_the_stage_and_a_clue_cannot_reset_it(agency, cli):
    store, data, _, _ = agency
    # (dated on the day the register was taken over: events dated before it are the case's earlier
    # history, where a clue registration has its place)
    code, out, err = _run(cli, data, "case", "event", "add", "GX-2023-009", "inspection", TODAY,
                          "--details", json.dumps({"inspector": "王工", "findings": "补植成活率约八成"}))
    assert code == 0, err
    assert store.get("cases", "GX-2023-009")["stage"] == "restoration"
    before = store_fingerprint(store)
    code, _, err = _run(cli, data, "case", "event", "add", "GX-2023-009", "线索登记", TODAY)
    assert code == 2 and "back" in err and store_fingerprint(store) == before


def test_a_failed_evaluation_stops_acceptance_until_an_override(agency, cli):
    store, data, _, _ = agency
    case = "GX-2022-010"  # IM020 at risk (vegetation cover 40 % against 80 %): not achieved
    code, out, err = _run(cli, data, "monitor", "evaluate", case, "--as-of", TODAY)
    assert code == 0, err
    for step in ("restoration_completed", "effect_evaluation"):
        code, _, err = _run(cli, data, "case", "event", "add", case, step, TODAY)
        assert code == 0, (step, err)
    before = store_fingerprint(store)
    code, _, err = _run(cli, data, "case", "event", "add", case, "accepted", TODAY)
    assert code == 2 and "the latest effect evaluation" in err and store_fingerprint(store) == before
    code, _, err = _run(cli, data, "case", "event", "add", case, "accepted", TODAY,
                        "--override-reason", "植被覆盖度受旱情影响，经专家论证同意验收",
                        "--override-document", "青岚环函〔2026〕8号")
    assert code == 0, err
    assert store.read("case_events", case_id=case).iloc[-1]["details"]["evaluation_override"]["document"] \
        == "青岚环函〔2026〕8号"


def test_the_bank_refuses_a_project_the_case_cannot_use(agency, cli):
    store, data, _, _ = agency
    before = store_fingerprint(store)
    # GX-2022-010's damaged site is forest; farmland soil cannot replace it (bank/substitution.toml)
    code, out, err = _run(cli, data, "bank", "reserve", "BP09", "--case", "GX-2022-010", "--amount", "1")
    assert code == 2, (out, err)
    assert "not eligible" in err and "不符合" in err and store_fingerprint(store) == before
    code, out, err = _run(cli, data, "bank", "obligation", "GX-2022-010", "--json")
    assert code == 0, err


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_overview_says_the_same(agency, cli, monkeypatch, lang):
    store, data, folder, _ = agency
    code, out, err = _run(cli, data, "import", "events", _history(folder))
    assert code == 0, err
    auth.add_user(store.data_dir, STAFF[0], STAFF[1], "supervisor")
    monkeypatch.setenv("RESTORATION_DATA", data)
    monkeypatch.setenv("RESTORATION_TILES", "none")
    monkeypatch.setenv("RESTORATION_TODAY", TODAY)
    at = signed_in(AppTest.from_file(APP, default_timeout=120))
    at.session_state["lang"] = lang
    at.switch_page("views/overview.py").run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    overdue = next(v for k, v in metrics.items() if ("逾期" in k if lang == "zh" else "overdue" in k.lower()))
    unknown = next(v for k, v in metrics.items()
                   if ("无法计算" in k if lang == "zh" else "not computable" in k.lower()))
    assert (overdue, unknown) == (str(len(OVERDUE_AFTER)), str(len(NOT_COMPUTABLE_AFTER)))
    listed = set()
    for frame in at.dataframe:
        df = frame.value.data if hasattr(frame.value, "data") else frame.value
        listed |= {str(v) for v in df.iloc[:, 0]} if len(df.columns) else set()
    assert NOT_COMPUTABLE_AFTER <= listed
