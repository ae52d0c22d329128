"""Several pollutants in one imputed-abatement calculation: two published judgments reproduce to
the yuan from one file each; bad lists are refused naming the item and the field."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from restoration.appraisal import appraise_abatement, appraise_abatement_file
from restoration.errors import InputError

DATA = Path(__file__).parent / "data"


def test_dezhou_three_pollutants_in_one_file():
    """指导性案例131号 (德州晶华): SO₂ 255 t × 5,600, NOx 589 t × 6,800, dust 19 t × 3,300 (given
    as 3.3 元/kg, converted), k = 4 → 21,983,600 元."""
    r = appraise_abatement_file(DATA / "dezhou_air.yaml")
    assert [(i["name"], i["amount_yuan"]) for i in r.to_dict()["items"]] == [
        ("二氧化硫", 5_712_000.0), ("氮氧化物", 16_020_800.0), ("烟粉尘", 250_800.0)]
    assert r.amount_yuan == 21_983_600.0
    text = r.summary()
    assert "21,983,600.00 元（2,198.36 万元）" in text and "e+" not in text
    assert json.loads(json.dumps(r.to_dict(), default=str))["amount_yuan"] == 21983600.0


def test_chongqing_water_in_one_file():
    """指导性案例130号 (藏金阁): 145,624 t × 22 元/t × 4.5 = 14,416,776 元, within 4.5–6."""
    r = appraise_abatement_file(DATA / "chongqing_water.yaml")
    assert r.amount_yuan == 14_416_776.0 and r.range_yuan == (14_416_776.0, 19_222_368.0)
    assert "14,416,776.00 元" in r.summary() and "1.44168e+07" not in r.summary()


def _bad(change) -> InputError:
    data = yaml.safe_load((DATA / "dezhou_air.yaml").read_text(encoding="utf-8"))
    change(data)
    with pytest.raises(InputError) as exc:
        appraise_abatement(data, file_name="d.yaml")
    return exc.value


def test_bad_lists_name_the_item_and_field():
    e = _bad(lambda d: d["pollutants"].append(copy.deepcopy(d["pollutants"][0])))
    assert e.issues[0].field == "pollutants[3] (二氧化硫).name" and "twice" in str(e.issues[0].message)
    e = _bad(lambda d: d["pollutants"][1]["unit_cost"].update(unit="元/m3"))
    assert e.issues[0].field == "pollutants[1] (氮氧化物).unit_cost.unit"
    e = _bad(lambda d: d["pollutants"][2].update(coefficients={"k": 4}))
    assert e.issues[0].field == "pollutants[2] (烟粉尘).coefficients.k.source"
    e = _bad(lambda d: d["pollutants"][0]["discharge"].update(amount=-1))
    assert e.issues[0].field == "pollutants[0] (二氧化硫).discharge.amount"
    e = _bad(lambda d: d.update(discharge={"amount": 1, "unit": "t"}))
    assert e.issues[0].field == "discharge"


def test_k_outside_the_cited_range_needs_a_reason():
    data = yaml.safe_load((DATA / "chongqing_water.yaml").read_text(encoding="utf-8"))
    data["coefficients"]["k"]["value"] = 7
    with pytest.raises(InputError) as exc:
        appraise_abatement(data)
    assert exc.value.issues[0].field == "pollutants[0] (含重金属废水).coefficients.k"
    data["coefficients"]["k"]["reason"] = "饮用水源保护区上游，专家论证取 7 倍"
    r = appraise_abatement(data)
    assert r.amount_yuan == 145_624 * 22 * 7 and any("专家论证" in u for u in r.unverified_zh)


def test_record_a_multi_pollutant_file_refuses_bad_input_and_writes_nothing(store, cli, tmp_path):
    cid = store.read("cases").iloc[0]["case_id"]
    data = str(store.data_dir)
    bad = yaml.safe_load((DATA / "dezhou_air.yaml").read_text(encoding="utf-8"))
    bad["pollutants"][1]["name"] = "二氧化硫"
    f = tmp_path / "bad.yaml"
    f.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    code, out, err = cli("--data", data, "appraisal", "record", cid, str(f), "--method", "abatement",
                         "--appraiser", "张三")
    assert code == 2 and "pollutants[1] (二氧化硫).name" in err
    assert store.read("appraisals", case_id=cid).empty and store.read("claim_items", case_id=cid).empty
    code, out, err = cli("--data", data, "appraisal", "record", cid, str(DATA / "dezhou_air.yaml"),
                         "--method", "abatement", "--appraiser", "张三")
    assert code == 0, err
    assert store.get("cases", cid)["damage_amount_yuan"] == 21_983_600.0


def test_calculation_pdf_names_inputs_in_chinese(tmp_path, processes):
    import shutil

    from restoration.reports.appraisal_pdf import abatement_pdf
    if shutil.which("pdftotext") is None:  # poppler-utils is part of the test environment
        pytest.fail("pdftotext (poppler-utils) is needed to read the PDF back")
    out = abatement_pdf(appraise_abatement_file(DATA / "dezhou_air.yaml"), tmp_path / "d.pdf")
    text = processes.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "污染物2 排放数量 数量" in text and "环境空气 二类区" in text and "21,983,600.00 元" in text
    for raw in ("discharge.amount", "function_class", "multiplier_2017", "pollutants[", "e+0"):
        assert raw not in text, raw


def test_coefficients_table_in_chinese_with_the_court_confirmed_range(cli):
    code, out, err = cli("appraisal", "coefficients")
    assert code == 0, err
    row = next(x for x in out.splitlines() if "地表水 Ⅲ类" in x)
    assert "4.5–6 倍" in row and "指导性案例130号" in row and "[未核实]" in row
    assert "UNVERIFIED" not in out and "issue 13" not in out and "来源：" in out
