"""Imputed abatement cost: the worked example of docs/appraisal.md, provenance, bad input."""
from __future__ import annotations

import copy
import json
import numpy as np
import pytest
import yaml

from equivalence import abatement as core
from restoration.appraisal import appraise_abatement, coefficient_tables
from restoration.errors import InputError

WATER = {"standard": "gbt39793_2", "title": "某公司超标排放废水",
         "discharge": {"amount": 12000, "unit": "m3", "source": "在线监测数据"},
         "unit_cost": [{"value": 4.2, "basis": "reference_fee", "source": "污水处理收费标准"},
                       {"value": 3.5, "basis": "survey", "source": "同类企业调查"}],
         "coefficients": {"alpha": {"value": 1.5, "source": "鉴定人依表1取值"},
                          "omega": {"value": 1.25, "source": "受纳水体 Ⅲ类"},
                          "tau": {"exceedance": {"measured": 350, "limit": 100}}}}


def test_worked_example_by_hand():
    r = appraise_abatement(WATER)
    # κ = (350 − 100)/100 = 2.5 → τ tier (0, 10] = 1.25; γ = 1.5 × 1.25 × 1.25; D = 12000 × 3.5 × γ
    assert r.amount_yuan == pytest.approx(12000 * 3.5 * 1.5 * 1.25 * 1.25)
    rows = {row["symbol"]: row for row in r.rows}
    assert rows["κ"]["value"] == pytest.approx(2.5) and rows["τ"]["value"] == 1.25
    assert rows["C"]["value"] == 3.5 and "survey" in rows["C"]["source"]  # survey beats the reference fee
    assert not rows["τ"]["verified"] and rows["τ"]["origin"] == "table"
    d = r.to_dict()
    assert d["all_verified"] is False and any("τ = 1.25" in u for u in d["unverified"])
    assert [c["chosen"] for c in d["unit_cost_alternatives"]] == [False, True]
    assert [row["step"] for row in d["table"]][-1] == "result"


def test_every_table_value_carries_source_and_verified():
    t = coefficient_tables()
    for form in t["forms"].values():
        for part in ("formula", "gamma"):
            assert form[part]["source"] and isinstance(form[part]["verified"], bool)
        for c in form.get("coefficients", {}).values():
            assert c["source"] and isinstance(c["verified"], bool)
        for rg in form.get("ranges", {}).values():
            assert rg["source"] and isinstance(rg["verified"], bool)
            assert ("low" in rg) == ("high" in rg)


def test_air_form_and_missing_coefficient_is_named():
    air = {"standard": "gbt39793_1", "discharge": {"amount": 2.28, "unit": "t", "source": "监测"},
           "unit_cost": {"value": 2000, "basis": "cost_function", "source": "成本函数"},
           "coefficients": {"alpha": 1.2, "beta": 1.5, "omega": 0.5, "tau": {"value": 1.25, "source": "鉴定人取值"}}}
    r = appraise_abatement(air)
    assert r.amount_yuan == pytest.approx(2.28 * 2000 * (1.2 * 1.5 + 0.5) * 1.25)
    assert any("no source stated" in u for u in r.unverified)  # bare numbers for α, β, ω
    assert any("cost function" in str(n) for n in r.notes)
    bad = copy.deepcopy(air)
    del bad["coefficients"]["beta"]
    with pytest.raises(InputError, match="coefficients.beta"):
        appraise_abatement(bad)
    bad["coefficients"]["beta"] = 1.0
    bad["coefficients"]["tau"] = {"exceedance": {"measured": 3, "limit": 1}}
    with pytest.raises(InputError, match="no exceedance tiers are set"):
        appraise_abatement(bad)


def test_multiplier_2017_checks_the_class_range():
    spec = {"standard": "multiplier_2017", "function_class": "surface_water_III",
            "discharge": {"amount": 100, "unit": "t", "source": "x"},
            "unit_cost": {"value": 1000, "basis": "survey", "source": "y"},
            "coefficients": {"k": {"value": 5, "source": "Ⅲ类取中"}}}
    r = appraise_abatement(spec)
    assert r.amount_yuan == 100 * 1000 * 5 and r.range_yuan == (450000.0, 600000.0)
    spec["coefficients"]["k"]["value"] = 7
    with pytest.raises(InputError, match="outside the range 4.5–6"):
        appraise_abatement(spec)
    spec["function_class"] = "surface_water_II"  # range not set: the appraiser's k, said so
    r = appraise_abatement(spec)
    assert any("no multiplier range is set" in str(n) for n in r.notes)


@pytest.mark.parametrize("change, field", [
    (lambda s: s.update(standard="gbt0000"), "standard"),
    (lambda s: s["discharge"].update(amount=-3), "discharge.amount"),
    (lambda s: s["discharge"].update(amount=1e308), "discharge.amount"),
    (lambda s: s["discharge"].update(unit="kg"), "discharge.unit"),
    (lambda s: s["unit_cost"][0].update(basis="guess"), "unit_cost[0].basis"),
    (lambda s: s["coefficients"].update(beta=1), "coefficients.beta"),
    (lambda s: s.update(extra=1), "extra"),
])
def test_bad_input_names_the_field(change, field):
    s = copy.deepcopy(WATER)
    change(s)
    with pytest.raises(InputError) as info:
        appraise_abatement(s)
    assert field in str(info.value)


def test_vectorised_equals_per_case():
    rng = np.random.default_rng(0)
    e, c = rng.uniform(1, 1e4, 50), rng.uniform(1, 50, 50)
    a, w, kappa = rng.choice([1.0, 1.5, 2.0], 50), rng.choice([1.0, 1.25], 50), rng.uniform(0.1, 2000, 50)
    out = core.abatement_cases("gbt39793_2", e, c, alpha=a, omega=w, kappa=kappa,
                               tau_upper_bounds=[10, 100, 1000], tau_values=[1.25, 1.5, 1.75, 2.0])
    for i in range(50):
        tau = 1.25 if kappa[i] <= 10 else 1.5 if kappa[i] <= 100 else 1.75 if kappa[i] <= 1000 else 2.0
        assert out["amount_yuan"][i] == pytest.approx(e[i] * c[i] * a[i] * tau * w[i])


@pytest.fixture
def cli_process(processes):
    """``restoration ARGS`` in a process of its own -> (exit code, stdout, stderr)."""
    def run(*args):
        out = processes.cli(*args, timeout=120)
        return out.returncode, out.stdout, out.stderr
    return run


def test_cli_json_xlsx_pdf(tmp_path, cli_process, processes):
    f = tmp_path / "ab.yaml"
    f.write_text(yaml.safe_dump(WATER, allow_unicode=True), encoding="utf-8")
    code, out, err = cli_process("appraisal", "abatement", f, "--json", "--xlsx", tmp_path / "a.xlsx", "--pdf",
                          tmp_path / "a.pdf")
    assert code == 0, err
    d = json.loads(out)
    assert d["amount_yuan"] == pytest.approx(98437.5) and d["source"]["sha256"]
    import pandas as pd
    calc = pd.read_excel(tmp_path / "a.xlsx", sheet_name="计算 Calculation")
    assert "损害数额" in set(calc["名称"]) and "否 no — 未核实 unverified" in set(calc["已核实 verified"])
    pdf = (tmp_path / "a.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    fonts = processes.run(["pdffonts", str(tmp_path / "a.pdf")], capture_output=True, text=True).stdout
    cjk = [line for line in fonts.splitlines() if "WQYMicroHei" in line or "WenQuanYi" in line]
    assert cjk and all(" yes " in line for line in cjk), fonts  # the Chinese font is embedded
    text = processes.run(["pdftotext", str(tmp_path / "a.pdf"), "-"], capture_output=True, text=True).stdout
    assert "虚拟治理成本法计算书" in text and "98,437.50" in text


def test_cli_bad_file_exit_2(tmp_path, cli_process):
    f = tmp_path / "bad.yaml"
    f.write_bytes("standard: gbt39793_2\ntitle: '\xe9'\n".encode("latin-1"))
    code, out, err = cli_process("appraisal", "abatement", f)
    assert code == 2 and "not UTF-8" in err


def test_equivalence_pdf_and_population_cli(tmp_path, cli_process, processes):
    scn = tmp_path / "s.yaml"
    scn.write_text(yaml.safe_dump({
        "schema_version": 1, "method": "service", "base_year": 2020, "discount_rate": 0.03,
        "injury": [{"name": "重度", "area": 10, "area_unit": "mu", "start_year": 2020, "end_year": 2024,
                    "levels": [[2020, 0.0], [2024, 1.0]]}],
        "replacement": {"start_year": 2021, "end_year": 2030, "area_unit": "mu", "levels": [[2021, 0.0], [2023, 1.0]]}},
        allow_unicode=True), encoding="utf-8")
    code, out, err = cli_process("equivalence", "run", scn, "--pdf", tmp_path / "e.pdf")
    assert code == 0, err
    text = processes.run(["pdftotext", "-layout", str(tmp_path / "e.pdf"), "-"], capture_output=True,
                         text=True).stdout
    assert "等值分析计算书" in text and "重度" in text and "1.618826" in text
    pop = tmp_path / "p.yaml"
    pop.write_text(yaml.safe_dump({"direct_losses": [100, 50], "survival": [0.5, 0.8], "fecundity": [0, 1],
                                   "recovery_years": 3, "start_year": 2024, "unit": "bird-years"}), encoding="utf-8")
    code, out, err = cli_process("appraisal", "population", pop, "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["lost_units"] == [[2024, 150.0], [2025, 140.0], [2026, 187.0]] and d["unit"] == "bird-years"
    pop.write_text(yaml.safe_dump({"direct_losses": [100], "survival": [0.5, 0.8], "fecundity": [0, 1],
                                   "recovery_years": 3}), encoding="utf-8")
    code, out, err = cli_process("appraisal", "population", pop)
    assert code == 2 and "direct_losses" in err


@pytest.mark.parametrize("name, payload, expect", [
    ("bomb.yaml", "".join(f"{c}: &{c} [{', '.join(['*' + p] * 9) if p else ', '.join(['x'] * 9)}]\n"
                          for p, c in zip([""] + list("abcdefgh"), "abcdefghi")) + "notes: *i\n",
     "expands to more than"),
    ("deep.yaml", "a: " + "[" * 5000 + "]" * 5000 + "\n", "nested"),
    ("list.yaml", "- 1\n- 2\n", "expected a mapping"),
])
def test_cli_hostile_appraisal_files(tmp_path, name, payload, expect, cli_process):
    f = tmp_path / name
    f.write_text(payload, encoding="utf-8")
    code, out, err = cli_process("appraisal", "abatement", f)
    assert code == 2 and expect in err and "Traceback" not in err
