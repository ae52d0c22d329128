"""Base-site selection (替代修复基地选址): rank bank projects for a case's alternative restoration.

For every candidate project, :func:`rank_candidates` reports, vectorised over candidates:

* eligibility and why not — ecosystem substitution (``substitution.toml``), status, remaining
  capacity, watershed / county / distance rules of the case's rule profile (``rules``), and
  whether the equivalence engine finds any credit;
* the **required amount** at that candidate from the case's debit and the candidate's own
  trajectory and relative value, by :func:`equivalence.batch.evaluate_batch` (the same core as
  ``run_scenario``): equal-service for area units, equal-value (value-to-cost) for resource
  units such as tCO2e; and the cost (required amount × unit cost, yuan);
* distance from the damaged site (km, polygon to polygon in the damaged site's UTM zone) and
  years to full service (from the replacement start year);
* a score in [0, 1] with its breakdown: ``score_<k>`` is component k in [0, 1] and
  ``points_<k>`` = weight_k × score_k / Σ weights, so the points add up to ``score``.
  Components: cost (cheapest eligible / cost), distance (exp(−d / distance_scale_km)), time
  (1 / (1 + years / time_scale_years)), match (substitution quality) and locality (share of the
  "preferred" same-watershed / same-county rules met).

When no eligible candidate can take the outstanding obligation alone, :func:`propose_split`
spreads it over several, best score first.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from equivalence import parse_scenario
from equivalence.batch import evaluate_batch
from equivalence.units import HA_PER_UNIT

from ..store import Store
from . import _common, eligibility, ledger, reasons, scenarios
from .eligibility import CaseSite, case_site
from .registry import check_trajectory
from ..profiles.siting import WEIGHT_KEYS, siting_rules

EPS = 1e-9


def _years_to_full(levels: Sequence[Sequence[Sequence[float]]], start: np.ndarray) -> np.ndarray:
    """Calendar year at which each trajectory first reaches its highest level, minus ``start``."""
    out = np.fromiter((max(pts, key=lambda p: p[1])[0] for pts in levels), dtype=float, count=len(levels))
    return np.maximum(out - start, 0.0)


@dataclass
class _Required:
    """The equivalence at every candidate: its calendar trajectory, the credit per capacity unit,
    the amount required for the whole debit, and the debit itself (service and value)."""

    start: np.ndarray
    rep_start: int
    levels: list
    bad_trajectory: np.ndarray
    no_unit_value: np.ndarray
    method: np.ndarray
    credit: np.ndarray
    required: np.ndarray
    required_ha: np.ndarray
    debit: float
    debit_value: float | None


def _required(c: pd.DataFrame, scenario: Mapping[str, Any], is_area: np.ndarray, unit: np.ndarray) -> _Required:
    """Required amount at each candidate by :func:`equivalence.batch.evaluate_batch`: equal
    service for area units, equal value (value-to-cost) for resource units."""
    n = len(c)
    service = scenarios.service_template(scenario)
    rep_start = int(service["replacement"]["start_year"])
    start = c["start_year"].to_numpy(dtype=float) if "start_year" in c else np.full(n, np.nan)
    start = np.where(np.isnan(start), rep_start, start)
    trajectories = c["trajectory"].to_numpy(dtype=object)
    bad_traj = np.array([t is not None and check_trajectory(t) is not None for t in trajectories], dtype=bool)
    levels = [scenarios.calendar_levels(t if not bad else None, int(s))
              for t, s, bad in zip(trajectories, start, bad_traj)]
    credit = np.full(n, np.nan)
    required = np.full(n, np.nan)
    required_ha = np.full(n, np.nan)
    area_rows = np.flatnonzero(is_area & ~bad_traj)
    debit_value = None
    if area_rows.size:
        y0_default = parse_scenario(service).replacement.initial_level.point
        y0 = np.array([(trajectories[i] or {}).get("initial_level", y0_default) for i in area_rows], dtype=float)
        rv = c["relative_value"].to_numpy(dtype=float)[area_rows]
        rv = np.where(np.isnan(rv), 1.0, rv)
        res = evaluate_batch(service, levels=[levels[i] for i in area_rows], relative_value=rv, initial_level=y0)
        per_unit = np.array([HA_PER_UNIT[u] for u in unit[area_rows]])
        credit[area_rows] = res.credit_per_unit * per_unit          # ha·yr per capacity unit
        required_ha[area_rows] = res.required_area_ha
        required[area_rows] = res.required_area_ha / per_unit
        debit = float(res.debit[0])
    else:
        debit = float(evaluate_batch(service, n=1).debit[0])
    value_rows = np.flatnonzero(~is_area)
    vt = scenarios.value_template(scenario)
    no_value = np.zeros(n, dtype=bool)
    if value_rows.size:
        if vt is None:
            no_value[value_rows] = True
        else:
            res = evaluate_batch(vt, unit_cost=c["unit_cost_yuan"].to_numpy(dtype=float)[value_rows])
            credit[value_rows] = res.credit_per_unit                 # yuan per capacity unit
            required[value_rows] = res.required_scale
            debit_value = float(res.debit_value[0])
    if debit_value is None and vt is not None:
        debit_value = float(evaluate_batch(vt, n=1).debit_value[0])
    return _Required(start=start, rep_start=rep_start, levels=levels, bad_trajectory=bad_traj, no_unit_value=no_value,
                     method=np.where(is_area, "service", "value_to_cost").astype(object), credit=credit,
                     required=required, required_ha=required_ha, debit=debit, debit_value=debit_value)


def _components(eligible: np.ndarray, cost: np.ndarray, years: np.ndarray, place, rules: Mapping[str, Any],
                prefer_ws: bool, prefer_county: bool) -> dict[str, np.ndarray]:
    """The score's components in [0, 1]: cost, distance, time, match and locality."""
    comp = {}
    ok_cost = eligible & np.isfinite(cost) & (cost > 0)
    best = cost[ok_cost].min() if ok_cost.any() else np.nan
    comp["cost"] = np.where(ok_cost, best / np.where(ok_cost, cost, 1.0), np.where(eligible & (cost == 0), 1.0, 0.0))
    comp["distance"] = np.exp(-place.distance_km / float(rules["distance_scale_km"]))
    comp["time"] = 1.0 / (1.0 + years / float(rules["time_scale_years"]))
    comp["match"] = np.nan_to_num(place.quality, nan=0.0)
    parts = [x for x, prefer in ((place.same_watershed, prefer_ws), (place.same_county, prefer_county)) if prefer]
    comp["locality"] = np.mean(parts, axis=0) if parts else np.ones(len(cost))
    return comp


def _ranked(out: pd.DataFrame) -> pd.DataFrame:
    """Eligible candidates first, best score first, then by project id; ranks 1… for the eligible
    ones (missing, not 0, for the others)."""
    n = len(out)
    order = np.lexsort((out["project_id"].to_numpy(), -np.nan_to_num(out["score"].to_numpy(), nan=-1.0),
                        ~out["eligible"].to_numpy()))
    out = out.iloc[order].reset_index(drop=True)
    out.insert(0, "rank", pd.array(np.where(out["eligible"], np.arange(1, n + 1), 0), dtype="Int64"))
    out.loc[~out["eligible"], "rank"] = pd.NA
    return out


def rank_candidates(site: CaseSite, candidates: pd.DataFrame, scenario: Mapping[str, Any],
                    rules: Mapping[str, Any], *, covered_fraction: float = 0.0,
                    table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rank ``candidates`` (bank projects with ``allocated``/``remaining``, as from
    :func:`restoration.bank.ledger.bank_table`) for the damage at ``site`` — pure, vectorised.

    ``covered_fraction`` is the share of the debit already covered by the case's allocations;
    ``needed_amount`` is what is still outstanding at each candidate.
    """
    n = len(candidates)
    c = candidates.reset_index(drop=True)
    unit = c["capacity_unit"].astype(str).to_numpy()
    status = c["status"].astype(str).to_numpy()
    remaining = c["remaining"].to_numpy(dtype=float)
    is_area = np.isin(unit, list(HA_PER_UNIT))

    # -- the rules of place (ecosystem substitution, watershed / county / distance), status, capacity
    place = eligibility.place_codes(site, c, rules, table)
    codes: dict[str, np.ndarray] = {"ecosystem_mismatch": place.codes["ecosystem_mismatch"]}
    codes["status"] = ~np.isin(status, list(rules["allowed_statuses"]))
    codes["full"] = remaining <= EPS * np.maximum(1.0, c["capacity"].to_numpy(dtype=float))
    for code in ("other_watershed", "other_county", "too_far"):
        codes[code] = place.codes[code]

    req = _required(c, scenario, is_area, unit)
    codes["bad_trajectory"] = req.bad_trajectory
    codes["no_unit_value"] = req.no_unit_value
    codes["no_credit"] = ~req.bad_trajectory & ~req.no_unit_value & ~np.isfinite(req.required)

    blocking = np.zeros(n, dtype=bool)
    for mask in codes.values():
        blocking |= mask
    eligible = ~blocking
    needed_fraction = max(0.0, 1.0 - covered_fraction)
    needed = req.required * needed_fraction
    fits = eligible & (remaining + EPS >= needed)
    # a preference for the damaged site's own watershed (county) says nothing when that is unknown
    # (no watershed layer): it is then neither reported on every row nor scored
    prefer_ws = rules["watershed"] == "preferred" and site.watershed is not None
    prefer_county = rules["county"] == "preferred" and site.county is not None
    codes_info = {"short": eligible & ~fits,
                  "other_watershed_preferred": (~place.same_watershed) & prefer_ws,
                  "other_county_preferred": (~place.same_county) & prefer_county}

    # -- score --------------------------------------------------------------------------------
    cost = needed * c["unit_cost_yuan"].to_numpy(dtype=float)
    years = _years_to_full(req.levels, np.full(n, req.rep_start))
    weights = {k: float(rules["weights"].get(k, 0.0)) for k in WEIGHT_KEYS}
    wsum = sum(weights.values())
    comp = _components(eligible, cost, years, place, rules, prefer_ws, prefer_county)
    out = pd.DataFrame({
        "project_id": c["project_id"], "name": c["name"], "kind": c["kind"],
        "ecosystem_type": c["ecosystem_type"], "status": status, "capacity": c["capacity"].to_numpy(dtype=float),
        "capacity_unit": unit, "allocated": c["allocated"].to_numpy(dtype=float), "remaining": remaining,
        "eligible": eligible, "fits_alone": fits,
        "match_quality": place.quality, "watershed": c["watershed"].to_numpy(dtype=object),
        "county": c["region"].to_numpy(dtype=object),
        "same_watershed": place.same_watershed, "same_county": place.same_county, "method": req.method,
        "credit_per_unit": req.credit, "required_amount": req.required, "required_area_ha": req.required_ha,
        "needed_amount": needed, "unit_cost_yuan": c["unit_cost_yuan"].to_numpy(dtype=float), "cost_yuan": cost,
        "distance_km": place.distance_km, "start_year": req.start.astype(int), "years_to_full_service": years,
    })
    score = np.zeros(n)
    for k in WEIGHT_KEYS:
        s = np.where(eligible, comp[k], np.nan)
        out[f"score_{k}"] = s
        out[f"points_{k}"] = weights[k] * s / wsum
        score = score + np.nan_to_num(weights[k] * s / wsum)
    out["score"] = np.where(eligible, score, np.nan)
    codes_zh_en = reasons.reasons(out, site, rules, {**codes, **codes_info})
    out["reason_codes"], out["reasons_zh"], out["reasons_en"] = codes_zh_en
    out["reasons"] = [[f"{z} / {e}" for z, e in zip(zs, es)] for zs, es in zip(codes_zh_en[1], codes_zh_en[2])]
    out = _ranked(out)
    out.attrs.update(debit=req.debit, debit_value=req.debit_value, covered_fraction=covered_fraction,
                     needed_fraction=needed_fraction, weights=weights)
    return out


def propose_split(table: pd.DataFrame, needed_fraction: float | None = None) -> pd.DataFrame:
    """Spread the outstanding obligation over eligible candidates, best score first.

    Each candidate takes ``min(remaining, still-needed fraction × required_amount)``; the fraction
    of the debit it covers is amount / required_amount. ``attrs["shortfall_fraction"]`` is what
    no candidate can take (0 when the split covers everything).
    """
    need = table.attrs.get("needed_fraction", 1.0) if needed_fraction is None else needed_fraction
    rows = []
    left = float(need)
    for r in table[table["eligible"]].sort_values("score", ascending=False).itertuples(index=False):
        if left <= EPS:
            break
        take = min(float(r.remaining), left * float(r.required_amount))
        if take <= EPS:
            continue
        frac = take / float(r.required_amount)
        rows.append({"project_id": r.project_id, "name": r.name, "amount": take, "unit": r.capacity_unit,
                     "fraction": frac, "cost_yuan": take * float(r.unit_cost_yuan),
                     "distance_km": float(r.distance_km), "score": float(r.score)})
        left -= frac
    out = pd.DataFrame(rows, columns=["project_id", "name", "amount", "unit", "fraction", "cost_yuan",
                                      "distance_km", "score"])
    out.attrs["shortfall_fraction"] = max(0.0, left)
    return out


@dataclass
class Ranking:
    """The result of :func:`rank_base_sites`."""

    case_id: str
    site: CaseSite
    scenario: dict
    scenario_source: str
    rules: dict
    table: pd.DataFrame
    split: pd.DataFrame | None
    covered: pd.DataFrame

    @property
    def debit(self) -> float:
        return self.table.attrs["debit"]

    @property
    def covered_fraction(self) -> float:
        return self.table.attrs["covered_fraction"]

    @property
    def best(self) -> pd.Series | None:
        fit = self.table[self.table["fits_alone"]]
        return None if fit.empty else fit.iloc[0]

    def to_dict(self, *, top: int | None = None) -> dict:
        table = self.table if top is None else self.table.head(top)
        candidates = table.to_dict(orient="records")
        for row in candidates:  # unranked (ineligible) candidates: null, not "<NA>"
            row["rank"] = None if pd.isna(row["rank"]) else int(row["rank"])
        return _common.json_safe({
            "case_id": self.case_id,
            "damaged_site": {"site_ids": self.site.site_ids, "ecosystem_type": self.site.ecosystem_type,
                             "area_ha": self.site.area_ha, "watershed": self.site.watershed,
                             "county": self.site.county},
            "scenario_source": self.scenario_source,
            "debit": self.debit, "debit_unit": "ha·yr (discounted service hectare-years)",
            "debit_value_yuan": self.table.attrs.get("debit_value"),
            "covered_fraction": self.covered_fraction, "needed_fraction": self.table.attrs["needed_fraction"],
            "rules": self.rules, "weights": self.table.attrs["weights"],
            "candidates": candidates,
            "split": None if self.split is None else {
                "projects": self.split.to_dict(orient="records"),
                "shortfall_fraction": self.split.attrs["shortfall_fraction"]},
            "covered": self.covered.to_dict(orient="records"),
        })


def _covered(table: pd.DataFrame, allocs: pd.DataFrame) -> pd.DataFrame:
    """The case's open allocations with the fraction of the debit each covers. An allocation at a
    project that breaks a rule of place (:data:`eligibility.PLACE_CODES`: its ecosystem cannot
    substitute the damaged one, or it lies outside the allowed area) covers nothing:
    ``counted`` is False, ``fraction`` 0 and ``not_counted_zh`` / ``not_counted_en`` say why."""
    by_project = table.set_index("project_id")
    out = allocs[["allocation_id", "project_id", "amount", "unit", "state", "cost_yuan", "escrow_id"]].copy()
    out["required_amount"] = out["project_id"].map(by_project["required_amount"]).to_numpy(dtype=float)
    fraction = np.where(out["required_amount"] > 0, out["amount"] / out["required_amount"], np.nan)
    why = {pid: [(zh, en) for code, zh, en in zip(r["reason_codes"], r["reasons_zh"], r["reasons_en"])
                 if code in eligibility.PLACE_CODES]
           for pid, r in by_project[["reason_codes", "reasons_zh", "reasons_en"]].iterrows()}
    broken = [why.get(pid, []) for pid in out["project_id"]]
    out["counted"] = [not b for b in broken]
    out["fraction"] = np.where(out["counted"], fraction, 0.0)
    out["not_counted_zh"] = ["；".join(zh for zh, _ in b) or None for b in broken]
    out["not_counted_en"] = ["; ".join(en for _, en in b) or None for b in broken]
    return out.reset_index(drop=True)


def rank_base_sites(store: Store, case_id: str, *, weights: Mapping[str, float] | None = None,
                    rules: Mapping[str, Any] | None = None, scenario: Mapping[str, Any] | None = None,
                    project_ids: Sequence[str] | None = None, substitution_table: pd.DataFrame | None = None
                    ) -> Ranking:
    """Rank the bank's projects for ``case_id``'s alternative restoration.

    ``weights`` (cost, distance, time, match, locality) and ``rules`` override the case's rule
    profile (``restoration/profiles/siting.toml``); ``scenario`` overrides the case's stored scenario;
    ``project_ids`` limits the candidates. Returns a :class:`Ranking` whose ``table`` has one row
    per candidate and whose ``split`` proposes several projects when none fits alone.
    """
    site = case_site(store, case_id)
    sc = {"scenario": dict(scenario), "source": "given"} if scenario is not None else \
        scenarios.case_scenario(store, case_id)
    rule_set = siting_rules(site.profile, rules, weights)
    bank = ledger.bank_table(store)
    allocs = ledger.allocations(store, case_id=case_id, states=ledger.OPEN_STATES)
    # covered fraction needs every project the case holds capacity in, so rank all, then filter
    table = rank_candidates(site, bank, sc["scenario"], rule_set, table=substitution_table)
    covered = _covered(table, allocs)
    fraction = float(np.nansum(covered["fraction"])) if not covered.empty else 0.0
    if fraction > 0:
        table = rank_candidates(site, bank, sc["scenario"], rule_set, covered_fraction=fraction,
                                table=substitution_table)
    if project_ids is not None:
        keep = set(project_ids)
        attrs = dict(table.attrs)
        table = table[table["project_id"].isin(keep)].reset_index(drop=True)
        table["rank"] = pd.array(np.cumsum(table["eligible"]), dtype="Int64")
        table.loc[~table["eligible"], "rank"] = pd.NA
        table.attrs.update(attrs)
    split = None
    if table.attrs["needed_fraction"] > EPS and not table["fits_alone"].any():
        split = propose_split(table)
    return Ranking(case_id, site, sc["scenario"], sc["source"], rule_set, table, split, covered)


def rank_base_sites_dict(store: Store, case_id: str, weights: tuple[tuple[str, float], ...] | None = None) -> dict:
    """:func:`rank_base_sites` as plain data (what a cached dashboard call can hold)."""
    r = rank_base_sites(store, case_id, weights=dict(weights) if weights else None)
    return {"table": r.table, "split": r.split, "covered": r.covered, "debit": r.debit,
            "covered_fraction": r.covered_fraction, "scenario_source": r.scenario_source,
            "site_ids": list(r.site.site_ids),
            "shortfall": None if r.split is None else r.split.attrs.get("shortfall_fraction", 0.0)}
