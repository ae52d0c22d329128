"""Equal-service (HEA), equal-resource (REA) and equal-value (VEA) sums on the one core.

All formulas are DESIGN.md "Equivalence conventions (scenario format v1)"; w(t) and the
perpetuity tail are in :mod:`equivalence.discount`. Symbols: A injured area (ha), b(t) injured
baseline, x(t) injured level, y(t) replacement level, y0 its pre-project level, V relative value,
u unit value (yuan ha⁻¹ yr⁻¹ at full service), L(t) units lost per year, G(t) units gained per
year per project unit, h hectares per replacement unit (1/15 for mu).

* Equal-service debit (ha·yr):   D = A · Σ_t max(0, (b(t) − x(t)) / b(t)) · w(t)
* Equal-service credit (ha·yr per replacement unit):
  c = h · V · Σ_t max(0, y(t) − y0) / b_ref(t) · w(t), b_ref = the injured baseline
* Equal-resource debit (units):  D = Σ_t L(t) · w(t);   credit c = V · Σ_t G(t) · w(t)
* Equal-value, value-to-value:   D_v = u_inj · D (yuan);  c_v = u_rep · c (yuan per unit)
* Equal-value, value-to-cost:    D_v as above;  required scale = D_v / unit_cost
* Required scale = D / c (or D_v / c_v), in the replacement's unit; area in ha = scale · h.

This is the HEA scaling equation of NOAA's *Habitat Equivalency Analysis: An Overview*
(1995, rev. 2006) written as "present value of lost services = present value of gained services
× project size"; REMEDE (2008) uses the same debit/credit balance for REA and VEA, and GB/T
39791.1-2020 Annex B (等值分析方法) describes the equal-resource / equal-service / equal-value
variants. Those texts could not be checked for exact equation numbers here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from .discount import discounted_sum, make_schedule, schedule_weights
from .errors import Problem, invalid
from .scenario import Scenario, Side, horizon_year
from .units import HA_PER_UNIT

HEADLINES = ("debit", "debit_value", "credit_per_unit", "required_scale", "required_area_ha")


@dataclass
class Evaluation:
    """Totals for each draw (arrays of shape (n,)); yearly tables for draw 0 when asked.

    ``parts`` (several injury categories or replacement parcels): ``{"categories": [(name,
    debit array)], "parcels": [(name, share, credit-per-unit array)]}``.
    """

    totals: dict[str, np.ndarray | None]
    debit_table: pd.DataFrame | None = None
    credit_table: pd.DataFrame | None = None
    parts: dict | None = None


def _col(values: Mapping[str, np.ndarray], param) -> np.ndarray:
    """A scalar input as a column (k, 1) for broadcasting over years."""
    return np.asarray(values[param.path], dtype=float).reshape(-1, 1)


def _schedule(side: Side, timing: str, *trajectories):
    horizon = horizon_year(side.start_year, *trajectories) if side.perpetuity else None
    return make_schedule(side.start_year, side.end_year, timing, horizon)


def _table(schedule, columns: dict[str, np.ndarray]) -> pd.DataFrame:
    df = pd.DataFrame({"year": schedule.years, "read_at": schedule.read_at})
    for name, arr in columns.items():
        arr = np.asarray(arr, dtype=float)
        df[name] = np.broadcast_to(arr, (max(arr.shape[0], 1), schedule.years.size))[0] if arr.ndim == 2 else arr
    df["perpetuity_tail"] = schedule.tail
    return df


def _debit(scn: Scenario, inj: Side, values, detail: bool):
    """Debit of one injury category: (debit, debit_value or None, table or None)."""
    rate = values[scn.discount_rate.path]
    variant = scn.variant
    table = debit_value = None
    if variant == "resource":
        ds = _schedule(inj, scn.timing, inj.quantity)
        dw = schedule_weights(ds, scn.base_year, rate, scn.convention)
        lost = inj.quantity.at(values, ds.read_at)                      # units / yr
        debit = discounted_sum(lost, dw)                                 # units
        if detail:
            table = _table(ds, {"level": lost, "loss": lost, "weight": dw, "contribution": lost * dw})
        return debit, None, table
    ds = _schedule(inj, scn.timing, inj.levels, inj.baseline)
    dw = schedule_weights(ds, scn.base_year, rate, scn.convention)
    b = inj.baseline.at(values, ds.read_at)
    x = inj.levels.at(values, ds.read_at)
    loss = np.maximum(0.0, (b - x) / b)                                  # fraction of full service
    area_ha = _col(values, inj.area)[:, 0] * HA_PER_UNIT[inj.area_unit]
    debit = area_ha * discounted_sum(loss, dw)                           # ha·yr
    if variant.startswith("value"):
        uv = _col(values, inj.unit_value)[:, 0]
        debit_value = uv * debit                                         # yuan at the base year
    if detail:
        cols = {"baseline": b, "level": x, "loss": loss, "weight": dw,
                "contribution": area_ha.reshape(-1, 1) * loss * dw}
        if variant.startswith("value"):
            cols["value_contribution"] = uv.reshape(-1, 1) * area_ha.reshape(-1, 1) * loss * dw
        table = _table(ds, cols)
    return debit, debit_value, table


def _credit(scn: Scenario, rep: Side, values, detail: bool, prefix: str):
    """Credit per unit of one replacement parcel: (credit, table or None); value_to_value credit in
    yuan per unit, value_to_cost the unit cost."""
    rate = values[scn.discount_rate.path]
    inj, variant = scn.injury, scn.variant
    table = None
    if variant == "value_to_cost":
        return _col(values, rep.unit_cost)[:, 0], None                  # yuan per replacement unit
    if variant == "resource":
        cs = _schedule(rep, scn.timing, rep.quantity)
        cw = schedule_weights(cs, scn.base_year, rate, scn.convention)
        g = rep.quantity.at(values, cs.read_at)                          # units / yr / project unit
        rv = _col(values, rep.relative_value)
        credit = rv[:, 0] * discounted_sum(g, cw)                        # units per project unit
        if detail:
            table = _table(cs, {"level": g, "gain": rv * g, "weight": cw, "contribution": rv * g * cw})
        _check_gains(credit, f"{prefix}.units_per_project_unit",
                     Problem("no_gain_units", {"start": rep.start_year, "end": _end(rep)}))
        return credit, table
    cs = _schedule(rep, scn.timing, rep.levels, inj.baseline)
    cw = schedule_weights(cs, scn.base_year, rate, scn.convention)
    bref = inj.baseline.at(values, cs.read_at)
    y = rep.levels.at(values, cs.read_at)
    y0 = _col(values, rep.initial_level)
    rv = _col(values, rep.relative_value)
    h = HA_PER_UNIT[rep.area_unit]
    rise = np.maximum(0.0, y - y0) / bref                                # fraction of full service
    credit = h * rv[:, 0] * discounted_sum(rise, cw)                     # ha·yr per replacement unit
    _check_gains(credit, f"{prefix}.levels", Problem("no_gain_levels", {"start": rep.start_year, "end": _end(rep)}))
    if variant == "value_to_value":
        ruv = _col(values, rep.unit_value)[:, 0]
        credit = ruv * credit                                            # yuan per replacement unit
        _check_gains(credit, f"{prefix}.unit_value", Problem("no_gain_value"))
    if detail:
        cols = {"baseline": bref, "initial_level": np.broadcast_to(y0, y.shape), "level": y, "gain": rv * rise,
                "weight": cw, "contribution": h * rv * rise * cw}
        if variant == "value_to_value":
            cols["value_contribution"] = ruv.reshape(-1, 1) * h * rv * rise * cw
        table = _table(cs, cols)
    return credit, table


def evaluate(scn: Scenario, values: Mapping[str, np.ndarray], *, detail: bool = False) -> Evaluation:
    """Evaluate a scenario for every draw in ``values`` (param path → array of shape (1,) or (n,)).

    Returns totals in the units of ``docs/scenario-format.md``: debit (ha·yr or units), debit_value
    (yuan), credit_per_unit (per replacement unit), required_scale (replacement unit),
    required_area_ha (ha). Raises :class:`ScenarioError` when the replacement never gains.

    Several injury categories (NOAA-style graded injury) add up: ``D = Σ_i D_i``. Several
    replacement parcels split the project by share ``s_j`` (Σ s_j = 1): the composite credit per
    unit is ``c = Σ_j s_j c_j``, the total scale ``S = D / c`` and parcel j provides ``s_j S``.
    """
    rep, variant = scn.replacement, scn.variant
    totals: dict[str, np.ndarray | None] = dict.fromkeys(HEADLINES)
    multi = scn.multi

    # -- debit -----------------------------------------------------------------------------
    debits, tables = [], []
    for i, inj in enumerate(scn.all_injuries):
        d, dv, tab = _debit(scn, inj, values, detail)
        debits.append((inj.name or f"{i + 1}", d, dv))
        if tab is not None and multi:
            tab.insert(0, "category", inj.name or f"{i + 1}")
        tables.append(tab)
    debit = debits[0][1] if len(debits) == 1 else np.sum(np.broadcast_arrays(*[d for _, d, _ in debits]), axis=0)
    if variant.startswith("value"):
        dvs = [dv for _, _, dv in debits]
        totals["debit_value"] = dvs[0] if len(dvs) == 1 else np.sum(np.broadcast_arrays(*dvs), axis=0)
    totals["debit"] = debit
    debit_table = (tables[0] if len(tables) == 1 else pd.concat(tables, ignore_index=True)) if detail else None

    # -- credit ----------------------------------------------------------------------------
    parcels, ctables = [], []
    reps = scn.all_replacements
    for j, r in enumerate(reps):
        prefix = "replacement" if not scn.replacements else f"replacement[{j}]"
        c, tab = _credit(scn, r, values, detail, prefix)
        share = 1.0 if len(reps) == 1 else float(r.share.point)
        parcels.append((r.name or f"{j + 1}", share, c))
        if tab is not None and multi:
            tab.insert(0, "parcel", r.name or f"{j + 1}")
            tab.insert(1, "share", share)
        ctables.append(tab)
    if len(parcels) == 1:
        credit = parcels[0][2]
    else:
        credit = np.sum(np.broadcast_arrays(*[s * c for _, s, c in parcels]), axis=0)
    credit_table = None
    if detail and variant != "value_to_cost":
        credit_table = ctables[0] if len(ctables) == 1 else pd.concat(ctables, ignore_index=True)
    numerator = totals["debit_value"] if variant.startswith("value") else debit

    scale = numerator / credit
    totals["credit_per_unit"] = np.broadcast_to(credit, np.shape(scale)).astype(float)
    totals["required_scale"] = scale
    if variant != "resource" or rep.area_unit_given:
        totals["required_area_ha"] = scale * HA_PER_UNIT[rep.area_unit]
    n = max(np.size(v) for v in totals.values() if v is not None)
    totals = {k: (None if v is None else np.broadcast_to(np.asarray(v, dtype=float), (n,)).copy())
              for k, v in totals.items()}
    parts = None
    if multi:
        parts = {"categories": [(name, d, dv) for name, d, dv in debits],
                 "parcels": [(name, s, c) for name, s, c in parcels]}
    return Evaluation(totals, debit_table, credit_table, parts)


def _end(side: Side) -> str:
    return "perpetuity" if side.perpetuity else str(side.end_year)


def _check_gains(credit: np.ndarray, path: str, problem: Problem) -> None:
    bad = np.asarray(credit) <= 0
    if bad.any():
        if bad.size > 1:
            raise invalid(path, "in_draws", n=int(bad.sum()), size=bad.size, problem=problem)
        raise invalid(path, problem.code, **problem.params)
