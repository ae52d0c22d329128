"""The fictional sample region: its cases, sites and bank projects, written down as data.

A region in western Guangxi (107.5–109.5°E, 22.5–24.5°N). Counties and companies are invented;
the rivers named are the region's real basins. Amounts, stages and classes are chosen so that
every stage, class and restoration mode appears at least once.
"""
from __future__ import annotations

REGION_BBOX = (107.5, 22.5, 109.5, 24.5)  # lon/lat
#: the NDVI monitoring window (vegetation cases lie inside it)
NDVI_BBOX = (108.15, 23.05, 108.55, 23.45)

COUNTIES = ["青岚县", "柳溪县", "石岭县", "云潭县", "邕北区", "桂源县", "红河口县", "岜山县"]
#: the 设区市 each county belongs to (the jurisdiction tree province → city → county)
COUNTY_CITY = {name: "桂西市" for name in COUNTIES}
WATERSHEDS = ["红水河流域", "柳江流域", "郁江流域", "左江流域"]

#: Voronoi seeds (lon, lat) of the counties, in COUNTIES' order. The five counties with vegetation
#: cases (青岚, 石岭, 云潭, 桂源, 红河口) ring the NDVI window so each has land inside it; 桂源 reaches
#: north into the 红水河 basin, 红河口 south-east to the coast, 柳溪 lies in the 柳江 basin.
COUNTY_SEEDS = [(108.12, 23.27), (109.05, 24.15), (108.56, 23.33), (108.25, 23.03), (109.30, 23.70),
                (108.30, 23.47), (108.52, 23.06), (107.75, 22.80)]
#: Voronoi seeds (lon, lat) of the watersheds, in WATERSHEDS' order: 红水河 north-west, 柳江
#: north-east, 郁江 south-east, 左江 south-west.
WATERSHED_SEEDS = [(107.90, 24.10), (109.10, 24.10), (109.00, 23.00), (107.80, 22.90)]

CLAIMANTS = {
    "forest": "市林业局",
    "karst_grassland": "市自然资源局",
    "grassland": "市林业局",
    "river": "市生态环境局",
    "riparian_buffer": "市水利局",
    "farmland_soil": "市农业农村局",
    "wetland": "市林业局",
    "urban_green": "市住房和城乡建设局",
}

# case_id, title, class, stage, amount (yuan or None), incident, discovered, clue source,
# restoration modes, disclosed, liable party
CASES = [
    ("GX-2025-001", "石岭县某采石场越界开采破坏林地线索", "simple", "screening", None,
     "2026-08-20", "2026-09-28", "卫星遥感监测", [], False, "石岭县某采石有限公司"),
    ("GX-2025-002", "柳溪县某养殖场废水直排致溪流污染案", "simple", "filing", 180_000,
     "2026-06-02", "2026-07-15", "群众举报", [], False, "柳溪县某生猪养殖场"),
    ("GX-2024-003", "青岚县某木材加工企业非法占用林地案", "ordinary", "investigation", 860_000,
     "2026-01-10", "2026-03-04", "环境执法检查", [], False, "青岚县某木业有限公司"),
    ("GX-2024-004", "红水河某化工企业突发环境事件致河流污染案", "major", "appraisal", 5_600_000,
     "2025-11-18", "2025-11-18", "突发环境事件", [], True, "桂源县某化工股份有限公司"),
    ("GX-2024-005", "云潭县某公司非法采砂破坏河岸带案", "ordinary", "consultation", 1_250_000,
     "2025-06-05", "2025-08-21", "自然资源督察", ["in_situ"], False, "云潭县某砂石有限公司"),
    ("GX-2024-006", "岜山县某农户非法倾倒废渣污染农田案", "simple", "consultation", 96_000,
     "2025-12-01", "2026-01-12", "12345热线", ["in_situ", "labour_in_lieu"], False, "张某某"),
    ("GX-2023-007", "桂源县某矿业公司尾矿库泄漏致土壤污染案", "major", "judicial_confirmation", 3_800_000,
     "2024-09-15", "2024-09-20", "中央生态环境保护督察", ["in_situ", "off_site", "instalments"], True,
     "桂源县某矿业有限公司"),
    ("GX-2023-008", "邕北区某房地产公司非法填埋湿地案", "ordinary", "litigation", 2_100_000,
     "2024-04-11", "2024-06-30", "检察机关移送", ["alternative"], True, "邕北区某置业有限公司"),
    ("GX-2023-009", "石岭县某公司盗伐林木案", "ordinary", "restoration", 640_000,
     "2024-02-03", "2024-03-18", "环境执法检查", ["in_situ"], True, "石岭县某林业开发有限公司"),
    ("GX-2022-010", "青岚县某矿山企业破坏岩溶植被案", "major", "restoration", 4_500_000,
     "2023-05-20", "2023-07-02", "中央生态环境保护督察", ["in_situ", "alternative", "technical_upgrade_offset"],
     True, "青岚县某矿业集团有限公司"),
    ("GX-2022-011", "柳溪县某造纸厂超标排放致河段水质污染案", "ordinary", "effect_evaluation", 1_650_000,
     "2023-03-08", "2023-03-15", "新闻媒体", ["in_situ", "instalments"], True, "柳溪县某纸业有限公司"),
    ("GX-2022-012", "云潭县某施工单位破坏草地案", "simple", "closed", 210_000,
     "2022-10-10", "2022-11-02", "群众举报", ["in_situ", "labour_in_lieu"], True, "云潭县某建筑工程有限公司"),
    ("GX-2024-013", "邕北区某餐饮店油污外溢污染绿地案", "significantly_minor", "not_started", 2_400,
     "2025-09-01", "2025-09-03", "12345热线", [], False, "李某某"),
    ("GX-2023-014", "桂源县某公司非法占用林地案", "ordinary", "terminated", 520_000,
     "2024-01-20", "2024-05-09", "审计发现", [], False, "桂源县某贸易有限公司"),
    ("GX-2023-015", "红河口县某企业非法排污致河岸带受损案", "simple", "restoration", 280_000,
     "2024-07-02", "2024-07-30", "群众举报", ["alternative", "instalments"], True, "红河口县某食品有限公司"),
    # a clue outside the scope (marine ecological damage), excluded at screening
    ("GX-2026-016", "红河口县某渔船燃油泄漏致近岸海域污染线索", "ordinary", "not_started", None,
     "2026-10-08", "2026-10-09", "突发环境事件", [], False, "某渔船船主"),
]

# site_id, case_id, role, ecosystem, name, area_ha, in NDVI window, elongation, recovery profile
# recovery profiles drive the NDVI raster: none (stays damaged), on_track, lagging, recovered,
# planting (bare land planted), intact (reference)
SITES = [
    ("S001", "GX-2025-001", "damaged", "forest", "采石场越界开采区", 3.2, True, 1.0, "none"),
    ("S002", "GX-2025-002", "damaged", "river", "养殖场下游溪段", 5.0, False, 5.0, "none"),
    ("S003", "GX-2024-003", "damaged", "forest", "木材加工厂占用林地", 12.0, True, 1.3, "none"),
    ("S004", "GX-2024-004", "damaged", "river", "红水河受污染河段", 80.0, False, 9.0, "none"),
    ("S005", "GX-2024-005", "damaged", "riparian_buffer", "非法采砂河岸段", 15.0, False, 6.0, "none"),
    ("S006", "GX-2024-006", "damaged", "farmland_soil", "废渣倾倒农田", 2.0, False, 1.0, "none"),
    ("S007", "GX-2023-007", "damaged", "farmland_soil", "尾矿库下游受污染农田", 45.0, False, 1.6, "none"),
    ("S008", "GX-2023-007", "off_site_restoration", "farmland_soil", "异地土壤修复示范区", 20.0, False, 1.2, "none"),
    ("S009", "GX-2023-008", "damaged", "wetland", "被填埋湿地", 30.0, False, 1.5, "none"),
    ("S010", "GX-2023-009", "damaged", "forest", "盗伐林地", 25.0, True, 1.2, "on_track"),
    ("S011", "GX-2023-009", "in_situ_restoration", "forest", "盗伐林地补植区", 22.0, True, 1.2, "on_track"),
    ("S012", "GX-2023-009", "reference", "forest", "盗伐林地参照林分", 20.0, True, 1.0, "intact"),
    ("S013", "GX-2023-009", "monitoring_plot", "forest", "补植样地1", 0.0, True, 1.0, "on_track"),
    ("S014", "GX-2023-009", "monitoring_plot", "forest", "补植样地2", 0.0, True, 1.0, "on_track"),
    ("S015", "GX-2022-010", "damaged", "karst_grassland", "矿山破坏岩溶植被区", 120.0, True, 1.4, "lagging"),
    ("S016", "GX-2022-010", "in_situ_restoration", "karst_grassland", "矿山生态修复区", 100.0, True, 1.4, "lagging"),
    ("S017", "GX-2022-010", "alternative_restoration", "forest", "替代修复造林地", 60.0, True, 1.1, "planting"),
    ("S018", "GX-2022-010", "reference", "karst_grassland", "岩溶植被参照区", 50.0, True, 1.0, "intact"),
    ("S019", "GX-2022-011", "damaged", "river", "造纸厂排污口下游河段", 40.0, False, 8.0, "none"),
    ("S020", "GX-2022-011", "in_situ_restoration", "river", "河段水质修复区", 40.0, False, 8.0, "none"),
    ("S021", "GX-2022-011", "monitoring_plot", "river", "断面监测点（上游）", 0.0, False, 1.0, "none"),
    ("S022", "GX-2022-011", "monitoring_plot", "river", "断面监测点（下游）", 0.0, False, 1.0, "none"),
    ("S023", "GX-2022-012", "damaged", "grassland", "施工破坏草地", 8.0, True, 1.0, "recovered"),
    ("S024", "GX-2022-012", "in_situ_restoration", "grassland", "草地补播区", 8.0, True, 1.0, "recovered"),
    ("S025", "GX-2024-013", "damaged", "urban_green", "餐饮店旁绿地", 0.5, False, 1.0, "none"),
    ("S026", "GX-2023-014", "damaged", "forest", "非法占用林地", 6.0, True, 1.0, "none"),
    ("S027", "GX-2023-015", "damaged", "riparian_buffer", "排污口河岸带", 10.0, False, 5.0, "none"),
    # outside the NDVI window: its NDVI target has no data — an alert the supervisor must see
    ("S028", "GX-2023-015", "alternative_restoration", "riparian_buffer", "河岸带替代修复区", 14.0, False, 4.0, "planting"),
    ("S029", None, "reference", "forest", "区域森林参照区", 150.0, True, 1.0, "intact"),
    ("S030", None, "reference", "wetland", "区域湿地参照区", 60.0, False, 1.3, "none"),
]

# project_id, name, kind, ecosystem, services, capacity, unit, unit cost (yuan/unit), relative
# value, years to full service, status, operator, placement ("near:<site>" or lon,lat)
BANK = [
    ("BP01", "石岭县国有林场生态修复基地", "base_site", "forest", ["habitat", "carbon_sequestration", "soil_retention"],
     300.0, "ha", 95_000, 1.0, 8, "operational", "石岭县国有林场", "near:S010"),
    ("BP02", "青岚县石漠化综合治理项目", "project", "karst_grassland", ["soil_retention", "biodiversity"],
     180.0, "ha", 120_000, 0.9, 6, "operational", "青岚县自然资源局", "near:S015"),
    ("BP03", "青岚县岩溶植被恢复二期", "project", "karst_grassland", ["soil_retention", "habitat"],
     40.0, "ha", 135_000, 1.0, 7, "approved", "青岚县自然资源局", "108.45,23.38"),
    ("BP04", "柳溪县滨河湿地公园修复项目", "project", "wetland", ["water_purification", "flood_regulation", "habitat"],
     80.0, "ha", 320_000, 1.1, 5, "under_construction", "柳溪县水利局", "108.95,24.05"),
    ("BP05", "邕北区城郊湿地修复基地", "base_site", "wetland", ["water_purification", "biodiversity"],
     120.0, "ha", 280_000, 1.0, 6, "operational", "邕北区林业局", "near:S009"),
    ("BP06", "红水河河岸带植被缓冲带项目", "project", "riparian_buffer", ["water_purification", "soil_retention"],
     60.0, "ha", 150_000, 1.0, 4, "operational", "桂源县水利局", "near:S004"),
    ("BP07", "云潭县河岸带生态修复项目", "project", "riparian_buffer", ["water_purification", "habitat"],
     25.0, "ha", 165_000, 0.9, 4, "approved", "云潭县水利局", "near:S005"),
    ("BP08", "红河口县河岸林带修复基地", "base_site", "riparian_buffer", ["water_purification", "flood_regulation"],
     35.0, "ha", 140_000, 1.0, 5, "operational", "红河口县林业局", "near:S027"),
    ("BP09", "桂源县受污染耕地安全利用示范项目", "project", "farmland_soil", ["soil_quality"],
     50.0, "ha", 450_000, 1.0, 3, "operational", "桂源县农业农村局", "near:S007"),
    ("BP10", "岜山县耕地土壤改良项目", "project", "farmland_soil", ["soil_quality"],
     20.0, "ha", 380_000, 0.8, 3, "proposed", "岜山县农业农村局", "108.0,22.75"),
    ("BP11", "钦江口红树林营造项目", "project", "mangrove", ["habitat", "carbon_sequestration", "biodiversity"],
     30.0, "ha", 420_000, 1.3, 10, "approved", "红河口县海洋局", "109.3,22.6"),
    ("BP12", "钦江口红树林修复基地", "base_site", "mangrove", ["habitat", "biodiversity", "flood_regulation"],
     45.0, "ha", 390_000, 1.2, 10, "operational", "红河口县海洋局", "109.1,22.58"),
    ("BP13", "桂源县国有林场森林抚育项目", "project", "forest", ["carbon_sequestration", "habitat"],
     150.0, "ha", 70_000, 0.9, 6, "operational", "桂源县国有林场", "107.8,24.2"),
    ("BP14", "柳溪县水源涵养林项目", "project", "forest", ["water_purification", "soil_retention"],
     90.0, "ha", 110_000, 1.0, 8, "under_construction", "柳溪县林业局", "108.9,23.9"),
    ("BP15", "云潭县退化林修复项目", "project", "forest", ["habitat", "soil_retention"],
     12.0, "ha", 85_000, 1.0, 7, "operational", "云潭县林业局", "108.3,23.4"),
    ("BP16", "红河口县沿海防护林项目", "project", "forest", ["flood_regulation", "carbon_sequestration"],
     70.0, "ha", 105_000, 0.9, 8, "closed", "红河口县林业局", "109.2,22.8"),
    ("BP17", "岜山县岩溶草地恢复项目", "project", "karst_grassland", ["soil_retention", "biodiversity"],
     65.0, "ha", 98_000, 0.8, 5, "operational", "岜山县自然资源局", "107.7,22.9"),
    ("BP18", "邕北区湿地生境营造项目", "project", "wetland", ["habitat", "biodiversity"],
     15.0, "ha", 350_000, 1.0, 5, "proposed", "邕北区林业局", "108.6,22.9"),
    ("BP19", "桂源县林业碳汇项目（碳汇认购）", "project", "forest", ["carbon_sequestration"],
     50_000.0, "tCO2e", 60, 1.0, 0, "operational", "桂源县国有林场", "107.9,24.3"),
    ("BP20", "红水河增殖放流项目", "project", "river", ["fishery_resources", "biodiversity"],
     2_000_000.0, "fish_fry", 0.5, 1.0, 1, "operational", "桂源县农业农村局", "near:S004"),
]

# -- project bank: lifecycle, ledger, escrow and case scenarios ---------------------
#: year each bank project starts (started) delivering services; its trajectory counts from it
BANK_START = {
    "BP01": 2016, "BP02": 2018, "BP03": 2027, "BP04": 2025, "BP05": 2017, "BP06": 2020, "BP07": 2027,
    "BP08": 2019, "BP09": 2021, "BP10": 2028, "BP11": 2027, "BP12": 2015, "BP13": 2018, "BP14": 2025,
    "BP15": 2020, "BP16": 2012, "BP17": 2019, "BP18": 2028, "BP19": 2010, "BP20": 2022,
}
BANK_CLOSED_ON = {"BP16": "2025-12-31"}

# project, case_id (None: a case outside the sample region), external reference, amount (capacity
# units), final state, reserved on, note. Chosen so the bank has full (BP08) and nearly full
# (BP02, BP05) projects and the three alternative-restoration cases rank differently.
BANK_ALLOCATIONS = [
    ("BP02", None, "2021年某采矿权人岩溶植被破坏案（外部案件）", 170.0, "committed", "2021-09-10", "岩溶植被替代修复"),
    ("BP05", None, "2022年某道路工程占用湿地案（外部案件）", 102.0, "committed", "2022-11-03", "湿地替代修复"),
    ("BP12", None, "2023年某港口工程占用红树林案（外部案件）", 20.0, "committed", "2023-06-20", "红树林替代修复"),
    ("BP06", None, "2023年某河道整治工程（外部案件）", 10.0, "released", "2023-08-01", "方案调整后释放"),
    ("BP08", None, "2023年某河道整治工程（外部案件）", 33.0, "committed", "2023-10-12", "河岸带替代修复"),
    ("BP19", None, "2024年某企业林业碳汇认购（外部）", 12_000.0, "committed", "2024-03-18", "碳汇认购"),
    ("BP01", "GX-2022-010", None, 25.0, "committed", "2024-05-10", "替代修复造林（一期）"),
    ("BP04", None, "2025年某湿地占用案（外部案件）", 55.0, "committed", "2025-08-01", "湿地替代修复"),
    ("BP08", "GX-2023-015", None, 2.0, "reserved", "2025-02-01", "河岸带替代修复预留"),
    ("BP06", None, "2024年某水库消落带治理（外部案件）", 40.0, "committed", "2024-06-01", "河岸带替代修复"),
    ("BP11", None, "2026年某湿地公园建设占用案（外部案件）", 10.0, "reserved", "2026-07-01", "红树林营造预留"),
]

# escrow id, case, yuan, holder, deposited on, ecosystem, note
ESCROW = [
    ("ES-0001", "GX-2023-008", 1_200_000.0, "桂西市公证处提存账户", "2025-09-15", "wetland",
     "诉讼中先行提存的替代修复资金，待匹配湿地修复项目"),
]

# the equivalence scenario (format v1) of each case that uses alternative restoration: its debit
CASE_SCENARIOS = {
    "GX-2022-010": {
        "schema_version": 1, "method": "service", "case_id": "GX-2022-010",
        "title": "岩溶植被破坏期间损失及原位修复后残余损失（等服务）",
        "base_year": 2025, "discount_rate": 0.03,
        "injury": {"area": 120.0, "area_unit": "ha", "start_year": 2023, "end_year": "perpetuity",
                   "levels": [[2023, 0.0], [2024, 0.05], [2030, 0.6], [2040, 0.85]], "unit_value": 15_000.0},
        "replacement": {"start_year": 2025, "end_year": "perpetuity", "levels": [[2025, 0.0], [2031, 1.0]]},
    },
    "GX-2023-008": {
        "schema_version": 1, "method": "service", "case_id": "GX-2023-008",
        "title": "湿地被填埋造成的永久损失（等服务）",
        "base_year": 2025, "discount_rate": 0.03,
        "injury": {"area": 30.0, "area_unit": "ha", "start_year": 2024, "end_year": "perpetuity",
                   "levels": [[2024, 0.0]], "unit_value": 45_000.0},
        "replacement": {"start_year": 2026, "end_year": "perpetuity", "levels": [[2026, 0.0], [2031, 1.0]]},
    },
    "GX-2023-015": {
        "schema_version": 1, "method": "service", "case_id": "GX-2023-015",
        "title": "排污口河岸带功能受损（等服务）",
        "base_year": 2025, "discount_rate": 0.03,
        "injury": {"area": 10.0, "area_unit": "ha", "start_year": 2024, "end_year": "perpetuity",
                   "levels": [[2024, 0.0], [2026, 0.3], [2030, 0.6]], "unit_value": 20_000.0},
        "replacement": {"start_year": 2025, "end_year": "perpetuity", "levels": [[2025, 0.0], [2029, 1.0]]},
    },
}
