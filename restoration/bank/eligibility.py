"""Which bank projects may restore a case's damage: the one eligibility rule of every door.

A project is eligible for a case's alternative restoration when its ecosystem may substitute the
damaged one (``substitution.toml``) and it lies where the case's rule profile allows (same
watershed / county when ``required``, within ``max_distance_km``). The base-site ranking marks
candidates with these codes (:func:`place_codes`); the ledger refuses to reserve or commit
capacity that breaks them, and refuses any allocation for a case that has ended
(:func:`check_allocation`, called inside the ledger's write transaction); the obligation counts
an allocation as cover only where the rule holds. So the command line, the dashboards and the
notebooks meet the same refusal with the same message.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..cases.events import END_STAGES
from ..errors import InputError, Issue
from ..geometry import utm_crs_for
from ..messages import Label, Message, Term
from ..store import Store, Transaction
from . import substitution
from .reasons import reason_text
from ..profiles.siting import siting_rules

#: the reasons that make a project unfit for a case whatever its capacity or status: capacity
#: held there for the case is refused, and never counted as cover
PLACE_CODES = ("ecosystem_mismatch", "other_watershed", "other_county", "too_far")


@dataclass
class CaseSite:
    """Where and what the damage is, for siting."""

    case_id: str
    geometry: Any                 # shapely geometry, EPSG:4326 (union of the damaged sites)
    ecosystem_type: str
    watershed: str | None
    county: str | None
    area_ha: float
    profile: str | None = None
    title: str | None = None
    site_ids: list[str] = field(default_factory=list)


def _name(value) -> str | None:
    """A place name, or None when it is missing (None, NaN, empty)."""
    if value is None or (isinstance(value, float) and value != value) or str(value).strip() == "":
        return None
    return str(value)


def case_site(store: Store | Transaction, case_id: str) -> CaseSite:
    """The case's damaged site(s): union geometry, the main ecosystem, watershed and county."""
    case = store.get("cases", case_id)
    damaged = store.read("sites", case_id=case_id, role="damaged")
    if damaged.empty:
        raise InputError(Issue(Message("bank.no_damaged_site", {"case": case_id}), source="sites"))
    main = damaged.sort_values("area_ha", ascending=False).iloc[0]
    return CaseSite(case_id=case_id, geometry=shapely.union_all(damaged.geometry.to_numpy()),
                    ecosystem_type=main["ecosystem_type"], watershed=_name(main["watershed"]),
                    county=_name(main["county"]) or _name(case.get("region")),
                    area_ha=float(damaged["area_ha"].sum()),
                    profile=case.get("profile"), title=case.get("title"), site_ids=damaged["site_id"].tolist())


def distance_km(site: CaseSite, geoms: gpd.GeoSeries) -> np.ndarray:
    """Shortest distance [km] from the damaged site(s) to each geometry, in the site's UTM zone."""
    c = site.geometry.centroid
    crs = utm_crs_for(c.x, c.y)
    target = gpd.GeoSeries([site.geometry], crs=4326).to_crs(crs).iloc[0]
    projected = geoms.to_crs(crs).to_numpy()
    return shapely.distance(projected, target) / 1000.0


@dataclass
class Place:
    """What :func:`place_codes` found for each candidate (arrays in the candidates' order)."""

    quality: np.ndarray           # substitution match quality, NaN where not allowed
    distance_km: np.ndarray
    same_watershed: np.ndarray
    same_county: np.ndarray
    codes: dict[str, np.ndarray]  # PLACE_CODES -> True where the candidate breaks that rule


def place_codes(site: CaseSite, candidates: pd.DataFrame, rules: Mapping[str, Any],
                table: pd.DataFrame | None = None) -> Place:
    """The eligibility rules of place for each candidate project (rows with ``ecosystem_type``,
    ``watershed``, ``region`` and a geometry in EPSG:4326) — pure, vectorised.

    A same-watershed (same-county) rule cannot be met when the damaged site's watershed (county)
    is unknown: ``required`` then makes every candidate ineligible, as the rule says.
    """
    c = candidates.reset_index(drop=True)
    n = len(c)
    quality = substitution.match_quality(site.ecosystem_type, c["ecosystem_type"].to_numpy(), table)
    ws = c["watershed"].to_numpy(dtype=object)
    county = c["region"].to_numpy(dtype=object)
    same_ws = (ws == site.watershed) if site.watershed else np.zeros(n, dtype=bool)
    same_county = (county == site.county) if site.county else np.zeros(n, dtype=bool)
    dist = distance_km(site, gpd.GeoSeries(c.geometry, crs=4326)) if n else np.zeros(0)
    max_d = float(rules.get("max_distance_km") or 0)
    none = np.zeros(n, dtype=bool)
    codes = {
        "ecosystem_mismatch": np.isnan(quality),
        "other_watershed": ~same_ws if rules["watershed"] == "required" else none,
        "other_county": ~same_county if rules["county"] == "required" else none,
        "too_far": dist > max_d if max_d > 0 else none,
    }
    return Place(quality, dist, same_ws, same_county, codes)


def _refusal(site: CaseSite, project: Mapping[str, Any], place: Place, rules: Mapping[str, Any]) -> Label | None:
    """The broken rules of place for one project as sentences in both languages, or None."""
    broken = [code for code in PLACE_CODES if place.codes[code][0]]
    if not broken:
        return None
    row = {**project, "county": project.get("region"), "distance_km": float(place.distance_km[0])}
    return Label("；".join(reason_text(c, row, site, rules, "zh") for c in broken),
                 "; ".join(reason_text(c, row, site, rules, "en") for c in broken))


def check_allocation(tx: Store | Transaction, project: Mapping[str, Any], case_id: str) -> None:
    """Refuse (InputError, nothing written) capacity of ``project`` (a bank project record) for
    ``case_id`` when the case has ended or the project breaks an eligibility rule of place under
    the case's rule profile. Called inside the ledger's write transaction, so the case and its
    damaged sites are read as the write sees them."""
    case = tx.get("cases", case_id)
    if case.get("stage") in {s.value for s in END_STAGES}:
        raise InputError(Issue(Message("bank.case_ended", {
            "case": case_id, "stage": Term("stage", str(case["stage"]))})))
    try:
        site = case_site(tx, case_id)
    except InputError:
        raise InputError(Issue(Message("bank.eligibility_unknown", {"case": case_id}))) from None
    rules = siting_rules(site.profile)
    frame = gpd.GeoDataFrame([dict(project)], geometry=[project["geometry"]], crs=4326)
    reasons = _refusal(site, project, place_codes(site, frame, rules), rules)
    if reasons is not None:
        raise InputError(Issue(Message("bank.ineligible", {
            "project": project["project_id"], "case": case_id, "reasons": reasons})))
