"""The command line as a Chinese user reads it: no raw code (snake_case vocabulary values,
``None``, ``nan``, field names) in the text output of the bank, the store summary and the
assessment; the names ``restoration import`` takes work for ``export`` too; a store without
watersheds says so once; the store summary reports the store's own rasters; progress bars never
write carriage returns into a log; the dashboard server starts without a static-folder warning."""
from __future__ import annotations

import io
import re
import sys

import pytest

from restoration import model
from restoration.vocab import Labelled
from restoration.progress import bar_wanted
from restoration.serve import streamlit_command

from ..conftest import run_cli as run
from ..province import CASE, province_store_dir

#: every vocabulary code with an underscore (karst_grassland, under_construction, awaiting_match ...)
CODES = sorted({e.value for enum in vars(model).values() if isinstance(enum, type) and issubclass(enum, Labelled)
                for e in enum if "_" in e.value} | {"fish_fry", "bank_projects", "case_events"})


def raw_codes(text: str) -> list[str]:
    found = [c for c in CODES if re.search(rf"(?<![A-Za-z_]){re.escape(c)}(?![A-Za-z_])", text)]
    found += [w for w in ("None", "nan", "NaN") if re.search(rf"\b{w}\b", text)]
    return found


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    root = tmp_path_factory.mktemp("province-cli")
    return str(province_store_dir(root / "data", root / "inputs"))


def test_bank_and_summary_text_show_labels_not_codes(store, capsys):
    data = str(store.data_dir)
    outputs = {}
    for argv in (["bank", "list"], ["bank", "show", "BP03"], ["bank", "show", "BP19"], ["bank", "show", "BP20"],
                 ["bank", "obligation", "GX-2023-015"], ["bank", "ledger"], ["bank", "escrow", "list"],
                 ["bank", "rank", "GX-2023-015"], ["info"], ["case", "assessment"]):
        code, out, err = run(["--data", data, "--today", "2026-11-20", *argv], capsys)
        assert code == 0, (argv, err)
        outputs[" ".join(argv)] = out
    for what, out in outputs.items():
        assert not raw_codes(out), (what, raw_codes(out), out[:600])
    listed = outputs["bank list"]
    assert "BP02 | 青岚县石漠化综合治理项目 | 岩溶草地 | 运行中 | 180 公顷" in listed
    assert "BP07 | 云潭县河岸带生态修复项目 | 河岸缓冲带 | 已批准" in listed
    assert "尾（鱼苗）" in outputs["bank show BP20"] and "吨二氧化碳当量" in outputs["bank show BP19"]
    assert "外部 external: " in outputs["bank show BP19"]       # an allocation for a case outside the store
    assert "待匹配 awaiting match" in outputs["bank escrow list"] and "万元" in outputs["bank escrow list"]
    assert "2 公顷 已预留" in outputs["bank obligation GX-2023-015"]
    info = outputs["info"]
    assert "替代修复项目库 bank projects 20" in info and "修复/restoration 3" in info
    assert "受损区域/damaged site" in info
    header = outputs["case assessment"].splitlines()[1]
    assert "新增案件线索" in header and "cases_opened" not in header
    code, out, _ = run(["--data", data, "--today", "2026-11-20", "case", "assessment", "--lang", "en"], capsys)
    assert "cases opened" in out and "cases_opened" not in out


def test_export_takes_the_import_names(store, tmp_path, capsys):
    import geopandas as gpd
    out = tmp_path / "bank.gpkg"
    code, text, err = run(["--data", str(store.data_dir), "export", "bank", "--out", str(out)], capsys)
    assert code == 0, err
    assert "20 rows of bank_projects" in text
    assert len(gpd.read_file(out)) == 20
    code, _, err = run(["--data", str(store.data_dir), "export", "nonsense", "--out", str(out)], capsys)
    assert code == 2 and "unknown layer" in err


def test_rank_without_watersheds_says_so_once(province, monkeypatch, capsys):
    monkeypatch.delenv("RESTORATION_DB", raising=False)
    code, out, _ = run(["--data", province, "bank", "rank", CASE], capsys)
    assert code == 0
    assert out.count("无流域图层") == 1 and out.count("no watershed layer") == 1
    assert "not the same watershed" not in out and "非同流域" not in out
    assert "推算情景（非鉴定结论）derived placeholder" in out and "scenario: derived" not in out
    assert not raw_codes(out), raw_codes(out)


def test_demo_summary_reports_the_stores_own_rasters(province, monkeypatch, capsys):
    monkeypatch.delenv("RESTORATION_DB", raising=False)
    code, out, _ = run(["--data", province, "demo", "--no-serve"], capsys)
    assert code == 0
    assert "NDVI" not in out and "ndvi" not in out   # an own store with no rasters: none reported
    assert "县区 counties 111" in out and not raw_codes(out)


def test_summary_names_the_ingested_rasters(store, capsys):
    code, out, _ = run(["--data", str(store.data_dir), "info"], capsys)
    assert code == 0 and "遥感影像 rasters NDVI: 24 期 dates, 2024-11-15 .. 2026-10-15" in out


def test_progress_bars_only_where_someone_watches(monkeypatch, tmp_path, processes):
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert not bar_wanted(True)                      # a log file, a pipe
    tty = io.StringIO()
    tty.isatty = lambda: True
    monkeypatch.setattr(sys, "stderr", tty)
    assert bar_wanted(True) and not bar_wanted(False)
    monkeypatch.undo()
    # a real run with stderr into a pipe: its log has no carriage-return redraws
    done = processes.cli("-v", "sample", "build", "--out", tmp_path / "s", "--dates", "3", "--raster-size", "40",
                         timeout=300)
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stderr and "NDVI rasters" not in done.stderr


def test_streamlit_finds_its_static_folder(tmp_path):
    app = tmp_path / "app" / "app.py"
    app.parent.mkdir()
    app.write_text("")
    command = streamlit_command(app, 8501)
    assert "--server.enableStaticServing" in command and (app.parent / "static").is_dir()
