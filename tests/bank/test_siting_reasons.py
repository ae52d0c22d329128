"""Ranking data a page can show as it is: reasons as vocabulary codes with sentences in each
language (never ``None``), ineligible candidates unranked (issue 10)."""
from __future__ import annotations

import dataclasses
import json
import re

import pandas as pd
import pytest

from restoration.bank import rank_base_sites
from restoration.bank import siting
from restoration.model import SitingReason

from ..conftest import run_cli


def _all_reasons(table):
    return [x for col in ("reasons_zh", "reasons_en", "reasons") for row in table[col] for x in row]


def test_codes_are_vocabulary_and_ranks_only_for_eligible(store):
    r = rank_base_sites(store, "GX-2023-008", rules={"watershed": "required", "max_distance_km": 60})
    t = r.table
    codes = {c for row in t["reason_codes"] for c in row}
    assert codes and codes <= {c.value for c in SitingReason}
    assert {"other_watershed", "too_far", "ecosystem_mismatch"} <= codes
    eligible = t[t["eligible"]]
    assert list(eligible["rank"]) == list(range(1, len(eligible) + 1))
    assert t.loc[~t["eligible"], "rank"].isna().all() and not (t["rank"] == 0).any()
    for zh, en, code in zip(t["reasons_zh"], t["reasons_en"], t["reason_codes"]):
        assert len(zh) == len(en) == len(code)
        for z, c in zip(zh, code):
            assert z.startswith(SitingReason(c).zh)
            assert not re.search(r"[a-z]{3,}_[a-z]", z), z  # no snake_case code in the Chinese text
        for e, c in zip(en, code):
            assert e.startswith(SitingReason(c).en)
    assert not any(re.search(r"\b(None|nan|NaN)\b", s) for s in _all_reasons(t))
    # JSON: unranked candidates have a null rank
    ranks = [c["rank"] for c in r.to_dict()["candidates"]]
    assert None in ranks and ranks[0] == 1 and "<NA>" not in json.dumps(r.to_dict(), ensure_ascii=False)


def test_unknown_watershed_reads_unknown_not_none(store):
    """A damaged site without a watershed (none imported): the reason names it unknown."""
    r = rank_base_sites(store, "GX-2023-008")
    site = dataclasses.replace(r.site, watershed=None, county=None)
    from restoration.bank import ledger
    from restoration.profiles import siting_rules
    rules = siting_rules("guangxi", {"watershed": "required"}, None)
    t = siting.rank_candidates(site, ledger.bank_table(store), r.scenario, rules)
    texts = _all_reasons(t)
    assert any("未知" in s for s in t["reasons_zh"].sum()) and any("unknown" in s for s in t["reasons_en"].sum())
    assert not any(re.search(r"\b(None|nan)\b", s) for s in texts)
    assert t["rank"].isna().all()  # the rule requires a watershed nobody can match


def test_cli_marks_unranked_and_explains_an_empty_bank(store, imported_store, capsys):
    code, out, _ = run_cli(["--data", str(store.data_dir), *(["--db", store.url] if store.url else []),
                            "bank", "rank", "GX-2023-008"], capsys)
    assert code == 0
    rows = [line for line in out.splitlines() if " | BP" in line]
    assert rows and all(line.split(" | ")[0] == "-" or line.split(" | ")[0].isdigit() for line in rows)
    assert not any(line.startswith("0 |") for line in rows)
    code, out, _ = run_cli(["--data", str(imported_store.path.parent), "bank", "rank", "GX-2025-001"], capsys)
    assert code == 0 and "项目库为空" in out and "restoration bank import" in out
