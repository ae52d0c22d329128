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


def test_curves_for_quarterly_multi_category_and_named_rea_units():
    import equivalence as eq
    from equivalence import plotting
    scn = {"schema_version": 1, "method": "service", "base_year": 2020, "discount_rate": 0.03, "timing": "quarterly",
           "injury": [{"name": "重度", "area": 1, "start_year": 2020, "end_year": 2024, "levels": [[2020, 0], [2024, 1]]},
                      {"name": "轻度", "area": 2, "start_year": 2020, "end_year": 2022, "levels": [[2020, 0.5], [2022, 1]]}],
           "replacement": {"start_year": 2021, "end_year": 2030, "levels": [[2021, 0], [2023, 1]]}}
    fig = plotting.plot_service_curves(eq.run_scenario(scn), lang="en")
    top = fig.axes[0]
    assert "重度" in top.get_title()
    xs = top.lines[1].get_xdata()
    assert list(xs[:4]) == [2020.0, 2020.25, 2020.5, 2020.75]  # quarterly rows at their read times
    rea = {"schema_version": 1, "method": "resource", "base_year": 2020, "discount_rate": 0.03,
           "resource_unit": "bird-years", "injury": {"start_year": 2020, "end_year": 2022, "lost_units": 100},
           "replacement": {"start_year": 2021, "end_year": 2030, "units_per_project_unit": 5}}
    fig = plotting.plot_service_curves(eq.run_scenario(rea), lang="en")
    assert fig.axes[0].get_ylabel() == "bird-years / yr"
