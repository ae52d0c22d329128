"""A text summary of what a store holds (``restoration info`` and ``restoration demo``)."""
from __future__ import annotations

from pathlib import Path

from .model import CaseClass, Stage
from .store import Store


def summary(store: Store, rasters: Path | None = None) -> str:
    info = store.info()
    cases = store.read("cases")
    sites = store.read("sites")
    lines = [
        f"存储 store: {info['path']}  (schema v{info['schema_version']}, store version {info['store_version']})",
        "图层 layers: " + ", ".join(f"{k} {v}" for k, v in info["layers"].items()),
    ]
    if not cases.empty:
        by_stage = cases["stage"].value_counts()
        lines.append("案件阶段 cases by stage: " + ", ".join(
            f"{Stage(s).zh}/{s} {by_stage[s]}" for s in Stage if s in by_stage))
        by_class = cases["case_class"].value_counts()
        lines.append("案件类别 cases by class: " + ", ".join(
            f"{CaseClass(c).zh}/{c} {by_class[c]}" for c in CaseClass if c in by_class))
        total = cases["damage_amount_yuan"].sum(skipna=True)
        lines.append(f"损害数额合计 total damage: {total / 1e4:,.1f} 万元 ({total:,.0f} yuan)")
    if not sites.empty:
        area = sites.groupby("role")["area_ha"].sum()
        lines.append("场地面积 site area by role: " + ", ".join(
            f"{r} {a:,.1f} ha ({a * 15:,.0f} 亩)" for r, a in area.items()))
    if rasters is not None and rasters.exists():
        tifs = sorted(rasters.glob("*.tif"))
        if tifs:
            lines.append(f"NDVI 栅格 rasters: {len(tifs)} dates, {tifs[0].stem[5:]} .. {tifs[-1].stem[5:]} in {rasters}")
    return "\n".join(lines)
