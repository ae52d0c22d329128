"""Overdue report over many cases.

The sample's 15 case histories (events and ledger) are copied under new ids up to ``--cases``
cases; then, in one run:
- baseline: one ``deadlines(store, case_id)`` call per case (three store reads per case), as a
  dashboard looping over the register would;
- ours: ``overdue(store)`` — one read per layer, histories grouped in memory;
and the ratio. Both must find the same overdue items.

    python benchmarks/cases_overdue.py [--cases 1500]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _scaled_store(tmp: Path, n_cases: int):
    from restoration import init_store
    from restoration.validate import validate_frame
    store = init_store(tmp / "platform.gpkg")
    cases, events, ledger = store.read("cases"), store.read("case_events"), store.read("funds_ledger")
    copies = max(0, n_cases // len(cases) - 1)
    new_cases, new_events, new_ledger = [], [], []
    for k in range(1, copies + 1):
        ids = {c: f"{c}-{k:04d}" for c in cases["case_id"]}
        new_cases.append(cases.assign(case_id=cases["case_id"].map(ids)))
        new_events.append(events.assign(case_id=events["case_id"].map(ids)))
        new_ledger.append(ledger.assign(case_id=ledger["case_id"].map(ids)))
    if copies:
        with store.transaction("bench") as tx:
            for layer, frames in (("cases", new_cases), ("case_events", new_events), ("funds_ledger", new_ledger)):
                frame = pd.concat(frames, ignore_index=True)
                frame = frame.drop(columns=[c for c in ("fid", "version", "updated_at", "recorded_at")
                                            if c in frame.columns])
                tx.insert(layer, validate_frame(layer, frame).frame)
    return store


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1500)
    args = parser.parse_args()
    from restoration.cases import deadlines, overdue
    today = date(2026, 11, 20)
    with tempfile.TemporaryDirectory() as tmp:
        store = _scaled_store(Path(tmp), args.cases)
        n = store.count("cases")
        ids = list(store.read("cases")["case_id"])

        t0 = time.perf_counter()
        base = [d for cid in ids for d in deadlines(store, cid, today) if d.overdue]
        base_t = time.perf_counter() - t0

        t0 = time.perf_counter()
        ours = overdue(store, today)
        ours_t = time.perf_counter() - t0

        assert len(ours) == len(base), (len(ours), len(base))
        print(f"cases: {n}, events: {store.count('case_events')}, overdue items: {len(ours)}")
        print(f"baseline  per-case deadlines() calls : {base_t:8.2f} s")
        print(f"ours      overdue() batched reads    : {ours_t:8.2f} s")
        print(f"speed-up                               : {base_t / ours_t:8.1f} x")


if __name__ == "__main__":
    main()
