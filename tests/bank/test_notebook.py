"""Execute notebooks/base_site_selection.ipynb with nbclient (see ``run_notebook`` in
tests/conftest.py)."""
from __future__ import annotations

import nbformat
import pytest

from ..conftest import REPO, notebook_text

NOTEBOOK = REPO / "notebooks" / "base_site_selection.ipynb"


def test_headings_are_bilingual():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    headings = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown"]
    assert headings and all(any("\u4e00" <= ch <= "\u9fff" for ch in h) and
                            any(ch.isascii() and ch.isalpha() for ch in h) for h in headings)


@pytest.mark.slow
def test_base_site_selection_notebook_executes(run_notebook):
    nb, tmp = run_notebook(NOTEBOOK)
    outdir = next(tmp.glob("base_site_selection_*/out"))
    html = (outdir / "base_sites_map.html").read_text(encoding="utf-8")
    assert "GX-2023-008 damaged site" in html and "BP05" in html
    assert "data:text/javascript;base64," in html and "cdn." not in html  # renders offline
    assert (outdir / "required_area_cost.png").stat().st_size > 1000
    text = notebook_text(nb)
    assert "no single project fits; split over 2 projects" in text
    assert "reserved 已预留" in text and "covered 100%" in text
