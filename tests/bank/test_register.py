"""The bank's public register: allow-listed columns, allocations by public case number and title
only, search, and the export (GeoPackage + CSV + JSON schema) that GDAL opens — with the privacy
corpus in every free-text field of the bank and the cases, none of it in the register."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from restoration.bank import record_milestone, reserve, set_schedule, set_securement
from restoration.bank.register import COLUMNS, export_register, public_register, search

from ..conftest import run_cli as run

_spec = importlib.util.spec_from_file_location("privacy_corpus", Path(__file__).parents[1] / "privacy_corpus.py")
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)


def _poison_bank(store, folder: Path) -> None:
    """The corpus in every free text of the bank: names, operators, notes, evidence, documents,
    securement instruments, external case references."""
    text = "；".join(corpus.CORPUS)
    set_schedule(store, "BP13", ["0.25:secured", "0.75:construction_accepted"])
    doc = folder / "合同_联系人张三_13912345678.pdf"
    doc.write_bytes(b"%PDF-1.4")
    record_milestone(store, "BP13", "secured", "2020-01-10", evidence=f"合同 {text}"[:1900], document=doc,
                     public=True)
    set_securement(store, "BP13", instrument="土地流转合同（王女士 139-1234-5678）", term_years=30, start="2017-03-01",
                   document="45010219900307123X", public=True)
    reserve(store, "BP13", "GX-2022-010", 10.0, note=text[:500])
    reserve(store, "BP09", None, 1.0, external_ref="张三 13912345678")
    with store.transaction("privacy-test") as tx:
        for pid in store.keys("bank_projects"):
            tx.update("bank_projects", pid, {"name": f"张三林场 {text[:200]}", "operator": f"李四 {text[:200]}"})


def test_register_never_holds_personal_data(store, tmp_path):
    corpus.poison(store)
    _poison_bank(store, tmp_path)
    staff = pd.DataFrame(store.read("bank_projects").drop(columns="geometry")).to_json(force_ascii=False)
    assert "13912345678" in staff and "张三" in staff  # the corpus is really in the store
    register = public_register(store)
    assert set(register.columns) == set(COLUMNS) | {"geometry"}
    (tmp_path / "out").mkdir()
    paths = export_register(store, tmp_path / "out")
    assert [p.name for p in paths] == ["bank_register.gpkg", "bank_register.csv", "bank_register.schema.json"]
    published = (pd.DataFrame(register.drop(columns="geometry")).to_json(force_ascii=False)
                 + "".join(p.read_text(encoding="utf-8") for p in paths[1:]))
    gdal = pyogrio.read_dataframe(paths[0])  # GDAL opens it (as QGIS does)
    published += pd.DataFrame(gdal.drop(columns="geometry")).to_json(force_ascii=False)
    leaks = [n for n in corpus.needles() if n in published]
    assert not leaks, leaks
    assert len(gdal) == len(register) == len(store.read("bank_projects"))
    assert gdal.crs.to_epsg() == 4326 and gdal.geometry.is_valid.all()
    row = register.set_index("project_id").loc["BP13"]
    assert row["name"] == "桂源县森林替代修复项目" and row["released"] == pytest.approx(37.5)
    assert [t["state"] for t in json.loads(row["tranches"])] == ["released", "pending"]
    allocs = json.loads(row["allocations"])
    assert {a["amount"] for a in allocs} >= {10.0}
    assert all(set(a) == {"case", "title", "title_en", "amount", "unit", "state"} for a in allocs)
    assert json.loads(row["securement"])["end"] == "2047-03-01"
    external = json.loads(register.set_index("project_id").loc["BP09", "allocations"])
    assert external == [{"case": None, "title": "本登记簿以外案件", "title_en": "case outside this register",
                         "amount": 1.0, "unit": "ha", "state": "reserved"}]


def test_allocations_by_public_case_number_and_title(gpkg_store):
    disclosed = gpkg_store.read("cases", disclosed=1)["case_id"].tolist()
    hidden = gpkg_store.read("cases", disclosed=0)["case_id"].tolist()
    reg = public_register(gpkg_store).set_index("project_id")
    shown = [a for cell in reg["allocations"] for a in json.loads(cell)]
    assert shown and {a["case"] for a in shown if a["case"]} <= set(disclosed)
    assert not {a["case"] for a in shown} & set(hidden)
    assert all(a["title"].endswith("赔偿案") or a["title"] in ("未公开案件", "本登记簿以外案件") for a in shown)


def test_search_by_county_ecosystem_and_remaining(gpkg_store):
    reg = public_register(gpkg_store)
    forest = search(reg, ecosystem="forest")
    assert len(forest) and (forest["ecosystem_type"] == "forest").all()
    county = search(reg, county="桂源县", min_remaining=40)
    assert len(county) and (county["county"] == "桂源县").all() and (county["remaining_released"] >= 40).all()
    assert search(reg, county="不存在县").empty


def test_cli_register_export_and_bad_folder(gpkg_store, capsys, tmp_path):
    data = str(gpkg_store.data_dir)
    code, out, _ = run(["--data", data, "bank", "register", "--out", tmp_path], capsys)
    assert code == 0 and "bank_register.gpkg" in out
    schema = json.loads((tmp_path / "bank_register.schema.json").read_text(encoding="utf-8"))
    assert set(schema["properties"]) == set(COLUMNS) | {"wkt"}
    csv = pd.read_csv(tmp_path / "bank_register.csv")
    assert set(schema["properties"]) == set(csv.columns)
    code, _, err = run(["--data", data, "bank", "register", "--out", tmp_path / "missing"], capsys)
    assert code == 2


def test_register_of_an_empty_store(empty_store, tmp_path):
    reg = public_register(empty_store)
    assert reg.empty and set(reg.columns) == set(COLUMNS) | {"geometry"}
    export_register(empty_store, tmp_path)
    assert pyogrio.read_info(tmp_path / "bank_register.gpkg")["features"] == 0
