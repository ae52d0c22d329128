"""Which profile version judges a case, for many cases at once (:class:`CaseProfiles`): the same
choice as :func:`profile_for` case by case, with the profile's known-ness and versions looked up
once per profile, not once per case."""
from __future__ import annotations

import datetime as dt

from restoration.profiles import CaseProfiles, for_case, profile_for


def _cases(n: int) -> list[dict]:
    start = dt.date(2021, 1, 1)
    return [{"case_id": f"C{i}", "profile": ("guangxi", "zhejiang", "zhejiang@draft-2025", None)[i % 4],
             "discovered_date": (start + dt.timedelta(days=37 * i)).isoformat()} for i in range(60)]


def test_many_cases_choose_as_one_case_does():
    cases = _cases(60)
    many = CaseProfiles()
    assert [many(c, []).key for c in cases] == [profile_for(c, []).key for c in cases]
    assert not many.problems


def test_profiles_are_resolved_once_per_profile_not_per_case(monkeypatch):
    calls = {"known": 0, "versions": 0}
    known, versions = for_case.is_known, for_case.profile_versions

    def counted_known(name):
        calls["known"] += 1
        return known(name)

    def counted_versions(name, dirs=None):
        calls["versions"] += 1
        return versions(name, dirs)

    monkeypatch.setattr(for_case, "is_known", counted_known)
    monkeypatch.setattr(for_case, "profile_versions", counted_versions)
    many = CaseProfiles()
    for case in _cases(60):
        many(case, [])
    # four spellings (guangxi, zhejiang, a zhejiang version, empty = the default profile) over 60 cases
    assert calls["known"] == 3  # an empty profile is the default one, guangxi
    # the versions of guangxi and of zhejiang once each, and once the tag of zhejiang@draft-2025
    # (a case naming a version uses exactly that one: no choice by date)
    assert calls["versions"] == 3


def test_an_unknown_profile_is_reported_per_case_and_the_others_computed():
    many = CaseProfiles()
    cases = [{"case_id": "A", "profile": "atlantis"}, {"case_id": "B", "profile": "guangxi"},
             {"case_id": "C", "profile": "atlantis"}]
    got = [many(c, []) for c in cases]
    assert got[0] is None and got[2] is None and got[1].id == "guangxi"
    assert set(many.problems) == {"A", "C"} and "atlantis" in many.problems["C"]
