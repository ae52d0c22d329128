"""Effect evaluation: the HJ 25.5-2018 sample rule on both sides of each threshold, the
vegetation rule, and a stored, exportable verdict for the sample cases."""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from restoration.monitoring import evaluate_case, evaluations, hj25_5_rule, mean_last_n_rule

AS_OF = "2026-11-20"


def _ucl(x):
    x = np.asarray(x, float)
    return x.mean() + stats.t.ppf(0.95, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size)


def test_fewer_than_eight_samples_each_must_meet_the_standard():
    ok = [8, 9, 10, 9.5, 10, 7, 9.9]  # 7 samples, all ≤ 10
    r = hj25_5_rule(ok, 10)
    assert r.rule == "hj25_5_each_sample" and r.passed is True
    r = hj25_5_rule(ok[:-1] + [10.01], 10)
    assert r.passed is False and r.evidence["n_above_standard"] == 1


def test_from_eight_samples_the_upper_confidence_limit_decides():
    x = [8.0, 9.0, 7.5, 8.5, 9.5, 8.0, 10.5, 8.8]  # one sample above 10, yet the UCL is below
    ucl = _ucl(x)
    r = hj25_5_rule(x, 10)
    assert r.rule == "hj25_5_statistical" and r.passed is True
    assert r.evidence["ucl"] == pytest.approx(ucl) and r.evidence["n"] == 8
    # standard just below / at the UCL
    assert hj25_5_rule(x, ucl - 1e-6).passed is False
    assert hj25_5_rule(x, ucl + 1e-9).passed is True
    # seven of the samples: sample by sample, 10.5 fails
    assert hj25_5_rule(x[1:], 10).passed is False


def test_no_sample_may_exceed_twice_the_standard():
    base = [1.0] * 20
    at_twice = base + [20.0]  # exactly 2 × 10: allowed
    over = base + [20.01]
    assert _ucl(at_twice) <= 10 and _ucl(over) <= 10  # the UCL alone would pass both
    assert hj25_5_rule(at_twice, 10).passed is True
    r = hj25_5_rule(over, 10)
    assert r.passed is False and r.evidence["n_above_twice"] == 1


def test_minimum_sample_count_is_configurable_and_no_samples_is_no_verdict():
    x = [8.0, 9.0, 7.5, 8.5, 9.5, 8.0, 10.5, 8.8]
    assert hj25_5_rule(x, 10, min_samples=9).passed is False
    assert hj25_5_rule([], 10).passed is None


def test_vegetation_rule_against_target_and_reference():
    v = [0.4] * 10 + [0.62, 0.66, 0.70]
    r = mean_last_n_rule(v, 0.65, "higher", n_last=3)
    assert r.passed is True and r.evidence["mean"] == pytest.approx(0.66)
    assert mean_last_n_rule(v, 0.65, "higher", n_last=4).passed is False
    assert mean_last_n_rule([3.0, 2.0], 2.6, "lower", n_last=2).passed is True
    r = mean_last_n_rule(v, 0.9, "higher", n_last=3, reference=[0.75, 0.8, 0.85], reference_share=0.8)
    assert r.rule == "reference_share" and r.passed is True and r.evidence["threshold"] == pytest.approx(0.64)
    assert mean_last_n_rule(v, 0.9, "higher", n_last=3, reference=[0.75, 0.8, 0.85],
                            reference_share=0.9).passed is False


def test_sample_case_with_a_failed_indicator_is_stored_and_exported(store, tmp_path):
    result = evaluate_case(store, "GX-2022-011", as_of=AS_OF)
    table = result.indicators.set_index("indicator")
    assert result.verdict == "fail" and result.verdict_zh == "未达标"
    assert table.loc["cod", "passed"] is False and table.loc["cod", "rule"] == "hj25_5_statistical"
    assert table.loc["nh3_n", "passed"] is True and table.loc["tp", "passed"] is True
    assert table.loc["do", "rule"] == "mean_last_n" and table.loc["do", "passed"] is True
    # the evidence is the rule recomputed on the stored samples
    cod = result.samples[(result.samples["indicator"] == "cod")]
    assert len(cod) == table.loc["cod", "n"] >= 8
    assert table.loc["cod", "statistic"] == pytest.approx(_ucl(cod["value"]))
    assert (cod["time"] >= pd.Timestamp(AS_OF) - pd.Timedelta(days=180)).all()
    # stored with the case
    stored = evaluations(store, "GX-2022-011")
    assert list(stored["evaluation_id"]) == ["GX-2022-011-EV01"] == [result.evaluation_id]
    rec = stored.iloc[0]
    assert rec["verdict"] == "fail" and rec["n_failed"] == 1 and rec["n_passed"] == 3
    assert {i["indicator"] for i in rec["indicators"]} == {"cod", "nh3_n", "tp", "do"}
    # exportable
    xlsx = result.export(tmp_path / "eval.xlsx")
    sheets = pd.read_excel(xlsx, sheet_name=None)
    assert len(sheets) == 3 and len(sheets["分指标 indicators"]) == 4
    data = json.loads(result.export(tmp_path / "eval.json").read_text(encoding="utf-8"))
    assert data["verdict"] == "fail" and data["case_id"] == "GX-2022-011"
    assert evaluate_case(store, "GX-2022-011", as_of=AS_OF).evaluation_id == "GX-2022-011-EV02"


def test_vegetation_case_passes_and_case_without_targets_is_incomplete(store):
    ok = evaluate_case(store, "GX-2022-012", as_of=AS_OF, save=False)
    assert ok.verdict == "pass" and ok.evaluation_id is None
    assert ok.indicators.iloc[0]["n"] == 12
    assert store.count("effect_evaluations") == 0
    assert evaluate_case(store, "GX-2025-001", as_of=AS_OF, save=False).verdict == "incomplete"
    lagging = evaluate_case(store, "GX-2022-010", as_of=AS_OF, save=False)
    assert lagging.verdict == "fail"  # S016 far below its NDVI target


def test_unknown_case(store):
    from restoration.errors import NotFoundError
    with pytest.raises(NotFoundError, match="GX-1999-999"):
        evaluate_case(store, "GX-1999-999")


def test_targets_not_yet_due_do_not_fail_the_case(store):
    r = evaluate_case(store, "GX-2022-010", as_of=AS_OF, save=False).indicators.set_index("site_id")
    assert r.loc["S016", "due"] and r.loc["S016", "passed"] is False       # due 2026-10-15: fails the case
    assert not r.loc["S017", "due"] and r.loc["S017", "passed"] is False   # due 2028: not yet
    assert "not reached yet" in r.loc["S017", "message_en"]
    early = evaluate_case(store, "GX-2022-010", as_of="2026-09-30", save=False)
    assert early.verdict == "incomplete"  # neither target is due yet
