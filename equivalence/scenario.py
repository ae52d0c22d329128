"""Read and validate scenario files (format v1, YAML or JSON) into a :class:`Scenario`.

The key names are the public interface documented in ``docs/scenario-format.md`` and follow
DESIGN.md "Equivalence conventions (scenario format v1)". Every error is a
:class:`~equivalence.errors.ScenarioError` naming the key path (``injury.levels[2]``).
Reading the file is the only I/O of the ``equivalence`` package.
"""
from __future__ import annotations

import copy
import difflib
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import yaml

from .errors import ScenarioError
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

_TOP_KEYS = {"schema_version", "method", "mode", "base_year", "discount_rate", "timing", "injury",
             "replacement", "uncertainty", "price_year", "name", "title", "description", "notes", "case_id"}
_INJURY_KEYS = {"area", "area_unit", "baseline", "start_year", "end_year", "levels", "lost_units", "unit_value"}
_REPLACEMENT_KEYS = {"start_year", "end_year", "levels", "initial_level", "relative_value", "area_unit",
                     "units_per_project_unit", "unit_value", "unit_cost"}
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

    @property
    def variant(self) -> str:
        """``service``, ``resource``, ``value_to_value`` or ``value_to_cost``."""
        return self.mode if self.method == "value" else self.method

    @property
    def trajectories(self) -> dict[str, Trajectory]:
        out: dict[str, Trajectory] = {}
        for side in (self.injury, self.replacement):
            for t in (side.levels, side.baseline, side.quantity):
                if t is not None:
                    out[t.path] = t
        return out

    def params(self) -> list[Param]:
        """Every scalar input in a stable order (the order Monte Carlo samples them in)."""
        out: list[Param] = [self.discount_rate]
        for side in (self.injury, self.replacement):
            for p in (side.area, side.initial_level, side.relative_value, side.unit_value, side.unit_cost):
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
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            data = yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ScenarioError("", f"{path.name}: not valid {'JSON' if path.suffix.lower() == '.json' else 'YAML'}: "
                                f"{str(exc).splitlines()[0]}") from None
    source = {"file": str(path), "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}
    return parse_scenario(data, source=source)


def _unwrap(data: Any) -> Any:
    if isinstance(data, Mapping) and "method" not in data and isinstance(data.get("scenario"), Mapping):
        return data["scenario"]
    return data


def _check_keys(mapping: Mapping[str, Any], allowed: set[str], prefix: str) -> None:
    for key in mapping:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(sorted(allowed))}"
            raise ScenarioError(f"{prefix}{key}", f"unknown key{hint}")


def _area_unit(value: Any, path: str) -> str:
    if value not in HA_PER_UNIT:
        raise ScenarioError(path, f"unknown unit {value!r}; use one of {', '.join(HA_PER_UNIT)}")
    return value


def _end_year(value: Any, path: str) -> tuple[int | None, bool]:
    if isinstance(value, str) and value.strip().lower() in (PERPETUITY, "perpetual", "inf", "infinity"):
        return None, True
    return to_year(value, path), False


def parse_scenario(data: Any, *, source: Mapping[str, Any] | None = None) -> Scenario:
    """Validate a scenario mapping (as read from YAML/JSON) into a :class:`Scenario`."""
    data = _unwrap(data)
    if not isinstance(data, Mapping):
        raise ScenarioError("", f"a scenario must be a mapping of keys, got {type(data).__name__}")
    _check_keys(data, _TOP_KEYS, "")
    notes: list[str] = []

    if "schema_version" not in data:
        raise ScenarioError("schema_version", f"required; this engine reads schema_version {SCHEMA_VERSION}")
    if data["schema_version"] != SCHEMA_VERSION:
        raise ScenarioError("schema_version", f"unsupported version {data['schema_version']!r}; "
                                              f"this engine reads {SCHEMA_VERSION}")

    method = data.get("method")
    if method is None:
        raise ScenarioError("method", f"required; use one of {', '.join(METHODS)}")
    method = _METHOD_ALIASES.get(str(method).lower(), str(method).lower())
    if method not in METHODS:
        raise ScenarioError("method", f"unknown method {data['method']!r}; use one of {', '.join(METHODS)}")
    mode = data.get("mode")
    if method == "value":
        if mode is None:
            raise ScenarioError("mode", f"required for method value; use one of {', '.join(MODES)}")
        if mode not in MODES:
            raise ScenarioError("mode", f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
    elif mode is not None:
        raise ScenarioError("mode", f"only method value takes a mode (this scenario is {method})")
    variant = mode if method == "value" else method

    if "base_year" not in data:
        raise ScenarioError("base_year", "required: the year all values are discounted or compounded to")
    base_year = to_year(data["base_year"], "base_year")

    if "discount_rate" not in data or data["discount_rate"] is None:
        raise ScenarioError("discount_rate", "required (no default): state the real discount rate the appraisal "
                                             "uses, e.g. 0.03")
    rate = parse_scalar(data["discount_rate"], "discount_rate", lower=0.0, what="discount rate")
    if rate.dist is None and rate.value >= 1:
        raise ScenarioError("discount_rate", f"{rate.value:g} looks like a percentage; write fractions (3% is 0.03)")
    if rate.dist is not None and rate.dist.upper >= 1:
        raise ScenarioError("discount_rate", f"the distribution reaches {rate.dist.upper:g}; rates are fractions "
                                             "(3% is 0.03) and must stay below 1")

    timing = data.get("timing", "annual")
    timing = {"mid-year": "mid_year", "midyear": "mid_year"}.get(timing, timing)
    if timing not in ("annual", "mid_year"):
        raise ScenarioError("timing", f"unknown timing {data['timing']!r}; use annual or mid_year")

    for key in ("injury", "replacement"):
        if key not in data:
            raise ScenarioError(key, "required")
        if not isinstance(data[key], Mapping):
            raise ScenarioError(key, "expected a mapping of keys")
    injury = _parse_injury(data["injury"], variant, notes)
    replacement = _parse_replacement(data["replacement"], variant, injury, notes)

    # perpetuity needs r > 0 (the closed-form tail divides by r)
    for side, name in ((injury, "injury"), (replacement, "replacement")):
        if side.perpetuity:
            if rate.dist is None and rate.value <= 0:
                raise ScenarioError("discount_rate", f"{name}.end_year is perpetuity, which needs a positive "
                                                     f"discount rate (the tail is term/r); got {rate.value:g}")
            if rate.dist is not None:
                # every draw must be > 0 as well; re-parse with the stricter domain
                rate = parse_scalar(data["discount_rate"], "discount_rate", lower=0.0, lower_open=True,
                                    what=f"discount rate ({name}.end_year is perpetuity)")

    draws, seed, percentiles, unc_given = _parse_uncertainty(data.get("uncertainty"))

    price_year = data.get("price_year")
    if price_year is not None:
        to_year(price_year, "price_year")
    for key in ("name", "title", "description", "notes", "case_id"):
        if key in data and not isinstance(data[key], (str, int, float, list)):
            raise ScenarioError(key, "expected text")

    inputs = _with_defaults(data, variant, injury, replacement, timing)
    scn = Scenario(method=method, mode=mode if method == "value" else None, base_year=base_year,
                   discount_rate=rate, timing=timing, injury=injury, replacement=replacement, draws=draws,
                   seed=seed, percentiles=percentiles, raw=copy.deepcopy(dict(data)), inputs=inputs,
                   notes=tuple(notes), source=dict(source) if source else None, uncertainty_given=unc_given)
    return scn


def _years(side: Mapping[str, Any], prefix: str) -> tuple[int, int | None, bool]:
    start = to_year(side["start_year"], f"{prefix}.start_year")
    end, perp = _end_year(side["end_year"], f"{prefix}.end_year")
    if not perp and start > end:
        raise ScenarioError(f"{prefix}.start_year", f"start year {start} is after end_year {end}")
    return start, end, perp


def _note_unused(side: Mapping[str, Any], used: set[str], prefix: str, variant: str, notes: list[str]) -> None:
    for key in side:
        if key not in used:
            notes.append(f"{prefix}.{key} is not used by {variant}; ignored")


def _require(side: Mapping[str, Any], keys: tuple[str, ...], prefix: str, variant: str) -> None:
    for key in keys:
        if key not in side or side[key] is None:
            raise ScenarioError(f"{prefix}.{key}", f"required for {variant}")


def _parse_injury(inj: Mapping[str, Any], variant: str, notes: list[str]) -> Side:
    _check_keys(inj, _INJURY_KEYS, "injury.")
    _require(inj, _REQUIRED_INJURY[variant], "injury", variant)
    _note_unused(inj, _USED_INJURY[variant], "injury", variant, notes)
    start, end, perp = _years(inj, "injury")
    if variant == "resource":
        qty = parse_trajectory(inj["lost_units"], "injury.lost_units", lower=0.0, what="units lost per year")
        return Side(start, end, perp, quantity=qty)
    area = parse_scalar(inj["area"], "injury.area", lower=0.0, lower_open=True, what="area")
    unit = _area_unit(inj.get("area_unit", "ha"), "injury.area_unit")
    baseline = parse_trajectory(inj.get("baseline", 1.0), "injury.baseline", lower=0.0, lower_open=True,
                                what="baseline")
    levels = parse_trajectory(inj["levels"], "injury.levels", lower=0.0, what="level")
    uv = None
    if variant.startswith("value"):
        uv = parse_scalar(inj["unit_value"], "injury.unit_value", lower=0.0, what="unit value")
    return Side(start, end, perp, area=area, area_unit=unit, area_unit_given="area_unit" in inj,
                levels=levels, baseline=baseline, unit_value=uv)


def _parse_replacement(rep: Mapping[str, Any], variant: str, injury: Side, notes: list[str]) -> Side:
    _check_keys(rep, _REPLACEMENT_KEYS, "replacement.")
    _require(rep, _REQUIRED_REPLACEMENT[variant], "replacement", variant)
    _note_unused(rep, _USED_REPLACEMENT[variant], "replacement", variant, notes)
    unit_given = "area_unit" in rep
    unit = _area_unit(rep.get("area_unit", "ha"), "replacement.area_unit")
    if variant == "value_to_cost":
        cost = parse_scalar(rep["unit_cost"], "replacement.unit_cost", lower=0.0, lower_open=True, what="unit cost")
        return Side(area_unit=unit, area_unit_given=unit_given, unit_cost=cost)
    start, end, perp = _years(rep, "replacement")
    rv = parse_scalar(rep.get("relative_value", 1.0), "replacement.relative_value", lower=0.0, lower_open=True,
                      what="relative value")
    if variant == "resource":
        qty = parse_trajectory(rep["units_per_project_unit"], "replacement.units_per_project_unit", lower=0.0,
                               what="units gained per year")
        return Side(start, end, perp, area_unit=unit, area_unit_given=unit_given, quantity=qty, relative_value=rv)
    levels = parse_trajectory(rep["levels"], "replacement.levels", lower=0.0, what="level")
    y0 = parse_scalar(rep.get("initial_level", 0.0), "replacement.initial_level", lower=0.0, what="initial level")
    uv = None
    if variant == "value_to_value":
        uv = parse_scalar(rep["unit_value"], "replacement.unit_value", lower=0.0, what="unit value")
    return Side(start, end, perp, area_unit=unit, area_unit_given=unit_given, levels=levels, initial_level=y0,
                relative_value=rv, unit_value=uv)


def _parse_uncertainty(unc: Any) -> tuple[int | None, int | None, tuple[float, ...], bool]:
    if unc is None:
        return None, None, DEFAULT_PERCENTILES, False
    if not isinstance(unc, Mapping):
        raise ScenarioError("uncertainty", "expected a mapping {draws: N, seed: S}")
    _check_keys(unc, _UNCERTAINTY_KEYS, "uncertainty.")
    draws = seed = None
    if "draws" in unc:
        draws = to_year(unc["draws"], "uncertainty.draws")  # an integer
        if draws < 0:
            raise ScenarioError("uncertainty.draws", "must be >= 0 (0 turns Monte Carlo off)")
    if "seed" in unc and unc["seed"] is not None:
        seed = to_year(unc["seed"], "uncertainty.seed")
        if seed < 0:
            raise ScenarioError("uncertainty.seed", "must be >= 0")
    pct = DEFAULT_PERCENTILES
    if "percentiles" in unc:
        if not isinstance(unc["percentiles"], (list, tuple)) or not unc["percentiles"]:
            raise ScenarioError("uncertainty.percentiles", "expected a list such as [5, 50, 95]")
        pct = tuple(to_number(q, f"uncertainty.percentiles[{i}]") for i, q in enumerate(unc["percentiles"]))
        for i, q in enumerate(pct):
            if not 0 <= q <= 100:
                raise ScenarioError(f"uncertainty.percentiles[{i}]", f"{q:g} is outside 0..100")
    return draws, seed, pct, True


def _with_defaults(data: Mapping[str, Any], variant: str, injury: Side, replacement: Side,
                   timing: str) -> dict[str, Any]:
    """The input echo: a deep copy of what was given with every applied default filled in."""
    out = copy.deepcopy(dict(data))
    out["timing"] = timing
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

