"""Execute notebooks/appraisal_equivalence.ipynb with nbclient (see ``run_notebook`` in
tests/conftest.py: the kernel is this venv's interpreter, outputs go to pytest's tmp_path).

The notebook appraises a case of the store or says it cannot: the injury comes from the case's
stored scenario, the base site from the bank's eligibility rule and ranking, offsets from the
case's agreed modes, a proposed instalment plan starts after today — and where the store lacks
something it stops and says what (on the sample, on a user's copy of it, and on an imported
store without scenarios)."""
from __future__ import annotations

import nbclient
import pytest

from restoration.bank import rank_base_sites, set_case_scenario, set_status

from ..conftest import REPO, file_digest, notebook_text

NOTEBOOK = REPO / "notebooks" / "appraisal_equivalence.ipynb"
TODAY = "2026-11-20"
DEMO_TRAJECTORY = "[[2023, 0.1], [2025, 0.1], [2040, 1.0]]"


def _images(nb) -> int:
    return sum("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))


def test_appraisal_notebook_executes(run_notebook, monkeypatch):
    monkeypatch.delenv("RESTORATION_DATA", raising=False)
    monkeypatch.delenv("RESTORATION_CASE", raising=False)
    monkeypatch.setenv("RESTORATION_TODAY", TODAY)
    nb, tmp = run_notebook(NOTEBOOK)
    assert list(tmp.glob("appraisal_equivalence_*/out/hea_uncertainty.xlsx"))
    text = notebook_text(nb)
    assert "hea_uncertainty.xlsx sheets: Inputs, Debit, Credit, Result, Uncertainty" in text
    assert "HEA 等服务" in text and "VEA 等价值 value→cost" in text
    assert _images(nb) >= 3, "the plots cell should show three figures"
    # the case of the largest damaged area with a stored scenario, its own trajectory
    assert "案件 case GX-2022-010" in text and "情景 scenario SC-0001" in text
    assert "levels [[2023, 0.0], [2024, 0.05], [2030, 0.6], [2040, 0.85]]" in text
    assert DEMO_TRAJECTORY not in text
    # the base site is the ranking's best eligible project
    assert "基地 base site: BP02 青岚县石漠化综合治理项目 — 岩溶草地 karst grassland, rank 1" in text
    # the monitored NDVI (damaged over reference) replaces the start of the trajectory
    assert "observed levels 监测轨迹: [[2024," in text
    # offsets as agreed (技改抵扣 of the case's modes), none invented; a proposed plan after today
    assert "技改抵扣 technical upgrade (agreed): 1,350,000.00 yuan" in text
    assert "劳务代偿 labour in lieu: 本案未约定 none agreed" in text
    assert "a proposal from 2026-12-31 (after today 2026-11-20)" in text
    assert "2026-03-31" not in text


def test_appraisal_notebook_on_your_own_store(run_notebook, monkeypatch, gpkg_store):
    """A user's store (a GeoPackage: the notebook only reads it), a riparian case: the base site
    is the one the ranking puts first among eligible projects — never a farmland or karst project
    of another ecosystem — and the agreed instalments come from the funds ledger."""
    case = "GX-2023-015"
    best = rank_base_sites(gpkg_store, case).table.query("eligible").iloc[0]["project_id"]
    before = file_digest(gpkg_store.path)
    monkeypatch.setenv("RESTORATION_DATA", str(gpkg_store.data_dir))
    monkeypatch.setenv("RESTORATION_CASE", case)
    monkeypatch.setenv("RESTORATION_TODAY", TODAY)
    nb, _ = run_notebook(NOTEBOOK)
    text = notebook_text(nb)
    assert f"your store 您的数据 {gpkg_store.data_dir}" in text
    assert f"案件 case {case}" in text and "levels [[2024, 0.0], [2026, 0.3], [2030, 0.6]]" in text
    assert f"基地 base site: {best} " in text and "BP09" not in text.split("基地 base site:")[1].split("\n")[0]
    assert "按已约定的分期（资金台账）as agreed" in text and "建议方案" not in text
    assert DEMO_TRAJECTORY not in text
    assert file_digest(gpkg_store.path) == before


def _stops(run_notebook, *fragments) -> str:
    with pytest.raises(nbclient.exceptions.CellExecutionError) as exc:
        run_notebook(NOTEBOOK)
    message = str(exc.value)
    assert "CannotAppraise" in message, message[-2000:]
    for f in fragments:
        assert f in message, (f, message[-2000:])
    return message


def test_appraisal_notebook_stops_without_a_stored_scenario(run_notebook, monkeypatch, imported_store):
    """An imported register (cases and sites, no scenario, no bank): the notebook says what is
    missing and how to add it, and computes nothing — no demo numbers stand in."""
    before = file_digest(imported_store.path)
    monkeypatch.setenv("RESTORATION_DATA", str(imported_store.path.parent))
    monkeypatch.setenv("RESTORATION_CASE", "GX-2024-004")
    _stops(run_notebook, "案件 GX-2024-004 没有保存的等量评估情景", "has no stored equivalence scenario",
           "restoration bank scenario set GX-2024-004 FILE")
    assert file_digest(imported_store.path) == before


def test_appraisal_notebook_without_a_case_says_none_has_a_scenario(run_notebook, monkeypatch, imported_store):
    monkeypatch.setenv("RESTORATION_DATA", str(imported_store.path.parent))
    monkeypatch.delenv("RESTORATION_CASE", raising=False)
    _stops(run_notebook, "本库没有任何保存了等量评估情景的案件", "restoration bank scenario set CASE_ID FILE")


def test_appraisal_notebook_stops_without_an_eligible_base_site(run_notebook, monkeypatch, gpkg_store):
    """A farmland-soil injury with a stored scenario, once the bank's only running farmland
    project has closed: no project may restore it, and the notebook stops and says why — it does
    not price the injury with the cheapest project of any ecosystem (a karst or forest site)."""
    case = "GX-2024-006"
    set_status(gpkg_store, "BP09", "closed", on="2026-10-01")
    set_case_scenario(gpkg_store, case, {
        "schema_version": 1, "method": "service", "base_year": 2025, "discount_rate": 0.03,
        "injury": {"area": 2.0, "area_unit": "ha", "start_year": 2024, "end_year": 2039,
                   "levels": [[2024, 0.1], [2039, 1.0]]},
        "replacement": {"start_year": 2026, "end_year": "perpetuity", "levels": [[2026, 0.0], [2031, 1.0]]}},
        source="test appraisal")
    assert not rank_base_sites(gpkg_store, case).table["eligible"].any()
    monkeypatch.setenv("RESTORATION_DATA", str(gpkg_store.data_dir))
    monkeypatch.setenv("RESTORATION_CASE", case)
    monkeypatch.setenv("RESTORATION_TODAY", TODAY)
    message = _stops(run_notebook, f"项目库中没有可替代修复案件 {case} 损害的项目",
                     f"no bank project may restore case {case}'s damage")
    assert "cannot replace farmland soil" in message  # says why the candidates are out
