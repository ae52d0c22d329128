"""Public entry points: :func:`run_scenario` and the per-method helpers."""
from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
from typing import Any, Mapping

from ._version import __version__
from .methods import evaluate
from .result import EquivalenceResult
from .errors import invalid
from .scenario import DEFAULT_DRAWS, MAX_DRAWS, Scenario, load_scenario, parse_scenario
from .uncertainty import monte_carlo, point_values


def _scalar(x) -> float | None:
    return None if x is None else float(x[0])


def run_scenario(scenario: Mapping[str, Any] | str | Path | Scenario, *, draws: int | None = None,
                 seed: int | None = None, chunk: int | None = None) -> EquivalenceResult:
    """Run one equivalence scenario (format v1) and return an :class:`EquivalenceResult`.

    Parameters
    ----------
    scenario : mapping, path or Scenario
        A scenario mapping, a YAML/JSON file path, or a parsed :class:`Scenario`.
    draws : int, optional
        Monte Carlo draws; overrides ``uncertainty.draws``. ``0`` turns Monte Carlo off.
    seed : int, optional
        Random seed; overrides ``uncertainty.seed``.

    The deterministic numbers use every scalar at its point value. Monte Carlo runs when draws
    > 0 are requested, or when the scenario holds distributions (then ``uncertainty.draws``
    defaults to 10,000 and ``seed`` to 0, noted in ``notes``).
    """
    if isinstance(scenario, Scenario):
        scn = scenario
    elif isinstance(scenario, (str, Path)):
        scn = load_scenario(scenario)
    else:
        scn = parse_scenario(scenario)
    notes = list(scn.notes)

    pv = point_values(scn)
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported by _check_finite
        ev = evaluate(scn, pv, detail=True)
    t = ev.totals

    _check_finite(t)
    n_draws = draws if draws is not None else scn.draws
    if n_draws is not None and n_draws > MAX_DRAWS:
        raise invalid("draws", "draws_too_many", n=n_draws, max=MAX_DRAWS)
    uncertain = scn.uncertain_params()
    if n_draws is None and uncertain:
        n_draws = DEFAULT_DRAWS
        notes.append(f"{len(uncertain)} inputs are distributions; ran {DEFAULT_DRAWS} Monte Carlo draws "
                     "(set uncertainty.draws to change)")
    the_seed = seed if seed is not None else scn.seed
    mc = None
    if n_draws:
        if the_seed is None:
            the_seed = 0
            notes.append("uncertainty.seed not given; used seed 0 so the run can be reproduced")
        if not uncertain:
            notes.append("no input is a distribution; Monte Carlo percentiles equal the deterministic result")
        mc = monte_carlo(scn, int(n_draws), int(the_seed), chunk=chunk or _chunk_for(ev))
    elif uncertain:
        notes.append(f"{len(uncertain)} inputs are distributions but Monte Carlo is off (draws = 0); "
                     "the results use their point values")

    if t["debit"] is not None and float(t["debit"][0]) == 0.0:
        notes.append("the injury causes no loss (debit 0): no replacement is required")

    rep = scn.replacement
    scale_unit = rep.area_unit if (scn.variant != "resource" or rep.area_unit_given) else "project_unit"
    trajectories = {path: tr.points(pv) for path, tr in scn.trajectories.items()}
    categories = parcels = None
    if ev.parts is not None:
        categories = [{"name": name, "debit": _scalar(d), "debit_value": _scalar(dv)}
                      for name, d, dv in ev.parts["categories"]]
        scale = _scalar(t["required_scale"])
        parcels = [{"name": name, "share": share, "credit_per_unit": _scalar(c),
                    "required_scale": None if scale is None else share * scale}
                   for name, share, c in ev.parts["parcels"]]
    return EquivalenceResult(
        method=scn.method, mode=scn.mode, base_year=scn.base_year, discount_rate=scn.discount_rate.point,
        timing=scn.timing, scale_unit=scale_unit,
        debit=_scalar(t["debit"]), debit_value=_scalar(t["debit_value"]),
        credit_per_unit=_scalar(t["credit_per_unit"]), required_scale=_scalar(t["required_scale"]),
        required_area_ha=_scalar(t["required_area_ha"]),
        debit_yearly=ev.debit_table, credit_yearly=ev.credit_table,
        inputs=copy.deepcopy(dict(scn.inputs)), trajectories=trajectories, version=__version__,
        monte_carlo=mc, notes=notes, source=dict(scn.source) if scn.source else None,
        convention=scn.convention, resource_unit=scn.resource_unit, categories=categories, parcels=parcels,
    )


def _chunk_for(ev) -> int:
    """Draws per Monte Carlo chunk so one chunk holds about 2·10⁷ numbers per yearly table."""
    rows = sum(len(tab) for tab in (ev.debit_table, ev.credit_table) if tab is not None) or 1
    return int(max(100, min(25_000, 20_000_000 // rows)))


def _check_finite(totals) -> None:
    for key, v in totals.items():
        if v is not None and not np.all(np.isfinite(v)):
            raise invalid(key, "not_finite_result")


def _build(method: str, injury: Mapping[str, Any], replacement: Mapping[str, Any], *, base_year: int,
           discount_rate: Any, mode: str | None = None, timing: str = "annual",
           uncertainty: Mapping[str, Any] | None = None, discount_convention: str = "compound",
           **kw) -> EquivalenceResult:
    def _copy(x):
        return [dict(i) for i in x] if isinstance(x, (list, tuple)) else dict(x)
    scn: dict[str, Any] = {"schema_version": 1, "method": method, "base_year": base_year,
                           "discount_rate": discount_rate, "timing": timing,
                           "injury": _copy(injury), "replacement": _copy(replacement)}
    if discount_convention != "compound":
        scn["discount_convention"] = discount_convention
    if mode is not None:
        scn["mode"] = mode
    if uncertainty is not None:
        scn["uncertainty"] = dict(uncertainty)
    return run_scenario(scn, **kw)


def service(injury: Mapping[str, Any], replacement: Mapping[str, Any], *, base_year: int, discount_rate: Any,
            timing: str = "annual", uncertainty: Mapping[str, Any] | None = None, **kw) -> EquivalenceResult:
    """Equal-service (HEA, 等服务) run from ``injury``/``replacement`` mappings (scenario keys)."""
    return _build("service", injury, replacement, base_year=base_year, discount_rate=discount_rate,
                  timing=timing, uncertainty=uncertainty, **kw)


def resource(injury: Mapping[str, Any], replacement: Mapping[str, Any], *, base_year: int, discount_rate: Any,
             timing: str = "annual", uncertainty: Mapping[str, Any] | None = None, **kw) -> EquivalenceResult:
    """Equal-resource (REA, 等资源) run from ``injury``/``replacement`` mappings (scenario keys)."""
    return _build("resource", injury, replacement, base_year=base_year, discount_rate=discount_rate,
                  timing=timing, uncertainty=uncertainty, **kw)


def value(injury: Mapping[str, Any], replacement: Mapping[str, Any], *, base_year: int, discount_rate: Any,
          mode: str, timing: str = "annual", uncertainty: Mapping[str, Any] | None = None,
          **kw) -> EquivalenceResult:
    """Equal-value (VEA, 等价值) run; ``mode`` is ``value_to_value`` or ``value_to_cost``."""
    return _build("value", injury, replacement, base_year=base_year, discount_rate=discount_rate, mode=mode,
                  timing=timing, uncertainty=uncertainty, **kw)
