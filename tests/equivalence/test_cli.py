"""``restoration equivalence run``: JSON output, Excel export, exit codes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from openpyxl import load_workbook

from restoration.cli.equivalence import equivalence_group

REFERENCE_DIR = Path(__file__).resolve().parent / "reference_cases"


@pytest.fixture
def scenario_file(tmp_path, make_service) -> Path:
    scn = make_service()
    scn["injury"]["area"] = {"dist": "triangular", "min": 30, "mode": 40, "max": 55}
    scn["uncertainty"] = {"draws": 2000, "seed": 5}
    f = tmp_path / "case.yaml"
    f.write_text(yaml.safe_dump(scn, allow_unicode=True), encoding="utf-8")
    return f


def test_run_json_has_the_documented_keys(scenario_file):
    res = CliRunner().invoke(equivalence_group, ["run", str(scenario_file), "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    for key in ("debit", "credit_per_unit", "required_scale", "required_area_ha", "scale_unit", "yearly",
                "inputs", "version", "percentiles"):
        assert key in d, key
    assert set(d["percentiles"]["required_scale"]) >= {"p5", "p50", "p95", "mean"}
    assert d["uncertainty"]["draws"] == 2000 and d["uncertainty"]["seed"] == 5
    assert d["credit_per_unit"] == pytest.approx(d["debit"] / d["required_scale"], rel=1e-12)


def test_draws_and_seed_options_override_the_file(scenario_file):
    run = CliRunner().invoke
    a = json.loads(run(equivalence_group, ["run", str(scenario_file), "--json", "--draws", "300", "--seed", "9"]).stdout)
    b = json.loads(run(equivalence_group, ["run", str(scenario_file), "--json", "--draws", "300", "--seed", "9"]).stdout)
    assert a["uncertainty"]["draws"] == 300 and a["percentiles"] == b["percentiles"]
    c = json.loads(run(equivalence_group, ["run", str(scenario_file), "--json", "--draws", "0"]).stdout)
    assert "percentiles" not in c


def test_xlsx_has_five_sheets_with_units(scenario_file, tmp_path):
    out = tmp_path / "out" / "run.xlsx"
    res = CliRunner().invoke(equivalence_group, ["run", str(scenario_file), "--xlsx", str(out)])
    assert res.exit_code == 2 and "does not exist" in res.output  # a missing folder is not made on the side
    out.parent.mkdir()
    res = CliRunner().invoke(equivalence_group, ["run", str(scenario_file), "--xlsx", str(out)])
    assert res.exit_code == 0, res.output
    wb = load_workbook(out)
    assert wb.sheetnames == ["Inputs", "Debit", "Credit", "Result", "Uncertainty"]
    debit_headers = [c.value for c in wb["Debit"][1]]
    assert "贴现权重 weight (-)" in debit_headers and "贡献 contribution (ha·yr)" in debit_headers
    assert any("ha·yr per ha" in str(c.value) for c in wb["Credit"][1])
    assert wb["Debit"].max_row == 1 + (2031 - 2019 + 1)
    unc = [c.value for c in wb["Uncertainty"][1]]
    assert "P5" in unc and "P95" in unc
    assert "所需规模 required scale" in text_cells(wb["Result"])
    assert "已写入" in res.output and "等服务" in res.output


def text_cells(ws) -> set:
    return {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}


def test_xlsx_for_value_to_cost_and_resource(tmp_path):
    for name in ("p5_resource_birds.json", "p6_value_to_cost.json"):
        out = tmp_path / f"{name}.xlsx"
        res = CliRunner().invoke(equivalence_group, ["run", str(REFERENCE_DIR / name), "--xlsx", str(out), "--json"])
        assert res.exit_code == 0, res.output
        assert load_workbook(out).sheetnames == ["Inputs", "Debit", "Credit", "Result", "Uncertainty"]
        json.loads(res.stdout)  # stdout stays one JSON object with --json


def test_bad_scenario_raises_scenario_error_in_the_group(tmp_path, make_service):
    scn = make_service()
    del scn["discount_rate"]
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(scn), encoding="utf-8")
    res = CliRunner().invoke(equivalence_group, ["run", str(f)])
    from equivalence import ScenarioError
    assert isinstance(res.exception, ScenarioError) and res.exception.path == "discount_rate"


def test_missing_file_is_a_usage_error(tmp_path):
    res = CliRunner().invoke(equivalence_group, ["run", str(tmp_path / "nope.yaml")])
    assert res.exit_code == 2 and "does not exist" in res.output


def test_main_cli_registers_the_group():
    from restoration.cli import cli
    assert "equivalence" in cli.commands, "restoration.cli should register cli.equivalence.equivalence_group"


def test_main_cli_exit_code_2_on_bad_scenario(tmp_path, make_service, cli):
    scn = make_service()
    scn["injury"]["levels"] = [[2019, 0.25], [2022, 0.25], [2019, 1.0]]
    f = tmp_path / "bad.yaml"
    f.write_text(yaml.safe_dump(scn), encoding="utf-8")
    code, _, err = cli("equivalence", "run", f)
    assert code == 2
    assert "injury.levels[2]" in err and len(err.strip().splitlines()) == 1


def test_main_cli_runs_a_reference_case(cli):
    code, out, _ = cli("equivalence", "run", REFERENCE_DIR / "p2_perpetual_half_loss.json", "--json")
    assert code == 0
    assert json.loads(out)["required_scale"] == pytest.approx(0.515)
