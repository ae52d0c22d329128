"""Satellite evidence of damage: the disturbance dated in every pixel and every site of annual
composites, written as a raster and stored with the sites (``site_breaks``).

The method is :mod:`.segmentation` (one disturbance between two segments, LandTrendr-style,
significance by a simulated sup-F test). Pixels are segmented block by block (dask, the time axis
whole), so memory stays flat on stacks larger than RAM; sites are segmented on their annual mean
series (the zonal means of the composite), all sites in one vectorised call, and each site also
gets the share of its pixels that carry a break.
"""
from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import xarray as xr

from .. import config
from .._version import __version__
from ..errors import InputError, Issue
from ..files import write_file
from ..store import Store
from ..validate import validate_frame
from .segmentation import OUTPUTS, Parameters, segment
from .zonal import pixel_map, zonal_timeseries

log = logging.getLogger(__name__)

#: what each band of the breaks raster holds (its description in the GeoTIFF)
BAND_MEANINGS = {
    "break_year": ("扰动年份（0 = 无扰动）", "year of the largest disturbance (0 = none)"),
    "magnitude": ("扰动幅度（指数单位）", "magnitude of the loss [index units]"),
    "recovery_slope": ("扰动后恢复速率（指数单位/年）", "recovery slope after the break [index units / year]"),
    "uncertainty_years": ("扰动年份不确定度（± 年）", "uncertainty of the break year [± years]"),
}


@dataclass
class SiteBreak:
    """The disturbance of one site's annual mean series (``break_year`` None where none)."""
    site_id: str
    indicator: str
    break_year: int | None
    magnitude: float | None
    uncertainty_years: float | None
    pre_level: float | None
    post_level: float | None
    recovery_slope: float | None
    n_years: int
    disturbed_share: float | None
    case_id: str | None = None
    series: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def _finite(v) -> float | None:
    v = float(v)
    return round(v, 6) if np.isfinite(v) else None


def annual_years(composite: xr.DataArray) -> np.ndarray:
    return composite["time"].dt.year.values.astype(int)


#: pixels per side of a segmentation block: the scan holds about (years × candidates) float64
#: values per pixel, ~0.3 GB for a 256² block of 24 years (1.2 GB at 512²), per worker thread
BLOCK_PX = 256


def break_raster(composite: xr.DataArray, params: Parameters | None = None, *,
                 block: int = BLOCK_PX) -> xr.Dataset:
    """Per-pixel disturbance of an annual composite ``(time, y, x)``: a Dataset with one ``(y, x)``
    variable per output of :func:`.segmentation.segment`, lazy on dask: the time axis is
    gathered into one chunk and space cut into ``block``² pixel blocks [px] (a composite larger
    than one block is put on dask too), so memory follows the block, not the region."""
    params = params or Parameters()
    years = annual_years(composite)
    if composite.sizes["time"] < params.min_years:
        raise InputError(Issue(f"{composite.sizes['time']} annual composites ({', '.join(map(str, years))}); "
                               f"the method needs at least {params.min_years} years", field="years"))
    data = composite.transpose("y", "x", "time")
    if hasattr(data.data, "chunks") or data.sizes["y"] * data.sizes["x"] > block * block:
        data = data.chunk({"time": -1, "y": block, "x": block})

    def run(block: np.ndarray) -> np.ndarray:
        out = segment(block, years, params)
        return np.stack([np.asarray(out[k], dtype="float32") for k in OUTPUTS], axis=-1)

    stacked = xr.apply_ufunc(run, data, input_core_dims=[["time"]], output_core_dims=[["output"]],
                             dask="parallelized", output_dtypes=["float32"],
                             dask_gufunc_kwargs={"output_sizes": {"output": len(OUTPUTS)}})
    ds = xr.Dataset({k: stacked.isel(output=i, drop=True) for i, k in enumerate(OUTPUTS)})
    ds.attrs.update({"years": [int(y) for y in years], "parameters": json.dumps(asdict(params))})
    if hasattr(composite, "rio") and composite.rio.crs is not None:
        ds = ds.rio.write_crs(composite.rio.crs).rio.write_transform(composite.rio.transform())
    return ds


def compute_breaks(ds: xr.Dataset, *, progress: bool = False) -> xr.Dataset:
    """Compute a lazy :func:`break_raster`, with a progress bar over its blocks on a terminal."""
    if not any(hasattr(v.data, "dask") for v in ds.data_vars.values()):
        return ds
    from dask.callbacks import Callback
    from tqdm import tqdm

    from ..progress import bar_wanted

    class Bar(Callback):
        def _start_state(self, dsk, state):
            self.bar = tqdm(total=len(state["ready"]) + len(state["waiting"]), desc="扰动识别 breaks",
                            unit="task", disable=not bar_wanted(progress), leave=False)

        def _posttask(self, key, result, dsk, state, worker_id):
            self.bar.update(1)

        def _finish(self, dsk, state, errored):
            self.bar.close()

    with Bar():
        return ds.compute()


def write_breaks(ds: xr.Dataset, path: str | Path, *, field_name: str = "--out") -> Path:
    """The breaks raster as a 4-band float32 GeoTIFF: break year (0 where none), magnitude,
    recovery slope, uncertainty (NaN where none), each band described in Chinese and English."""
    import rasterio

    names = list(BAND_MEANINGS)
    arrays = [np.nan_to_num(ds["break_year"].values, nan=0.0)] + [ds[k].values for k in names[1:]]
    transform, crs = ds.rio.transform(), ds.rio.crs

    def write(tmp: Path) -> None:
        with rasterio.open(tmp, "w", driver="GTiff", width=arrays[0].shape[1], height=arrays[0].shape[0],
                           count=len(arrays), dtype="float32", crs=crs, transform=transform, nodata=np.nan,
                           compress="deflate", tiled=True) as dst:
            for i, (name, arr) in enumerate(zip(names, arrays), start=1):
                dst.write(np.asarray(arr, dtype="float32"), i)
                zh, en = BAND_MEANINGS[name]
                dst.set_band_description(i, f"{name}: {en} / {zh}")
            dst.update_tags(years=",".join(map(str, ds.attrs.get("years", []))),
                            parameters=ds.attrs.get("parameters", ""), software_version=__version__)

    return write_file(path, write, field=field_name)


def site_breaks(composite: xr.DataArray, sites: gpd.GeoDataFrame, indicator: str,
                params: Parameters | None = None, pixels: xr.Dataset | None = None) -> list[SiteBreak]:
    """The disturbance of every site the composite covers, from its annual mean series; with
    ``pixels`` (the :func:`break_raster` of the same composite), each site's share of pixels
    that carry a break. Sites with fewer valid years than the method needs are returned with
    ``break_year`` None and their ``n_years``."""
    params = params or Parameters()
    years = annual_years(composite)
    weights = pixel_map(composite, sites)  # one site → pixel map for the series and the shares
    table = zonal_timeseries(composite, sites, ("mean",), weights=weights)
    wide = table.assign(year=table["time"].dt.year).pivot_table(index="site_id", columns="year", values="mean",
                                                                 aggfunc="mean", dropna=False)
    wide = wide.reindex(columns=years)
    covered = wide.index[wide.notna().any(axis=1)]
    wide = wide.loc[covered]
    if wide.empty:
        return []
    out = segment(wide.to_numpy(dtype=float), years, params)
    shares = _pixel_shares(pixels, sites, weights) if pixels is not None else {}
    case_of = sites.set_index("site_id")["case_id"].to_dict() if "case_id" in sites else {}
    result = []
    for i, sid in enumerate(wide.index):
        by = out["break_year"][i]
        series = [{"year": int(y), "value": _finite(v)} for y, v in zip(years, wide.iloc[i].to_numpy())]
        case_id = case_of.get(sid)
        result.append(SiteBreak(
            site_id=str(sid), indicator=indicator, break_year=int(by) if np.isfinite(by) else None,
            magnitude=_finite(out["magnitude"][i]), uncertainty_years=_finite(out["uncertainty_years"][i]),
            pre_level=_finite(out["pre_level"][i]), post_level=_finite(out["post_level"][i]),
            recovery_slope=_finite(out["recovery_slope"][i]), n_years=int(out["n_years"][i]),
            disturbed_share=shares.get(sid), case_id=None if pd.isna(case_id) else case_id, series=series))
    return result


def _pixel_shares(pixels: xr.Dataset, sites: gpd.GeoDataFrame, weights) -> dict[str, float]:
    """Share of each site's pixels (centre inside) with a break year; ``weights`` is the sites'
    pixel map on the composite's grid, which the breaks raster shares."""
    flag = xr.where(np.isfinite(pixels["break_year"]), 1.0, 0.0).expand_dims(time=[pd.Timestamp("2000-01-01")])
    flag = flag.rio.write_crs(pixels.rio.crs).rio.write_transform(pixels.rio.transform())
    t = zonal_timeseries(flag, sites, ("mean",), weights=weights)
    return {r.site_id: _finite(r.mean) for r in t.itertuples() if np.isfinite(r.mean)}


def save_breaks(store: Store, found: Sequence[SiteBreak], *, params: Parameters, sources: Sequence[str],
                actor: str) -> int:
    """Store each site's disturbance in ``site_breaks`` (one row per site and indicator; a new
    run replaces the site's earlier row for the same indicator) in one transaction."""
    if not found:
        return 0
    now = config.now_utc()
    rows = pd.DataFrame([{
        "break_id": f"{b.site_id}:{b.indicator}", "case_id": b.case_id, "site_id": b.site_id,
        "indicator": b.indicator, "break_year": b.break_year, "magnitude": b.magnitude,
        "uncertainty_years": b.uncertainty_years, "pre_level": b.pre_level, "post_level": b.post_level,
        "recovery_slope": b.recovery_slope, "n_years": b.n_years, "disturbed_share": b.disturbed_share,
        "series": b.series, "parameters": asdict(params), "sources": list(sources)[:200],
        "software_version": __version__, "actor": actor, "computed_at": now} for b in found])
    clean = validate_frame("site_breaks", rows, source="breaks").frame
    with store.transaction(actor) as tx:
        tx.delete_matching("site_breaks", clean[["break_id"]], action="disturbance dating replaced")
        tx.insert("site_breaks", clean, action="disturbance dating")
    return len(clean)


def stored_breaks(store: Store, *, site_id: str | None = None, case_id: str | None = None) -> pd.DataFrame:
    """The stored disturbance of sites (of one site or case)."""
    if "site_breaks" not in store.layers():
        return pd.DataFrame()
    return store.read("site_breaks", site_id=site_id, case_id=case_id)


__all__ = ["BAND_MEANINGS", "BLOCK_PX", "SiteBreak", "break_raster", "compute_breaks", "write_breaks", "site_breaks", "save_breaks",
           "stored_breaks"]
