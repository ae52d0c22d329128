"""The overview map at scale (``dashboards.maps_scale``): packed points and grid cells that
decode to the sites, detail for the current view, escaping of every user-supplied value."""
from __future__ import annotations

import html
import json
import re
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from dashboards import maps, maps_scale

from .conftest import ONE_BACKEND

HOSTILE = ['<img src=x onerror="window.__xss=1">', "<script>window.__xss=2</script>", "</script><b>x",
           "javascript:alert(1)", "&amp; \u2028 ' \""]


def _frames(n: int, seed: int = 1):
    """n small square sites scattered over 0.4°, a third without a case, hostile names."""
    rng = np.random.default_rng(seed)
    x = 108.15 + rng.uniform(0, 0.4, n)
    y = 23.05 + rng.uniform(0, 0.4, n)
    geoms = shapely.box(x, y, x + 0.002, y + 0.002)
    case_ids = np.array(["C-1", "C-2", HOSTILE[0], None], dtype=object)[np.arange(n) % 4]
    names = np.array([f"场地{i}" for i in range(n)], dtype=object)
    names[:len(HOSTILE)] = HOSTILE
    # beyond the BMP: two UTF-16 code units each in JavaScript, one character in Python
    names[len(HOSTILE):len(HOSTILE) + 2] = ["𠮷野家 1号", "𠮷野家 2号"]
    sites = gpd.GeoDataFrame({"site_id": [f"X{i:06d}" for i in range(n)], "case_id": case_ids, "name": names},
                             geometry=geoms, crs=4326)
    cases = pd.DataFrame({"case_id": ["C-1", "C-2", HOSTILE[0]], "stage": ["restoration", "closed", "filing"],
                          "case_class": ["major", "simple", "ordinary"], "title": [HOSTILE[1], "二号案", HOSTILE[2]]})
    return sites, cases


def _payload(html_text: str, name: str) -> dict:
    """The JSON packed into the map's script (``var d = {...};``)."""
    found = re.search(r"var d = (\{.*?\});\n", html_text, re.S)
    assert found, f"no packed {name} layer"
    return json.loads(found[1])


def _decoded(d: dict) -> pd.DataFrame:
    """The packed points decoded as the browser does (``_POINTS_JS``), written independently:
    one row per site with its escaped id and name, longitude, latitude, case index and category."""
    digit = {c: i for i, c in enumerate(d["alphabet"])}
    n, w = d["count"], d["width"]
    digits = np.array([digit[c] for c in d["xy"]], dtype=np.int64).reshape(n, 2 * w)
    powers = 64 ** np.arange(w - 1, -1, -1)

    def front(text: str) -> list[str]:  # JavaScript slices UTF-16 code units
        out, prev = [], b""
        for part in text.split("'")[:-1]:
            prev = prev[:2 * digit[part[0]]] + part[1:].encode("utf-16-le")
            out.append(prev.decode("utf-16-le"))
        return out
    k = np.concatenate([np.repeat(np.arange(len(d["runs"])), d["runs"]), np.full(n - sum(d["runs"]), -1)]).astype(int)
    return pd.DataFrame({
        "site_id": front(d["s"]), "name": front(d["n"]),
        "lon": (d["x0"] + digits[:, :w] @ powers) / d["scale"], "lat": (d["y0"] + digits[:, w:] @ powers) / d["scale"],
        "k": k, "c": [d["cc"][i] if i >= 0 else d["nc"] for i in k]})


def test_hook_uses_packed_points_above_the_limit_and_the_baseline_stays_callable(monkeypatch):
    sites, cases = _frames(maps_scale.LARGE_ABOVE + 1)
    sites["case_id"] = sites["case_id"].fillna("C-1")  # the baseline needs a case per site
    packed = maps.overview_map(sites, cases, tiles="none").get_root().render()
    assert "var d = " in packed and '"FeatureCollection"' not in packed
    base = maps.baseline_overview_map(sites, cases, tiles="none").get_root().render()
    assert '"FeatureCollection"' in base and "var d = " not in base
    assert len(packed) * 3 < len(base)
    monkeypatch.setenv(maps_scale.BASELINE_ENV, "1")
    assert "var d = " not in maps.overview_map(sites, cases, tiles="none").get_root().render()
    small, small_cases = _frames(50)
    small["case_id"] = small["case_id"].fillna("C-1")
    assert "var d = " not in maps.overview_map(small, small_cases, tiles="none").get_root().render()


def test_points_decode_to_a_point_on_every_site(monkeypatch):
    sites, cases = _frames(3000)
    text = maps.overview_map(sites, cases, tiles="none").get_root().render()
    d = _payload(text, "points")
    got = _decoded(d)
    assert d["count"] == len(got) == len(sites) and len(d["xy"]) == 2 * d["width"] * len(sites)
    got = got.assign(site_id=got["site_id"].map(html.unescape)).set_index("site_id").loc[sites["site_id"]]
    # every id once, each point within 1e-5° (the packing step, ≈ 1 m) of its own site, the names
    assert got.index.is_unique
    points = shapely.points(got["lon"].to_numpy(), got["lat"].to_numpy())
    assert (shapely.distance(points, sites.geometry.to_numpy()) < 1.5e-5).all()
    assert got["name"].map(html.unescape).tolist() == sites["name"].tolist()
    # categories: the stage's colour, or "no case"
    stage = sites["case_id"].map(cases.set_index("case_id")["stage"])
    colours = np.array(d["colours"])[got["c"].to_numpy()]
    expected = stage.map(maps.STAGE_COLOURS).fillna(maps.NO_CASE_COLOUR).to_numpy()
    assert (colours == expected).all()
    # the case of each point, for the click that opens the case page
    decoded = [html.unescape(d["cases"][i]) if i >= 0 else None for i in got["k"]]
    assert decoded == [c if isinstance(c, str) else None for c in sites["case_id"]]
    # sequential ids and names are front-coded: a few characters a site, not the whole text
    assert len(d["s"]) < 4 * len(sites) and len(d["n"]) < 6 * len(sites)


def test_every_user_value_is_escaped_in_the_packed_script():
    sites, cases = _frames(3000)
    text = maps.overview_map(sites, cases, tiles="none").get_root().render()
    script = text[text.index("var d = "):]
    script = script[:script.index("</script>")]  # the packed script ends at the first </script>
    d = _payload(text, "points")
    assert "<" not in script.split("var d = ", 1)[1].split(";\n", 1)[0]  # no raw "<" in the data
    got = _decoded(d)
    for s in got["name"].tolist() + d["cases"] + d["titles"] + got["site_id"].tolist():
        assert "<" not in s and ">" not in s and '"' not in s and "'" not in s
    assert sorted(html.unescape(v) for v in got["name"][got["name"].str.contains("&lt;")]) == sorted(
        v for v in HOSTILE if "<" in v)
    assert html.unescape(d["titles"][d["cases"].index("C-1")]) == HOSTILE[1]
    assert "\u2028" not in script  # would end a JavaScript string line
    with pytest.raises(ValueError, match="escape"):  # an unescaped value could end its entry
        maps_scale.front_code(["it's"])


def test_grid_counts_every_site_once():
    sites, cases = _frames(4000)
    d = maps_scale.grid_payload(sites, cases, max_cells=500)
    assert sum(d["n"]) == len(sites) and len(d["n"]) <= 500
    # recount independently from the cell size
    x, y = maps_scale.surface_points(sites.geometry)
    cells = pd.Series(list(zip(np.floor((x - d["x0"]) / d["cell"]).astype(int),
                               np.floor((y - d["y0"]) / d["cell"]).astype(int)))).value_counts()
    assert dict(zip(zip(d["ix"], d["iy"]), d["n"])) == cells.to_dict()


def test_grid_is_used_above_its_limit(monkeypatch):
    monkeypatch.setattr(maps_scale, "GRID_ABOVE", 2500)
    sites, cases = _frames(3000)
    text = maps.overview_map(sites, cases, tiles="none").get_root().render()
    d = _payload(text, "grid")
    assert "cell" in d and sum(d["n"]) == 3000 and len(text) < 200_000


def test_view_detail_sends_the_sites_in_view_as_polygons():
    sites, cases = _frames(3000)
    assert maps_scale.view_detail(sites, cases, (108.1, 23.0, 108.6, 23.5), zoom=9) is None  # zoomed out
    assert maps_scale.view_detail(sites, cases, (108.1, 23.0, 108.6, 23.5), zoom=14, limit=1000) is None  # too many
    box = {"_southWest": {"lat": 23.2, "lng": 108.3}, "_northEast": {"lat": 23.23, "lng": 108.33}}
    group = maps_scale.view_detail(sites, cases, box, zoom=14)
    inside = sites[sites.intersects(shapely.box(108.3, 23.2, 108.33, 23.23))]
    assert group is not None and 0 < len(inside) <= maps_scale.DETAIL_LIMIT
    layer = next(iter(group._children.values()))
    features = json.loads(layer.data) if isinstance(layer.data, str) else layer.data
    ids = sorted(f["properties"]["site_id"] for f in features["features"])
    assert ids == sorted(inside["site_id"])
    assert {f["geometry"]["type"] for f in features["features"]} == {"Polygon"}
    # hostile names: escaped before folium inserts them into tooltips
    hostile = maps_scale.view_detail(sites.iloc[:8], cases, (108.0, 22.9, 108.7, 23.6), zoom=13)
    props = [f["properties"] for f in next(iter(hostile._children.values())).data["features"]]
    shown = [p[k] for p in props for k in ("site_id", "name", "stage_label", "case")]
    assert not any("<" in v for v in shown) and any("&lt;img" in v for v in shown)
    m = maps.base_map((108.0, 22.9, 108.7, 23.6), tiles="none")
    hostile.add_to(m)
    page = m.get_root().render()  # the raw case id (for the case link) is JSON-escaped data
    assert "<img src=x" not in page and "<script>window" not in page


def test_points_in_the_browser_hover_as_text_and_click_to_their_case(tmp_path, monkeypatch, chromium):
    """Headless Chromium: every site is drawn; hovering a hostile-named site shows its name as
    text (no injected script runs); clicking it hands its case id to st_folium. In the same
    browser, the grid cells (above :data:`GRID_ABOVE`): drawn, a cell's tooltip counts its sites,
    a click zooms into it."""
    from playwright.sync_api import sync_playwright

    from dashboards.assets import embed_assets
    sites, cases = _frames(maps_scale.LARGE_ABOVE + 1)
    for i in range(len(HOSTILE)):  # the hostile sites apart from the crowd, so each can be hovered
        sites.iloc[i, sites.columns.get_loc("geometry")] = shapely.box(107.6 + 0.12 * i, 22.7, 107.602 + 0.12 * i, 22.702)
    m = maps.overview_map(sites, cases, tiles="none")
    embed_assets(m)
    page_file = tmp_path / "map.html"
    m.save(str(page_file))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        dialogs, errors = [], []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(page_file.as_uri())
        page.wait_for_function(f"() => Object.values(window).some(v => v && v._packedDrawn === {len(sites)})")
        # the browser's decoding: every id and name as text, each point within 1e-5° of its site
        decoded = pd.DataFrame(page.evaluate("() => Object.values(window).find(v => v && v._sites)._sites()"),
                               columns=["site_id", "name", "lat", "lon"]).set_index("site_id").loc[sites["site_id"]]
        assert decoded["name"].tolist() == sites["name"].tolist()
        # fitted to the sites on first paint, with a metric scale bar
        west, south, east, north = sites.total_bounds
        assert page.evaluate(f"() => __fit = Object.values(window).find(v => v && v._sites)._map.getBounds()"
                             f".contains([[{south}, {west}], [{north}, {east}]])")
        assert re.fullmatch(r"\d+ k?m", page.locator(".leaflet-control-scale-line").first.inner_text().strip())
        points = shapely.points(decoded["lon"].to_numpy(), decoded["lat"].to_numpy())
        assert (shapely.distance(points, sites.geometry.to_numpy()) < 1.5e-5).all()
        page.evaluate("""() => {
            const layer = Object.values(window).find(v => v && v._site_latlng);
            window.__layer = layer;
            layer._clicks.on("click", e => { window.__clicked = e.layer.toGeoJSON().properties; });
        }""")
        box = page.locator(".leaflet-container").bounding_box()
        for i, name in enumerate(HOSTILE):
            pt = page.evaluate(f"() => {{ const p = __layer._map.latLngToContainerPoint(__layer._site_latlng('X{i:06d}')); return [p.x, p.y]; }}")
            page.mouse.move(box["x"] + pt[0], box["y"] + pt[1])
            tip = page.locator(".leaflet-tooltip")
            tip.wait_for()
            assert f"X{i:06d}" in tip.text_content() and name.split("\u2028")[0].strip() in tip.text_content()
            assert tip.locator("img, script, b b").count() == 0
            page.mouse.click(box["x"] + pt[0], box["y"] + pt[1])
            clicked = page.evaluate("() => window.__clicked")
            expected_case = sites["case_id"].iloc[i]
            assert clicked["site_id"] == f"X{i:06d}"
            assert clicked["case_id"] == (expected_case if isinstance(expected_case, str) else None)
        assert page.evaluate("() => window.__xss") is None and not dialogs and not errors
        # the grid cells
        monkeypatch.setattr(maps_scale, "GRID_ABOVE", 2500)
        grid = maps.overview_map(*_frames(3000), tiles="none")
        embed_assets(grid)
        grid.save(str(tmp_path / "grid.html"))
        page.goto((tmp_path / "grid.html").as_uri())
        page.wait_for_function("() => Object.values(window).some(v => v && v._cell_latlng && v._drawn)")
        d = _payload(grid.get_root().render(), "grid")
        biggest = max(range(len(d["n"])), key=lambda i: d["n"][i])
        zoom = page.evaluate(f"""() => {{ const l = Object.values(window).find(v => v && v._cell_latlng);
            window.__cells = l; const p = l._map.latLngToContainerPoint(l._cell_latlng({biggest}));
            return [p.x, p.y, l._map.getZoom()]; }}""")
        box = page.locator(".leaflet-container").bounding_box()
        page.mouse.move(box["x"] + zoom[0], box["y"] + zoom[1])
        tip = page.locator(".leaflet-tooltip")
        tip.wait_for()
        assert str(d["n"][biggest]) in tip.text_content()
        page.mouse.click(box["x"] + zoom[0], box["y"] + zoom[1])
        page.wait_for_function(f"() => __cells._map.getZoom() > {zoom[2]}")
        assert not errors and not dialogs
        browser.close()


@ONE_BACKEND
def test_overview_zoomed_in_gets_the_polygons_in_view(staff_data, monkeypatch, servers, browser):
    """A real server whose overview uses the packed points (the switch lowered to the sample's
    size): zoomed in on a site, the page sends the sites in view as polygons (``view_detail``
    through st_folium's ``feature_group_to_add``) — the site itself among them."""
    from .browser_walk import _wait_idle
    from .conftest import STAFF
    monkeypatch.setenv(maps_scale.LARGE_ABOVE_ENV, "3")
    url = servers.start(staff_data)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url + "/")
    _wait_idle(page)
    page.locator('[data-testid="stSidebarNav"] a', has_text="管理人员登录").first.click()
    _wait_idle(page)
    page.get_by_label("用户名").fill(STAFF[0])
    page.get_by_label("密码").fill(STAFF[1])
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector("text=已登录", timeout=30_000)
    _wait_idle(page)
    deadline, frames = time.time() + 60, []
    while not frames and time.time() < deadline:
        frames = [f for f in page.frames if f.evaluate("() => !!(window.map && window.map._packedDrawn)")]
        time.sleep(0.3)
    assert frames, "the overview did not draw packed points"
    frame = frames[0]
    polygons = "() => Object.values(map._layers).filter(l => l.feature && l.getLatLngs" \
               " && l.feature.properties.site_id).map(l => l.feature.properties.site_id)"
    assert frame.evaluate(polygons) == []  # regional zoom: points only
    site = frame.evaluate("""() => { const s = Object.values(window).find(v => v && v._sites)._sites()[0];
        map.setView([s[2], s[3]], 14); return s[0]; }""")
    frame.wait_for_function(f"() => ({polygons})().includes({site!r})", timeout=60_000)
    assert frame.evaluate("() => map.getZoom()") == 14
    assert not errors, errors
    page.close()
