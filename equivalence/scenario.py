"""Read and validate scenario files (format v1, YAML or JSON) into a :class:`Scenario`.

The key names are the public interface documented in ``docs/scenario-format.md`` and follow
DESIGN.md "Equivalence conventions (scenario format v1)". Every error is a
:class:`~equivalence.errors.ScenarioError` naming the key path (``injury.levels[2]``).
Files are read through :mod:`equivalence.document`, the only I/O of the ``equivalence`` package.
"""
from __future__ import annotations

import copy
import math
import difflib
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping


from .document import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES, check_tree, read_document  # noqa: F401
from .errors import invalid
from .params import Param, parse_scalar, to_number, to_year
from .trajectory import Trajectory, parse_trajectory
from .units import HA_PER_UNIT

SCHEMA_VERSION = 1
METHODS = ("service", "resource", "value")
MODES = ("value_to_value", "value_to_cost")
_METHOD_ALIASES = {"hea": "service", "rea": "resource", "vea": "value", "equal_service": "service",
                   "equal_resource": "resource", "equal_value": "value"}
PERPETUITY = "perpetuity"
DEFAULT_DRAWS = 10_000
DEFAULT_PERCENTILES = (5.0, 50.0, 95.0)

_TOP_KEYS = {"schema_version", "method", "mode", "base_year", "discount_rate", "timing", "discount_convention",
             "resource_unit", "injury",
             "replacement", "uncertainty", "price_year", "name", "title", "description", "notes", "case_id"}
_INJURY_KEYS = {"area", "area_unit", "baseline", "start_year", "end_year", "levels", "lost_units", "unit_value",
                "name"}
_REPLACEMENT_KEYS = {"start_year", "end_year", "levels", "initial_level", "relative_value", "area_unit",
                     "units_per_project_unit", "unit_value", "unit_cost", "name", "share"}
TIMINGS = ("annual", "mid_year", "quarterly")
CONVENTIONS = ("compound", "one_minus_d", "continuous")
#: every year of a scenario lies within this many years of the base year (bounds memory and time)
MAX_YEARS_FROM_BASE = 500
#: the most injury categories or replacement parcels in one scenario
MAX_SIDES = 100
_UNCERTAINTY_KEYS = {"draws", "seed", "percentiles"}

# which keys each method reads (others known to the schema are reported as unused notes)
_USED_INJURY = {
    "service": {"area", "area_unit", "baseline", "start_year", "end_year", "levels"},
    "resource": {"start_year", "end_year", "lost_units"},
    "value_to_value": {"area", "area_unit", "baseline", "start_year", "end_year", "levels", "unit_value"},
    "value_to_cost": {"area", "area_unit", "baseline", "start_year", "end_year", "levels", "unit_value"},
}
_USED_REPLACEMENT = {
    "service": {"start_year", "end_year", "levels", "initial_level", "relative_value", "area_unit"},
    "resource": {"start_year", "end_year", "units_per_project_unit", "relative_value", "area_unit"},
    "value_to_value": {"start_year", "end_year", "levels", "initial_level", "relative_value", "area_unit",
                       "unit_value"},
    "value_to_cost": {"unit_cost", "area_unit"},
}
_REQUIRED_INJURY = {
    "service": ("area", "start_year", "end_year", "levels"),
    "resource": ("start_year", "end_year", "lost_units"),
    "value_to_value": ("area", "start_year", "end_year", "levels", "unit_value"),
    "value_to_cost": ("area", "start_year", "end_year", "levels", "unit_value"),
}
_REQUIRED_REPLACEMENT = {
    "service": ("start_year", "end_year", "levels"),
    "resource": ("start_year", "end_year", "units_per_project_unit"),
    "value_to_value": ("start_year", "end_year", "levels", "unit_value"),
    "value_to_cost": ("unit_cost",),
}


@dataclass(frozen=True)
class Side:
    """Injury (debit) or replacement (credit) inputs, parsed."""

    start_year: int | None = None
    end_year: int | None = None  # None with perpetuity=True
    perpetuity: bool = False
    area: Param | None = None
    area_unit: str = "ha"
    area_unit_given: bool = False
    levels: Trajectory | None = None
    baseline: Trajectory | None = None
    quantity: Trajectory | None = None  # lost_units / units_per_project_unit
    initial_level: Param | None = None
    relative_value: Param | None = None
    unit_value: Param | None = None
    unit_cost: Param | None = None
    name: str | None = None
    share: Param | None = None  # replacement parcels: share of the total project scale


@dataclass(frozen=True)
class Scenario:
    """A validated scenario. ``raw`` is the input as given; ``inputs`` the same with defaults."""

    method: str
    mode: str | None
    base_year: int
    discount_rate: Param
    timing: str
    injury: Side
    replacement: Side
    draws: int | None
    seed: int | None
    percentiles: tuple[float, ...]
    raw: Mapping[str, Any]
    inputs: Mapping[str, Any]
    notes: tuple[str, ...] = ()
    source: Mapping[str, Any] | None = None
    uncertainty_given: bool = False
    convention: str = "compound"
    #: every injury category / replacement parcel (``injury``/``replacement`` are the first ones)
    injuries: tuple[Side, ...] = ()
    replacements: tuple[Side, ...] = ()
    resource_unit: str | None = None

    @property
    def all_injuries(self) -> tuple[Side, ...]:
        return self.injuries or (self.injury,)

    @property
    def all_replacements(self) -> tuple[Side, ...]:
        return self.replacements or (self.replacement,)

    @property
    def multi(self) -> bool:
        """True when the scenario lists several injury categories or replacement parcels."""
        return len(self.all_injuries) > 1 or len(self.all_replacements) > 1 or bool(self.injuries) \
            or bool(self.replacements)

    @property
    def variant(self) -> str:
        """``service``, ``resource``, ``value_to_value`` or ``value_to_cost``."""
        return self.mode if self.method == "value" else self.method

    @property
    def trajectories(self) -> dict[str, Trajectory]:
        out: dict[str, Trajectory] = {}
        for side in (*self.all_injuries, *self.all_replacements):
            for t in (side.levels, side.baseline, side.quantity):
                if t is not None:
                    out[t.path] = t
        return out

    def params(self) -> list[Param]:
        """Every scalar input in a stable order (the order Monte Carlo samples them in)."""
        out: list[Param] = [self.discount_rate]
        for side in (*self.all_injuries, *self.all_replacements):
            for p in (side.area, side.initial_level, side.relative_value, side.unit_value, side.unit_cost,
                      side.share):
                if p is not None:
                    out.append(p)
            for t in (side.baseline, side.levels, side.quantity):
                if t is not None:
                    out.extend(t.params)
        return out

    def uncertain_params(self) -> list[Param]:
        return [p for p in self.params() if p.uncertain]


# -- loading ----------------------------------------------------------------------------------
def load_scenario(path: str | Path) -> Scenario:
    """Read a YAML or JSON scenario file and validate it.

    A file holding a reference case (``{"scenario": {...}, "expected": ...}``) is accepted too:
    its ``scenario`` member is read.
    """
    path = Path(path)
    data, raw = read_document(path)
    source = {"file": str(path), "sha256": hashlib.sha256(raw).hexdigest()}
    return parse_scenario(data, source=source)


def _unwrap(data: Any) -> Any:
    if isinstance(data, Mapping) and "method" not in data and isinstance(data.get("scenario"), Mapping):
        return data["scenario"]
    return data


def _check_keys(mapping: Mapping[str, Any], allowed: set[str], prefix: str) -> None:
    for key in mapping:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
            if close:
                raise invalid(f"{prefix}{key}", "unknown_key_close", close=repr(close[0]))
            raise invalid(f"{prefix}{key}", "unknown_key", keys=sorted(allowed))


def _area_unit(value: Any, path: str) -> str:
    if value not in HA_PER_UNIT:
        raise invalid(path, "unknown_choice", what="unit", value=repr(value), choices=list(HA_PER_UNIT))
    return value


def _end_year(value: Any, path: str) -> tuple[int | None, bool]:
    if isinstance(value, str) and value.strip().lower() in (PERPETUITY, "perpetual", "inf", "infinity"):
        return None, True
    return to_year(value, path), False


def parse_scenario(data: Any, *, source: Mapping[str, Any] | None = None) -> Scenario:
    """Validate a scenario mapping (as read from YAML/JSON) into a :class:`Scenario`."""
    data = _unwrap(data)
    if not isinstance(data, Mapping):
        raise invalid("", "not_mapping", type=type(data).__name__)
    check_tree(data, "scenario")
    _check_keys(data, _TOP_KEYS, "")
    notes: list[str] = []

    if "schema_version" not in data:
        raise invalid("schema_version", "schema_required", version=SCHEMA_VERSION)
    if data["schema_version"] != SCHEMA_VERSION:
        raise invalid("schema_version", "schema_unsupported", value=repr(data["schema_version"]), version=SCHEMA_VERSION)
    method, mode = _method_and_mode(data)
    variant = mode if method == "value" else method
    if "base_year" not in data:
        raise invalid("base_year", "base_year_required")
    base_year = to_year(data["base_year"], "base_year")
    rate = _discount_rate(data)
    timing, convention = _timing_and_convention(data)
    resource_unit = _resource_unit(data, variant, notes)
    injuries, replacements = _sides(data, variant, base_year, notes)
    injury, replacement = injuries[0], replacements[0]
    rate = _perpetuity_rate(data, rate, injuries, replacements)
    draws, seed, percentiles, unc_given = _parse_uncertainty(data.get("uncertainty"))
    price_year = data.get("price_year")
    if price_year is not None:
        to_year(price_year, "price_year")
    for key in ("name", "title", "description", "notes", "case_id"):
        if key in data and not isinstance(data[key], (str, int, float, list)):
            raise invalid(key, "text_expected")
    if draws is not None and draws > MAX_DRAWS:
        raise invalid("uncertainty.draws", "draws_too_many", n=draws, max=MAX_DRAWS)

    inputs = _with_defaults(data, variant, injury, replacement, timing)
    if convention != "compound" or "discount_convention" in data:
        inputs["discount_convention"] = convention
    multi = isinstance(data["injury"], list) or isinstance(data["replacement"], list)
    return Scenario(method=method, mode=mode if method == "value" else None, base_year=base_year,
                    discount_rate=rate, timing=timing, injury=injury, replacement=replacement, draws=draws,
                    seed=seed, percentiles=percentiles, raw=copy.deepcopy(dict(data)), inputs=inputs,
                    notes=tuple(notes), source=dict(source) if source else None, uncertainty_given=unc_given,
                    convention=convention, injuries=injuries if multi else (),
                    replacements=replacements if multi else (), resource_unit=resource_unit)


def _method_and_mode(data: Mapping[str, Any]) -> tuple[str, str | None]:
    """The method (aliases such as ``hea`` read) and, for the value method, its mode."""
    method = data.get("method")
    if method is None:
        raise invalid("method", "required_choose", choices=list(METHODS))
    method = _METHOD_ALIASES.get(str(method).lower(), str(method).lower())
    if method not in METHODS:
        raise invalid("method", "unknown_choice", what="method", value=repr(data["method"]), choices=list(METHODS))
    mode = data.get("mode")
    if method == "value":
        if mode is None:
            raise invalid("mode", "mode_required", choices=list(MODES))
        if mode not in MODES:
            raise invalid("mode", "unknown_choice", what="mode", value=repr(mode), choices=list(MODES))
    elif mode is not None:
        raise invalid("mode", "mode_not_taken", method=method)
    return method, mode


def _discount_rate(data: Mapping[str, Any]) -> Param:
    """The discount rate: a fraction in [0, 1) (a percentage is refused), or a distribution."""
    if "discount_rate" not in data or data["discount_rate"] is None:
        raise invalid("discount_rate", "rate_required")
    rate = parse_scalar(data["discount_rate"], "discount_rate", lower=0.0, what="discount rate")
    if rate.dist is None and rate.value >= 1:
        raise invalid("discount_rate", "rate_percentage", value=rate.value)
    if rate.dist is not None and rate.dist.upper >= 1:
        raise invalid("discount_rate", "rate_dist_high", value=rate.dist.upper)
    return rate


def _timing_and_convention(data: Mapping[str, Any]) -> tuple[str, str]:
    """When in a year services count (``timing``) and how the rate discounts (``discount_convention``)."""
    timing = data.get("timing", "annual")
    timing = {"mid-year": "mid_year", "midyear": "mid_year"}.get(timing, timing) if isinstance(timing, str) else timing
    if timing not in TIMINGS:
        raise invalid("timing", "unknown_choice", what="timing", value=repr(data["timing"]), choices=list(TIMINGS))
    convention = data.get("discount_convention", "compound")
    convention = {"1-d": "one_minus_d", "one-minus-d": "one_minus_d"}.get(convention, convention) \
        if isinstance(convention, str) else convention
    if convention not in CONVENTIONS:
        raise invalid("discount_convention", "unknown_choice", what="convention",
                      value=repr(data["discount_convention"]), choices=list(CONVENTIONS))
    return timing, convention


def _resource_unit(data: Mapping[str, Any], variant: str, notes: list[str]) -> str | None:
    resource_unit = data.get("resource_unit")
    if resource_unit is not None:
        if not isinstance(resource_unit, str) or not resource_unit.strip() or len(resource_unit) > 40:
            raise invalid("resource_unit", "resource_unit_text")
        return resource_unit.strip()
    if variant == "resource":
        notes.append("resource_unit not given; results say 'units' — name them (e.g. bird-years, m³·a, t)")
    return None


def _sides(data: Mapping[str, Any], variant: str, base_year: int,
           notes: list[str]) -> tuple[tuple[Side, ...], tuple[Side, ...]]:
    """The injury categories and the replacement parcels (one mapping, or a list of them): their
    shares, units and years checked together."""
    for key in ("injury", "replacement"):
        if key not in data:
            raise invalid(key, "required")
        if not isinstance(data[key], (Mapping, list)):
            raise invalid(key, "mapping_or_list")
        if isinstance(data[key], list):
            if not data[key]:
                raise invalid(key, "list_empty")
            if len(data[key]) > MAX_SIDES:
                raise invalid(key, "too_many_entries", n=len(data[key]), max=MAX_SIDES)
            for i, item in enumerate(data[key]):
                if not isinstance(item, Mapping):
                    raise invalid(f"{key}[{i}]", "mapping_expected")
    if isinstance(data["injury"], list):
        injuries = tuple(_parse_injury(item, variant, notes, f"injury[{i}]")
                         for i, item in enumerate(data["injury"]))
    else:
        injuries = (_parse_injury(data["injury"], variant, notes),)
    injury = injuries[0]
    if isinstance(data["replacement"], list):
        replacements = tuple(_parse_replacement(item, variant, injury, notes, f"replacement[{i}]")
                             for i, item in enumerate(data["replacement"]))
        _check_shares(replacements, data["replacement"])
    else:
        replacements = (_parse_replacement(data["replacement"], variant, injury, notes),)
    _check_units_agree(replacements)
    _check_year_bounds(base_year, [("injury" if len(injuries) == 1 and not isinstance(data["injury"], list)
                                    else f"injury[{i}]", x) for i, x in enumerate(injuries)]
                       + [("replacement" if not isinstance(data["replacement"], list) else f"replacement[{i}]", x)
                          for i, x in enumerate(replacements)])
    return injuries, replacements


def _perpetuity_rate(data: Mapping[str, Any], rate: Param, injuries: tuple[Side, ...],
                     replacements: tuple[Side, ...]) -> Param:
    """A side lasting in perpetuity needs r > 0 (the closed-form tail divides by r): a
    distribution is read again with every draw above 0."""
    for side, name in [(s, "injury") for s in injuries] + [(s, "replacement") for s in replacements]:
        if side.perpetuity:
            if rate.dist is None and rate.value <= 0:
                raise invalid("discount_rate", "perpetuity_rate", side=name, value=rate.value)
            if rate.dist is not None:
                rate = parse_scalar(data["discount_rate"], "discount_rate", lower=0.0, lower_open=True,
                                    what=f"discount rate ({name}.end_year is perpetuity)")
    return rate


#: Monte Carlo draws are bounded (``--draws 2000000000`` would need terabytes)
MAX_DRAWS = 1_000_000


def _check_shares(parcels: tuple[Side, ...], raw: list) -> None:
    """Several replacement parcels split the project scale by ``share`` (fractions summing to 1)."""
    if len(parcels) == 1:
        if parcels[0].share is not None and parcels[0].share.point != 1.0:
            raise invalid("replacement[0].share", "single_share")
        return
    for i, p in enumerate(parcels):
        if p.share is None:
            raise invalid(f"replacement[{i}].share", "share_required")
        if p.share.uncertain:
            raise invalid(f"replacement[{i}].share", "share_uncertain")
    total = sum(p.share.point for p in parcels)
    if abs(total - 1.0) > 1e-9:
        raise invalid("replacement", "shares_sum", total=total)


def _check_units_agree(parcels: tuple[Side, ...]) -> None:
    units = {p.area_unit for p in parcels}
    if len(units) > 1:
        raise invalid("replacement", "units_differ", units=sorted(units))


def _check_year_bounds(base_year: int, sides: list[tuple[str, Side]]) -> None:
    """Every year within ``MAX_YEARS_FROM_BASE`` of the base year: bounds the yearly tables."""
    lo, hi = base_year - MAX_YEARS_FROM_BASE, base_year + MAX_YEARS_FROM_BASE
    for prefix, side in sides:
        for year, what in ((side.start_year, "start_year"), (side.end_year, "end_year")):
            if year is not None and not lo <= year <= hi:
                raise invalid(f"{prefix}.{what}", "year_far", year=year, max=MAX_YEARS_FROM_BASE, base=base_year)
        for traj in (side.levels, side.baseline, side.quantity):
            if traj is not None and traj.years.size and (traj.years[0] < lo or traj.years[-1] > hi):
                raise invalid(traj.path, "points_far", max=MAX_YEARS_FROM_BASE, base=base_year)


def _years(side: Mapping[str, Any], prefix: str) -> tuple[int, int | None, bool]:
    start = to_year(side["start_year"], f"{prefix}.start_year")
    end, perp = _end_year(side["end_year"], f"{prefix}.end_year")
    if not perp and start > end:
        raise invalid(f"{prefix}.start_year", "start_after_end", start=start, end=end)
    return start, end, perp


def _note_unused(side: Mapping[str, Any], used: set[str], prefix: str, variant: str, notes: list[str]) -> None:
    for key in side:
        if key not in used:
            notes.append(f"{prefix}.{key} is not used by {variant}; ignored")


def _require(side: Mapping[str, Any], keys: tuple[str, ...], prefix: str, variant: str) -> None:
    for key in keys:
        if key not in side or side[key] is None:
            raise invalid(f"{prefix}.{key}", "required_for", variant=variant)


def _side_name(side: Mapping[str, Any], prefix: str) -> str | None:
    name = side.get("name")
    if name is None:
        return None
    if not isinstance(name, (str, int)) or isinstance(name, bool) or not str(name).strip() or len(str(name)) > 80:
        raise invalid(f"{prefix}.name", "name_text", max=80)
    return str(name).strip()


#: the largest area one injury may have: the Earth's surface, 5.1 × 10¹⁰ ha
MAX_AREA_HA = 5.1e10


def _parse_injury(inj: Mapping[str, Any], variant: str, notes: list[str], prefix: str = "injury") -> Side:
    _check_keys(inj, _INJURY_KEYS, f"{prefix}.")
    _require(inj, _REQUIRED_INJURY[variant], prefix, variant)
    _note_unused({k: v for k, v in inj.items() if k != "name"}, _USED_INJURY[variant], prefix, variant, notes)
    name = _side_name(inj, prefix)
    start, end, perp = _years(inj, prefix)
    if variant == "resource":
        qty = parse_trajectory(inj["lost_units"], f"{prefix}.lost_units", lower=0.0, what="units lost per year")
        return Side(start, end, perp, quantity=qty, name=name)
    area = parse_scalar(inj["area"], f"{prefix}.area", lower=0.0, lower_open=True, what="area")
    unit = _area_unit(inj.get("area_unit", "ha"), f"{prefix}.area_unit")
    top = area.dist.upper if area.dist is not None and math.isfinite(area.dist.upper) else area.point
    if top * HA_PER_UNIT[unit] > MAX_AREA_HA:
        raise invalid(f"{prefix}.area", "area_too_large", value=top, unit=unit, max=MAX_AREA_HA)
    baseline = parse_trajectory(inj.get("baseline", 1.0), f"{prefix}.baseline", lower=0.0, lower_open=True,
                                what="baseline")
    levels = parse_trajectory(inj["levels"], f"{prefix}.levels", lower=0.0, what="level")
    uv = None
    if variant.startswith("value"):
        uv = parse_scalar(inj["unit_value"], f"{prefix}.unit_value", lower=0.0, what="unit value")
    return Side(start, end, perp, area=area, area_unit=unit, area_unit_given="area_unit" in inj,
                levels=levels, baseline=baseline, unit_value=uv, name=name)


def _parse_replacement(rep: Mapping[str, Any], variant: str, injury: Side, notes: list[str],
                       prefix: str = "replacement") -> Side:
    _check_keys(rep, _REPLACEMENT_KEYS, f"{prefix}.")
    _require(rep, _REQUIRED_REPLACEMENT[variant], prefix, variant)
    _note_unused({k: v for k, v in rep.items() if k not in ("name", "share")}, _USED_REPLACEMENT[variant], prefix,
                 variant, notes)
    name = _side_name(rep, prefix)
    share = None
    if "share" in rep:
        share = parse_scalar(rep["share"], f"{prefix}.share", lower=0.0, lower_open=True, what="share")
        if share.point > 1:
            raise invalid(f"{prefix}.share", "share_range", value=share.point)
    unit_given = "area_unit" in rep
    unit = _area_unit(rep.get("area_unit", "ha"), f"{prefix}.area_unit")
    if variant == "value_to_cost":
        cost = parse_scalar(rep["unit_cost"], f"{prefix}.unit_cost", lower=0.0, lower_open=True, what="unit cost")
        return Side(area_unit=unit, area_unit_given=unit_given, unit_cost=cost, name=name, share=share)
    start, end, perp = _years(rep, prefix)
    rv = parse_scalar(rep.get("relative_value", 1.0), f"{prefix}.relative_value", lower=0.0, lower_open=True,
                      what="relative value")
    if variant == "resource":
        qty = parse_trajectory(rep["units_per_project_unit"], f"{prefix}.units_per_project_unit", lower=0.0,
                               what="units gained per year")
        return Side(start, end, perp, area_unit=unit, area_unit_given=unit_given, quantity=qty, relative_value=rv,
                    name=name, share=share)
    levels = parse_trajectory(rep["levels"], f"{prefix}.levels", lower=0.0, what="level")
    y0 = parse_scalar(rep.get("initial_level", 0.0), f"{prefix}.initial_level", lower=0.0, what="initial level")
    uv = None
    if variant == "value_to_value":
        uv = parse_scalar(rep["unit_value"], f"{prefix}.unit_value", lower=0.0, what="unit value")
    return Side(start, end, perp, area_unit=unit, area_unit_given=unit_given, levels=levels, initial_level=y0,
                relative_value=rv, unit_value=uv, name=name, share=share)


def _parse_uncertainty(unc: Any) -> tuple[int | None, int | None, tuple[float, ...], bool]:
    if unc is None:
        return None, None, DEFAULT_PERCENTILES, False
    if not isinstance(unc, Mapping):
        raise invalid("uncertainty", "uncertainty_mapping", example="{draws: N, seed: S}")
    _check_keys(unc, _UNCERTAINTY_KEYS, "uncertainty.")
    draws = seed = None
    if "draws" in unc:
        draws = to_year(unc["draws"], "uncertainty.draws")  # an integer
        if draws < 0:
            raise invalid("uncertainty.draws", "draws_non_negative")
    if "seed" in unc and unc["seed"] is not None:
        seed = to_year(unc["seed"], "uncertainty.seed")
        if seed < 0:
            raise invalid("uncertainty.seed", "non_negative")
    pct = DEFAULT_PERCENTILES
    if "percentiles" in unc:
        if not isinstance(unc["percentiles"], (list, tuple)) or not unc["percentiles"]:
            raise invalid("uncertainty.percentiles", "percentiles_list")
        pct = tuple(to_number(q, f"uncertainty.percentiles[{i}]") for i, q in enumerate(unc["percentiles"]))
        for i, q in enumerate(pct):
            if not 0 <= q <= 100:
                raise invalid(f"uncertainty.percentiles[{i}]", "percentile_range", value=q)
    return draws, seed, pct, True


def _with_defaults(data: Mapping[str, Any], variant: str, injury: Side, replacement: Side,
                   timing: str) -> dict[str, Any]:
    """The input echo: a deep copy of what was given with every applied default filled in."""
    out = copy.deepcopy(dict(data))
    out["timing"] = timing
    if isinstance(out["injury"], list) or isinstance(out["replacement"], list):
        injs = out["injury"] if isinstance(out["injury"], list) else [out["injury"]]
        reps = out["replacement"] if isinstance(out["replacement"], list) else [out["replacement"]]
        for inj in injs:
            if variant != "resource":
                inj.setdefault("area_unit", "ha")
                inj.setdefault("baseline", 1.0)
        for rep in reps:
            if variant in ("service", "value_to_value"):
                rep.setdefault("initial_level", 0.0)
                rep.setdefault("relative_value", 1.0)
                rep.setdefault("area_unit", "ha")
            elif variant == "resource":
                rep.setdefault("relative_value", 1.0)
            else:
                rep.setdefault("area_unit", "ha")
        return out
    inj = out["injury"] = dict(out["injury"])
    rep = out["replacement"] = dict(out["replacement"])
    if variant != "resource":
        inj.setdefault("area_unit", "ha")
        inj.setdefault("baseline", 1.0)
    if variant in ("service", "value_to_value"):
        rep.setdefault("initial_level", 0.0)
        rep.setdefault("relative_value", 1.0)
        rep.setdefault("area_unit", "ha")
    elif variant == "resource":
        rep.setdefault("relative_value", 1.0)
    else:
        rep.setdefault("area_unit", "ha")
    return out


def horizon_year(start_year: int, *trajectories: Trajectory | None) -> int:
    """``T`` for a perpetuity: the later of the start year and the last point of every trajectory
    that enters the yearly term, so the term is constant from ``T + 1`` on (DESIGN.md)."""
    years = [start_year] + [t.last_year for t in trajectories if t is not None and t.last_year is not None]
    return int(max(years))

