"""``restoration monitor …``: raster and table ingestion, zonal statistics, progress, alerts and
restoration effect evaluation (修复效果评估). See docs/monitoring.md."""
from __future__ import annotations


import click
import pandas as pd

from . import _context, _words
from ._cluster import on_scheduler
from .clues import clues_cmd
from .monitor_breaks import breaks_cmd, controls_cmd, parse_months
from .monitor_runs import runs_cmd
from .types import Number, OutputFile


def _store():
    from . import _context
    return _context.store()


def _date(value: str | None, name: str):
    if value is None:
        return None
    try:
        return pd.Timestamp(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date (use YYYY-MM-DD)", param_hint=name) from None


def _print_table(frame: pd.DataFrame, columns: list[str]) -> None:
    if frame.empty:
        click.echo("（无 none）")
        return
    with pd.option_context("display.width", 200, "display.max_columns", 30, "display.max_colwidth", 60):
        click.echo(frame[columns].to_string(index=False, float_format=lambda v: f"{v:.3g}"))


def _export(frame: pd.DataFrame, out: str, layer: str) -> None:
    from ..exports import export_frame
    path = export_frame(frame, out, layer, field="--out")
    click.echo(f"已导出 exported {len(frame)} rows to {path}")


@click.group("monitor")
def monitor_group() -> None:
    """监测 Monitoring: rasters and field tables in, progress, alerts, effect evaluation."""


monitor_group.add_command(breaks_cmd)
monitor_group.add_command(controls_cmd)
monitor_group.add_command(runs_cmd)
monitor_group.add_command(clues_cmd)


@monitor_group.command("ingest-raster")
@click.argument("files", nargs=-1)
@click.option("--indicator", default="ndvi", show_default=True, help="Indicator code of single-band raster values.")
@click.option("--bands", default=None,
              help="Scene band names in order, e.g. blue,green,red,nir,swir16,swir22,qa_pixel (multi-band scenes).")
@click.option("--index", "indices", default=None,
              help="Spectral indices computed from the bands, each stored as its own indicator: NDVI,NBR,EVI,SAVI,NDMI,NDWI.")
@click.option("--stac", default=None, help="A STAC catalogue, collection or item collection (file or URL) instead of FILES.")
@click.option("--sensor", type=click.Choice(["auto", "landsat-c2l2", "sentinel2-l2a", "file"]), default=None,
              help="Scale/offset convention of the scenes (default auto: recognised from product names).")
@click.option("--mask", default=None,
              help="Drop these quality classes before statistics: cloud,shadow,snow[,water] (needs qa_pixel or scl).")
@click.option("--source", "label", default=None, help="Source label stored with each value (default raster:<indicator>).")
@click.option("--method", type=click.Choice(["center", "coverage"]), default="center", show_default=True,
              help="Pixels whose centre is inside (rasterstats) or weighted by coverage (exactextract).")
@click.option("--site", "sites", multiple=True, help="Only these site ids (repeatable).")
@click.option("--case", "case_id", default=None, help="Only the sites of this case.")
@click.option("--min-valid", default=0.5, show_default=True, type=Number(0, 1),
              help="Below this share of valid pixels a value is flagged cloudy.")
@click.option("--date-pattern", default=None, help="Regex with year/month/day groups for dates in file names.")
@click.option("--variable", default=None, help="NetCDF/Zarr variable.")
@click.option("--cloud-mask", default=None, help="Mask rasters (pattern) or NetCDF/Zarr mask variable.")
@click.option("--no-replace", is_flag=True, help="Refuse values already stored instead of replacing them.")
@click.option("--run", "as_run", is_flag=True,
              help="Plan the ingest as a resumable run of tiles x periods recorded in the store (large regions).")
@click.option("--period", default=12, show_default=True, type=click.IntRange(1, 10_000),
              help="With --run: dates per task.")
@click.option("--resume", "resume", default=None, metavar="RUN_ID",
              help="Continue this run (`monitor runs` lists them): only its unfinished tasks.")
@on_scheduler
def ingest_raster_cmd(files, indicator, bands, indices, stac, sensor, mask, label, method, sites, case_id, min_valid,
                      date_pattern, variable, cloud_mask, no_replace, as_run, period, resume) -> None:
    """Zonal means of rasters FILES (patterns, folders or files: GeoTIFFs, NetCDF, Zarr) for every site
    → monitoring_series. With --bands/--index/--stac: multi-band scenes, spectral indices, quality masks."""
    if resume is not None or as_run:
        from .monitor_runs import ingest_as_run
        ingest_as_run(files, resume=resume, indicator=indicator, label=label, method=method, sites=sites,
                      case_id=case_id, min_valid=min_valid, period=period, no_replace=no_replace,
                      scene_mode=any(v is not None for v in (bands, indices, stac, sensor, mask)),
                      options={k: v for k, v in {"date_pattern": date_pattern, "variable": variable,
                                                 "cloud_mask": cloud_mask}.items() if v is not None})
        return
    if stac is not None and files:
        raise click.UsageError("give FILES or --stac CATALOG, not both")
    if stac is None and not files:
        raise click.UsageError("give the raster FILES (or --stac CATALOG)")
    store = _store()
    named = list(sites)  # sites named with --site must lie in the scenes; a case's others are listed
    if case_id is not None:
        store.get("cases", case_id)  # an unknown case is named (exit 2)
        of_case = store.read("sites", case_id=case_id)["site_id"].tolist()
        if not of_case:
            raise click.BadParameter(f"case {case_id} has no sites", param_hint="--case")
        sites = tuple(sites) + tuple(s for s in of_case if s not in sites)
    scene_mode = any(v is not None for v in (bands, indices, stac, sensor, mask))
    if scene_mode:
        from ..monitoring.scene_ingest import ingest_scenes
        source = None if stac is not None else (files[0] if len(files) == 1 else list(files))
        report = ingest_scenes(store, source, stac=stac, bands=bands, indices=indices or "NDVI",
                               sensor=sensor or "auto", mask=mask, method=method, site_ids=list(sites) or None,
                               min_valid_fraction=min_valid, date_pattern=date_pattern,
                               replace=not no_replace, actor=_context.actor(), progress=True, required_sites=named)
        click.echo(f"已入库 stored {report.summary()}")
        return
    from ..monitoring.ingest import ingest_raster
    options = {k: v for k, v in {"date_pattern": date_pattern, "variable": variable,
                                 "cloud_mask": cloud_mask}.items() if v is not None}
    report = ingest_raster(store, files[0] if len(files) == 1 else list(files), indicator=indicator,
                           label=label, method=method, site_ids=list(sites) or None, min_valid_fraction=min_valid,
                           replace=not no_replace, actor=_context.actor(), progress=True,
                           pixel_maps=_context.data_dir() / "pixelmaps", **options)
    click.echo(f"已入库 stored {report.summary()}")


def _year_range(value: str | None, name: str):
    if value is None:
        return None
    import re
    m = re.fullmatch(r"\s*(\d{4})\s*(?:[-:~]\s*(\d{4}))?\s*", value)
    if not m:
        raise click.BadParameter(f"'{value}' is not a year range (use A-B, e.g. 2003-2005)", param_hint=name)
    a, b = int(m.group(1)), int(m.group(2) or m.group(1))
    if a > b:
        raise click.BadParameter(f"'{value}': the first year is after the last", param_hint=name)
    return a, b


@monitor_group.command("recovery")
@click.argument("site_id")
@click.option("--disturbance-year", required=True, type=click.IntRange(1900, 2200), help="Year of the damage (e.g. the fire).")
@click.option("--restoration-year", required=True, type=click.IntRange(1900, 2200), help="Year restoration started.")
@click.option("--reference-years", default=None, help="Pre-disturbance years of the historic target, A-B (e.g. 2003-2005).")
@click.option("--reference-site", default=None, help="Target from this reference site's series over --reference-years.")
@click.option("--index", "indicator", default="nbr", show_default=True, help="Index (indicator) to assess: nbr, ndvi ...")
@click.option("--timestep", default=5, show_default=True, type=click.IntRange(1, 50), help="Years after restoration start.")
@click.option("--percent", default=80.0, show_default=True, type=Number(1, 100), help="Share of the target for Y2R/R80P.")
@click.option("--months", default=None, help="Seasonal composite: only these months, e.g. 6,7,8.")
@click.option("--map-metric", default="R80P", show_default=True,
              type=click.Choice(["Y2R", "R80P", "RRI", "YrYr", "dIR"]), help="Metric of the per-pixel map.")
@click.option("--source", default=None, help="Only values of this source (e.g. scenes:nbr); default all usable values.")
@click.option("--no-save", is_flag=True, help="Do not store the assessment with the case.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@on_scheduler
def recovery_cmd(site_id, disturbance_year, restoration_year, reference_years, reference_site, indicator, timestep,
                 percent, months, map_metric, source, no_save, as_json) -> None:
    """Spectral recovery metrics of SITE_ID (Y2R, R80P, RRI, YrYr, ΔIR; Frazier et al. 2018)."""
    from ..monitoring.assessment import assess_recovery
    from ..monitoring.recovery import MEANINGS, METRICS
    month_list = parse_months(months)
    result = assess_recovery(_store(), site_id, indicator=indicator.lower(), disturbance_year=disturbance_year,
                             restoration_year=restoration_year,
                             reference_years=_year_range(reference_years, "--reference-years"),
                             reference_site_id=reference_site, timestep=timestep, percent_of_target=percent,
                             months=month_list, pixel_metric=map_metric, source=source, save=not no_save,
                             actor=_context.actor())
    if as_json:
        _context.echo_json(result.to_dict())
        return
    click.echo(f"{site_id} {indicator.upper()} 植被光谱恢复 spectral recovery: disturbance {disturbance_year}, "
               f"restoration {restoration_year}, target {result.target:.4g} ({result.target_kind})"
               + (f", saved as {result.assessment_id}" if result.assessment_id else ""))
    for k in METRICS:
        v = result.metrics[k]
        shown = ("未达到 not reached" if k == "Y2R" and v is None else "—" if v is None else f"{v:.4g}")
        click.echo(f"  {k:5s} {shown:>16s}  {MEANINGS[k][0]}")
    for n in result.notes:
        click.echo(f"  注 note: {n}")


@monitor_group.command("ingest-table")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--source", default=None, help="Source label where the file has no 'source' column (default field).")
@click.option("--replace", is_flag=True, help="Overwrite values already stored for the same site, indicator, time, source.")
@click.option("--map", "map_text", default=None,
              help="Name the file's columns: field=column,... e.g. --map site_id=点位,cod=化学需氧量.")
@click.option("--map-file", default=None, type=click.Path(dir_okay=False), help="Mapping file {field: column}.")
@click.option("--check", is_flag=True, help="Validate every row (against the store too) and write nothing.")
def ingest_table_cmd(file, source, replace, map_text, map_file, check) -> None:
    """Import a field/sensor table (CSV or Excel, long or wide) → monitoring_series, all rows or none."""
    from ..columns import combine
    from ..monitoring.tables import ingest_table
    report = ingest_table(_store(), file, source=source, replace=replace, actor=_context.actor(), progress=True,
                          mapping=combine(map_text, map_file), check=check)
    for note in report.notes:
        click.echo(f"  {note}")
    if check:
        click.echo(f"已检查 checked (nothing written): {report.summary()}")
    else:
        click.echo(f"已导入 imported {report.summary()}")


@monitor_group.command("zonal")
@click.argument("pattern")
@click.option("--out", required=True, type=OutputFile(), help="Output .csv or .xlsx.")
@click.option("--stats", default="mean,count,valid_fraction", show_default=True,
              help="Comma-separated: mean, median, min, max, std, count, valid_fraction.")
@click.option("--method", type=click.Choice(["center", "coverage"]), default="center", show_default=True)
@click.option("--sites", "sites_file", default=None, type=click.Path(dir_okay=False),
              help="Polygons file (default: the store's sites).")
@on_scheduler
def zonal_cmd(pattern, out, stats, method, sites_file) -> None:
    """Zonal statistics of rasters PATTERN per site and date, written to a file (store unchanged)."""
    from ..io import read_input
    from ..monitoring import open_cube, zonal_timeseries
    sites = read_input(sites_file) if sites_file else _store().read("sites")
    cube = open_cube(pattern)
    table = zonal_timeseries(cube, sites, tuple(s.strip() for s in stats.split(",") if s.strip()),
                             method, progress=True)
    table["time"] = table["time"].dt.strftime("%Y-%m-%d")
    _export(table, out, "zonal")


@monitor_group.command("progress")
@click.option("--case", "case_id", default=None, help="Only this case.")
@click.option("--today", default=None, help="Evaluate as of this date (default today).")
@click.option("--window-days", default=90, show_default=True, type=click.IntRange(1, 36500), help="Days of observations averaged as 'current'.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--out", default=None, type=OutputFile(), help="Also write .csv or .xlsx.")
def progress_cmd(case_id, today, window_days, as_json, out) -> None:
    """Restoration progress against plan per site and indicator, with status."""
    from ..monitoring.progress import progress_table
    table = progress_table(_store(), case_id, today=_date(today or _context.root_today(), "--today"),
                           window_days=window_days)
    if out:
        _export(table, out, "progress")
    if as_json:
        _context.echo_json(table)
        return
    shown = table.assign(progress=table["progress"].map(lambda v: "—" if pd.isna(v) else f"{v:.0%}"),
                         planned=table["planned_progress"].map(lambda v: "—" if pd.isna(v) else f"{v:.0%}"),
                         status=table["status_zh"] + " " + table["status_en"])
    _print_table(shown, ["case_id", "site_id", "indicator", "unit", "baseline", "target", "current", "progress",
                         "planned", "status"])


@monitor_group.command("alerts")
@click.option("--case", "case_id", default=None, help="Only this case.")
@click.option("--today", default=None, help="As of this date (default today).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def alerts_cmd(case_id, today, as_json) -> None:
    """Lagging and at-risk sites, missing or stale data, exceedances — most severe first."""
    from ..monitoring.progress import alerts
    table = alerts(_store(), case_id, today=_date(today or _context.root_today(), "--today"))
    if as_json:
        _context.echo_json(table)
        return
    _print_table(table, ["severity", "kind", "case_id", "message_zh"])


def _bank_releases(store, case_id: str, result, **rules) -> tuple[list[dict], list[dict]]:
    """The bank tranches (``target_met@N``) the case's monitoring earned, released by the same
    evaluation (:func:`restoration.bank.performance.release_for_case`), and the projects left for
    a user who may act on them (``project_id``, ``why``)."""
    from ..bank.performance import release_for_case
    from ..vocab import label
    done = release_for_case(store, case_id, as_of=result.as_of, actor=_context.actor(), **rules)
    released = [{"project_id": ev.project_id, "milestone": code, "milestone_zh": label("bank_milestone", code, "zh"),
                 "milestone_en": label("bank_milestone", code, "en"), "amount": ev.amounts[code], "unit": ev.unit}
                for ev in done.evaluated for code in ev.released]
    return released, [{"project_id": pid, "why": why} for pid, why in done.withheld]


_WITHHELD = {"role": ("您的角色无项目库登记权限", "your role may not act on the bank's registry"),
             "region": ("项目不在您的管辖区域内", "the project is outside your jurisdiction"),
             "assigned": ("项目未指定给您", "the project is not assigned to you")}


@monitor_group.command("evaluate")
@click.argument("case_id")
@click.option("--as-of", default=None, help="Evaluation date (default today).")
@click.option("--window-days", default=180, show_default=True, type=click.IntRange(1, 36500), help="Concentration samples of this many days count.")
@click.option("--n-last", default=12, show_default=True, type=click.IntRange(min=1), help="Vegetation: mean of the last N observations.")
@click.option("--min-samples", default=8, show_default=True, type=click.IntRange(min=1), help="HJ 25.5: statistical rule from this many samples.")
@click.option("--reference-share", default=None, type=Number(0, 1, min_open=True),
              help="Vegetation: pass at this share (0–1] of the reference site.")
@click.option("--out", default=None, type=OutputFile(), help="Export .xlsx, .json or .csv.")
@click.option("--no-save", is_flag=True, help="Do not store the evaluation with the case.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def evaluate_cmd(case_id, as_of, window_days, n_last, min_samples, reference_share, out, no_save, as_json) -> None:
    """Restoration effect evaluation (修复效果评估) of CASE_ID: pass/fail per indicator and verdict."""
    from ..monitoring.evaluation import evaluate_case
    store = _store()  # opened once for the evaluation, the bank's release and the controls
    result = evaluate_case(store, case_id, as_of=_date(as_of or _context.root_today(), "--as-of"),
                           window_days=window_days,
                           n_last=n_last, min_samples=min_samples, reference_share=reference_share,
                           save=not no_save, actor=_context.actor())
    released, withheld = ([], []) if no_save else _bank_releases(
        store, case_id, result, window_days=window_days, n_last=n_last, min_samples=min_samples,
        reference_share=reference_share)
    from ..monitoring.controls import controls_beside_targets
    controls = controls_beside_targets(store, case_id)  # the verdict against controls beside the targets
    if as_json:
        _context.echo_json({**result.to_dict(), "bank_releases": released, "bank_withheld": withheld,
                            "controls": controls})
    else:
        click.echo(f"{case_id} 修复效果评估 effect evaluation as of {result.as_of}: "
                   f"{result.verdict_zh} {result.verdict}"
                   + (f" (saved as {result.evaluation_id})" if result.evaluation_id else ""))
        _print_table(result.indicators, ["site_id", "indicator", "target", "unit", "result_zh", "message_zh"])
        for r in released:
            click.echo(f"项目库释放 bank release: {r['project_id']} {r['milestone_zh']} {r['milestone_en']} "
                       f"({r['amount']:g} {_words.unit(r['unit'])})")
        for w in withheld:
            zh, en = _WITHHELD.get(w["why"], (w["why"], w["why"]))
            click.echo(f"项目库未评估 bank project not evaluated: {w['project_id']}（{zh}，由有权限的用户评估时释放）"
                       f" ({en}; released when a user who may act on it evaluates it)")
        for c in controls:
            lo, hi = c["relative_interval"] or (None, None)
            interval = f" [{lo:.2f}, {hi:.2f}]" if lo is not None and hi is not None else ""
            rel = f"{c['relative_recovery']:.2f}{interval}" if c["relative_recovery"] is not None else "—"
            click.echo(f"  对照比较 controls {c['site_id']} {c['indicator'].upper()} (受损 {c['disturbance_year']} 年): "
                       f"{c['verdict_zh']} {c['verdict_en']}, 相对恢复度 relative recovery {rel}")
    if out:
        path = result.export(out)
        click.echo(f"已导出 exported {path}")
