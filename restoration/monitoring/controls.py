"""Did the site recover, or would it have recovered anyway? A restoration site's recovery judged
against matched control pixels.

Controls are pixels of the same annual composites that

* lie within a distance band around the site (``ring``, metres from the site's edge),
* lie outside every registered site and bank project (no restoration, no other damage case),
* share the site's land-cover class where a land-cover raster is given,
* and are the nearest, in standardised covariates, to the site before the disturbance: the
  pre-disturbance level and trend of the index, plus elevation and slope where a DEM is given
  (nearest-neighbour matching on pre-treatment covariates, as dynamic performance benchmarks do:
  Verra VM0047 v1.0, section 8; Stuart 2010).

The comparison is a difference in differences: the site's change from before the disturbance to
its last ``post_years`` years, minus the controls' change over the same years (what the site would
have done had it followed its neighbours — weather, drought, sensor drift, regional greening).
The site's *relative recovery* is its current level over that counterfactual level (1 = where
its controls say it would be without the damage). The interval is a bootstrap over control
pixels (percentile, 95 %).

References
----------
.. [1] Verra, VM0047 Afforestation, Reforestation and Revegetation, v1.0 (2023): performance
   benchmark from matched control plots.
.. [2] Stuart, E.A., 2010. Matching methods for causal inference: a review and a look forward.
   Statistical Science 25(1), 1–21 (standardised mean difference as the balance check).
.. [3] Efron, B. and Tibshirani, R.J., 1993. An Introduction to the Bootstrap. Chapman & Hall
   (percentile interval, ch. 13).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from .. import config
from .._version import __version__
from ..errors import InputError, Issue
from ..validate import validate_frame

VERDICTS = {"behind_controls": ("落后于对照", "behind its controls"),
            "as_controls": ("与对照相当", "as its controls"),
            "above_controls": ("优于对照", "above its controls")}


@dataclass
class ControlComparison:
    """A site against its matched controls (index units unless said)."""
    site_id: str
    indicator: str
    disturbance_year: int
    ring_m: tuple[float, float]
    n_candidates: int
    n_controls: int
    covariates: list[str]
    balance_smd: dict[str, float]
    pre_years: list[int]
    post_years: list[int]
    site_change: float
    control_change: float
    effect: float
    effect_interval: tuple[float, float]
    relative_recovery: float
    relative_interval: tuple[float, float]
    verdict: str
    series: list[dict] = field(default_factory=list)  # year, site, control, control_lo, control_hi
    control_pixels: list[list[int]] = field(default_factory=list)  # [row, col] on the composites' grid
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def _rasterize(geoms: Sequence, shape, transform) -> np.ndarray:
    from rasterio.features import rasterize
    geoms = [g for g in geoms if g is not None and not g.is_empty]
    if not geoms:
        return np.zeros(shape, dtype=bool)
    return rasterize(((g, 1) for g in geoms), out_shape=shape, transform=transform, fill=0,
                     all_touched=False, dtype="uint8").astype(bool)


def _pre_covariates(vals: np.ndarray, years: np.ndarray, pre: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel mean and least-squares slope of the pre-disturbance years (NaN-aware)."""
    y = vals[pre]
    t = years[pre].astype(float)[:, None, None] * np.ones_like(y)
    w = np.isfinite(y)
    n = w.sum(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        tm = np.where(w, t, 0).sum(0) / n
        ym = np.where(w, y, 0).sum(0) / n
        cov = np.where(w, (t - tm) * (y - ym), 0).sum(0)
        var = np.where(w, (t - tm) ** 2, 0).sum(0)
        slope = np.where(var > 0, cov / var, 0.0)
    return np.where(n >= 2, ym, np.nan), np.where(n >= 2, slope, np.nan)


def _terrain(dem: np.ndarray, res: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    gy, gx = np.gradient(dem.astype(float), res[0], res[1])
    return dem.astype(float), np.degrees(np.arctan(np.hypot(gx, gy)))


def _check(years, disturbance_year, ring, n_controls, post_years) -> tuple[np.ndarray, np.ndarray]:
    problems = []
    if not 0 <= ring[0] < ring[1]:
        problems.append(Issue(f"ring {ring[0]:g}–{ring[1]:g} m: give an inner distance below the outer one",
                              field="ring"))
    if n_controls < 10:
        problems.append(Issue(f"{n_controls} controls are too few for an interval (at least 10)", field="n_controls"))
    pre = years < disturbance_year
    post = np.zeros_like(pre)
    after = np.flatnonzero(years > disturbance_year)
    post[after[-post_years:]] = True
    if pre.sum() < 2:
        problems.append(Issue(f"fewer than 2 years before the disturbance ({disturbance_year}) in "
                              f"{years.min()}–{years.max()}", field="disturbance_year"))
    if post.sum() < 1:
        problems.append(Issue(f"no year after the disturbance ({disturbance_year}) in the composites",
                              field="disturbance_year"))
    if problems:
        raise InputError(problems)
    return pre, post


def compare_with_controls(composite: xr.DataArray, site_geom, exclude: Sequence, *, site_id: str, indicator: str,
                          disturbance_year: int, ring: tuple[float, float] = (250.0, 5000.0),
                          n_controls: int = 200, post_years: int = 3, landcover: xr.DataArray | None = None,
                          dem: xr.DataArray | None = None, draws: int = 1000, seed: int = 0) -> ControlComparison:
    """The site's recovery relative to matched control pixels.

    Parameters
    ----------
    composite : DataArray (time, y, x)
        Annual composites of the index [index units] with CRS and transform.
    site_geom : shapely geometry
        The site, in the composite's CRS.
    exclude : sequence of geometries
        Every registered site and bank project (the composite's CRS): never a control.
    disturbance_year : int
        Year of the damage [year]; years before it are the pre-disturbance period.
    ring : (float, float)
        Distance band of the controls from the site's edge [m].
    n_controls : int
        Controls kept (the nearest in standardised covariates).
    post_years : int
        The last years compared [years].
    landcover, dem : DataArray (y, x), optional
        On the composite's grid: class codes (controls share the site's majority class);
        elevation [m] (elevation and slope become covariates).
    draws, seed : int
        Bootstrap resamples of the controls and the generator's seed.

    Returns
    -------
    ControlComparison
    """
    years = composite["time"].dt.year.values.astype(int)
    pre, post = _check(years, disturbance_year, ring, n_controls, post_years)
    vals = np.asarray(composite.values, dtype=float)
    shape = vals.shape[1:]
    transform = composite.rio.transform()
    res = (abs(transform.e), abs(transform.a))
    site = _rasterize([site_geom], shape, transform)
    if site.sum() == 0:
        raise InputError(Issue(f"site {site_id} covers no pixel centre of the composites", field="site_id"))
    taken = _rasterize(list(exclude) + [site_geom], shape, transform)
    from scipy.ndimage import distance_transform_edt
    dist = distance_transform_edt(~site, sampling=res)
    mean, slope = _pre_covariates(vals, years, pre)
    covs, names = [mean, slope], ["pre_level", "pre_trend"]
    notes = []
    if dem is not None:
        elev, steep = _terrain(np.asarray(dem.values), res)
        covs += [elev, steep]
        names += ["elevation", "slope"]
    else:
        notes.append("no DEM given: controls not matched on terrain")
    cand = ~taken & (dist >= ring[0]) & (dist <= ring[1]) & np.all([np.isfinite(c) for c in covs], axis=0)
    if landcover is not None:
        lc = np.asarray(landcover.values)
        classes, counts = np.unique(lc[site], return_counts=True)
        cand &= lc == classes[np.argmax(counts)]
    else:
        notes.append("no land-cover raster given: controls not matched on land cover")
    n_cand = int(cand.sum())
    if n_cand < n_controls:
        raise InputError(Issue(f"{n_cand} candidate control pixels within {ring[0]:g}–{ring[1]:g} m outside every "
                               f"registered site; {n_controls} needed — widen the ring or lower --n-controls",
                               field="ring"))
    site_cov = np.array([np.nanmean(c[site]) for c in covs])
    X = np.stack([c[cand] for c in covs], axis=1)
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    d2 = (((X - site_cov) / scale) ** 2).sum(axis=1)
    pick = np.argsort(d2, kind="stable")[:n_controls]
    rows, cols = np.nonzero(cand)
    rows, cols = rows[pick], cols[pick]
    smd = {n: float((X[pick, i].mean() - site_cov[i]) / scale[i]) for i, n in enumerate(names)}
    site_series = np.nanmean(vals[:, site], axis=1)
    ctrl = vals[:, rows, cols]  # (T, n_controls)
    return _compare(site_series, ctrl, years, pre, post, draws, seed, ControlComparison(
        site_id=site_id, indicator=indicator, disturbance_year=int(disturbance_year),
        ring_m=(float(ring[0]), float(ring[1])), n_candidates=n_cand, n_controls=int(n_controls), covariates=names,
        balance_smd=smd, pre_years=[int(y) for y in years[pre]], post_years=[int(y) for y in years[post]],
        site_change=np.nan, control_change=np.nan, effect=np.nan, effect_interval=(np.nan, np.nan),
        relative_recovery=np.nan, relative_interval=(np.nan, np.nan), verdict="", notes=notes,
        control_pixels=[[int(r), int(c)] for r, c in zip(rows, cols)]))


def _compare(site_series, ctrl, years, pre, post, draws, seed, out: ControlComparison) -> ControlComparison:
    """Difference in differences and relative recovery, with the bootstrap over controls."""
    site_pre, site_post = np.nanmean(site_series[pre]), np.nanmean(site_series[post])
    def change(c):  # noqa: E306 — the controls' mean change, (…, n) → (…)
        return np.nanmean(np.nanmean(c[..., post, :], axis=-2), axis=-1) - \
            np.nanmean(np.nanmean(c[..., pre, :], axis=-2), axis=-1)
    d_ctrl = change(ctrl)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, ctrl.shape[1], (draws, ctrl.shape[1]))
    boot = change(np.moveaxis(ctrl[:, idx], 0, 1))  # (draws,)
    d_site = site_post - site_pre
    effect, eff_b = d_site - d_ctrl, d_site - boot
    with np.errstate(divide="ignore", invalid="ignore"):
        rel, rel_b = site_post / (site_pre + d_ctrl), site_post / (site_pre + boot)
    lo, hi = np.nanpercentile(rel_b, [2.5, 97.5])
    out.site_change, out.control_change, out.effect = float(d_site), float(d_ctrl), float(effect)
    out.effect_interval = tuple(float(v) for v in np.nanpercentile(eff_b, [2.5, 97.5]))
    out.relative_recovery, out.relative_interval = float(rel), (float(lo), float(hi))
    out.verdict = "behind_controls" if hi < 1 else "above_controls" if lo > 1 else "as_controls"
    cmean = np.nanmean(ctrl, axis=1)
    band = np.nanpercentile(np.nanmean(ctrl[:, idx], axis=2), [2.5, 97.5], axis=1)
    out.series = [{"year": int(y), "site": _r(s), "control": _r(c), "control_lo": _r(a), "control_hi": _r(b)}
                  for y, s, c, a, b in zip(years, site_series, cmean, band[0], band[1])]
    return out


def save_comparison(store, c: ControlComparison, *, case_id: str | None, actor: str) -> str:
    """Store ``c`` in ``control_comparisons`` (one row per site and indicator, replaced by a new
    run) in one transaction; returns its id."""
    cid = f"{c.site_id}:{c.indicator}"
    row = pd.DataFrame([{"comparison_id": cid, "case_id": case_id, "site_id": c.site_id, "indicator": c.indicator,
                         "disturbance_year": c.disturbance_year, "verdict": c.verdict,
                         "relative_recovery": c.relative_recovery, "effect": c.effect,
                         "result": {k: v for k, v in c.to_dict().items() if k != "control_pixels"},
                         "software_version": __version__, "actor": actor, "computed_at": config.now_utc()}])
    clean = validate_frame("control_comparisons", row, source="controls").frame
    with store.transaction(actor) as tx:
        tx.delete_matching("control_comparisons", clean[["comparison_id"]], action="control comparison replaced")
        tx.insert("control_comparisons", clean, action="control comparison")
    return cid


def stored_comparisons(store, *, case_id: str | None = None, site_id: str | None = None):
    """The stored control comparisons (of one case or site)."""
    if "control_comparisons" not in store.layers():
        return pd.DataFrame()
    return store.read("control_comparisons", case_id=case_id, site_id=site_id)


def controls_beside_targets(store, case_id: str) -> list[dict]:
    """Each stored control comparison of ``case_id``'s sites beside the site's plan targets
    (``indicator_targets``): the verdict against controls (code, 中文, English), the relative
    recovery and effect with their bootstrap intervals, the disturbance year, the number of
    controls and when it was computed, and ``targets`` — the site's targets (indicator,
    baseline, target, unit, target date). Empty when nothing was compared."""
    comps = stored_comparisons(store, case_id=case_id)
    if not len(comps):
        return []
    targets = store.read("indicator_targets")
    targets = targets[targets["site_id"].isin(set(comps["site_id"]))] if len(targets) else targets
    out = []
    for c in comps.sort_values(["site_id", "indicator"]).to_dict("records"):
        result = c.get("result") or {}
        zh, en = VERDICTS.get(c["verdict"], (c["verdict"], c["verdict"]))
        own = targets[targets["site_id"] == c["site_id"]] if len(targets) else targets
        out.append({
            "site_id": c["site_id"], "indicator": c["indicator"], "disturbance_year": int(c["disturbance_year"]),
            "verdict": c["verdict"], "verdict_zh": zh, "verdict_en": en,
            "relative_recovery": _maybe(c.get("relative_recovery")),
            "relative_interval": result.get("relative_interval"), "effect": _maybe(c.get("effect")),
            "effect_interval": result.get("effect_interval"), "n_controls": result.get("n_controls"),
            "computed_at": str(c.get("computed_at") or "")[:19] or None,
            "targets": [{"indicator": t["indicator"], "baseline": _maybe(t.get("baseline")),
                         "target": _maybe(t.get("target")), "unit": t.get("unit"),
                         "target_date": None if pd.isna(t.get("target_date")) else str(t["target_date"])[:10]}
                        for t in own.to_dict("records")]})
    return out


def _maybe(v) -> float | None:
    return None if v is None or pd.isna(v) else round(float(v), 6)


def _r(v) -> float | None:
    return round(float(v), 6) if np.isfinite(v) else None


__all__ = ["VERDICTS", "ControlComparison", "compare_with_controls", "controls_beside_targets", "save_comparison",
           "stored_comparisons"]
