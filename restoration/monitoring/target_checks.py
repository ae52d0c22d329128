"""The checks of a monitoring plan's indicator targets, before anything is stored.

A target (``indicator_targets``: site, indicator, unit, direction, baseline, target, dates,
planned trajectory, reference site) is read by progress, alerts and the effect evaluation, so a
wrong one makes those answers wrong without any error. Each row is checked here:

* the indicator is known (:mod:`.indicators`: code, alias or Chinese name → its code);
* the unit is one the indicator accepts; values are converted to the indicator's standard unit
  (the unit ``monitoring_series`` stores), trajectory levels too;
* baseline, target and trajectory levels lie in the indicator's plausible range;
* the target differs from the baseline (progress is (current − baseline) / (target − baseline));
* the direction agrees with baseline → target and with the indicator (COD improves downwards);
* the baseline date is not in the future and the target date comes after it;
* the planned trajectory is ``[[year or date, level], …]`` (calendar years, increasing), the
  spreadsheet form ``2024:0.30; 2026:0.50`` or a shape mapping read by
  ``equivalence.trajectory`` (see :mod:`.plan`);
* the reference site is not the site itself; no site and indicator is given twice.

Problems are :class:`~restoration.messages.Message` codes (``target.*``), so the dashboards word
them in the interface language. Blank cells that can be known are filled and said so: the unit
(the indicator's standard unit) and the direction (the indicator's own, else baseline → target).
"""
from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd

from .. import config
from ..errors import Issue
from equivalence.errors import ScenarioError
from equivalence.trajectory import parse_trajectory

from ..messages import Message, Term, scenario_problem
from ..model import MAX_NOTE_LEN
from ..validate import ROWS_PER_PROBLEM, Partial
from .indicators import INDICATORS, canonical_code

#: words people write for a direction, beside the codes and the labels (越高越好 / higher is better)
DIRECTION_WORDS = {
    **{w: "higher" for w in ("升高", "提高", "增加", "上升", "增大", "越大越好", "正向", "up", "increase", "↑")},
    **{w: "lower" for w in ("降低", "减少", "下降", "减小", "越小越好", "负向", "down", "decrease", "↓")},
}
#: planned trajectory times must be calendar years in this span (a plausibility bound: ``[[0, 0.2],
#: [5, 0.8]]`` means years since the start, which the bank's trajectories use and plans do not)
YEAR_SPAN = (1900, 2200)
MAX_POINTS = 1000
#: the longest ``year:level`` text read here (the validator's limit on the layer's JSON text)
MAX_TEXT = MAX_NOTE_LEN
#: the separators of ``year:level`` pairs people type, to ``;`` between pairs and ``:`` inside one
_TO_PAIRS = str.maketrans({"；": ";", ",": ";", "，": ";", "、": ";", "\n": ";", "：": ":", "=": ":", "＝": ":"})


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


def _number(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    try:
        x = float(str(v).strip()) if isinstance(v, str) else float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def pairs_to_points(text: str) -> list | None:
    """``"2024:0.30; 2026-06-30:0.50"`` (time:level pairs, ``；``/``,``/new lines between them)
    as ``[[2024.0, 0.3], ["2026-06-30", 0.5]]``; None when the text is not in that form."""
    points = []
    for part in text.translate(_TO_PAIRS).split(";"):
        if not part.strip():
            continue
        when, sep, level = part.partition(":")
        when, level = when.strip(), level.strip()
        if not sep or not when or not level or ":" in level:
            return None
        year, value = _float(when), _float(level)
        points.append([year if year is not None else when, value if value is not None else level])
    return points or None


def _float(text: str) -> float | None:
    """A finite number written as text, or None."""
    try:
        x = float(text)
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def points_text(spec: Any) -> str:
    """A stored trajectory as the form shows it: ``2024.5:0.25; 2027.5:0.72`` for points, JSON
    for a shape mapping, "" for none."""
    if _blank(spec) or spec in ([], {}):
        return ""
    if isinstance(spec, str):
        try:
            spec = json.loads(spec)
        except json.JSONDecodeError:
            return spec
    if isinstance(spec, list) and all(isinstance(p, (list, tuple)) and len(p) == 2 for p in spec):
        return "; ".join(f"{_short(p[0])}:{_short(p[1])}" for p in spec)
    return json.dumps(spec, ensure_ascii=False)


def unit_suffix(unit: Any) -> str:
    """A unit after a number in a message: `` mg/L``; nothing for a dimensionless index (``1``)."""
    return "" if _blank(unit) or str(unit).strip() in ("1", "-") else f" {str(unit).strip()}"


def _short(v: Any) -> str:
    return f"{v:g}" if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)


def normalise(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str], list[tuple[int, str, Any]], dict[int, list]]:
    """Fill and spell a file's columns as the validator expects them (before validation):
    indicator names → codes, direction words → codes, blank units and directions filled.
    Returns the frame, notes for the user, problems found on the way as (position, field,
    message), and the ``year:level`` trajectories read here, by position: their cells are left
    blank for the validator (they are not JSON) and :func:`check_targets` takes them from there."""
    out = frame.copy()
    out.attrs.update(frame.attrs)
    notes: list[str] = []
    found: list[tuple[int, str, Any]] = []
    raw = _cells(out, "indicator")
    codes = _each_distinct(raw, lambda v: canonical_code(str(v)))
    if "indicator" in out:
        out["indicator"] = [c if c is not None else (v.strip() if isinstance(v, str) else v)
                            for c, v in zip(codes, raw)]
    units = _cells(out, "unit")
    blank = [u is None and c is not None for u, c in zip(units, codes)]
    if any(blank):
        units = [INDICATORS[c].unit if b else u for u, c, b in zip(units, codes, blank)]
        notes.append(f"单位为空，按指标标准单位 unit blank: the indicator's standard unit on {sum(blank)} rows")
    out["unit"] = units
    words = _each_distinct(_cells(out, "direction"), lambda v: DIRECTION_WORDS.get(str(v).strip().lower(),
                                                                                 str(v).strip()))
    base, goal = _cells(out, "baseline"), _cells(out, "target")
    filled = 0
    for pos in [i for i, w in enumerate(words) if w is None]:
        words[pos] = _derived_direction(codes[pos], base[pos], goal[pos])
        filled += words[pos] is not None
    if filled:
        notes.append(f"方向为空，按指标或基线→目标补全 direction blank: filled on {filled} rows "
                     "(the indicator's own, else baseline → target)")
    out["direction"] = words
    pairs: dict[int, list] = {}
    if "planned_trajectory" in out:
        values = _cells(out, "planned_trajectory")
        for pos, v in enumerate(values):
            # JSON (and text too long to be a plan, which the validator refuses) goes to the validator
            if not isinstance(v, str) or v.lstrip()[:1] in ("[", "{") or len(v) > MAX_TEXT:
                continue
            points = pairs_to_points(v)
            if points is None:
                found.append((pos, "planned_trajectory", Message("target.traj_form")))
            else:
                pairs[pos] = points
            values[pos] = None
        out["planned_trajectory"] = pd.Series(values, index=out.index, dtype=object)
    return out, notes, found, pairs


def _cells(frame: pd.DataFrame, name: str) -> list:
    """A column's cells as a list, blanks as None (a missing column: all None)."""
    if name not in frame:
        return [None] * len(frame)
    column = frame[name]
    if isinstance(column.dtype, pd.StringDtype):  # text as read from a file: blanks found at once
        blank = (column.isna() | column.str.strip().eq("")).to_numpy(dtype=bool, na_value=True)
        cells = column.to_numpy(dtype=object)
        cells[blank] = None
        return cells.tolist()
    return [None if _blank(v) else v for v in column.to_numpy(dtype=object)]


def _each_distinct(values: list, fn) -> list:
    """``fn`` of each cell, computed once per distinct value (None stays None)."""
    table = {v: fn(v) for v in dict.fromkeys(values) if v is not None}
    return [None if v is None else table[v] for v in values]


def _derived_direction(code: str | None, baseline: Any, target: Any) -> str | None:
    ind = INDICATORS.get(code) if code else None
    if ind is not None and ind.direction:
        return ind.direction
    b, t = _number(baseline), _number(target)
    if b is None or t is None or b == t:
        return None
    return "higher" if t > b else "lower"


def check_targets(part: Partial, *, today: str | None = None, pairs: dict[int, list] | None = None
                  ) -> tuple[list[tuple[int, str, Any]], pd.DataFrame]:
    """Every row's target checks (see the module doc) on the rows as far as they could be read;
    returns the problems as (position, field, message) and the rows converted to each
    indicator's standard unit (baseline, target, trajectory levels; ``unit`` its standard one).
    ``pairs``: the trajectories :func:`normalise` read from ``year:level`` text, by position.

    Vectorised over the rows (a plan of 40,000 targets is checked in a fraction of a second): a
    message is built only for a row that has the problem."""
    rows = part.frame.reset_index(drop=True)
    today = today or config.today().isoformat()
    found: list[tuple[int, str, Any]] = []
    n = len(rows)
    ok = _usable(part, n)
    col = {c: rows[c].to_numpy(dtype=object) for c in ("site_id", "indicator", "unit", "direction",
                                                       "baseline_date", "target_date", "reference_site_id")}
    codes = col["indicator"]
    known = np.fromiter((isinstance(c, str) and c in INDICATORS for c in codes), bool, n) & ok["indicator"]
    for pos in np.flatnonzero(ok["indicator"] & ~known & pd.notna(codes)):
        found.append((int(pos), "indicator", Message("target.unknown_indicator", {
            "value": str(codes[pos]), "known": ", ".join(sorted(INDICATORS))})))
    factor = _factors(found, codes, col["unit"], known & ok["unit"])
    ind = [INDICATORS[c] if k else None for c, k in zip(codes, known)]
    low = np.array([i.low if i else np.nan for i in ind])
    high = np.array([i.high if i else np.nan for i in ind])
    converted = rows.copy()
    raw, values = {}, {}
    for name in ("baseline", "target"):
        raw[name] = rows[name].to_numpy(dtype=float)
        values[name] = np.where(ok[name], raw[name] * factor, np.nan)
        for pos in np.flatnonzero(~np.isnan(values[name]) & ((values[name] < low) | (values[name] > high))):
            found.append((int(pos), name, Message("target.range", {
                "value": float(raw[name][pos]), "unit": unit_suffix(col["unit"][pos]),
                "indicator": Term("indicator", ind[pos].code), "low": ind[pos].low, "high": ind[pos].high,
                "std_unit": unit_suffix(ind[pos].unit)})))
        converted[name] = np.where(np.isnan(factor), raw[name], raw[name] * np.nan_to_num(factor, nan=1.0))
    expected = np.array([i.direction if i else None for i in ind], dtype=object)
    _directions(found, codes, col["direction"], expected, raw, values, ok)
    _dates(found, col, ok, today)
    specs = rows["planned_trajectory"].to_numpy(dtype=object).copy()
    for pos, points in (pairs or {}).items():  # the ``year:level`` texts normalise read
        specs[pos] = points
    converted["planned_trajectory"] = _trajectories(found, specs, ok["planned_trajectory"], ind, factor)
    ref, site = col["reference_site_id"], col["site_id"]
    same = ok["reference_site_id"] & ok["site_id"] & pd.notna(ref) & (ref == site)
    for pos in np.flatnonzero(same):
        found.append((int(pos), "reference_site_id", Message("target.self_reference", {"site": str(site[pos])})))
    converted["unit"] = [i.unit if i is not None and f == f else u for i, f, u in zip(ind, factor, col["unit"])]
    return found, converted


def _factors(found, codes, units, check) -> np.ndarray:
    """Each row's factor to its indicator's standard unit (NaN where unknown or not accepted)."""
    factor = np.full(len(codes), np.nan)
    pairs: dict[tuple, float | None] = {}
    for pos in np.flatnonzero(check):
        key = (codes[pos], units[pos])
        if key not in pairs:
            pairs[key] = INDICATORS[key[0]].factor(key[1])
        f = pairs[key]
        if f is None:
            ind = INDICATORS[codes[pos]]
            found.append((int(pos), "unit", Message("target.unit", {
                "unit": str(key[1]), "indicator": Term("indicator", ind.code),
                "units": ", ".join(sorted({ind.unit, *ind.units} - {""}))})))
        else:
            factor[pos] = f
    return factor


def _usable(part: Partial, n: int) -> dict[str, np.ndarray]:
    """Per field, which cells were read cleanly (``Partial.usable`` for every row at once)."""
    fields = ("indicator", "unit", "direction", "baseline", "target", "baseline_date", "target_date",
              "planned_trajectory", "reference_site_id", "site_id")
    ok = {f: np.full(n, f not in part.absent) for f in fields}
    for pos, fld in part.bad:
        if fld in ok and 0 <= pos < n:
            ok[fld][pos] = False
    return ok


def _directions(found, codes, direction, expected, raw, values, ok) -> None:
    b, t = values["baseline"], values["target"]
    both = ~np.isnan(b) & ~np.isnan(t)
    for pos in np.flatnonzero(both & (b == t)):
        found.append((int(pos), "target", Message("target.equal", {"value": float(raw["target"][pos])})))
    given = ok["direction"] & pd.notna(direction)
    usable = both & (b != t) & given
    for code, wrong, kind in (("higher", t < b, "target.direction_up"), ("lower", t > b, "target.direction_down")):
        for pos in np.flatnonzero(usable & (direction == code) & wrong):
            found.append((int(pos), "direction", Message(kind, {
                "direction": Term("direction", code), "baseline": float(raw["baseline"][pos]),
                "target": float(raw["target"][pos])})))
    for pos in np.flatnonzero(given & pd.notna(expected) & (direction != expected)):
        found.append((int(pos), "direction", Message("target.direction_indicator", {
            "direction": Term("direction", str(direction[pos])), "indicator": Term("indicator", str(codes[pos])),
            "expected": Term("direction", str(expected[pos]))})))


def _dates(found, col, ok, today: str) -> None:
    start, end = col["baseline_date"], col["target_date"]
    has_start = ok["baseline_date"] & pd.notna(start)
    for pos in np.flatnonzero(has_start):
        if str(start[pos]) > today:
            found.append((int(pos), "baseline_date", Message("target.baseline_future", {
                "date": str(start[pos]), "today": today})))
    for pos in np.flatnonzero(has_start & ok["target_date"] & pd.notna(end)):
        if str(end[pos]) <= str(start[pos]):
            found.append((int(pos), "target_date", Message("target.date_order", {
                "target": str(end[pos]), "baseline": str(start[pos])})))


def _trajectories(found, specs: np.ndarray, usable: np.ndarray, ind: list, factor: np.ndarray) -> np.ndarray:
    """Every planned trajectory checked and in its indicator's standard unit: a plain list of
    ``[year, level]`` numbers goes the quick way; anything else (dates, shapes, a problem) the
    detailed one, which says what is wrong."""
    out = specs.copy()
    for pos in np.flatnonzero(usable & pd.notna(specs)):
        i = ind[pos]
        scale = 1.0 if factor[pos] != factor[pos] else float(factor[pos])
        quick = _quick_points(specs[pos], scale, i.low if i else -math.inf, i.high if i else math.inf)
        if quick is not None:
            out[pos] = quick
            continue
        spec, problem = _trajectory(specs[pos], i.code if i else None, factor[pos])
        if problem is not None:
            found.append((int(pos), "planned_trajectory", Message("target.trajectory", {"problem": problem})))
        else:
            out[pos] = spec
    return out


_NUMBER_TYPES = (int, float)


def _quick_points(spec: Any, scale: float, low: float, high: float) -> list | None:
    """``[[year, level], …]`` of plain numbers, years calendar years and increasing, levels in
    range: the scaled points; None for anything else (the detailed check then decides)."""
    if type(spec) is not list or not spec or len(spec) > MAX_POINTS:
        return None
    out, previous = [], -math.inf
    first, last = YEAR_SPAN
    for pt in spec:
        if type(pt) is not list or len(pt) != 2:
            return None
        t, v = pt
        if type(t) not in _NUMBER_TYPES or type(v) not in _NUMBER_TYPES or not first <= t <= last or t <= previous:
            return None
        v = v * scale
        if not low <= v <= high:
            return None
        out.append([t, v])
        previous = t
    return out


def _trajectory(spec: Any, code: str | None, factor: float) -> tuple[Any, Any]:
    """(the trajectory in the standard unit, None) or (None, what is wrong)."""
    scale = 1.0 if factor is None or np.isnan(factor) else float(factor)
    if isinstance(spec, dict) and "levels" in spec and "shape" not in spec:
        spec = spec["levels"]
    if isinstance(spec, dict):
        return _shape(spec, code, scale)
    if not isinstance(spec, list) or not spec:
        return None, Message("target.traj_form")
    if len(spec) > MAX_POINTS:
        return None, Message("target.traj_too_many", {"n": len(spec), "max": MAX_POINTS})
    out, previous = [], None
    for i, pt in enumerate(spec, start=1):
        if not isinstance(pt, (list, tuple)) or len(pt) != 2:
            return None, Message("target.traj_point", {"n": i, "value": json.dumps(pt, ensure_ascii=False)[:60]})
        when, problem = _time(pt[0], i)
        if problem:
            return None, problem
        if previous is not None and when <= previous:
            return None, Message("target.traj_order", {"n": i, "time": _short(pt[0]),
                                                       "previous": _short(spec[i - 2][0])})
        level = _number(pt[1])
        if level is None:
            return None, Message("target.traj_level", {"n": i, "value": str(pt[1])[:60]})
        problem = _level_range(level, scale, code, i)
        if problem:
            return None, problem
        out.append([pt[0], level * scale])
        previous = when
    return out, None


def _time(value: Any, i: int) -> tuple[float | None, Any]:
    if isinstance(value, bool):
        return None, Message("target.traj_time", {"n": i, "value": str(value)})
    year = _number(value)
    if year is None:
        try:
            ts = pd.Timestamp(str(value))
        except (ValueError, TypeError, OverflowError):
            return None, Message("target.traj_time", {"n": i, "value": str(value)[:60]})
        if pd.isna(ts):
            return None, Message("target.traj_time", {"n": i, "value": str(value)[:60]})
        year = ts.year + (ts.day_of_year - 0.5) / 365.25
    if not YEAR_SPAN[0] <= year <= YEAR_SPAN[1]:
        return None, Message("target.traj_year", {"n": i, "year": _short(value), "low": YEAR_SPAN[0],
                                                  "high": YEAR_SPAN[1]})
    return year, None


def _level_range(level: float, scale: float, code: str | None, i: int):
    ind = INDICATORS.get(code) if code else None
    if ind is not None and not ind.low <= level * scale <= ind.high:
        return Message("target.traj_range", {"n": i, "value": level, "indicator": Term("indicator", ind.code),
                                             "low": ind.low, "high": ind.high, "unit": unit_suffix(ind.unit)})
    return None


def _shape(spec: dict, code: str | None, scale: float) -> tuple[Any, Any]:
    """A shape mapping, checked by the equivalence engine's own parser; its end levels scaled."""
    try:
        parse_trajectory(spec, "planned_trajectory", lower=-math.inf)
    except ScenarioError as exc:
        return None, scenario_problem(exc)
    out = dict(spec)
    for i, key in enumerate(("from", "to"), start=1):
        when, problem = _time(spec[key][0], i)
        problem = problem or _level_range(float(spec[key][1]), scale, code, i)
        if problem:
            return None, problem
        out[key] = [spec[key][0], float(spec[key][1]) * scale]
    return out, None


def duplicates(rows: pd.DataFrame, label: str, start: int) -> list[tuple[int, str, Any]]:
    """Rows repeating an earlier row's site and indicator."""
    keys = rows[["site_id", "indicator"]].astype(object)
    usable = keys.notna().all(axis=1).to_numpy()
    dup = keys.duplicated(keep="first").to_numpy() & usable
    if not dup.any():
        return []
    first = {}
    for pos, k in enumerate(map(tuple, keys.to_numpy())):
        if usable[pos] and k not in first:
            first[k] = pos
    where = "where.line" if label == "line" else "where.row"
    return [(int(pos), "indicator", Message("target.duplicate", {
        "site": str(keys.iat[pos, 0]), "indicator": Term("indicator", str(keys.iat[pos, 1])),
        "first": Message(where, {"n": first[tuple(keys.iloc[pos])] + start})}))
        for pos in np.flatnonzero(dup)]


def as_issues(found: list[tuple[int, str, Any]], frame: pd.DataFrame, source: str | None) -> list[Issue]:
    """(position, field, message) as Issues with the file's row numbers, at most
    ROWS_PER_PROBLEM per field, then a count of the others."""
    start = int(frame.attrs.get("row_start", 1))
    label = frame.attrs.get("row_label", "row")
    src = source or frame.attrs.get("source")
    issues, per_field = [], {}
    for pos, fld, msg in sorted(found, key=lambda f: f[0]):
        per_field[fld] = per_field.get(fld, 0) + 1
        if per_field[fld] <= ROWS_PER_PROBLEM:
            issues.append(Issue(msg, source=src, row=int(pos) + start, field=fld, row_label=label))
    for fld, count in per_field.items():
        if count > ROWS_PER_PROBLEM:
            issues.append(Issue(f"... and {count - ROWS_PER_PROBLEM} more rows with a problem in field '{fld}'",
                                source=src, field=fld))
    return issues
