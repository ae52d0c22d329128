"""Restoration effect evaluation (修复效果评估): a pass/fail per indicator with its evidence, and
an overall verdict stored with the case.

Rules
-----
**Concentrations** (indicator kind ``concentration``, lower is better: COD, NH3-N, TP, heavy
metals ...) — the sample-based rule of HJ 25.5-2018 《污染地块风险管控与土壤修复效果评估技术导则
（试行）》 as the issue states it:

* with at least ``min_samples`` samples (default 8): pass when the one-sided 95 % upper
  confidence limit of the mean, ``UCL = x̄ + t(0.95, n−1) · s / √n`` (Student's t, ``s`` the
  sample standard deviation), is at or below the evaluation standard (the target) **and** no
  sample exceeds twice the standard;
* with fewer samples: pass only when every sample is at or below the standard.

Source check: the text of HJ 25.5-2018 could not be consulted where this code was written (no
copy of the standard was reachable). The rule, the threshold of 8 samples and the 2× bound are
implemented as the issue describes them and as the standard is commonly summarised (the soil
remediation effect-evaluation clause, "逐一对比" below 8 samples, "统计分析" with the 95 % UCL
from 8 on); the clause number and the UCL formula must be checked against the published text
before an evaluation is relied on. HJ 25.5 is written for soil samples of one evaluation unit;
here the samples are the values of one site and indicator in the evaluation window (default the
180 days before the evaluation date), which is how it is applied to water-quality sections too.

**Vegetation and ecological indicators** (NDVI, cover, richness ...; and any other indicator):
the mean of the last ``n_last`` usable observations (default 12, a year of monthly composites,
so the season averages out) against the target in the target's direction — or, with
``reference_share``, against that share of the reference site's mean over the same dates.

Verdict: ``fail`` if an indicator whose target date has passed fails; ``incomplete`` if none
does but one has no data, or one not yet due does not pass yet (or the case has no targets);
``pass`` otherwise.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import config
from .. import access
from .._version import __version__
from ..errors import InputError, Issue
from ..files import write_text
from ..store import Store
from ..validate import validate_frame
from ..workbook import write_csv, write_workbook
from .indicators import INDICATORS, canonical_code, direction_of
from .evaluation_plan import latest_plan
from .series import read_series
from .trend import TRENDS, mann_kendall

HJ25_5 = "HJ 25.5-2018"
HJ25_5_TITLE = "污染地块风险管控与土壤修复效果评估技术导则（试行）"
RULES = {
    "hj25_5_statistical": ("统计分析：均值95%置信上限≤标准值且最大值≤2倍标准值",
                           "95% UCL of the mean ≤ standard and no sample > 2 × standard"),
    "hj25_5_each_sample": ("逐一对比：每个样品≤标准值", "every sample ≤ standard"),
    "mean_last_n": ("最近N次观测均值与目标值比较", "mean of the last N observations vs target"),
    "reference_share": ("最近N次观测均值与参照区比较", "mean of the last N observations vs share of reference"),
    "mann_kendall": ("趋势分析：Mann-Kendall 检验浓度不呈显著上升", "Mann-Kendall trend: concentration not rising"),
}


@dataclass
class RuleResult:
    passed: bool | None
    rule: str
    evidence: dict[str, Any]


def hj25_5_rule(samples, standard: float, *, min_samples: int = 8, confidence: float = 0.95) -> RuleResult:
    """HJ 25.5-2018 sample rule for a concentration (see the module docstring for the source
    check). ``samples`` and ``standard`` in the same unit (e.g. mg/L, mg/kg).

    Returns ``passed`` (None without samples), the rule applied and its evidence: n, mean, sd,
    t quantile, UCL, max, the standard and its double, the number of samples above each.
    """
    x = np.asarray(samples, dtype=float)
    x = x[~np.isnan(x)]
    n = int(x.size)
    ev: dict[str, Any] = {"n": n, "standard": float(standard), "twice_standard": 2.0 * float(standard),
                          "min_samples": int(min_samples), "reference": f"{HJ25_5} {HJ25_5_TITLE}"}
    if n == 0:
        return RuleResult(None, "hj25_5_each_sample", ev)
    ev.update(mean=float(x.mean()), max=float(x.max()), n_above_standard=int((x > standard).sum()),
              n_above_twice=int((x > 2 * standard).sum()))
    if n >= min_samples:
        from scipy import stats
        sd = float(x.std(ddof=1))
        tq = float(stats.t.ppf(confidence, n - 1))
        ucl = float(x.mean() + tq * sd / math.sqrt(n))
        ev.update(sd=sd, t=tq, confidence=confidence, ucl=ucl)
        return RuleResult(bool(ucl <= standard and x.max() <= 2 * standard), "hj25_5_statistical", ev)
    return RuleResult(bool((x <= standard).all()), "hj25_5_each_sample", ev)


def mean_last_n_rule(values, target: float, direction: str, *, n_last: int = 12,
                     reference=None, reference_share: float | None = None) -> RuleResult:
    """Mean of the last ``n_last`` values against ``target`` (``direction`` higher/lower), or
    with ``reference_share`` against that share of the mean of ``reference`` (values of the
    reference site on the same dates)."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)][-n_last:]
    ev: dict[str, Any] = {"n": int(v.size), "n_last": int(n_last), "target": float(target),
                          "direction": direction}
    if v.size == 0:
        return RuleResult(None, "mean_last_n", ev)
    mean = float(v.mean())
    ev["mean"] = mean
    threshold, rule = float(target), "mean_last_n"
    if reference is not None:
        r = np.asarray(reference, dtype=float)
        r = r[~np.isnan(r)]
        if r.size:
            ev["reference_mean"] = float(r.mean())
            ev["share_of_reference"] = mean / float(r.mean()) if r.mean() else math.nan
            if reference_share is not None:
                threshold, rule = reference_share * float(r.mean()), "reference_share"
                ev["reference_share"] = float(reference_share)
    ev["threshold"] = threshold
    passed = mean >= threshold if direction == "higher" else mean <= threshold
    return RuleResult(bool(passed), rule, ev)


def trend_rule(samples, standard: float, *, min_samples: int = 8, alpha: float = 0.05) -> RuleResult:
    """A risk-control unit's rule (groundwater): pass unless the Mann-Kendall test finds the
    concentration rising (``trend.mann_kendall``; see its source check). None with fewer than
    ``min_samples`` samples. ``standard`` is reported beside the trend, not tested."""
    v = np.asarray(samples, dtype=float)
    v = v[~np.isnan(v)]
    mk = mann_kendall(v, alpha=alpha)
    ev: dict[str, Any] = {"n": int(v.size), "min_samples": int(min_samples), "standard": float(standard),
                          "s": mk.s, "z": round(mk.z, 6), "p": round(mk.p, 6), "tau": round(mk.tau, 6),
                          "trend": mk.trend, "alpha": alpha}
    if v.size:
        ev.update(mean=float(v.mean()), max=float(v.max()), n_above_standard=int((v > standard).sum()))
    if v.size < min_samples:
        return RuleResult(None, "mann_kendall", ev)
    return RuleResult(mk.trend != "increasing", "mann_kendall", ev)


@dataclass
class EffectEvaluation:
    """One evaluation of a case: per-indicator table, verdict, the samples used, parameters."""

    case_id: str
    as_of: str
    verdict: str
    indicators: pd.DataFrame
    samples: pd.DataFrame
    parameters: dict
    evaluation_id: str | None = None
    evaluated_at: str = field(default_factory=config.now_utc)

    @property
    def verdict_zh(self) -> str:
        from ..model import Verdict
        return Verdict(self.verdict).zh

    def to_dict(self) -> dict:
        return {"evaluation_id": self.evaluation_id, "case_id": self.case_id, "as_of": self.as_of,
                "verdict": self.verdict, "verdict_zh": self.verdict_zh, "evaluated_at": self.evaluated_at,
                "parameters": self.parameters,
                "indicators": json.loads(self.indicators.to_json(orient="records", force_ascii=False))}

    def export(self, path: str | Path) -> Path:
        """Write the evaluation: ``.xlsx`` (sheets 总体结论 summary, 分指标 indicators, 样品 samples),
        ``.json`` or ``.csv`` (the indicator table)."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".json":
            return write_text(path, json.dumps(self.to_dict(), ensure_ascii=False, indent=2, default=str))
        if suffix == ".csv":
            return write_csv(path, self.indicators.drop(columns=["evidence"]))
        if suffix == ".xlsx":
            return write_workbook(path, self.sheets())
        raise InputError(Issue(f"unsupported export type '{suffix}'; use .xlsx, .json or .csv", source=str(path)))

    def sheets(self) -> dict[str, pd.DataFrame]:
        """The evaluation workbook's sheets: 总体结论 summary, 分指标 indicators, 样品 samples."""
        summary = pd.DataFrame([
            ("案件编号 case", self.case_id), ("评估编号 evaluation", self.evaluation_id),
            ("评估基准日 as of", self.as_of), ("总体结论 verdict", f"{self.verdict_zh} {self.verdict}"),
            ("评估指标数 indicators", len(self.indicators)),
            ("达标 passed", int((self.indicators["passed"] == True).sum())),  # noqa: E712
            ("未达标 failed", int((self.indicators["passed"] == False).sum())),  # noqa: E712
            ("评估时间 evaluated at (UTC)", self.evaluated_at), ("软件版本 software", __version__),
            ("浓度类指标依据 concentration rule", f"{HJ25_5} {HJ25_5_TITLE}"),
            ("参数 parameters", json.dumps(self.parameters, ensure_ascii=False)),
        ], columns=["项目 item", "内容 value"])
        table = self.indicators.copy()
        table["evidence"] = table["evidence"].map(lambda e: json.dumps(e, ensure_ascii=False, default=str))
        samples = self.samples.copy()
        samples["time"] = samples["time"].astype(str)
        return {"总体结论 summary": summary, "分指标 indicators": table, "样品 samples": samples}


def _verdict(passed: pd.Series, due: pd.Series) -> str:
    """fail: a target that is due failed; incomplete: no targets, one without data, or one not
    yet due that does not pass yet; pass otherwise."""
    if passed.empty:
        return "incomplete"
    failed = passed == False  # noqa: E712
    if (failed & due).any():
        return "fail"
    if passed.isna().any() or failed.any():
        return "incomplete"
    return "pass"


def evaluate_case(store: Store, case_id: str, *, as_of: Any = None, window_days: int = 180,
                  n_last: int = 12, min_samples: int = 8, confidence: float = 0.95,
                  reference_share: float | None = None, save: bool = True,
                  actor: str = "cli", request_id: str | None = None) -> EffectEvaluation:
    """Evaluate every indicator target of ``case_id``'s sites as of ``as_of`` (default today)
    and, with ``save``, store the result in ``effect_evaluations`` (see the module docstring;
    ``request_id``: see :func:`save_evaluation`)."""
    store.get("cases", case_id)  # NotFoundError names an unknown case
    if save:
        actor = access.require(actor, "monitoring.evaluate", store, case_id=case_id)
    when = pd.Timestamp(config.today()) if as_of is None else pd.Timestamp(as_of)
    plan = latest_plan(store, case_id, on=when)
    verdict, table, samples, params = evaluate_sites(
        store, store.read("sites", case_id=case_id), when, window_days=window_days, n_last=n_last,
        min_samples=min_samples, confidence=confidence, reference_share=reference_share,
        media=plan.media() if plan else None, trend_since=plan.start if plan else None)
    if plan is not None:
        params["plan_recorded_on"] = str(plan.recorded_on)
    result = EffectEvaluation(case_id, str(when.date()), verdict, table, samples, params)
    if save:
        save_evaluation(store, result, actor=actor, request_id=request_id)
    return result


def evaluate_sites(store: Store, sites: pd.DataFrame, when: pd.Timestamp, *, window_days: int = 180,
                   n_last: int = 12, min_samples: int = 8, confidence: float = 0.95,
                   reference_share: float | None = None,
                   media: dict[str, tuple[str, str]] | None = None,
                   trend_since: Any = None) -> tuple[str, pd.DataFrame, pd.DataFrame, dict]:
    """The evaluation rules applied to every indicator target of ``sites`` (rows of the sites
    layer) as of ``when``: (verdict, indicator table, samples used, parameters). A case's
    evaluation (:func:`evaluate_case`) and a bank project's (its monitoring plots) use it.
    ``media``: site_id -> (medium, objective) from the evaluation plan; a concentration at a
    groundwater risk-control unit takes the trend rule on the observations from ``trend_since``
    (the plan's start; else every observation) up to ``when``."""
    media = media or {}
    end = when + pd.Timedelta(days=1)
    names = dict(zip(sites["site_id"], sites["name"]))
    targets = store.read("indicator_targets")
    targets = targets[targets["site_id"].isin(set(sites["site_id"]))].reset_index(drop=True)
    ids = sorted(set(targets["site_id"]) | set(targets["reference_site_id"].dropna()))
    series = read_series(store, ids, sorted(set(targets["indicator"])))
    series = series[series["time"] < end]
    rows, used = [], []
    for t in targets.to_dict("records"):
        code = canonical_code(t["indicator"]) or t["indicator"]
        ind = INDICATORS.get(code)
        direction = direction_of(t["indicator"], t.get("direction"))
        obs = series[(series["site_id"] == t["site_id"]) & (series["indicator"] == t["indicator"])]
        target = float(t["target"])
        trend = media.get(t["site_id"], ("", ""))[1] == "risk_control" and \
            media[t["site_id"]][0] in ("groundwater", "surface_water", "sediment")
        if ind is not None and ind.kind == "concentration" and direction == "lower" and trend:
            if trend_since is not None:
                obs = obs[obs["time"] >= pd.Timestamp(trend_since)]
            res = trend_rule(obs["value"], target, min_samples=min_samples)
            sample = obs
            if len(obs):
                res.evidence["period"] = [str(obs["time"].min().date()), str(obs["time"].max().date())]
        elif ind is not None and ind.kind == "concentration" and direction == "lower":
            window = obs[obs["time"] >= when - pd.Timedelta(days=window_days)]
            res = hj25_5_rule(window["value"], target, min_samples=min_samples, confidence=confidence)
            res.evidence["window"] = [str((when - pd.Timedelta(days=window_days)).date()), str(when.date())]
            sample = window
        else:
            sample = obs.tail(n_last)
            ref_vals = None
            ref = t.get("reference_site_id")
            if isinstance(ref, str) and ref:
                ref_obs = series[(series["site_id"] == ref) & (series["indicator"] == t["indicator"])]
                ref_vals = ref_obs[ref_obs["time"].isin(set(sample["time"]))]["value"]
            res = mean_last_n_rule(obs["value"], target, direction, n_last=n_last, reference=ref_vals,
                                   reference_share=reference_share)
            if len(sample):
                res.evidence["period"] = [str(sample["time"].min().date()), str(sample["time"].max().date())]
        used.append(sample.assign(rule=res.rule))
        zh, en = RULES[res.rule]
        ev = res.evidence
        if res.passed is None:
            msg_zh, msg_en = ("评估期内无可用监测数据", "no usable observations in the evaluation period") \
                if not ev.get("n") else (f"样品不足（n={ev['n']}，趋势检验至少 {ev.get('min_samples')} 个）",
                                         f"too few samples (n={ev['n']}; the trend test needs {ev.get('min_samples')})")
        elif res.rule == "mann_kendall":
            tz, te = TRENDS[ev["trend"]]
            detail = f"n={ev['n']}, S={ev['s']}, p={ev['p']:.3g}, 标准值 standard={target:g}"
            msg_zh = f"{'达标' if res.passed else '未达标'}（{zh}；{tz}；{detail}）"
            msg_en = f"{'pass' if res.passed else 'fail'} ({en}; {te}; {detail})"
        elif res.rule.startswith("hj25_5"):
            detail = (f"n={ev['n']}, UCL={ev['ucl']:.4g}" if "ucl" in ev else f"n={ev['n']}") + \
                     f", max={ev['max']:.4g}, 标准值 standard={target:g}"
            msg_zh = f"{'达标' if res.passed else '未达标'}（{zh}；{detail}）"
            msg_en = f"{'pass' if res.passed else 'fail'} ({en}; {detail})"
        else:
            detail = f"n={ev['n']}, mean={ev['mean']:.4g}, threshold={ev['threshold']:.4g}"
            msg_zh = f"{'达标' if res.passed else '未达标'}（{zh}；{detail}）"
            msg_en = f"{'pass' if res.passed else 'fail'} ({en}; {detail})"
        due = not t.get("target_date") or pd.Timestamp(t["target_date"]) <= when
        if not due and res.passed is False:
            msg_zh += f"；目标日期 {t['target_date']} 未到"
            msg_en += f"; target date {t['target_date']} not reached yet"
        rows.append({
            "site_id": t["site_id"], "site_name": names.get(t["site_id"]), "indicator": t["indicator"],
            "indicator_zh": ind.zh if ind else t["indicator"], "unit": t["unit"], "direction": direction,
            "target": target, "target_date": t.get("target_date"), "due": due, "rule": res.rule,
            "rule_zh": zh, "passed": res.passed,
            "result_zh": "无数据" if res.passed is None else ("达标" if res.passed else
                                                              ("未达标" if due else "未达标（未到期）")),
            "n": ev.get("n", 0), "statistic": ev.get("ucl", ev.get("mean", math.nan)),
            "max": ev.get("max", math.nan), "message_zh": msg_zh, "message_en": msg_en, "evidence": ev,
        })
    table = pd.DataFrame(rows, columns=["site_id", "site_name", "indicator", "indicator_zh", "unit", "direction",
                                        "target", "target_date", "due", "rule", "rule_zh", "passed", "result_zh",
                                        "n", "statistic", "max", "message_zh", "message_en", "evidence"])
    table["passed"] = table["passed"].astype(object)
    samples = (pd.concat(used, ignore_index=True) if used else read_series(store, [], []))
    params = {"as_of": str(when.date()), "window_days": window_days, "n_last": n_last,
              "min_samples": min_samples, "confidence": confidence, "reference_share": reference_share}
    if media:
        params["media"] = {k: list(v) for k, v in sorted(media.items())}
    return _verdict(table["passed"], table["due"]), table, samples, params


def save_evaluation(store: Store, result: EffectEvaluation, *, actor: str = "cli",
                    request_id: str | None = None) -> str:
    """Store ``result`` in ``effect_evaluations`` (new id ``<case>-EVnn``); returns the id. A
    ``request_id`` already used (a double click) stores nothing again and returns the id stored
    then."""
    actor = access.require(actor, "monitoring.evaluate", store, case_id=result.case_id).name
    with store.transaction(actor) as tx:
        result.evaluation_id = tx.once(request_id, "monitoring.evaluate",
                                       lambda: _insert_evaluation(tx, result, actor))
    return result.evaluation_id


def _insert_evaluation(tx, result: EffectEvaluation, actor: str) -> str:
    """Insert ``result`` as the case's next evaluation (``<case>-EVnn``) in ``tx``."""
    n = tx.count("effect_evaluations", case_id=result.case_id)
    result.evaluation_id = f"{result.case_id}-EV{n + 1:02d}"
    passed = result.indicators["passed"]
    record = pd.DataFrame([{
        "evaluation_id": result.evaluation_id, "case_id": result.case_id, "as_of": result.as_of,
        "verdict": result.verdict, "n_indicators": len(passed),
        "n_passed": int((passed == True).sum()), "n_failed": int((passed == False).sum()),  # noqa: E712
        "indicators": result.to_dict()["indicators"], "parameters": result.parameters,
        "software_version": __version__, "actor": actor, "evaluated_at": result.evaluated_at}])
    clean = validate_frame("effect_evaluations", record, source="evaluation").frame
    tx.insert("effect_evaluations", clean, action="effect evaluation")
    return result.evaluation_id


def evaluations(store: Store, case_id: str | None = None) -> pd.DataFrame:
    """Stored evaluations (of one case), newest last."""
    if case_id is None:
        return store.read("effect_evaluations")
    return store.read("effect_evaluations", case_id=case_id)
