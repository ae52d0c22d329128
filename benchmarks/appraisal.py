"""Appraisal speed: 10,000 imputed-abatement cases and 10,000 multi-category HEA scenarios,
vectorised vs a per-case Python loop over the *same* public function, in one run.

* abatement: ``equivalence.abatement.abatement_cases`` (κ → τ tier lookup, γ = α τ ω, D = E C γ)
  on arrays of N cases, vs a loop calling it with one case's scalars N times;
* multi-category: ``equivalence.graded.graded_debits`` on N cases × 3 injury categories
  (30-year horizon), vs a loop calling it with one case at a time; a third figure is the full
  ``equivalence.run_scenario`` per case on a subsample (parsing, yearly tables), extrapolated to N
  and said so.

Both loops' results are checked against the vectorised ones. Prints times and ratios.
A third part: ``--appraisals`` (1,000) multi-pollutant appraisals (three pollutants each, the
Dezhou form) appraised from one mapping and recorded on a temporary sample store (each a claim
item; the case amount is the sum), against the one-file-per-pollutant path (three appraisals and
three records per case) in the same run. Each appraisal is read from its own file and
recorded with its re-performance manifest, and every stored manifest is then verified
(re-performed) — timed for both paths. Last, the appraisal report (Word and PDF, manifests
attached) of the case with the most appraisals, against the calculation PDF of one appraisal.
Run: ``python benchmarks/appraisal.py [--cases 10000] [--engine-sample 200] [--appraisals 1000]``.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

import equivalence as eq
from equivalence.abatement import abatement_cases
from equivalence.graded import graded_debits, graded_scenario
from restoration.appraisal import appraise_abatement_file, record_appraisal  # noqa: F401
from restoration.appraisal.manifest import build_manifest, embed_in_pdf
from restoration.appraisal.report import appraisal_report
from restoration.bootstrap import init_store
from restoration.document import to_docx, to_pdf
from restoration.model import OPEN_STAGES
from restoration.reports.appraisal_pdf import abatement_pdf

TIERS = dict(tau_upper_bounds=[10, 100, 1000], tau_values=[1.25, 1.5, 1.75, 2.0])


def _best(fn, repeat=3):
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--engine-sample", type=int, default=200)
    ap.add_argument("--appraisals", type=int, default=1000)
    args = ap.parse_args()
    n = args.cases
    rng = np.random.default_rng(42)

    # -- imputed abatement cost ---------------------------------------------------------------
    e, c = rng.uniform(10, 1e5, n), rng.uniform(0.5, 50, n)
    alpha, omega = rng.choice([1.0, 1.5, 2.0], n), rng.choice([1.0, 1.25, 1.5], n)
    kappa = rng.lognormal(2, 2, n)
    t_vec, vec = _best(lambda: abatement_cases("gbt39793_2", e, c, alpha=alpha, omega=omega, kappa=kappa, **TIERS))

    def loop_ab():
        return np.array([abatement_cases("gbt39793_2", e[i], c[i], alpha=alpha[i], omega=omega[i], kappa=kappa[i],
                                         **TIERS)["amount_yuan"] for i in range(n)])
    t_loop, looped = _best(loop_ab, repeat=1)
    assert np.allclose(looped, vec["amount_yuan"], rtol=1e-12)
    print(f"imputed abatement cost, {n:,} cases")
    print(f"  vectorised abatement_cases:            {t_vec * 1e3:10.2f} ms")
    print(f"  per-case loop over abatement_cases:    {t_loop * 1e3:10.2f} ms")
    print(f"  ratio loop / vectorised:               {t_loop / t_vec:10.1f}x")

    # -- multi-category HEA ---------------------------------------------------------------------
    k = 3
    area = rng.uniform(0.5, 50, (n, k))
    x0 = rng.uniform(0, 0.8, (n, k))
    start = np.full((n, k), 2020)
    rs = start + rng.integers(0, 3, (n, k))
    re = rs + rng.integers(3, 25, (n, k))
    end = np.minimum(re + 1, 2049)
    base = np.full(n, 2022)
    rate = rng.uniform(0.02, 0.05, n)
    kw = dict(convention="compound", timing="annual")
    t_vec2, vec2 = _best(lambda: graded_debits(area, x0, rs, re, start, end, base_year=base, rate=rate, **kw))

    def loop_graded():
        return np.array([graded_debits(area[i:i + 1], x0[i:i + 1], rs[i:i + 1], re[i:i + 1], start[i:i + 1],
                                       end[i:i + 1], base_year=base[i], rate=rate[i], **kw)["debit"][0]
                         for i in range(n)])
    t_loop2, looped2 = _best(loop_graded, repeat=1)
    assert np.allclose(looped2, vec2["debit"], rtol=1e-12)
    m = min(args.engine_sample, n)
    t0 = time.perf_counter()
    engine = [eq.run_scenario(graded_scenario(area[i], x0[i], rs[i], re[i], start[i], end[i], base_year=base[i],
                                              rate=rate[i], **kw)).debit for i in range(m)]
    t_engine = (time.perf_counter() - t0) * n / m
    assert np.allclose(engine, vec2["debit"][:m], rtol=1e-9)
    print(f"multi-category equal-service debits, {n:,} scenarios × {k} injury categories")
    print(f"  vectorised graded_debits:              {t_vec2 * 1e3:10.2f} ms")
    print(f"  per-case loop over graded_debits:      {t_loop2 * 1e3:10.2f} ms")
    print(f"  ratio loop / vectorised:               {t_loop2 / t_vec2:10.1f}x")
    print(f"  run_scenario per case (extrapolated from {m}): {t_engine:8.2f} s "
          f"({t_engine / t_vec2:,.0f}x the vectorised pass)")
    multi_pollutant(args.appraisals)


def _dezhou(i: int) -> dict:
    def item(name, t, c):
        return {"name": name, "discharge": {"amount": t + i % 7, "unit": "t", "source": "监测"},
                "unit_cost": {"value": c, "basis": "reference_fee", "source": "判决书"}}
    return {"standard": "multiplier_2017", "function_class": "air_zone_2",
            "coefficients": {"k": {"value": 4, "source": "判决书"}},
            "pollutants": [item("二氧化硫", 255, 5600), item("氮氧化物", 589, 6800), item("烟粉尘", 19, 3300)]}


def _record_file(store, case_id, data, path) -> None:
    from restoration.appraisal import appraise_abatement_file, record_appraisal
    from restoration.appraisal.manifest import build_manifest
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    r = appraise_abatement_file(path)
    record_appraisal(store, case_id, r, appraiser="基准", actor="bench", manifest=build_manifest("abatement", r))


def _verify_all(store, cases) -> tuple[float, int]:
    from restoration.appraisal.manifest import verify_manifest
    rows = store.read("appraisals")
    rows = rows[rows["case_id"].isin(cases)]
    t0 = time.perf_counter()
    ok = sum(verify_manifest(r["manifest"], "bench").identical for r in rows["result"])
    assert ok == len(rows), f"{len(rows) - ok} manifests did not re-perform identically"
    return time.perf_counter() - t0, ok


def multi_pollutant(n: int) -> None:
    """n multi-pollutant appraisals recorded and verified vs 3n single-pollutant ones, on one
    sample store; then one case's report."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        store = init_store(tmp / "b.gpkg")
        frame = store.read("cases")
        cases = list(frame[frame["stage"].isin([str(getattr(x, "value", x)) for x in OPEN_STAGES])]["case_id"])
        half = len(cases) // 2
        multi_cases, single_cases = cases[:half], cases[half:2 * half]
        t0 = time.perf_counter()
        for i in tqdm(range(n), desc="multi-pollutant", leave=False):
            _record_file(store, multi_cases[i % half], _dezhou(i), tmp / f"m{i}.json")
        t_multi = time.perf_counter() - t0
        t0 = time.perf_counter()
        for i in tqdm(range(n), desc="one file per pollutant", leave=False):
            data = _dezhou(i)
            for j, p in enumerate(data.pop("pollutants")):
                one = {**data, "discharge": p["discharge"], "unit_cost": p["unit_cost"]}
                _record_file(store, single_cases[i % half], one, tmp / f"s{i}_{j}.json")
        t_single = time.perf_counter() - t0
        v_multi, n_multi = _verify_all(store, multi_cases)
        v_single, n_single = _verify_all(store, single_cases)
        total_m = sum(store.get("cases", c)["damage_amount_yuan"] for c in multi_cases)
        total_s = sum(store.get("cases", c)["damage_amount_yuan"] for c in single_cases)
        assert abs(total_m - total_s) < 0.01, (total_m, total_s)
        print(f"multi-pollutant appraisals recorded with manifests, {n:,} (3 pollutants each) on {half} sample cases")
        print(f"  one file, 3 pollutants, 1 record:      {t_multi:10.2f} s  ({t_multi / n * 1e3:.1f} ms each)")
        print(f"  one file per pollutant, 3 records:     {t_single:10.2f} s  ({t_single / n * 1e3:.1f} ms per case-appraisal)")
        print(f"  ratio per-pollutant / multi:           {t_single / t_multi:10.1f}x")
        print(f"  verify (re-perform) {n_multi:,} manifests:    {v_multi:10.2f} s  ({v_multi / n_multi * 1e3:.1f} ms each)")
        print(f"  verify {n_single:,} per-pollutant manifests:  {v_single:10.2f} s  (ratio {v_single / v_multi:.1f}x)")
        print(f"  case totals (sum of claim items): multi {total_m:,.2f} 元, per-pollutant {total_s:,.2f} 元 (equal)")
        report(store, multi_cases[0], tmp)


def report(store, case_id: str, tmp: Path) -> None:
    """One case's appraisal report (Word + PDF with its manifests) against one calculation PDF."""
    content = {"causation": "基准测试", "institution": "基准机构", "investigation": "基准测试"}
    n = len(store.read("appraisals", case_id=case_id))
    t_report, _ = _best(lambda: (to_docx(appraisal_report(store, case_id, content)[0]),
                                 embed_in_pdf(to_pdf((d := appraisal_report(store, case_id, content))[0]), d[1])),
                        repeat=2)
    path = tmp / "one.json"
    path.write_text(json.dumps(_dezhou(0), ensure_ascii=False), encoding="utf-8")
    r = appraise_abatement_file(path)
    t_calc, _ = _best(lambda: abatement_pdf(r, tmp / "one.pdf", manifest=build_manifest("abatement", r)), repeat=2)
    print(f"appraisal report of {case_id} ({n} appraisals, annex of each; Word + PDF, manifests attached)")
    print(f"  report:                                {t_report:10.2f} s")
    print(f"  one calculation PDF (baseline):        {t_calc:10.2f} s  (ratio {t_report / t_calc:.1f}x)")


if __name__ == "__main__":
    main()
