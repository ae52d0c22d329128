"""Execute notebooks/appraisal_equivalence.ipynb with nbclient (see ``run_notebook`` in
tests/conftest.py: the kernel is this venv's interpreter, outputs go to pytest's tmp_path)."""
from __future__ import annotations

import pytest

from ..conftest import REPO, notebook_text

NOTEBOOK = REPO / "notebooks" / "appraisal_equivalence.ipynb"


@pytest.mark.slow
def test_appraisal_notebook_executes(run_notebook, monkeypatch):
    monkeypatch.delenv("RESTORATION_DATA", raising=False)
    monkeypatch.delenv("RESTORATION_CASE", raising=False)
    nb, tmp = run_notebook(NOTEBOOK)
    assert list(tmp.glob("appraisal_equivalence_*/out/hea_uncertainty.xlsx"))
    text = notebook_text(nb)
    assert "hea_uncertainty.xlsx sheets: Inputs, Debit, Credit, Result, Uncertainty" in text
    assert "HEA 等服务" in text and "VEA 等价值 value→cost" in text
    images = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) >= 3, "the plots cell should show three figures"


@pytest.mark.slow
def test_appraisal_notebook_on_your_own_store(run_notebook, monkeypatch, imported_store):
    """An agency's own store (imported cases and sites, no bank yet), chosen by RESTORATION_DATA
    and RESTORATION_CASE; the notebook only reads it."""
    from ..conftest import file_digest
    before = file_digest(imported_store.path)
    monkeypatch.setenv("RESTORATION_DATA", str(imported_store.path.parent))
    monkeypatch.setenv("RESTORATION_CASE", "GX-2024-004")
    nb, tmp = run_notebook(NOTEBOOK)
    text = notebook_text(nb)
    assert f"your store 您的数据 {imported_store.path.parent}" in text
    assert "GX-2024-004" in text and "项目库为空 the project bank is empty" in text
    assert file_digest(imported_store.path) == before
