"""Execute notebooks/base_site_selection.ipynb with nbclient, in this venv's interpreter.

Same approach as tests/equivalence/test_notebook.py: a kernel spec written to a temporary folder
whose argv is ``sys.executable``; TMPDIR points into pytest's tmp_path, where the notebook puts its
copy of the sample store, the folium map and the plot.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
kernelspec = pytest.importorskip("ipykernel.kernelspec")
from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402
from jupyter_client.manager import KernelManager  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "base_site_selection.ipynb"


def _text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            data = out.get("data", {})
            parts.extend([data.get("text/plain", ""), data.get("text/html", "")])
    return "\n".join(parts)


@pytest.mark.slow
def test_base_site_selection_notebook_executes(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    headings = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown"]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in h) and any(ch.isascii() and ch.isalpha() for ch in h)
               for h in headings), "every heading is in Chinese and English"
    kernels = tmp_path / "kernels"
    kernelspec.write_kernel_spec(str(kernels / "python3"))
    ksm = KernelSpecManager(kernel_dirs=[str(kernels)])
    assert ksm.get_kernel_spec("python3").argv[0] == sys.executable
    km = KernelManager(kernel_name="python3", kernel_spec_manager=ksm)
    work = tmp_path / "cwd"
    work.mkdir()
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    client = nbclient.NotebookClient(nb, km=km, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(work)}})
    client.execute(env={**os.environ, "TMPDIR": str(tmp)})
    outdir = next(tmp.glob("base_site_selection_*/out"))
    html = (outdir / "base_sites_map.html").read_text(encoding="utf-8")
    assert "GX-2023-008 damaged site" in html and "BP05" in html
    assert (outdir / "required_area_cost.png").stat().st_size > 1000
    text = _text(nb)
    assert "no single project fits; split over 2 projects" in text
    assert "reserved 已预留" in text and "covered 100%" in text
    assert not any(work.iterdir()), "the notebook writes only into its temporary folder"
