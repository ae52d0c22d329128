"""Restoration-cost options with equivalence; appraisals stored with the case; class across 30万元."""
from __future__ import annotations

import copy

import pandas as pd
import pytest

import equivalence as eq
from restoration.appraisal import (amount_provenance, appraise_abatement, estimate_restoration_cost,
                                   list_appraisals, record_appraisal)
from restoration.cases import classify, load_profile
from restoration.cases.records import case_record, record_classification, update_case
from restoration.errors import ConflictError, InputError

EQ = {"schema_version": 1, "method": "service", "base_year": 2024, "discount_rate": 0.03,
      "injury": {"area": 20, "area_unit": "mu", "start_year": 2023, "end_year": 2035, "levels": [[2023, 0], [2035, 1]]}}
RC = {"title": "林地修复方案比选", "contingency_rate": 0.05, "equivalence": EQ, "options": [
    {"name": "原位补植", "measures": [{"name": "苗木", "quantity": 1200, "unit": "株", "unit_cost": 35}],
     "per_unit_measures": [{"name": "整地及管护", "quantity": 1, "unit": "亩", "unit_cost": 2500}],
     "replacement": {"start_year": 2025, "end_year": 2060, "area_unit": "mu", "levels": [[2025, 0], [2032, 1]]}},
    {"name": "异地造林", "measures": [{"name": "设计费", "quantity": 1, "unit": "项", "unit_cost": 20000}],
     "per_unit_measures": [{"name": "造林及管护", "quantity": 1, "unit": "亩", "unit_cost": 1800}],
     "replacement": {"start_year": 2025, "end_year": 2060, "area_unit": "mu", "levels": [[2025, 0], [2035, 1]]}}]}


def test_options_sized_by_equivalence_and_ranked():
    r = estimate_restoration_cost(RC)
    for opt in RC["options"]:
        scale = eq.run_scenario({**EQ, "replacement": opt["replacement"]}).required_scale
        fixed = sum(m["quantity"] * m["unit_cost"] for m in opt["measures"])
        per = sum(m["quantity"] * m["unit_cost"] for m in opt["per_unit_measures"])
        row = r.options.set_index("option").loc[opt["name"]]
        assert row["required_scale"] == pytest.approx(scale)
        assert row["total_yuan"] == pytest.approx((fixed + scale * per) * 1.05)
    assert r.best_option == r.options.sort_values("total_yuan").iloc[0]["option"]
    assert r.amount_yuan == pytest.approx(r.options["total_yuan"].min())
    assert r.options["lowest"].sum() == 1


def test_restoration_cost_errors():
    bad = copy.deepcopy(RC)
    del bad["equivalence"]
    with pytest.raises(InputError, match="equivalence"):
        estimate_restoration_cost(bad)
    bad = copy.deepcopy(RC)
    bad["options"][1]["name"] = "原位补植"
    with pytest.raises(InputError, match="repeats"):
        estimate_restoration_cost(bad)
    bad = copy.deepcopy(RC)
    bad["options"][0]["replacement"]["levels"] = [[2025, 0], [2030, 0]]
    with pytest.raises(InputError, match="never rises"):
        estimate_restoration_cost(bad)


WATER = {"standard": "gbt39793_2", "discharge": {"amount": 12000, "unit": "m3", "source": "在线监测"},
         "unit_cost": {"value": 3.5, "basis": "survey", "source": "调查"},
         "coefficients": {"alpha": {"value": 1.5, "source": "表1"}, "omega": {"value": 1.25, "source": "表5"},
                          "tau": {"exceedance": {"measured": 350, "limit": 100}}}}


def _case(store):
    cases = store.read("cases")
    return cases.iloc[0]["case_id"]


def test_record_sets_amount_with_provenance_and_manual_edit_is_marked(store):
    cid = _case(store)
    before = store.get("cases", cid)
    r = appraise_abatement(WATER)
    row = record_appraisal(store, cid, r, appraiser="张三 鉴定机构", actor="tester", appraised_on="2025-03-01",
                           expected_version=int(before["version"]))
    case = store.get("cases", cid)
    assert case["damage_amount_yuan"] == pytest.approx(98437.5)
    assert case["damage_amount_source"] == "claim_items"
    prov = amount_provenance(store, case)["items"][0]
    assert prov["appraisal_id"] == row["appraisal_id"] and prov["item"] == "restoration"
    assert prov["method"] == "abatement" and prov["appraiser"] == "张三 鉴定机构" and prov["appraised_on"] == "2025-03-01"
    assert prov["all_verified"] is False
    stored = list_appraisals(store, cid).iloc[-1]
    assert stored["result"]["table"][0]["symbol"] == "E" and stored["software_version"] == eq.__version__
    assert case_record(store, cid)["amount_provenance"]["items"][0]["appraisal_id"] == row["appraisal_id"]
    # a stale version is refused and nothing is written
    n = len(list_appraisals(store, cid))
    with pytest.raises(ConflictError):
        record_appraisal(store, cid, r, appraiser="x", actor="t", expected_version=int(before["version"]))
    assert len(list_appraisals(store, cid)) == n
    # typed by hand (a case without claim items): marked manual, provenance says so
    other = store.read("cases").iloc[1]["case_id"]
    update_case(store, other, {"damage_amount_yuan": 120000.0}, actor="tester")
    case = store.get("cases", other)
    assert case["damage_amount_source"] == "manual" and amount_provenance(store, case)["source"] == "manual"


def test_class_changes_when_the_computed_amount_crosses_30_wan(store):
    """docs/appraisal.md worked example: 12,000 m³ → 98,437.5 yuan (simple); 40,000 m³ →
    328,125 yuan, above the 300,000-yuan simple-case cap (ordinary)."""
    profile = load_profile("national")
    facts = {"facts_clear": True, "liability_undisputed": True, "obvious_impact": True, "in_red_line": False,
             "repeat_offence_within_2y": False}
    small = appraise_abatement(WATER)
    big = appraise_abatement({**WATER, "discharge": {**WATER["discharge"], "amount": 40000}})
    assert small.amount_yuan <= 300000 < big.amount_yuan == pytest.approx(328125.0)
    c_small = classify({**facts, "damage_amount_yuan": small.amount_yuan}, profile).case_class
    c_big = classify({**facts, "damage_amount_yuan": big.amount_yuan}, profile).case_class
    assert c_small == "simple" and c_big == "ordinary"
    # stored with the case, the classification records which appraisal the amount came from
    cid = _case(store)
    row = record_appraisal(store, cid, big, appraiser="李四", actor="tester")
    record_classification(store, cid, {**facts, "damage_amount_yuan": big.amount_yuan}, actor="tester")
    last = store.read("case_classifications", case_id=cid).iloc[-1]
    assert last["facts"]["damage_amount_provenance"]["items"][0]["appraisal_id"] == row["appraisal_id"]


def test_record_refuses_a_result_without_amount(store):
    res = eq.run_scenario({**EQ, "replacement": RC["options"][0]["replacement"]})
    with pytest.raises(InputError, match="no damage amount"):
        record_appraisal(store, _case(store), res, appraiser="x", actor="t")


def test_case_workbook_in_report_order(store, tmp_path):
    from restoration.reports.appraisal_xlsx import CASE_SHEETS, write_case_appraisal_xlsx
    cid = _case(store)
    record_appraisal(store, cid, appraise_abatement(WATER), appraiser="张三", actor="t")
    record_appraisal(store, cid, estimate_restoration_cost(RC), appraiser="张三", actor="t")
    out = write_case_appraisal_xlsx(store, cid, tmp_path / "case.xlsx")
    sheets = pd.read_excel(out, sheet_name=None)
    assert list(sheets) == list(CASE_SHEETS)
    confirm = sheets[CASE_SHEETS[0]].set_index("项目 item")["内容 value"]
    assert "鉴定评估计算" in confirm["数额来源 amount source"]
    assert set(sheets[CASE_SHEETS[2]]["方案 option"]) == {"原位补植", "异地造林"}
    assert len(sheets[CASE_SHEETS[3]]) == 2
    for df in sheets.values():
        assert not df.astype(str).isin(["None", "nan", "NaN"]).any().any()


def test_empty_case_workbook_says_so(store, tmp_path):
    from restoration.reports.appraisal_xlsx import CASE_SHEETS, write_case_appraisal_xlsx
    out = write_case_appraisal_xlsx(store, _case(store), tmp_path / "e.xlsx")
    s = pd.read_excel(out, sheet_name=CASE_SHEETS[1])
    assert "no appraisal recorded" in s.iloc[0, 0]


def test_cli_record_show_list_workbook(store, tmp_path, processes):
    import json

    import yaml
    cid = _case(store)
    f = tmp_path / "ab.yaml"
    f.write_text(yaml.safe_dump(WATER, allow_unicode=True), encoding="utf-8")
    data = str(store.data_dir)

    def cli(*args):
        out = processes.cli("--data", data, *args, timeout=120)
        return out.returncode, out.stdout, out.stderr
    code, out, err = cli("appraisal", "record", cid, f, "--method", "abatement", "--appraiser", "张三",
                         "--date", "2025-04-01")
    assert code == 0, err
    code, out, err = cli("case", "show", cid)
    assert code == 0 and "98,437.50 元（9.84 万元） — 索赔项目合计" in out, out + err
    assert "鉴定评估 appraisal" in out and "张三" in out, out + err
    code, out, err = cli("appraisal", "list", cid, "--json")
    assert json.loads(out)[-1]["amount_yuan"] == pytest.approx(98437.5)
    code, out, err = cli("appraisal", "workbook", cid, "--out", tmp_path / "w.xlsx")
    assert code == 0 and (tmp_path / "w.xlsx").exists()
    code, out, err = cli("appraisal", "record", "NO-SUCH-CASE", f, "--method", "abatement", "--appraiser", "x")
    assert code == 2
