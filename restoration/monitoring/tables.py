"""Field and sensor tables (CSV / Excel) → validated ``monitoring_series`` rows.

Two layouts are read:

* **long** — one value per row: ``site_id, indicator, time, value, unit[, source, qc_flag]``;
* **wide** — one sample per row: ``site_id, time[, source]`` and one column per indicator, its
  unit in the header (``cod (mg/L)``, ``nh3_n [mg/L]``) or the indicator's standard unit.

Column names may also be the usual Chinese ones (场地编号, 监测指标, 采样时间, 监测值, 单位, 来源).
Every row is checked before anything is written: the indicator is known
(:mod:`.indicators`), the unit is one it accepts (values are converted to the standard unit,
e.g. μg/L → mg/L), the value lies in its plausible range, the date parses, the site exists, and
the same (site, indicator, time, source) is not given twice nor already stored (unless
``replace``). A bad row is reported with its line number (CSV: the file's line, header = 1;
Excel: the sheet's row) and nothing is imported.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import io
from ..errors import InputError, Issue
from ..store import Store, Transaction
from ..validate import validate_frame
from .indicators import INDICATORS, canonical_code
from .series import KEY, refuse_existing, write_series, writing

COLUMN_ALIASES = {
    "site": "site_id", "site id": "site_id", "场地编号": "site_id", "点位编号": "site_id", "样地编号": "site_id",
    "date": "time", "datetime": "time", "sample_date": "time", "sampling_time": "time", "采样时间": "time",
    "采样日期": "time", "监测时间": "time", "监测日期": "time",
    "parameter": "indicator", "监测指标": "indicator", "指标": "indicator",
    "result": "value", "监测值": "value", "测定值": "value", "数值": "value",
    "单位": "unit", "来源": "source", "数据来源": "source", "质控标记": "qc_flag", "qc": "qc_flag",
}
_HEADER_UNIT = re.compile(r"^\s*(.+?)\s*[\(\[（【]\s*(.*?)\s*[\)\]）】]\s*$")
_ID_COLUMNS = {"site_id", "time", "source", "qc_flag"}
MONITORING_FIELDS = ("site_id", "indicator", "time", "value", "unit", "source", "qc_flag")


@dataclass
class TableIngestReport:
    source: str
    rows: int
    replaced: int = 0
    sites: int = 0
    indicators: list[str] = field(default_factory=list)
    converted: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # columns mapped / ignored, text encoding

    def summary(self) -> str:
        conv = "; ".join(f"{k} → {v}" for k, v in self.converted.items())
        return (f"{self.rows} values of {', '.join(self.indicators)} for {self.sites} sites from {self.source}"
                + (f"; replaced {self.replaced}" if self.replaced else "") + (f"; converted {conv}" if conv else ""))


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str) and not v.strip())


def read_table(path: str | Path, mapping: dict[str, str] | None = None,
               notes: list[str] | None = None) -> tuple[pd.DataFrame, np.ndarray, str, str]:
    """Read a long or wide table into long form; returns (frame, file line of each row,
    row label, file name). ``mapping`` ({field or indicator code: file column}) names columns;
    columns that are neither fields nor indicators are ignored and listed in ``notes``."""
    frame = io.read_input(path, spatial=False)
    if isinstance(frame, gpd.GeoDataFrame):
        frame = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    source = frame.attrs.get("source", Path(path).name)
    start, label = int(frame.attrs.get("row_start", 2)), frame.attrs.get("row_label", "line")
    notes = notes if notes is not None else []
    notes.extend(frame.attrs.get("notices") or [])
    frame = frame.reset_index(drop=True)
    if mapping:
        columns = [str(c) for c in frame.columns]
        missing = [f"{k}={v}" for k, v in mapping.items() if v not in columns]
        if missing:
            raise InputError(Issue(f"--map {', '.join(missing)}: the file has no such column; its columns: "
                                   f"{', '.join(columns[:40])}", source=source, field="--map"))
        frame = frame.rename(columns={v: k for k, v in mapping.items()})
        notes.append("列映射 mapped columns: " + ", ".join(f"{v} → {k}" for k, v in mapping.items()))
    frame.columns = [COLUMN_ALIASES.get(str(c).strip().lower(), COLUMN_ALIASES.get(str(c).strip(),
                     str(c).strip())) for c in frame.columns]
    lines = np.arange(len(frame)) + start
    if "indicator" in frame.columns or "value" in frame.columns:
        return frame, lines, label, source
    # wide: one column per indicator
    ind_cols: dict[str, tuple[str, str | None]] = {}
    other = []
    for c in frame.columns:
        if c in _ID_COLUMNS:
            continue
        m = _HEADER_UNIT.match(c)
        name, unit = (m.group(1), m.group(2)) if m else (c, None)
        code = canonical_code(name)
        if code is None:
            other.append(c)
        else:
            ind_cols[c] = (code, unit)
    if not ind_cols:
        raise InputError(Issue(f"columns {', '.join(repr(c) for c in frame.columns)}: no 'indicator' and "
                               "'value' columns and no column named after a known indicator "
                               f"({', '.join(sorted(INDICATORS)[:8])} ...)", source=source))
    if other:  # remarks, sampler names ...: not refused, but the user is told they were not read
        notes.append(f"已忽略的列 ignored columns (not an indicator nor one of {', '.join(sorted(_ID_COLUMNS))}): "
                     f"{', '.join(map(str, other))}")
    pieces, piece_lines = [], []
    for col, (code, unit) in ind_cols.items():
        present = ~frame[col].map(_blank).to_numpy(dtype=bool)
        part = frame.loc[present, [c for c in frame.columns if c in _ID_COLUMNS]].copy()
        part["indicator"] = code
        part["value"] = frame.loc[present, col].to_numpy()
        part["unit"] = unit if unit else INDICATORS[code].unit
        pieces.append(part)
        piece_lines.append(lines[present])
    long = pd.concat(pieces, ignore_index=True)
    long_lines = np.concatenate(piece_lines)
    order = np.argsort(long_lines, kind="stable")
    return long.iloc[order].reset_index(drop=True), long_lines[order], label, source


def _domain_checks(frame: pd.DataFrame, lines: np.ndarray, source: str, label: str
                   ) -> tuple[list[Issue], np.ndarray, list[str], dict[str, str]]:
    """Indicator, unit and plausible-range checks; returns issues, canonical values, codes and
    the unit conversions made."""
    issues: list[Issue] = []
    n = len(frame)
    codes = [None] * n
    values = pd.to_numeric(frame["value"], errors="coerce").to_numpy(dtype=float) if "value" in frame else np.full(n, np.nan)
    out = values.copy()
    converted: dict[str, str] = {}
    units = frame["unit"] if "unit" in frame else pd.Series([None] * n)
    for pos in range(n):
        raw = frame["indicator"].iloc[pos] if "indicator" in frame else None
        if _blank(raw):
            continue  # reported as a required field by validate_frame
        code = canonical_code(str(raw))
        if code is None:
            issues.append(Issue(f"unknown indicator '{raw}'; known: {', '.join(sorted(INDICATORS))}",
                                source=source, row=int(lines[pos]), field="indicator", row_label=label))
            continue
        codes[pos] = code
        ind = INDICATORS[code]
        unit = units.iloc[pos]
        factor = ind.factor(None if _blank(unit) else str(unit))
        if factor is None:
            accepted = sorted({ind.unit, *ind.units})
            issues.append(Issue(f"unit '{unit}' is not a unit of {code} (use {', '.join(accepted)})",
                                source=source, row=int(lines[pos]), field="unit", row_label=label))
            continue
        if factor != 1.0 and not _blank(unit):
            converted[f"{code} {unit}"] = f"{ind.unit} (×{factor:g})"
        if np.isnan(values[pos]):
            continue  # not a number: reported by validate_frame
        out[pos] = values[pos] * factor
        if not ind.low <= out[pos] <= ind.high:
            issues.append(Issue(f"{values[pos]:g} {unit or ind.unit} is outside the plausible range of "
                                f"{code} ({ind.low:g}..{ind.high:g} {ind.unit})", source=source,
                                row=int(lines[pos]), field="value", row_label=label))
    return issues, out, codes, converted


def _duplicates(frame: pd.DataFrame, lines: np.ndarray, source: str, label: str) -> list[Issue]:
    """Rows repeating an earlier row's (site, indicator, time, source)."""
    if not set(KEY) <= set(frame.columns):
        return []
    times = pd.to_datetime(frame["time"], errors="coerce", format="mixed")
    keys = pd.DataFrame({"site_id": frame["site_id"].astype(str).str.strip(), "indicator": frame["indicator"],
                         "time": times, "source": frame["source"]})
    usable = times.notna().to_numpy()
    dup = keys.duplicated(keep=False).to_numpy() & usable
    first: dict[tuple, int] = {}
    issues = []
    for pos in np.flatnonzero(dup):
        k = tuple(keys.iloc[pos])
        if k in first:
            issues.append(Issue(f"the same site, indicator, time and source as {label} {first[k]}",
                                source=source, row=int(lines[pos]), field="time", row_label=label))
        else:
            first[k] = int(lines[pos])
    return issues


def ingest_table(store: Store | Transaction, path: str | Path, *, source: str | None = None,
                 replace: bool = False, actor: str = "cli", progress: bool = False,
                 mapping: dict[str, str] | None = None, check: bool = False) -> TableIngestReport:
    """Import a field/sensor table into ``monitoring_series``; all rows or none (see module doc).

    ``source`` fills the ``source`` column where the file has none (default ``field``);
    ``mapping`` ({field or indicator code: file column}) names the file's columns; ``check=True``
    validates everything and writes nothing.
    """
    notes: list[str] = []
    frame, lines, label, name = read_table(path, mapping, notes)
    extra = [c for c in frame.columns if c not in MONITORING_FIELDS]
    if extra:
        notes.append(f"已忽略的列 ignored columns: {', '.join(map(str, extra))}")
        frame = frame.drop(columns=extra)
    if "source" not in frame.columns:
        frame["source"] = source or "field"
    elif source:
        frame["source"] = frame["source"].where(~frame["source"].map(_blank), source)
    if "qc_flag" not in frame.columns:
        frame["qc_flag"] = "ok"
    issues, values, codes, converted = _domain_checks(frame, lines, name, label)
    candidate = frame.copy()
    candidate.attrs.update(source=name, row_start=0, row_label=label)
    candidate["indicator"] = [c if c is not None else frame["indicator"].iloc[i] if "indicator" in frame
                              else None for i, c in enumerate(codes)]
    if "value" in candidate:
        candidate["value"] = np.where(np.isnan(values), candidate["value"], values)
    if "unit" in candidate:
        candidate["unit"] = [INDICATORS[c].unit if c is not None else u for c, u in zip(codes, candidate["unit"])]
    clean = None
    try:
        clean = validate_frame("monitoring_series", candidate, source=name).frame
    except InputError as exc:
        for i in exc.issues:  # validate_frame counted rows from 0: give the file's line
            row = int(lines[i.row]) if i.row is not None and 0 <= i.row < len(lines) else None
            issues.append(Issue(i.message, source=name, row=row, field=i.field, row_label=label))
    with writing(store, actor, site_ids=None if clean is None else clean["site_id"].unique()) as tx:
        known = tx.keys("sites")
        site_col = frame["site_id"] if "site_id" in frame else pd.Series([None] * len(frame))
        for pos, sid in enumerate(site_col):
            if not _blank(sid) and str(sid).strip() not in known:
                issues.append(Issue(f"site '{sid}' does not exist; import the site first", source=name,
                                    row=int(lines[pos]), field="site_id", row_label=label))
        issues.extend(_duplicates(candidate, lines, name, label))
        if clean is not None and not replace and not issues:
            issues.extend(refuse_existing(tx, clean, list(lines), name, label))
        if issues:
            issues.sort(key=lambda i: (i.row or 0, i.field or ""))
            raise InputError(issues)
        if check:  # --check: every row validated against the store, nothing written
            rows, replaced = len(clean), 0
        else:
            rows, replaced = write_series(tx, clean, replace=replace, action=f"import {name}", progress=progress)
    return TableIngestReport(name, rows, replaced, int(clean["site_id"].nunique()),
                             sorted(set(clean["indicator"])), converted, notes)
