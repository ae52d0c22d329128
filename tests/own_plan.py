"""A user's own store with a monitoring plan, built as the user builds it (for the monitoring and
dashboard tests): an empty store, counties, cases and sites imported from files (``tests/stores.py``),
then a Chinese-headed targets file (``restoration import targets``) and a field table
(``restoration monitor ingest-table``), all through the CLI. The statuses each target must get are
worked out by hand below."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .conftest import run_cli
from .stores import imported_inputs

TODAY = "2026-11-20"
# decimal years (mid-day of the day of year over 365.25-day years, restoration.monitoring.plan):
# 2024-01-01 → 2024.00137, 2028-01-01 → 2028.00137, 2026-11-20 (day 324) → 2026.88569
NOW = 2026 + (324 - 0.5) / 365.25
LINEAR = (NOW - (2024 + 0.5 / 365.25)) / 4  # planned progress of a 2024-01-01 → 2028-01-01 line: 0.7211

PLAN = """场地编号,监测指标,单位,目标方向,基线值,目标值,基线日期,目标日期,计划轨迹
IM019,植被覆盖度,%,越高越好,20,80,2024-01-01,2028-01-01,
IM020,植被覆盖度,%,越高越好,20,80,2024-01-01,2028-01-01,
IM039,植被覆盖度,%,越高越好,20,80,2024-01-01,2028-01-01,
IM040,植被覆盖度,%,越高越好,20,80,2024-01-01,2028-01-01,
IM018,植被覆盖度,%,越高越好,20,80,2024-01-01,2028-01-01,
IM016,化学需氧量,μg/L,越低越好,40000,20000,2024-01-01,2026-06-01,
IM017,NDVI,1,越高越好,0.2,0.7,2024-01-01,2028-01-01,2024:0.2; 2026:0.6; 2028:0.7
"""
FIELD = """场地编号,监测指标,采样时间,监测值,单位
IM019,vegetation_cover,2025-06-01,45,%
IM019,vegetation_cover,2026-11-01,66,%
IM020,vegetation_cover,2026-11-01,40,%
IM039,vegetation_cover,2026-11-01,55,%
IM040,vegetation_cover,2026-11-01,85,%
IM016,cod,2026-11-01,35,mg/L
IM017,ndvi,2026-11-01,0.55,1
"""
# by hand, as of 2026-11-20 (progress = (current − baseline) / (target − baseline)):
#   IM019 (66 %):   0.767 vs planned 0.721 → on track
#   IM020 (40 %):   0.333, shortfall 0.388 → at risk
#   IM039 (55 %):   0.583, shortfall 0.138 → lagging
#   IM040 (85 %):   above the target → achieved
#   IM018:          no observation → no data
#   IM016 (COD 35 mg/L, plan 40 → 20 mg/L given in μg/L, due 2026-06-01): 0.25, past due → at risk
#   IM017 (NDVI 0.55, plan 0.2 → 0.6 in 2026 → 0.7 in 2028): planned 0.644 = 0.889 of the way,
#         progress 0.7, shortfall 0.189 → lagging
EXPECTED = {"IM019": "on_track", "IM020": "at_risk", "IM039": "lagging", "IM040": "achieved", "IM018": "no_data",
            "IM016": "at_risk", "IM017": "lagging"}
BEHIND = {"IM016", "IM017", "IM020", "IM039"}


def build_own_plan(store, folder: Path, capsys) -> dict[str, str]:
    """Import everything into ``store`` (empty) through the CLI as docs/import.md says; returns
    each site's case id."""
    files = imported_inputs(folder / "inputs")
    (folder / "计划.csv").write_text(PLAN, encoding="utf-8")
    (folder / "现场监测.csv").write_text(FIELD, encoding="utf-8")
    steps = [["import", layer, files[layer]] for layer in ("counties", "watersheds", "cases", "sites")]
    steps += [["import", "targets", folder / "计划.csv"], ["monitor", "ingest-table", folder / "现场监测.csv"]]
    for step in steps:
        code, out, err = run_cli(["--data", store.data_dir, "--today", TODAY, *step], capsys)
        assert code == 0, (step, out, err)
    cases = pd.read_csv(files["cases"])["case_id"].tolist()
    # site IMk belongs to the (k − 1) % 10-th case of the file (tests/stores.py)
    return {f"IM{k:03d}": cases[(k - 1) % len(cases)] for k in range(1, 51)}
