"""Which rules judge a case: the version of its rule profile in force on its filing date.

Zhejiang art. 10 and Guangxi ch. 8 put the rules in force by date: a case is judged by the
version of its profile (``cases.profile``: ``guangxi``, or a version ``zhejiang@2026``) in force on
its filing date (立案), else its clue registration, else its discovery date. A stored profile that
names nothing installed here is reported for that case, never read as a path, and every other case
is still computed.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping, Sequence

import pandas as pd

from .. import config
from ..errors import InputError, Issue, NotFoundError
from ..messages import Message
from .rules import (ENV_PROFILES, VERSION_SEP, Profile, available_profiles, load_profile, profile_versions,
                    version_in_force)
from .workflow import Event, make_event


def judged_on(case: Mapping[str, Any], events: Sequence[Event | Mapping] | None = None) -> date:
    """The date whose rules judge the case: its filing date (立案), else its clue registration,
    else the discovery date, else today (Zhejiang art. 10, Guangxi ch. 8: rules in force by date)."""
    found: dict[str, date] = {}
    for e in events or []:
        etype = e.event_type if isinstance(e, Event) else e.get("event_type")
        if etype not in ("filed", "clue_registered"):
            continue
        day = make_event(e).event_date
        found[etype] = min(found.get(etype, day), day)
    if "filed" in found:
        return found["filed"]
    if "clue_registered" in found:
        return found["clue_registered"]
    disc = case.get("discovered_date")
    if disc is not None and not (isinstance(disc, float) and pd.isna(disc)):
        try:
            return date.fromisoformat(str(disc)[:10])
        except ValueError:
            pass
    return config.today()


def profile_problem(case: Mapping[str, Any]) -> str | None:
    """Why the case's rule profile is unknown here (bilingual), or None.

    A store written by an older version, or edited in GDAL/QGIS, may hold a case whose
    ``profile`` names no installed profile: that case's deadlines and workflow cannot be
    computed, but every other case must still be listed. A stored value is a profile name
    (``guangxi``) or version (``zhejiang@2026``), never read as a file path."""
    name = str(case.get("profile") or "guangxi")
    known = available_profiles()
    base, _, tag = name.partition(VERSION_SEP)
    if base in known and (not tag or any(v.tag == tag for v in profile_versions(base))):
        return None
    shown = name[:100].encode("unicode_escape").decode("ascii")
    return (f"案件 {case.get('case_id')} 的规则配置“{shown}”不存在，无法计算期限和流程 — "
            f"case {case.get('case_id')} names the unknown rule profile '{shown}', so its deadlines and "
            f"workflow cannot be computed; known profiles: {', '.join(known)}. Install {shown}.toml in a "
            f"folder of ${ENV_PROFILES}, or set the case's profile to a known one")


def _load_problem(case: Mapping[str, Any], exc: Exception) -> str:
    name = str(case.get("profile") or "guangxi")[:100]
    return (f"案件 {case.get('case_id')} 的规则配置“{name}”无法读取 — case {case.get('case_id')}: rule "
            f"profile '{name}' cannot be loaded ({exc}); fix the profile file")


def profile_for(case: Mapping[str, Any], events: Sequence[Event | Mapping] | None = None) -> Profile:
    """The case's rule profile: the version of ``case.profile`` in force on its filing date (a
    case naming a version, ``zhejiang@2026``, uses exactly that one). InputError naming the case
    (a :class:`~restoration.messages.Message`: pages word it in their language) if the profile
    is unknown here or cannot be loaded."""
    cid, name = case.get("case_id"), str(case.get("profile") or "guangxi")[:100]
    if profile_problem(case) is None:
        try:
            return load_profile(case.get("profile") or "guangxi", on=judged_on(case, events))
        except (InputError, NotFoundError) as exc:
            problem = Message("profile.unreadable", {"case": cid, "profile": name, "detail": str(exc)})
    else:
        problem = Message("profile.unknown", {"case": cid, "profile": name.encode("unicode_escape").decode("ascii"),
                                              "known": list(available_profiles()), "env": ENV_PROFILES})
    raise InputError(Issue(problem, source=Message("where.case", {"case": cid}), field="profile"))


def _profiles():
    """``profile_for`` that loads each profile version once per call of a many-case function; a
    case whose profile cannot be used gets None, and its problem is kept in ``get.problems``
    ({case_id: bilingual message}) so the other cases are still computed."""
    seen: dict[tuple, Profile | str] = {}
    chosen: dict[tuple, Any] = {}
    problems: dict[str, str] = {}

    def get(case: Mapping[str, Any], events: Sequence | None = None) -> Profile | None:
        problem = profile_problem(case)
        if problem is not None:
            problems[case["case_id"]] = problem
            return None
        name = case.get("profile") or "guangxi"
        on = judged_on(case, events)
        if (name, on) not in chosen:
            v = version_in_force(name, on) if VERSION_SEP not in name else None
            chosen[(name, on)] = str(v.path) if v is not None else name
        key = chosen[(name, on)]
        if key not in seen:
            try:
                seen[key] = load_profile(key)
            except (InputError, NotFoundError) as exc:
                seen[key] = _load_problem(case, exc)
        if isinstance(seen[key], str):
            problems[case["case_id"]] = seen[key]
            return None
        return seen[key]
    get.problems = problems
    return get
