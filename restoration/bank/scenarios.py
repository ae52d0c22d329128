"""A case's equivalence scenario (its debit) and the scenario of each candidate bank project.

Where the debit lives: the ``case_scenarios`` layer holds one scenario-format-v1 mapping per case
and purpose (``alternative_restoration``); the newest one is used. Its injury is the debit; its
replacement part is the case's template (start year, end year, initial level) into which each
candidate project's own trajectory and relative value are put. When a case has none stored, a
default equal-service injury is *derived* from its damaged sites (see :func:`derive_scenario`)
and marked ``source: derived`` so no one mistakes it for an appraisal.

Candidates in area units use equal-service (HEA); candidates in resource units (tCO2e, fish fry)
use equal-value, value-to-cost (the value of the loss buys that many units at the project's unit
cost), which needs ``injury.unit_value`` (yuan ha⁻¹ yr⁻¹) in the case scenario.
"""
from __future__ import annotations

import copy
from datetime import date
from typing import Any, Mapping

import pandas as pd

from equivalence import ScenarioError, parse_scenario
from equivalence.params import parse_scalar

from .. import config
from ..errors import InputError, Issue, NotFoundError
from ..messages import Message, Term, scenario_problem
from ..store import Store, Transaction
from .. import access
from . import _common
from .units import is_area
from .. import config

PURPOSE = "alternative_restoration"
#: years natural recovery takes in a derived default injury, by damaged ecosystem
DEFAULT_RECOVERY_YEARS = {"forest": 30, "karst_grassland": 30, "grassland": 8, "wetland": 20,
                          "riparian_buffer": 10, "river": 5, "lake_reservoir": 10, "mangrove": 25,
                          "farmland_soil": 15, "mine_land": 30, "urban_green": 5}
DEFAULT_DISCOUNT_RATE = 0.03
DEFAULT_RAMP_YEARS = 5


def case_scenario(store: Store | Transaction, case_id: str, *, derive: bool = True) -> dict:
    """The case's stored scenario (``{"scenario": ..., "source": ..., "scenario_id": ...}``), or a
    derived default (``source: "derived"``) when none is stored and ``derive`` is true."""
    rows = store.read("case_scenarios", case_id=case_id, purpose=PURPOSE)
    if not rows.empty:
        row = rows.iloc[-1]
        return {"scenario_id": row["scenario_id"], "scenario": row["scenario"],
                "source": row["source"] or "stored"}
    if not derive:
        raise NotFoundError(f"case '{case_id}' has no stored equivalence scenario")
    return {"scenario_id": None, "scenario": derive_scenario(store, case_id), "source": "derived"}


def derive_scenario(store: Store | Transaction, case_id: str) -> dict:
    """A default equal-service scenario from the case's damaged sites, for when none is stored.

    Injury: the damaged area (ha, sum of the case's ``damaged`` sites) loses all service in the
    incident year and recovers linearly to baseline over ``DEFAULT_RECOVERY_YEARS`` of its
    ecosystem; base year and replacement start two years after the incident; 3 % real discount
    rate (common practice; DESIGN.md); replacement in perpetuity. A placeholder, to be replaced
    by the appraisal's scenario (``restoration bank scenario set``).
    """
    case = store.get("cases", case_id)
    damaged = store.read("sites", case_id=case_id, role="damaged")
    if damaged.empty:
        raise InputError(Issue(Message("bank.no_debit", {"case": case_id}), source="case_scenarios"))
    area = float(damaged["area_ha"].sum())
    eco = damaged.sort_values("area_ha").iloc[-1]["ecosystem_type"]
    incident = case.get("incident_date") or case.get("discovered_date")
    year = date.fromisoformat(str(incident)).year if incident else config.today().year
    recovery = DEFAULT_RECOVERY_YEARS.get(eco, 20)
    return {
        "schema_version": 1, "method": "service", "case_id": case_id,
        "title": f"derived default for {case_id}: {eco}, {area:.2f} ha, recovery {recovery} years",
        "base_year": year + 2, "discount_rate": DEFAULT_DISCOUNT_RATE,
        "injury": {"area": round(area, 4), "area_unit": "ha", "start_year": year, "end_year": year + recovery,
                   "levels": [[year, 0.0], [year + recovery, 1.0]]},
        "replacement": {"start_year": year + 2, "end_year": "perpetuity",
                        "levels": [[year + 2, 0.0], [year + 2 + DEFAULT_RAMP_YEARS, 1.0]]},
    }


def set_case_scenario(store: Store | Transaction, case_id: str, scenario: Mapping[str, Any], *,
                      source: str | None = None, actor: str = "system", request_id: str | None = None) -> str:
    """Store ``scenario`` (checked by the equivalence engine) as the case's scenario; returns its id.
    A ``request_id`` already used stores nothing again and returns the id stored then."""
    try:
        parse_scenario(scenario)
    except ScenarioError as exc:
        raise InputError(Issue(Message("case.invalid_scenario", {"problem": scenario_problem(exc)}),
                               source=Message("where.case", {"case": case_id}))) from exc
    actor = access.require(actor, "scenario.edit", store, case_id=case_id).name
    with _common.transaction(store, actor) as tx:
        def write() -> str:
            tx.get("cases", case_id)
            sid = _common.next_id(tx, "case_scenarios", "scenario_id", "SC-", 4)
            frame = pd.DataFrame([{"scenario_id": sid, "case_id": case_id, "purpose": PURPOSE,
                                   "scenario": dict(scenario), "source": source}])
            tx.insert("case_scenarios", frame)
            return sid

        return tx.once(request_id, "scenario.save", write)


def unit_value(scenario: Mapping[str, Any]) -> float | None:
    """``injury.unit_value`` (yuan ha⁻¹ yr⁻¹) as a point number, or None."""
    uv = scenario.get("injury", {}).get("unit_value")
    if uv is None:
        return None
    if isinstance(uv, Mapping):  # a distribution: use its point estimate via the engine's parser
        return None if "dist" not in uv else _point(uv)
    return float(uv)


def _point(spec: Mapping[str, Any]) -> float:
    return parse_scalar(spec, "injury.unit_value").point


def service_template(scenario: Mapping[str, Any]) -> dict:
    """The equal-service scenario a candidate in area units is measured with: the case's injury
    and replacement years, whatever method the case scenario itself uses (its unit values are
    dropped; a resource scenario has no area injury and is refused)."""
    s = copy.deepcopy(dict(scenario))
    method = str(s.get("method", "")).lower()
    if method in ("resource", "rea", "equal_resource"):
        raise InputError(Issue(Message("bank.resource_not_sited"), source="case_scenarios"))
    s["method"] = "service"
    s.pop("mode", None)
    s.pop("uncertainty", None)
    s["injury"] = {k: v for k, v in s["injury"].items() if k != "unit_value"}
    rep = {k: v for k, v in s["replacement"].items() if k not in ("unit_value", "unit_cost")}
    # a value-to-cost case scenario has no replacement years: the bank's defaults apply
    rep.setdefault("start_year", s["base_year"])
    rep.setdefault("end_year", "perpetuity")
    rep.setdefault("levels", [[int(rep["start_year"]), 0.0], [int(rep["start_year"]) + DEFAULT_RAMP_YEARS, 1.0]])
    rep["area_unit"] = "ha"
    s["replacement"] = rep
    return s


def value_template(scenario: Mapping[str, Any]) -> dict | None:
    """The value-to-cost scenario for candidates in resource units, or None without a unit value."""
    if unit_value(scenario) is None:
        return None
    s = service_template(scenario)
    s["method"], s["mode"] = "value", "value_to_cost"
    s["injury"]["unit_value"] = copy.deepcopy(scenario["injury"]["unit_value"])
    s["replacement"] = {"unit_cost": 1.0}
    return s


def calendar_levels(trajectory: Mapping[str, Any] | None, start_year: int) -> list[list[float]]:
    """A bank trajectory (``{"levels": [[years since start, level], ...]}``) in calendar years."""
    pts = (trajectory or {}).get("levels") or [[0, 1.0]]
    return [[int(start_year + float(t)), float(v)] for t, v in pts]


def candidate_scenario(case_scenario: Mapping[str, Any], project: Mapping[str, Any]) -> dict:
    """The full scenario (format v1) that measures one bank project against the case's debit.

    ``run_scenario`` of it gives the same required amount as the project's row in
    :func:`restoration.bank.siting.rank_base_sites` (tested).
    """
    unit = project["capacity_unit"]
    if is_area(unit):
        s = service_template(case_scenario)
        rep = s["replacement"]
        start = project.get("start_year")
        start = int(rep["start_year"]) if start is None or pd.isna(start) else int(start)
        traj = project.get("trajectory") or {}
        rep["levels"] = calendar_levels(traj, start)
        rv = project.get("relative_value")  # unset (None / NaN): like for like, as in the ranking
        rep["relative_value"] = 1.0 if rv is None or pd.isna(rv) else float(rv)
        if traj.get("initial_level") is not None:
            rep["initial_level"] = float(traj["initial_level"])
        rep["area_unit"] = unit
        return s
    s = value_template(case_scenario)
    if s is None:
        raise InputError(Issue(Message("bank.value_needed", {"project": project["project_id"],
                                                             "unit": Term("unit", unit)}), source="case_scenarios"))
    s["replacement"] = {"unit_cost": float(project["unit_cost_yuan"])}
    return s
