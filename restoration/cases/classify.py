"""Case classification (案件分类): significantly minor / simple / ordinary / major.

:func:`classify` applies a profile's rules to a case's facts and returns the class with every rule
it evaluated — met or not — each citing its source, so a supervisor sees why. Order:

1. **major** (重大) if any major trigger of the profile is among ``major_triggers``;
2. **significantly minor** (显著轻微) if the minor criteria hold (``criteria = "any"``: amount at or
   below the cap *or* no obvious impact — 环法规〔2025〕6号 第四条) and no exception applies
   (red line, repeat within 2 years, rectification not completed ...). An exception whose fact is
   unknown also blocks: a claim is started unless the exception is known not to apply;
3. **simple** (简单) if facts are clear, liability undisputed and the amount at or below the cap;
4. otherwise **ordinary** (一般).

A rule the profile leaves *not set* is reported as such and never applied.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .. import limits
from ..errors import InputError, Issue
from ..model import MAX_YUAN, CaseClass
from ..profiles.profile import Profile, Rule
from ..profiles.schema import BOOL_FACTS, DAMAGE_KINDS

#: the keys a FACTS file may hold
FACT_KEYS = ("damage_amount_yuan", *BOOL_FACTS, "major_triggers", "damage_kind")


@dataclass(frozen=True)
class Classification:
    case_class: str
    fired: list[dict]
    profile: str
    facts: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        c = CaseClass(self.case_class)
        return f"{c.zh} {c.en}"

    def to_dict(self) -> dict:
        return {"case_class": self.case_class, "fired": self.fired, "profile": self.profile}


def check_facts(facts: Mapping[str, Any], profile: Profile, source: str | None = None) -> dict:
    """Case facts in canonical form; an unknown key, a wrong type or an unknown trigger is an
    InputError naming the field."""
    if not isinstance(facts, Mapping):
        raise InputError(Issue("the facts must be a JSON object {...}", source=source))
    issues = []
    out: dict[str, Any] = {}
    for k, v in facts.items():
        if k not in FACT_KEYS:
            issues.append(Issue(f"unknown fact '{k}'; allowed: {', '.join(FACT_KEYS)}", source=source, field=k))
        elif k == "damage_amount_yuan":
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))
                                  or not math.isfinite(v) or v < 0 or v > MAX_YUAN):
                issues.append(Issue(f"must be an amount in yuan >= 0 (at most {MAX_YUAN:g}) or null, "
                                    f"got {str(v)[:60]!r}", source=source, field=k))
                continue
            out[k] = None if v is None else float(v)
        elif k == "major_triggers":
            triggers = profile.list("classification.major.triggers")
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                issues.append(Issue(f"must be a list of trigger ids, got {v!r}", source=source, field=k))
                continue
            bad = [x for x in v if x not in triggers]
            if bad:
                issues.append(Issue(f"unknown trigger(s) {', '.join(bad)} for profile '{profile.id}'; "
                                    f"known: {', '.join(triggers.ids)}", source=source, field=k))
            out[k] = list(dict.fromkeys(v))
        elif k == "damage_kind":
            if v is not None and v not in DAMAGE_KINDS:
                issues.append(Issue(f"must be one of {', '.join(DAMAGE_KINDS)}, got {v!r}", source=source, field=k))
            out[k] = v
        else:
            if v is not None and not isinstance(v, bool):
                issues.append(Issue(f"must be true, false or null, got {v!r}", source=source, field=k))
            out[k] = v
    if issues:
        raise InputError(issues)
    return out


def _entry(rule: Rule, effect: str, met: bool | None, detail: str) -> dict:
    return {**rule.cite(), "effect": effect, "met": met, "detail": detail}


def _yuan(x: float) -> str:
    return f"{x:,.0f}"


def classify(case_facts: Mapping[str, Any], profile: Profile, source: str | None = None) -> Classification:
    """Classify a case: the class and every rule evaluated, each with its source.

    ``case_facts`` keys: ``damage_amount_yuan`` (yuan), ``facts_clear``, ``liability_undisputed``,
    ``obvious_impact``, ``in_red_line``, ``repeat_offence_within_2y``, ``rectification_completed``
    (true / false / null = unknown), ``major_triggers`` (ids from the profile), optional
    ``damage_kind`` (``pollution`` / ``ecological_destruction``). The steps, in order: major,
    significantly minor, simple, else ordinary.
    """
    facts = check_facts(case_facts, profile, source)
    fired: list[dict] = []
    if _major(facts, profile, fired):
        return Classification(CaseClass.MAJOR.value, fired, profile.id, facts)
    if _significantly_minor(facts, profile, fired):
        return Classification(CaseClass.SIGNIFICANTLY_MINOR.value, fired, profile.id, facts)
    ok = _simple(facts, profile, fired)
    return Classification((CaseClass.SIMPLE if ok else CaseClass.ORDINARY).value, fired, profile.id, facts)


def _major(facts: Mapping[str, Any], profile: Profile, fired: list[dict]) -> bool:
    """Whether a major-case trigger of the profile is among the facts (each one noted in ``fired``)."""
    triggers = profile.list("classification.major.triggers")
    for tid in facts.get("major_triggers", []):
        item = triggers.get(tid)
        fired.append({**triggers.cite(tid), "effect": "major", "met": True,
                      "detail": f"重大案件情形 major-case trigger: {item.zh} / {item.en}"})
    return any(f["effect"] == "major" for f in fired)


def _minor_amount(facts: Mapping[str, Any], profile: Profile, fired: list[dict]) -> bool | None:
    """The significantly-minor amount cap: met, not met, or None when it cannot be applied."""
    cap = profile.rule("classification.significantly_minor.amount_cap_yuan")
    amount, kind = facts.get("damage_amount_yuan"), facts.get("damage_kind")
    applies_to = cap.extra.get("applies_to")
    if not cap.is_set:
        fired.append(_entry(cap, "minor_criterion", None, "损害数额上限未设定，不适用 amount cap not set: "
                                                          "criterion not applied"))
    elif applies_to and kind is not None and kind not in applies_to:
        fired.append(_entry(cap, "minor_criterion", None, f"数额上限仅适用于 the cap applies to "
                                                          f"{', '.join(applies_to)} cases only; this is {kind}"))
    elif applies_to and kind is None:
        # the cap is written for one kind of damage: unknown kind -> not applied (桂环规范〔2024〕1号)
        fired.append(_entry(cap, "minor_criterion", None, f"损害类型未知，数额上限仅适用于 damage kind not stated: "
                                                          f"the cap applies to {', '.join(applies_to)} cases only"))
    elif amount is None:
        fired.append(_entry(cap, "minor_criterion", None, "损害数额未知 damage amount unknown"))
    else:
        met = amount <= cap.value
        scope = f" ({'/'.join(applies_to)})" if applies_to else ""
        fired.append(_entry(cap, "minor_criterion", met,
                            f"损害数额 damage {_yuan(amount)} {'≤' if met else '>'} {_yuan(cap.value)} yuan{scope}"))
        return met
    return None


def _minor_impact(facts: Mapping[str, Any], profile: Profile, fired: list[dict]) -> bool | None:
    """The "no obvious impact" criterion, when the profile has it: met, not met, or None (unknown
    or not a criterion)."""
    rule = profile.rule("classification.significantly_minor.no_obvious_impact")
    impact = facts.get("obvious_impact")
    if rule.value is not True:
        return None
    if impact is None:
        fired.append(_entry(rule, "minor_criterion", None, "是否造成明显影响未知 impact unknown"))
        return None
    fired.append(_entry(rule, "minor_criterion", impact is False,
                        "未造成明显影响 no obvious impact" if impact is False else "造成明显影响 obvious impact"))
    return impact is False


def _minor_blocked(facts: Mapping[str, Any], profile: Profile, fired: list[dict]) -> bool:
    """Whether an exception (or an exception whose fact is unknown) keeps a minor case a claim."""
    exceptions = profile.list("classification.significantly_minor.exceptions")
    blocked = False
    for item in exceptions.items:
        value = facts.get(item.extra["fact"])
        if value is None:
            blocked = True
            fired.append({**exceptions.cite(item.id), "effect": "minor_exception", "met": None,
                          "detail": f"例外情形事实未知，须启动索赔 unknown whether this exception applies "
                                    f"({item.extra['fact']} not given): {item.zh}"})
        elif value == item.extra["when"]:
            blocked = True
            fired.append({**exceptions.cite(item.id), "effect": "minor_exception", "met": True,
                          "detail": f"例外情形，仍须启动索赔 exception, a claim is still required: {item.zh}"})
        else:
            fired.append({**exceptions.cite(item.id), "effect": "minor_exception", "met": False,
                          "detail": f"例外情形不适用 exception does not apply: {item.zh}"})
    return blocked


def _significantly_minor(facts: Mapping[str, Any], profile: Profile, fired: list[dict]) -> bool:
    """Whether the criteria (combined by the profile's ``criteria``: any / all) make the case
    significantly minor and no exception blocks it."""
    results = [r for r in (_minor_amount(facts, profile, fired), _minor_impact(facts, profile, fired))
               if r is not None]
    combine = profile.rule("classification.significantly_minor.criteria").value or "any"
    candidate = bool(results) and (any(results) if combine == "any" else all(results))
    return candidate and not _minor_blocked(facts, profile, fired)


def _simple(facts: Mapping[str, Any], profile: Profile, fired: list[dict]) -> bool:
    """Whether every condition of a simple case holds (facts clear, liability undisputed, the cap)."""
    base = "classification.simple"
    amount = facts.get("damage_amount_yuan")
    ok = True
    for key, fact, zh in (("facts_clear_required", "facts_clear", "损害事实清楚 facts clear"),
                          ("liability_undisputed_required", "liability_undisputed",
                           "责任认定无争议 liability undisputed")):
        rule = profile.rule(f"{base}.{key}")
        if rule.value is True:
            met = facts.get(fact) is True
            ok &= met
            state = {True: "是 yes", False: "否 no", None: "未知 unknown"}[facts.get(fact)]
            fired.append(_entry(rule, "simple_condition", met, f"{zh}: {state}"))
    cap = profile.rule(f"{base}.amount_cap_yuan")
    if not cap.is_set:
        fired.append(_entry(cap, "simple_condition", None, "简单案件数额上限未设定 cap not set"))
        return False
    if amount is None:
        fired.append(_entry(cap, "simple_condition", False, "损害数额未知 damage amount unknown"))
        return False
    met = amount <= cap.value
    fired.append(_entry(cap, "simple_condition", met,
                        f"损害数额 damage {_yuan(amount)} {'≤' if met else '>'} {_yuan(cap.value)} yuan"))
    return ok and met


def read_facts(path: str | Path) -> dict:
    """A FACTS.json file as a dict (InputError naming the file if it is not a JSON object)."""
    path = Path(path)
    try:
        data = json.loads(limits.read_bounded(path, limits.DOCUMENT_FILE).decode("utf-8"))
    except FileNotFoundError:
        raise InputError(Issue("file not found", source=str(path))) from None
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise InputError(Issue(f"not valid JSON: {str(exc)[:200]}", source=path.name)) from None
    except OSError as exc:  # a folder, no permission ...
        raise InputError(Issue(f"cannot read the file: {exc.strerror or exc}", source=str(path))) from None
    if not isinstance(data, dict):
        raise InputError(Issue("the facts must be a JSON object {...}", source=path.name))
    return data
