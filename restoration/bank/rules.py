"""Siting rules (watershed / administrative / status / distance) and score weights by profile.

Defaults and per-province sections are in ``siting_rules.toml`` beside this module. A rule
profile file ``restoration/rules/profiles/<profile>.toml`` with a ``[siting]`` table (issue 4's
rule profiles) overrides them, and so do the ``overrides`` of a call.
"""
from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any, Mapping

from ..errors import InputError, Issue
from ..model import ProjectStatus

DEFAULT_FILE = Path(__file__).with_name("siting_rules.toml")
PROFILE_DIR = Path(__file__).resolve().parents[1] / "rules" / "profiles"
LOCALITY = ("required", "preferred", "any")
WEIGHT_KEYS = ("cost", "distance", "time", "match", "locality")


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(Issue(f"cannot read siting rules: {exc}", source=path.name)) from exc


def _merge(base: dict, over: Mapping[str, Any]) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def siting_rules(profile: str | None = None, overrides: Mapping[str, Any] | None = None,
                 weights: Mapping[str, float] | None = None) -> dict:
    """The rules in force for ``profile``: defaults < the profile's section < the rule profile
    file's ``[siting]`` table < ``overrides`` (< ``weights`` for the score weights)."""
    data = _read(DEFAULT_FILE)
    rules = copy.deepcopy(data["default"])
    rules["profile"] = profile or "default"
    if profile and profile in data:
        rules = _merge(rules, data[profile])
    if profile:
        external = PROFILE_DIR / f"{profile}.toml"
        if external.exists():
            siting = _read(external).get("siting")
            if isinstance(siting, Mapping):
                rules = _merge(rules, siting)
                rules["source"] = str(external.name)
    if overrides:
        rules = _merge(rules, overrides)
    if weights:
        rules["weights"] = _merge(rules["weights"], weights)
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
