"""Classification on both sides of every threshold and exception, with the rules that fired."""
from __future__ import annotations

import json

import pytest

from restoration.cases import classify, override_class, record_classification
from restoration.errors import InputError

BASE = {"damage_amount_yuan": 2_000, "damage_kind": "pollution", "facts_clear": True, "liability_undisputed": True,
        "obvious_impact": True, "in_red_line": False, "repeat_offence_within_2y": False,
        "rectification_completed": True, "major_triggers": []}


def facts(**kw):
    return {**BASE, **kw}


def fired(result, rule_suffix):
    return [f for f in result.fired if f["rule"].endswith(rule_suffix)]


@pytest.mark.parametrize("amount, expected", [(3_000, "significantly_minor"), (3_000.01, "simple"),
                                              (0, "significantly_minor")])
def test_guangxi_minor_amount_cap(guangxi, amount, expected):
    # obvious impact: only the amount criterion can make the case minor
    r = classify(facts(damage_amount_yuan=amount), guangxi)
    assert r.case_class == expected
    (cap,) = fired(r, "significantly_minor.amount_cap_yuan")
    assert cap["met"] is (amount <= 3_000)
    assert cap["value"] == 3000 and "桂环规范〔2024〕1号" in cap["source"] and cap["verified"]


def test_no_obvious_impact_alone_is_enough(guangxi):
    # 环法规〔2025〕6号 第四条: amount tiny OR no obvious impact
    r = classify(facts(damage_amount_yuan=80_000, obvious_impact=False), guangxi)
    assert r.case_class == "significantly_minor"
    r = classify(facts(damage_amount_yuan=80_000, obvious_impact=True), guangxi)
    assert r.case_class == "simple"


@pytest.mark.parametrize("fact, value", [("in_red_line", True), ("repeat_offence_within_2y", True)])
def test_national_exceptions_block_minor(guangxi, fact, value):
    assert classify(facts(**{fact: not value}), guangxi).case_class == "significantly_minor"
    r = classify(facts(**{fact: value}), guangxi)
    assert r.case_class == "simple"
    (hit,) = [f for f in r.fired if f["effect"] == "minor_exception" and f["met"]]
    assert hit["rule"].endswith(fact) and "环法规〔2025〕6号" in hit["source"]


def test_rectification_exception_is_zhejiang_only(guangxi, zhejiang):
    f = facts(rectification_completed=False, obvious_impact=False, damage_amount_yuan=1_000)
    assert classify(f, guangxi).case_class == "significantly_minor"
    r = classify(f, zhejiang)
    assert r.case_class == "simple"
    (hit,) = [x for x in r.fired if x["effect"] == "minor_exception" and x["met"]]
    assert hit["value"] == "rectification_not_completed" and hit["profile"] == "zhejiang"
    assert classify({**f, "rectification_completed": True}, zhejiang).case_class == "significantly_minor"


def test_unknown_exception_fact_blocks_minor(guangxi):
    f = facts()
    del f["in_red_line"]
    r = classify(f, guangxi)
    assert r.case_class == "simple"
    assert any(x["effect"] == "minor_exception" and x["met"] is None for x in r.fired)


def test_cap_applies_to_pollution_only(guangxi):
    assert classify(facts(damage_kind="pollution"), guangxi).case_class == "significantly_minor"
    r = classify(facts(damage_kind="ecological_destruction"), guangxi)
    assert r.case_class == "simple"
    assert "applies to pollution" in fired(r, "significantly_minor.amount_cap_yuan")[0]["detail"]


def test_zhejiang_minor_cap_not_set(zhejiang):
    r = classify(facts(damage_amount_yuan=1), zhejiang)
    assert r.case_class == "simple"  # no amount cap to apply, and the impact is obvious
    (cap,) = fired(r, "significantly_minor.amount_cap_yuan")
    assert cap["met"] is None and "not set" in cap["detail"] and cap["value"] is None


@pytest.mark.parametrize("amount, expected", [(300_000, "simple"), (300_000.01, "ordinary")])
def test_simple_cap(guangxi, zhejiang, amount, expected):
    for prof in (guangxi, zhejiang):
        r = classify(facts(damage_amount_yuan=amount), prof)
        assert r.case_class == expected
        (cap,) = fired(r, "simple.amount_cap_yuan")
        assert cap["met"] is (expected == "simple")
    assert "桂工作细则说明" in fired(classify(facts(damage_amount_yuan=amount), guangxi),
                               "simple.amount_cap_yuan")[0]["source"]


@pytest.mark.parametrize("change", [{"facts_clear": False}, {"liability_undisputed": False},
                                    {"facts_clear": None}, {"damage_amount_yuan": None}])
def test_simple_conditions(guangxi, change):
    f = facts(**{"damage_amount_yuan": 100_000, **change})
    assert classify(facts(damage_amount_yuan=100_000), guangxi).case_class == "simple"
    r = classify(f, guangxi)
    assert r.case_class == "ordinary"
    assert any(x["effect"] == "simple_condition" and not x["met"] for x in r.fired)


@pytest.mark.parametrize("trigger", ["central_inspection", "sudden_incident_large", "major_eco_destruction",
                                     "provincial_designation"])
def test_major_triggers(guangxi, zhejiang, trigger):
    for prof in (guangxi, zhejiang):
        r = classify(facts(damage_amount_yuan=500, major_triggers=[trigger]), prof)
        assert r.case_class == "major"
        (hit,) = [x for x in r.fired if x["effect"] == "major"]
        assert hit["value"] == trigger and "第十条" in hit["source"]


def test_bad_facts_are_refused(guangxi):
    with pytest.raises(InputError) as exc:
        classify({"damage_amount": 5, "major_triggers": ["alien_invasion"], "facts_clear": "yes"}, guangxi)
    fields = {i.field for i in exc.value.issues}
    assert fields == {"damage_amount", "major_triggers", "facts_clear"}
    with pytest.raises(InputError, match="yuan >= 0"):
        classify({"damage_amount_yuan": -1}, guangxi)


def test_cli_classify_json(tmp_path, capsys, run_cli):
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts(damage_amount_yuan=250_000)), encoding="utf-8")
    code, out, _ = run_cli(capsys, tmp_path / "nodata", "case", "classify", str(path), "--profile", "guangxi",
                           "--json")
    assert code == 0
    data = json.loads(out)
    assert data["case_class"] == "simple"
    assert all({"rule", "source", "verified", "met"} <= set(f) for f in data["fired"])
    path.write_text('{"damage_amount_yuan": 1, "colour": "red"}', encoding="utf-8")
    code, _, err = run_cli(capsys, tmp_path / "nodata", "case", "classify", str(path), "--json")
    assert code == 2 and "colour" in err


def test_record_and_override(store):
    case = store.get("cases", "GX-2025-002")
    r = record_classification(store, "GX-2025-002", facts(damage_amount_yuan=180_000), "supervisor",
                              expected_version=case["version"])
    assert r.case_class == "simple"
    with pytest.raises(InputError, match="reason"):
        override_class(store, "GX-2025-002", "ordinary", "  ", "supervisor")
    with pytest.raises(InputError, match="unknown class"):
        override_class(store, "GX-2025-002", "tiny", "why", "supervisor")
    after = override_class(store, "GX-2025-002", "ordinary", "涉及饮用水水源地，按一般案件办理", "supervisor",
                           expected_version=case["version"] + 1)
    assert after["case_class"] == "ordinary" and after["version"] == case["version"] + 2
    rows = store.read("case_classifications", case_id="GX-2025-002")
    assert list(rows["computed_class"]) == ["simple", "simple"]
    assert list(rows["case_class"]) == ["simple", "ordinary"]
    assert rows["overridden"].tolist() == [False, True]
    assert rows["reason"].iloc[-1].startswith("涉及饮用水")
    audit = store.read("audit_log", layer="cases", record_id="GX-2025-002")
    assert {"classify", "override class"} <= set(audit["action"])
