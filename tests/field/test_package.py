"""The exported package as QField meets it: the GeoPackage's layers (reference and the editable
inspections with the form's typed fields), the base snapshot, and the QGIS project parsed —
relative data sources, Chinese aliases and value maps, the attachment widget on each photo field."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pyogrio
import pytest

from restoration.field.form import FIELDS, PHOTO_FIELDS

CASE = "GX-2023-009"


@pytest.fixture
def package(gpkg_store, tmp_path, cli):
    out = tmp_path / "pkg"
    code, text, err = cli("--data", gpkg_store.data_dir, "field", "export", CASE, "--out", out)
    assert code == 0, err
    assert "field package exported" in text
    return gpkg_store, out


def test_the_geopackage_holds_the_cases_sites_and_an_empty_typed_inspections_layer(package):
    store, out = package
    layers = dict(pyogrio.list_layers(out / "inspection.gpkg"))
    assert layers["inspections"] == "Point" and {"sites", "counties", "watersheds"} <= set(layers)
    info = pyogrio.read_info(out / "inspection.gpkg", layer="inspections")
    assert info["features"] == 0 and list(info["fields"]) == [f.name for f in FIELDS]
    types = dict(zip(info["fields"], info["ogr_types"]))
    assert types["vegetation_cover_pct"] == "OFTReal" and types["erosion"] == "OFTInteger"
    sites = pyogrio.read_dataframe(out / "inspection.gpkg", layer="sites")
    assert sorted(sites["site_id"]) == sorted(store.read("sites", case_id=CASE)["site_id"])
    base = json.loads((out / "base.json").read_text(encoding="utf-8"))
    assert base["case_ids"] == [CASE] and set(base["sites"]) == set(sites["site_id"])
    assert base["store_id"] == store.read("field_store")["store_id"].iloc[0]
    assert store.get("field_packages", base["package_id"])["case_ids"] == [CASE]
    assert (out / "photos").is_dir()


def test_the_project_declares_forms_in_chinese_with_relative_sources(package):
    _, out = package
    root = ET.parse(out / "inspection.qgs").getroot()
    layers = {ml.findtext("datasource"): ml for ml in root.iter("maplayer")}
    assert all(src.startswith("./inspection.gpkg|layername=") for src in layers)
    assert root.find("properties/Paths/Absolute").text == "false"
    insp = layers["./inspection.gpkg|layername=inspections"]
    assert insp.findtext("layername") == "巡查记录" and insp.get("readOnly") == "0"
    aliases = {a.get("field"): a.get("name") for a in insp.iter("alias")}
    assert aliases["status"] == "巡查结论" and aliases["photo_1"] == "照片1"
    widgets = {f.get("name"): f.find("editWidget") for f in insp.find("fieldConfiguration")}
    status_map = {o.get("name"): o.get("value") for o in widgets["status"].iter("Option") if o.get("value")}
    assert status_map == {"正常": "normal", "发现问题": "problem", "需整改": "rectify", "已整改": "rectified"}
    site_map = {o.get("value") for o in widgets["site_id"].iter("Option") if o.get("value")}
    assert "S010" in site_map
    for name in PHOTO_FIELDS:
        assert widgets[name].get("type") == "ExternalResource"
        opts = {o.get("name"): o.get("value") for o in widgets[name].iter("Option")}
        assert opts["RelativeStorage"] == "1" and opts["DocumentViewer"] == "1"
    naming = json.loads({o.get("name"): o.get("value") for o in insp.find("customproperties").iter("Option")}
                        ["QFieldSync/attachment_naming"])
    assert set(naming) == set(PHOTO_FIELDS) and all(v.startswith("'photos/'") for v in naming.values())
    defaults = {d.get("field"): d.get("expression") for d in insp.iter("default")}
    assert defaults["uuid"] == "uuid()"
    counties = layers["./inspection.gpkg|layername=counties"]
    assert counties.get("readOnly") == "1" and "离线底图" in counties.findtext("layername")


def test_an_export_refuses_a_used_folder_and_an_unknown_case(gpkg_store, tmp_path, cli):
    data = gpkg_store.data_dir
    used = tmp_path / "used"
    used.mkdir()
    (used / "x.txt").write_text("x")
    code, _, err = cli("--data", data, "field", "export", CASE, "--out", used)
    assert code == 2 and "not an empty folder" in err
    code, _, err = cli("--data", data, "field", "export", "NO-SUCH", "--out", tmp_path / "p2")
    assert code == 2 and "NO-SUCH" in err
    assert not (tmp_path / "p2" / "base.json").exists() and gpkg_store.count("field_packages") == 0


def test_a_region_exports_its_cases(gpkg_store, tmp_path, cli):
    code, out, err = cli("--data", gpkg_store.data_dir, "field", "export", "--region", "石岭县", "--out",
                         tmp_path / "r")
    assert code == 0, err
    base = json.loads((tmp_path / "r" / "base.json").read_text(encoding="utf-8"))
    cases = gpkg_store.read("cases")
    assert sorted(base["case_ids"]) == sorted(cases.loc[cases["region"] == "石岭县", "case_id"])
