"""Equal-resource, equal-service and equal-value equivalence calculations (等量修复).

Pure calculation (numpy/pandas); reading scenario YAML/JSON is the only I/O. The conventions are
those of DESIGN.md "Equivalence conventions (scenario format v1)", documented with formulas and a
worked example in ``docs/scenario-format.md``.

>>> import equivalence
>>> r = equivalence.run_scenario("scenario.yaml")      # doctest: +SKIP
>>> r.required_scale, r.to_dict()["yearly"]["debit"][0]  # doctest: +SKIP
"""
from __future__ import annotations

from . import abatement, graded, offsets, population, restoration_cost
from ._version import __version__
from .api import resource, run_scenario, service, value
from .discount import (CONVENTIONS, TIMINGS, convert_rate, discounted_sum, make_schedule,
                       perpetuity_tail_factor, schedule_weights, year_weights)
from .errors import ScenarioError
from .result import EquivalenceResult
from .scenario import Scenario, load_scenario, parse_scenario
from .trajectory import interpolation_matrix, trajectory_from_observations
from .units import HA_PER_UNIT, from_ha, to_ha

__all__ = [
    "__version__", "run_scenario", "service", "resource", "value", "EquivalenceResult", "Scenario",
    "ScenarioError", "load_scenario", "parse_scenario", "trajectory_from_observations", "interpolation_matrix",
    "year_weights", "perpetuity_tail_factor", "make_schedule", "schedule_weights", "discounted_sum",
    "to_ha", "from_ha", "HA_PER_UNIT", "offsets", "abatement", "restoration_cost", "population",
    "convert_rate", "CONVENTIONS", "TIMINGS", "graded",
]
