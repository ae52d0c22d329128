"""A case's effect evaluation with the standard's structure: the plan (units, points, timing),
the rule per medium, the evaluations in order with their result class (达到 / 部分达到 / 未达到),
the supplementary-restoration and re-evaluation path, the public-satisfaction survey, the stored
control comparisons of its sites and long-term monitoring advice.

It gathers what the case records (events), what monitoring stored (``effect_evaluations``,
``control_comparisons``) and what the gate on acceptance decides from them; the report
(:mod:`.effect_report`), the CLI (``restoration case evaluation``) and the case page read it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from ..cases.evaluation_gate import OVERRIDE, SUPPLEMENTARY, event_finding
from ..cases.event_record import make_event
from ..monitoring.controls import VERDICTS as CONTROL_VERDICTS, stored_comparisons
from ..monitoring.indicators import indicator_label
from ..monitoring.evaluation_plan import (MEDIA, OBJECTIVES, PLAN_EVENT, RESULTS, SATISFACTION_EVENT,
                                          EvaluationPlan, case_records, latest_plan, result_class)
from ..store import Store

#: the events the evaluation path shows, in the procedure's order
PATH_EVENTS = ("restoration_started", "restoration_completed", PLAN_EVENT, "effect_evaluation_commissioned",
               "effect_evaluation", SUPPLEMENTARY, SATISFACTION_EVENT, "accepted", "closed")


@dataclass
class EvaluationStructure:
    """Everything the effect evaluation of one case is made of (see the module docstring)."""
    case: dict
    plan: EvaluationPlan | None
    evaluations: list[dict]  # stored, oldest first, each with ``result`` (pass/partly/fail/incomplete)
    path: list[dict]  # the evaluation's events in date order (date, event_type, result, note)
    satisfaction: dict | None
    controls: list[dict]
    advice: list[tuple[str, str]]  # long-term monitoring advice (zh, en)
    result: str  # the latest evaluation's class (a stored evaluation or a report)
    latest: dict | None = None
    accepted_override: dict | None = None
    targets: list[dict] = field(default_factory=list)

    @property
    def result_labels(self) -> tuple[str, str]:
        return RESULTS[self.result]

    def to_dict(self) -> dict:
        plan = None
        if self.plan is not None:
            plan = {"recorded_on": str(self.plan.recorded_on), "start": _iso(self.plan.start),
                    "end": _iso(self.plan.end), "frequency": self.plan.frequency, "long_term": self.plan.long_term,
                    "institution": self.plan.institution,
                    "units": [{"unit": u.unit, "name": u.name, "site_id": u.site_id, "medium": u.medium,
                               "medium_zh": MEDIA[u.medium][0], "objective": u.objective,
                               "objective_zh": OBJECTIVES[u.objective][0], "points": u.points, "area_m2": u.area_m2,
                               "rounds": u.rounds, "rule": u.rule[0], "rule_basis_zh": u.rule[1],
                               "rule_basis_en": u.rule[2]} for u in self.plan.units]}
        return {"case_id": self.case["case_id"], "result": self.result, "result_zh": RESULTS[self.result][0],
                "result_en": RESULTS[self.result][1], "plan": plan, "evaluations": self.evaluations,
                "path": self.path, "satisfaction": self.satisfaction, "controls": self.controls,
                "advice": [{"zh": z, "en": e} for z, e in self.advice], "accepted_override": self.accepted_override,
                "targets": self.targets}


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def _json(v: Any) -> Any:
    if isinstance(v, str):
        try:
            return json.loads(v)
        except ValueError:
            return v
    return v


def _stored(store: Store, case_id: str) -> list[dict]:
    rows = store.read("effect_evaluations", case_id=case_id)
    out = []
    for r in rows.sort_values(["as_of", "evaluated_at"]).to_dict("records") if not rows.empty else []:
        n_pass, n_fail = int(r.get("n_passed") or 0), int(r.get("n_failed") or 0)
        out.append({"evaluation_id": r["evaluation_id"], "as_of": str(r["as_of"])[:10], "verdict": r["verdict"],
                    "result": result_class(r["verdict"], n_pass, n_fail), "n_indicators": int(r.get("n_indicators") or 0),
                    "n_passed": n_pass, "n_failed": n_fail, "indicators": _json(r.get("indicators")) or [],
                    "parameters": _json(r.get("parameters")) or {}, "evaluated_at": str(r.get("evaluated_at"))})
    return out


def _path(events: pd.DataFrame) -> tuple[list[dict], dict | None]:
    out, override = [], None
    if events.empty:
        return out, None
    for r in events.sort_values(["event_date"]).to_dict("records"):
        if r["event_type"] not in PATH_EVENTS:
            continue
        ev = make_event({"event_type": r["event_type"], "event_date": str(r["event_date"])[:10],
                         "details": _json(r.get("details")) or {}})
        found = event_finding(ev)
        d = ev.details
        note = str(d.get("plan") or d.get("note") or d.get("reason") or "")[:500]
        item = {"date": ev.event_date.isoformat(), "event_type": ev.event_type,
                "result": None if found is None else found.verdict, "note": note}
        if isinstance(d.get(OVERRIDE), dict):
            item["override"] = {k: str(d[OVERRIDE].get(k) or "") for k in ("reason", "document")}
            override = override or {"date": item["date"], **item["override"]}
        out.append(item)
    return out, override


def _satisfaction(store: Store, case_id: str) -> dict | None:
    surveys = case_records(store, case_id, SATISFACTION_EVENT)
    if not surveys:
        return None
    day, d = surveys[-1]
    asked, satisfied = int(d.get("respondents") or 0), int(d.get("satisfied") or 0)
    return {"date": day.isoformat(), "respondents": asked, "satisfied": satisfied,
            "rate": satisfied / asked if asked else None, "method": str(d.get("method") or "")[:500],
            "by": str(d.get("by") or "")[:200], "note": str(d.get("note") or "")[:500], "surveys": len(surveys)}


def _controls(store: Store, case_id: str, site_ids: list[str]) -> list[dict]:
    frames = [stored_comparisons(store, case_id=case_id)]
    frames += [stored_comparisons(store, site_id=s) for s in site_ids]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return []
    rows = pd.concat(frames, ignore_index=True).drop_duplicates("comparison_id")
    out = []
    for r in rows.to_dict("records"):
        res = _json(r.get("result")) or {}
        zh, en = CONTROL_VERDICTS.get(r.get("verdict"), (str(r.get("verdict")), str(r.get("verdict"))))
        out.append({"site_id": r["site_id"], "indicator": r["indicator"], "disturbance_year": r.get("disturbance_year"),
                    "verdict": r.get("verdict"), "verdict_zh": zh, "verdict_en": en,
                    "effect": r.get("effect"), "effect_interval": res.get("effect_interval"),
                    "relative_recovery": r.get("relative_recovery"), "n_controls": res.get("n_controls"),
                    "computed_at": str(r.get("computed_at"))})
    return out


def long_term_advice(plan: EvaluationPlan | None, latest: dict | None) -> list[tuple[str, str]]:
    """Long-term monitoring advice from the plan and the latest evaluation (zh, en)."""
    out: list[tuple[str, str]] = []
    lt = plan.long_term if plan else {}
    if lt:
        years = f"{lt['years']} 年" if lt.get("years") else "年限未定"
        ind = "、".join(indicator_label(i, "zh") for i in lt.get("indicators") or []) or "方案所列指标"
        out.append((f"按评估方案开展长期监测：{years}，频次 {lt.get('frequency') or '未定'}，指标 {ind}。",
                    f"Long-term monitoring as planned: {lt.get('years') or 'years not set'} years, "
                    f"every {lt.get('frequency') or '(frequency not set)'}, indicators "
                    f"{', '.join(lt.get('indicators') or []) or 'of the plan'}."))
    risk = [u for u in (plan.units if plan else ()) if u.objective == "risk_control"]
    if risk:
        names = "、".join(u.unit for u in risk)
        out.append((f"风险管控单元（{names}）：污染物仍留在原处，须持续监测并维护管控措施，直至评估确认风险可接受。",
                    f"Risk-control units ({', '.join(u.unit for u in risk)}): the pollutant stays in place; keep "
                    "monitoring and maintaining the controls until an evaluation finds the risk acceptable."))
    for i in (latest or {}).get("indicators") or []:
        ev = i.get("evidence") or {}
        if ev.get("trend") == "increasing":
            out.append((f"{i.get('site_id')} {i.get('indicator_zh') or i.get('indicator')} 浓度呈上升趋势，建议加密监测。",
                        f"{i.get('site_id')} {i.get('indicator')}: concentration rising; monitor more often."))
        elif i.get("passed") is False:
            out.append((f"{i.get('site_id')} {i.get('indicator_zh') or i.get('indicator')} 未达标：补充修复后复测。",
                        f"{i.get('site_id')} {i.get('indicator')} failed: measure again after supplementary "
                        "restoration."))
    if not lt:
        out.append(("评估方案未给出长期监测安排（年限、频次、指标），请在方案中补充。",
                    "The plan sets no long-term monitoring (years, frequency, indicators): add it to the plan."))
    return out


def evaluation_structure(store: Store, case_id: str) -> EvaluationStructure:
    """The effect evaluation of ``case_id`` with the standard's structure (module docstring)."""
    case = store.get("cases", case_id)
    events = store.read("case_events", case_id=case_id)
    plan = latest_plan(store, case_id)
    stored = _stored(store, case_id)
    path, override = _path(events)
    sites = store.read("sites", case_id=case_id)
    site_ids = sorted(sites["site_id"]) if not sites.empty else []
    targets = store.read("indicator_targets")
    targets = targets[targets["site_id"].isin(site_ids)] if not targets.empty else targets
    # the latest by date decides (as the gate): a stored evaluation or a report with its result
    reports = [p for p in path if p["event_type"] == "effect_evaluation" and p["result"]]
    latest = stored[-1] if stored else None
    result = latest["result"] if latest else "incomplete"
    if reports and (latest is None or reports[-1]["date"] >= latest["as_of"]):
        result = reports[-1]["result"]
    target_rows = [{k: (None if pd.isna(v) else (str(v)[:10] if k.endswith("date") else v))
                    for k, v in t.items() if k in ("site_id", "indicator", "unit", "direction", "baseline", "target",
                                                   "baseline_date", "target_date")}
                   for t in targets.to_dict("records")] if not targets.empty else []
    return EvaluationStructure(dict(case), plan, stored, path, _satisfaction(store, case_id),
                               _controls(store, case_id, site_ids), long_term_advice(plan, latest), result,
                               latest, override, target_rows)


__all__ = ["EvaluationStructure", "PATH_EVENTS", "evaluation_structure", "long_term_advice"]
