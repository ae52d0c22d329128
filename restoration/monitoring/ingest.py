"""Raster ingestion: a raster time series → zonal means of every site → ``monitoring_series``.

Each (site, date) with at least one valid pixel becomes one row: ``indicator`` (e.g. ``ndvi``),
``value`` = the zonal mean, ``unit`` from the indicator registry, ``source`` =
``raster:<indicator>`` unless given, and ``qc_flag``:

* ``ok``;
* ``cloudy`` — fewer than ``min_valid_fraction`` of the site's pixels were valid that date
  (kept in the store, left out of progress and evaluation);
* ``subpixel`` — the site is smaller than one pixel; ``partial`` — part of it is off the raster.

Sites entirely outside the raster get no rows and are listed in the report. An ingest that
would store no value at all (a raster of nodata or infinities, one far from every site) is
refused before anything is written, so the series' raster source keeps pointing at the raster
it had. Re-ingesting the same dates replaces the earlier values (audited). Everything is
written in one transaction.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
import shapely.ops
import xarray as xr
from rasterio.transform import array_bounds

from .. import config, model
from .. import geometry as geo
from ..errors import InputError, Issue
from ..store import Store, Transaction
from ..validate import validate_frame
from .cube import grid_of, open_cube
from .indicators import get_indicator
from .pixelcache import keep_new_blocks, keep_pixel_map, kept_path, kept_pixel_map
from .tiles import map_on_workers
from .series import refuse_existing, write_series, writing
from .zonal import zonal_timeseries


@dataclass
class RasterIngestReport:
    indicator: str
    source: str
    dates: int
    sites: int
    rows: int
    replaced: int = 0
    outside: list[str] = field(default_factory=list)
    flagged: dict[str, int] = field(default_factory=dict)
    #: True when the pixel map kept for this grid and these sites was reused (not rebuilt)
    pixel_map_reused: bool = False

    def summary(self) -> str:
        flags = ", ".join(f"{k} {v}" for k, v in sorted(self.flagged.items())) or "none"
        out = (f"{self.rows} values ({self.indicator}, source {self.source}) for {self.sites} sites "
               f"on {self.dates} dates; replaced {self.replaced}; flagged: {flags}")
        if self.outside:
            out += f"; outside the raster: {', '.join(self.outside[:10])}" + (" ..." if len(self.outside) > 10 else "")
        return out


def _location(source: Any) -> str:
    if isinstance(source, (list, tuple)):
        return json.dumps([str(Path(p).expanduser().resolve()) for p in source], ensure_ascii=False)
    return str(Path(str(source)).expanduser().resolve())


def _display_name(source: Any, cube: xr.DataArray) -> str:
    """How messages name the input: the one file a pattern matched, else the pattern or file name."""
    if isinstance(source, xr.DataArray):
        return str(cube.name or "cube")
    files = {str(s).rsplit(":", 1)[0] for s in cube.attrs.get("sources") or ()}
    return files.pop() if len(files) == 1 else Path(str(source)).name


def register_source(tx: Transaction, label: str, indicator: str, source: Any, cube: xr.DataArray, *,
                    method: str, options: dict) -> None:
    """Record where the raster series ``label`` lives (layer ``raster_sources``) and how it was
    read, so maps can show it later; replaced on re-ingestion. Skipped on a store without
    that layer."""
    if "raster_sources" not in model.LAYERS or not tx.has_layer("raster_sources"):
        return
    times = pd.DatetimeIndex(cube["time"].values)
    crs = cube.rio.crs
    record = {"source": label, "indicator": indicator, "location": _location(source),
              "options": {k: v for k, v in options.items() if isinstance(v, (str, int, float, bool))},
              "n_dates": len(times), "first_date": times.min().strftime("%Y-%m-%d"),
              "last_date": times.max().strftime("%Y-%m-%d"),
              "crs": crs.to_string() if crs is not None else None, "method": method,
              "ingested_at": config.now_utc()}
    known = tx.keys("raster_sources")
    if label in known:
        tx.update("raster_sources", label, {k: v for k, v in record.items() if k != "source"},
                  action="re-register raster source")
    else:
        clean = validate_frame("raster_sources", pd.DataFrame([record]), source="raster_sources").frame
        tx.insert("raster_sources", clean, action="register raster source")


def check_cube_options(options: dict) -> None:
    """Refuse unusable reading options before any file is opened: a ``date_pattern`` that is not a
    regular expression is an InputError naming ``--date-pattern``, not a traceback."""
    import re

    pattern = options.get("date_pattern")
    if pattern is not None and not isinstance(pattern, re.Pattern):
        try:
            re.compile(str(pattern))
        except (re.error, RecursionError, OverflowError) as exc:
            raise InputError(Issue(f"'{pattern}' is not a valid regular expression ({exc}); use named groups, "
                                   r"e.g. 'ndvi_(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})'",
                                   field="--date-pattern")) from None


def refuse_nothing_stored(cube: xr.DataArray, table: pd.DataFrame, sites: pd.DataFrame, name: str,
                          label: str) -> None:
    """Refuse an ingest that would store no value, before anything (values or the series' raster
    source ``label``, which maps show) is written, saying why: no dates or pixels; no sites; no
    finite pixel at all (all nodata, NaN or infinite); a raster that covers none of the sites
    (often a wrong CRS); or sites covered only by invalid pixels. Kept small so other ingest
    paths (multi-band, STAC) can call it too."""
    if len(table):
        return
    kept = f": nothing was stored and the raster source '{label}' was left as it was"
    if cube.size == 0 or int(cube.sizes.get("time", 1)) == 0:
        raise InputError(Issue("the raster holds no pixels or no dates" + kept, source=name))
    if sites.empty:
        raise InputError(Issue("the store has no sites to compute values for; import the sites first" + kept,
                               source=name))
    finite = np.isfinite(cube).any()
    if not bool(finite.compute() if hasattr(finite.data, "compute") else finite):
        raise InputError(Issue("every pixel of the raster is nodata, NaN or infinite" + kept,
                               source=name))
    where = _footprint(cube, sites)
    if where is not None:
        raise InputError(Issue(where + kept, source=name))
    raise InputError(Issue(f"none of the {len(sites)} sites has a valid pixel on any date (nodata, NaN or "
                           "infinite over every site)" + kept, source=name))


def _footprint(cube: xr.DataArray, sites: pd.DataFrame) -> str | None:
    """'The raster covers none of the sites …' with its extent and the distance to the nearest
    site, when it covers none of them; None otherwise (or when that cannot be told)."""
    try:
        transform, crs, (ny, nx) = grid_of(cube)
        box = shapely.box(*array_bounds(ny, nx, transform))
        extent = gpd.GeoSeries([box], crs=crs).to_crs(geo.STORE_CRS)
    except Exception:  # noqa: BLE001 - an extent that cannot be projected: say the general reason
        return None
    shapes = gpd.GeoSeries(sites.geometry.values, crs=geo.STORE_CRS)
    if shapes.intersects(extent.iloc[0]).any():
        return None
    hull = shapely.GeometryCollection(list(shapes.values)).convex_hull
    a, b = shapely.ops.nearest_points(extent.iloc[0], hull)
    km = pyproj.Geod(ellps="WGS84").inv(a.x, a.y, b.x, b.y)[2] / 1000.0
    w, s, e, n = extent.total_bounds
    return (f"the raster (longitude {w:.3f}..{e:.3f}, latitude {s:.3f}..{n:.3f}) covers none of the "
            f"{len(sites)} sites, which lie about {km:,.0f} km away (is its CRS right, or is it of another region?)")


def _qc(valid_fraction: np.ndarray, site_flags: pd.Series, min_valid: float) -> np.ndarray:
    parts = []
    cloudy = np.where(valid_fraction < min_valid, "cloudy", "")
    parts.append(cloudy)
    for name in ("subpixel", "partial"):
        parts.append(np.where(site_flags.str.contains(name, regex=False).to_numpy(), name, ""))
    joined = [";".join(p for p in row if p) or "ok" for row in zip(*parts)]
    return np.asarray(joined, dtype=object)


def ingest_raster(store: Store | Transaction, source: Any, *, indicator: str = "ndvi",
                  label: str | None = None, method: str = "center", site_ids: Sequence[str] | None = None,
                  min_valid_fraction: float = 0.5, replace: bool = True, actor: str = "cli",
                  progress: bool = False, pixel_maps: str | Path | None = None,
                  **cube_options) -> RasterIngestReport:
    """Zonal means of ``source`` (anything :func:`open_cube` reads, or a cube) for the store's
    sites (or ``site_ids``) into ``monitoring_series``; see the module docstring. With
    ``pixel_maps`` (a folder) the pixel map is kept there and reused by later ingests on the same
    grid while the sites are unchanged (:func:`~restoration.monitoring.pixelcache.kept_pixel_map`)."""
    ind = get_indicator(indicator)
    label = label or f"raster:{ind.code}"
    check_cube_options(cube_options)
    cube = source if isinstance(source, xr.DataArray) else open_cube(source, **cube_options)
    name = _display_name(source, cube)
    sites = store.read("sites")
    if site_ids is not None:
        wanted = list(site_ids)
        unknown = sorted(set(wanted) - set(sites["site_id"]))
        if unknown:
            raise InputError(Issue(f"unknown site id(s): {', '.join(unknown[:20])}", source="sites"))
        sites = sites[sites["site_id"].isin(wanted)]
    weights, reused = None, False
    if pixel_maps is not None:
        weights, built = kept_pixel_map(cube, sites[["site_id", "geometry"]], method, pixel_maps, keep=False)
        reused = not built
    else:
        weights = map_on_workers(cube, sites[["site_id", "geometry"]], method)
    table = zonal_timeseries(cube, sites[["site_id", "geometry"]], ("mean", "count", "valid_fraction"),
                             method, progress=progress, weights=weights)
    outside = sorted(set(table.loc[table["flag"].str.contains("outside|empty"), "site_id"]))
    table = table[table["mean"].notna()].reset_index(drop=True)
    refuse_nothing_stored(cube, table, sites, name, label)
    bad = (table["mean"] < ind.low) | (table["mean"] > ind.high)
    if bad.any():
        first = table[bad].iloc[0]
        raise InputError(Issue(
            f"{int(bad.sum())} zonal means are outside the plausible range {ind.low:g}..{ind.high:g} of "
            f"{ind.code} (e.g. site {first.site_id} on {pd.Timestamp(first.time).date()}: "
            f"{first['mean']:g}); is the raster's scale factor set?", source=name))
    qc = _qc(table["valid_fraction"].to_numpy(), table["flag"], min_valid_fraction)
    frame = pd.DataFrame({
        "site_id": table["site_id"].astype(str).to_numpy(), "indicator": ind.code,
        "time": pd.DatetimeIndex(table["time"]).strftime("%Y-%m-%dT%H:%M:%S"),
        "value": table["mean"].astype(float).to_numpy(), "unit": ind.unit, "source": label,
        "qc_flag": qc})
    clean = validate_frame("monitoring_series", frame, source=name).frame
    with writing(store, actor, site_ids=clean["site_id"].unique()) as tx:
        if not replace:
            issues = refuse_existing(tx, clean, list(range(1, len(clean) + 1)), name, "value")
            if issues:
                raise InputError(issues)
        rows, replaced = write_series(tx, clean, replace=replace, action=f"ingest raster {name}",
                                      progress=progress)
        if not isinstance(source, xr.DataArray):
            register_source(tx, label, ind.code, source, cube, method=method, options=cube_options)
    if pixel_maps is not None:  # kept only once the ingest is stored, with the block weights it built
        where = kept_path(cube, sites[["site_id", "geometry"]], method, pixel_maps)
        if reused:
            keep_new_blocks(weights, where)
        else:
            keep_pixel_map(weights, where)
    flagged = pd.Series([f for q in qc for f in q.split(";") if f != "ok"]).value_counts().to_dict()
    return RasterIngestReport(ind.code, label, int(cube.sizes["time"]), int(clean["site_id"].nunique()),
                              rows, replaced, outside, {str(k): int(v) for k, v in flagged.items()}, reused)
