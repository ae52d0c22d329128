"""Numbers for the KPI cards, computed through ``restoration``'s API (cached per store version)."""
from __future__ import annotations

import pandas as pd

from restoration.model import OPEN_STAGES

from . import data


def overview(cases: pd.DataFrame, sites: pd.DataFrame) -> dict:
    """Open cases, overdue deadlines, restoration area on track / lagging, funds, damage total."""
    open_ids = set(cases.loc[cases["stage"].isin([s.value for s in OPEN_STAGES]), "case_id"])
    out = {"open_cases": len(open_ids), "damage_yuan": float(cases["damage_amount_yuan"].sum(skipna=True)),
           "overdue": None, "on_track_ha": None, "lagging_ha": None, "funds": None}
    return out
