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
three records per case) in the same run; both totals are checked equal. (``appraisal verify``
and the report are not built yet, so they are not timed.)
Run: ``python benchmarks/appraisal.py [--cases 10000] [--engine-sample 200] [--appraisals 1000]``.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import equivalence as eq
from equivalence.abatement import abatement_cases
from equivalence.graded import graded_debits, graded_scenario

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


def multi_pollutant(n: int) -> None:
    """n multi-pollutant appraisals recorded vs 3n single-pollutant ones, on one sample store."""
    import tempfile
    from pathlib import Path

    from restoration.appraisal import appraise_abatement, record_appraisal
    from restoration.bootstrap import init_store
    with tempfile.TemporaryDirectory() as tmp:
        store = init_store(Path(tmp) / "b.gpkg")
        from restoration.model import OPEN_STAGES
        frame = store.read("cases")
        cases = list(frame[frame["stage"].isin([str(getattr(x, "value", x)) for x in OPEN_STAGES])]["case_id"])
        half = len(cases) // 2
        multi_cases, single_cases = cases[:half], cases[half:]
        t0 = time.perf_counter()
        for i in range(n):
            record_appraisal(store, multi_cases[i % half], appraise_abatement(_dezhou(i)), appraiser="基准", actor="bench")
        t_multi = time.perf_counter() - t0
        t0 = time.perf_counter()
        for i in range(n):
            data = _dezhou(i)
            for p in data.pop("pollutants"):
                one = {**data, "discharge": p["discharge"], "unit_cost": p["unit_cost"]}
                record_appraisal(store, single_cases[i % (len(cases) - half)], appraise_abatement(one),
                                 appraiser="基准", actor="bench")
        t_single = time.perf_counter() - t0
        total_m = sum(store.get("cases", c)["damage_amount_yuan"] for c in multi_cases)
        total_s = sum(store.get("cases", c)["damage_amount_yuan"] for c in single_cases)
    print(f"multi-pollutant appraisals recorded, {n:,} (3 pollutants each) on {half} sample cases")
    print(f"  one file, 3 pollutants, 1 record:      {t_multi:10.2f} s  ({t_multi / n * 1e3:.1f} ms each)")
    print(f"  one file per pollutant, 3 records:     {t_single:10.2f} s  ({t_single / n * 1e3:.1f} ms per case-appraisal)")
    print(f"  ratio per-pollutant / multi:           {t_single / t_multi:10.1f}x")
    print(f"  case totals (sum of claim items): multi {total_m:,.2f} 元, per-pollutant {total_s:,.2f} 元")


if __name__ == "__main__":
    main()
