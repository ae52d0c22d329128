"""Recovery assessment of one site from the store: its annual index series (from the zonal means in
``monitoring_series``), the target, the five recovery metrics, and a per-pixel map of one metric
from the registered scenes — stored with the case in ``recovery_assessments``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .. import config
from .._version import __version__
from ..errors import InputError, Issue
from ..store import Store
from ..validate import validate_frame
from .recovery import MEANINGS, METRICS, annual_composite, annual_series, historic_target, pixel_metrics, \
    recovery_metrics
from .series import read_series


@dataclass
class RecoveryAssessment:
    site_id: str
    case_id: str | None
    indicator: str
    disturbance_year: int
    restoration_year: int
    target_kind: str
    reference_years: tuple[int, int] | None
    reference_site_id: str | None
    target: float
    percent_of_target: float
    timestep: int
    series: pd.DataFrame  # year, value, n
    metrics: dict[str, Any]
    pixel_map: dict | None = None
    assessment_id: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"assessment_id": self.assessment_id, "site_id": self.site_id, "case_id": self.case_id,
                "indicator": self.indicator, "disturbance_year": self.disturbance_year,
                "restoration_year": self.restoration_year, "target_kind": self.target_kind,
                "reference_years": list(self.reference_years) if self.reference_years else None,
                "reference_site_id": self.reference_site_id, "target": self.target,
                "percent_of_target": self.percent_of_target, "timestep": self.timestep,
                "series": self.series.to_dict("records"), "metrics": self.metrics,
                "meanings": {k: {"zh": v[0], "en": v[1]} for k, v in MEANINGS.items()},
                "pixel_map": None if self.pixel_map is None else {k: v for k, v in self.pixel_map.items()
                                                                   if k != "values"},
                "notes": self.notes}


def _finite(v) -> float | None:
    v = float(v)
    return v if np.isfinite(v) else None


def _site_annual(store: Store, site_id: str, indicator: str, months, source: str | None = None) -> pd.DataFrame:
    obs = read_series(store, [site_id], [indicator])
    if source is not None:
        obs = obs[obs["source"] == source]
    if obs.empty:
        raise InputError(Issue(f"no usable {indicator} values for site {site_id}; ingest scenes first "
                               f"(restoration monitor ingest-raster FILES --bands ... --index {indicator.upper()})",
                               field="site"))
    ann = annual_series(obs["time"], obs["value"], months=months)
    ann.attrs["sources"] = sorted(set(obs["source"]))
    if ann.empty:
        raise InputError(Issue(f"no usable {indicator} values for site {site_id} in months "
                               f"{', '.join(map(str, months or []))} (observations are dated "
                               f"{', '.join(sorted({str(m) for m in obs['time'].dt.month}))})", field="months"))
    return ann


def _pixel_map(store: Store, site: dict, indicator: str, metric: str, *, months, disturbance_year: int,
               restoration_year: int, reference_years, target, timestep, percent, max_pixels: int = 120_000
               ) -> dict | None:
    """The per-pixel ``metric`` inside the site from the latest registered scenes of ``indicator``."""
    from rasterio.warp import transform_bounds
    import geopandas as gpd
    from .scene_ingest import reopen_index
    rows = store.read("raster_sources", indicator=indicator) if "raster_sources" in store.layers() else pd.DataFrame()
    rows = rows[rows["options"].map(lambda o: isinstance(o, dict) and o.get("kind") in ("scenes", "stac"))] \
        if not rows.empty else rows
    if rows.empty:
        return None
    record = rows.sort_values("ingested_at").iloc[-1].to_dict()
    cube = reopen_index(record)
    geom = gpd.GeoSeries([site["geometry"]], crs="EPSG:4326").to_crs(cube.rio.crs)
    minx, miny, maxx, maxy = geom.total_bounds
    res = abs(cube.rio.transform().a)
    window = cube.rio.clip_box(minx - res, miny - res, maxx + res, maxy + res)
    if window.sizes["y"] * window.sizes["x"] > max_pixels:
        return None
    comp = annual_composite(window, months=months).load()
    comp = comp.rio.clip(geom.values, drop=False)
    pm = pixel_metrics(comp, disturbance_year=disturbance_year, restoration_year=restoration_year,
                       reference_years=reference_years, target=target, timestep=timestep,
                       percent_of_target=percent)
    values = pm[metric].values
    if metric == "Y2R":
        values = np.where(pm["recovered"].values | np.isnan(values), values, np.nan)
    t = comp.rio.transform()
    b = (t.c, t.f + t.e * comp.sizes["y"], t.c + t.a * comp.sizes["x"], t.f)
    lonlat = transform_bounds(cube.rio.crs, "EPSG:4326", *b)
    inside = np.isfinite(values)
    return {"metric": metric, "values": [[_finite(v) for v in row] for row in values],
            "bounds": [float(v) for v in lonlat], "crs": cube.rio.crs.to_string(), "shape": list(values.shape),
            "pixel_size": float(res), "source": record["source"],
            "summary": {"pixels": int(inside.sum()), "median": _finite(np.nanmedian(values)) if inside.any() else None,
                        "p10": _finite(np.nanpercentile(values, 10)) if inside.any() else None,
                        "p90": _finite(np.nanpercentile(values, 90)) if inside.any() else None}}


def assess_recovery(store: Store, site_id: str, *, indicator: str = "nbr", disturbance_year: int,
                    restoration_year: int, reference_years: tuple[int, int] | None = None,
                    reference_site_id: str | None = None, timestep: int = 5, percent_of_target: float = 80.0,
                    months=None, pixel_metric: str | None = "R80P", source: str | None = None,
                    save: bool = True, actor: str = "cli") -> RecoveryAssessment:
    """Recovery metrics of ``site_id`` (polygon scale, on the annual median of its zonal means) and,
    when the scenes are registered, a per-pixel map of ``pixel_metric``; stored with the site's
    case when ``save``.

    The target is historic (the median of the site's annual series over ``reference_years``) or,
    with ``reference_site_id``, the median of that site's series over ``reference_years``.

    Raises
    ------
    InputError
        Unknown site, no values, years missing from the series (names the years), a metric
        name not known.
    """
    site = store.get("sites", site_id)  # NotFoundError names the site
    if pixel_metric is not None and pixel_metric not in METRICS:
        raise InputError(Issue(f"unknown metric '{pixel_metric}'; use {', '.join(METRICS)}", field="map_metric"))
    ann = _site_annual(store, site_id, indicator, months, source)
    notes: list[str] = []
    if len(ann.attrs.get("sources", [])) > 1:
        notes.append(f"values of several sources pooled ({', '.join(ann.attrs['sources'])}); pick one with --source")
    if reference_site_id:
        store.get("sites", reference_site_id)
        if reference_years is None:
            raise InputError(Issue("give --reference-years for the reference site's target", field="reference_years"))
        ref = _site_annual(store, reference_site_id, indicator, months, source)
        target = historic_target(ref["value"].to_numpy(), ref["year"].to_numpy(), reference_years)
        kind = "reference_site"
    else:
        if reference_years is None:
            raise InputError(Issue("give --reference-years A-B (pre-disturbance years) for the historic target",
                                   field="reference_years"))
        a, b = reference_years
        if a > b:
            raise InputError(Issue(f"reference years {a}-{b}: the first must not be after the last",
                                   field="reference_years"))
        if b >= disturbance_year:
            notes.append(f"reference years {a}-{b} reach the disturbance year {disturbance_year}")
        target = historic_target(ann["value"].to_numpy(), ann["year"].to_numpy(), reference_years)
        kind = "historic"
    m = recovery_metrics(ann["value"].to_numpy(), ann["year"].to_numpy(), disturbance_year=disturbance_year,
                         restoration_year=restoration_year, target=target, timestep=timestep,
                         percent_of_target=percent_of_target)
    if m["timestep_used"] != timestep:
        notes.append(f"data end {m['timestep_used']} years after the restoration start: metrics use year "
                     f"{restoration_year + m['timestep_used']} instead of {restoration_year + timestep}")
    metrics = {k: _finite(m[k]) for k in METRICS}
    metrics["recovered"] = bool(m["recovered"])
    metrics["timestep_used"] = int(m["timestep_used"])
    pmap = None
    if pixel_metric:
        try:
            pmap = _pixel_map(store, site, indicator, pixel_metric, months=months, disturbance_year=disturbance_year,
                              restoration_year=restoration_year, reference_years=reference_years,
                              target=target, timestep=timestep, percent=percent_of_target)
        except InputError as exc:
            notes.append(f"no per-pixel map: {exc}")
        if pmap is None and not any(n.startswith("no per-pixel map") for n in notes):
            notes.append("no per-pixel map: the index's scenes are not registered or the site is too large")
    result = RecoveryAssessment(site_id, site.get("case_id"), indicator, disturbance_year, restoration_year, kind,
                                tuple(reference_years) if reference_years else None, reference_site_id,
                                float(target), float(percent_of_target), int(timestep), ann, metrics, pmap,
                                notes=notes)
    if save:
        save_assessment(store, result, actor=actor)
    return result


def save_assessment(store: Store, result: RecoveryAssessment, *, actor: str = "cli") -> str:
    """Store ``result`` in ``recovery_assessments`` (id ``<site>-RAnn``); returns the id."""
    with store.transaction(actor) as tx:
        n = len(tx.read("recovery_assessments", site_id=result.site_id))
        result.assessment_id = f"{result.site_id}-RA{n + 1:02d}"
        record = pd.DataFrame([{
            "assessment_id": result.assessment_id, "case_id": result.case_id, "site_id": result.site_id,
            "indicator": result.indicator, "disturbance_year": result.disturbance_year,
            "restoration_year": result.restoration_year, "target_kind": result.target_kind,
            "reference_years": list(result.reference_years) if result.reference_years else None,
            "reference_site_id": result.reference_site_id, "target": result.target,
            "percent_of_target": result.percent_of_target, "timestep": result.timestep,
            "series": result.series.to_dict("records"), "metrics": result.metrics,
            "pixel_map": result.pixel_map, "parameters": {"notes": result.notes},
            "software_version": __version__, "actor": actor,
            "assessed_at": config.now_utc()}])
        clean = validate_frame("recovery_assessments", record, source="recovery").frame
        tx.insert("recovery_assessments", clean, action="recovery assessment")
    return result.assessment_id


def assessments(store: Store, case_id: str | None = None, site_id: str | None = None) -> pd.DataFrame:
    """Stored recovery assessments (of one case or site), oldest first."""
    if "recovery_assessments" not in store.layers():
        return pd.DataFrame()
    return store.read("recovery_assessments", case_id=case_id, site_id=site_id)


__all__ = ["assess_recovery", "save_assessment", "assessments", "RecoveryAssessment"]
