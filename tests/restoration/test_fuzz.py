"""Fuzz corpus: hostile files and arguments for every import and ingest command.

Each case runs the real CLI on a store loaded with the sample region and asserts the exit code,
a message that names the file / row / field or the argument, no "internal error" and no
traceback, and a store file that is byte-identical afterwards. When a new import or ingest
command appears, add its hostile inputs here.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ..conftest import run_cli, store_fingerprint

ROOT_BOX = "POLYGON((108.20 23.20, 108.21 23.20, 108.21 23.21, 108.20 23.21, 108.20 23.20))"
SITE_HEAD = "site_id,role,ecosystem_type,name,wkt"
CASE_HEAD = "case_id,title,region,case_class,stage,claimant_agency,damage_amount_yuan"
BANK_HEAD = "project_id,name,ecosystem_type,capacity,capacity_unit,unit_cost_yuan,status,trajectory,wkt"
TRAJ = '"{""levels"": [[0, 0.0], [8, 1.0]]}"'
COUNTY_HEAD = "county_id,name,wkt"


def _csv(folder: Path, name: str, text: str, encoding: str = "utf-8") -> None:
    (folder / name).write_text(text, encoding=encoding)


def _bytes(folder: Path, name: str, data: bytes) -> None:
    (folder / name).write_bytes(data)


def _write_rasters(folder: Path) -> None:
    import rasterio
    from rasterio.transform import from_origin

    def tif(path, data, nodata=None, dtype="float32"):
        profile = {"driver": "GTiff", "dtype": dtype, "count": 1, "height": data.shape[0],
                   "width": data.shape[1], "crs": "EPSG:4326",
                   "transform": from_origin(107.5, 24.5, 0.01, 0.01), "nodata": nodata}
        with rasterio.open(path, "w", **profile) as dst:
            dst.write(data.astype(dtype)[None])

    for sub in ("nan", "nodata", "corrupt", "good"):
        (folder / sub).mkdir()
    tif(folder / "nan" / "ndvi_2026-11-15.tif", np.full((200, 200), np.nan))
    tif(folder / "nodata" / "ndvi_2026-11-15.tif", np.full((200, 200), -9999.0), nodata=-9999.0)
    _bytes(folder / "corrupt", "ndvi_2026-11-15.tif", b"II*\x00" + bytes(range(256)) * 8)
    tif(folder / "good" / "ndvi_2026-11-15.tif", np.full((200, 200), 0.5))
    tif(folder / "good" / "ndvi_2026-11-15_scaled.tif", np.full((200, 200), 5000.0))


def build_files(d: Path) -> None:
    """Every hostile file of the corpus."""
    site = "S-F1,damaged,forest,f,\"{}\"".format(ROOT_BOX)
    _csv(d, "empty.csv", "")
    _csv(d, "header_only.csv", SITE_HEAD + "\n")
    _bytes(d, "garbage.csv", bytes(range(256)) * 20)
    _bytes(d, "garbage.geojson", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    _bytes(d, "garbage.gpkg", b"SQLite format 3\x00" + b"\x00" * 200)
    _bytes(d, "garbage.xlsx", b"PK\x03\x04" + bytes(range(200)))
    _bytes(d, "garbage.shp", bytes(range(100)))
    _csv(d, "truncated.geojson", '{"type": "FeatureCollection", "features": [{"type": "Feature", "geom')
    _csv(d, "nofeatures.geojson", '{"type": "FeatureCollection", "features": []}')
    _csv(d, "notes.txt.docx", "not a table")
    # values
    _csv(d, "nul_id.csv", f"{SITE_HEAD}\nS-\x00F1,damaged,forest,f,\"{ROOT_BOX}\"\n")
    _csv(d, "control_name.csv", f"{SITE_HEAD}\nS-F1,damaged,forest,bad\x07name,\"{ROOT_BOX}\"\n")
    _csv(d, "huge_name.csv", f"{SITE_HEAD}\nS-F1,damaged,forest,{'名' * 200_000},\"{ROOT_BOX}\"\n")
    _csv(d, "long_id.csv", f"{SITE_HEAD}\n{'S' * 500},damaged,forest,f,\"{ROOT_BOX}\"\n")
    _csv(d, "bad_enum.csv", f"{SITE_HEAD}\nS-F1,damaged,jungle,f,\"{ROOT_BOX}\"\n")
    _csv(d, "bad_wkt.csv", f"{SITE_HEAD}\nS-F1,damaged,forest,f,POLYGON((1 2, 3\n")
    _csv(d, "bad_wkt2.csv", f"{SITE_HEAD}\nS-F1,damaged,forest,f,\"POLYGON((1 2, 3\"\n")
    _csv(d, "point_site.csv", f"{SITE_HEAD}\nS-F1,damaged,forest,f,POINT(108.2 23.2)\n")
    _csv(d, "line_site.csv", f"{SITE_HEAD}\nS-F1,damaged,forest,f,\"LINESTRING(108.2 23.2, 108.3 23.3)\"\n")
    _csv(d, "inf_coords.csv", "site_id,role,ecosystem_type,name,lon,lat\nP-F1,monitoring_plot,forest,p,inf,23.2\n")
    _csv(d, "text_coords.csv", "site_id,role,ecosystem_type,name,lon,lat\nP-F1,monitoring_plot,forest,p,东经108,23.2\n")
    _csv(d, "off_globe.csv", "site_id,role,ecosystem_type,name,lon,lat\nP-F1,monitoring_plot,forest,p,408.2,23.2\n")
    _csv(d, "utm_as_degrees.csv", f"{SITE_HEAD}\nS-F1,damaged,forest,f,\"POLYGON((600000 2600000, 601000 2600000, "
                                  "601000 2601000, 600000 2601000, 600000 2600000))\"\n")
    _csv(d, "huge_polygon.csv", f"{SITE_HEAD}\nS-F1,damaged,forest,f,\"POLYGON((100 20, 115 20, 115 35, 100 35, 100 20))\"\n")
    _csv(d, "dup_ids.csv", f"{SITE_HEAD}\n{site}\n{site}\n")
    _csv(d, "stored_id.csv", f"{SITE_HEAD}\nS001,damaged,forest,f,\"{ROOT_BOX}\"\n")
    _csv(d, "unknown_case.csv", "site_id,case_id,role,ecosystem_type,name,wkt\n"
                                f"S-F1,NO-SUCH-CASE,damaged,forest,f,\"{ROOT_BOX}\"\n")
    _csv(d, "dup_header.csv", f"site_id,site_id,role,ecosystem_type,name,wkt\nA,B,damaged,forest,f,\"{ROOT_BOX}\"\n")
    _csv(d, "ambiguous.csv", f"site_id,名称,场地名称,role,ecosystem_type,wkt\nS-F1,a,b,damaged,forest,\"{ROOT_BOX}\"\n")
    _csv(d, "dup_10k.csv", SITE_HEAD + "\n" + "\n".join([site] * 10_001) + "\n")
    _csv(d, "many_bad_rows.csv", SITE_HEAD + "\n" + "\n".join(
        f"S-M{i},damaged,jungle,f,\"{ROOT_BOX}\"" for i in range(500)) + "\n")
    # cases
    _csv(d, "amount_1e400.csv", f"{CASE_HEAD}\nC-F1,t,r,simple,filing,a,1e400\n")
    _csv(d, "amount_nan.csv", f"{CASE_HEAD}\nC-F1,t,r,simple,filing,a,NaN\n")
    _csv(d, "amount_negative.csv", f"{CASE_HEAD}\nC-F1,t,r,simple,filing,a,-5\n")
    _csv(d, "amount_absurd.csv", f"{CASE_HEAD}\nC-F1,t,r,simple,filing,a,1e15\n")
    _csv(d, "amount_text.csv", f"{CASE_HEAD}\nC-F1,t,r,simple,filing,a,三千万\n")
    _csv(d, "bad_date.csv", f"{CASE_HEAD},incident_date\nC-F1,t,r,simple,filing,a,5,2025-13-45\n")
    _csv(d, "bad_profile.csv", f"{CASE_HEAD},profile\nC-F1,t,r,simple,filing,a,5,hainan\n")
    _csv(d, "bad_stage.csv", f"{CASE_HEAD}\nC-F1,t,r,simple,dancing,a,5\n")
    _csv(d, "bad_bool.csv", f"{CASE_HEAD},disclosed\nC-F1,t,r,simple,filing,a,5,maybe\n")
    _csv(d, "nul_title.csv", f"{CASE_HEAD}\nC-F1,t\x00t,r,simple,filing,a,5\n")
    _csv(d, "missing_required.csv", "case_id,title\nC-F1,t\n")
    _csv(d, "all_problems.csv", f"{CASE_HEAD},profile\nC-F1,t,r,simple,filing,a,1e400,hainan\n"
                                "GX-2025-001,t,r,simple,dancing,a,5,guangxi\n")
    _csv(d, "cases_list.json", "[1, 2, 3]")
    _csv(d, "cases_deep.json", "[" * 100_000 + "]" * 100_000)
    # case histories (import events)
    ev_head = "case_id,event_type,date,details"
    _csv(d, "ev_unknown_case.csv", f"{ev_head}\nNO-SUCH-CASE,filed,2026-08-01,\n")
    _csv(d, "ev_unknown_type.csv", f"{ev_head}\nGX-2025-002,dancing,2026-08-20,\n")
    _csv(d, "ev_order.csv", f"{ev_head}\nGX-2024-004,签订赔偿协议,2026-09-01,\nGX-2024-004,鉴定评估报告,2026-09-10,\n"
                            "GX-2024-004,送达磋商告知书,2026-10-01,\n")
    _csv(d, "ev_future.csv", f"{ev_head}\nGX-2025-002,investigation_started,2027-01-01,\n")
    _csv(d, "ev_before_incident.csv", f"{ev_head}\nGX-2025-002,investigation_started,2026-05-01,\n")
    _csv(d, "ev_dup.csv", f"{ev_head}\nGX-2025-002,investigation_started,2026-08-20,\n"
                          "GX-2025-002,investigation_started,2026-08-20,\n")
    _csv(d, "ev_stored_dup.csv", f"{ev_head}\nGX-2025-002,filed,2026-08-11,{{}}\n")
    _csv(d, "ev_bad_date.csv", f"{ev_head}\nGX-2025-002,investigation_started,someday,\n")
    _csv(d, "ev_details_list.csv", f"{ev_head}\nGX-2025-002,investigation_started,2026-08-20,[1]\n")
    _csv(d, "ev_takeover.csv", f"{ev_head}\nGX-2025-002,taken_over,2026-08-20,\n")
    _csv(d, "ev_backwards.csv", f"{ev_head}\nGX-2022-010,clue_registered,2026-11-01,\n")
    _csv(d, "ev_nul.csv", f"{ev_head}\nGX-2025\x00-002,filed,2026-08-01,\n")
    _csv(d, "ev_missing_column.csv", "case_id\nGX-2025-002\n")
    _csv(d, "ev_all_problems.csv", "案件编号,事件类型,日期,详情\nNO-SUCH-CASE,立案,2026-08-01,\n"
                                   "GX-2025-002,dancing,2026-08-20,\nGX-2025-002,启动损害调查,2027-01-01,\n"
                                   "GX-2025-002,启动损害调查,someday,\n")
    # bank
    row = "BP-F1,n,wetland,CAP,ha,1000,approved," + TRAJ + ",\"" + ROOT_BOX + "\""
    _csv(d, "bank_zero.csv", BANK_HEAD + "\n" + row.replace("CAP", str(0)) + "\n")
    _csv(d, "bank_negative.csv", BANK_HEAD + "\n" + row.replace("CAP", str(-3)) + "\n")
    _csv(d, "bank_inf.csv", BANK_HEAD + "\n" + row.replace("CAP", str("inf")) + "\n")
    _csv(d, "bank_unit.csv", BANK_HEAD + "\n" + row.replace("CAP", str(1)).replace(",ha,", ",acres,") + "\n")
    _csv(d, "bank_traj.csv", BANK_HEAD + "\n" + row.replace("CAP", str(1)).replace(TRAJ, '"{""levels"": [[0, NaN]]}"') + "\n")
    _csv(d, "bank_all_problems.csv", BANK_HEAD + "\n"
         + row.replace("CAP", "inf").replace(",ha,", ",acres,") + "\n"
         + row.replace("BP-F1", "BP-F2").replace("CAP", "1").replace("wetland", "jungle")
              .replace(TRAJ, '"{""levels"": [[5, 0.0], [2, 1.0]]}"') + "\n")
    # counties
    _csv(d, "county_nul.csv", f"{COUNTY_HEAD}\n45\x0001,x,\"{ROOT_BOX}\"\n")
    _csv(d, "county_gbk_bad.csv", f"{COUNTY_HEAD}\n4501,测试县\n", encoding="gbk")
    # mapping files
    _csv(d, "map_bad.json", "{not json")
    _csv(d, "map_list.json", '["name", "名称"]')
    _csv(d, "map_ok_counties.csv", f"县代码,名称,wkt\n4501,x,\"{ROOT_BOX}\"\n")
    import geopandas as gpd
    import shapely
    gpd.GeoDataFrame({"county_id": ["U1"], "name": ["u"]}, geometry=[shapely.box(600000, 2600000, 601000, 2601000)],
                     crs="EPSG:32649").to_file(d / "utm_counties.gpkg")
    with pd.ExcelWriter(d / "two_sheets.xlsx") as xw:
        pd.DataFrame({"说明": ["x"]}).to_excel(xw, sheet_name="说明", index=False)
        pd.DataFrame({"案件编号": ["X-1"]}).to_excel(xw, sheet_name="案件", index=False)
    for name in ("a", "b"):
        gpd.GeoDataFrame({"county_id": ["L1"], "name": ["l"]}, geometry=[shapely.box(108.2, 23.2, 108.3, 23.3)],
                         crs="EPSG:4326").to_file(d / "two_layers.gpkg", layer=name)
    # facts and details
    _csv(d, "facts_text_amount.json", json.dumps({"damage_amount_yuan": "三千"}))
    _csv(d, "facts_nan.json", '{"damage_amount_yuan": NaN}')
    _csv(d, "facts_list.json", "[1, 2]")
    _csv(d, "facts_ok.json", json.dumps({"damage_amount_yuan": 1000}))
    _csv(d, "facts_bad.json", "{")
    _csv(d, "details_list.json", "[1]")
    _csv(d, "details_nul.json", '{"note": "a\\u0000b"}')
    # monitoring tables
    mon_head = "site_id,indicator,time,value,unit"
    _csv(d, "mon_ok.csv", f"{mon_head}\nS002,cod,2026-11-01,3,mg/L\n")
    _csv(d, "mon_nan.csv", f"{mon_head}\nS002,cod,2026-11-01,NaN,mg/L\n")
    _csv(d, "mon_inf.csv", f"{mon_head}\nS002,cod,2026-11-01,1e400,mg/L\n")
    _csv(d, "mon_site.csv", f"{mon_head}\nNOPE,cod,2026-11-01,3,mg/L\n")
    _csv(d, "mon_indicator.csv", f"{mon_head}\nS002,unobtainium,2026-11-01,3,mg/L\n")
    _csv(d, "mon_unit.csv", f"{mon_head}\nS002,cod,2026-11-01,3,furlongs\n")
    _csv(d, "mon_date.csv", f"{mon_head}\nS002,cod,someday,3,mg/L\n")
    _csv(d, "mon_nul.csv", f"{mon_head}\nS0\x0002,cod,2026-11-01,3,mg/L\n")
    # monitoring plans (indicator targets)
    tgt_head = "site_id,indicator,unit,direction,baseline,target,baseline_date,target_date,planned_trajectory"
    tgt_ok = "S002,cod,mg/L,lower,40,20,2025-01-01,2027-01-01,"
    _csv(d, "tgt_ok.csv", f"{tgt_head}\n{tgt_ok}\n")
    _csv(d, "tgt_nan.csv", f"{tgt_head}\nS002,cod,mg/L,lower,NaN,20,2025-01-01,2027-01-01,\n")
    _csv(d, "tgt_inf.csv", f"{tgt_head}\nS002,cod,mg/L,lower,1e400,20,2025-01-01,2027-01-01,\n")
    _csv(d, "tgt_nul.csv", f"{tgt_head}\nS0\x0002,cod,mg/L,lower,40,20,2025-01-01,2027-01-01,\n")
    _csv(d, "tgt_json_nan.csv", f'{tgt_head}\nS002,cod,mg/L,lower,40,20,2025-01-01,2027-01-01,"[[2025, NaN]]"\n')
    _csv(d, "tgt_deep.csv", f'{tgt_head}\nS002,cod,mg/L,lower,40,20,2025-01-01,2027-01-01,"{"[" * 30}{"]" * 30}"\n')
    _csv(d, "tgt_huge.csv", f'{tgt_head}\nS002,cod,mg/L,lower,40,20,2025-01-01,2027-01-01,"{"2025:1;" * 1100}"\n')
    _csv(d, "tgt_shape.csv", f'{tgt_head}\nS002,cod,mg/L,lower,40,20,2025-01-01,2027-01-01,'
                             '"{""shape"": ""wobbly"", ""from"": [2025, 40], ""to"": [2027, 20]}"\n')
    _csv(d, "tgt_equal.csv", f"{tgt_head}\nS002,cod,mg/L,lower,20,20,2025-01-01,2027-01-01,\n")
    _csv(d, "tgt_gbk.csv", "场地编号,监测指标,单位,基线值,目标值\nS002,化学需氧量,毫克/升,40,20\n", encoding="gbk")
    # appraisal inputs (issue 13): a good abatement file and hostile variants
    water = {"standard": "gbt39793_2", "discharge": {"amount": 12000, "unit": "m3", "source": "在线监测"},
             "unit_cost": {"value": 3.5, "basis": "survey", "source": "调查"},
             "coefficients": {"alpha": {"value": 1.5, "source": "表1"}, "omega": {"value": 1.25, "source": "表5"},
                              "tau": {"exceedance": {"measured": 350, "limit": 100}}}}
    _csv(d, "ab_ok.json", json.dumps(water, ensure_ascii=False))
    _csv(d, "ab_inf.json", json.dumps(water).replace("12000", "1e400"))
    _csv(d, "ab_nan.json", json.dumps(water).replace("12000", "NaN"))
    _csv(d, "ab_text.json", json.dumps(water).replace("12000", '"lots"'))
    _csv(d, "ab_list.json", "[1, 2]")
    _csv(d, "ab_broken.yaml", "standard: [unclosed")
    _write_rasters(d)


#: (id, argv with {d} = corpus folder, exit code, message that must appear on stderr)
CASES = [
    # --- import: unreadable files ------------------------------------------------------------
    ("missing file", ["import", "sites", "{d}/nope.csv"], 2, "file not found"),
    ("folder as file", ["import", "cases", "{d}/good"], 2, "good"),
    ("empty csv", ["import", "cases", "{d}/empty.csv"], 2, "empty.csv: cannot read the file"),
    ("header only", ["import", "sites", "{d}/header_only.csv", "--crs", "EPSG:4326"], 2, "holds no rows"),
    ("garbage csv", ["import", "cases", "{d}/garbage.csv"], 2, "garbage.csv: the file is not text in UTF-8 or GBK"),
    ("garbage geojson", ["import", "sites", "{d}/garbage.geojson"], 2, "garbage.geojson: cannot read the file"),
    ("garbage gpkg", ["import", "counties", "{d}/garbage.gpkg"], 2, "garbage.gpkg: cannot read the file"),
    ("garbage xlsx", ["import", "cases", "{d}/garbage.xlsx"], 2, "garbage.xlsx: cannot read the file"),
    ("garbage shp", ["import", "sites", "{d}/garbage.shp"], 2, "garbage.shp: cannot read the file"),
    ("truncated geojson", ["import", "watersheds", "{d}/truncated.geojson"], 2, "truncated.geojson"),
    ("no features", ["import", "counties", "{d}/nofeatures.geojson"], 2, "holds no rows"),
    ("protected areas garbage gpkg", ["import", "protected_areas", "{d}/garbage.gpkg"], 2,
     "garbage.gpkg: cannot read the file"),
    ("protected areas truncated geojson", ["import", "protected_areas", "{d}/truncated.geojson"], 2,
     "truncated.geojson"),
    ("protected areas no features", ["import", "protected_areas", "{d}/nofeatures.geojson"], 2, "holds no rows"),
    ("gpkg with several layers", ["import", "counties", "{d}/two_layers.gpkg"], 2,
     "argument --layer: the file holds 2 layers (a, b); choose one with --layer NAME"),
    ("gpkg unknown --layer", ["import", "counties", "{d}/two_layers.gpkg", "--layer", "c"], 2,
     "argument --layer: no layer 'c' in the file; its layers: a, b"),
    ("xlsx unknown sheet", ["import", "cases", "{d}/two_sheets.xlsx", "--layer", "表3"], 2,
     "argument --layer: no sheet '表3' in the workbook; its sheets: 说明, 案件"),
    ("unsupported type", ["import", "cases", "{d}/notes.txt.docx"], 2, "unsupported file type '.docx'"),
    ("json not records", ["import", "cases", "{d}/cases_list.json"], 2, "expected a list of records"),
    ("json too deep", ["import", "cases", "{d}/cases_deep.json"], 2, "cases_deep.json"),
    # --- import: values ----------------------------------------------------------------------
    ("NUL in id", ["import", "sites", "{d}/nul_id.csv", "--crs", "EPSG:4326"], 2,
     "nul_id.csv, line 2, field 'site_id': contains a control character (U+0000)"),
    ("control char in name", ["import", "sites", "{d}/control_name.csv", "--crs", "EPSG:4326"], 2,
     "field 'name': contains a control character (U+0007)"),
    ("5 MB name", ["import", "sites", "{d}/huge_name.csv", "--crs", "EPSG:4326"], 2,
     "field 'name': is 200,000 characters long; at most 2,000"),
    ("long id", ["import", "sites", "{d}/long_id.csv", "--crs", "EPSG:4326"], 2, "at most 100 are accepted"),
    ("unknown enum", ["import", "sites", "{d}/bad_enum.csv", "--crs", "EPSG:4326"], 2,
     "line 2, field 'ecosystem_type': unknown value 'jungle'"),
    ("unquoted comma", ["import", "sites", "{d}/bad_wkt.csv", "--crs", "EPSG:4326"], 2,
     "bad_wkt.csv, line 2: has 6 values but the header has 5 columns"),
    ("bad wkt", ["import", "sites", "{d}/bad_wkt2.csv", "--crs", "EPSG:4326"], 2, "line 2, field 'wkt': not valid WKT"),
    ("point for a damaged site", ["import", "sites", "{d}/point_site.csv", "--crs", "EPSG:4326"], 2,
     "Point geometry not allowed"),
    ("line geometry", ["import", "sites", "{d}/line_site.csv", "--crs", "EPSG:4326"], 2,
     "LineString geometry not allowed"),
    ("infinite lon", ["import", "sites", "{d}/inf_coords.csv", "--crs", "EPSG:4326"], 2,
     "line 2, field 'lon': 'inf' is not a finite number"),
    ("text lon", ["import", "sites", "{d}/text_coords.csv", "--crs", "EPSG:4326"], 2,
     "field 'lon': '东经108' is not a finite number"),
    ("lon 408", ["import", "sites", "{d}/off_globe.csv", "--crs", "EPSG:4326"], 2,
     "outside longitude -180..180"),
    ("UTM metres read as degrees", ["import", "sites", "{d}/utm_as_degrees.csv", "--crs", "EPSG:4326"], 2,
     "outside longitude -180..180"),
    ("province-sized site", ["import", "sites", "{d}/huge_polygon.csv", "--crs", "EPSG:4326"], 2,
     "more than the 1,000,000 ha"),
    ("duplicate ids", ["import", "sites", "{d}/dup_ids.csv", "--crs", "EPSG:4326"], 2,
     "line 3, field 'site_id': duplicate id 'S-F1'"),
    ("id already stored", ["import", "sites", "{d}/stored_id.csv", "--crs", "EPSG:4326"], 2,
     "id 'S001' is already in the store"),
    ("unknown case reference", ["import", "sites", "{d}/unknown_case.csv", "--crs", "EPSG:4326"], 2,
     "case_id 'NO-SUCH-CASE' does not exist in 'cases'"),
    ("duplicate header", ["import", "sites", "{d}/dup_header.csv", "--crs", "EPSG:4326"], 2,
     "appear more than once"),
    ("two columns for one field", ["import", "sites", "{d}/ambiguous.csv", "--crs", "EPSG:4326"], 2,
     "could each be field 'name'; choose one with --map name=<column>"),
    ("500 bad rows capped", ["import", "sites", "{d}/many_bad_rows.csv", "--crs", "EPSG:4326"], 2,
     "more problems in"),
    ("10,000 duplicate ids counted in full", ["import", "sites", "{d}/dup_10k.csv", "--crs", "EPSG:4326"], 2,
     "... and 9,970 more problems in 9,970 more rows"),
    ("amount 1e400", ["import", "cases", "{d}/amount_1e400.csv"], 2,
     "line 2, field 'damage_amount_yuan': '1e400' is not a finite number"),
    ("amount NaN", ["import", "cases", "{d}/amount_nan.csv"], 2, "'NaN' is not a number"),
    ("amount negative", ["import", "cases", "{d}/amount_negative.csv"], 2, "-5 is below the minimum 0"),
    ("amount absurd", ["import", "cases", "{d}/amount_absurd.csv"], 2, "is above the maximum 1e+12 yuan"),
    ("amount text", ["import", "cases", "{d}/amount_text.csv"], 2, "'三千万' is not a number"),
    ("bad date", ["import", "cases", "{d}/bad_date.csv"], 2, "'2025-13-45' is not a date"),
    ("unknown profile (issue 10)", ["import", "cases", "{d}/bad_profile.csv"], 2,
     "unknown rule profile 'hainan'; known profiles: guangxi, national, zhejiang"),
    ("bad stage", ["import", "cases", "{d}/bad_stage.csv"], 2, "unknown value 'dancing'"),
    ("bad bool", ["import", "cases", "{d}/bad_bool.csv"], 2, "'maybe' is not yes/no"),
    ("NUL in title", ["import", "cases", "{d}/nul_title.csv"], 2, "field 'title': contains a control character"),
    ("missing required", ["import", "cases", "{d}/missing_required.csv"], 2,
     "missing required column(s) region, case_class, stage, claimant_agency"),
    ("every problem in one pass", ["import", "cases", "{d}/all_problems.csv"], 2,
     "line 2, field 'damage_amount_yuan': '1e400' is not a finite number\n"
     "all_problems.csv, line 2, field 'profile': unknown rule profile 'hainan'"),
    ("bank capacity 0", ["import", "bank", "{d}/bank_zero.csv", "--crs", "EPSG:4326"], 2,
     "field 'capacity': 0 must be above 0"),
    ("bank capacity negative", ["import", "bank", "{d}/bank_negative.csv", "--crs", "EPSG:4326"], 2,
     "field 'capacity': -3 must be above 0"),
    ("bank capacity inf", ["import", "bank", "{d}/bank_inf.csv", "--crs", "EPSG:4326"], 2,
     "'inf' is not a finite number"),
    ("bank unknown unit", ["import", "bank", "{d}/bank_unit.csv", "--crs", "EPSG:4326"], 2,
     "unknown capacity unit 'acres'"),
    ("bank NaN trajectory", ["import", "bank", "{d}/bank_traj.csv", "--crs", "EPSG:4326"], 2,
     "field 'trajectory'"),
    ("bank: general and bank problems in one pass", ["import", "bank", "{d}/bank_all_problems.csv", "--crs",
                                                     "EPSG:4326"], 2,
     "bank_all_problems.csv, line 2, field 'capacity': 'inf' is not a finite number\n"
     "bank_all_problems.csv, line 2, field 'capacity_unit': unknown capacity unit 'acres'"),
    ("bank group: one pass too", ["bank", "import", "{d}/bank_all_problems.csv", "--crs", "EPSG:4326"], 2,
     "bank_all_problems.csv, line 3, field 'ecosystem_type': unknown value 'jungle'; allowed: forest, wetland, "),
    ("bank group: bank check after a general one", ["bank", "import", "{d}/bank_all_problems.csv", "--crs",
                                                    "EPSG:4326"], 2,
     "line 3, field 'trajectory': levels[1]: years must increase"),
    ("bank via bank group", ["bank", "import", "{d}/bank_zero.csv", "--crs", "EPSG:4326"], 2,
     "0 must be above 0"),
    ("county NUL id", ["import", "counties", "{d}/county_nul.csv", "--crs", "EPSG:4326"], 2,
     "field 'county_id': contains a control character (U+0000)"),
    ("GBK county without geometry", ["import", "counties", "{d}/county_gbk_bad.csv", "--crs", "EPSG:4326"], 2,
     "county_gbk_bad.csv, line 2, field 'geometry': geometry is empty or missing"),
    ("events: unknown case", ["import", "events", "{d}/ev_unknown_case.csv"], 2,
     "ev_unknown_case.csv, line 2, field 'case_id': case 'NO-SUCH-CASE' does not exist"),
    ("events: unknown type, listed with Chinese labels", ["import", "events", "{d}/ev_unknown_type.csv"], 2,
     "line 2, field 'event_type': unknown event type 'dancing'"),
    ("events: the known types carry their Chinese labels", ["import", "events", "{d}/ev_unknown_type.csv"], 2,
     "meeting_held (召开磋商会议 / consultation meeting held)"),
    ("events: agreement before the notice", ["import", "events", "{d}/ev_order.csv"], 2,
     "ev_order.csv, line 2, field 'event_type': agreement signed (2026-09-01): requires consultation notice served"),
    ("events: dated in the future", ["import", "events", "{d}/ev_future.csv"], 2,
     "line 2, field 'date': investigation started (2027-01-01): dated in the future"),
    ("events: dated before the incident", ["import", "events", "{d}/ev_before_incident.csv"], 2,
     "line 2, field 'date': investigation started (2026-05-01): dated before the incident (2026-06-02)"),
    ("events: duplicate rows", ["import", "events", "{d}/ev_dup.csv"], 2,
     "ev_dup.csv, line 3, field 'event_type': duplicate of line 2"),
    ("events: a row the case already has", ["import", "events", "{d}/ev_stored_dup.csv"], 2,
     "case GX-2025-002 already has this event (filed, 2026-08-11)"),
    ("events: bad date", ["import", "events", "{d}/ev_bad_date.csv"], 2, "field 'date': 'someday' is not a date"),
    ("events: details not an object", ["import", "events", "{d}/ev_details_list.csv"], 2,
     "field 'details': details must be a JSON object"),
    ("events: the platform's takeover", ["import", "events", "{d}/ev_takeover.csv"], 2,
     "a takeover is recorded by the platform"),
    ("events: a step backwards", ["import", "events", "{d}/ev_backwards.csv"], 2,
     "would move the case back from restoration to screening"),
    ("events: NUL in the case id", ["import", "events", "{d}/ev_nul.csv"], 2,
     "field 'case_id': contains a control character (U+0000)"),
    ("events: missing columns", ["import", "events", "{d}/ev_missing_column.csv"], 2,
     "missing required column(s) event_type, date"),
    ("events: every problem in one pass", ["import", "events", "{d}/ev_all_problems.csv"], 2,
     "ev_all_problems.csv, line 2, field 'case_id': case 'NO-SUCH-CASE' does not exist; import the cases first "
     "(restoration import cases)\nev_all_problems.csv, line 3, field 'event_type': unknown event type 'dancing'"),
    ("events: one pass, the date rows too", ["import", "events", "{d}/ev_all_problems.csv"], 2,
     "line 4, field 'date': investigation started (2027-01-01): dated in the future"),
    ("events: --check refuses too", ["import", "events", "{d}/ev_order.csv", "--check"], 2,
     "requires consultation notice served"),
    # --- import: arguments -------------------------------------------------------------------
    ("--crs EPSG:99999", ["import", "sites", "{d}/point_site.csv", "--crs", "EPSG:99999"], 2,
     "argument --crs: unknown coordinate reference system 'EPSG:99999'"),
    ("--crs nonsense", ["import", "counties", "{d}/map_ok_counties.csv", "--crs", "WGS-1984-ish"], 2,
     "argument --crs"),
    ("--crs GCJ-02 on a UTM file", ["import", "counties", "{d}/utm_counties.gpkg", "--crs", "GCJ-02"], 2,
     "argument --crs: GCJ-02 coordinates are longitude/latitude, but the file is in a projected CRS"),
    ("--map bad syntax", ["import", "counties", "{d}/map_ok_counties.csv", "--crs", "EPSG:4326",
                          "--map", "county_id"], 2, "argument --map: 'county_id' is not field=column"),
    ("--map unknown field", ["import", "counties", "{d}/map_ok_counties.csv", "--crs", "EPSG:4326",
                             "--map", "colour=名称"], 2, "--map names 'colour', which is not a field"),
    ("--map missing column", ["import", "counties", "{d}/map_ok_counties.csv", "--crs", "EPSG:4326",
                              "--map", "name=县名"], 2, "the file has no column '县名'"),
    ("--map-file missing", ["import", "counties", "{d}/map_ok_counties.csv", "--map-file", "{d}/nomap.json"], 2,
     "argument --map-file: mapping file not found"),
    ("--map-file bad json", ["import", "counties", "{d}/map_ok_counties.csv", "--map-file", "{d}/map_bad.json"], 2,
     "cannot read the mapping file"),
    ("--map-file list", ["import", "counties", "{d}/map_ok_counties.csv", "--map-file", "{d}/map_list.json"], 2,
     'expected {"field": "column", ...}'),
    ("--extra bogus", ["import", "cases", "{d}/amount_text.csv", "--extra", "bogus"], 2, "--extra"),
    ("--check still refuses", ["import", "cases", "{d}/amount_1e400.csv", "--check"], 2, "is not a finite number"),
    ("--check on a good file writes nothing", ["import", "counties", "{d}/map_ok_counties.csv", "--crs",
                                                "EPSG:4326", "--check"], 0, ""),
    # --- monitor ingest-raster ---------------------------------------------------------------
    ("raster all NaN", ["monitor", "ingest-raster", "{d}/nan/*.tif"], 2, "every pixel of the raster is nodata, NaN"),
    ("scheduler not an address", ["monitor", "ingest-raster", "{d}/nan/*.tif", "--scheduler", "<script>x</script>"], 2,
     "not a scheduler address"),
    ("resume unknown run", ["monitor", "ingest-raster", "--resume", "R<script>"], 2, "no raster run R<script>"),
    ("raster all nodata", ["monitor", "ingest-raster", "{d}/nodata/*.tif"], 2, "every pixel of the raster is nodata"),
    ("raster corrupt", ["monitor", "ingest-raster", "{d}/corrupt/*.tif"], 2, "cannot open as a raster"),
    ("raster no match", ["monitor", "ingest-raster", "{d}/none/*.tif"], 2, "no files match"),
    ("raster bad regex", ["monitor", "ingest-raster", "{d}/good/*.tif", "--date-pattern", "(["], 2,
     "argument --date-pattern: '([' is not a valid regular expression"),
    ("raster unknown indicator", ["monitor", "ingest-raster", "{d}/good/*.tif", "--indicator", "zz"], 2, "zz"),
    ("raster unknown site", ["monitor", "ingest-raster", "{d}/good/ndvi_2026-11-15.tif", "--site", "NOPE"], 2,
     "unknown site id(s): NOPE"),
    ("raster out of range", ["monitor", "ingest-raster", "{d}/good/ndvi_2026-11-15_scaled.tif"], 2,
     "outside the plausible range"),
    ("raster --min-valid 2", ["monitor", "ingest-raster", "{d}/good/*.tif", "--min-valid", "2"], 2, "--min-valid"),
    # --- monitor ingest-table ----------------------------------------------------------------
    ("table NaN value", ["monitor", "ingest-table", "{d}/mon_nan.csv"], 2, "mon_nan.csv, line 2"),
    ("table 1e400 value", ["monitor", "ingest-table", "{d}/mon_inf.csv"], 2, "mon_inf.csv, line 2"),
    ("table unknown site", ["monitor", "ingest-table", "{d}/mon_site.csv"], 2, "NOPE"),
    ("table unknown indicator", ["monitor", "ingest-table", "{d}/mon_indicator.csv"], 2, "unobtainium"),
    ("table unknown unit", ["monitor", "ingest-table", "{d}/mon_unit.csv"], 2, "furlongs"),
    ("table bad date", ["monitor", "ingest-table", "{d}/mon_date.csv"], 2, "someday"),
    ("table NUL site", ["monitor", "ingest-table", "{d}/mon_nul.csv"], 2, "mon_nul.csv, line 2"),
    ("table --check writes nothing", ["monitor", "ingest-table", "{d}/mon_ok.csv", "--check"], 0,
     "checked (nothing written): 1 values of cod"),
    ("table garbage", ["monitor", "ingest-table", "{d}/garbage.xlsx"], 2, "garbage.xlsx"),
    ("table missing", ["monitor", "ingest-table", "{d}/none.csv"], 2, "none.csv"),
    # --- import targets (monitoring plans) ----------------------------------------------------
    ("targets NaN baseline", ["import", "targets", "{d}/tgt_nan.csv"], 2, "tgt_nan.csv, line 2, field 'baseline'"),
    ("targets 1e400 baseline", ["import", "targets", "{d}/tgt_inf.csv"], 2, "is not a finite number"),
    ("targets NUL site", ["import", "targets", "{d}/tgt_nul.csv"], 2, "tgt_nul.csv, line 2, field 'site_id'"),
    ("targets NaN in trajectory", ["import", "targets", "{d}/tgt_json_nan.csv"], 2, "not a finite number"),
    ("targets deep trajectory", ["import", "targets", "{d}/tgt_deep.csv"], 2, "nested more than 20 levels"),
    ("targets 1100-point trajectory", ["import", "targets", "{d}/tgt_huge.csv"], 2, "1100 points; at most 1000"),
    ("targets unknown shape", ["import", "targets", "{d}/tgt_shape.csv"], 2, "field 'planned_trajectory'"),
    ("targets baseline = target", ["import", "targets", "{d}/tgt_equal.csv"], 2, "the target equals the baseline"),
    ("targets garbage", ["import", "targets", "{d}/garbage.xlsx"], 2, "garbage.xlsx"),
    ("targets header only", ["import", "targets", "{d}/header_only.csv"], 2, "holds no rows"),
    ("targets missing", ["import", "targets", "{d}/none.csv"], 2, "none.csv"),
    ("targets --replace elsewhere", ["import", "sites", "{d}/tgt_ok.csv", "--replace"], 2,
     "--replace applies to 'import targets' only"),
    ("targets --map unknown field", ["import", "targets", "{d}/tgt_ok.csv", "--map", "colour=unit"], 2,
     "--map names 'colour', which is not a field"),
    ("targets --check writes nothing", ["import", "targets", "{d}/tgt_ok.csv", "--check"], 0,
     "checked 1 targets of 1 sites"),
    ("targets GBK sheet --check", ["import", "targets", "{d}/tgt_gbk.csv", "--check"], 0, "checked 1 targets"),
    # --- case event add / classify -----------------------------------------------------------
    ("event --details @missing", ["case", "event", "add", "GX-2025-002", "investigation_started", "2026-08-01",
                                  "--details", "@{d}/missing.json"], 2,
     "argument --details: file not found"),
    ("event --details not JSON", ["case", "event", "add", "GX-2025-002", "investigation_started", "2026-08-01",
                                  "--details", "{{oops"], 2, "argument --details: not valid JSON"),
    ("event --details list", ["case", "event", "add", "GX-2025-002", "investigation_started", "2026-08-01",
                              "--details", "@{d}/details_list.json"], 2, "must be a JSON object"),
    ("event --details NaN", ["case", "event", "add", "GX-2025-002", "investigation_started", "2026-08-01",
                             "--details", '{{"amount": NaN}}'], 2, "not a finite number"),
    ("event --details NUL", ["case", "event", "add", "GX-2025-002", "investigation_started", "2026-08-01",
                             "--details", "@{d}/details_nul.json"], 2, "NUL"),
    ("event --details folder", ["case", "event", "add", "GX-2025-002", "investigation_started", "2026-08-01",
                                "--details", "@{d}/good"], 2, "argument --details: cannot read"),
    ("event unknown case", ["case", "event", "add", "NOPE", "investigation_started", "2026-08-01"], 2, "NOPE"),
    ("event unknown type", ["case", "event", "add", "GX-2025-002", "party", "2026-08-01"], 2, "party"),
    ("event bad date", ["case", "event", "add", "GX-2025-002", "investigation_started", "2026-02-30"], 2,
     "2026-02-30"),
    ("event stale version", ["case", "event", "add", "GX-2025-002", "investigation_started", "2026-08-01",
                             "--expected-version", "99"], 4, "version"),
    ("mode --params @missing", ["case", "mode", "add", "GX-2025-002", "labour_in_lieu", "--params",
                                "@{d}/missing.json"], 2, "argument --params: file not found"),
    ("classify text amount", ["case", "classify", "{d}/facts_text_amount.json"], 2,
     "facts_text_amount.json, field 'damage_amount_yuan': must be an amount in yuan"),
    ("classify NaN amount", ["case", "classify", "{d}/facts_nan.json"], 2, "field 'damage_amount_yuan'"),
    ("classify list", ["case", "classify", "{d}/facts_list.json"], 2, "must be a JSON object"),
    ("classify broken json", ["case", "classify", "{d}/facts_bad.json"], 2, "not valid JSON"),
    ("classify missing", ["case", "classify", "{d}/none.json"], 2, "file not found"),
    ("classify folder", ["case", "classify", "{d}/good"], 2, "good"),
    ("classify unknown profile", ["case", "classify", "{d}/facts_text_amount.json", "--profile", "hainan"], 2,
     "hainan"),
    ("classify unknown case", ["case", "classify", "{d}/facts_ok.json", "--case", "NOPE"], 2, "NOPE"),
    # --- appraisal record (issue 13): writes the case's damage amount ----------------------------
    ("appraisal 1e400", ["appraisal", "record", "GX-2025-002", "{d}/ab_inf.json", "--method", "abatement",
                         "--appraiser", "张三"], 2, "ab_inf.json"),
    ("appraisal NaN", ["appraisal", "record", "GX-2025-002", "{d}/ab_nan.json", "--method", "abatement",
                       "--appraiser", "张三"], 2, "ab_nan.json"),
    ("appraisal text amount", ["appraisal", "record", "GX-2025-002", "{d}/ab_text.json", "--method", "abatement",
                               "--appraiser", "张三"], 2, "ab_text.json"),
    ("appraisal list", ["appraisal", "record", "GX-2025-002", "{d}/ab_list.json", "--method", "abatement",
                        "--appraiser", "张三"], 2, "ab_list.json"),
    ("appraisal broken yaml", ["appraisal", "record", "GX-2025-002", "{d}/ab_broken.yaml", "--method",
                               "abatement", "--appraiser", "张三"], 2, "ab_broken.yaml"),
    ("appraisal unknown case", ["appraisal", "record", "NOPE", "{d}/ab_ok.json", "--method", "abatement",
                                "--appraiser", "张三"], 2, "NOPE"),
    ("appraisal bad date", ["appraisal", "record", "GX-2025-002", "{d}/ab_ok.json", "--method", "abatement",
                            "--appraiser", "张三", "--date", "2025-02-30"], 2, "2025-02-30"),
    ("appraisal NUL appraiser", ["appraisal", "record", "GX-2025-002", "{d}/ab_ok.json", "--method", "abatement",
                                 "--appraiser", "张\x01三"], 2, "control character"),
    ("appraisal stale version", ["appraisal", "record", "GX-2025-002", "{d}/ab_ok.json", "--method", "abatement",
                                 "--appraiser", "张三", "--expected-version", "99"], 4, "version"),
    # --- bank reserve / ledger ---------------------------------------------------------------
    ("reserve 1e-9", ["bank", "reserve", "BP01", "--case", "GX-2025-002", "--amount", "1e-9"], 2,
     "below the ledger's precision of 1e-06 ha"),
    ("reserve 0", ["bank", "reserve", "BP01", "--case", "GX-2025-002", "--amount", "0"], 2,
     "Invalid value for '--amount': 0 is out of range: must be > 0"),
    ("reserve negative", ["bank", "reserve", "BP01", "--case", "GX-2025-002", "--amount", "-1"], 2,
     "'--amount': -1 is out of range"),
    ("reserve inf", ["bank", "reserve", "BP01", "--case", "GX-2025-002", "--amount", "inf"], 2,
     "Invalid value for '--amount': 'inf' is not a finite number"),
    ("reserve nan", ["bank", "reserve", "BP01", "--case", "GX-2025-002", "--amount", "nan"], 2,
     "Invalid value for '--amount': 'nan' is not a finite number"),
    ("reserve 1e400", ["bank", "reserve", "BP01", "--case", "GX-2025-002", "--amount", "1e400"], 2,
     "'--amount': '1e400' is not a finite number"),
    ("reserve 1e13", ["bank", "reserve", "BP01", "--case", "GX-2025-002", "--amount", "1e13"], 2, "amount must be"),
    ("reserve text", ["bank", "reserve", "BP01", "--case", "GX-2025-002", "--amount", "lots"], 2, "--amount"),
    ("reserve too much", ["bank", "reserve", "BP06", "--case", "GX-2025-002", "--amount", "1e9"], 3,
     "insufficient capacity"),
    ("reserve ineligible", ["bank", "reserve", "BP01", "--case", "GX-2025-002", "--amount", "1"], 2,
     "forest cannot replace river"),
    ("reserve unknown project", ["bank", "reserve", "NOPE", "--case", "GX-2025-002", "--amount", "1"], 2, "NOPE"),
    ("reserve unknown case", ["bank", "reserve", "BP01", "--case", "NOPE", "--amount", "1"], 2, "NOPE"),
    ("reserve nobody", ["bank", "reserve", "BP01", "--amount", "1"], 2, "give --case"),
    ("reserve bad unit", ["bank", "reserve", "BP01", "--case", "GX-2025-002", "--amount", "1", "--unit", "tCO2e"],
     2, "cannot reserve in tCO2e"),
    ("escrow inf", ["bank", "escrow", "deposit", "GX-2025-002", "--amount-yuan", "inf", "--holder", "h"], 2,
     "Invalid value for '--amount-yuan': 'inf' is not a finite number"),
    ("escrow 1e13", ["bank", "escrow", "deposit", "GX-2025-002", "--amount-yuan", "1e13", "--holder", "h"], 2,
     "amount must be"),
    ("release nan", ["bank", "release", "BP01", "--case", "GX-2025-002", "--amount", "nan"], 2,
     "Invalid value for '--amount': 'nan' is not a finite number"),
    ("status bad --on", ["bank", "status", "BP03", "under_construction", "--on", "2025-99-01"], 2,
     "argument --on: '2025-99-01' is not a date"),
    ("escrow bad --on", ["bank", "escrow", "deposit", "GX-2025-002", "--amount-yuan", "100", "--holder", "h",
                         "--on", "nope"], 2, "argument --on: 'nope' is not a date"),
    ("export unknown crs", ["export", "sites", "--out", "{d}/out.csv", "--crs", "EPSG:99999"], 2, "argument --crs"),
    ("ledger nan", ["case", "ledger", "add", "GX-2025-002", "received", "nan", "2026-08-01"], 2,
     "Invalid value for 'AMOUNT_YUAN': 'nan' is not a finite number"),
    ("ledger 1e400", ["case", "ledger", "add", "GX-2025-002", "received", "1e400", "2026-08-01"], 2, "AMOUNT_YUAN"),
    ("ledger instalment 0", ["case", "ledger", "add", "GX-2025-002", "instalment_due", "5", "2026-08-01",
                             "--instalment-no", "0"], 2, "Invalid value for '--instalment-no'"),
    # --- choice-valued filters and numeric options of the other commands --------------------------
    ("case list --stage bogus", ["case", "list", "--stage", "bogus"], 2,
     "Invalid value for '--stage': 'bogus' is not one of: screening (线索筛查), filing (立案),"),
    ("case list --class bogus", ["case", "list", "--class", "huge"], 2,
     "Invalid value for '--class': 'huge' is not one of: significantly_minor (显著轻微), simple (简单)"),
    ("case list --region unknown", ["case", "list", "--region", "海口市"], 2,
     "argument --region: no county '海口市' in the store; known: "),
    ("bank ledger --project unknown", ["bank", "ledger", "--project", "NOPE"], 2,
     "argument --project: no bank project 'NOPE' in the store; known: BP01"),
    ("bank ledger --case unknown", ["bank", "ledger", "--case", "NOPE"], 2, "argument --case: no case 'NOPE'"),
    ("case list --stage control character", ["case", "list", "--stage", "fi\x01ling"], 2, "'fi\\x01ling' is not one of"),
    ("evaluate --reference-share nan", ["monitor", "evaluate", "GX-2022-011", "--reference-share", "nan"], 2,
     "Invalid value for '--reference-share': 'nan' is not a finite number"),
    ("evaluate --reference-share inf", ["monitor", "evaluate", "GX-2022-011", "--reference-share", "inf"], 2,
     "'--reference-share': 'inf' is not a finite number"),
    ("evaluate --reference-share 0", ["monitor", "evaluate", "GX-2022-011", "--reference-share", "0"], 2,
     "'--reference-share': 0 is out of range: must be > 0 and <= 1"),
    ("evaluate --reference-share 80", ["monitor", "evaluate", "GX-2022-011", "--reference-share", "80"], 2,
     "'--reference-share': 80 is out of range"),
    ("evaluate --reference-share text", ["monitor", "evaluate", "GX-2022-011", "--reference-share", "most"], 2,
     "'--reference-share': 'most' is not a number"),
    ("evaluate --window-days -5", ["monitor", "evaluate", "GX-2022-011", "--window-days", "-5"], 2,
     "Invalid value for '--window-days'"),
    ("evaluate --n-last 0", ["monitor", "evaluate", "GX-2022-011", "--n-last", "0"], 2, "Invalid value for '--n-last'"),
    ("evaluate --min-samples nan", ["monitor", "evaluate", "GX-2022-011", "--min-samples", "nan"], 2,
     "Invalid value for '--min-samples'"),
    ("progress --window-days 0", ["monitor", "progress", "--window-days", "0"], 2, "Invalid value for '--window-days'"),
    ("raster --min-valid nan", ["monitor", "ingest-raster", "{d}/good/*.tif", "--min-valid", "nan"], 2,
     "Invalid value for '--min-valid': 'nan' is not a finite number"),
    ("rank --top -1", ["bank", "rank", "GX-2025-002", "--top", "-1"], 2, "Invalid value for '--top'"),
    ("event --expected-version -1", ["case", "event", "add", "GX-2025-002", "investigation_started", "2026-08-01",
                                     "--expected-version", "-1"], 2, "Invalid value for '--expected-version'"),
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, _sample_store_template):
    from restoration.store import open_store
    d = tmp_path_factory.mktemp("corpus")
    build_files(d)
    data = tmp_path_factory.mktemp("fuzzdata")
    shutil.copy(_sample_store_template, data / "platform.gpkg")
    return d, data, open_store(data / "platform.gpkg", create=False)


@pytest.mark.parametrize("name, argv, code, message", CASES, ids=[c[0] for c in CASES])
def test_hostile_input_is_refused_cleanly(corpus, capsys, monkeypatch, name, argv, code, message):
    d, data, store = corpus
    monkeypatch.setenv("RESTORATION_TODAY", "2026-11-30")
    before = store_fingerprint(store)
    args = ["--data", str(data)] + [a.replace("{d}", str(d)).replace("{{", "{").replace("}}", "}")
                                    .replace("\\x01", "\x01") for a in argv]
    got, out, err = run_cli(args, capsys)
    assert got == code, (name, out, err)
    assert message in err + out, (name, err)
    assert "internal error" not in err and "Traceback" not in err, (name, err)
    assert store_fingerprint(store) == before, f"{name}: the store changed"


def test_the_corpus_covers_every_import_and_ingest_command():
    """A new import or ingest command must bring its hostile inputs (extend CASES)."""
    covered = {tuple(a for a in argv[:2] if not a.startswith(("{", "-"))) for _, argv, _, _ in CASES}
    wanted = {("import", "sites"), ("import", "bank"), ("import", "cases"), ("import", "counties"),
              ("import", "watersheds"), ("monitor", "ingest-raster"), ("monitor", "ingest-table"),
              ("case", "event"), ("case", "classify"), ("case", "mode"), ("case", "ledger"),
              ("bank", "reserve"), ("bank", "import"), ("bank", "escrow"), ("appraisal", "record")}
    assert wanted <= covered, wanted - covered
    from restoration.cli import cli
    imports = set(cli.commands["import"].params[0].type.choices)
    assert {("import", layer) for layer in imports} <= covered


def test_field_table_with_chinese_headers_a_mapping_and_extra_columns(store, tmp_path, capsys):
    """The positive side of ingest-table: a wide GBK sheet with a remarks column and a mapping."""
    data = str(store.data_dir)
    text = "点位,采样日期,化学需氧量 (mg/L),备注\nS002,2026-11-01,12.5,晴\n"
    (tmp_path / "wq.csv").write_bytes(text.encode("gbk"))
    code, out, err = run_cli(["--data", data, "monitor", "ingest-table", tmp_path / "wq.csv",
                              "--map", "site_id=点位,cod=化学需氧量 (mg/L)"], capsys)
    assert code == 0, err
    assert "GB18030" in out and "点位 → site_id" in out and "ignored columns" in out and "备注" in out
    rows = store.read("monitoring_series", site_id="S002", indicator="cod", time="2026-11-01T00:00:00")
    assert rows["value"].tolist() == [12.5]


def _all_params():
    import click
    from restoration.cli import cli

    def walk(cmd, path):
        for p in cmd.params:
            yield path, p
        if isinstance(cmd, click.Group):
            for name, sub in cmd.commands.items():
                yield from walk(sub, path + (name,))
    return list(walk(cli, ()))


def test_no_numeric_option_accepts_nan_or_infinity():
    """Click's float (and FloatRange) lets NaN and inf through: every float option and argument
    of the CLI uses ``cli.types.Number`` instead; a new one must too."""
    import click
    from restoration.cli.types import Number
    loose = [(" ".join(path), p.name) for path, p in _all_params()
             if isinstance(p.type, click.types.FloatParamType) and not isinstance(p.type, Number)]
    assert not loose, loose
    with pytest.raises(click.BadParameter, match="'nan' is not a finite number"):
        Number(0, 1).convert("nan", None, None)
    assert Number(0, 1).convert("0.8", None, None) == 0.8


def test_vocabulary_filters_are_choices():
    """Options that filter by a vocabulary refuse unknown values (never a silently empty list)."""
    from restoration.cli.types import VocabChoice
    typed = {(" ".join(path), p.name) for path, p in _all_params() if isinstance(p.type, VocabChoice)}
    assert {("case list", "stage"), ("case list", "case_class")} <= typed
    stage = next(p for path, p in _all_params() if path == ("case", "list") and p.name == "stage")
    assert stage.type.convert("赔偿磋商", None, None) == "consultation"
    assert stage.type.convert("Consultation", None, None) == "consultation"
