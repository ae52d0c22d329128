"""Plots return matplotlib Figures (Agg-safe, no pyplot)."""
from __future__ import annotations

import io

import matplotlib
import pytest
from matplotlib.figure import Figure

import equivalence as eq
from equivalence import plotting

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def result():
    scn = {"schema_version": 1, "method": "service", "base_year": 2020, "discount_rate": 0.03,
           "injury": {"area": {"dist": "triangular", "min": 80, "mode": 100, "max": 120}, "start_year": 2020,
                      "end_year": "perpetuity", "levels": [[2020, 0.0], [2030, 0.9]]},
           "replacement": {"start_year": 2021, "end_year": 2070, "levels": [[2021, 0.0], [2026, 1.0]],
                           "relative_value": {"dist": "uniform", "min": 0.8, "max": 1.2}},
           "uncertainty": {"draws": 1000, "seed": 2}}
    return eq.run_scenario(scn)


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=50)
    return buf.getvalue()


def test_curves(result):
    fig = plotting.plot_service_curves(result)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    # the discounted-loss bars: one per explicit year (perpetuity tail excluded)
    bars = [p for p in fig.axes[0].patches if p.get_height() > 0]
    assert len(bars) == len(result.debit_yearly) - 1
    assert _png(fig).startswith(b"\x89PNG")


def test_tornado_and_histogram(result):
    t = plotting.plot_tornado(result)
    labels = [tl.get_text() for tl in t.axes[0].get_yticklabels()]
    assert set(labels) == {"injury.area", "replacement.relative_value"}
    h = plotting.plot_mc_histogram(result, "debit")
    assert len(h.axes[0].patches) == 60
    for fig in (t, h):
        assert _png(fig).startswith(b"\x89PNG")


def test_plots_without_monte_carlo_and_other_methods():
    for f in ("p5_resource_birds.json", "p6_value_to_cost.json"):
        from pathlib import Path
        r = eq.run_scenario(Path(__file__).resolve().parent / "reference_cases" / f)
        for fig in (plotting.plot_service_curves(r), plotting.plot_tornado(r), plotting.plot_mc_histogram(r)):
            assert isinstance(fig, Figure)
            _png(fig)
