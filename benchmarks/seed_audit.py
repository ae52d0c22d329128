"""Re-audit docs/cases.md's seed-by-seed table by running it: every row's named tests are run
(GeoPackage backend) and each row is stated present / partial / absent.

* present — every test the row names passes and its rule is verified (✓, no "·", nothing unset);
* partial — the tests pass but the row's rule is unverified (·), unset ("unset: seed states no
  number") or verified only against a document not held here;
* absent — a named test fails or does not exist.

    python benchmarks/seed_audit.py            # prints the table and the counts
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.cases.test_seed_table import resolve, seed_rows  # noqa: E402

PARTIAL = ("·", "unset", "not held", "partial", "partly", "platform's")


def node(ref: str) -> str:
    path, name = resolve(ref)
    return f"{path.relative_to(REPO)}::{name}"


def run(nodes: list[str]) -> dict[str, bool]:
    """node id -> passed (every parametrisation), by one pytest run."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "r.xml"
        env = dict(os.environ, RESTORATION_TEST_BACKENDS="gpkg")
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "2", "-p", "no:cacheprovider",
                        f"--junitxml={report}", *nodes], cwd=REPO, env=env, capture_output=True)
        passed: dict[str, bool] = {}
        for case in ET.parse(report).getroot().iter("testcase"):
            file = case.get("classname", "").replace(".", "/") + ".py"
            name = re.sub(r"\[.*\]$", "", case.get("name", ""))
            ok = not any(c.tag in ("failure", "error", "skipped") for c in case)
            key = f"{file}::{name}"
            passed[key] = passed.get(key, True) and ok
    return passed


def main() -> None:
    rows = seed_rows()
    refs = {r["no"]: re.findall(r"`([^`]+)`", r["test"]) for r in rows}
    nodes = sorted({node(x) for xs in refs.values() for x in xs})
    result = run(nodes)
    counts = {"present": 0, "partial": 0, "absent": 0}
    for r in rows:
        ok = all(result.get(node(x), False) for x in refs[r["no"]])
        status = "absent" if not ok else ("partial" if any(p in r["verified"] for p in PARTIAL) else "present")
        counts[status] += 1
        print(f"{r['no']:>3} {status:8s} {r['requirement'][:70]}")
    print(f"{len(rows)} requirements: {counts['present']} present / {counts['partial']} partial / "
          f"{counts['absent']} absent ({len(nodes)} tests run)")


if __name__ == "__main__":
    main()
