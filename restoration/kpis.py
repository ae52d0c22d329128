"""Key figures of a set of cases (the supervisor's overview), computed from the store.

The dashboards only format these numbers; the CLI and notebooks can use the same function.
Every figure is defined on an empty selection too (zeros and empty tables, never a missing key).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Iterable

import pandas as pd

from . import config
from .model import OPEN_STAGES, CaseClass
from .store import Store

#: progress statuses that count a site as on track / as lagging (``monitoring.progress``)
ON_TRACK = ("on_track", "achieved")
LAGGING = ("lagging", "at_risk")


@dataclass
class OverviewKpis:
    """What the overview shows for a selection of cases.

    Areas in hectares (each site counted once, by its worst indicator), money in yuan.
    ``by_stage`` counts open cases per stage in workflow order (every open stage, zeros included);
    ``by_class`` counts open cases per class in the vocabulary's order.
    """

    cases: int = 0
    open_cases: int = 0
    sites: int = 0
    monitored_sites: int = 0
    damage_yuan: float = 0.0
    overdue: int = 0
    #: of ``overdue``, those whose rule is advisory (a draft profile or an unverified value):
    #: counted apart, never passed off as a breach of binding rules
    overdue_advisory: int = 0
    overdue_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    on_track_ha: float = 0.0
    lagging_ha: float = 0.0
    funds: dict = field(default_factory=lambda: {"due": 0.0, "received": 0.0, "disbursed": 0.0})
    by_stage: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))
    by_class: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))
    #: cases whose deadlines could not be computed — their rule profile is not installed here
    #: (a store written by an older version, or in GDAL/QGIS): {case_id: profile name}
    not_computed: dict = field(default_factory=dict)
    #: open cases with a deadline that runs now but cannot be computed (a date is missing from
    #: their history — a register taken over mid-procedure): how many, and the deadlines with
    #: what each lacks (``missing``). "0 overdue" means little while this is not 0.
    not_computable: int = 0
    not_computable_table: pd.DataFrame = field(default_factory=pd.DataFrame)

    def __getitem__(self, key: str):  # dict-style access for pages written against the old dict
        return getattr(self, key)

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def overview(store: Store, case_ids: Iterable[str] | None = None, today: date | None = None) -> OverviewKpis:
    """Open cases, overdue deadlines, restoration area on track / lagging, damage and funds due /
    received / disbursed for ``case_ids`` (default: every case) as of ``today`` (default
    :func:`restoration.config.today`)."""
    from . import cases as case_api
    from . import monitoring
    from .cases.funds import summarise

    today = today or config.today()
    cases = store.read("cases", columns=["case_id", "stage", "case_class", "profile", "damage_amount_yuan"])
    ids = set(cases["case_id"]) if case_ids is None else set(case_ids)
    cases = cases[cases["case_id"].isin(ids)]
    open_codes = [s.value for s in OPEN_STAGES]
    open_cases = cases[cases["stage"].isin(open_codes)]

    overdue = case_api.overdue(store, today=today)
    problems = overdue.attrs.get("case_problems", {})
    gaps = overdue.attrs["not_computable"]
    gaps = gaps[gaps["case_id"].isin(ids)].reset_index(drop=True)
    overdue = overdue[overdue["case_id"].isin(ids)].reset_index(drop=True)
    profile_of = cases.set_index("case_id")["profile"]
    not_computed = {cid: str(profile_of.get(cid) or "") for cid in sorted(problems) if cid in ids}

    sites = store.read("sites")
    sites = sites[sites["case_id"].isin(ids)]
    progress = monitoring.progress_table(store, today=today)
    progress = progress[progress["case_id"].isin(ids)]
    area = sites.set_index("site_id")["area_ha"]
    known = progress[progress["status"].isin(ON_TRACK + LAGGING)]
    worst = known.assign(bad=known["status"].isin(LAGGING)).groupby("site_id")["bad"].max()
    lagging_ha = float(area.reindex(worst[worst].index).sum())
    on_track_ha = float(area.reindex(worst[~worst].index).sum())

    ledger = store.read("funds_ledger")
    due = received = disbursed = 0.0
    for case_id, rows in ledger[ledger["case_id"].isin(ids)].groupby("case_id"):
        summary = summarise(rows, today)
        due += summary.due_yuan or summary.scheduled_yuan
        received += summary.received_yuan
        disbursed += summary.disbursed_yuan

    by_stage = open_cases["stage"].value_counts().reindex(open_codes, fill_value=0).astype("int64")
    class_codes = [c.value for c in CaseClass]
    by_class = open_cases["case_class"].value_counts().reindex(class_codes, fill_value=0).astype("int64")
    return OverviewKpis(
        cases=len(cases), open_cases=len(open_cases), sites=len(sites),
        monitored_sites=int(progress["site_id"].nunique()),
        damage_yuan=float(pd.to_numeric(cases["damage_amount_yuan"], errors="coerce").sum(skipna=True)),
        overdue=int(len(overdue)), overdue_table=overdue,
        overdue_advisory=int(overdue["advisory"].notna().sum()) if "advisory" in overdue else 0, on_track_ha=on_track_ha, lagging_ha=lagging_ha,
        funds={"due": due, "received": received, "disbursed": disbursed},
        by_stage=by_stage, by_class=by_class, not_computed=not_computed,
        not_computable=int(gaps["case_id"].nunique()), not_computable_table=gaps,
    )


__all__ = ["OverviewKpis", "overview", "ON_TRACK", "LAGGING"]
