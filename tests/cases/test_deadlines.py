"""Deadlines across the Spring Festival and weekends; years the holiday calendar does not know;
the sample's overdue items; the rule behind each due date."""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from restoration.cases import compute_deadlines, deadlines, load_profile, overdue, period_end
from restoration.cases import holidays
from restoration.cases.holidays import covered_years, holiday_name, is_rest_day

from .conftest import TODAY


def test_calendar_period_ending_in_spring_festival_moves_to_first_working_day():
    # 2026 Spring Festival holiday: 15–23 Feb; 90 days after 20 Nov 2025 is 18 Feb (a holiday)
    end = period_end(date(2025, 11, 20), 90, "calendar")
    assert end.nominal == date(2026, 2, 18)
    assert end.due == date(2026, 2, 24) and end.moved and not end.provisional
    # without the Civil Code art. 203 rule nothing moves
    assert period_end(date(2025, 11, 20), 90, move_rest_day=False).due == date(2026, 2, 18)


def test_weekend_and_adjusted_working_saturday():
    # Saturday 7 Mar 2026 -> Monday 9 Mar
    end = period_end(date(2026, 2, 5), 30)
    assert (end.nominal, end.due) == (date(2026, 3, 7), date(2026, 3, 9))
    # Saturday 14 Feb 2026 is an adjusted working day (调休上班): the period ends on it
    assert is_rest_day(date(2026, 2, 14)) == (False, None)
    end = period_end(date(2026, 1, 15), 30)
    assert end.nominal == end.due == date(2026, 2, 14)
    # a weekday that is no holiday stays
    assert period_end(date(2026, 3, 1), 2).due == date(2026, 3, 3)


def test_working_days_across_spring_festival_and_a_weekend():
    # Thu 12 Feb 2026 + 5 working days: Fri 13, Sat 14 (adjusted working day), [15–23 holiday], 24, 25, 26
    assert period_end(date(2026, 2, 12), 5, "working").due == date(2026, 2, 26)
    # Thu 5 Mar + 2 working days: Fri 6, (weekend), Mon 9
    assert period_end(date(2026, 3, 5), 2, "working").due == date(2026, 3, 9)
    # counting the start day (a profile may say so)
    assert period_end(date(2026, 3, 5), 2, "working", start_day_counted=True).due == date(2026, 3, 6)
    assert period_end(date(2026, 3, 5), 1, start_day_counted=True).due == date(2026, 3, 5)


def _holidays_of(year: int, name: str) -> list[date]:
    """The days of the named holiday in ``year``, from the installed ``chinesecalendar``."""
    days = (date(year, 1, 1) + timedelta(n) for n in range(366))
    return [d for d in days if d.year == year and holiday_name(d) == name]


def test_holidays_inside_the_calendar_are_skipped_to_the_next_working_day():
    # whatever years the installed release covers: a period ending on the first day of its last
    # year's Spring Festival moves past the whole holiday, to a day the package calls a working day
    first, last = covered_years()
    assert first <= TODAY.year <= last  # the sample's year has holiday data (the tests above use it)
    festival = _holidays_of(last, "Spring Festival")
    assert len(festival) >= 3
    end = period_end(festival[0] - timedelta(days=30), 30)
    assert end.nominal == festival[0] and end.due > festival[-1] and end.moved and not end.provisional
    assert is_rest_day(end.due) == (False, None) and is_rest_day(festival[0]) == (True, None)


def test_years_beyond_the_calendar_fall_back_to_weekends_and_say_so():
    first, last = covered_years()
    beyond = last + 1  # the first year the installed release does not know
    saturday = next(d for d in (date(beyond, 3, 1) + timedelta(n) for n in range(7)) if d.weekday() == 5)
    # a period ending on a Saturday of that year moves to the Monday, provisional, and says why
    end = period_end(saturday - timedelta(days=90), 90)
    assert (end.nominal, end.due, end.provisional) == (saturday, saturday + timedelta(days=2), True)
    assert str(beyond) in end.reasons[0] and "provisional" in end.reasons[0]
    # a weekday there stays, but is still provisional: the year's holidays are unknown
    end = period_end(saturday - timedelta(days=93), 90)
    assert end.due == end.nominal == saturday - timedelta(days=3) and end.provisional
    # working days through an unknown year, and a year before the calendar starts: no crash
    assert period_end(date(last, 12, 30), 10, "working").provisional
    assert period_end(date(first - 1, 5, 1), 10).provisional
    # a period wholly inside the covered years is not provisional
    assert not period_end(date(last, 1, 5), 10).provisional


@pytest.fixture
def calendar_ending_2026(monkeypatch):
    """The holiday calendar as a release that covers years up to 2026 sees it (the sample's dates
    run into 2027): whatever release is installed, 2027 is a year it does not know."""
    first, _ = covered_years()
    monkeypatch.setattr(holidays, "covered_years", lambda: (first, 2026))


def test_an_unknown_year_gives_weekend_moves_only(calendar_ending_2026):
    # 90 days from 1 Dec 2026 is Tue 1 Mar 2027: a weekday, but 2027's holidays are unknown
    end = period_end(date(2026, 12, 1), 90)
    assert end.due == date(2027, 3, 1) and end.provisional
    assert "2027" in end.reasons[0] and "2026" in end.reasons[0] and "provisional" in end.reasons[0]
    # ends on Saturday 6 Mar 2027 -> Monday 8 Mar, provisional
    end = period_end(date(2026, 12, 6), 90)
    assert (end.nominal, end.due, end.provisional) == (date(2027, 3, 6), date(2027, 3, 8), True)
    assert not period_end(date(2026, 1, 5), 10).provisional


def _case(**kw):
    return {"case_id": "T-1", "incident_date": "2025-01-01", "case_class": "ordinary", **kw}


def _events(*pairs):
    return [{"event_type": t, "event_date": d} for t, d in pairs]


PRE = [("clue_registered", "2025-02-01"), ("filed", "2025-02-10"), ("investigation_started", "2025-02-20"),
       ("investigation_reported", "2025-04-01"), ("appraisal_commissioned", "2025-04-10"),
       ("appraisal_reported", "2025-10-01")]


def test_consultation_deadline_open_overdue_met(guangxi):
    evs = _events(*PRE, ("consultation_notice_served", "2025-11-20"), ("meeting_held", "2025-12-10"))
    by = {d.deadline: d for d in compute_deadlines(_case(), evs, guangxi, today=date(2026, 2, 20))}
    c = by["consultation"]
    assert (c.status, c.due_date, c.days_left, c.moved) == ("open", date(2026, 2, 24), 4, True)
    assert c.source.startswith("桂工作细则说明 五（三）2") and c.verified and c.limit_days == 90
    # the note is a message (code + parameters): English by str(), Chinese from the dictionaries
    from dashboards.i18n import message
    assert c.note.code == "deadline.moved" and "moved to 2026-02-24" in str(c.note)
    assert "顺延" in message(c.note, "zh") and "第二百零三条" in message(c.note, "zh")
    late = {d.deadline: d for d in compute_deadlines(_case(), evs, guangxi, today=date(2026, 3, 1))}
    assert late["consultation"].status == "overdue" and late["consultation"].days_left == -5
    done = evs + _events(("agreement_signed", "2026-02-24"))
    met = {d.deadline: d for d in compute_deadlines(_case(), done, guangxi, today=date(2026, 3, 1))}
    assert met["consultation"].status == "met" and met["consultation"].stop_date == date(2026, 2, 24)
    later = evs + _events(("agreement_signed", "2026-02-25"))
    assert {d.deadline: d for d in compute_deadlines(_case(), later, guangxi, today=date(2026, 3, 1))}[
        "consultation"].status == "met_late"


def test_unset_limits_are_listed_not_guessed(guangxi):
    evs = _events(*PRE[:3])
    by = {d.deadline: d for d in compute_deadlines(_case(), evs, guangxi, today=date(2025, 3, 1))}
    inv = by["investigation"]
    assert inv.status == "not_set" and inv.due_date is None and inv.days_left is None
    assert "第三章" in inv.source and inv.verified is False
    assert by["filing_decision"].status == "completed"  # filed, but there was no limit to meet


def test_a_later_start_restarts_the_clock(guangxi):
    evs = _events(*PRE, ("consultation_notice_served", "2025-10-10"), ("consultation_failed", "2025-10-20"),
                  ("consultation_notice_served", "2025-11-20"))
    evs[-2]["details"] = {"circumstance": "notice_unserved"}
    rows = [d for d in compute_deadlines(_case(), evs, guangxi, today=date(2026, 1, 5)) if d.deadline == "consultation"]
    assert [(d.start_date, d.status) for d in rows] == [(date(2025, 10, 10), "met"), (date(2025, 11, 20), "open")]


def test_working_day_profile_limit(write_profile):
    path = write_profile("wd", '''
        [profile]
        id = "wd"
        name_zh = "测试"
        name_en = "test"
        extends = "guangxi"

        [time_limits.investigation]
        zh = "调查"
        en = "investigation"
        day_kind = "working"
        value = 5
        start_events = ["investigation_started"]
        stop_events = ["investigation_reported"]
        source = "测试 第一条"
        verified = false
        ''')
    prof = load_profile(path)
    evs = _events(("clue_registered", "2026-01-05"), ("filed", "2026-01-10"), ("investigation_started", "2026-02-12"))
    inv = {d.deadline: d for d in compute_deadlines(_case(), evs, prof, today=date(2026, 2, 20))}["investigation"]
    assert (inv.due_date, inv.day_kind, inv.status, inv.days_left) == (date(2026, 2, 26), "working", "open", 6)


def test_provisional_deadline_in_an_unknown_year(guangxi, calendar_ending_2026):
    evs = _events(*PRE, ("consultation_notice_served", "2026-11-10"))
    c = {d.deadline: d for d in compute_deadlines(_case(), evs, guangxi, today=TODAY)}["consultation"]
    assert c.due_date == date(2027, 2, 8) and c.provisional and "2027" in c.provisional_reason


def test_case_and_instalment_deadlines(guangxi):
    evs = _events(*PRE, ("consultation_notice_served", "2025-10-10"), ("meeting_held", "2025-10-20"),
                  ("agreement_signed", "2025-11-01"), ("restoration_started", "2025-12-01"))
    evs[-2]["details"] = {"deadlines": [{"id": "restore", "zh": "修复完成", "en": "restore", "due_date": "2026-06-30",
                                         "stop_events": ["restoration_completed"]}],
                          "clauses": [i.id for i in guangxi.list("agreement_clauses").items]}
    ledger = pd.DataFrame([
        {"entry_type": "instalment_due", "amount_yuan": 100.0, "entry_date": "2025-11-01", "due_date": "2025-12-31",
         "instalment_no": 1},
        {"entry_type": "instalment_due", "amount_yuan": 100.0, "entry_date": "2025-11-01", "due_date": "2026-03-31",
         "instalment_no": 2},
        {"entry_type": "received", "amount_yuan": 100.0, "entry_date": "2026-01-05", "due_date": None,
         "instalment_no": None}])
    by = {d.deadline: d for d in compute_deadlines(_case(), evs, guangxi, ledger, today=date(2026, 7, 1))}
    assert by["restore"].status == "overdue" and by["restore"].kind == "case"
    src = by["restore"].source
    assert src.code == "deadline.source_case" and src.params["event"].code == "agreement_signed"
    assert src.params["date"] == "2025-11-01" and "2025-11-01" in str(src)
    assert by["instalment_1"].status == "met_late" and by["instalment_2"].status == "overdue"
    # once the case is closed nothing is overdue any more
    closed = evs + _events(("restoration_completed", "2026-07-01"), ("effect_evaluation", "2026-07-01"),
                           ("closed", "2026-07-01"))
    assert not [d for d in compute_deadlines(_case(), closed, guangxi, ledger, today=date(2026, 7, 2)) if d.overdue]


def test_sample_deadlines_as_of_today(store):
    late = overdue(store, TODAY)
    assert len(late) >= 5
    assert set(late["kind"]) == {"rule", "case", "instalment", "supervision"}
    # GX-2024-004 is supervised (督办) with a report every 90 days; the third report is overdue
    sup = late[late["kind"] == "supervision"]
    assert list(sup["case_id"]) == ["GX-2024-004"] and list(sup["deadline"]) == ["supervision_report_3"]
    assert (late["days_left"] < 0).all()
    assert {"GX-2024-005", "GX-2023-015", "GX-2023-009"} <= set(late["case_id"])
    open_rows = [d for cid in ("GX-2024-006", "GX-2024-004") for d in deadlines(store, cid, TODAY) if d.status == "open"]
    assert open_rows and all(d.days_left >= 0 for d in open_rows)
    # GX-2023-007: the consultation period ended in the 2026 Spring Festival and moved
    c = next(d for d in deadlines(store, "GX-2023-007", TODAY) if d.deadline == "consultation")
    assert (c.nominal_due, c.due_date, c.status) == (date(2026, 2, 18), date(2026, 2, 24), "met")
    # GX-2024-005: the period ended in the 2026 May Day holiday
    c = next(d for d in deadlines(store, "GX-2024-005", TODAY) if d.deadline == "consultation")
    assert (c.nominal_due, c.due_date, c.status) == (date(2026, 5, 5), date(2026, 5, 6), "overdue")
    # as of an earlier date the same case was not overdue yet
    assert next(d for d in deadlines(store, "GX-2024-005", date(2026, 5, 6))
                if d.deadline == "consultation").status == "open"


@pytest.mark.parametrize("cid", ["GX-2022-012", "GX-2024-013", "GX-2023-014"])
def test_ended_cases_have_nothing_overdue(store, cid):
    assert not [d for d in deadlines(store, cid, TODAY) if d.overdue]
