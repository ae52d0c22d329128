"""What every map shares: the palettes, the base map (tiles, offline county and watershed
outlines, canvas, county labels), the legend box, and the finishing step that adds the map's
behaviour (fit in the browser, scale bar, dots below a zoom). The folium builders
(:mod:`dashboards.maps`) and the many-sites overview (:mod:`dashboards.maps_scale`) both build
on it; neither imports the other's private parts.
"""
from __future__ import annotations

import html
import os
from typing import Iterable

import folium
import geopandas as gpd
import pandas as pd

from .assets import URL_PREFIX, local_css, local_js
from .map_behaviour import CSS, Behaviour, county_labels
from .i18n import t

#: display simplification tolerance in degrees (~20 m): invisible at regional zoom levels
SIMPLIFY_DEG = 0.0002

STAGE_COLOURS = {
    "screening": "#9e9e9e", "filing": "#607d8b", "investigation": "#3f51b5", "appraisal": "#673ab7",
    "consultation": "#9c27b0", "judicial_confirmation": "#e91e63", "litigation": "#f44336",
    "restoration": "#ff9800", "effect_evaluation": "#cddc39", "closed": "#4caf50",
    "not_started": "#bdbdbd", "terminated": "#795548",
}
CLASS_COLOURS = {"significantly_minor": "#8bc34a", "simple": "#03a9f4", "ordinary": "#ff9800",
                 "major": "#d32f2f"}
ROLE_COLOURS = {"damaged": "#d32f2f", "in_situ_restoration": "#43a047",
                "alternative_restoration": "#1e88e5", "off_site_restoration": "#00897b",
                "reference": "#8e24aa", "monitoring_plot": "#fdd835"}
NO_CASE_COLOUR = "#616161"

TILES = {
    "osm": ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "© OpenStreetMap contributors"),
    "tianditu": ("https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
                 "&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
                 "&TILECOL={x}&tk={key}", "© 天地图 Tianditu"),
}


_SAFE_COLUMNS = ("_colour", "_popup")

def escape_properties(frame: pd.DataFrame, keep: tuple[str, ...] = _SAFE_COLUMNS) -> pd.DataFrame:
    """Every text property HTML-escaped (Leaflet tooltips and popups insert them as HTML):
    user-supplied names can never run as script. ``keep`` are columns the map builders wrote
    as HTML themselves, from escaped parts."""
    out = frame.copy()
    for col in out.columns:
        if col == "geometry" or col in keep:
            continue
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: "" if v is None or (isinstance(v, float) and v != v)
                                    else html.escape(str(v)))
    return out


def base_map(bounds: Iterable[float] | None = None, *, tiles: str | None = None,
             counties: gpd.GeoDataFrame | None = None, watersheds: gpd.GeoDataFrame | None = None,
             lang: str = "zh", asset_prefix: str = URL_PREFIX, height: str = "100%",
             canvas: bool = False, points_layers: Iterable[str] = ()) -> folium.Map:
    """An empty map fitted to ``bounds`` (minx, miny, maxx, maxy in degrees).

    ``tiles``: ``osm`` (default), ``tianditu`` (needs ``TIANDITU_KEY`` in the environment) or
    ``none``; the environment variable ``RESTORATION_TILES`` sets the default. ``canvas``
    draws vectors on one canvas instead of SVG elements: needed for thousands of features.
    Without ``bounds`` the map fits the counties (or shows China). The fit is done in the
    browser once the map has a size, so maps in tabs open right; the scale bar is metric;
    county names are drawn as text labels on the base layer.
    """
    tiles = tiles or os.environ.get("RESTORATION_TILES", "osm")
    if bounds is None and counties is not None and not counties.empty:
        bounds = tuple(counties.total_bounds)
    centre = [35.0, 105.0] if bounds is None else [(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2]
    m = folium.Map(location=centre, zoom_start=4 if bounds is None else 9, tiles=None,
                   prefer_canvas=canvas, control_scale=False, height=height)
    m.default_js = local_js(asset_prefix)
    m.default_css = local_css(asset_prefix)
    if tiles == "tianditu" and os.environ.get("TIANDITU_KEY"):
        url, attr = TILES["tianditu"]
        folium.TileLayer(url.replace("{key}", os.environ["TIANDITU_KEY"]), attr=attr,
                         subdomains="01234567", name=t("map.tiles", lang)).add_to(m)
    elif tiles in ("osm", "tianditu"):
        url, attr = TILES["osm"]
        folium.TileLayer(url, attr=attr, name=t("map.tiles", lang)).add_to(m)
    if watersheds is not None and not watersheds.empty:
        outline_layer(watersheds, t("map.watersheds", lang), "#1565c0", 1.2, "4 4").add_to(m)
    if counties is not None and not counties.empty:
        outline_layer(counties, t("map.counties", lang), "#424242", 1.0, None).add_to(m)
    m.get_root().html.add_child(folium.Element(CSS))
    m._restoration = {"bounds": None if bounds is None else tuple(float(b) for b in bounds),
                      "labels": county_labels(counties), "points_layers": list(points_layers)}
    return m


def finish(m: folium.Map) -> folium.Map:
    """Add the behaviour element last (it refers to layers added before it)."""
    info = m._restoration
    Behaviour(info["bounds"], info["labels"], info["points_layers"]).add_to(m)
    return m


def outline_layer(frame: gpd.GeoDataFrame, name: str, colour: str, weight: float,
                   dash: str | None) -> folium.GeoJson:
    data = escape_properties(frame[["name", "geometry"]])
    data["geometry"] = data.geometry.simplify(SIMPLIFY_DEG * 5)
    return folium.GeoJson(
        data.to_json(), name=name,
        style_function=lambda f, c=colour, w=weight, d=dash: {
            "color": c, "weight": w, "fill": False, "dashArray": d},
        tooltip=folium.GeoJsonTooltip(["name"], labels=False),
    )


def outline_items(counties, watersheds, lang: str) -> list[tuple[str, str, str]]:
    """The legend lines of the base layer's outlines that the map shows."""
    items = []
    if counties is not None and not counties.empty:
        items.append(("line", t("map.counties", lang), "#424242"))
    if watersheds is not None and not watersheds.empty:
        items.append(("dash", t("map.watersheds", lang), "#1565c0"))
    return items


def padded(bounds, pad: float = 0.02):
    """``bounds`` (minx, miny, maxx, maxy) widened by ``pad`` [degrees] on every side."""
    minx, miny, maxx, maxy = bounds
    return (minx - pad, miny - pad, maxx + pad, maxy + pad)


def legend(m: folium.Map, title: str, items: list[tuple[str, str, str]]) -> None:
    """A legend box: ``items`` are (kind, label, colour), kind ``fill`` (area), ``dot`` (point),
    ``line`` or ``dash`` (outline). Labels are escaped."""
    def swatch(kind: str, colour: str) -> str:
        if kind == "dot":
            return (f'<span style="display:inline-block;width:10px;height:10px;border-radius:50%;'
                    f'background:{colour};margin:0 7px 0 1px;border:1px solid #333"></span>')
        if kind in ("line", "dash"):
            style = "dashed" if kind == "dash" else "solid"
            return (f'<span style="display:inline-block;width:14px;height:0;border-top:2px {style} {colour};'
                    f'margin:0 6px 3px 0"></span>')
        return (f'<span style="display:inline-block;width:12px;height:12px;background:{colour};'
                f'margin-right:6px;border:1px solid #555;vertical-align:-1px"></span>')
    rows = "".join(f'<div title="{html.escape(label)}">{swatch(k, c)}{html.escape(label)}</div>'
                   for k, label, c in items)
    # a <details> box: the user can fold it away; the map fits its content beside or above it
    box = f'<details class="map-legend" open><summary>{html.escape(title)}</summary>{rows}</details>'
    m.get_root().html.add_child(folium.Element(box))
