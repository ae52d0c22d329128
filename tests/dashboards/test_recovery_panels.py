"""The Case page's spectral recovery section on real data (the BC 2006 wildfire composites ingested
for a site of GX-2022-010), in both languages, and the empty state."""
from __future__ import annotations

import re


import geopandas as gpd
import pytest
from streamlit.testing.v1 import AppTest

from restoration.importer import import_file
from restoration.monitoring import annual_composite, assess_recovery, index_cube, ingest_scenes, open_scenes
from restoration.monitoring.breaks import break_raster, save_breaks, site_breaks
from restoration.monitoring.controls import compare_with_controls, save_comparison
from restoration.monitoring.segmentation import Parameters

from .conftest import ONE_BACKEND, REPO, SAMPLE_TODAY, STAFF, signed_in

DATA = REPO / "tests" / "monitoring" / "data" / "bc06_wildfire"
APP = str(REPO / "dashboards" / "app.py")


@pytest.fixture
def recovered(store, staff_data, tmp_path):
    site = gpd.read_file(DATA / "restoration_site.gpkg")
    site["site_id"], site["case_id"], site["role"] = "BC06", "GX-2022-010", "in_situ_restoration"
    site["ecosystem_type"], site["name"] = "forest", "<b>火烧迹地</b>"
    path = tmp_path / "bc06.gpkg"
    site.to_file(path)
    import_file(store, "sites", path, allow_outside=True)  # a site far outside the sample region
    ingest_scenes(store, DATA / "composites", bands="blue,green,red,nir,swir16,swir22", indices="NBR",
                  sensor="file", site_ids=["BC06"])
    # the disturbance dated from the same composites, stored with the site
    comp = annual_composite(index_cube(open_scenes(DATA / "composites", bands="blue,green,red,nir,swir16,swir22",
                                                   sensor="file"), "NBR"))
    sites = store.read("sites")
    found = site_breaks(comp, sites[sites["site_id"] == "BC06"], "nbr", pixels=break_raster(comp).compute())
    save_breaks(store, found, params=Parameters(), sources=["bc06"], actor="test")
    c = compare_with_controls(comp.load(), site.to_crs(26910).geometry.iloc[0], [], site_id="BC06", indicator="nbr",
                              disturbance_year=2006, ring=(0, 3000), n_controls=100)
    save_comparison(store, c, case_id="GX-2022-010", actor="test")
    return assess_recovery(store, "BC06", indicator="nbr", disturbance_year=2006, restoration_year=2007,
                           reference_years=(2003, 2005))


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _case(staff_data, monkeypatch, case_id, lang="zh"):
    monkeypatch.setenv("RESTORATION_DATA", str(staff_data))
    monkeypatch.setenv("RESTORATION_TILES", "none")
    monkeypatch.setenv("RESTORATION_TODAY", SAMPLE_TODAY)
    at = AppTest.from_file(APP, default_timeout=180)
    signed_in(at)
    at.session_state["lang"] = lang
    at.run()
    at.session_state["case_id"] = case_id
    at.switch_page("views/case.py").run()
    assert not at.exception, at.exception
    return at


def test_case_page_shows_curve_metrics_and_map(recovered, staff_data, monkeypatch):
    at = _case(staff_data, monkeypatch, "GX-2022-010")
    subheaders = [s.value for s in at.subheader]
    assert "植被光谱恢复评估" in subheaders
    captions = "\n".join(c.value for c in at.caption)
    assert "受损 2006 年" in captions and "修复开始 2007 年" in captions and "2003–2005" in captions
    assert "R80P 逐像元：828 个像元" in captions
    table = next(df.value for df in at.dataframe if "指标" in df.value.columns and "含义" in df.value.columns)
    assert table["指标"].tolist() == ["Y2R", "R80P", "RRI", "YrYr", "dIR"]
    assert table.loc[0, "数值"] == "尚未达到"
    r80p = float(table.loc[1, "数值"])
    assert r80p == pytest.approx(recovered.metrics["R80P"], rel=1e-2)
    assert "恢复年限" in table.loc[0, "含义"]
    # the curve and the per-pixel map are drawn (st.pyplot → image elements)
    assert len([e for e in _walk(at._tree) if getattr(e, "type", "") in ("imgs", "image", "pyplot")]) >= 2, \
        sorted({getattr(e, "type", "") for e in _walk(at._tree)})
    for text in [m.value for m in at.markdown]:
        assert "<b>" not in text  # nothing user-supplied shown raw


def test_case_page_shows_the_dated_disturbance(recovered, staff_data, monkeypatch):
    at = _case(staff_data, monkeypatch, "GX-2022-010")
    assert "遥感扰动识别" in [s.value for s in at.subheader]
    table = next(df.value for df in at.dataframe if list(df.value.columns) == ["指标", "数值"])
    shown = dict(zip(table["指标"], table["数值"]))
    year = int(shown["扰动年份"].split("±")[0])
    assert abs(year - 2006) <= 1 and float(shown["扰动幅度（指数单位）"]) > 0.3
    assert shown["扰动像元比例"].endswith("%") and "None" not in " ".join(shown.values())
    assert any("LandTrendr" in c.value and "α = 0.05" in c.value for c in at.caption)
    verdict = next(m.value for m in at.markdown if "与对照比较" in m.value)
    assert "100 个匹配对照像元" in verdict and "受损年份 2006" in verdict and "None" not in verdict
    at = _case(staff_data, monkeypatch, "GX-2022-010", lang="en")
    table = next(df.value for df in at.dataframe if list(df.value.columns) == ["Metric", "Value"]
                 and "disturbance year" in df.value["Metric"].tolist())
    assert "±" in table.loc[0, "Value"]
    assert any("Against its controls" in m.value for m in at.markdown)
    at = _case(staff_data, monkeypatch, "GX-2023-015")
    assert any("restoration monitor breaks" in c.value and "尚无遥感扰动识别" in c.value for c in at.caption)


def test_english_and_empty_state(recovered, staff_data, monkeypatch):
    at = _case(staff_data, monkeypatch, "GX-2022-010", lang="en")
    table = next(df.value for df in at.dataframe if "Meaning" in df.value.columns)
    assert table.loc[0, "Value"] == "not reached yet" and "Years to recovery" in table.loc[0, "Meaning"]
    at = _case(staff_data, monkeypatch, "GX-2023-015", lang="en")
    assert any("No spectral recovery assessment" in c.value for c in at.caption)


@ONE_BACKEND
def test_recovery_section_in_chromium(recovered, streamlit_server, browser):
    """What a supervisor sees: the monitoring tab of GX-2022-010 with the recovery curve, the
    metrics and the per-pixel map drawn (screenshot in the artifacts folder)."""
    from .browser_walk import _wait_idle
    from .conftest import ARTIFACTS
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(streamlit_server + "/login")
    page.wait_for_selector('[data-testid="stApp"]', timeout=120_000)
    page.get_by_label("用户名").fill(STAFF[0])
    page.get_by_label("密码").fill(STAFF[1])
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector("text=已登录", timeout=120_000)
    page.locator('[data-testid="stSidebarNav"] a', has_text="案件").first.click()
    page.wait_for_selector("text=监测与效果评估", timeout=120_000)
    box = page.locator('[data-testid="stSelectbox"]').first
    box.click()
    page.keyboard.type("GX-2022-010")
    page.get_by_role("option").filter(has_text="GX-2022-010").first.click()
    page.wait_for_function("() => (document.querySelector('h1') || {}).innerText?.includes('青岚县')", timeout=120_000)
    # the case switch reruns the page (which resets the tabs): wait for it, then open the tab
    _wait_idle(page)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000)
    for attempt in range(4):
        page.get_by_role("tab", name="监测与效果评估").click()
        try:
            page.wait_for_selector("text=植被光谱恢复评估", timeout=30_000)
            break
        except Exception:
            if attempt == 3:
                raise
    page.wait_for_selector("text=R80P 逐像元", timeout=120_000)  # the last part drawn
    # ... and its pictures (the curve, the per-pixel map) loaded
    page.wait_for_function("""() => { const imgs = Array.from(document.querySelectorAll(
        '[data-testid="stImage"] img, [data-testid="stImageContainer"] img'));
        return imgs.length >= 2 && imgs.every(i => i.complete && i.naturalWidth > 0); }""", timeout=120_000)
    section = page.inner_text("body")
    assert "受损 2006 年" in section and "R80P 逐像元：828 个像元" in section  # tables are drawn on a canvas
    assert not page.query_selector_all('[data-testid="stException"]')
    images = page.query_selector_all('[data-testid="stImage"] img, [data-testid="stImageContainer"] img')
    assert len(images) >= 2
    page.get_by_text("植被光谱恢复评估").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "case-recovery.png"), full_page=True)
    # the disturbance dated from the imagery, below: its curve drawn, no raw None
    page.wait_for_selector("text=遥感扰动识别", timeout=120_000)
    page.wait_for_function("""() => Array.from(document.querySelectorAll(
        '[data-testid="stImage"] img, [data-testid="stImageContainer"] img')).length >= 3""", timeout=120_000)
    assert "None" not in page.inner_text("body")
    page.get_by_text("遥感扰动识别").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "case-breaks.png"), full_page=False)


def test_controls_verdict_beside_the_plan_targets(recovered, store, staff_data, monkeypatch, tmp_path):
    from restoration.monitoring.targets import import_targets
    (tmp_path / "t.csv").write_text("site_id,indicator,unit,direction,baseline,target,target_date\n"
                                    "BC06,ndvi,unitless,increase,0.3,0.7,2030-12-31\n", encoding="utf-8")
    import_targets(store, tmp_path / "t.csv")
    at = _case(staff_data, monkeypatch, "GX-2022-010")
    table = next(df.value for df in at.dataframe if "计划目标" in df.value.columns)
    row = table.iloc[0]
    assert row["场地"] == "BC06" and "0.7" in row["计划目标"] and row["与对照比较"] in ("落后于对照", "与对照相当",
                                                                                  "优于对照")
    assert "None" not in " ".join(map(str, row.values)) and re.fullmatch(r"\d+\.\d\d \(\d+\.\d\d–\d+\.\d\d\)",
                                                                           row["相对恢复度（95% 区间）"])
    at = _case(staff_data, monkeypatch, "GX-2022-010", lang="en")
    table = next(df.value for df in at.dataframe if "Plan targets" in df.value.columns)
    assert table.iloc[0]["Against controls"] in ("behind its controls", "as its controls", "above its controls")
