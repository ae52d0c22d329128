"""Execute notebooks/appraisal_equivalence.ipynb with nbclient (see ``run_notebook`` in
tests/conftest.py: the kernel is this venv's interpreter, outputs go to pytest's tmp_path)."""
from __future__ import annotations

import pytest

from ..conftest import REPO, notebook_text

NOTEBOOK = REPO / "notebooks" / "appraisal_equivalence.ipynb"


@pytest.mark.slow
def test_appraisal_notebook_executes(run_notebook):
    nb, tmp = run_notebook(NOTEBOOK)
    assert list(tmp.glob("appraisal_equivalence_*/out/hea_uncertainty.xlsx"))
    text = notebook_text(nb)
    assert "hea_uncertainty.xlsx sheets: Inputs, Debit, Credit, Result, Uncertainty" in text
    assert "HEA 等服务" in text and "VEA 等价值 value→cost" in text
    images = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) >= 3, "the plots cell should show three figures"
