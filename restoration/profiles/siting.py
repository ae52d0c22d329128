"""Base-site selection rules (替代修复基地选址规则) by rule profile: watershed, county, project status,
distance, and the ranking's score weights.

The defaults and per-profile sections are ``siting.toml`` beside this module (``[default]``, then
``[guangxi]``, ``[zhejiang]`` ...); the case's rule profile may hold a ``[siting]`` table (plain
values, merged along its ``extends`` chain) that overrides them; the ``overrides`` of a call
override both. The files and the overrides are checked against the one format
(:data:`.schema.SITING`: an unknown key is refused, naming the closest known one), merged by the
profiles' one merge (:func:`.merge.merge`), and the result by :func:`check_rules`.
"""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Mapping

from ..errors import InputError, Issue
from ..model import ProjectStatus
from .check import Checker
from .for_case import base_profile, profile_problem
from .loader import load_profile
from .merge import merge
from .schema import SITING
from .toml_file import read_toml

DEFAULT_FILE = Path(__file__).with_name("siting.toml")
LOCALITY = ("required", "preferred", "any")
WEIGHT_KEYS = ("cost", "distance", "time", "match", "locality")


def _defaults() -> dict:
    """``siting.toml``, every section checked."""
    data = read_toml(DEFAULT_FILE, "the siting rules")
    checker = Checker(DEFAULT_FILE.name)
    for section, table in data.items():
        checker.check(SITING, table, section)
    if "default" not in data:
        checker.err("default", "the [default] section is missing")
    checker.raise_if_any()
    return data


def _profile_table(profile: str) -> tuple[dict, str | None]:
    """The ``[siting]`` table of the rule profile ``profile`` and its file name ({} and None when
    the profile is unknown here or has none)."""
    if profile_problem({"profile": profile}) is not None:
        return {}, None
    prof = load_profile(profile)
    table = prof.siting()
    return table, (prof.files[0].name if table else None)


def siting_rules(profile: str | None = None, overrides: Mapping[str, Any] | None = None,
                 weights: Mapping[str, float] | None = None) -> dict:
    """The rules in force for ``profile`` (a case's ``profile`` field): defaults < the profile's
    section of ``siting.toml`` < the rule profile's ``[siting]`` table < ``overrides`` (<
    ``weights`` for the score weights). ``InputError`` naming the key for an unknown key or a
    value :func:`check_rules` refuses."""
    data = _defaults()
    rules = copy.deepcopy(data["default"])
    if profile:
        rules = merge(SITING, rules, data.get(base_profile(profile)))
        table, source = _profile_table(profile)
        if table:
            rules = merge(SITING, rules, table)
            rules["source"] = source
    if overrides:
        checker = Checker("siting rules")
        checker.check(SITING, dict(overrides), "")
        checker.raise_if_any()
        rules = merge(SITING, rules, dict(overrides))
    if weights:
        rules["weights"] = {**rules["weights"], **weights}
    rules = copy.deepcopy(rules)
    rules["profile"] = profile or "default"
    check_rules(rules)
    return rules


def check_rules(rules: Mapping[str, Any]) -> None:
    """Refuse unknown values with a message that names the key."""
    issues = []
    for key in ("watershed", "county"):
        if rules.get(key) not in LOCALITY:
            issues.append(Issue(f"must be one of {', '.join(LOCALITY)}, got {rules.get(key)!r}", field=key,
                                source="siting rules"))
    statuses = {s.value for s in ProjectStatus}
    bad = [s for s in rules.get("allowed_statuses", []) if s not in statuses]
    if bad:
        issues.append(Issue(f"unknown status(es) {', '.join(map(str, bad))}; allowed: {', '.join(statuses)}",
                            field="allowed_statuses", source="siting rules"))
    for key in ("max_distance_km", "distance_scale_km", "time_scale_years"):
        v = rules.get(key)
        if not isinstance(v, (int, float)) or v < 0 or (key != "max_distance_km" and v == 0):
            issues.append(Issue(f"must be a positive number, got {v!r}", field=key, source="siting rules"))
    w = rules.get("weights", {})
    unknown = [k for k in w if k not in WEIGHT_KEYS]
    if unknown:
        issues.append(Issue(f"unknown weight(s) {', '.join(unknown)}; use {', '.join(WEIGHT_KEYS)}",
                            field="weights", source="siting rules"))
    vals = [w.get(k, 0) for k in WEIGHT_KEYS]
    if any(not isinstance(v, (int, float)) or v < 0 for v in vals) or sum(vals) <= 0:
        issues.append(Issue(f"weights must be >= 0 and not all zero, got {dict(w)}", field="weights",
                            source="siting rules"))
    if issues:
        raise InputError(issues)
