"""The exported project opened by QGIS itself (PyQGIS headless, ``tests/field/qgis_open.py``)
after the field has added an inspection through GDAL: the project reads, every layer is valid
and reads the package's own GeoPackage, the inspection is there, and the form QGIS builds has a
Chinese label on every field, Chinese value maps and the attachment widget storing relative paths.

Runs where QGIS's Python is installed (Debian ``python3-qgis``, which ``.ci/run`` installs); the
parse-based checks of ``test_package.py`` run everywhere."""
from __future__ import annotations

import json
import os
import re
from datetime import date
from pathlib import Path

import pytest

from restoration.field.form import FIELDS, PHOTO_FIELDS

from . import play

CASE = "GX-2023-009"
SYSTEM_PYTHON = "/usr/bin/python3"
HAS_QGIS = Path("/usr/lib/python3/dist-packages/qgis/core/__init__.py").exists() and Path(SYSTEM_PYTHON).exists()
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.skipif(not HAS_QGIS, reason="QGIS's Python (python3-qgis) is not installed here")
def test_qgis_opens_the_project_and_shows_chinese_forms(gpkg_store, tmp_path, cli, processes):
    pkg = tmp_path / "pkg"
    code, _, err = cli("--data", gpkg_store.data_dir, "field", "export", CASE, "--out", pkg)
    assert code == 0, err
    lon, lat = play.site_centre(pkg, "S010")
    day = date(2026, 11, 18)
    play.add_inspections(pkg, [{"case_id": CASE, "site_id": "S010", "inspection_date": day, "point": (lon, lat),
                                "photos": [play.jpeg(lon, lat, play.noon(day))]}])
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(tmp_path)}
    run = processes.run([SYSTEM_PYTHON, str(Path(__file__).with_name("qgis_open.py")), str(pkg / "inspection.qgs")],
                         capture_output=True, text=True, env=env, timeout=180)
    assert run.returncode == 0, run.stderr[-2000:]
    seen = json.loads(run.stdout)
    assert seen["read"] and CJK.search(seen["title"])
    layers = seen["layers"]
    assert {"巡查记录", "案件场地"} <= set(layers)
    for name, layer in layers.items():
        assert layer["valid"] and layer["provider"] == "ogr", name
        assert Path(layer["source"].split("|")[0]).resolve() == (pkg / "inspection.gpkg").resolve(), name
    assert layers["案件场地"]["features"] == 5 and layers["巡查记录"]["features"] == 1
    insp = layers["巡查记录"]
    for f in FIELDS:
        assert CJK.search(insp["aliases"][f.name]), f"{f.name} has no Chinese label: {insp['aliases'][f.name]!r}"
    kind, config = insp["widgets"]["status"]
    assert kind == "ValueMap"
    status = {k: v for pair in config["map"] for k, v in pair.items()}
    assert status and all(CJK.search(label) for label in status) and "normal" in status.values()
    sites = {k: v for pair in insp["widgets"]["site_id"][1]["map"] for k, v in pair.items()}
    assert sites["盗伐林地（S010）"] == "S010"
    for name in PHOTO_FIELDS:
        kind, config = insp["widgets"][name]
        assert kind == "ExternalResource" and config["RelativeStorage"] == 1, (name, config)
