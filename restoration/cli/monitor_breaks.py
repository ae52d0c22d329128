"""``restoration monitor breaks``: the disturbance dated in every pixel and site of annual
composites (satellite evidence). See docs/monitoring.md, "Disturbance dating"."""
from __future__ import annotations

import click
import pandas as pd

from . import _context
from ._cluster import on_scheduler
from .types import Number, OutputFile


def parse_months(text: str | None) -> list[int] | None:
    """``--months 6,7,8`` as a list of months (None when not given); exit 2 on anything else."""
    if not text:
        return None
    try:
        months = [int(m) for m in text.split(",") if m.strip()]
    except ValueError:
        raise click.BadParameter(f"'{text}' is not a list of months", param_hint="--months") from None
    if not months or any(not 1 <= m <= 12 for m in months):
        raise click.BadParameter(f"'{text}': months are 1..12", param_hint="--months")
    return months


def _composite(files, bands, index, sensor, mask, date_pattern, months):
    from ..monitoring.recovery import annual_composite
    from ..monitoring.scenes import index_cube, open_scenes, parse_mask
    if bands is not None:
        source = files[0] if len(files) == 1 else list(files)
        ds = open_scenes(source, bands=bands, sensor=sensor or "auto", date_pattern=date_pattern)
        cube = index_cube(ds, index, mask=parse_mask(mask))
        sources = list(ds.attrs.get("sources", []))
    else:
        if mask:
            raise click.UsageError("--mask needs scenes with a quality band: give --bands")
        from ..monitoring.cube import open_cube
        cube = open_cube(files[0] if len(files) == 1 else list(files),
                         **({"date_pattern": date_pattern} if date_pattern else {}))
        sources = list(cube.attrs.get("sources", []))
    return annual_composite(cube, months=months), sources


@click.command("breaks")
@click.argument("files", nargs=-1, required=True)
@click.option("--bands", default=None, help="Band names of multi-band scenes in order, e.g. blue,green,red,nir,swir16,"
              "swir22[,qa_pixel]; without it FILES are single-band index rasters.")
@click.option("--index", "index", default="NBR", show_default=True, help="Spectral index from the bands: NBR, NDVI, …")
@click.option("--sensor", type=click.Choice(["auto", "landsat-c2l2", "sentinel2-l2a", "file"]), default=None,
              help="Scale/offset convention of the scenes (default auto).")
@click.option("--mask", default=None, help="Drop these quality classes first: cloud,shadow,snow[,water].")
@click.option("--date-pattern", default=None, help="Regex with year/month/day groups for dates in file names.")
@click.option("--months", default=None, help="Seasonal composites: only these months, e.g. 6,7,8.")
@click.option("--alpha", default=0.05, show_default=True, type=Number(0.001, 0.49),
              help="Significance of a break (false-break rate on stable pixels).")
@click.option("--min-magnitude", default=None, type=Number(0, 10), help="Smallest loss kept [index units] (unset).")
@click.option("--direction", type=click.Choice(["loss", "gain"]), default="loss", show_default=True,
              help="loss: a disturbance lowers the index (NDVI, NBR); gain: it raises it.")
@click.option("--out", default=None, type=OutputFile(), help="Write the per-pixel breaks raster (GeoTIFF).")
@click.option("--site", "sites", multiple=True, help="Only these site ids (repeatable).")
@click.option("--case", "case_id", default=None, help="Only the sites of this case.")
@click.option("--no-save", is_flag=True, help="Do not store the sites' disturbance.")
@click.option("--json", "as_json", is_flag=True, help="Print the sites as JSON.")
@on_scheduler
def breaks_cmd(files, bands, index, sensor, mask, date_pattern, months, alpha, min_magnitude, direction, out,
               sites, case_id, no_save, as_json) -> None:
    """扰动识别 Date the largest disturbance in every pixel and every registered site of the
    annual composites built from FILES (scenes or index rasters): break year, magnitude, level
    before, recovery slope and uncertainty (LandTrendr-style segmentation)."""
    from ..monitoring.breaks import break_raster, compute_breaks, save_breaks, site_breaks, write_breaks
    from ..monitoring.segmentation import Parameters
    params = Parameters(alpha=alpha, min_magnitude=min_magnitude, direction=direction)
    store = _context.store()
    frame = store.read("sites")
    if case_id is not None:
        store.get("cases", case_id)  # an unknown case is named (exit 2)
        frame = frame[frame["case_id"] == case_id]
    if sites:
        unknown = sorted(set(sites) - set(frame["site_id"]))
        if unknown:
            raise click.BadParameter(f"unknown site(s): {', '.join(unknown)}", param_hint="--site")
        frame = frame[frame["site_id"].isin(sites)]
    composite, sources = _composite(files, bands, index, sensor, mask, date_pattern, parse_months(months))
    pixels = compute_breaks(break_raster(composite, params), progress=True)
    if out is not None:
        write_breaks(pixels, out)
    indicator = index.lower() if bands is not None else "raster"
    found = site_breaks(composite, frame, indicator, params, pixels=pixels) if len(frame) else []
    if not found and (sites or case_id):
        raise click.UsageError("the rasters cover none of the chosen sites; nothing stored")
    saved = 0 if no_save else save_breaks(store, found, params=params, sources=sources, actor=_context.actor())
    if as_json:
        _context.echo_json({"years": pixels.attrs["years"], "raster": str(out) if out else None,
                            "sites": [b.to_dict() for b in found], "stored": saved})
        return
    _echo(found, pixels, out, saved)


def _echo(found, pixels, out, saved) -> None:
    import numpy as np
    years = pixels.attrs["years"]
    share = float(np.isfinite(pixels["break_year"].values).mean()) if pixels["break_year"].size else 0.0
    click.echo(f"年度合成 annual composites {years[0]}–{years[-1]} ({len(years)} 年 years); "
               f"有扰动的像元 pixels with a break {share:.1%}" + (f"; 栅格 raster → {out}" if out else ""))
    for b in found:
        if b.break_year is None:
            click.echo(f"  {b.site_id}: 未识别到扰动 no disturbance found ({b.n_years} 年 valid years)")
        else:
            click.echo(f"  {b.site_id}: 扰动年份 break {b.break_year} ± {b.uncertainty_years:g} 年, "
                       f"幅度 magnitude {b.magnitude:.3f}, 扰动前 before {b.pre_level:.3f}, "
                       f"恢复速率 recovery {b.recovery_slope:+.4f}/年"
                       + (f", 扰动像元 {b.disturbed_share:.0%}" if b.disturbed_share is not None else ""))
    click.echo(f"已保存 stored {saved} 个场地 sites" if saved else "未保存 nothing stored")


def _grid_raster(path: str | None, like, name: str):
    """A single-band raster (land cover, DEM) on the composites' grid (nearest for classes)."""
    if path is None:
        return None
    import rioxarray
    from rasterio.enums import Resampling
    try:
        da = rioxarray.open_rasterio(path, masked=name == "--dem").squeeze("band", drop=True)
    except Exception as exc:  # noqa: BLE001 — any unreadable file is the user's input
        raise click.BadParameter(f"{path}: not a readable raster ({exc})", param_hint=name) from None
    if da.rio.crs is None:
        raise click.BadParameter(f"{path}: the raster has no CRS", param_hint=name)
    return da.rio.reproject_match(like, resampling=Resampling.nearest if name == "--landcover" else Resampling.bilinear)


def _ring(text: str) -> tuple[float, float]:
    import re
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*[-:~]\s*(\d+(?:\.\d+)?)\s*", text or "")
    if not m:
        raise click.BadParameter(f"'{text}' is not a distance band in metres (use A-B, e.g. 250-5000)",
                                 param_hint="--ring")
    return float(m.group(1)), float(m.group(2))


@click.command("controls")
@click.argument("site_id")
@click.argument("files", nargs=-1, required=True)
@click.option("--bands", default=None, help="Band names of multi-band scenes in order; without it FILES are "
              "single-band index rasters.")
@click.option("--index", "index", default="NBR", show_default=True, help="Spectral index from the bands.")
@click.option("--sensor", type=click.Choice(["auto", "landsat-c2l2", "sentinel2-l2a", "file"]), default=None)
@click.option("--mask", default=None, help="Drop these quality classes first: cloud,shadow,snow[,water].")
@click.option("--date-pattern", default=None, help="Regex with year/month/day groups for dates in file names.")
@click.option("--months", default=None, help="Seasonal composites: only these months, e.g. 6,7,8.")
@click.option("--disturbance-year", type=click.IntRange(1900, 2200), default=None,
              help="Year of the damage (default: the site's break stored by `monitor breaks`).")
@click.option("--ring", "ring_text", default="250-5000", show_default=True,
              help="Distance band of the controls from the site's edge, metres.")
@click.option("--n-controls", default=200, show_default=True, type=click.IntRange(10, 100_000))
@click.option("--post-years", default=3, show_default=True, type=click.IntRange(1, 50),
              help="The last years compared.")
@click.option("--landcover", default=None, help="Land-cover class raster: controls share the site's class.")
@click.option("--dem", default=None, help="Elevation raster [m]: elevation and slope are matched.")
@click.option("--no-save", is_flag=True, help="Do not store the comparison.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@on_scheduler
def controls_cmd(site_id, files, bands, index, sensor, mask, date_pattern, months, disturbance_year, ring_text,
                 n_controls, post_years, landcover, dem, no_save, as_json) -> None:
    """对照比较 SITE_ID's recovery against matched control pixels of the annual composites of
    FILES (outside every registered site and bank project, within --ring, matched on the
    pre-disturbance trajectory, land cover and terrain): difference in differences, relative
    recovery with a bootstrap interval, and the verdict."""
    from ..monitoring.breaks import stored_breaks
    from ..monitoring.controls import VERDICTS, compare_with_controls, save_comparison
    store = _context.store()
    ring = _ring(ring_text)
    site = store.get("sites", site_id)
    indicator = index.lower() if bands is not None else "raster"
    if disturbance_year is None:
        found = stored_breaks(store, site_id=site_id)
        found = found[(found["indicator"] == indicator) & found["break_year"].notna()] if len(found) else found
        if not len(found):
            raise click.UsageError(f"no stored break of {site_id} ({indicator}): give --disturbance-year or run "
                                   "`restoration monitor breaks` first")
        disturbance_year = int(found.iloc[0]["break_year"])
    composite, _ = _composite(files, bands, index, sensor, mask, date_pattern, parse_months(months))
    composite = composite.load()
    crs = composite.rio.crs
    sites = store.read("sites")
    others = [g for sid, g in zip(sites["site_id"], sites.to_crs(crs).geometry) if sid != site_id]
    bank = store.read("bank_projects")
    others += list(bank.to_crs(crs).geometry) if len(bank) else []
    geom = sites[sites["site_id"] == site_id].to_crs(crs).geometry.iloc[0]
    result = compare_with_controls(composite, geom, others, site_id=site_id, indicator=indicator,
                                   disturbance_year=disturbance_year, ring=ring, n_controls=n_controls,
                                   post_years=post_years, landcover=_grid_raster(landcover, composite, "--landcover"),
                                   dem=_grid_raster(dem, composite, "--dem"))
    case_id = site.get("case_id")
    case_id = None if case_id is None or pd.isna(case_id) else str(case_id)
    saved = None if no_save else save_comparison(store, result, case_id=case_id, actor=_context.actor())
    if as_json:
        _context.echo_json({**result.to_dict(), "stored": saved})
        return
    zh, en = VERDICTS[result.verdict]
    lo, hi = result.relative_interval
    click.echo(f"{site_id} {indicator.upper()} 对照比较 vs {result.n_controls} 个对照像元 controls "
               f"({result.ring_m[0]:g}–{result.ring_m[1]:g} m, 受损 {result.disturbance_year} 年): "
               f"相对恢复度 relative recovery {result.relative_recovery:.2f} [{lo:.2f}, {hi:.2f}] → {zh} {en}")
    click.echo(f"  场地变化 site change {result.site_change:+.3f}, 对照变化 controls {result.control_change:+.3f}, "
               f"差异 effect {result.effect:+.3f} [{result.effect_interval[0]:+.3f}, {result.effect_interval[1]:+.3f}]")
    for n in result.notes:
        click.echo(f"  注 note: {n}")
    click.echo(f"已保存 stored {saved}" if saved else "未保存 nothing stored")
