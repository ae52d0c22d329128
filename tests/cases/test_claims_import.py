"""Claim items in a case import (column ``claim_items`` / ``索赔项目``): stored with the cases in
one transaction, the case amount their sum; bad items refused by row and field, nothing written
(both backends)."""
from __future__ import annotations

import csv
import json

import pytest

from restoration.cases.claims import claim_items

HEADER = ["case_id", "title", "region", "case_class", "stage", "liable_party", "claimant_agency",
          "damage_amount_yuan", "incident_date", "discovered_date", "clue_source", "profile"]


def _file(tmp_path, rows, column="claim_items"):
    f = tmp_path / "cases.csv"
    with f.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER + [column])
        for cid, amount, claims in rows:
            w.writerow([cid, f"某河段污染案 {cid}", "柳溪县", "simple", "screening", "某公司", "桂西市生态环境局",
                        amount, "2026-06-02", "2026-07-15", "群众举报", "guangxi", claims])
    return f


def test_claim_items_imported_with_the_cases(store, cli, tmp_path):
    f = _file(tmp_path, [("GX-2026-901", "", "restoration=120000@鉴定评估报告; investigation_appraisal=30,000"),
                         ("GX-2026-902", "",
                          json.dumps([{"item": "interim_loss", "amount_yuan": 55000.5, "source": "等值分析"}])),
                         ("GX-2026-903", "", "")], column="索赔项目")
    code, out, err = cli("--data", str(store.data_dir), "import", "cases", f)
    assert code in (0, None), err
    items = claim_items(store, "GX-2026-901")
    assert [(i["item"], i["amount_yuan"]) for i in items] == [("restoration", 120000.0),
                                                              ("investigation_appraisal", 30000.0)]
    assert items[0]["source"] == "鉴定评估报告" and items[1]["source"] == "案件导入文件 cases.csv"
    assert store.get("cases", "GX-2026-901")["damage_amount_yuan"] == 150_000.0
    assert store.get("cases", "GX-2026-902")["damage_amount_yuan"] == 55_000.5
    assert claim_items(store, "GX-2026-903") == []
    assert "claim_items" not in (store.get("cases", "GX-2026-901").get("attributes") or {})


@pytest.mark.parametrize("cell, amount, says", [
    ("wildlife=1000", "", "unknown claim item"),
    ("restoration=abc", "", "not an amount"),
    ("restoration=-5", "", "outside 0"),
    ("restoration=1e20", "", "outside 0"),
    ("restoration=100; restoration=200", "", "listed twice"),
    ("restoration 100", "", "write item=amount@source"),
    ("[{\"item\": 1", "", "unreadable"),
    ("restoration=100", "999", "differs from the sum"),
])
def test_bad_claim_items_refused_by_row_and_field(gpkg_store, cli, tmp_path, cell, amount, says):
    before = len(gpkg_store.read("cases")), len(gpkg_store.read("claim_items"))
    f = _file(tmp_path, [("GX-2026-911", "", "restoration=1@x"), ("GX-2026-912", amount, cell)])
    code, out, err = cli("--data", str(gpkg_store.data_dir), "import", "cases", f)
    assert code == 2, (out, err)
    assert "'claim_items'" in err and says in err and "3" in err.split("'claim_items'")[0][-40:]
    assert (len(gpkg_store.read("cases")), len(gpkg_store.read("claim_items"))) == before
