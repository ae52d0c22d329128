"""Every case in tests/equivalence/reference_cases (copied from shared/reference_cases) reproduced within its tolerance (numbers read at test time)."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import equivalence as eq

REFERENCE_DIR = Path(__file__).resolve().parent / "reference_cases"
CASES = sorted(REFERENCE_DIR.glob("*.json"))


def test_reference_cases_are_there():
    assert REFERENCE_DIR.is_dir(), f"expected the reference cases at {REFERENCE_DIR}"
    assert len(CASES) >= 6


def _close(got: float, want: float, tol: dict) -> bool:
    rel = tol.get("relative", 0.0)
    ab = tol.get("absolute", 0.0)
    return math.isclose(got, want, rel_tol=rel, abs_tol=ab)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_reference_case(path: Path):
    case = json.loads(path.read_text(encoding="utf-8"))
    result = eq.run_scenario(case["scenario"]).to_dict()
    tol = case.get("tolerance", {"relative": 1e-6})
    assert case["expected"], "a case without expected numbers checks nothing"
    for key, want in case["expected"].items():
        got = result[key]
        assert got is not None, f"{path.name}: {key} missing from the result"
        assert _close(got, want, tol), f"{path.name}: {key} = {got!r}, expected {want!r} within {tol}"


@pytest.mark.parametrize("path", CASES[:2], ids=[p.stem for p in CASES[:2]])
def test_reference_case_file_is_readable_directly(path: Path):
    """A reference-case file (scenario wrapped with expected results) runs from its path too."""
    case = json.loads(path.read_text(encoding="utf-8"))
    by_path = eq.run_scenario(path)
    by_dict = eq.run_scenario(case["scenario"])
    assert by_path.required_scale == by_dict.required_scale
    assert by_path.source["file"].endswith(path.name) and len(by_path.source["sha256"]) == 64


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_yearly_tables_add_up_to_totals(path: Path):
    case = json.loads(path.read_text(encoding="utf-8"))
    r = eq.run_scenario(case["scenario"])
    debit_col = "value_contribution" if r.variant.startswith("value") else "contribution"
    total = r.debit_value if r.variant.startswith("value") else r.debit
    assert math.isclose(r.debit_yearly[debit_col].sum(), total, rel_tol=1e-12)
    if r.credit_yearly is not None:
        col = "value_contribution" if r.variant == "value_to_value" else "contribution"
        assert math.isclose(r.credit_yearly[col].sum(), r.credit_per_unit, rel_tol=1e-12)
    assert math.isclose(r.credit_per_unit * r.required_scale, r.debit_value if r.debit_value is not None
                        else r.debit, rel_tol=1e-12)
