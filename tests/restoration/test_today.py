""""Today" comes from ``restoration.config.today()`` only (``RESTORATION_TODAY`` pins it)."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from ..conftest import REPO, run_cli

#: the one place that reads the clock for "today"; UTC audit timestamps are not "today"
ALLOWED = {Path("restoration/config.py")}
PATTERN = re.compile(r"\bdate\.today\(|Timestamp\.(today|now)\(|datetime\.(today|now)\(\)|datetime\.utcnow")


def test_no_module_reads_the_date_on_its_own():
    found = []
    for root in ("restoration", "dashboards", "equivalence"):
        for path in (REPO / root).rglob("*.py"):
            rel = path.relative_to(REPO)
            if rel in ALLOWED:
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if PATTERN.search(line) and "UTC" not in line.upper():  # audit stamps are UTC times
                    found.append(f"{rel}:{n}: {line.strip()}")
    assert not found, "use restoration.config.today():\n" + "\n".join(found)


def test_pinned_today_reaches_deadlines_progress_and_kpis(store, capsys, monkeypatch):
    from restoration import kpis
    from restoration.cases import overdue
    monkeypatch.setenv("RESTORATION_TODAY", "2026-11-20")
    pinned = overdue(store)
    assert len(pinned) == len(overdue(store, date(2026, 11, 20))) > 0
    assert kpis.overview(store).overdue == len(pinned)
    monkeypatch.setenv("RESTORATION_TODAY", "2022-01-01")  # before the sample's incidents
    assert overdue(store).empty and kpis.overview(store).overdue == 0
    code, out, err = run_cli(["--data", str(store.data_dir), "case", "overdue", "--json"], capsys)
    assert code == 0 and '"today": "2022-01-01"' in out
