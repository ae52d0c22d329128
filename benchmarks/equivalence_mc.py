"""Monte Carlo speed: vectorised engine vs a plain per-draw Python loop, in one run.

Scenario: equal-service, 100-year injury (2000–2099) and 100-year replacement (2001–2100), with the
area, the discount rate, two injury levels, a replacement level and the relative value uncertain.

* vectorised (best of 3): ``equivalence.uncertainty.monte_carlo`` on N draws (sampling + evaluation +
  percentiles; one-at-a-time sensitivity off) and the full ``run_scenario`` (adds the
  deterministic yearly tables and the tornado batch);
* baseline: a plain Python loop that calls the deterministic ``equivalence.run_scenario`` once per
  draw, on a subsample of the *same* draws, extrapolated linearly to N (said so in the output);
  a second loop calls the engine's core ``evaluate`` per draw (no parsing), the fairest baseline.
The loop results are checked against the vectorised draws.

Run: ``python benchmarks/equivalence_mc.py [--draws 100000] [--loop 1000]``.
"""
from __future__ import annotations

import argparse
import copy
import time

import numpy as np

import equivalence as eq
from equivalence.methods import evaluate
from equivalence.scenario import parse_scenario
from equivalence.uncertainty import evaluate_chunked, monte_carlo, sample_values

SCENARIO = {
    "schema_version": 1, "method": "service", "base_year": 2024, "timing": "mid_year",
    "discount_rate": {"dist": "pert", "min": 0.02, "mode": 0.03, "max": 0.05},
    "injury": {"area": {"dist": "triangular", "min": 80, "mode": 100, "max": 130}, "area_unit": "ha",
               "start_year": 2000, "end_year": 2099,
               "levels": [[2000, {"dist": "uniform", "min": 0.0, "max": 0.2}], [2030, 0.5],
                          [2060, {"dist": "triangular", "min": 0.7, "mode": 0.85, "max": 0.95}], [2099, 1.0]]},
    "replacement": {"start_year": 2001, "end_year": 2100,
                    "levels": [[2001, 0.0], [2015, {"dist": "normal", "mean": 0.9, "sd": 0.05, "min": 0.6, "max": 1.0}]],
                    "relative_value": {"dist": "lognormal", "mean": 0.9, "sd": 0.1}},
}


def _draw_scenario(values: dict[str, np.ndarray], i: int) -> dict:
    """The scenario with draw ``i`` of every uncertain input written in as plain numbers."""
    s = copy.deepcopy(SCENARIO)
    s["discount_rate"] = float(values["discount_rate"][i])
    s["injury"]["area"] = float(values["injury.area"][i])
    s["injury"]["levels"][0][1] = float(values["injury.levels[0][1]"][i])
    s["injury"]["levels"][2][1] = float(values["injury.levels[2][1]"][i])
    s["replacement"]["levels"][1][1] = float(values["replacement.levels[1][1]"][i])
    s["replacement"]["relative_value"] = float(values["replacement.relative_value"][i])
    return s


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=100_000)
    ap.add_argument("--loop", type=int, default=1_000, help="draws the per-draw loops run (then extrapolated)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    n, m = args.draws, min(args.loop, args.draws)
    scn = parse_scenario(SCENARIO)
    monte_carlo(scn, 1000, args.seed, with_sensitivity=False)  # warm-up (imports, caches)

    # vectorised timings: best of 3 (the machine is shared; the loops below are long enough)
    t_vec = t_full = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        mc = monte_carlo(scn, n, args.seed, with_sensitivity=False)
        t_vec = min(t_vec, time.perf_counter() - t0)
        t0 = time.perf_counter()
        eq.run_scenario(SCENARIO, draws=n, seed=args.seed)
        t_full = min(t_full, time.perf_counter() - t0)

    values = sample_values(scn, n, args.seed)
    vec = evaluate_chunked(scn, values, n)["required_scale"]
    np.testing.assert_array_equal(vec, mc.samples["required_scale"])

    t0 = time.perf_counter()
    loop = [eq.run_scenario(_draw_scenario(values, i), draws=0).required_scale for i in range(m)]
    t_loop = (time.perf_counter() - t0) * n / m

    t0 = time.perf_counter()
    core = [float(evaluate(scn, {k: (v[i:i + 1] if v.size > 1 else v) for k, v in values.items()})
                  .totals["required_scale"][0]) for i in range(m)]
    t_core = (time.perf_counter() - t0) * n / m

    np.testing.assert_allclose(loop, vec[:m], rtol=1e-12)
    np.testing.assert_allclose(core, vec[:m], rtol=1e-12)

    p = mc.percentiles["required_scale"]
    print(f"scenario: 100-year equal-service injury and replacement, {len(scn.uncertain_params())} uncertain inputs")
    print(f"draws: {n:,}; required scale P5 {p['p5']:.4f}, P50 {p['p50']:.4f}, P95 {p['p95']:.4f} ha")
    print(f"vectorised Monte Carlo (sample + evaluate + percentiles), best of 3: {t_vec:8.3f} s")
    print(f"vectorised run_scenario (+ yearly tables + tornado), best of 3:      {t_full:8.3f} s")
    print(f"per-draw loop over run_scenario, {m:,} draws extrapolated x{n / m:g}: {t_loop:8.2f} s")
    print(f"per-draw loop over the core evaluate(), {m:,} draws extrapolated x{n / m:g}: {t_core:8.2f} s")
    print(f"speed-up vs run_scenario loop: {t_loop / t_vec:,.0f}x; vs core loop: {t_core / t_vec:,.0f}x")
    print(f"loop results equal the vectorised draws (rtol 1e-12) on the {m:,}-draw subsample: yes")
    print(f"target < 1 s for the vectorised run: {'met' if t_vec < 1 else 'NOT met'}")


if __name__ == "__main__":
    main()
