"""Rank 10,000 candidate bank projects for one case; compare with a per-candidate Python loop.

Vectorised: :func:`restoration.bank.siting.rank_candidates` — eligibility, distance (UTM),
equivalence credit and required area of every candidate (``equivalence.batch.evaluate_batch``),
cost, score — and the end-to-end :func:`rank_base_sites` on a store holding the 10,000 projects
(store read and ledger balances included).

Baseline: the same answers one candidate at a time — substitution lookup, status and watershed
checks, a shapely distance after projecting that candidate, and ``equivalence.run_scenario`` of
the candidate's scenario (``candidate_scenario``). The loop runs on ``--loop`` candidates (default
1,000) and its time is scaled to all candidates; ``--loop 10000`` runs it in full. The loop's
required amounts are checked against the vectorised ones. Aim: vectorised ranking under 1 s.

    python benchmarks/siting.py [--candidates 10000] [--loop 1000] [--case GX-2023-008]
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import equivalence
from restoration.bank import add_projects, case_scenario, rank_base_sites, siting_rules
from restoration.bank.ledger import bank_table
from restoration.bank.scenarios import candidate_scenario
from restoration.bank.siting import case_site, rank_candidates
from restoration.bank.substitution import substitutes
from restoration.bootstrap import init_store
from restoration.geometry import utm_crs_for
from restoration.model import EcosystemType
from restoration.sample import catalogue as cat
from restoration.sample.shapes import blob, lonlat_to_m, to_lonlat


def candidates(n: int, seed: int = 6) -> gpd.GeoDataFrame:
    """``n`` plausible bank projects scattered over the sample region."""
    rng = np.random.default_rng(seed)
    lon = rng.uniform(cat.REGION_BBOX[0] + 0.05, cat.REGION_BBOX[2] - 0.05, n)
    lat = rng.uniform(cat.REGION_BBOX[1] + 0.05, cat.REGION_BBOX[3] - 0.05, n)
    cap = np.exp(rng.uniform(np.log(2), np.log(150), n)).round(1)
    x, y = lonlat_to_m(lon, lat)
    geoms = [to_lonlat(blob(rng, x[i], y[i], cap[i] * 1e4 * 1.08, n=16)) for i in range(n)]
    carbon = rng.random(n) < 0.05
    years = rng.integers(0, 15, n)
    ecos = np.array([e.value for e in EcosystemType])
    return gpd.GeoDataFrame({
        "project_id": [f"BX{i:05d}" for i in range(n)], "name": [f"候选项目 {i}" for i in range(n)],
        "kind": np.where(rng.random(n) < 0.2, "base_site", "project"),
        "ecosystem_type": np.where(carbon, "forest", rng.choice(ecos, n)),
        "services": "habitat", "capacity": np.where(carbon, 20_000.0, cap),
        "capacity_unit": np.where(carbon, "tCO2e", "ha"),
        "unit_cost_yuan": np.where(carbon, 60.0, rng.uniform(6e4, 4.5e5, n).round(-3)),
        "relative_value": rng.uniform(0.7, 1.3, n).round(2),
        "trajectory": [json.dumps({"levels": [[0, 0.0], [int(k), 1.0]]} if k else {"levels": [[0, 1.0]]})
                       for k in years],
        "operator": "某单位", "status": rng.choice(["proposed", "approved", "under_construction", "operational",
                                                  "closed"], n, p=[0.1, 0.2, 0.2, 0.45, 0.05]),
        "start_year": rng.integers(2010, 2030, n),
    }, geometry=geoms, crs=4326)


def loop_rank(site, bank: pd.DataFrame, scenario: dict, rules: dict) -> pd.DataFrame:
    """The per-candidate baseline: the same checks and numbers, one candidate at a time."""
    subs = substitutes(site.ecosystem_type)
    crs = utm_crs_for(site.geometry.centroid.x, site.geometry.centroid.y)
    target = gpd.GeoSeries([site.geometry], crs=4326).to_crs(crs).iloc[0]
    rows = []
    for rec in bank.to_dict(orient="records"):
        geom = gpd.GeoSeries([rec["geometry"]], crs=4326).to_crs(crs).iloc[0]
        eligible = (rec["ecosystem_type"] in subs and rec["status"] in rules["allowed_statuses"]
                    and rec["remaining"] > 0)
        try:
            required = equivalence.run_scenario(candidate_scenario(scenario, rec)).required_scale
        except equivalence.ScenarioError:
            required = np.nan
        rows.append({"project_id": rec["project_id"], "eligible": eligible, "required_amount": required,
                     "distance_km": shapely.distance(geom, target) / 1000,
                     "cost_yuan": required * rec["unit_cost_yuan"]})
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--loop", type=int, default=1_000, help="candidates for the Python-loop baseline")
    parser.add_argument("--case", default="GX-2023-008")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = init_store(Path(tmp) / "platform.gpkg")
        frame = candidates(args.candidates)
        t0 = time.perf_counter()
        add_projects(store, frame, source="benchmark")
        t_import = time.perf_counter() - t0

        site = case_site(store, args.case)
        scenario = case_scenario(store, args.case)["scenario"]
        rules = siting_rules(site.profile)
        bank = bank_table(store)
        n = len(bank)

        t0 = time.perf_counter()
        table = rank_candidates(site, bank, scenario, rules)
        t_vec = time.perf_counter() - t0
        t0 = time.perf_counter()
        ranking = rank_base_sites(store, args.case)
        t_e2e = time.perf_counter() - t0
        assert len(ranking.table) == n

        m = min(args.loop, n)
        sub = bank.iloc[:m]
        t0 = time.perf_counter()
        base = loop_rank(site, sub, scenario, rules)
        t_loop = (time.perf_counter() - t0) * n / m
        mine = table.set_index("project_id").loc[base["project_id"]]
        np.testing.assert_allclose(mine["required_amount"].to_numpy(), base["required_amount"].to_numpy(),
                                   rtol=1e-9)
        np.testing.assert_allclose(mine["distance_km"].to_numpy(), base["distance_km"].to_numpy(), rtol=1e-9)

    print(f"candidates: {n} (sample bank + {args.candidates} generated); case {args.case}")
    print(f"import of the generated projects (validate, join, insert): {t_import:.2f} s")
    print(f"vectorised rank_candidates (eligibility, distance, equivalence credit, cost, score): {t_vec:.3f} s")
    print(f"end-to-end rank_base_sites (store read + ledger + ranking, twice for coverage if needed): {t_e2e:.3f} s")
    scaled = "" if m == n else f" (ran {m}, scaled to {n})"
    print(f"baseline per-candidate Python loop with run_scenario: {t_loop:.1f} s{scaled}")
    print(f"ratio loop/vectorised: {t_loop / t_vec:.0f}x   target: vectorised under 1 s -> "
          f"{'met' if t_vec < 1.0 else 'NOT met'}")


if __name__ == "__main__":
    main()
