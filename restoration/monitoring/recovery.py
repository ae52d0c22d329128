"""Spectral recovery metrics (Y2R, R80P, RRI, YrYr, ΔIR) on annual series, per site and per pixel,
and annual / seasonal median composites.

All metrics read an annual series ``x(year)`` of a spectral index, a disturbance year ``d``,
a restoration start year ``r``, a timestep ``t`` (default 5 years) and — for Y2R and R80P — a
recovery target ``T`` and a share ``p`` (default 80 %):

* ΔIR  = x(r + t) − x(r)                                   (ΔIR, "delta index regrowth")
* YrYr = (x(r + t) − x(r)) / t                             (year-on-year average recovery rate)
* R80P = x(r + t) / (p · T)                                (share of 80 % of the target reached)
* RRI  = (max(x(r + t − 1), x(r + t)) − x(r)) / (x(d) − x(r))   (relative recovery indicator)
* Y2R  = the first k ≥ 0 with x(r + k) ≥ p · T             (years to recovery; None when not yet)

These are the definitions of ``spectral-recovery`` 1.0.1 (PEOPLE-ER, ``metrics.py``), which
adapt Frazier et al. (2018) from "years after disturbance" to "years after restoration start";
tests check ours against that package's output on its own real Landsat data (tolerance
1e-9 absolute on the same inputs). Where this module differs from both, see
docs/monitoring.md ("Recovery metrics").

The target (``historic``): the median of the series over the reference years (inclusive), at
polygon scale the median over the site's pixels of each pixel's temporal median
(spectral-recovery ``targets.historic.median(scale="polygon")``); or the same median over a
reference site's series.

References
----------
Frazier, R.J., Coops, N.C., Wulder, M.A., Hermosilla, T. & White, J.C. (2018). Analyzing
spatial and temporal variability in short-term rates of post-fire vegetation return from
Landsat time series. Remote Sensing of Environment 205, 32–45, table 2.
https://doi.org/10.1016/j.rse.2017.11.007

Kennedy, R.E. et al. (2012), Remote Sensing of Environment 122, 117–133 (RRI, R80P origins).

spectral-recovery 1.0.1 (Zwiep et al., PEOPLE-ER / ESA): https://github.com/PEOPLE-ER/spectral-recovery
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from ..errors import InputError, Issue

METRICS = ("Y2R", "R80P", "RRI", "YrYr", "dIR")
#: meaning of each metric, Chinese and English (shown next to the values)
MEANINGS = {
    "Y2R": ("恢复年限：修复开始后指数首次达到目标值 80% 所需年数（未达到则为空）",
            "Years to recovery: years after restoration start until the index first reaches 80 % of the target "
            "(empty while not reached)"),
    "R80P": ("80% 目标达成度：修复第 5 年指数值与目标值 80% 之比（≥1 表示已达到）",
             "Recovered 80 %: index in restoration year 5 divided by 80 % of the target (≥ 1 means reached)"),
    "RRI": ("相对恢复指数：修复后第 4–5 年最大增量与受损降幅之比（1 表示恢复量等于损失量）",
            "Relative recovery indicator: largest gain by year 4–5 of restoration over the loss at disturbance "
            "(1 = as much regained as lost)"),
    "YrYr": ("年均恢复速率：修复前 5 年指数年均变化量", "Year-on-year: average yearly change of the index over the "
             "first 5 years of restoration"),
    "dIR": ("指数恢复量 ΔIR：修复第 5 年与修复开始年的指数差", "ΔIR: index change from restoration start to "
            "restoration year 5"),
}


# -- composites ---------------------------------------------------------------------------------
def annual_composite(cube: xr.DataArray, *, months: Sequence[int] | None = None, stat: str = "median"
                     ) -> xr.DataArray:
    """Per-pixel annual (or seasonal, ``months=(6, 7, 8)``) composite of a ``(time, y, x)`` cube:
    the median (or ``"mean"``) of each pixel's valid observations in the year — the
    best-available-pixel style reduction that recovery metrics need. ``time`` of the result
    is 1 January of each year; years without data are absent. Lazy on dask cubes."""
    if months:
        cube = cube.sel(time=cube["time"].dt.month.isin(list(months)))
    if cube.sizes["time"] == 0:
        raise InputError(Issue(f"no observation in months {list(months or [])}", field="months"))
    years = cube["time"].dt.year
    grouped = cube.groupby(years)
    out = grouped.median("time", skipna=True) if stat == "median" else grouped.mean("time", skipna=True)
    out = out.rename({"year": "time"}) if "year" in out.dims else out
    out = out.assign_coords(time=pd.to_datetime([f"{int(y)}-01-01" for y in out["time"].values]))
    if hasattr(cube, "rio") and cube.rio.crs is not None:
        out = out.rio.write_crs(cube.rio.crs).rio.write_transform(cube.rio.transform())
    return out.transpose("time", ...)


def annual_series(times, values, *, months: Sequence[int] | None = None) -> pd.DataFrame:
    """A site's observations → one row per year: ``year``, ``value`` (median of the year's
    values), ``n`` (observations)."""
    frame = pd.DataFrame({"time": pd.to_datetime(list(times)), "value": np.asarray(values, float)})
    frame = frame[np.isfinite(frame["value"])]
    if months:
        frame = frame[frame["time"].dt.month.isin(list(months))]
    g = frame.groupby(frame["time"].dt.year)["value"]
    out = pd.DataFrame({"value": g.median(), "n": g.size()}).reset_index(names="year")
    return out.astype({"year": int, "n": int})


# -- metrics ------------------------------------------------------------------------------------
def _year_index(years: np.ndarray, year: int) -> int | None:
    hit = np.flatnonzero(years == year)
    return int(hit[0]) if hit.size else None


def historic_target(values: np.ndarray, years: Sequence[int], reference_years: tuple[int, int], *,
                    scale: str = "polygon") -> np.ndarray | float:
    """Median over the reference years (inclusive) of ``values`` (``(..., year)``); at
    ``scale="polygon"`` then the median over all leading (pixel) dimensions. NaN ignored."""
    years = np.asarray(years)
    a, b = reference_years
    sel = (years >= a) & (years <= b)
    if not sel.any():
        raise InputError(Issue(f"no data in the reference years {a}-{b} (years with data: {_ranges(years)})",
                               field="reference_years"))
    with np.errstate(all="ignore"):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            per = np.nanmedian(np.asarray(values, float)[..., sel], axis=-1)
            return float(np.nanmedian(per)) if scale == "polygon" else per


def recovery_metrics(values: np.ndarray, years: Sequence[int], *, disturbance_year: int, restoration_year: int,
                     target, timestep: int = 5, percent_of_target: float = 80.0) -> dict[str, np.ndarray]:
    """The five metrics of every series in ``values`` (``(..., year)``; one site's series is
    1-D), vectorised over the leading dimensions (pixels or sites).

    Parameters
    ----------
    values : array (..., n_years)
        Annual index values [1]; NaN = no data.
    years : sequence of int, length n_years, increasing
    disturbance_year, restoration_year : int
        ``d`` and ``r`` (module docstring); ``d < r`` and both among ``years``.
    target : float or array broadcastable to ``values[..., 0]``
        Recovery target ``T`` [index units].
    timestep : int
        ``t`` [years]; when ``r + t`` is past the last year the last year is used (and
        ``timestep_used`` says so).
    percent_of_target : float
        ``p`` [%].

    Returns
    -------
    dict
        ``Y2R`` (float years; NaN where not reached or no data), ``recovered`` (bool: Y2R
        reached), ``R80P``, ``RRI``, ``YrYr``, ``dIR`` (arrays of the leading shape) and
        ``timestep_used`` (int).

    References
    ----------
    Frazier et al. (2018), table 2; spectral-recovery 1.0.1 ``metrics.py`` (see module docstring).
    """
    x = np.asarray(values, dtype=float)
    years = np.asarray(list(years), dtype=int)
    if x.shape[-1] != years.size:
        raise InputError(Issue(f"{x.shape[-1]} values for {years.size} years", field="years"))
    if not 0 < percent_of_target <= 100:
        raise InputError(Issue("percent_of_target must be in (0, 100]", field="percent_of_target"))
    if timestep < 1:
        raise InputError(Issue("timestep must be at least 1 year", field="timestep"))
    if disturbance_year >= restoration_year:
        raise InputError(Issue(f"the disturbance year ({disturbance_year}) must be before the restoration start "
                               f"({restoration_year})", field="disturbance_year"))
    i_d, i_r = _year_index(years, disturbance_year), _year_index(years, restoration_year)
    for name, i, y in (("disturbance_year", i_d, disturbance_year), ("restoration_year", i_r, restoration_year)):
        if i is None:
            raise InputError(Issue(f"no annual value for {y} (years with data: {_ranges(years)})", field=name))
    last = int(years.max())
    t_used = min(timestep, last - restoration_year)
    if t_used < 1:
        raise InputError(Issue(f"no year after the restoration start {restoration_year} to measure recovery "
                               f"(data end in {last})", field="restoration_year"))
    i_t = _year_index(years, restoration_year + t_used)
    i_tm1 = _year_index(years, restoration_year + t_used - 1)
    if i_t is None or i_tm1 is None:
        missing = restoration_year + t_used if i_t is None else restoration_year + t_used - 1
        raise InputError(Issue(f"no annual value for {missing} (years with data: {_ranges(years)})",
                               field="years"))
    target = np.asarray(target, dtype=float)
    share = percent_of_target / 100.0
    with np.errstate(all="ignore"):
        x_r, x_t, x_d = x[..., i_r], x[..., i_t], x[..., i_d]
        d_ir = x_t - x_r
        both = np.stack([x[..., i_tm1], x_t], axis=-1)
        best = np.where(np.isnan(both).all(-1), np.nan, np.nanmax(np.where(np.isnan(both), -np.inf, both), -1))
        rri = (best - x_r) / (x_d - x_r)
        rri = np.where(np.isfinite(rri), rri, np.nan)
        r80p = x_t / (share * target)
        # Y2R over the continuous window from r on
        window_years = years[i_r:]
        if np.any(np.diff(window_years) != 1):
            raise InputError(Issue(f"Y2R needs every year from {restoration_year} on; missing: "
                                   f"{_missing(window_years)}", field="years"))
        window = x[..., i_r:]
        reached = window >= (share * target)[..., None] if target.ndim else window >= share * float(target)
        any_reached = reached.any(-1)
        first = np.argmax(reached, axis=-1).astype(float)
        no_data = np.isnan(window).all(-1)
        y2r = np.where(any_reached & ~no_data, first, np.nan)
    return {"Y2R": y2r, "recovered": any_reached & ~no_data, "R80P": r80p, "RRI": rri, "YrYr": d_ir / t_used,
            "dIR": d_ir, "timestep_used": t_used}


def _ranges(years: np.ndarray) -> str:
    years = sorted(set(int(y) for y in years))
    if not years:
        return "none"
    out, start, prev = [], years[0], years[0]
    for y in years[1:] + [None]:
        if y is not None and y == prev + 1:
            prev = y
            continue
        out.append(f"{start}" if start == prev else f"{start}-{prev}")
        if y is not None:
            start = prev = y
    return ", ".join(out)


def _missing(window_years: np.ndarray) -> str:
    full = set(range(int(window_years.min()), int(window_years.max()) + 1))
    return ", ".join(str(y) for y in sorted(full - set(int(y) for y in window_years)))


def pixel_metrics(composite: xr.DataArray, *, disturbance_year: int, restoration_year: int,
                  reference_years: tuple[int, int] | None = None, target=None, target_scale: str = "polygon",
                  timestep: int = 5, percent_of_target: float = 80.0) -> xr.Dataset:
    """Per-pixel metrics of an annual composite ``(time, y, x)`` (pixels outside the site NaN):
    a Dataset with one ``(y, x)`` variable per metric, plus ``target``. The target is ``target``
    if given, else the historic median over ``reference_years`` at ``target_scale``
    (``"polygon"``: one value for the site, as spectral-recovery's default workflow;
    ``"pixel"``: each pixel's own)."""
    years = composite["time"].dt.year.values
    vals = np.moveaxis(np.asarray(composite.values, dtype=float), 0, -1)  # (y, x, year)
    if target is None:
        if reference_years is None:
            raise InputError(Issue("give reference years or a target", field="reference_years"))
        target = historic_target(vals, years, reference_years, scale=target_scale)
    m = recovery_metrics(vals, years, disturbance_year=disturbance_year, restoration_year=restoration_year,
                         target=target, timestep=timestep, percent_of_target=percent_of_target)
    coords = {"y": composite["y"], "x": composite["x"]}
    ds = xr.Dataset({k: (("y", "x"), np.asarray(m[k], dtype=float)) for k in METRICS}, coords=coords)
    ds["target"] = (("y", "x"), np.broadcast_to(np.asarray(target, float), vals.shape[:2]).copy())
    ds.attrs["timestep_used"] = m["timestep_used"]
    ds["recovered"] = (("y", "x"), np.asarray(m["recovered"]))
    if hasattr(composite, "rio") and composite.rio.crs is not None:
        ds = ds.rio.write_crs(composite.rio.crs).rio.write_transform(composite.rio.transform())
    return ds


__all__ = ["METRICS", "MEANINGS", "annual_composite", "annual_series", "historic_target", "recovery_metrics",
           "pixel_metrics"]
