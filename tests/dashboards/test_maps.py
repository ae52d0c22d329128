"""Map builders, tested without Streamlit: offline assets, layers, colours, popups, simplification."""
from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import shapely

from dashboards import maps
from dashboards.assets import STATIC_DIR, ensure_static


def _html(m) -> str:
    return m.get_root().render()


def test_maps_load_only_local_assets(store):
    m = maps.overview_map(store.read("sites"), store.read("cases"), counties=store.read("counties"),
                          watersheds=store.read("watersheds"), tiles="none")
    html = _html(m)
    scripts = re.findall(r'<script src="([^"]+)"', html)
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert scripts == ["/app/static/leaflet/leaflet.js"]
    assert links == ["/app/static/leaflet/leaflet.css"]
    assert "cdn" not in html.lower() and "jquery" not in html.lower()
    ensure_static()
    assert (STATIC_DIR / "leaflet" / "leaflet.js").stat().st_size > 100_000


def test_overview_layers_colours_and_case_links(store):
    sites, cases = store.read("sites"), store.read("cases")
    m = maps.overview_map(sites, cases, counties=store.read("counties"),
                          watersheds=store.read("watersheds"), tiles="osm")
    html = _html(m)
    assert "tile.openstreetmap.org" in html  # tiles configured ...
    assert html.count("GX-2023-009") >= 5  # ... and its sites drawn, with popups linking the case
    assert 'href=\\"case?case_id=GX-2023-009\\"' in html or 'href="case?case_id=GX-2023-009"' in html
    # a restoration-stage case's sites are orange, a closed case's green
    assert maps.STAGE_COLOURS["restoration"] in html and maps.STAGE_COLOURS["closed"] in html
    # the offline base layer: every county and watershed name is in the map
    for name in store.read("counties")["name"]:
        assert json.dumps(name)[1:-1] in html  # GeoJSON text escapes non-ASCII
    by_class = _html(maps.overview_map(sites, cases, colour_by="class", tiles="none"))
    assert maps.CLASS_COLOURS["major"] in by_class and maps.STAGE_COLOURS["litigation"] not in by_class


def test_tianditu_needs_a_key(store, monkeypatch):
    monkeypatch.setenv("TIANDITU_KEY", "abc123")
    html = _html(maps.base_map((108, 23, 109, 24), tiles="tianditu"))
    assert "tianditu.gov.cn" in html and "tk=abc123" in html
    monkeypatch.delenv("TIANDITU_KEY")
    assert "tianditu.gov.cn" not in _html(maps.base_map((108, 23, 109, 24), tiles="tianditu"))


def test_display_simplification_reduces_vertices_within_tolerance():
    theta = np.linspace(0, 2 * np.pi, 2000)
    circle = shapely.Polygon(np.c_[108 + 0.05 * np.cos(theta), 23 + 0.05 * np.sin(theta)])
    frame = gpd.GeoDataFrame({"site_id": ["A"]}, geometry=[circle], crs=4326)
    simple = maps._display_geometries(frame).iloc[0]
    assert shapely.get_num_coordinates(simple) < 400
    assert circle.hausdorff_distance(simple) <= maps.SIMPLIFY_DEG + 1e-12


def test_many_sites_drawn_as_points_on_canvas():
    rng = np.random.default_rng(1)
    n = maps.POLYGON_LIMIT + 10
    geoms = [shapely.box(x, y, x + 0.001, y + 0.001) for x, y in rng.uniform([108, 23], [109, 24], (n, 2))]
    sites = gpd.GeoDataFrame({"site_id": [f"X{i}" for i in range(n)], "case_id": [None] * n,
                              "name": ["x"] * n, "role": ["reference"] * n}, geometry=geoms, crs=4326)
    import pandas as pd
    cases = pd.DataFrame(columns=["case_id", "stage", "case_class", "title"])
    html = _html(maps.overview_map(sites, cases, tiles="none"))
    assert "preferCanvas\": true" in html or "preferCanvas: true" in html or '"preferCanvas": true' in html
    assert '"type": "Point"' in html and '"type": "Polygon"' not in html


def test_bank_map_colours_by_remaining_capacity(store):
    bank = store.read("bank_projects")
    bank["remaining_fraction"] = np.linspace(0, 1, len(bank))
    html = _html(maps.bank_map(bank, tiles="none"))
    for colour in ("#b71c1c", "#f57c00", "#fbc02d", "#2e7d32"):
        assert colour in html
    assert maps.remaining_colour(0.0) == "#b71c1c" and maps.remaining_colour(0.9) == "#2e7d32"


def test_ndvi_overlay_transparent_where_no_data(store):
    values = np.array([[np.nan, 0.1], [0.5, 0.85]])
    rgba = maps.ndvi_rgba(values)
    assert rgba.shape == (2, 2, 4) and rgba[0, 0, 3] == 0 and rgba[1, 1, 3] > 0
    greenness = rgba[..., 1].astype(int) - rgba[..., 0].astype(int)
    assert greenness[1, 1] > greenness[1, 0] > greenness[0, 1]  # greener for higher NDVI
    sites = store.read("sites")
    case_sites = sites[sites["case_id"] == "GX-2023-009"]
    html = _html(maps.case_map(case_sites, overlay={"image": rgba, "bounds": (108.2, 23.1, 108.3, 23.2)},
                               tiles="none"))
    assert "data:image/png;base64" in html


def test_user_text_is_escaped_on_every_layer(tmp_path):
    """Site, county, watershed and case names are HTML-escaped in tooltips and popups, and the
    county labels cannot close the page's <script>: nothing a user typed can run."""
    from .stores import HOSTILE, build_imported
    store = build_imported(tmp_path / "d")
    sites, cases = store.read("sites"), store.read("cases")
    page = _html(maps.overview_map(sites, cases, counties=store.read("counties"),
                                   watersheds=store.read("watersheds"), tiles="none"))
    for bad in HOSTILE[:3]:
        assert bad not in page and json.dumps(bad)[1:-1] not in page
    assert "\\u0026lt;img src=x onerror=" in page  # shown as text (JSON escapes &)
    assert "</script><" not in page.replace("</script>\n<", "").replace("</script><script", "")
    # the escaped name reads back as the user typed it
    from html import unescape
    assert unescape(maps.escape_properties(sites[["name"]])["name"].iloc[0]) == sites["name"].iloc[0]
    link = maps.case_link('A"><script>x</script>', '<b>t</b>', "zh")
    assert "<script>" not in link and "case?case_id=A%22%3E%3Cscript%3E" in link


def test_maps_fit_in_the_browser_with_a_metric_scale_and_county_labels(store):
    counties = store.read("counties")
    page = _html(maps.case_map(store.read("sites").head(3), counties=counties, tiles="none"))
    assert "imperial: false" in page and "metric: true" in page
    assert "ResizeObserver" in page and "fitBounds" in page  # refits when a hidden tab shows it
    assert page.count("restoration-label") >= 1
    for name in counties["name"]:
        assert json.dumps(name, ensure_ascii=False)[1:-1] in page


def test_empty_layers_draw_an_empty_map(empty_store):
    import pandas as pd
    empty = empty_store.read("sites")
    page = _html(maps.overview_map(empty, pd.DataFrame(columns=["case_id", "stage", "case_class", "title"]),
                                   tiles="none"))
    assert "L.map" in page
    bank = empty_store.read("bank_projects")
    assert "L.map" in _html(maps.bank_map(bank, tiles="none"))
