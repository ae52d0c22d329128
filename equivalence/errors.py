"""Errors raised by the equivalence engine, as a code and parameters.

Every problem the engine finds in a scenario has a code in :data:`TEMPLATES` (its English
wording) and parameters (numbers, years, key names, the offending value): ``str()`` is the
English sentence (the command line, logs), while an interface words the same code in its own
language (the dashboards: ``msg.scenario.<code>`` in their dictionaries, through
``restoration.messages.scenario_message``). Parameters named ``what`` are the name of a quantity
(``"area"``, ``"discount rate"``) that the interface also translates.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

__all__ = ["ScenarioError", "Problem", "TEMPLATES", "invalid"]

_MAX = "(percentiles are stable to 3 digits with 10,000)"

#: English wording of every scenario problem (``{path}`` is not part of it: the error puts the key
#: path in front)
TEMPLATES: dict[str, str] = {
    # numbers and years
    "not_number": "expected a number, got {value}",
    "percent": "expected a number, got {value}; write fractions (3% is 0.03)",
    "not_finite": "must be finite, got {value}",
    "year_uncertain": "years cannot be uncertain; give an integer year",
    "year_whole": "a year must be a whole number, got {value}",
    "out_of_range": "{value} is out of range; years and counts here must lie within ±{limit:,}",
    "number_or_dist": "expected a number or a distribution {{dist: ..., ...}}",
    # bounds
    "bound": "{what} must be {sign} {bound:g}, got {value:g}",
    "bound_dist": "{what} must be {sign} {bound:g}, but the distribution reaches {value:g}",
    "bound_draws": "{n} of {size} Monte Carlo draws are not {sign} {bound:g}; truncate the distribution with min",
    "positive": "must be positive",
    "non_negative": "must be >= 0",
    # choices and keys
    "unknown_choice": "unknown {what} {value}; use one of {choices}",
    "unknown_key": "unknown key; known keys: {keys}",
    "unknown_key_close": "unknown key; did you mean {close}?",
    "required": "required",
    "required_choose": "required; use one of {choices}",
    "required_for": "required for {variant}",
    "text_expected": "expected text",
    "name_text": "expected a short name (at most {max} characters)",
    # distributions
    "dist_param_unknown": "not a parameter of {dist}; it takes {keys}",
    "dist_param_required": "required for a {dist} distribution",
    "max_below_min": "max {max:g} is below min {min:g}",
    "mode_outside": "mode {mode:g} is outside [min, max] = [{min:g}, {max:g}]",
    "lognormal_mean": "a lognormal mean must be positive",
    "lognormal_params": "a lognormal takes either mu and sigma (of ln X) or mean and sd (of X)",
    "point_outside": "point estimate {point:g} lies outside the support [{lower:g}, {upper:g}]",
    "truncated_away": "min/max keep almost none ({mass:.1e}) of the {dist} distribution",
    # trajectories
    "points_list": "expected a list of [year, value] points",
    "points_or_shape": "expected a list of [year, value] points or a {{shape: ...}} mapping",
    "points_empty": "needs at least one [year, value] point",
    "points_too_many": "{n:,} points; a trajectory holds at most {max} (one a year)",
    "pair_expected": "expected a [year, value] pair, got {value}",
    "year_repeats": "year {year} repeats",
    "year_order": "year {year} comes after {previous}; list points in year order",
    "shape_param_unknown": "not a parameter of the {shape} shape; it takes {keys}",
    "shape_param_required": "required for the {shape} shape",
    "shape_order": "year {end} must come after the from year {start}",
    "shape_span": "a shape may span at most {max} years, got {n}",
    # scenario files
    "file_too_large": "{file}: {size:,} bytes; scenario files may be at most {max:,} bytes",
    "file_not_utf8": "{file}: not UTF-8 text (byte {byte}, line {line}); save the file as UTF-8",
    "file_not_parsable": "{file}: not valid {kind}: {detail}",
    "file_too_deep": "{file}: nested more than {max} levels deep",
    "file_too_indented": "{file}: indented more than {columns} columns; a scenario nests at most {max} levels",
    "file_aliases": "{file}: expands to more than {max:,} values (YAML aliases?); a scenario is a small document",
    "file_too_many_values": "{file}: more than {max:,} values; a scenario is a small document",
    # the scenario's structure
    "not_mapping": "a scenario must be a mapping of keys, got {type}",
    "schema_required": "required; this engine reads schema_version {version}",
    "schema_unsupported": "unsupported version {value}; this engine reads {version}",
    "mode_required": "required for method value; use one of {choices}",
    "mode_not_taken": "only method value takes a mode (this scenario is {method})",
    "base_year_required": "required: the year all values are discounted or compounded to",
    "rate_required": "required (no default): state the real discount rate the appraisal uses, e.g. 0.03",
    "rate_percentage": "{value:g} looks like a percentage; write fractions (3% is 0.03)",
    "rate_dist_high": "the distribution reaches {value:g}; rates are fractions (3% is 0.03) and must stay below 1",
    "perpetuity_rate": ("{side}.end_year is perpetuity, which needs a positive discount rate (the tail is term/r); "
                        "got {value:g}"),
    "resource_unit_text": "expected a short unit name such as bird-years, m³·a or t",
    "mapping_or_list": "expected a mapping of keys (or a list of them)",
    "mapping_expected": "expected a mapping of keys",
    "list_empty": "an empty list; give at least one",
    "too_many_entries": "{n} entries; at most {max}",
    "start_after_end": "start year {start} is after end_year {end}",
    "year_far": ("year {year} is more than {max} years from the base year {base}; appraisal horizons are shorter "
                 "(use end_year: perpetuity for a permanent change)"),
    "points_far": "points reach beyond {max} years of the base year {base}",
    "area_too_large": ("{value:g} {unit} is more than the Earth's surface ({max:.2g} ha); check the value and its "
                       "area_unit"),
    # parcels
    "single_share": "a single parcel carries the whole project: share 1 or omit it",
    "share_required": ("required when there are several parcels: the fraction of the total project scale this "
                       "parcel provides"),
    "share_uncertain": "shares cannot be distributions",
    "shares_sum": "parcel shares add up to {total:g}; they must add up to 1",
    "share_range": "a share is a fraction of the project (0 < share <= 1), got {value:g}",
    "units_differ": "parcels use different area units ({units}); state every parcel in the same unit",
    # uncertainty
    "uncertainty_mapping": "expected a mapping {example}",
    "draws_too_many": f"{{n:,}} Monte Carlo draws; at most {{max:,}} {_MAX}",
    "draws_non_negative": "must be >= 0 (0 turns Monte Carlo off)",
    "percentiles_list": "expected a list such as [5, 50, 95]",
    "percentile_range": "{value:g} is outside 0..100",
    # results
    "no_gain_units": "the replacement adds no units between {start} and {end}",
    "no_gain_levels": ("the replacement never rises above its initial level between {start} and {end}, so no "
                       "scale of it can offset the loss"),
    "no_gain_value": "the replacement's unit value is 0, so it earns no credit",
    "in_draws": "in {n} of {size} Monte Carlo draws {problem}",
    "not_finite_result": ("the result is not a finite number: an input is too large (or a rate too close to its "
                          "limit); check areas, levels and units"),
}


def _english(code: str, params: Mapping[str, Any]) -> str:
    plain = {k: (", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v) for k, v in params.items()}
    return TEMPLATES[code].format(**plain)


@dataclass(frozen=True)
class Problem:
    """A problem worded by code, nested inside another one's parameters (``in_draws``)."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return _english(self.code, self.params)


class ScenarioError(ValueError):
    """A scenario is invalid. ``path`` is the key path that is wrong, e.g. ``injury.levels[2]``.

    ``code`` (a key of :data:`TEMPLATES`) and ``params`` describe the problem for an interface
    that words it in its own language; ``message`` is its English text (given, or worded from
    the code). Parameters are plain numbers, words, lists of words or a nested :class:`Problem`."""

    def __init__(self, path: str, message: str | None = None, code: str | None = None,
                 params: Mapping[str, Any] | None = None):
        self.path = path
        self.code = code
        self.params = dict(params or {})
        self.message = message if message is not None else _english(code, self.params)
        super().__init__(f"{path}: {self.message}" if path else self.message)


def invalid(path: str, code: str, **params: Any) -> ScenarioError:
    """The :class:`ScenarioError` for problem ``code`` at ``path`` (English worded from :data:`TEMPLATES`)."""
    return ScenarioError(path, None, code, params)
