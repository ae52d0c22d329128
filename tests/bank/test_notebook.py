"""Execute notebooks/base_site_selection.ipynb with nbclient (see ``run_notebook`` in
tests/conftest.py)."""
from __future__ import annotations

import nbformat
import pytest

from ..conftest import REPO, file_digest, notebook_text

NOTEBOOK = REPO / "notebooks" / "base_site_selection.ipynb"


def test_headings_are_bilingual():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    headings = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown"]
    assert headings and all(any("\u4e00" <= ch <= "\u9fff" for ch in h) and
                            any(ch.isascii() and ch.isalpha() for ch in h) for h in headings)


def _images(nb) -> int:
    return sum("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))


def test_base_site_selection_notebook_executes(run_notebook, monkeypatch):
    monkeypatch.delenv("RESTORATION_DATA", raising=False)
    monkeypatch.delenv("RESTORATION_CASE", raising=False)
    nb, tmp = run_notebook(NOTEBOOK)
    outdir = next(tmp.glob("base_site_selection_*/out"))
    html = (outdir / "base_sites_map.html").read_text(encoding="utf-8")
    assert "GX-2023-008 damaged site" in html and "BP05" in html
    assert "data:text/javascript;base64," in html and "cdn." not in html  # renders offline
    assert (outdir / "required_area_cost.png").stat().st_size > 1000
    text = notebook_text(nb)
    assert "no single project fits; split over 2 projects" in text
    assert "reserved 已预留" in text and "covered 100%" in text
    assert _images(nb) == 1, "the area/cost chart is shown in the notebook, not only saved"
    assert "sample region 示例区域" in text


def test_planner_runs_on_your_own_store_without_changing_it(run_notebook, monkeypatch, gpkg_store):
    """RESTORATION_DATA points the notebook at a user's store; it rehearses on a copy (of the
    GeoPackage file: a copy of a database is the DBA's job, so this runs on the file backend)."""
    before = file_digest(gpkg_store.path)
    monkeypatch.setenv("RESTORATION_DATA", str(gpkg_store.data_dir))
    monkeypatch.setenv("RESTORATION_CASE", "GX-2023-015")
    nb, tmp = run_notebook(NOTEBOOK)
    text = notebook_text(nb)
    assert f"your store 您的数据 {gpkg_store.data_dir} (working on a copy 副本)" in text
    assert "case 案件: GX-2023-015" in text and "reserved 已预留" in text
    html = next(tmp.glob("base_site_selection_*/out/base_sites_map.html")).read_text(encoding="utf-8")
    assert "GX-2023-015 damaged site" in html
    assert file_digest(gpkg_store.path) == before, "the user's store must stay untouched on WORK_ON_COPY"


def test_planner_notebook_stops_without_a_stored_scenario(run_notebook, monkeypatch, imported_store):
    """An imported register without scenarios: the required areas cannot be computed, and the
    notebook says so (and how to store the scenario) instead of ranking on a placeholder."""
    import nbclient
    monkeypatch.setenv("RESTORATION_DATA", str(imported_store.path.parent))
    monkeypatch.setenv("RESTORATION_CASE", "GX-2024-004")
    with pytest.raises(nbclient.exceptions.CellExecutionError) as exc:
        run_notebook(NOTEBOOK)
    message = str(exc.value)
    assert "CannotSite" in message and "has no stored equivalence scenario" in message
    assert "restoration bank scenario set GX-2024-004 FILE" in message and "ALLOW_DERIVED" in message
