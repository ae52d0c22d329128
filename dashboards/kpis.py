"""Numbers for the KPI cards, computed through ``restoration``'s API.

``overview_numbers`` takes the store first, so pages call it through ``data.overview_numbers`` and it is
recomputed only when the store changes.
"""
from __future__ import annotations

from datetime import date


from restoration import cases as case_api
from restoration import monitoring
from restoration.model import OPEN_STAGES
from restoration.store import Store

ON_TRACK = ("on_track", "achieved")
LAGGING = ("lagging", "at_risk")


def overview_numbers(store: Store, case_ids: tuple[str, ...], today: date) -> dict:
    """Open cases, overdue deadlines, restoration area on track / lagging (ha, each site once,
    by its worst indicator), funds due / received / disbursed (yuan) for ``case_ids``."""
    ids = set(case_ids)
    cases = store.read("cases")
    cases = cases[cases["case_id"].isin(ids)]
    open_ids = set(cases.loc[cases["stage"].isin([s.value for s in OPEN_STAGES]), "case_id"])
    overdue = case_api.overdue(store, today=today)
    overdue = overdue[overdue["case_id"].isin(ids)]

    progress = monitoring.progress_table(store, today=today)
    progress = progress[progress["case_id"].isin(ids)]
    area = store.read("sites").set_index("site_id")["area_ha"]
    worst = progress.assign(bad=progress["status"].isin(LAGGING)).groupby("site_id")["bad"].max()
    known = progress[progress["status"].isin(ON_TRACK + LAGGING)]["site_id"].unique()
    worst = worst.reindex(known)
    lagging_ha = float(area.reindex(worst[worst].index).sum())
    on_track_ha = float(area.reindex(worst[~worst].index).sum())

    due = received = disbursed = 0.0
    for case_id in sorted(ids):
        summary = case_api.ledger(store, case_id, today=today)["summary"]
        due += summary.due_yuan or summary.scheduled_yuan
        received += summary.received_yuan
        disbursed += summary.disbursed_yuan
    return {
        "open_cases": len(open_ids), "damage_yuan": float(cases["damage_amount_yuan"].sum(skipna=True)),
        "overdue": int(len(overdue)), "overdue_table": overdue,
        "on_track_ha": on_track_ha, "lagging_ha": lagging_ha,
        "funds": {"due": due, "received": received, "disbursed": disbursed},
    }
