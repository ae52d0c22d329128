"""Execute notebooks/appraisal_equivalence.ipynb with nbclient.

The kernel is the interpreter running the tests: a kernel spec named ``python3`` is written to a
temporary folder with ``ipykernel.kernelspec.write_kernel_spec``, whose argv is the absolute
``sys.executable`` — so the notebook runs in exactly this venv whatever ``python`` is on PATH or
which other ``python3`` kernel specs are installed. The notebook's working directory is a
temporary folder, and the kernel's TMPDIR points into pytest's tmp_path, where the notebook writes
its store, Excel file and plots.
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

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "appraisal_equivalence.ipynb"


def _outputs_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            data = out.get("data", {})
            parts.append(data.get("text/plain", ""))
            parts.append(data.get("text/html", ""))
    return "\n".join(parts)


@pytest.mark.slow
def test_appraisal_notebook_executes(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    kernels = tmp_path / "kernels"
    kernelspec.write_kernel_spec(str(kernels / "python3"))
    ksm = KernelSpecManager(kernel_dirs=[str(kernels)])
    spec = ksm.get_kernel_spec("python3")
    assert spec.argv[0] == sys.executable
    km = KernelManager(kernel_name="python3", kernel_spec_manager=ksm)
    work = tmp_path / "cwd"
    work.mkdir()
    client = nbclient.NotebookClient(nb, km=km, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(work)}})
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    # TMPDIR for the kernel: the notebook's tempfile.mkdtemp() lands under pytest's tmp_path
    client.execute(env={**os.environ, "TMPDIR": str(tmp)})  # raises CellExecutionError on a failing cell
    assert list(tmp.glob("appraisal_equivalence_*/out/hea_uncertainty.xlsx"))
    text = _outputs_text(nb)
    assert "hea_uncertainty.xlsx sheets: Inputs, Debit, Credit, Result, Uncertainty" in text
    assert "HEA 等服务" in text and "VEA 等价值 value→cost" in text
    images = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) >= 3, "the plots cell should show three figures"
    assert not any(work.iterdir()), "the notebook should write into its own temporary folder only"
