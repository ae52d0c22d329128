"""Which rules judge a case: the version of its rule profile in force on its filing date.

Zhejiang art. 10 and Guangxi ch. 8 put the rules in force by date: a case is judged by the
version of its profile (``cases.profile``: ``guangxi``, or a version ``zhejiang@2026``; empty:
:data:`DEFAULT_PROFILE`) in force on its filing date (立案), else its clue registration, else its
discovery date. A stored profile that names nothing installed here is reported for that case,
never read as a path, and every other case is still computed.
"""
from __future__ import annotations

import datetime as _dt
from typing import Any, Mapping, Sequence

import pandas as pd

from .. import config
from ..config import DEFAULT_PROFILE
from ..errors import InputError, Issue, NotFoundError
from ..messages import Message
from .discovery import ENV_PROFILES, ProfileVersion, available_profiles, in_force_on, profile_versions
from .loader import load_profile
from .profile import Profile
from .schema import VERSION_SEP

#: the events whose first date chooses the rules (in this order)
JUDGING_EVENTS = ("filed", "clue_registered")


def profile_name(case: Mapping[str, Any]) -> str:
    """The profile (``NAME`` or ``NAME@TAG``) a case names; :data:`DEFAULT_PROFILE` when empty."""
    return str(case.get("profile") or DEFAULT_PROFILE)


def base_profile(value: Any) -> str:
    """The rule profile a case's ``profile`` field names, without a version tag (an empty field is
    :data:`DEFAULT_PROFILE`)."""
    if value is None or (isinstance(value, float) and value != value) or not str(value).strip():
        return DEFAULT_PROFILE
    return str(value).strip().split(VERSION_SEP)[0]


def _event_day(e: Any) -> tuple[Any, _dt.date]:
    """(type, date) of an event given as an ``Event`` or a stored row."""
    etype = getattr(e, "event_type", None)
    if etype is not None:
        return etype, e.event_date
    value = e.get("event_date")
    if isinstance(value, _dt.date):
        return e.get("event_type"), value
    try:
        return e.get("event_type"), _dt.date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        raise InputError(Issue(f"'{value}' is not a date (use YYYY-MM-DD)", field="event_date")) from None


def judged_on(case: Mapping[str, Any], events: Sequence[Any] | None = None) -> _dt.date:
    """The date whose rules judge the case: its filing date (立案), else its clue registration,
    else the discovery date, else today (Zhejiang art. 10, Guangxi ch. 8: rules in force by date).
    ``events``: ``Event`` objects or stored rows."""
    day = judging_date(case, events)
    return config.today() if day is None else day


def judging_date(case: Mapping[str, Any], events: Sequence[Any] | None = None) -> _dt.date | None:
    """:func:`judged_on` from the case's own record: None where only today would judge it."""
    found: dict[str, _dt.date] = {}
    for e in events or []:
        etype = getattr(e, "event_type", None) or e.get("event_type")
        if etype not in JUDGING_EVENTS:
            continue
        _, day = _event_day(e)
        found[etype] = min(found.get(etype, day), day)
    for etype in JUDGING_EVENTS:
        if etype in found:
            return found[etype]
    disc = case.get("discovered_date")
    if disc is not None and not (isinstance(disc, float) and pd.isna(disc)):
        try:
            return _dt.date.fromisoformat(str(disc)[:10])
        except ValueError:
            pass
    return None


def _shown(name: str) -> str:
    return name[:100].encode("unicode_escape").decode("ascii")


def is_known(name: str) -> bool:
    """Whether the profile ``NAME`` (or the version ``NAME@TAG``) is installed here."""
    base, _, tag = name.partition(VERSION_SEP)
    return base in available_profiles() and (not tag or any(v.tag == tag for v in profile_versions(base)))


def profile_problem(case: Mapping[str, Any]) -> str | None:
    """Why the case's rule profile is unknown here (bilingual), or None.

    A store written by an older version, or edited in GDAL/QGIS, may hold a case whose
    ``profile`` names no installed profile: that case's deadlines and workflow cannot be
    computed, but every other case must still be listed. A stored value is a profile name
    (``guangxi``) or version (``zhejiang@2026``), never read as a file path."""
    name = profile_name(case)
    if is_known(name):
        return None
    known = available_profiles()
    shown = _shown(name)
    return (f"案件 {case.get('case_id')} 的规则配置“{shown}”不存在，无法计算期限和流程 — "
            f"case {case.get('case_id')} names the unknown rule profile '{shown}', so its deadlines and "
            f"workflow cannot be computed; known profiles: {', '.join(known)}. Install {shown}.toml in a "
            f"folder of ${ENV_PROFILES}, or set the case's profile to a known one")


def _load_problem(case: Mapping[str, Any], exc: Exception) -> str:
    name = profile_name(case)[:100]
    return (f"案件 {case.get('case_id')} 的规则配置“{name}”无法读取 — case {case.get('case_id')}: rule "
            f"profile '{name}' cannot be loaded ({exc}); fix the profile file")


def profile_for(case: Mapping[str, Any], events: Sequence[Any] | None = None) -> Profile:
    """The case's rule profile: the version of ``case.profile`` in force on its filing date (a
    case naming a version, ``zhejiang@2026``, uses exactly that one). InputError naming the case
    (a :class:`~restoration.messages.Message`: pages word it in their language) if the profile
    is unknown here or cannot be loaded."""
    cid, name = case.get("case_id"), profile_name(case)[:100]
    if profile_problem(case) is None:
        try:
            return load_profile(profile_name(case), on=judged_on(case, events))
        except (InputError, NotFoundError) as exc:
            problem = Message("profile.unreadable", {"case": cid, "profile": name, "detail": str(exc)})
    else:
        problem = Message("profile.unknown", {"case": cid, "profile": _shown(name),
                                              "known": list(available_profiles()), "env": ENV_PROFILES})
    raise InputError(Issue(problem, source=Message("where.case", {"case": cid}), field="profile"))


class CaseProfiles:
    """:func:`profile_for` for many cases in one call (a register, the overdue list, the overview):
    whether a profile is known here and its versions are looked up once per profile, each version
    is loaded once, and only the judging date is worked out per case. A case whose profile cannot
    be used gets None, and why is kept in ``problems`` ({case_id: bilingual message}) so the other
    cases are still computed."""

    def __init__(self) -> None:
        self.problems: dict[str, str] = {}
        self._loaded: dict[str, Profile | str] = {}
        self._known: dict[str, bool] = {}
        self._versions: dict[str, list[ProfileVersion]] = {}

    def key(self, name: str, on: _dt.date) -> str:
        """What to load for profile ``name`` judged on ``on``: a version's file, else the name."""
        if VERSION_SEP in name:
            return name  # a case naming a version uses exactly that one
        if name not in self._versions:
            self._versions[name] = profile_versions(name)
        v = in_force_on(self._versions[name], on)
        return str(v.path) if v is not None else name

    def __call__(self, case: Mapping[str, Any], events: Sequence | None = None) -> Profile | None:
        name = profile_name(case)
        if name not in self._known:
            self._known[name] = is_known(name)
        if not self._known[name]:
            self.problems[case["case_id"]] = profile_problem(case)
            return None
        found = self.load(case, self.key(name, judged_on(case, events)))
        if isinstance(found, str):
            self.problems[case["case_id"]] = found
            return None
        return found

    def load(self, case: Mapping[str, Any], key: str) -> "Profile | str":
        """The profile of ``key`` (loaded once), or why ``case`` cannot use it."""
        if key not in self._loaded:
            try:
                self._loaded[key] = load_profile(key)
            except (InputError, NotFoundError) as exc:
                self._loaded[key] = _load_problem(case, exc)
        return self._loaded[key]
