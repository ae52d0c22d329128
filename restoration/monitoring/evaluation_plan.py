"""The effect-evaluation plan (修复效果评估方案): evaluation units, sampling points, timing and
long-term monitoring, the rule each unit's medium takes, and the result classes of an evaluation.

A plan is recorded on the case as an ``effect_evaluation_plan`` event whose details are::

    {"units": [{"unit": "U1", "name": "...", "site_id": "S002", "medium": "surface_water",
                "objective": "remediation", "area_m2": 1200, "points": 9, "rounds": 2}],
     "timing": {"start": "2026-06-01", "end": "2026-11-20", "frequency": "月"},
     "long_term": {"years": 3, "frequency": "每季度", "indicators": ["cod"]},
     "institution": "..."}

The rule per medium: soil and surface water (and groundwater remediated to a standard) take the
sample rule of HJ 25.5-2018 (95 % UCL, ``evaluation.hj25_5_rule``); groundwater under risk control
takes the Mann-Kendall trend test (``trend.mann_kendall``: pass unless the concentration rises);
ecological and vegetation indicators take the mean of the last observations against the target.
The number of sampling points a unit's area requires is set by the standards (HJ 25.5 for soil)
in tables whose text is not held here: the plan's points are recorded and shown, not checked
against an area table (unset: the text is not held, so no number is guessed).

Result classes (评估结论): ``pass`` 达到修复目标 — every indicator passes; ``partly`` 部分达到 —
some pass and some fail; ``fail`` 未达到 — none passes; ``incomplete`` 证据不足. The class labels
follow how GB/T 39791.3-2024 and HJ 25.5-2018 are commonly summarised; not checked against
their text. The gate on acceptance reads ``partly`` as not passed (the stored verdict is ``fail``).
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping

import pandas as pd

from ..errors import InputError, Issue
from ..store import Store

PLAN_EVENT = "effect_evaluation_plan"
SATISFACTION_EVENT = "public_satisfaction"

#: medium -> (中文, English)
MEDIA = {"soil": ("土壤", "soil"), "surface_water": ("地表水", "surface water"),
         "groundwater": ("地下水", "groundwater"), "sediment": ("沉积物", "sediment"),
         "ecological": ("生态（植被、生物）", "ecological (vegetation, biota)")}
#: objective -> (中文, English)
OBJECTIVES = {"remediation": ("修复（达到目标值）", "remediation (to a target value)"),
              "risk_control": ("风险管控", "risk control")}
#: result class -> (中文, English)
RESULTS = {"pass": ("达到修复目标", "achieved"), "partly": ("部分达到修复目标", "partly achieved"),
           "fail": ("未达到修复目标", "not achieved"), "incomplete": ("证据不足，无法判定", "insufficient evidence")}
#: rule per medium and objective: (rule, 中文依据, English basis)
MEDIUM_RULES = {
    ("soil", "remediation"): ("hj25_5", "HJ 25.5-2018 统计分析（95%置信上限）或逐一对比", "HJ 25.5-2018 UCL or each sample"),
    ("sediment", "remediation"): ("hj25_5", "参照 HJ 25.5-2018 统计分析", "HJ 25.5-2018 UCL, applied to sediment"),
    ("surface_water", "remediation"): ("hj25_5", "参照 HJ 25.5-2018 统计分析（95%置信上限）",
                                       "HJ 25.5-2018 UCL, applied to a water section"),
    ("groundwater", "remediation"): ("hj25_5", "参照 HJ 25.5-2018 统计分析", "HJ 25.5-2018 UCL, applied to wells"),
    ("groundwater", "risk_control"): ("mann_kendall", "HJ 25.6-2019 趋势分析（Mann-Kendall 检验，浓度不上升）",
                                      "HJ 25.6-2019 trend (Mann-Kendall: concentration not rising)"),
    ("soil", "risk_control"): ("hj25_5", "HJ 25.5-2018 统计分析", "HJ 25.5-2018 UCL"),
    ("surface_water", "risk_control"): ("mann_kendall", "趋势分析（Mann-Kendall 检验）", "trend (Mann-Kendall)"),
    ("ecological", "remediation"): ("mean_last_n", "最近N次观测均值与目标值比较", "mean of the last N vs target"),
    ("ecological", "risk_control"): ("mean_last_n", "最近N次观测均值与目标值比较", "mean of the last N vs target"),
    ("sediment", "risk_control"): ("mann_kendall", "趋势分析（Mann-Kendall 检验）", "trend (Mann-Kendall)"),
}
#: the bounds a plan's numbers must keep (a typing error, not a rule of the standard)
MAX_UNITS, MAX_POINTS, MAX_TEXT = 500, 100_000, 2_000


@dataclass(frozen=True)
class Unit:
    """One evaluation unit (评估单元) of the plan."""
    unit: str
    name: str
    site_id: str
    medium: str
    objective: str
    points: int
    area_m2: float | None = None
    rounds: int | None = None

    @property
    def rule(self) -> tuple[str, str, str]:
        return MEDIUM_RULES[(self.medium, self.objective)]


@dataclass(frozen=True)
class EvaluationPlan:
    """A case's evaluation plan as recorded (the latest ``effect_evaluation_plan`` event)."""
    units: tuple[Unit, ...]
    start: date | None = None
    end: date | None = None
    frequency: str = ""
    long_term: dict = field(default_factory=dict)
    institution: str = ""
    recorded_on: date | None = None

    def media(self) -> dict[str, tuple[str, str]]:
        """site_id -> (medium, objective) of its unit (the first unit naming the site)."""
        out: dict[str, tuple[str, str]] = {}
        for u in self.units:
            out.setdefault(u.site_id, (u.medium, u.objective))
        return out


def _text(v: Any, where: str, issues: list[Issue], *, required: bool = True) -> str:
    s = "" if v is None else str(v).strip()
    if required and not s:
        issues.append(Issue(f"{where} is missing", field=where))
    if len(s) > MAX_TEXT:
        issues.append(Issue(f"{where} is longer than {MAX_TEXT} characters", field=where))
    return s[:MAX_TEXT]


def _int(v: Any, where: str, issues: list[Issue], low: int, high: int, *, required: bool) -> int | None:
    if v is None or v == "":
        if required:
            issues.append(Issue(f"{where} is missing (a whole number {low}–{high})", field=where))
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v != int(v) or not low <= v <= high:
        issues.append(Issue(f"{where} must be a whole number {low}–{high}, not {v!r}", field=where))
        return None
    return int(v)


def _day(v: Any, where: str, issues: list[Issue]) -> date | None:
    if v in (None, ""):
        return None
    try:
        return date.fromisoformat(str(v)[:10])
    except ValueError:
        issues.append(Issue(f"{where} must be a date YYYY-MM-DD, not {str(v)[:40]!r}", field=where))
        return None


def _unit(i: int, u: Any, issues: list[Issue]) -> Unit | None:
    where = f"units[{i}]"
    if not isinstance(u, Mapping):
        issues.append(Issue(f"{where} must be an object", field=where))
        return None
    medium, objective = str(u.get("medium") or ""), str(u.get("objective") or "remediation")
    if medium not in MEDIA:
        issues.append(Issue(f"{where}.medium {medium!r} is not one of {', '.join(MEDIA)}", field=f"{where}.medium"))
    if objective not in OBJECTIVES:
        issues.append(Issue(f"{where}.objective {objective!r} is not one of {', '.join(OBJECTIVES)}",
                            field=f"{where}.objective"))
    area = u.get("area_m2")
    if area is not None and (isinstance(area, bool) or not isinstance(area, (int, float)) or not 0 < area < 1e10):
        issues.append(Issue(f"{where}.area_m2 must be a positive number, not {area!r}", field=f"{where}.area_m2"))
        area = None
    unit = Unit(_text(u.get("unit"), f"{where}.unit", issues), _text(u.get("name"), f"{where}.name", issues,
                                                                         required=False),
                _text(u.get("site_id"), f"{where}.site_id", issues), medium, objective,
                _int(u.get("points"), f"{where}.points", issues, 1, MAX_POINTS, required=True) or 0,
                None if area is None else float(area),
                _int(u.get("rounds"), f"{where}.rounds", issues, 1, 1000, required=False))
    return unit if (medium, objective) in MEDIUM_RULES else None


def parse_plan(details: Any, *, recorded_on: date | None = None, source: str = "plan") -> EvaluationPlan:
    """The plan in an event's details, checked; every problem at once (``InputError``, exit 2),
    each naming its field."""
    issues: list[Issue] = []
    if not isinstance(details, Mapping):
        raise InputError(Issue("the evaluation plan must be a JSON object with 'units'", source=source))
    raw = details.get("units")
    if not isinstance(raw, list) or not raw:
        issues.append(Issue("units: the plan names no evaluation unit (a list of objects)", field="units"))
        raw = []
    if len(raw) > MAX_UNITS:
        issues.append(Issue(f"units: more than {MAX_UNITS} units", field="units"))
        raw = raw[:MAX_UNITS]
    units = [_unit(i, u, issues) for i, u in enumerate(raw)]
    names = [u.unit for u in units if u is not None]
    if len(set(names)) != len(names):
        issues.append(Issue("units: a unit id is used twice", field="units"))
    timing = details.get("timing") or {}
    if not isinstance(timing, Mapping):
        issues.append(Issue("timing must be an object (start, end, frequency)", field="timing"))
        timing = {}
    start, end = _day(timing.get("start"), "timing.start", issues), _day(timing.get("end"), "timing.end", issues)
    if start and end and end < start:
        issues.append(Issue("timing.end is before timing.start", field="timing.end"))
    long_term = details.get("long_term") or {}
    if not isinstance(long_term, Mapping):
        issues.append(Issue("long_term must be an object (years, frequency, indicators)", field="long_term"))
        long_term = {}
    years = _int(long_term.get("years"), "long_term.years", issues, 1, 100, required=False)
    ind = long_term.get("indicators") or []
    if not isinstance(ind, list) or len(ind) > 100:
        issues.append(Issue("long_term.indicators must be a list of indicator codes", field="long_term.indicators"))
        ind = []
    if issues:
        raise InputError([dataclasses.replace(i, source=i.source or source) for i in issues])
    lt = {"years": years, "frequency": _text(long_term.get("frequency"), "long_term.frequency", issues, required=False),
          "indicators": [str(x)[:40] for x in ind], "note": _text(long_term.get("note"), "long_term.note", issues,
                                                                   required=False)}
    return EvaluationPlan(tuple(u for u in units if u is not None), start, end,
                          _text(timing.get("frequency"), "timing.frequency", issues, required=False),
                          {k: v for k, v in lt.items() if v}, _text(details.get("institution"), "institution",
                                                                    issues, required=False), recorded_on)


def _details(v: Any) -> dict:
    if isinstance(v, Mapping):
        return dict(v)
    try:
        out = json.loads(v) if isinstance(v, str) and v else {}
    except ValueError:
        return {}
    return out if isinstance(out, dict) else {}


def case_records(store: Store, case_id: str, event_type: str, on: Any = None) -> list[tuple[date, dict]]:
    """(date, details) of a case's events of one type, by date (up to ``on`` when given)."""
    evs = store.read("case_events", case_id=case_id)
    if evs.empty:
        return []
    evs = evs[evs["event_type"] == event_type]
    out = [(date.fromisoformat(str(r["event_date"])[:10]), _details(r.get("details")))
           for r in evs.to_dict("records")]
    if on is not None:
        limit = pd.Timestamp(on).date()
        out = [p for p in out if p[0] <= limit]
    return sorted(out, key=lambda p: p[0])


def latest_plan(store: Store, case_id: str, on: Any = None) -> EvaluationPlan | None:
    """The case's latest recorded plan (up to ``on``), or None."""
    plans = case_records(store, case_id, PLAN_EVENT, on)
    if not plans:
        return None
    day, details = plans[-1]
    return parse_plan(details, recorded_on=day, source=f"case {case_id}")


def result_class(verdict: str | None, n_passed: int, n_failed: int) -> str:
    """pass / partly / fail / incomplete from a stored evaluation's verdict and counts."""
    if verdict == "pass":
        return "pass"
    if verdict == "fail":
        return "partly" if n_passed > 0 else "fail"
    return "incomplete"


__all__ = ["PLAN_EVENT", "SATISFACTION_EVENT", "MEDIA", "OBJECTIVES", "RESULTS", "MEDIUM_RULES", "Unit",
           "EvaluationPlan", "parse_plan", "latest_plan", "case_records", "result_class"]
