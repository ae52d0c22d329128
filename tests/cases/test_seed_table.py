"""docs/cases.md's seed-by-seed table is checkable: every row names tests that exist, every part of
both seeds is covered by a row, and the sample region exercises every record kind of issue 14."""
from __future__ import annotations

import ast
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from restoration.cases.events import PROCEDURE_EVENTS

REPO = Path(__file__).resolve().parents[2]
TESTS = REPO / "tests"
#: every part of the two seeds' explanatory notes (and what they say each article covers)
SEED_PARTS = [f"浙 第{n}条" for n in "一二三四五六七八九十"] + \
    [f"桂 第{n}章" for n in "一二三四五六七八"] + [f"桂 五（{n}）" for n in "一二三四五"]


def seed_rows() -> list[dict]:
    text = (REPO / "docs" / "cases.md").read_text(encoding="utf-8")
    section = text.split("## Seed by seed", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0].isdigit():
            rows.append(dict(zip(("no", "requirement", "seed", "where", "verified", "test"), cells)))
    return rows


@lru_cache(maxsize=None)
def _test_names(path: Path) -> frozenset[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return frozenset(n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_"))


def resolve(ref: str) -> tuple[Path, str]:
    """``test_x`` (tests/cases/test_procedure.py), ``test_file.py::test_x`` (tests/cases/) or
    ``dir/test_file.py::test_x`` (under tests/)."""
    if "::" not in ref:
        return TESTS / "cases" / "test_procedure.py", ref
    file, name = ref.split("::", 1)
    return (TESTS / file if "/" in file else TESTS / "cases" / file), name


def test_every_row_names_tests_that_exist():
    rows = seed_rows()
    assert len(rows) >= 41 and [int(r["no"]) for r in rows] == list(range(1, len(rows) + 1))
    for r in rows:
        refs = re.findall(r"`([^`]+)`", r["test"])
        assert refs, f"row {r['no']} ({r['requirement']}) names no test"
        for ref in refs:
            path, name = resolve(ref)
            assert path.exists(), f"row {r['no']}: no test file {path.relative_to(REPO)}"
            assert name in _test_names(path), f"row {r['no']}: {name} is not a test in {path.relative_to(REPO)}"


def test_every_part_of_the_seeds_has_a_row():
    # a row citing several parts of one seed writes "浙 第三条; 第五条": expand the shorthand
    cited = set()
    for r in seed_rows():
        prov = None
        for part in re.split(r"[;；,，]\s*", r["seed"]):
            m = re.match(r"(浙|桂|国)\s*(.*)", part.strip())
            if m:
                prov, rest = m.group(1), m.group(2)
            elif prov:
                rest = part.strip()
            else:
                continue
            for token in re.findall(r"第[一二三四五六七八九十]+[条章]|五（[一二三四五]）", rest):
                cited.add(f"{prov} {token}")
    missing = [p for p in SEED_PARTS if p not in cited]
    assert not missing, f"parts of the seeds with no row in docs/cases.md: {missing}"


def test_unset_numbers_say_so_in_the_table():
    """Rows about values the seeds give no number for say 'unset: seed states no number'."""
    rows = {r["no"]: r for r in seed_rows()}
    unset = [r for r in rows.values() if "unset" in r["verified"]]
    assert len(unset) >= 6
    assert all("seed states no number" in r["verified"] or "seed names" in r["verified"] for r in unset)
    text = " ".join(r["requirement"] for r in unset)
    for what in ("time limits", "seventh", "offset", "comment", "reporting"):
        assert what in text, what


def test_sample_exercises_every_procedure_record_kind():
    sample = REPO / "sample_data"
    events = pd.read_csv(sample / "case_events.csv")
    missing = sorted(set(PROCEDURE_EVENTS) - set(events["event_type"]))
    assert not missing, f"procedure event types missing from the sample: {missing}"
    assert len(pd.read_csv(sample / "screening_reports.csv")) >= 2
    ledger = pd.read_csv(sample / "funds_ledger.csv")
    assert ledger["site_id"].notna().any() and ledger["use_kind"].notna().any()
    details = events["details"].fillna("")
    assert details[events["event_type"] == "agreement_signed"].str.contains("clause_override").any()
    levels = set(details[events["event_type"] == "jurisdiction_assigned"].str.extract(r'"level": "(\w+)"')[0])
    assert {"province", "county"} <= levels
    for kind in ("sent", "received"):
        assert details[events["event_type"] == "information_shared"].str.contains(f'"{kind}"').any()
