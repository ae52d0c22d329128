"""A loaded profile answers each look-up once: the deadlines of 20,000 cases ask the same rules
again and again, and a profile never changes after it is loaded."""
from __future__ import annotations

from restoration.profiles import load_profile


def test_a_rule_is_looked_up_once_and_the_same_answer_returned():
    p = load_profile("guangxi")
    first = p.rule("calendar.start_day_counted")
    assert p.rule("calendar.start_day_counted") is first
    assert p.list("modes.recognised") is p.list("modes.recognised")


def test_time_limits_are_a_fresh_mapping_of_the_same_rules():
    p = load_profile("guangxi")
    limits = p.time_limits()
    assert limits, "the Guangxi profile sets time limits"
    limits.clear()  # a caller's own copy: clearing it does not empty the profile's
    again = p.time_limits()
    assert again and all(again[k] is p.rule(f"time_limits.{k}") for k in again)
