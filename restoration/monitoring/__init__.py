"""Restoration monitoring: raster and field data in, fast zonal time series, progress
against plan, effect evaluation (修复效果评估) and observed recovery for the equivalence engine.

>>> from restoration import monitoring as mon
>>> cube = mon.open_cube("sample_data/ndvi/*.tif")                     # doctest: +SKIP
>>> table = mon.zonal_timeseries(cube, sites, stats=("mean", "count"))  # doctest: +SKIP
>>> mon.progress_table(store, today="2026-11-20")                       # doctest: +SKIP

See docs/monitoring.md.
"""
from __future__ import annotations

from .cube import RasterReadError, open_cube
from .evaluation import (EffectEvaluation, evaluate_case, evaluate_sites, evaluations, hj25_5_rule, mean_last_n_rule,
                         save_evaluation)
from .assessment import RecoveryAssessment, assess_recovery, assessments
from .breaks import SiteBreak, break_raster, site_breaks, stored_breaks
from .controls import ControlComparison, compare_with_controls, controls_beside_targets, stored_comparisons
from .indicators import INDICATORS, Indicator, get_indicator, register_indicator
from .indices import INDICES, SpectralIndex, compute_index, get_index
from .ingest import RasterIngestReport, ingest_raster
from .observed import observed_levels, planned_vs_observed, scenario_with_observed
from .pixelmap import PixelMap
from .plan import decimal_year, planned_level
from .recovery import METRICS, annual_composite, annual_series, pixel_metrics, recovery_metrics
from .progress import alerts, classify, progress_table
from .scene_ingest import SceneIngestReport, ingest_scenes
from .scenes import clear_mask, index_cube, open_scenes
from .series import read_series, site_series
from .stac import open_stac
from .tables import TableIngestReport, ingest_table
from .zonal import STATS, pixel_map, zonal_timeseries

__all__ = [
    "open_cube", "RasterReadError", "zonal_timeseries", "pixel_map", "PixelMap", "STATS",
    "ingest_raster", "RasterIngestReport", "ingest_table", "TableIngestReport",
    "INDICATORS", "Indicator", "get_indicator", "register_indicator",
    "site_series", "read_series", "progress_table", "alerts", "classify", "planned_level", "decimal_year",
    "evaluate_case", "evaluate_sites", "evaluations", "save_evaluation", "EffectEvaluation", "hj25_5_rule", "mean_last_n_rule",
    "observed_levels", "planned_vs_observed", "scenario_with_observed",
    "open_scenes", "open_stac", "index_cube", "clear_mask", "ingest_scenes", "SceneIngestReport",
    "INDICES", "SpectralIndex", "compute_index", "get_index",
    "METRICS", "annual_composite", "annual_series", "recovery_metrics", "pixel_metrics",
    "assess_recovery", "assessments", "RecoveryAssessment",
    "SiteBreak", "break_raster", "site_breaks", "stored_breaks",
    "ControlComparison", "compare_with_controls", "controls_beside_targets", "stored_comparisons",
]
