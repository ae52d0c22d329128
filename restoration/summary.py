"""A text summary of what a store holds (``restoration info`` and ``restoration demo``).

Chinese beside English, every vocabulary value as its label (never a raw code); rasters are the
ones the store has ingested (``raster_sources``), not whatever the sample folder holds.
"""
from __future__ import annotations

import pandas as pd

from .model import LAYERS, CaseClass, Role, Stage
from .store import Store


def _layer(name: str) -> str:
    spec = LAYERS.get(name)
    english = name.replace("_", " ")  # the English words, not the code
    return f"{spec.zh} {english}" if spec and spec.zh else english


def _counts(frame: pd.DataFrame, column: str, enum) -> str:
    by = frame[column].value_counts()
    known = [f"{e.label('zh')}/{e.label('en')} {by[e.value]}" for e in enum if e.value in by]
    other = [f"{v} {n}" for v, n in by.items() if v not in {e.value for e in enum}]
    return ", ".join(known + other)


def summary(store: Store) -> str:
    info = store.info()
    cases = store.read("cases")
    sites = store.read("sites")
    lines = [
        f"存储 store: {info['path']}  (schema v{info['schema_version']}, store version {info['store_version']})",
        "图层 layers: " + ", ".join(f"{_layer(k)} {v}" for k, v in info["layers"].items()),
    ]
    if not cases.empty:
        lines.append("案件阶段 cases by stage: " + _counts(cases, "stage", Stage))
        lines.append("案件类别 cases by class: " + _counts(cases, "case_class", CaseClass))
        total = cases["damage_amount_yuan"].sum(skipna=True)
        lines.append(f"损害数额合计 total damage: {total / 1e4:,.1f} 万元 ({total:,.0f} yuan)")
    if not sites.empty:
        area = sites.groupby("role")["area_ha"].sum()
        roles = {e.value: f"{e.label('zh')}/{e.label('en')}" for e in Role}
        lines.append("场地面积 site area by role: " + ", ".join(
            f"{roles.get(r, r)} {a:,.1f} ha ({a * 15:,.0f} 亩)" for r, a in area.items()))
    rasters = store.read("raster_sources") if "raster_sources" in info["layers"] else pd.DataFrame()
    for r in rasters.to_dict("records"):
        lines.append(f"遥感影像 rasters {r['indicator'].upper()}: {r['n_dates']} 期 dates, {str(r['first_date'])[:10]} .. "
                     f"{str(r['last_date'])[:10]} ({r['location']})")
    return "\n".join(lines)
