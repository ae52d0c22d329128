"""The CLI: every bad input exits 2 with file/row/field and leaves the store untouched."""
from __future__ import annotations

import json
import os

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely


from ..conftest import run_cli as run, store_fingerprint


@pytest.fixture
def data(store):
    return str(store.data_dir)


def _write_sites(path, geoms, crs=4326, **cols):
    n = len(geoms)
    frame = {"site_id": [f"N{i}" for i in range(n)], "role": ["reference"] * n,
             "ecosystem_type": ["forest"] * n, "name": ["x"] * n}
    frame.update(cols)
    gdf = gpd.GeoDataFrame(frame, geometry=list(geoms), crs=crs)
    if path.suffix == ".csv":
        gdf.assign(wkt=gdf.geometry.to_wkt()).drop(columns="geometry").to_csv(path, index=False)
    else:
        gdf.to_file(path)
    return path


SQUARE = shapely.box(108.2, 23.2, 108.21, 23.21)


def _bad_inputs(tmp_path):
    yield ("missing file", ["import", "sites", str(tmp_path / "nope.geojson")], "file not found", None)
    shp = _write_sites(tmp_path / "nocrs.shp", [SQUARE])
    (tmp_path / "nocrs.prj").unlink()
    yield ("no CRS", ["import", "sites", str(shp)], "nocrs.shp: the layer has no coordinate reference system", None)
    yield ("empty geometry", ["import", "sites", str(_write_sites(tmp_path / "empty.csv", [SQUARE, shapely.Polygon()])),
                              "--crs", "EPSG:4326"], "empty.csv, line 3, field 'geometry'", None)
    flat = shapely.Polygon([(108.2, 23.2), (108.3, 23.2), (108.4, 23.2)])
    yield ("zero area", ["import", "sites", str(_write_sites(tmp_path / "flat.geojson", [SQUARE, flat]))],
           "flat.geojson, feature 2, field 'geometry': polygon has zero area", None)
    cases = pd.DataFrame([{"case_id": "Z1", "title": "t", "region": "r", "case_class": "simple",
                           "stage": "filing", "claimant_agency": "a", "damage_amount_yuan": "三千"}])
    cases.to_csv(tmp_path / "amount.csv", index=False)
    yield ("non-numeric amount", ["import", "cases", str(tmp_path / "amount.csv")],
           "amount.csv, line 2, field 'damage_amount_yuan': '三千' is not a number", None)
    cases.assign(damage_amount_yuan=3000, colour="red").to_csv(tmp_path / "col.csv", index=False)
    yield ("--map names a missing column", ["import", "cases", str(tmp_path / "col.csv"), "--map", "title=标题"],
           "argument --map: --map title=标题: the file has no column '标题'", None)
    yield ("duplicate id", ["import", "sites", str(_write_sites(tmp_path / "dup.geojson", [SQUARE, SQUARE],
                                                               site_id=["A1", "A1"]))],
           "dup.geojson, feature 2, field 'site_id': duplicate id 'A1'", None)
    yield ("duplicate of stored id", ["import", "sites", str(_write_sites(tmp_path / "dup2.geojson", [SQUARE],
                                                                         site_id=["S001"]))],
           "id 'S001' is already in the store", None)
    yield ("CSV without --crs", ["import", "sites", str(_write_sites(tmp_path / "nocrs.csv", [SQUARE]))],
           "pass --crs", None)


def test_every_bad_input_exits_2_and_leaves_the_store_untouched(data, store, tmp_path, capsys):
    for name, argv, message, _ in _bad_inputs(tmp_path):
        before = store_fingerprint(store)
        code, out, err = run(["--data", data, *argv], capsys)
        assert code == 2, (name, out, err)
        assert message in err, (name, err)
        assert "Traceback" not in err
        assert store_fingerprint(store) == before, name


def test_repaired_polygon_is_imported_and_reported(data, store, tmp_path, capsys):
    bowtie = shapely.Polygon([(108.2, 23.2), (108.21, 23.21), (108.21, 23.2), (108.2, 23.21)])
    path = _write_sites(tmp_path / "bowtie.geojson", [bowtie])
    code, out, err = run(["--data", data, "import", "sites", str(path)], capsys)
    assert code == 0
    assert "已修复 repaired: bowtie.geojson, feature 1, field 'geometry'" in err
    assert store.get("sites", "N0")["area_ha"] > 0


def test_import_csv_lonlat_plots_and_excel_cases(data, store, tmp_path, capsys):
    plots = pd.DataFrame({"site_id": ["P1", "P2"], "role": ["monitoring_plot"] * 2,
                          "ecosystem_type": ["forest"] * 2, "name": ["p1", "p2"],
                          "lon": [108.3, 108.31], "lat": [23.2, 23.21]})
    plots.to_csv(tmp_path / "plots.csv", index=False)
    code, out, _ = run(["--data", data, "import", "sites", str(tmp_path / "plots.csv"), "--crs", "EPSG:4490"], capsys)
    assert code == 0 and "imported 2 rows" in out
    assert store.get("sites", "P2")["geometry"].geom_type == "Point"
    cases = pd.DataFrame([{"case_id": "X1", "title": "t", "region": "青岚县", "case_class": "一般",
                           "stage": "立案", "claimant_agency": "a", "damage_amount_yuan": 12000}])
    cases.to_excel(tmp_path / "cases.xlsx", index=False)
    code, out, _ = run(["--data", data, "import", "cases", str(tmp_path / "cases.xlsx")], capsys)
    assert code == 0
    case = store.get("cases", "X1")
    assert (case["case_class"], case["stage"], case["version"]) == ("ordinary", "filing", 1)


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".csv", ".xlsx"])
def test_export_formats(data, store, tmp_path, capsys, suffix):
    out_file = tmp_path / f"sites{suffix}"
    code, out, _ = run(["--data", data, "export", "sites", "--out", str(out_file)], capsys)
    assert code == 0
    if suffix in (".gpkg", ".geojson"):
        back = pyogrio.read_dataframe(out_file)
        assert len(back) == 30 and back.crs.to_epsg() == 4326
    elif suffix == ".csv":
        back = pd.read_csv(out_file)
        assert len(back) == 30 and back["wkt"].str.startswith(("MULTIPOLYGON", "POINT")).all()
    else:
        back = pd.read_excel(out_file)
        assert len(back) == 30 and "area_ha" in back


def test_export_cases_to_excel_and_geojson_refused(data, tmp_path, capsys):
    code, _, _ = run(["--data", data, "export", "cases", "--out", str(tmp_path / "c.xlsx")], capsys)
    assert code == 0 and len(pd.read_excel(tmp_path / "c.xlsx")) == 16
    code, _, err = run(["--data", data, "export", "cases", "--out", str(tmp_path / "c.geojson")], capsys)
    assert code == 2 and "has no geometry" in err


def test_info_json(data, capsys):
    code, out, _ = run(["--data", data, "info", "--json"], capsys)
    info = json.loads(out)
    assert code == 0 and info["layers"]["sites"] == 30 and info["schema_version"] >= 1


def test_missing_store_is_a_clear_error(tmp_path, capsys):
    code, _, err = run(["--data", str(tmp_path / "none"), "info"], capsys)
    assert code == 2 and "restoration init" in err


def test_init_refuses_to_overwrite(data, capsys):
    code, _, err = run(["--data", data, "init"], capsys)
    assert code == 2 and "already exists" in err


def test_readme_main_command_end_to_end(tmp_path, processes):
    """`restoration demo --no-serve` in a fresh data folder, as a real subprocess."""
    env = dict(os.environ, RESTORATION_DATA=str(tmp_path / "fresh"))
    first = processes.cli("demo", "--no-serve", env=env, timeout=300)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "fresh" / "platform.gpkg").exists()
    assert "cases 16" in first.stdout and "sites 30" in first.stdout
    assert "遥感影像 rasters NDVI: 24 期 dates" in first.stdout
    assert set(dict(pyogrio.list_layers(tmp_path / "fresh" / "platform.gpkg"))) >= {"sites", "cases", "audit_log"}
    # the second run loads the existing store instead of rebuilding it
    mtime = (tmp_path / "fresh" / "platform.gpkg").stat().st_mtime_ns
    second = processes.cli("demo", "--no-serve", env=env, timeout=300)
    assert second.returncode == 0 and (tmp_path / "fresh" / "platform.gpkg").stat().st_mtime_ns == mtime
    bad = processes.cli("import", "sites", tmp_path / "missing.geojson", env=env, timeout=300)
    assert bad.returncode == 2 and "file not found" in bad.stderr and "Traceback" not in bad.stderr


def test_shapefile_with_truncated_field_names_imports(data, store, tmp_path, capsys):
    path = _write_sites(tmp_path / "shp_sites.shp", [SQUARE], crs=4490, site_id=["SHP1"])
    code, out, err = run(["--data", data, "import", "sites", str(path)], capsys)
    assert code == 0, err
    assert store.get("sites", "SHP1")["ecosystem_type"] == "forest"


def test_import_bank_goes_through_the_registry_rules(data, store, tmp_path, capsys):
    """`restoration import bank` applies the bank registry's rules: capacity is sold by area, so an
    invalid polygon is refused rather than repaired."""
    bowtie = shapely.Polygon([(108.2, 23.2), (108.21, 23.21), (108.21, 23.2), (108.2, 23.21)])
    frame = gpd.GeoDataFrame({"project_id": ["NB1"], "name": ["新项目"], "ecosystem_type": ["forest"],
                              "capacity": [5.0], "capacity_unit": ["ha"], "unit_cost_yuan": [90000],
                              "status": ["proposed"], "trajectory": ['{"levels": [[0, 0], [5, 1]]}']},
                             geometry=[bowtie], crs=4326)
    frame.to_file(tmp_path / "bank.geojson")
    before = store_fingerprint(store)
    code, _, err = run(["--data", data, "import", "bank", str(tmp_path / "bank.geojson")], capsys)
    assert code == 2 and "bank.geojson" in err and "geometry" in err
    assert store_fingerprint(store) == before
