"""The claim item by item: items from the profile's scope, the case amount is their sum, each
appraisal feeds its own item and a re-appraisal replaces only its own (both backends)."""
from __future__ import annotations

import json

import pytest
import yaml

from restoration.appraisal import appraise_abatement, record_appraisal
from restoration.cases.claims import add_claim_item, claim_items
from restoration.cases.records import record_classification, update_case
from restoration.errors import InputError

#: 中华环保联合会诉德州晶华集团振华有限公司大气污染责任纠纷案（最高人民法院指导性案例131号；
#: 山东省德州市中级人民法院 (2015)德中环公民初字第1号）: per pollutant E × C × k, k = 4
DEZHOU = [("二氧化硫 SO₂", 255, 5600), ("氮氧化物 NOx", 589, 6800), ("烟粉尘 dust", 19, 3300)]


def dezhou_file(name, tonnes, unit_cost) -> dict:
    return {"standard": "multiplier_2017", "title": f"德州晶华 {name}", "function_class": "air_zone_2",
            "discharge": {"amount": tonnes, "unit": "t", "source": "判决书认定的超标排放量"},
            "unit_cost": {"value": unit_cost, "basis": "reference_fee", "source": "判决书认定的单位治理成本"},
            "coefficients": {"k": {"value": 4, "source": "判决书：环境空气二类区，取4倍"}}}


def _case(store):
    return store.read("cases").iloc[0]["case_id"]


def test_three_pollutant_appraisals_add_up_on_the_case(store):
    """The Dezhou case recorded as three single-pollutant appraisals: the case's amount was the
    last one (16,020,800 元, the NOx part); it is now the sum, 21,983,600 元."""
    cid = _case(store)
    rows = [record_appraisal(store, cid, appraise_abatement(dezhou_file(*p)), appraiser="张三", actor="tester")
            for p in DEZHOU]
    case = store.get("cases", cid)
    assert case["damage_amount_yuan"] == pytest.approx(21_983_600.0) != 16_020_800.0
    assert case["damage_amount_source"] == "claim_items"
    items = claim_items(store, cid)
    assert [i["amount_yuan"] for i in items] == [5_712_000.0, 16_020_800.0, 250_800.0]
    assert {i["appraisal_id"] for i in items} == {r["appraisal_id"] for r in rows}
    assert all(i["item"] == "restoration" and "修复费用" in i["item_zh"] for i in items)
    # a re-appraisal of the NOx part (589 t → 600 t) replaces only its own item
    redo = appraise_abatement(dezhou_file("氮氧化物 NOx", 600, 6800))
    record_appraisal(store, cid, redo, appraiser="张三", actor="tester", replaces=rows[1]["appraisal_id"])
    assert store.get("cases", cid)["damage_amount_yuan"] == pytest.approx(5_712_000 + 600 * 6800 * 4 + 250_800)
    assert len(claim_items(store, cid)) == 3
    # a typed total no longer overrides the items
    with pytest.raises(InputError, match="sum of its claim items"):
        update_case(store, cid, {"damage_amount_yuan": 1.0}, actor="tester")


def test_items_from_the_profile_and_class_follows(store):
    cid = _case(store)
    facts = {"facts_clear": True, "liability_undisputed": True, "obvious_impact": True, "in_red_line": False,
             "repeat_offence_within_2y": False, "damage_amount_yuan": 100_000.0}
    record_classification(store, cid, facts, actor="tester")
    assert store.get("cases", cid)["case_class"] == "simple"
    add_claim_item(store, cid, "investigation_appraisal", 80_000, source="鉴定评估合同及发票", actor="tester")
    assert store.get("cases", cid)["case_class"] == "simple"
    add_claim_item(store, cid, "restoration", 250_000.004, source="修复方案预算", actor="tester")
    case = store.get("cases", cid)
    assert case["damage_amount_yuan"] == 330_000.0 and case["case_class"] == "ordinary"
    before = store.read("claim_items", case_id=cid)
    for bad, field in ((("not_an_item", 1.0, "x"), "item"), (("restoration", -5, "x"), "amount_yuan"),
                       (("restoration", 5, " "), "source")):
        with pytest.raises(InputError) as exc:
            add_claim_item(store, cid, bad[0], bad[1], source=bad[2], actor="tester")
        assert exc.value.issues[0].field == field
    assert len(store.read("claim_items", case_id=cid)) == len(before)
    with pytest.raises(InputError, match="not an appraisal of case"):
        add_claim_item(store, cid, "restoration", 5, source="x", appraisal_id="NOPE-A01", actor="tester")


def test_cli_claim_add_list_and_unknown_item(store, cli):
    cid = _case(store)
    data = str(store.data_dir)
    code, out, err = cli("--data", data, "case", "claim", "add", cid, "emergency_response", "12345.6",
                         "--source", "应急监测费用发票")
    assert code == 0, err
    assert "12,345.60 元（1.23 万元）" in out
    code, out, err = cli("--data", data, "case", "claim", "list", cid, "--json")
    items = json.loads(out)
    assert [(i["item"], i["amount_yuan"], i["source"]) for i in items] == [("emergency_response", 12345.6, "应急监测费用发票")]
    code, out, err = cli("--data", data, "case", "claim", "list", cid)
    assert "应急处置费用" in out and "emergency_response" not in out
    code, out, err = cli("--data", data, "case", "claim", "add", cid, "lawyer_fees", "10", "--source", "x")
    assert code == 2 and "期间损害" in err and "interim_loss" in err, err
    assert len(claim_items(store, cid)) == 1


def test_cli_record_three_files_shows_the_sum(store, cli, tmp_path):
    cid = _case(store)
    data = str(store.data_dir)
    for i, p in enumerate(DEZHOU):
        f = tmp_path / f"p{i}.yaml"
        f.write_text(yaml.safe_dump(dezhou_file(*p), allow_unicode=True), encoding="utf-8")
        code, out, err = cli("--data", data, "appraisal", "record", cid, str(f), "--method", "abatement",
                             "--appraiser", "张三")
        assert code == 0, err
    assert "21,983,600.00 元（2,198.36 万元）" in out
    code, out, err = cli("--data", data, "case", "show", cid)
    assert "21,983,600.00 元" in out and "索赔项目合计" in out and "e+07" not in out
