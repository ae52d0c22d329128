"""Securement and stewardship of a bank project: the legal agreement that keeps the land restored
(instrument, term in years, start, document) and the management & monitoring plan (reporting
years, indicators, responsible party), with the deadlines they set — a monitoring report due for
each reporting year and the securement's end.

Deadlines (:func:`deadlines`) use the case deadlines' status codes (``overdue``, ``open``,
``met``, ``restoration.vocab`` ``deadline_status``) so the same lists and words show them. A
report is due by the last day of its reporting year and a securement ends ``term_years`` after
its start: platform conventions, not a rule of any standard (England's biodiversity gain sites
must be secured for at least 30 years; no Chinese rule for a bank's term is encoded here).
"""
from __future__ import annotations

import math
from datetime import date, timedelta

import pandas as pd

from .. import access, config
from ..errors import InputError, Issue
from ..store import Store, Transaction
from ..vocab import canonical_indicator
from . import _common

#: securements ending within this many days are listed as deadlines
EXPIRY_NOTICE_DAYS = 365
MAX_TEXT = 200


def _text(value, field: str, *, required: bool = True, limit: int = MAX_TEXT) -> str | None:
    text = "" if value is None else str(value).strip()
    if not text:
        if required:
            raise InputError(Issue("is required", field=field))
        return None
    if len(text) > limit:
        raise InputError(Issue(f"is longer than {limit} characters", field=field))
    return text


def set_securement(target: Store | Transaction, project_id: str, *, instrument: str, term_years: int,
                   start: date | str, document: str | None = None, public: bool = False,
                   actor: str = "system") -> dict:
    """Record (or replace) ``project_id``'s securement: ``instrument`` (e.g. 土地流转合同 or a
    conservation covenant), ``term_years`` [years], ``start`` date and ``document`` reference."""
    inst = _text(instrument, "--instrument")
    doc = _text(document, "--document", required=False, limit=500)
    try:
        years = int(term_years)
    except (TypeError, ValueError):
        years = 0
    if years < 1 or years > 999 or (isinstance(term_years, float) and not float(term_years).is_integer()):
        raise InputError(Issue(f"the term must be a whole number of years from 1 to 999, got {term_years!r}",
                               field="--term-years"))
    day = _common.iso_day(start)
    who = access.require(actor, "bank.registry", target, project_id=project_id)
    with _common.transaction(target, who) as tx:
        tx.lock("bank_projects", project_id)
        row = {"project_id": project_id, "instrument": inst, "term_years": years, "start": day, "document": doc,
               "public": bool(public), "actor": tx.actor}
        if tx.read("bank_securements", project_id=project_id).empty:
            tx.insert("bank_securements", pd.DataFrame([row]), action="securement")
        else:
            tx.update("bank_securements", project_id, {k: v for k, v in row.items() if k != "project_id"})
        return tx.get("bank_securements", project_id)


def _years(values) -> list[int]:
    items = values.split(",") if isinstance(values, str) else list(values or [])
    out = []
    for v in items:
        try:
            year = int(str(v).strip())
        except ValueError:
            raise InputError(Issue(f"'{str(v)[:20]}' is not a year", field="--years")) from None
        if not 1900 <= year <= 2300:
            raise InputError(Issue(f"{year} is not a plausible reporting year (1900–2300)", field="--years"))
        out.append(year)
    if not out:
        raise InputError(Issue("at least one reporting year is required", field="--years"))
    return sorted(set(out))


def _indicators(values) -> list[str]:
    items = values.split(",") if isinstance(values, str) else list(values or [])
    out = []
    for v in items:
        code = canonical_indicator(str(v))
        if code is None:
            raise InputError(Issue(f"unknown indicator '{str(v)[:40]}'; see `restoration monitor indicators`",
                                   field="--indicators"))
        out.append(code)
    if not out:
        raise InputError(Issue("at least one indicator is required", field="--indicators"))
    return list(dict.fromkeys(out))


def set_plan(target: Store | Transaction, project_id: str, *, reporting_years, indicators, responsible_party: str,
             actor: str = "system") -> dict:
    """Record (or replace) ``project_id``'s management & monitoring plan; reports already
    submitted are kept."""
    years, codes = _years(reporting_years), _indicators(indicators)
    party = _text(responsible_party, "--responsible")
    who = access.require(actor, "bank.registry", target, project_id=project_id)
    with _common.transaction(target, who) as tx:
        tx.lock("bank_projects", project_id)
        row = {"reporting_years": years, "indicators": codes, "responsible_party": party, "actor": tx.actor}
        if tx.read("bank_plans", project_id=project_id).empty:
            tx.insert("bank_plans", pd.DataFrame([{"project_id": project_id, "reports": {}, **row}]), action="plan")
        else:
            tx.update("bank_plans", project_id, row)
        return tx.get("bank_plans", project_id)


def submit_report(target: Store | Transaction, project_id: str, year: int, *, on: date | str | None = None,
                  actor: str = "system") -> dict:
    """Record the monitoring report of reporting ``year`` as submitted ``on`` (default today)."""
    day = _common.iso_day(on)
    if day > config.today().isoformat():
        raise InputError(Issue(f"{day} is in the future", field="--on"))
    who = access.require(actor, "bank.registry", target, project_id=project_id)
    with _common.transaction(target, who) as tx:
        plan = tx.get("bank_plans", project_id)
        if int(year) not in plan["reporting_years"]:
            raise InputError(Issue(f"{year} is not a reporting year of the plan "
                                   f"({', '.join(map(str, plan['reporting_years']))})", field="YEAR"))
        reports = dict(plan.get("reports") or {})
        reports[str(int(year))] = day
        return tx.update("bank_plans", project_id, {"reports": reports})


def _end(start: str, years: int) -> str:
    d = date.fromisoformat(str(start))
    try:
        return d.replace(year=d.year + int(years)).isoformat()
    except ValueError:  # 29 February
        return (d.replace(month=2, day=28, year=d.year + int(years))).isoformat()


def deadlines(store: Store, today: date | None = None, *, notice_days: int = EXPIRY_NOTICE_DAYS,
              overdue_only: bool = False) -> pd.DataFrame:
    """The projects' stewardship deadlines: each reporting year's report (``report``, due by
    31 December of that year; ``met`` once submitted) and each securement's end (``securement_end``,
    listed from ``notice_days`` before it). Columns: project_id, name, what, year, due, status,
    days_overdue, done_on."""
    day = today or config.today()
    names = dict(zip(*(store.read("bank_projects", columns=["project_id", "name"])[c] for c in ("project_id", "name"))))
    rows = []
    for p in store.read("bank_plans").to_dict("records"):
        reports = p.get("reports") or {}
        for year in p["reporting_years"] or []:
            due = date(int(year), 12, 31)
            done = reports.get(str(year))
            status = "met" if done else ("overdue" if due < day else "open")
            rows.append({"project_id": p["project_id"], "what": "report", "year": int(year), "due": due.isoformat(),
                         "status": status, "done_on": done})
    for s in store.read("bank_securements").to_dict("records"):
        end = _end(s["start"], s["term_years"])
        if date.fromisoformat(end) - timedelta(days=notice_days) <= day:
            rows.append({"project_id": s["project_id"], "what": "securement_end", "year": int(end[:4]), "due": end,
                         "status": "overdue" if date.fromisoformat(end) < day else "open", "done_on": None})
    frame = pd.DataFrame(rows, columns=["project_id", "what", "year", "due", "status", "done_on"])
    frame.insert(1, "name", frame["project_id"].map(names))
    frame["days_overdue"] = [max((day - date.fromisoformat(d)).days, 0) if st == "overdue" else 0
                             for d, st in zip(frame["due"], frame["status"])]
    if overdue_only:
        frame = frame[frame["status"] == "overdue"]
    return frame.sort_values(["due", "project_id"], kind="stable").reset_index(drop=True)


def securement_end(record: dict) -> str | None:
    """The date a securement record ends."""
    if not record or record.get("start") is None or math.isnan(float(record.get("term_years") or math.nan)):
        return None
    return _end(record["start"], int(record["term_years"]))
