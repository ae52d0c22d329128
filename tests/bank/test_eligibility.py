"""One eligibility rule for every door: the ledger refuses capacity at a project that may not
restore the case's damage (ecosystem, allowed area) or for a case that has ended, and the
obligation never counts such capacity as cover — on both backends, from the domain function and
from the command line (exit code and message in Chinese and English)."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from restoration import InputError
from restoration.bank import case_obligation, commit, rank_base_sites, reserve
from restoration.messages import Message

from ..conftest import run_cli as run, store_fingerprint

RIPARIAN_CASE = "GX-2023-015"   # 红河口县 riparian buffer; holds 2 ha at BP08 (43 % of its debit)
KARST_PROJECT = "BP02"          # karst grassland: cannot replace a riparian buffer
FOREST_PROJECT = "BP13"         # forest: eligible for the riparian case (ranked)


def _code(exc: pytest.ExceptionInfo) -> Message:
    [issue] = exc.value.issues
    assert isinstance(issue.message, Message)
    return issue.message


def _legacy_allocation(store, project_id: str, case_id: str, amount: float) -> None:
    """An allocation the rule would refuse today, as a register taken over (or written before
    the rule) may hold one: straight into the table, the way an import writes it."""
    with store.transaction("import") as tx:
        tx.insert("bank_allocations", pd.DataFrame([{
            "allocation_id": "AL-LEGACY", "project_id": project_id, "case_id": case_id, "external_ref": None,
            "amount": amount, "unit": "ha", "state": "reserved", "cost_yuan": 0.0, "escrow_id": None,
            "created_on": "2025-01-10", "note": "taken over"}]))


def test_ineligible_project_is_refused_and_nothing_is_written(store):
    ranked = rank_base_sites(store, RIPARIAN_CASE).table.set_index("project_id")
    assert not ranked.loc[KARST_PROJECT, "eligible"]        # the ranking excludes it ...
    assert "ecosystem_mismatch" in ranked.loc[KARST_PROJECT, "reason_codes"]
    before = store_fingerprint(store)
    with pytest.raises(InputError) as exc:                   # ... and the ledger refuses it
        reserve(store, KARST_PROJECT, RIPARIAN_CASE, 3)
    msg = _code(exc)
    assert msg.code == "bank.ineligible"
    assert "karst grassland cannot replace riparian buffer" in str(msg)
    assert "岩溶草地不能替代河岸缓冲带" in msg.params["reasons"].zh
    assert store_fingerprint(store) == before
    # an eligible (ranked) project is still reserved as before
    assert ranked.loc[FOREST_PROJECT, "eligible"]
    assert reserve(store, FOREST_PROJECT, RIPARIAN_CASE, 1)["state"] == "reserved"


def test_outside_the_allowed_area_is_refused(store):
    """Under a profile that requires the same watershed and caps the distance (浙江's siting rules),
    a project in another watershed, 200 km away, is refused; one the ranking keeps is not."""
    with store.transaction("test") as tx:
        tx.update("cases", RIPARIAN_CASE, {"profile": "zhejiang"})
    ranked = rank_base_sites(store, RIPARIAN_CASE).table.set_index("project_id")
    assert {"other_watershed", "too_far"} <= set(ranked.loc[FOREST_PROJECT, "reason_codes"])
    with pytest.raises(InputError) as exc:
        reserve(store, FOREST_PROJECT, RIPARIAN_CASE, 1)     # BP13 lies in 红水河流域, the site in 郁江流域
    msg = _code(exc)
    assert msg.code == "bank.ineligible" and "other watershed" in str(msg) and "too far" in str(msg)
    assert "不同流域" in msg.params["reasons"].zh and "距离过远" in msg.params["reasons"].zh
    eligible = ranked[ranked["eligible"]].index.tolist()
    assert eligible, "the zhejiang rules leave a candidate"
    assert reserve(store, eligible[0], RIPARIAN_CASE, 0.5)["project_id"] == eligible[0]


@pytest.mark.parametrize("case_id, stage", [("GX-2022-012", "closed"), ("GX-2023-014", "terminated"),
                                            ("GX-2024-013", "not_started")])
def test_a_case_that_has_ended_gets_no_capacity(store, case_id, stage):
    assert store.get("cases", case_id)["stage"] == stage
    before = store_fingerprint(store)
    with pytest.raises(InputError) as exc:
        reserve(store, FOREST_PROJECT, case_id, 1)
    assert _code(exc).code == "bank.case_ended"
    assert store_fingerprint(store) == before


def test_case_and_external_together_are_refused(store):
    before = store_fingerprint(store)
    with pytest.raises(InputError) as exc:
        reserve(store, FOREST_PROJECT, RIPARIAN_CASE, 1, external_ref="邻省某案")
    assert _code(exc).code == "bank.case_or_external"
    assert store_fingerprint(store) == before
    # an external case alone is still taken (it cannot be checked here)
    a = reserve(store, FOREST_PROJECT, None, 1, external_ref="邻省某案")
    assert a["external_ref"] == "邻省某案" and not a["case_id"]


def test_commit_is_refused_once_the_case_ended_or_the_damage_changed(store):
    a = reserve(store, FOREST_PROJECT, RIPARIAN_CASE, 1)
    site = store.read("sites", case_id=RIPARIAN_CASE, role="damaged")["site_id"].iloc[0]
    with store.transaction("test") as tx:  # the damaged site is re-surveyed as farmland soil
        tx.update("sites", site, {"ecosystem_type": "farmland_soil"})
    with pytest.raises(InputError) as exc:
        commit(store, a["allocation_id"])
    assert _code(exc).code == "bank.ineligible"
    assert store.get("bank_allocations", a["allocation_id"])["state"] == "reserved"
    with store.transaction("test") as tx:
        tx.update("sites", site, {"ecosystem_type": "riparian_buffer"})
        tx.update("cases", RIPARIAN_CASE, {"stage": "closed"})
    with pytest.raises(InputError) as exc:
        commit(store, a["allocation_id"])
    assert _code(exc).code == "bank.case_ended"


def test_the_check_reads_inside_the_write_transaction(store):
    """Closing the case and reserving in one transaction: the reservation sees the closed case
    (the check is not made on a snapshot from before the write)."""
    with pytest.raises(InputError) as exc:
        with store.transaction("test") as tx:
            tx.update("cases", RIPARIAN_CASE, {"stage": "closed"})
            reserve(tx, FOREST_PROJECT, RIPARIAN_CASE, 1)
    assert _code(exc).code == "bank.case_ended"
    assert store.get("cases", RIPARIAN_CASE)["stage"] == "restoration"  # rolled back whole


def test_obligation_never_counts_an_ineligible_allocation(store):
    before = case_obligation(store, RIPARIAN_CASE)
    assert before["covered_fraction"] == pytest.approx(0.4313, abs=1e-3)
    _legacy_allocation(store, KARST_PROJECT, RIPARIAN_CASE, 3.0)
    ob = case_obligation(store, RIPARIAN_CASE)
    legacy = next(a for a in ob["allocations"] if a["allocation_id"] == "AL-LEGACY")
    assert legacy["counted"] is False and legacy["fraction"] == 0
    assert "岩溶草地不能替代河岸缓冲带" in legacy["not_counted_zh"]
    assert "cannot replace" in legacy["not_counted_en"]
    assert ob["covered_fraction"] == pytest.approx(before["covered_fraction"])
    assert ob["status"] == "partly_covered"
    # the ranking's covered share and outstanding need agree with it
    ranking = rank_base_sites(store, RIPARIAN_CASE)
    assert ranking.covered_fraction == pytest.approx(before["covered_fraction"])


def test_cli_refuses_in_chinese_and_english(store, capsys):
    data = str(store.data_dir)
    before = store_fingerprint(store)
    code, out, err = run(["--data", data, "bank", "reserve", KARST_PROJECT, "--case", RIPARIAN_CASE,
                          "--amount", "3"], capsys)
    assert code == 2 and not out
    assert "is not eligible for the alternative restoration of case GX-2023-015" in err
    assert "karst grassland cannot replace riparian buffer" in err
    assert "项目 BP02 不符合案件 GX-2023-015 的替代修复条件" in err and "岩溶草地不能替代河岸缓冲带" in err
    assert "project_id" not in err  # no raw field code
    code, _, err = run(["--data", data, "bank", "reserve", FOREST_PROJECT, "--case", "GX-2022-012",
                        "--amount", "1"], capsys)
    assert code == 2 and "has ended (closed)" in err and "已结束（验收结案）" in err
    code, _, err = run(["--data", data, "bank", "reserve", FOREST_PROJECT, "--case", RIPARIAN_CASE,
                        "--external", "邻省某案", "--amount", "1"], capsys)
    assert code == 2 and "not both" in err and "不能同时填写" in err
    assert store_fingerprint(store) == before
    code, out, _ = run(["--data", data, "bank", "obligation", RIPARIAN_CASE], capsys)
    assert code == 0 and "部分落实 partly covered — covered 43%" in out


def test_cli_obligation_shows_what_it_does_not_count(store, capsys):
    _legacy_allocation(store, KARST_PROJECT, RIPARIAN_CASE, 3.0)
    data = str(store.data_dir)
    code, out, _ = run(["--data", data, "bank", "obligation", RIPARIAN_CASE], capsys)
    assert code == 0
    assert "covered 43%" in out and "已落实 covered" not in out
    line = next(l for l in out.splitlines() if KARST_PROJECT in l)
    assert "不计入 not counted" in line and "岩溶草地不能替代河岸缓冲带" in line
    code, out, _ = run(["--data", data, "bank", "obligation", RIPARIAN_CASE, "--json"], capsys)
    ob = json.loads(out)
    assert ob["covered_fraction"] == pytest.approx(0.4313, abs=1e-3)
    assert [a["counted"] for a in ob["allocations"] if a["project_id"] == KARST_PROJECT] == [False]
