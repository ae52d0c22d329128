"""The per-region assessment (考核) over many cases.

The sample's case histories and ledger are copied under new ids up to ``--cases`` cases (as in
``cases_overdue.py``); then, in one run:
- baseline: one ``case_record(store, case_id)`` per case (every layer read per case), summed per
  region, as a report built from the case pages would;
- ours: ``assessment(store)`` — one read per layer, histories grouped in memory;
and the ratio. Both must count the same cases opened and agreements.

    python benchmarks/cases_assessment.py [--cases 600]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=600)
    args = parser.parse_args()
    from cases_overdue import _scaled_store

    from restoration.cases import case_record
    from restoration.cases.procedure import assessment
    today = date(2026, 11, 20)
    with tempfile.TemporaryDirectory() as tmp:
        store = _scaled_store(Path(tmp), args.cases)
        cases = store.read("cases")

        t0 = time.perf_counter()
        opened, agreements = 0, 0
        for cid in cases["case_id"]:
            rec = case_record(store, cid, today)
            types = {e["event_type"] for e in rec["events"]}
            opened += "clue_registered" in types
            agreements += "agreement_signed" in types
        base_t = time.perf_counter() - t0

        t0 = time.perf_counter()
        ours = assessment(store, today=today)
        ours_t = time.perf_counter() - t0

        assert ours["cases_opened"].sum() == opened and ours["agreements"].sum() == agreements
        print(f"cases: {len(cases)}, regions: {len(ours)}, events: {store.count('case_events')}")
        print(f"baseline  per-case case_record() calls : {base_t:8.2f} s")
        print(f"ours      assessment() batched reads   : {ours_t:8.2f} s")
        print(f"speed-up                                 : {base_t / ours_t:8.1f} x")


if __name__ == "__main__":
    main()
