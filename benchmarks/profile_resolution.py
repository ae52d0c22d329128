"""Which rule profile version judges each case, over many cases.

In one run, over ``--cases`` synthetic cases (guangxi, zhejiang and empty profiles; judging dates
spread over five years):
- baseline: :func:`restoration.profiles.profile_for` per case — whether the profile is known and
  which of its versions is in force are looked up again for every case (the folders listed, the
  files stat-ed), the loaded profile then coming from the loader's cache;
- ours: one :class:`restoration.profiles.CaseProfiles` — known-ness and the version list once per
  profile, only the judging date per case (what the register, ``case overdue`` and the overview
  KPIs use);
and the ratio. Both must pick the same version for every case.

    python benchmarks/profile_resolution.py [--cases 20000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from restoration.profiles import CaseProfiles, profile_for  # noqa: E402


def _cases(n: int) -> list[dict]:
    start = dt.date(2021, 1, 1)
    return [{"case_id": f"C{i:06d}", "profile": ("guangxi", "zhejiang", None)[i % 3],
             "discovered_date": (start + dt.timedelta(days=i % 1800)).isoformat()} for i in range(n)]


def _best(run, repeat: int) -> tuple[float, list]:
    best, out = float("inf"), []
    for _ in range(repeat):
        t = time.perf_counter()
        out = run()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    cases = _cases(args.cases)
    base_s, base = _best(lambda: [profile_for(c, []).key for c in cases], args.repeat)
    ours_s, ours = _best(lambda: [p.key for p in map(CaseProfiles(), cases)], args.repeat)
    assert base == ours, "the two ways chose different versions"
    print(f"{args.cases:,} cases: which profile version judges each (best of {args.repeat})")
    print(f"   baseline: profile_for per case        {base_s:8.3f} s")
    print(f"   ours: one CaseProfiles for all cases  {ours_s:8.3f} s   ratio {base_s / max(ours_s, 1e-9):6.1f}x faster")


if __name__ == "__main__":
    main()
