"""A user's own messy files: Chinese headers, extra columns, a mapping, one pass, --check."""
from __future__ import annotations

import sqlite3

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from restoration import chinese_crs as cc
from restoration.columns import parse_map, plan, read_map_file
from restoration.errors import InputError
from restoration.model import LAYERS

from ..conftest import run_cli, store_fingerprint


def _gcj_box(x0, y0, x1, y1):
    """A WGS 84 box as a polygon whose vertices are given in GCJ-02 (as AMap would hand it out)."""
    box = shapely.box(x0, y0, x1, y1)
    return cc.transform_geometries([box], "GCJ-02", inverse=False)[0], box


def test_parse_map_and_plan():
    assert parse_map("name=名称, county_id＝县代码；") == {"name": "名称", "county_id": "县代码"}
    with pytest.raises(InputError, match="argument --map: 'name' is not field=column"):
        parse_map("name")
    got = plan(LAYERS["counties"], ["ADCODE", "名称", "city", "geometry"], geometry_name="geometry")
    assert got.rename == {"ADCODE": "county_id", "名称": "name"}
    assert [m[2] for m in got.mapped] == ["alias", "中文名"]
    # an explicit mapping wins over a recognised name; the other column stays an extra column
    got = plan(LAYERS["counties"], ["code", "名称", "县名"], {"name": "县名", "county_id": "code"})
    assert got.rename == {"县名": "name", "code": "county_id"}


def test_mapping_files(tmp_path):
    (tmp_path / "m.yaml").write_text("name: 县名\ncounty_id: 代码\n", encoding="utf-8")
    (tmp_path / "m.csv").write_text("字段,列名\nname,县名\n", encoding="utf-8")
    assert read_map_file(tmp_path / "m.yaml") == {"name": "县名", "county_id": "代码"}
    assert read_map_file(tmp_path / "m.csv") == {"name": "县名"}


def test_messy_county_shapefile_imports_and_says_what_it_did(store, tmp_path, capsys):
    """Chinese headers, an AMap-style adcode, extra columns and GCJ-02 coordinates."""
    data = str(store.data_dir)
    gcj, true_box = _gcj_box(110.0, 24.0, 110.2, 24.2)
    gpd.GeoDataFrame({"adcode": ["450999"], "名称": ["测试县"], "city": ["桂西市"], "人口": [52000]},
                     geometry=[gcj], crs="EPSG:4326").to_file(tmp_path / "counties.shp", encoding="utf-8")
    before = store_fingerprint(store)
    code, out, err = run_cli(["--data", data, "import", "counties", tmp_path / "counties.shp", "--crs", "GCJ-02",
                              "--check"], capsys)
    assert code == 0, err
    assert "nothing was written" in out and store_fingerprint(store) == before
    code, out, err = run_cli(["--data", data, "import", "counties", tmp_path / "counties.shp", "--crs", "GCJ-02"],
                             capsys)
    assert code == 0, err
    assert "adcode → county_id (alias)" in out and "名称 → name (中文名)" in out
    assert "kept in 'attributes': 人口" in out  # city is a field: the jurisdiction tree (issue 11)
    assert "converted 1 geometries from GCJ-02" in out
    county = store.get("counties", "450999")
    assert county["attributes"] == {"人口": 52000} and county["city"] == "桂西市"
    # the stored polygon is where the county really is (the GCJ-02 offset here is ~ 500 m)
    assert county["geometry"].symmetric_difference(true_box).area / true_box.area < 1e-6
    assert not county["geometry"].equals_exact(gcj, 1e-4)
    code, out, _ = run_cli(["--data", data, "export", "counties", "--out", tmp_path / "c.xlsx"], capsys)
    back = pd.read_excel(tmp_path / "c.xlsx", dtype={"county_id": str}).set_index("county_id")
    assert back.loc["450999", "city"] == "桂西市" and back.loc["450999", "人口"] == 52000


def test_extra_columns_can_be_ignored_with_a_notice(store, tmp_path, capsys):
    data = str(store.data_dir)
    pd.DataFrame([{"案件编号": "X-9", "案件名称": "某案", "所在县区": "石岭县", "案件类别": "简单", "办理阶段": "立案",
                   "赔偿权利人指定部门": "市生态环境局", "损害数额": "1,200,000", "承办人": "张三"}]
                 ).to_excel(tmp_path / "register.xlsx", index=False)
    code, out, err = run_cli(["--data", data, "import", "cases", tmp_path / "register.xlsx", "--extra", "ignore"],
                             capsys)
    assert code == 0, err
    assert "ignored columns: 承办人" in out and "案件编号 → site_id" not in out
    case = store.get("cases", "X-9")
    assert case["damage_amount_yuan"] == 1_200_000 and case["case_class"] == "simple"
    assert case["attributes"] is None


def test_every_problem_in_one_pass_grouped_by_row(store, tmp_path, capsys):
    data = str(store.data_dir)
    box = shapely.box(108.2, 23.2, 108.21, 23.21).wkt
    pd.DataFrame({"site_id": ["N1", "S001", "N3", "N4"], "case_id": [None, None, "NO-CASE", None],
                  "role": ["damaged", "damaged", "damaged", "bogus"], "ecosystem_type": ["forest"] * 4,
                  "name": ["a", "b", "c", "d\x00"], "wkt": [box, box, box, "POINT (108 23)"]}
                 ).to_csv(tmp_path / "s.csv", index=False)
    before = store_fingerprint(store)
    code, _, err = run_cli(["--data", data, "import", "sites", tmp_path / "s.csv", "--crs", "EPSG:4326"], capsys)
    assert code == 2 and store_fingerprint(store) == before
    lines = [l.removeprefix("输入错误 input error: ") for l in err.splitlines() if "s.csv, line" in l]
    assert [l.split(",")[1].strip() for l in lines] == ["line 3", "line 4", "line 5", "line 5", "line 5"]
    assert "id 'S001' is already in the store" in lines[0]
    assert "case_id 'NO-CASE' does not exist" in lines[1]
    assert {"field 'role'", "field 'name'", "field 'geometry'"} == {l.split(", ")[2].split(":")[0] for l in lines[2:]}


def test_migration_7_adds_attributes_to_an_older_store(gpkg_empty_store):
    empty_store = gpkg_empty_store
    from restoration.store import open_store
    path = empty_store.path
    with sqlite3.connect(path) as conn:
        for layer in ("sites", "cases"):
            conn.execute(f'ALTER TABLE "{layer}" DROP COLUMN "attributes"')
        conn.execute("DELETE FROM restoration_schema WHERE version = 7")
    store = open_store(path, create=False)
    assert store.schema_version >= 7
    with sqlite3.connect(path) as conn:
        cols = {r[1] for r in conn.execute('PRAGMA table_info("cases")')}
    assert "attributes" in cols


def test_gbk_shapefile_without_cpg_and_double_codes(store, tmp_path, capsys):
    """Chinese GIS software writes DBF text in GBK and often no .cpg; codes are often doubles."""
    import pyogrio
    data = str(store.data_dir)
    frame = gpd.GeoDataFrame({"县代码": [450998.0], "名称": ["测试县"]},
                             geometry=[shapely.box(110.0, 24.0, 110.2, 24.2)], crs="EPSG:4326")
    pyogrio.write_dataframe(frame, tmp_path / "gbk.shp", encoding="GBK")
    (tmp_path / "gbk.cpg").unlink(missing_ok=True)
    code, out, err = run_cli(["--data", data, "import", "counties", tmp_path / "gbk.shp"], capsys)
    assert code == 0, err
    assert "GB18030" in out and "县代码 → county_id" in out
    assert store.get("counties", "450998")["name"] == "测试县"


def test_field_sheet_with_degrees_minutes_seconds(store, tmp_path, capsys):
    data = str(store.data_dir)
    pd.DataFrame({"场地编号": ["P-DMS"], "场地类型": ["监测样地"], "生态系统类型": ["森林"], "名称": ["样地"],
                  "经度": ["东经108度12分30秒"], "纬度": ["23°12′0″N"]}).to_csv(tmp_path / "plots.csv", index=False)
    code, out, err = run_cli(["--data", data, "import", "sites", tmp_path / "plots.csv", "--crs", "EPSG:4490"],
                             capsys)
    assert code == 0, err
    pt = store.get("sites", "P-DMS")["geometry"]
    assert abs(pt.x - (108 + 12 / 60 + 30 / 3600)) < 1e-7 and abs(pt.y - 23.2) < 1e-7


def test_crs_argument_that_the_file_contradicts_is_reported(store, tmp_path, capsys):
    data = str(store.data_dir)
    gpd.GeoDataFrame({"county_id": ["Q1"], "name": ["q"]}, geometry=[shapely.box(110, 24, 110.1, 24.1)],
                     crs="EPSG:4326").to_file(tmp_path / "q.geojson")
    code, out, _ = run_cli(["--data", data, "import", "counties", tmp_path / "q.geojson", "--crs", "EPSG:32649"],
                           capsys)
    assert code == 0 and "the file declares EPSG:4326; --crs EPSG:32649 was not applied" in out
    assert store.get("counties", "Q1")["geometry"].bounds[0] == pytest.approx(110)
