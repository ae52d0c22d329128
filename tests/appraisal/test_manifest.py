"""Re-performance: every calculation output carries a manifest (in the PDF, beside every file);
``appraisal verify`` recomputes it and says identical, or which number differs and why; a
manifest edited by hand is refused (exit 2)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from restoration.appraisal import manifest as mf

DATA = Path(__file__).parent / "data"
REF = Path(__file__).parents[1] / "equivalence" / "reference_cases"


def _reseal(m: dict) -> dict:
    """What a careful forger does: change a number and recompute every hash."""
    m = dict(m)
    m["outputs"] = dict(m["outputs"], sha256=hashlib.sha256(mf._canonical(m["outputs"]["values"])).hexdigest())
    return mf._sealed(m)


def test_abatement_pdf_and_workbook_carry_the_manifest_and_verify_identical(cli, tmp_path):
    pdf, xlsx = tmp_path / "calc.pdf", tmp_path / "calc.xlsx"
    code, out, err = cli("appraisal", "abatement", DATA / "dezhou_air.yaml", "--pdf", pdf, "--xlsx", xlsx)
    assert code in (0, None), err
    for f in (pdf, xlsx):
        side = json.loads(mf.sidecar_path(f).read_text(encoding="utf-8"))
        assert side["files"] == [{"name": f.name, "sha256": hashlib.sha256(f.read_bytes()).hexdigest()}]
        assert side["inputs"][0]["sha256"] == hashlib.sha256((DATA / "dezhou_air.yaml").read_bytes()).hexdigest()
        assert side["coefficient_table"]["version"] and len(side["coefficient_table"]["sha256"]) == 64
        assert side["software"]["version"] and side["outputs"]["values"]["amount_yuan"] == 21_983_600.0
        assert side["outputs"]["values"]["items[1].amount_yuan"] == 16_020_800.0
    embedded = mf.manifests_in_pdf(pdf)
    assert len(embedded) == 1 and embedded[0]["outputs"]["amount_yuan"] == 21_983_600.0
    for target in (pdf, mf.sidecar_path(pdf), mf.sidecar_path(xlsx)):
        code, out, err = cli("appraisal", "verify", target)
        assert code in (0, None), err
        assert "一致 identical" in out and "DIFFERENT" not in out


def test_verify_names_the_changed_number_and_refuses_a_hand_edit(cli, tmp_path):
    pdf = tmp_path / "calc.pdf"
    cli("appraisal", "abatement", DATA / "chongqing_water.yaml", "--pdf", pdf)
    m = json.loads(mf.sidecar_path(pdf).read_text(encoding="utf-8"))
    # by hand: the number changed, the hashes left as they were → refused, exit 2, field named
    edited = json.loads(json.dumps(m))
    edited["outputs"]["values"]["amount_yuan"] = 14_416_777.0
    (tmp_path / "edited.json").write_text(json.dumps(edited), encoding="utf-8")
    code, out, err = cli("appraisal", "verify", tmp_path / "edited.json")
    assert code == 2 and "manifest_sha256" in err and "一致" not in out
    # resealed: the recomputation finds the number that differs → exit 1, the path named
    (tmp_path / "forged.json").write_text(json.dumps(_reseal(edited)), encoding="utf-8")
    code, out, err = cli("appraisal", "verify", tmp_path / "forged.json")
    assert code == 1
    assert "amount_yuan: 清单 recorded 14,416,777，重算 recomputed 14,416,776" in out
    # the embedded input changed without its hash → refused
    bad = json.loads(json.dumps(m))
    bad["inputs"][0]["content_base64"] = bad["inputs"][0]["content_base64"][:-8] + "AAAAAAA="
    (tmp_path / "input.json").write_text(json.dumps(mf._sealed(bad)), encoding="utf-8")
    code, out, err = cli("appraisal", "verify", tmp_path / "input.json")
    assert code == 2 and "inputs[0]" in err


def test_a_changed_coefficient_table_is_given_as_the_reason(tmp_path):
    r = mf.appraise_abatement_file(DATA / "chongqing_water.yaml")
    m = mf.build_manifest("abatement", r)
    m["coefficient_table"] = dict(m["coefficient_table"], sha256="0" * 64, version="2020.1")
    m["outputs"]["values"]["range_yuan[1]"] += 100.0
    v = mf.verify_manifest(_reseal(m), "test")
    assert not v.identical and [d["path"] for d in v.differences] == ["range_yuan[1]"]
    now = mf.coefficient_table_id()["version"]
    assert "系数表已变更" in v.differences[0]["reason"] and f"2020.1 → {now}" in v.differences[0]["reason"]


def test_changed_output_file_is_caught(cli, tmp_path):
    xlsx = tmp_path / "calc.xlsx"
    cli("appraisal", "abatement", DATA / "chongqing_water.yaml", "--xlsx", xlsx)
    xlsx.write_bytes(xlsx.read_bytes() + b"\0")
    code, out, err = cli("appraisal", "verify", mf.sidecar_path(xlsx))
    assert code == 1 and "已改变" in out


def test_equivalence_with_monte_carlo_seed_and_draws_reperforms(cli, tmp_path):
    pdf = tmp_path / "eq.pdf"
    code, out, err = cli("equivalence", "run", REF / "p6_value_to_cost.json", "--pdf", pdf, "--xlsx",
                         tmp_path / "eq.xlsx", "--draws", "200", "--seed", "7")
    assert code in (0, None), err
    m = mf.manifests_in_pdf(pdf)[0]
    assert m["random"] == {"seed": 7, "draws": 200} and m["coefficient_table"] is None
    assert any(k.startswith("percentiles") for k in m["outputs"]["values"])
    code, out, err = cli("appraisal", "verify", pdf)
    assert code in (0, None) and "一致" in out
    # the run is re-performed with the recorded seed: another seed is a difference (this scenario
    # holds no distributions, so only the seed itself differs)
    other = _reseal(dict(m, options={"draws": 200, "seed": 8}))
    v = mf.verify_manifest(other, "seed")
    paths = {d["path"] for d in v.differences}
    assert not v.identical and paths == {"uncertainty.seed"}


RC = {"title": "林地修复方案比选", "contingency_rate": 0.05,
      "equivalence": {"schema_version": 1, "method": "service", "base_year": 2024, "discount_rate": 0.03,
                      "injury": {"area": 20, "area_unit": "mu", "start_year": 2023, "end_year": 2035,
                                 "levels": [[2023, 0], [2035, 1]]}},
      "options": [{"name": "原位补植", "measures": [{"name": "苗木", "quantity": 1200, "unit": "株", "unit_cost": 35}],
                   "per_unit_measures": [{"name": "整地及管护", "quantity": 1, "unit": "亩", "unit_cost": 2500}],
                   "replacement": {"start_year": 2025, "end_year": 2060, "area_unit": "mu",
                                   "levels": [[2025, 0], [2032, 1]]}}]}


def test_restoration_cost_workbook_manifest(cli, tmp_path):
    f = tmp_path / "options.json"
    f.write_text(json.dumps(RC, ensure_ascii=False), encoding="utf-8")
    xlsx = tmp_path / "rc.xlsx"
    code, out, err = cli("appraisal", "restoration-cost", f, "--xlsx", xlsx)
    assert code in (0, None), err
    m = json.loads(mf.sidecar_path(xlsx).read_text(encoding="utf-8"))
    assert m["kind"] == "restoration_cost" and m["outputs"]["values"]["amount_yuan"] > 0
    code, out, err = cli("appraisal", "verify", mf.sidecar_path(xlsx))
    assert code in (0, None) and "修复费用法" in out and "一致" in out


def test_not_a_manifest_is_refused(cli, tmp_path):
    f = tmp_path / "x.json"
    f.write_text('{"a": 1}', encoding="utf-8")
    code, out, err = cli("appraisal", "verify", f)
    assert code == 2 and "manifest_version" in err
    pdf = tmp_path / "plain.pdf"
    pdf.write_bytes(b"%PDF-1.4 not really")
    code, out, err = cli("appraisal", "verify", pdf)
    assert code == 2


def test_recorded_appraisal_keeps_its_manifest(store, cli):
    cid = store.read("cases").iloc[0]["case_id"]
    code, out, err = cli("--data", str(store.data_dir), "appraisal", "record", cid, DATA / "dezhou_air.yaml",
                         "--method", "abatement", "--appraiser", "张三")
    assert code in (0, None), err
    m = store.read("appraisals", case_id=cid).iloc[0]["result"]["manifest"]
    v = mf.verify_manifest(m, "stored")
    assert v.identical and m["outputs"]["amount_yuan"] == 21_983_600.0


def test_calculation_pdf_notes_and_tau_source_in_chinese(cli, tmp_path):
    from pypdf import PdfReader
    water = {"standard": "gbt39793_2", "discharge": {"amount": 12000, "unit": "m3", "source": "在线监测"},
             "unit_cost": {"value": 3.5, "basis": "survey", "source": "调查"},
             "coefficients": {"alpha": {"value": 1.5, "source": "表1"}, "omega": {"value": 1.25, "source": "表5"},
                              "tau": {"exceedance": {"measured": 350, "limit": 100}}}}
    f = tmp_path / "w.json"
    f.write_text(json.dumps(water, ensure_ascii=False), encoding="utf-8")
    pdf = tmp_path / "w.pdf"
    code, out, err = cli("appraisal", "abatement", f, "--pdf", pdf)
    assert code in (0, None), err
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(str(pdf)).pages)
    assert "超标系数τ按最大超标倍数κ分档取值" in text and "GB/T39793.2-2020表3" in text
    assert "未核实：" in text and "实际调查" in text
    assert "单位治理成本有2个候选值" not in text  # one candidate only: no choice note
    for english in ("no multiplier", "not a survey", "source not given"):
        assert english not in text, english
    for raw in ("survey", "unverified:", "gbt39793_2", "m3"):
        assert raw not in text, raw


def test_calculation_pdf_is_numbered_and_signable(cli, tmp_path):
    """The calculation sheet attaches to a report as a signed document: every page numbered
    "第 N 页 共 M 页" with the input file's hash in its footer, and lines for the one who
    calculated and the one who checked to sign and date."""
    from pypdf import PdfReader
    pdf = tmp_path / "dezhou.pdf"
    code, out, err = cli("appraisal", "abatement", DATA / "dezhou_air.yaml", "--pdf", pdf)
    assert code in (0, None), err
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(str(pdf)).pages]
    sha = hashlib.sha256((DATA / "dezhou_air.yaml").read_bytes()).hexdigest()
    assert len(pages) >= 2
    for n, text in enumerate(pages, 1):
        assert f"第 {n} 页 共 {len(pages)} 页" in text, (n, text[-200:])
        assert f"dezhou_air.yaml sha256 {sha[:16]}" in text
    last = pages[-1]
    assert "计算人" in last and "复核人" in last and "签字" in last and "日期" in last
