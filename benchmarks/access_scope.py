"""What a county user may read: the ids of its region's cases, sites and bank projects.

On a scaled sample (``--sites`` sites), in one run:
- baseline: a row-by-row walk — each record's region resolved and checked against the tree one
  at a time (the first implementation);
- ours: ``restoration.scoped_store._scope_ids`` — the region's codes once, each distinct value resolved
  once, one ``isin`` per column;
and the ratio. Both must give the same ids. The store reads (the same for both) are timed apart.

    python benchmarks/access_scope.py [--sites 20000]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def rowwise(store, who):
    from restoration.access import _codes, case_regions, in_region, region_tree
    tree = region_tree(store)
    cases = store.read("cases")
    case_ids = frozenset(c["case_id"] for c in cases.to_dict("records")
                         if in_region(who, case_regions(c, tree), tree))
    sites = pd.DataFrame(store.read("sites")).drop(columns="geometry")
    site_ids = {s["site_id"] for s in sites.to_dict("records")
                if in_region(who, _codes([s.get("county")], tree), tree) or s.get("case_id") in case_ids}
    for t in store.read("indicator_targets").to_dict("records"):  # reference sites of the region's sites
        if t["site_id"] in site_ids and isinstance(t.get("reference_site_id"), str):
            site_ids.add(t["reference_site_id"])
    bank = pd.DataFrame(store.read("bank_projects")).drop(columns="geometry")
    own = frozenset(p["project_id"] for p in bank.to_dict("records")
                    if in_region(who, _codes([p.get("region")], tree), tree))
    held = {a["project_id"] for a in store.read("bank_allocations").to_dict("records") if a["case_id"] in case_ids}
    return case_ids, frozenset(site_ids), frozenset(own | held), own


class _Cached:
    """The store's layers read once, so both methods are timed on the same frames in memory."""

    def __init__(self, store):
        self.frames = {name: store.read(name) for name in ("cases", "sites", "bank_projects", "counties",
                                                           "indicator_targets", "bank_allocations")}

    def read(self, layer, *a, **k):
        return self.frames[layer]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from restoration import build_sample, init_store
    from restoration.access import Actor
    from restoration.scoped_store import _scope_ids
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        sample = build_sample(tmp / "sample", sites=args.sites, dates=1, raster_size=100, progress=False)
        store = init_store(tmp / "data" / "platform.gpkg", sample=sample)
        t = time.perf_counter()
        mem = _Cached(store)
        read_s = time.perf_counter() - t
        who = Actor("bench", "readonly", "C01")
        timings = {}
        results = {}
        ours = lambda store, who: (lambda r: (*r[:3], r[4]))(_scope_ids(store, who))  # noqa: E731
        for name, fn in (("baseline row-by-row", rowwise), ("ours isin", ours)):
            best = float("inf")
            for _ in range(args.repeat):
                t = time.perf_counter()
                results[name] = fn(mem, who)
                best = min(best, time.perf_counter() - t)
            timings[name] = best
        assert results["baseline row-by-row"] == results["ours isin"], "the two scopes differ"
        n = len(mem.frames["sites"])
        print(f"{n} sites, {len(mem.frames['cases'])} cases, {len(mem.frames['bank_projects'])} bank projects; "
              f"county C01 sees {len(results['ours isin'][1])} sites")
        print(f"store reads (both): {read_s:.3f} s")
        for name, s in timings.items():
            print(f"{name:22s} {s * 1000:8.1f} ms")
        print(f"ratio baseline / ours: {timings['baseline row-by-row'] / timings['ours isin']:.1f}x")
        # what a county user's aggregate costs: the scoped view answers from the region's rows
        from restoration.access import scope, scoped
        view = scoped(store, who)
        scope(store, who)  # computed once per store version (cached), as on a page
        agg = {}
        for name, fn in (("store count(sites) SQL", lambda: store.count("sites")),
                         ("county count(sites)", lambda: view.count("sites")),
                         ("store totals(alloc)", lambda: store.totals("bank_allocations", "amount", ["project_id"])),
                         ("county totals(alloc)", lambda: view.totals("bank_allocations", "amount", ["project_id"]))):
            best = float("inf")
            for _ in range(args.repeat):
                t = time.perf_counter()
                fn()
                best = min(best, time.perf_counter() - t)
            agg[name] = best
            print(f"{name:22s} {best * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
