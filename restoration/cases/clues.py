"""The screening register of clues from imagery (遥感疑似线索): disturbed patches of a breaks
raster that lie in a sensitive area — an imported protected area or ecological red line, a
registered restoration site, a bank project — stored as candidate clues with their evidence
(the years, the area in ha and 亩, the index drop, before/after image chips).

Nothing becomes a case without a person: a supervisor accepts a candidate (a new case at the
screening stage whose clue registration names the ``remote_sensing`` channel, checked against the
case's rule profile, audited) or dismisses it with a reason. Finding the same patch again keeps
the stored candidate and its decision.
"""
from __future__ import annotations

import hashlib
from datetime import date
from typing import Any, Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import access, config
from .._version import __version__
from ..errors import ConflictError, InputError, Issue
from ..importer import prepare
from ..model import CLUE_CANDIDATES
from ..monitoring.chips import chip_window, render_chips
from ..monitoring.patches import MU_PER_HA, BreaksImage, disturbed_patches, inside_areas
from ..profiles.for_case import profile_for
from ..store import Store
from ..validate import validate_frame
from . import history
from .workflow import make_event

#: the clue channel of the profiles' list that imagery clues are registered under
CHANNEL = "remote_sensing"
#: site roles whose land is a registered restoration site (a new disturbance there is a clue)
RESTORATION_ROLES = ("in_situ_restoration", "alternative_restoration", "off_site_restoration")


def sensitive_areas(store: Store) -> dict[str, gpd.GeoDataFrame]:
    """The sensitive areas of the store, by layer, each with ``id``, ``name`` and a geometry."""
    out: dict[str, gpd.GeoDataFrame] = {}
    if "protected_areas" in store.layers():
        pa = store.read("protected_areas")
        out["protected_areas"] = pa.assign(id=pa["area_id"])[["id", "name", "geometry"]] if len(pa) else pa
    sites = store.read("sites")
    if len(sites):
        sites = sites[sites["role"].isin(RESTORATION_ROLES)]
        out["sites"] = sites.assign(id=sites["site_id"])[["id", "name", "geometry"]]
    bank = store.read("bank_projects")
    if len(bank):
        out["bank_projects"] = bank.assign(id=bank["project_id"])[["id", "name", "geometry"]]
    return out


def candidate_id(img: BreaksImage, patch: Mapping[str, Any]) -> str:
    """A patch's id from its grid place and year: the same patch found again has the same id."""
    t = img.transform
    r, c = patch["rows"].start, patch["cols"].start
    where = f"{img.crs.to_string()}|{t.c + t.a * c:.1f}|{t.f + t.e * r:.1f}|{int(patch['n_pixels'])}"
    return f"RS{int(patch['break_year'])}-{hashlib.sha1(where.encode()).hexdigest()[:8].upper()}"


def find_candidates(store: Store, img: BreaksImage, composite: np.ndarray | None = None,
                    years: Sequence[int] | None = None, *, min_area_ha: float = 1.0,
                    min_magnitude: float | None = None, indicator: str | None = None) -> list[dict]:
    """The candidate clues of a breaks raster: its disturbed patches (:func:`disturbed_patches`)
    that lie in a sensitive area of ``store``, each as a ``clue_candidates`` row (not stored).

    ``composite`` (``(year, y, x)`` annual index on the raster's grid, ``years`` its years) gives
    the before/after chips: the last year before the break and the break year itself."""
    if composite is not None and composite.shape[1:] != img.break_year.shape:
        raise InputError(Issue(f"the composites' grid {composite.shape[1:]} is not the breaks raster's "
                               f"{img.break_year.shape}: build both from the same scenes", source=img.source,
                               field="grid"))
    patches, labels = disturbed_patches(img, min_area_ha=min_area_ha, min_magnitude=min_magnitude)
    hits = inside_areas(patches, sensitive_areas(store))
    rows = []
    centres = patches.to_crs("EPSG:4326").geometry.representative_point() if len(patches) else []
    counties = _county_names(store, centres) if len(patches) else []
    for i, p in enumerate(patches.to_dict("records")):
        if not hits[i]:
            continue
        year = int(p["break_year"])
        before = max((y for y in (years or img.years) if y < year), default=None)
        chips: list[bytes | None] = [None, None]
        if composite is not None and years is not None and before is not None and year in years:
            rs, cs = chip_window(p["rows"], p["cols"], labels.shape)
            k0, k1 = list(years).index(before), list(years).index(year)
            chips = render_chips([composite[k0][rs, cs], composite[k1][rs, cs]], labels[rs, cs] == p["label"])
        rows.append({
            "candidate_id": candidate_id(img, p), "status": "candidate", "indicator": indicator,
            "break_year": year, "uncertainty_years": round(float(p["uncertainty_years"]), 2),
            "index_drop": round(float(p["index_drop"]), 4), "area_ha": round(float(p["area_ha"]), 4),
            "n_pixels": int(p["n_pixels"]), "lon": round(float(centres.iloc[i].x), 6),
            "lat": round(float(centres.iloc[i].y), 6), "county": counties[i], "inside": hits[i],
            "evidence": {"before_year": before, "after_year": year, "raster": img.source,
                         "area_mu": round(float(p["area_ha"]) * MU_PER_HA, 2),
                         "min_area_ha": min_area_ha, "min_magnitude": min_magnitude,
                         "chips": "before/after index" if chips[0] is not None else None,
                         "software_version": __version__},
            "chip_before": chips[0], "chip_after": chips[1]})
    return rows


def _county_names(store: Store, points: gpd.GeoSeries) -> list[str | None]:
    """The name of the county each point lies in (None outside every county)."""
    counties = store.read("counties")
    if not len(counties):
        return [None] * len(points)
    pts = gpd.GeoDataFrame(geometry=points.reset_index(drop=True), crs="EPSG:4326")
    joined = gpd.sjoin(pts, counties.to_crs("EPSG:4326")[["name", "geometry"]], how="left",
                       predicate="within")
    first = joined[~joined.index.duplicated()]["name"]  # the county's name, as cases give their region
    return [None if pd.isna(v) else str(v) for v in first.reindex(range(len(points)))]


def save_candidates(store: Store, rows: Sequence[Mapping[str, Any]], actor) -> list[str]:
    """Store the candidates not stored yet (a patch found again keeps its stored row and
    decision); the ids stored. Needs ``data.import``."""
    who = access.require(actor, "data.import", store)
    if not rows:
        return []
    with store.transaction(who.name) as tx:
        have = set(tx.read("clue_candidates")["candidate_id"])
        new = [dict(r) for r in rows if r["candidate_id"] not in have]
        if not new:
            return []
        now = config.now_utc()
        chips = ("chip_before", "chip_after")
        frame = pd.DataFrame([{**{k: v for k, v in r.items() if k not in chips}, "found_by": who.name,
                               "found_at": now} for r in new])
        frame.attrs.update(source="clues from imagery", row_start=1, row_label="patch")
        clean, _ = prepare(tx, "clue_candidates", frame)  # the chips are the platform's own PNGs, not input
        for k in chips:
            clean[k] = [None if r.get(k) is None else bytes(r[k]) for r in new]
        tx.insert("clue_candidates", clean, action="clues from imagery")
    return [r["candidate_id"] for r in new]


def candidates(store: Store, status: str | None = None) -> pd.DataFrame:
    """The register, newest first (empty when the store predates it)."""
    if "clue_candidates" not in store.layers():
        return pd.DataFrame(columns=list(CLUE_CANDIDATES.field_names))
    frame = store.read("clue_candidates", **({"status": status} if status else {}))
    return frame.sort_values(["found_at", "candidate_id"], ascending=[False, True]).reset_index(drop=True)


def _open_candidate(tx, candidate_id: str) -> dict:
    row = tx.get("clue_candidates", candidate_id)
    if row["status"] != "candidate":
        raise ConflictError(f"clue candidate {candidate_id} is already {row['status']} by {row['decided_by']} "
                            f"at {str(row['decided_at'])[:19]}" + (f" (case {row['case_id']})" if row.get("case_id")
                                                                   else ""))
    return row


def accept_candidate(store: Store, candidate_id: str, case: Mapping[str, Any], actor,
                     today: date | None = None, request_id: str | None = None) -> dict:
    """A person accepts a candidate clue as a new case: the case (``case``: at least
    ``case_id``, ``title``, ``region``, ``case_class``, ``claimant_agency``) at the screening
    stage, its clue registration (channel ``remote_sensing``, the candidate and its evidence in
    the details), and the candidate marked accepted — in one transaction. Needs ``data.import``
    and ``case.event`` in the case's region; the profile must list the channel."""
    today = today or config.today()
    region = case.get("handling_region") or case.get("region")
    who = access.require(actor, "data.import", store, region=str(region) if region else None)
    access.require(who, "case.event", store, region=str(region) if region else None)
    with store.transaction(who.name) as tx:
        def write() -> dict:
            cand = _open_candidate(tx, candidate_id)
            row = {"stage": "screening", "discovered_date": today.isoformat(), "clue_source": CHANNEL,
                   "incident_date": None, **{k: v for k, v in dict(case).items() if v not in (None, "")}}
            frame = pd.DataFrame([row])
            frame.attrs.update(source=f"clue {candidate_id}", row_start=1, row_label="case")
            clean, _ = prepare(tx, "cases", frame)
            tx.insert("cases", clean, action=f"case from clue {candidate_id}")
            stored = tx.get("cases", str(clean.iloc[0]["case_id"]))
            ev = make_event({"event_type": "clue_registered", "event_date": today.isoformat(), "actor": who.name,
                             "details": {"channel": CHANNEL, "candidate_id": candidate_id,
                                         "break_year": int(cand["break_year"]), "area_ha": float(cand["area_ha"]),
                                         "index_drop": cand.get("index_drop"),
                                         "inside": cand.get("inside") or []}},
                            source=f"clue {candidate_id}")
            updated, _ = history.record(tx, stored, [], [ev], who.name, profile_for(stored, [ev]), today)
            tx.update("clue_candidates", candidate_id, {"status": "accepted", "case_id": updated["case_id"],
                                                        "decided_by": who.name, "decided_at": config.now_utc()},
                      action="clue accepted as a case")
            return updated

        return tx.once(request_id, "clue.accept", write)


def dismiss_candidate(store: Store, candidate_id: str, reason: str, actor, request_id: str | None = None) -> dict:
    """A person dismisses a candidate clue, with the reason (audited). Needs ``case.event``."""
    text = (reason or "").strip()
    if not text:
        raise InputError(Issue("a dismissal needs its reason", source=f"clue {candidate_id}", field="reason"))
    county = store.get("clue_candidates", candidate_id).get("county")
    who = access.require(actor, "case.event", store, region=str(county) if county else None)
    with store.transaction(who.name) as tx:
        def write() -> dict:
            _open_candidate(tx, candidate_id)
            frame = pd.DataFrame([{"candidate_id": candidate_id, "status": "dismissed", "break_year": 0,
                                   "area_ha": 0.0, "found_at": config.now_utc(), "dismiss_reason": text}])
            frame.attrs.update(source=f"clue {candidate_id}", row_start=1, row_label="dismissal")
            clean = validate_frame("clue_candidates", frame, source=f"clue {candidate_id}").frame  # checked text
            changes = {"status": "dismissed", "dismiss_reason": clean.iloc[0]["dismiss_reason"],
                       "decided_by": who.name, "decided_at": config.now_utc()}
            tx.update("clue_candidates", candidate_id, changes, action="clue dismissed")
            row = tx.get("clue_candidates", candidate_id)
            return {k: v for k, v in row.items() if k not in ("chip_before", "chip_after")}

        return tx.once(request_id, "clue.dismiss", write)


__all__ = ["CHANNEL", "RESTORATION_ROLES", "accept_candidate", "candidate_id", "candidates", "dismiss_candidate",
           "find_candidates", "save_candidates", "sensitive_areas"]
