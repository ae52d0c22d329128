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
from .errors import ScenarioError
from .scenario import Scenario, Side, horizon_year
from .units import HA_PER_UNIT

HEADLINES = ("debit", "debit_value", "credit_per_unit", "required_scale", "required_area_ha")


@dataclass
class Evaluation:
    """Totals for each draw (arrays of shape (n,)); yearly tables for draw 0 when asked."""

    totals: dict[str, np.ndarray | None]
    debit_table: pd.DataFrame | None = None
    credit_table: pd.DataFrame | None = None


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


def evaluate(scn: Scenario, values: Mapping[str, np.ndarray], *, detail: bool = False) -> Evaluation:
    """Evaluate a scenario for every draw in ``values`` (param path → array of shape (1,) or (n,)).

    Returns totals in the units of ``docs/scenario-format.md``: debit (ha·yr or units), debit_value
    (yuan), credit_per_unit (per replacement unit), required_scale (replacement unit),
    required_area_ha (ha). Raises :class:`ScenarioError` when the replacement never gains.
    """
    rate = values[scn.discount_rate.path]
    inj, rep, variant = scn.injury, scn.replacement, scn.variant
    totals: dict[str, np.ndarray | None] = dict.fromkeys(HEADLINES)

    # -- debit -----------------------------------------------------------------------------
    if variant == "resource":
        ds = _schedule(inj, scn.timing, inj.quantity)
        dw = schedule_weights(ds, scn.base_year, rate)
        lost = inj.quantity.at(values, ds.read_at)                      # units / yr
        debit = discounted_sum(lost, dw)                                 # units
        if detail:
            debit_table = _table(ds, {"level": lost, "loss": lost, "weight": dw, "contribution": lost * dw})
    else:
        ds = _schedule(inj, scn.timing, inj.levels, inj.baseline)
        dw = schedule_weights(ds, scn.base_year, rate)
        b = inj.baseline.at(values, ds.read_at)
        x = inj.levels.at(values, ds.read_at)
        loss = np.maximum(0.0, (b - x) / b)                              # fraction of full service
        area_ha = _col(values, inj.area)[:, 0] * HA_PER_UNIT[inj.area_unit]
        debit = area_ha * discounted_sum(loss, dw)                       # ha·yr
        if variant.startswith("value"):
            uv = _col(values, inj.unit_value)[:, 0]
            totals["debit_value"] = uv * debit                           # yuan at the base year
        if detail:
            cols = {"baseline": b, "level": x, "loss": loss, "weight": dw,
                    "contribution": area_ha.reshape(-1, 1) * loss * dw}
            if variant.startswith("value"):
                cols["value_contribution"] = uv.reshape(-1, 1) * area_ha.reshape(-1, 1) * loss * dw
            debit_table = _table(ds, cols)
    totals["debit"] = debit

    # -- credit ----------------------------------------------------------------------------
    credit_table = None
    if variant == "value_to_cost":
        cost = _col(values, rep.unit_cost)[:, 0]                         # yuan per replacement unit
        credit = cost
        numerator = totals["debit_value"]
    elif variant == "resource":
        cs = _schedule(rep, scn.timing, rep.quantity)
        cw = schedule_weights(cs, scn.base_year, rate)
        g = rep.quantity.at(values, cs.read_at)                          # units / yr / project unit
        rv = _col(values, rep.relative_value)
        credit = rv[:, 0] * discounted_sum(g, cw)                        # units per project unit
        numerator = debit
        if detail:
            credit_table = _table(cs, {"level": g, "gain": rv * g, "weight": cw, "contribution": rv * g * cw})
        _check_gains(credit, "replacement.units_per_project_unit",
                     f"the replacement adds no units between {rep.start_year} and {_end(rep)}")
    else:
        cs = _schedule(rep, scn.timing, rep.levels, inj.baseline)
        cw = schedule_weights(cs, scn.base_year, rate)
        bref = inj.baseline.at(values, cs.read_at)
        y = rep.levels.at(values, cs.read_at)
        y0 = _col(values, rep.initial_level)
        rv = _col(values, rep.relative_value)
        h = HA_PER_UNIT[rep.area_unit]
        rise = np.maximum(0.0, y - y0) / bref                            # fraction of full service
        credit = h * rv[:, 0] * discounted_sum(rise, cw)                 # ha·yr per replacement unit
        _check_gains(credit, "replacement.levels",
                     f"the replacement never rises above its initial level between {rep.start_year} and "
                     f"{_end(rep)}, so no scale of it can offset the loss")
        numerator = debit
        if variant == "value_to_value":
            ruv = _col(values, rep.unit_value)[:, 0]
            credit_service = credit
            credit = ruv * credit_service                                # yuan per replacement unit
            numerator = totals["debit_value"]
            _check_gains(credit, "replacement.unit_value", "the replacement's unit value is 0, so it earns no credit")
        if detail:
            cols = {"baseline": bref, "initial_level": np.broadcast_to(y0, y.shape), "level": y, "gain": rv * rise, "weight": cw, "contribution": h * rv * rise * cw}
            if variant == "value_to_value":
                cols["value_contribution"] = ruv.reshape(-1, 1) * h * rv * rise * cw
            credit_table = _table(cs, cols)

    scale = numerator / credit
    totals["credit_per_unit"] = np.broadcast_to(credit, np.shape(scale)).astype(float)
    totals["required_scale"] = scale
    if variant != "resource" or rep.area_unit_given:
        totals["required_area_ha"] = scale * HA_PER_UNIT[rep.area_unit]
    n = max(np.size(v) for v in totals.values() if v is not None)
    totals = {k: (None if v is None else np.broadcast_to(np.asarray(v, dtype=float), (n,)).copy())
              for k, v in totals.items()}
    return Evaluation(totals, debit_table if detail else None, credit_table if detail else None)


def _end(side: Side) -> str:
    return "perpetuity" if side.perpetuity else str(side.end_year)


def _check_gains(credit: np.ndarray, path: str, message: str) -> None:
    bad = np.asarray(credit) <= 0
    if bad.any():
        if bad.size > 1:
            message = f"in {int(bad.sum())} of {bad.size} Monte Carlo draws {message}"
        raise ScenarioError(path, message)
