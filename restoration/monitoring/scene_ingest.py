"""Satellite scenes → spectral indices → zonal means of every site → ``monitoring_series``, one
indicator per index (``ndvi``, ``nbr`` ...), with the valid-pixel fraction of each site and date.

Everything is checked before anything is written (bands against ``bands=``, the QA band when
masking is asked for, each index's bands, sites against the scenes' footprint) and all indices
are written in one transaction: a bad input leaves the store untouched.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from ..errors import InputError, Issue
from ..store import Store, Transaction
from ..validate import validate_frame
from .indicators import get_indicator
from .indices import parse_indices
from .ingest import _qc, check_cube_options, register_source
from .scenes import index_cube, open_scenes, parse_bands, parse_mask
from .series import refuse_existing, write_series, writing
from .zonal import pixel_map, zonal_timeseries


@dataclass
class SceneIngestReport:
    indices: list[str]
    dates: int
    sites: int
    rows: dict[str, int]
    replaced: int = 0
    outside: list[str] = field(default_factory=list)
    flagged: dict[str, int] = field(default_factory=dict)
    mean_valid_fraction: float | None = None

    def summary(self) -> str:
        rows = ", ".join(f"{k} {v}" for k, v in self.rows.items())
        flags = ", ".join(f"{k} {v}" for k, v in sorted(self.flagged.items())) or "none"
        out = (f"{sum(self.rows.values())} values ({rows}) for {self.sites} sites on {self.dates} dates; "
               f"replaced {self.replaced}; flagged: {flags}")
        if self.mean_valid_fraction is not None:
            out += f"; mean valid-pixel fraction {self.mean_valid_fraction:.0%}"
        if self.outside:
            out += f"; outside every scene: {', '.join(self.outside[:10])}" + (" ..." if len(self.outside) > 10 else "")
        return out


def open_source(source: Any = None, *, stac: Any = None, bands=None, sensor: str = "auto",
                date_pattern: str | None = None, chunks: Any = "auto") -> xr.Dataset:
    """The band Dataset of scene files (``source``) or of a STAC catalogue (``stac``)."""
    if (source is None) == (stac is None):
        raise InputError(Issue("give scene files or a STAC catalogue (--stac), not both or neither",
                               field="source"))
    if stac is not None:
        from .stac import open_stac
        return open_stac(stac, bands, sensor=sensor, chunks=None if chunks == "auto" else chunks)
    return open_scenes(source, bands=bands, sensor=sensor, date_pattern=date_pattern, chunks=chunks)


def ingest_scenes(store: Store | Transaction, source: Any = None, *, stac: Any = None,
                  bands: str | Sequence[str] | None = None, indices: str | Sequence[str] = "NDVI",
                  sensor: str = "auto", mask: str | Sequence[str] | bool | None = None,
                  method: str = "center", site_ids: Sequence[str] | None = None,
                  min_valid_fraction: float = 0.5, date_pattern: str | None = None, replace: bool = True,
                  actor: str = "cli", progress: bool = False, chunks: Any = "auto",
                  required_sites: Sequence[str] | None = None) -> SceneIngestReport:
    """Compute each spectral index of the scenes and store its zonal mean per site and date.

    Parameters
    ----------
    store : Store or Transaction
    source : path, pattern, folder or list, optional
        Scene files (see :func:`.scenes.open_scenes`); or ``stac=`` a catalogue.
    bands : "blue,green,red,nir,swir16,swir22[,qa_pixel]", optional
        Band names (in order for multi-band files).
    indices : "NDVI,NBR" or list
        Spectral indices; each is stored as indicator ``ndvi``, ``nbr`` ...
    sensor : "auto", "landsat-c2l2", "sentinel2-l2a" or "file"
        Scale/offset convention.
    mask : "cloud,shadow,snow[,water]" or True, optional
        Quality classes dropped before statistics (needs ``qa_pixel`` or ``scl``).
    method, site_ids, min_valid_fraction, replace
        As :func:`.ingest.ingest_raster`; a value whose valid fraction is below
        ``min_valid_fraction`` is kept with qc flag ``cloudy``.
    required_sites : sequence of str, optional
        Sites that must lie in the scenes (default: ``site_ids``); other sites outside every
        scene are only listed in the report.

    Returns
    -------
    SceneIngestReport

    Raises
    ------
    InputError
        Bands that don't match ``bands``, a missing QA band when masking, an index needing a
        band the scenes lack, a STAC item without an asset, a requested site (or every site)
        outside every scene. Nothing is written then.
    """
    check_cube_options({"date_pattern": date_pattern})
    wanted = parse_bands(bands)
    idx_list = parse_indices(indices)
    mask_kinds = parse_mask(mask)
    ds = open_source(source, stac=stac, bands=wanted, sensor=sensor, date_pattern=date_pattern, chunks=chunks)
    label = str(source if source is not None else stac)
    cubes = {idx.indicator: index_cube(ds, idx, mask=mask_kinds, source=label) for idx in idx_list}
    for code in cubes:
        get_indicator(code)
    sites = _sites(store, site_ids)
    frames, outside = _index_rows(cubes, sites, method, min_valid_fraction, label, progress)
    _check_outside(outside, sites, ds, label, site_ids if required_sites is None else required_sites)
    frame = pd.concat(frames, ignore_index=True)
    if frame.empty:
        raise InputError(Issue("no site has a single valid pixel on any date: the scenes are empty, all "
                               "nodata, or every pixel is masked (check --mask and --sensor)", source=label))
    clean = validate_frame("monitoring_series", frame, source=label).frame
    options = {"kind": "stac" if stac is not None else "scenes", "bands": ",".join(wanted or list(ds.data_vars)),
               "sensor": sensor, "mask": ",".join(mask_kinds)}
    if date_pattern:
        options["date_pattern"] = date_pattern
    with writing(store, actor) as tx:
        if not replace:
            issues = refuse_existing(tx, clean, list(range(1, len(clean) + 1)), label, "value")
            if issues:
                raise InputError(issues)
        _, replaced = write_series(tx, clean, replace=replace, action=f"ingest scenes {label}", progress=progress)
        for code, cube in cubes.items():
            register_source(tx, f"scenes:{code}", code, source if source is not None else stac, cube,
                            method=method, options={**options, "index": code.upper()})
    return _report(idx_list, ds, clean, replaced, outside)


def _sites(store: Store | Transaction, site_ids: Sequence[str] | None) -> pd.DataFrame:
    """The sites to compute statistics for (all, or those named): id and shape."""
    sites = store.read("sites")
    if site_ids is not None:
        wanted_sites = list(site_ids)
        unknown = sorted(set(wanted_sites) - set(sites["site_id"]))
        if unknown:
            raise InputError(Issue(f"unknown site id(s): {', '.join(unknown[:20])}", source="sites", field="site"))
        sites = sites[sites["site_id"].isin(wanted_sites)]
    if sites.empty:
        raise InputError(Issue("the store has no sites to compute statistics for", source="sites"))
    return sites[["site_id", "geometry"]]


def _index_rows(cubes: dict[str, xr.DataArray], sites: pd.DataFrame, method: str, min_valid_fraction: float,
                label: str, progress: bool) -> tuple[list[pd.DataFrame], list[str]]:
    """Per index, the zonal mean of every site and date as monitoring-series rows (a mean
    outside the indicator's plausible range refuses the scenes), and the sites outside every
    scene."""
    pm = pixel_map(next(iter(cubes.values())), sites, method)
    frames, outside = [], []
    for code, cube in cubes.items():
        ind = get_indicator(code)
        table = zonal_timeseries(cube, sites, ("mean", "count", "valid_fraction"), method, weights=pm,
                                 progress=progress)
        outside = sorted(set(table.loc[table["flag"].str.contains("outside|empty"), "site_id"]))
        table = table[table["mean"].notna()].reset_index(drop=True)
        bad = (table["mean"] < ind.low) | (table["mean"] > ind.high)
        if bad.any():
            r = table[bad].iloc[0]
            raise InputError(Issue(f"{int(bad.sum())} zonal means of {ind.code} are outside its plausible range "
                                   f"{ind.low:g}..{ind.high:g} (e.g. site {r.site_id} on "
                                   f"{pd.Timestamp(r.time).date()}: {r['mean']:g}); are the bands reflectances "
                                   "(check --sensor)?", source=label))
        qc = _qc(table["valid_fraction"].to_numpy(), table["flag"], min_valid_fraction)
        frames.append(pd.DataFrame({
            "site_id": table["site_id"].astype(str).to_numpy(), "indicator": ind.code,
            "time": pd.DatetimeIndex(table["time"]).strftime("%Y-%m-%dT%H:%M:%S"),
            "value": table["mean"].astype(float).to_numpy(), "unit": ind.unit,
            "source": f"scenes:{ind.code}", "qc_flag": qc,
            "valid_fraction": table["valid_fraction"].astype(float).round(6).to_numpy()}))
    return frames, outside


def _check_outside(outside: list[str], sites: pd.DataFrame, ds: xr.Dataset, label: str,
                   required_sites: Sequence[str] | None) -> None:
    """Refuse scenes that miss every site, or a site that must lie in them."""
    if set(outside) == set(sites["site_id"]):
        raise InputError(Issue(f"{'site ' + outside[0] + ' lies' if len(outside) == 1 else 'all sites lie'} "
                               f"outside every scene (scenes: {', '.join(ds.attrs.get('sources', [])[:3])}"
                               f"{' ...' if len(ds.attrs.get('sources', [])) > 3 else ''})", source=label,
                               field="site"))
    missed = sorted(set(required_sites or []).intersection(outside))
    if missed:
        raise InputError(Issue(f"site(s) {', '.join(missed)} lie outside every scene", source=label, field="site"))


def _report(idx_list, ds: xr.Dataset, clean: pd.DataFrame, replaced: int, outside: list[str]) -> SceneIngestReport:
    flagged = pd.Series([f for q in clean["qc_flag"] for f in str(q).split(";") if f != "ok"]).value_counts()
    return SceneIngestReport([i.name for i in idx_list], int(ds.sizes["time"]), int(clean["site_id"].nunique()),
                             clean.groupby("indicator").size().astype(int).to_dict(), replaced, outside,
                             {str(k): int(v) for k, v in flagged.items()},
                             float(np.nanmean(clean["valid_fraction"])) if len(clean) else None)


def reopen_index(record: dict) -> xr.DataArray:
    """The index cube of a ``raster_sources`` record written by :func:`ingest_scenes` (for maps and
    per-pixel recovery)."""
    import json
    opts = record.get("options") or {}
    location = record["location"]
    source = json.loads(location) if str(location).startswith("[") else location
    kind = opts.get("kind")
    ds = open_source(None if kind == "stac" else source, stac=source if kind == "stac" else None,
                     bands=opts.get("bands"), sensor=opts.get("sensor", "auto"),
                     date_pattern=opts.get("date_pattern"))
    return index_cube(ds, opts["index"], mask=parse_mask(opts.get("mask") or None))


__all__ = ["ingest_scenes", "SceneIngestReport", "open_source", "reopen_index"]
