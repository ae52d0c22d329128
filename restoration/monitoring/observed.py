"""Observed recovery → trajectories for the equivalence engine.

A site's measured series becomes ``[[year, level], ...]`` points with
``equivalence.trajectory_from_observations`` (the engine's own function, so the convention is
the engine's: each calendar year's mean divided by a denominator standing for full service):

* the target's reference site, if it has one (same indicator, per-year mean), else
* ``baseline=`` if given, else the target value of the site's ``indicator_targets`` row.

Only higher-is-better indicators (NDVI, cover ...) map to a service level this way; a
lower-is-better concentration does not, and is refused with a clear message.

:func:`planned_vs_observed` puts the plan (normalised by the same denominator) beside the
observation per year; :func:`scenario_with_observed` returns a copy of a scenario whose injury
or replacement ``levels`` are the observed points, so an appraisal can run planned and observed
recovery side by side (``equivalence.run_scenario`` on both).
"""
from __future__ import annotations

import copy
import math
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..errors import InputError, Issue
from ..store import Store
from .indicators import direction_of
from .plan import plan_points
from .series import read_series


def _target(store: Store, site_id: str, indicator: str) -> dict | None:
    t = store.read("indicator_targets", site_id=site_id, indicator=indicator)
    return None if t.empty else t.iloc[0].to_dict()


def _denominator(store: Store, site_id: str, indicator: str, baseline: float | None,
                 reference_site: str | None, target: dict | None) -> dict:
    if baseline is not None:
        return {"baseline": float(baseline), "basis": "baseline"}
    ref = reference_site or (target or {}).get("reference_site_id")
    if isinstance(ref, str) and ref:
        obs = read_series(store, [ref], [indicator])
        if obs.empty:
            raise InputError(Issue(f"reference site {ref} has no {indicator} observations", source=site_id))
        yearly = obs.groupby(obs["time"].dt.year)["value"].mean()
        return {"reference": {int(y): float(v) for y, v in yearly.items()}, "basis": f"reference site {ref}"}
    if target is not None and target.get("target") is not None and not math.isnan(float(target["target"])):
        return {"baseline": float(target["target"]), "basis": "target value"}
    raise InputError(Issue(f"no denominator for {indicator}: give baseline= or reference_site=, or "
                           "add an indicator target", source=site_id))


def observed_levels(store: Store, site_id: str, indicator: str = "ndvi", *, baseline: float | None = None,
                    reference_site: str | None = None, cap: float | None = 1.0,
                    as_frame: bool = False) -> list[list[float]] | pd.DataFrame:
    """The site's observed recovery as yearly ``[[year, level], ...]`` points (level 1.0 = full
    service; capped at ``cap``), via ``equivalence.trajectory_from_observations``."""
    from equivalence import trajectory_from_observations
    store.get("sites", site_id)
    target = _target(store, site_id, indicator)
    if direction_of(indicator, (target or {}).get("direction")) != "higher":
        raise InputError(Issue(f"{indicator} is lower-is-better; its concentration is not a service level. "
                               "Convert it to one first (e.g. share of the section meeting its standard)",
                               source=site_id))
    obs = read_series(store, [site_id], [indicator])
    if obs.empty:
        raise InputError(Issue(f"no usable {indicator} observations", source=site_id))
    den = _denominator(store, site_id, indicator, baseline, reference_site, target)
    kwargs = {"baseline": den["baseline"]} if "baseline" in den else {"reference": den["reference"]}
    try:
        out = trajectory_from_observations(obs["time"].to_numpy(), obs["value"].to_numpy(), target=cap,
                                           as_frame=as_frame, **kwargs)
    except ValueError as exc:
        raise InputError(Issue(str(exc), source=site_id)) from None
    if as_frame:
        out = out.assign(basis=den["basis"])
    return out


def planned_vs_observed(store: Store, site_id: str, indicator: str = "ndvi", *,
                        baseline: float | None = None, reference_site: str | None = None) -> pd.DataFrame:
    """Per year: the observed level and the planned level (the target's planned trajectory read
    at mid-year), both divided by the same denominator; ``gap = observed − planned``."""
    obs = observed_levels(store, site_id, indicator, baseline=baseline, reference_site=reference_site,
                          cap=None, as_frame=True)
    target = _target(store, site_id, indicator)
    planned = np.full(len(obs), np.nan)
    pts = plan_points(target) if target is not None else None
    if pts is not None:
        from equivalence import interpolation_matrix
        years, levels = pts
        planned_raw = interpolation_matrix(years, obs["year"].to_numpy() + 0.5) @ levels
        planned = planned_raw / obs["denominator"].to_numpy()
    out = obs[["year", "n_obs", "mean_value", "denominator", "level"]].rename(columns={"level": "observed"})
    out["planned"] = planned
    out["gap"] = out["observed"] - out["planned"]
    out["basis"] = obs["basis"].iloc[0] if len(obs) else None
    return out


def scenario_with_observed(scenario: Mapping[str, Any], store: Store, site_id: str, indicator: str = "ndvi", *,
                           part: str = "replacement", baseline: float | None = None,
                           reference_site: str | None = None) -> dict:
    """A copy of ``scenario`` whose ``part`` ("replacement" or "injury") ``levels`` are the
    observed points of ``site_id``; the original is left unchanged. Run both with
    ``equivalence.run_scenario`` to compare planned and observed recovery."""
    if part not in ("replacement", "injury"):
        raise InputError(Issue(f"part must be replacement or injury, got {part!r}", source="scenario"))
    out = copy.deepcopy(dict(scenario))
    levels = observed_levels(store, site_id, indicator, baseline=baseline, reference_site=reference_site)
    section = dict(out.get(part) or {})
    section["levels"] = levels
    out[part] = section
    notes = out.get("notes") or ""
    out["notes"] = (notes + "\n" if notes else "") + (
        f"{part}.levels observed at site {site_id} ({indicator}) from the monitoring store")
    return out
