""""Today" comes from ``restoration.config.today()`` only (``RESTORATION_TODAY`` pins it); the
time of a change (audit log, ``updated_at``, ledger, ingest) from ``config.now_utc()`` only."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from ..conftest import REPO, run_cli

#: the one place that reads the clock: "today" and the UTC time of a change
ALLOWED = {Path("restoration/config.py")}
PATTERN = re.compile(r"\bdate\.today\(|Timestamp\.(today|now|utcnow)\(|datetime\.(today|now|utcnow)\(")
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")


def test_no_module_reads_the_date_on_its_own():
    found = []
    for root in ("restoration", "dashboards", "equivalence"):
        for path in (REPO / root).rglob("*.py"):
            rel = path.relative_to(REPO)
            if rel in ALLOWED:
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if PATTERN.search(line):
                    found.append(f"{rel}:{n}: {line.strip()}")
    assert not found, "use restoration.config.today() or config.now_utc():\n" + "\n".join(found)


def test_now_utc_is_the_real_utc_time_in_the_stores_spelling(store, monkeypatch):
    from datetime import datetime, timezone

    from restoration import config
    monkeypatch.setenv("RESTORATION_TODAY", "2001-02-03")  # pins the date of deadlines, not of changes
    stamp = config.now_utc()
    assert STAMP.match(stamp)
    moment = datetime.strptime(stamp, config.UTC_FORMAT).replace(tzinfo=timezone.utc)
    assert abs((datetime.now(timezone.utc) - moment).total_seconds()) < 60
    with store.transaction("clock") as tx:
        tx.audit("clock test", "cases", "GX-2025-002", None, {"x": 1})
    entry = store.read("audit_log", action="clock test").iloc[-1]
    assert STAMP.match(str(entry["at"])) and str(entry["at"]) >= stamp


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
