"""Monitoring: the observed series, the indicator targets of a site's plan, effect evaluations,
spectral recovery assessments and where the raster series' files are."""
from __future__ import annotations

from ..vocab import Direction, Verdict
from .bounds import QC_FLAGS
from .fields import Field as F, LayerSpec, enum_values


MONITORING_SERIES = LayerSpec(
    "monitoring_series", unique=(("site_id", "indicator", "time", "source"),),
    refs=(("site_id", "sites"),),
    fields=(
        F("site_id", "str", required=True),
        F("indicator", "str", required=True),
        F("time", "datetime", required=True, past=True),
        F("value", "float", required=True),
        F("unit", "str", required=True),
        F("source", "str", required=True),
        F("qc_flag", "str", default="ok", choices=QC_FLAGS),
        # share of the site's pixels that were clear (not cloud, shadow, snow or nodata) on that
        # date, for raster values (added to older stores by migration 11)
        F("valid_fraction", "float", min=0.0, max=1.0, zh="有效像元比例"),
    ),
)


INDICATOR_TARGETS = LayerSpec(
    "indicator_targets", unique=(("site_id", "indicator"),),
    refs=(("site_id", "sites"), ("reference_site_id", "sites")),  # dates in order: monitoring.target_checks
    fields=(
        F("site_id", "str", required=True, zh="场地编号"),
        F("indicator", "str", required=True, zh="监测指标"),
        F("unit", "str", required=True, zh="单位"),
        F("direction", "enum", required=True, choices=enum_values(Direction), zh="目标方向"),
        F("baseline", "float", required=True, zh="基线值"),
        F("target", "float", required=True, zh="目标值"),
        F("baseline_date", "date", zh="基线日期"),
        F("target_date", "date", zh="目标日期"),
        F("planned_trajectory", "json", zh="计划轨迹"),
        F("reference_site_id", "str", zh="参照场地编号"),
    ),
)

# Restoration effect evaluations (修复效果评估): one record per evaluation of a case, with each
# indicator's verdict and evidence as JSON. Zonal raster means (e.g. NDVI) are not a layer of
# their own: they go into monitoring_series with source "raster:<indicator>" (ingest_raster
EFFECT_EVALUATIONS = LayerSpec(
    "effect_evaluations", key="evaluation_id", refs=(("case_id", "cases"),),
    fields=(
        F("evaluation_id", "str", required=True, zh="评估编号"),
        F("case_id", "str", required=True, zh="案件编号"),
        F("as_of", "date", required=True, zh="评估基准日"),
        F("verdict", "enum", required=True, choices=enum_values(Verdict), zh="总体结论"),
        F("n_indicators", "int", min=0, zh="评估指标数"),
        F("n_passed", "int", min=0, zh="达标指标数"),
        F("n_failed", "int", min=0, zh="未达标指标数"),
        F("indicators", "json", zh="分指标结论及依据"),
        F("parameters", "json", zh="评估参数"),
        F("software_version", "str", zh="软件版本"),
        F("actor", "str", zh="评估人"),
        F("evaluated_at", "datetime", required=True, zh="评估时间"),
    ),
)


MONITORING_LAYERS = ("effect_evaluations",)

# Spectral recovery assessments: the recovery metrics of one site and index, with the
# annual series, the target and a per-pixel map of one metric, stored with the case.
RECOVERY_ASSESSMENTS = LayerSpec(
    "recovery_assessments", key="assessment_id",
    refs=(("case_id", "cases"), ("site_id", "sites")),
    fields=(
        F("assessment_id", "str", required=True, zh="评估编号"),
        F("case_id", "str", zh="案件编号"),
        F("site_id", "str", required=True, zh="场地编号"),
        F("indicator", "str", required=True, zh="指标"),
        F("disturbance_year", "int", required=True, zh="受损年份"),
        F("restoration_year", "int", required=True, zh="修复开始年份"),
        F("target_kind", "str", required=True, zh="目标类型"),  # historic | reference_site
        F("reference_years", "json", zh="参照年份"),
        F("reference_site_id", "str", zh="参照场地"),
        F("target", "float", zh="恢复目标值"),
        F("percent_of_target", "float", zh="目标百分比"),
        F("timestep", "int", zh="评估年限"),
        F("series", "json", zh="年度序列"),  # [{year, value, n}]
        F("metrics", "json", zh="恢复指标"),  # {Y2R, R80P, RRI, YrYr, dIR, recovered, timestep_used}
        F("pixel_map", "json", zh="逐像元指标图"),  # {metric, values, bounds (lon/lat), crs, summary}
        F("parameters", "json", zh="参数"),
        F("software_version", "str", zh="软件版本"),
        F("actor", "str", zh="评估人"),
        F("assessed_at", "datetime", required=True, zh="评估时间"),
    ),
)

# Disturbance dating of one site and index from annual composites (monitoring.breaks): the year
# of the largest loss, its size, the level before and the recovery after, with the annual series.
SITE_BREAKS = LayerSpec(
    "site_breaks", key="break_id",
    refs=(("case_id", "cases"), ("site_id", "sites")),
    fields=(
        F("break_id", "str", required=True, zh="识别编号"),  # <site_id>:<indicator>
        F("case_id", "str", zh="案件编号"),
        F("site_id", "str", required=True, zh="场地编号"),
        F("indicator", "str", required=True, zh="指标"),
        F("break_year", "int", zh="扰动年份"),
        F("magnitude", "float", zh="扰动幅度"),
        F("uncertainty_years", "float", zh="年份不确定度"),
        F("pre_level", "float", zh="扰动前水平"),
        F("post_level", "float", zh="扰动后水平"),
        F("recovery_slope", "float", zh="恢复速率"),
        F("n_years", "int", zh="有效年数"),
        F("disturbed_share", "float", zh="扰动像元比例"),
        F("series", "json", zh="年度序列"),  # [{year, value}]
        F("parameters", "json", zh="参数"),
        F("sources", "json", zh="影像来源"),
        F("software_version", "str", zh="软件版本"),
        F("actor", "str", zh="计算人"),
        F("computed_at", "datetime", required=True, zh="计算时间"),
    ),
)

# A restoration site's recovery against matched control pixels (monitoring.controls).
CONTROL_COMPARISONS = LayerSpec(
    "control_comparisons", key="comparison_id",
    refs=(("case_id", "cases"), ("site_id", "sites")),
    fields=(
        F("comparison_id", "str", required=True, zh="对照比较编号"),  # <site_id>:<indicator>
        F("case_id", "str", zh="案件编号"),
        F("site_id", "str", required=True, zh="场地编号"),
        F("indicator", "str", required=True, zh="指标"),
        F("disturbance_year", "int", required=True, zh="受损年份"),
        F("verdict", "str", required=True, zh="结论"),  # behind_controls | as_controls | above_controls
        F("relative_recovery", "float", zh="相对恢复度"),
        F("effect", "float", zh="相对对照的差异"),
        F("result", "json", zh="比较结果"),  # ControlComparison.to_dict()
        F("software_version", "str", zh="软件版本"),
        F("actor", "str", zh="计算人"),
        F("computed_at", "datetime", required=True, zh="计算时间"),
    ),
)

# Where each raster series' files are (written by ``monitoring.ingest_raster``, read by
# ``monitoring.overlay``), so maps can show the imagery under the sites without opening files.
RASTER_SOURCES = LayerSpec(
    "raster_sources", key="source",
    fields=(
        F("source", "str", required=True, zh="来源标识"),  # the monitoring_series source, e.g. raster:ndvi
        F("indicator", "str", required=True, zh="指标"),
        F("location", "str", required=True, max_len=10_000_000, zh="文件位置"),  # pattern, file or JSON list of files
        F("options", "json", zh="读取参数"),  # open_cube keyword arguments (date_pattern, variable ...)
        F("n_dates", "int", min=0, zh="影像期数"),
        F("first_date", "date", zh="最早日期"),
        F("last_date", "date", zh="最近日期"),
        F("crs", "str", zh="坐标系"),
        F("method", "str", zh="分区统计规则"),
        F("ingested_at", "datetime", required=True, zh="入库时间"),
    ),
)

# A large raster ingest planned as tiles × periods (monitoring.runs): one row per run and one per
# task, each task's values written in the same transaction as its state, so a run can resume.
RASTER_RUNS = LayerSpec(
    "raster_runs", key="run_id",
    fields=(
        F("run_id", "str", required=True, zh="运行编号"),
        F("source", "str", required=True, zh="来源标识"),  # the monitoring_series source label
        F("indicator", "str", required=True, zh="指标"),
        F("location", "str", required=True, max_len=10_000_000, zh="文件位置"),
        F("options", "json", zh="读取参数"),  # method, min_valid, period, open_cube options
        F("sites_key", "str", required=True, zh="场地版本"),  # SHA-256 of the sites' ids and geometries
        F("state", "str", required=True, zh="状态"),  # planned | running | done | failed
        F("n_tasks", "int", min=0, zh="任务数"),
        F("tasks_done", "int", min=0, zh="已完成任务"),
        F("rows_written", "int", min=0, zh="写入行数"),
        F("bytes_read", "int", min=0, zh="读取字节"),
        F("bytes_used", "int", min=0, zh="使用字节"),
        F("read_amplification", "float", min=0.0, zh="读放大"),
        F("scheduler", "str", zh="调度器"),
        F("error", "str", max_len=100_000, zh="错误"),
        F("actor", "str", zh="操作人"),
        F("created_at", "datetime", required=True, zh="创建时间"),
        F("updated_at", "datetime", zh="更新时间"),
    ),
)

RASTER_RUN_TASKS = LayerSpec(
    "raster_run_tasks", key="task_id", refs=(("run_id", "raster_runs"),),
    fields=(
        F("task_id", "str", required=True, zh="任务编号"),  # <run_id>:<tile>:<period>
        F("run_id", "str", required=True, zh="运行编号"),
        F("tile", "int", required=True, min=0, zh="图块"),
        F("period", "int", required=True, min=0, zh="时段"),
        F("state", "str", required=True, zh="状态"),  # pending | done | failed
        F("attempts", "int", min=0, zh="尝试次数"),
        F("n_sites", "int", min=0, zh="场地数"),
        F("rows_written", "int", min=0, zh="写入行数"),
        F("bytes_read", "int", min=0, zh="读取字节"),
        F("bytes_used", "int", min=0, zh="使用字节"),
        F("error", "str", max_len=100_000, zh="错误"),
        F("finished_at", "datetime", zh="完成时间"),
    ),
)
