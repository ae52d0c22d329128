"""Chinese working days and the end of a period (期间计算).

Public holidays and adjusted working days (调休) come from the ``chinesecalendar`` package, which
knows only the years its release covers (1.11.0: 2004–2026). For any other year the platform
falls back to "weekends are rest days", marks the result *provisional* and says why — it never
fails on a date the package does not know.

Counting follows the Civil Code (《民法典》第二百零一条至第二百零三条): the start day is not
counted; when the last day of a period falls on a statutory rest day it moves to the first day
after the rest ends. Weekends are rest days unless the State Council made them working days.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar


@lru_cache(maxsize=1)
def covered_years() -> tuple[int, int]:
    """First and last year the installed ``chinesecalendar`` has holiday data for."""
    years = {d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays}
    return min(years), max(years)


def _version() -> str:
    try:
        from importlib.metadata import version
        return version("chinesecalendar")
    except Exception:  # pragma: no cover
        return "?"


def uncovered_reason(year: int) -> str:
    first, last = covered_years()
    return (f"{year} 年法定节假日安排不在 chinesecalendar {_version()} 的数据范围（{first}–{last}）内，"
            f"仅按周末计算，期限为暂定 — public holidays for {year} are not in chinesecalendar "
            f"{_version()} (covers {first}–{last}); weekends only, the date is provisional")


def is_rest_day(d: date) -> tuple[bool, str | None]:
    """(rest day?, reason if the answer is a weekends-only guess for an uncovered year)."""
    first, last = covered_years()
    if first <= d.year <= last:
        return (not chinese_calendar.is_workday(d)), None
    return d.weekday() >= 5, uncovered_reason(d.year)


def holiday_name(d: date) -> str | None:
    first, last = covered_years()
    if not first <= d.year <= last:
        return None
    on_holiday, name = chinese_calendar.get_holiday_detail(d)
    return name if on_holiday and name else None


@dataclass(frozen=True)
class DueDate:
    """The last day of a period, and how it was reached."""

    due: date
    nominal: date  # the last day before any move for rest days
    provisional: bool = False
    reasons: tuple[str, ...] = field(default_factory=tuple)

    @property
    def moved(self) -> bool:
        return self.due != self.nominal


def next_working_day(d: date) -> tuple[date, set[str]]:
    """``d`` itself if it is a working day, else the first working day after it."""
    reasons: set[str] = set()
    for _ in range(400):  # no rest period is anywhere near this long
        rest, why = is_rest_day(d)
        if why:
            reasons.add(why)
        if not rest:
            return d, reasons
        d += timedelta(days=1)
    raise AssertionError("no working day within 400 days")  # pragma: no cover


def period_end(start: date, days: int, day_kind: str = "calendar", *,
               start_day_counted: bool = False, move_rest_day: bool = True) -> DueDate:
    """Last day of a period of ``days`` days starting on ``start``.

    ``day_kind="calendar"``: ``start + days`` (the start day not counted, 民法典第二百零一条);
    when that day is a rest day and ``move_rest_day`` it moves to the next working day
    (民法典第二百零三条). ``day_kind="working"``: the ``days``-th working day after ``start``.
    """
    if days < 0:
        raise ValueError(f"days must be >= 0, got {days}")
    offset = 1 if start_day_counted else 0
    reasons: set[str] = set()
    if day_kind == "calendar":
        nominal = start + timedelta(days=days - offset)
        due = nominal
        if move_rest_day:
            due, reasons = next_working_day(nominal)
        else:
            _, why = is_rest_day(nominal)
            reasons |= {why} if why else set()
    elif day_kind == "working":
        d = start - timedelta(days=offset)
        counted = 0
        while counted < days:
            d += timedelta(days=1)
            rest, why = is_rest_day(d)
            if why:
                reasons.add(why)
            if not rest:
                counted += 1
        nominal = due = d
    else:
        raise ValueError(f"day_kind must be 'calendar' or 'working', got {day_kind!r}")
    return DueDate(due, nominal, bool(reasons), tuple(sorted(reasons)))
