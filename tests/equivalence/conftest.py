"""Shared fixtures for the equivalence tests (fixtures, because --import-mode=importlib does not
let test modules import each other)."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest

#: copied from ../shared/reference_cases so the tests run on a bare clone
REFERENCE_DIR = Path(__file__).resolve().parent / "reference_cases"


def _service_scenario(**over) -> dict:
    scn = {
        "schema_version": 1,
        "method": "service",
        "base_year": 2024,
        "discount_rate": 0.03,
        "injury": {"area": 40, "area_unit": "ha", "start_year": 2019, "end_year": 2031,
                   "levels": [[2019, 0.25], [2022, 0.25], [2031, 1.0]]},
        "replacement": {"start_year": 2025, "end_year": 2060, "levels": [[2025, 0.0], [2032, 0.9]]},
    }
    scn.update(copy.deepcopy(over))
    return scn


@pytest.fixture(scope="session")
def make_service():
    """Factory for a small equal-service scenario; keyword arguments replace top-level keys."""
    return _service_scenario


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    return REFERENCE_DIR
