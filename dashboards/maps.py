"""Map builders: plain functions that return folium maps (tested without Streamlit).

Every map loads Leaflet from the platform (``dashboards.assets``), renders on a canvas, draws
the county and watershed outlines from the store as an offline base layer (readable when tiles
cannot load), and simplifies geometries for display.
"""
from __future__ import annotations

import html
import os
from typing import Iterable
from urllib.parse import quote

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from restoration.model import CaseClass, ProjectStatus, Role, Stage

from .assets import URL_PREFIX, local_css, local_js
from .map_behaviour import FIT_MAX_ZOOM, POINTS_BELOW_ZOOM  # noqa: F401 - the maps' public constants
from .map_behaviour import CSS, Behaviour, county_labels
from .i18n import t, vocab

#: above this many polygons the overview draws centroids (circle markers) instead of shapes
POLYGON_LIMIT = 1500
#: above this many features a map draws on a canvas rather than one SVG element per feature
CANVAS_ABOVE = 500
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
        _outline_layer(watersheds, t("map.watersheds", lang), "#1565c0", 1.2, "4 4").add_to(m)
    if counties is not None and not counties.empty:
        _outline_layer(counties, t("map.counties", lang), "#424242", 1.0, None).add_to(m)
    m.get_root().html.add_child(folium.Element(CSS))
    m._restoration = {"bounds": None if bounds is None else tuple(float(b) for b in bounds),
                      "labels": county_labels(counties), "points_layers": list(points_layers)}
    return m


def _finish(m: folium.Map) -> folium.Map:
    """Add the behaviour element last (it refers to layers added before it)."""
    info = m._restoration
    Behaviour(info["bounds"], info["labels"], info["points_layers"]).add_to(m)
    return m


def _outline_layer(frame: gpd.GeoDataFrame, name: str, colour: str, weight: float,
                   dash: str | None) -> folium.GeoJson:
    data = escape_properties(frame[["name", "geometry"]])
    data["geometry"] = data.geometry.simplify(SIMPLIFY_DEG * 5)
    return folium.GeoJson(
        data.to_json(), name=name,
        style_function=lambda f, c=colour, w=weight, d=dash: {
            "color": c, "weight": w, "fill": False, "dashArray": d},
        tooltip=folium.GeoJsonTooltip(["name"], labels=False),
    )


def _display_geometries(frame: gpd.GeoDataFrame) -> gpd.GeoSeries:
    return frame.geometry.simplify(SIMPLIFY_DEG, preserve_topology=True)


def sites_layer(sites: gpd.GeoDataFrame, colours: pd.Series, name: str, *,
                popup_html: pd.Series | None = None, tooltip_cols: list[str] | None = None,
                as_points: bool | None = None) -> folium.GeoJson:
    """One GeoJSON layer of sites, coloured per row; points (circle markers) for plots, or
    for every site when there are more than ``POLYGON_LIMIT`` of them. Every text property is
    HTML-escaped; ``popup_html`` must be built from escaped parts (see :func:`case_link`)."""
    data = sites.copy()
    data["_colour"] = colours.reindex(data.index).fillna(NO_CASE_COLOUR).to_numpy()
    if as_points is None:
        as_points = len(data) > POLYGON_LIMIT
    if as_points:
        data["geometry"] = data.geometry.representative_point()
    else:
        data["geometry"] = _display_geometries(data)
    if popup_html is not None:
        data["_popup"] = popup_html.reindex(data.index).fillna("").to_numpy()
    keep = [c for c in ["site_id", "case_id", "name", "_colour", "_popup", *(tooltip_cols or [])]
            if c in data.columns]
    data = gpd.GeoDataFrame(escape_properties(pd.DataFrame(data[keep])), geometry=data.geometry, crs=4326)
    empty = data.empty  # folium refuses a tooltip naming fields of a layer with no features
    return folium.GeoJson(
        data.to_json(drop_id=False), name=name,
        style_function=lambda f: {"color": f["properties"]["_colour"], "weight": 2,
                                  "fillColor": f["properties"]["_colour"], "fillOpacity": 0.45},
        marker=folium.CircleMarker(radius=5, weight=1, fill=True, fill_opacity=0.8),
        tooltip=None if empty else folium.GeoJsonTooltip(["site_id", "name"] + (tooltip_cols or []), labels=False),
        popup=folium.GeoJsonPopup(["_popup"], labels=False) if popup_html is not None and not empty else None,
        highlight_function=lambda f: {"weight": 4, "fillOpacity": 0.7},
    )


def case_link(case_id: str | None, title: str | None, lang: str) -> str:
    """Popup HTML linking a site to its case page (every value escaped)."""
    if not case_id:  # a popup that says so, not an empty box
        return f'<span>{html.escape(t("map.no_case", lang))}</span>'
    href = "case?case_id=" + quote(str(case_id), safe="")
    return (f'<b>{html.escape(title or case_id)}</b><br>'
            f'<a href="{html.escape(href)}" target="_top">{html.escape(t("map.open_case", lang))} '
            f'{html.escape(case_id)}</a>')


def overview_map(sites: gpd.GeoDataFrame, cases: pd.DataFrame, *, colour_by: str = "stage",
                 lang: str = "zh", counties=None, watersheds=None, tiles: str | None = None,
                 asset_prefix: str = URL_PREFIX, scaled: bool | None = None) -> folium.Map:
    """All cases' sites coloured by case stage or class; popups link to the case page. Below
    zoom ``POINTS_BELOW_ZOOM`` every site also has a dot (small sites vanish at regional zoom);
    closer in, only the polygons. Many sites (``scaled``, default: above
    ``maps_scale.LARGE_ABOVE``) go to ``maps_scale``."""
    from . import maps_scale
    if maps_scale.use_scaled(len(sites)) if scaled is None else scaled:
        return maps_scale.overview_map(sites, cases, colour_by=colour_by, lang=lang, counties=counties,
                                       watersheds=watersheds, tiles=tiles, asset_prefix=asset_prefix)
    joined = sites.merge(cases[["case_id", "stage", "case_class", "title"]], on="case_id", how="left")
    joined.index = sites.index
    palette, column = (STAGE_COLOURS, "stage") if colour_by == "stage" else (CLASS_COLOURS, "case_class")
    colours = joined[column].map(palette)
    popups = pd.Series([case_link(c, ti, lang) for c, ti in zip(joined["case_id"], joined["title"])],
                       index=joined.index)
    bounds = _padded(sites.total_bounds, 0.01) if len(sites) else None
    m = base_map(bounds, tiles=tiles, counties=counties, watersheds=watersheds, lang=lang,
                 asset_prefix=asset_prefix, canvas=len(sites) > CANVAS_ABOVE)
    sites_layer(joined, colours, t("map.sites", lang), popup_html=popups).add_to(m)
    symbols = []
    if 0 < len(joined) <= POLYGON_LIMIT:
        points = sites_layer(joined, colours, t("map.site_points", lang), popup_html=popups, as_points=True)
        points.add_to(m)
        m._restoration["points_layers"].append(points.get_name())
        symbols.append(("dot", t("map.legend_dot", lang), "#607d8b"))
    enum = Stage if colour_by == "stage" else CaseClass
    present = set(joined[column].dropna())
    items = [("fill", vocab(enum, k, lang), c) for k, c in palette.items() if k in present]
    if joined["case_id"].isna().any() or (joined["case_id"] == "").any() or not len(joined):
        items.append(("fill", t("map.no_case", lang), NO_CASE_COLOUR))
    _legend(m, t("map.colour_" + ("stage" if colour_by == "stage" else "class"), lang),
            items + symbols + _outline_items(counties, watersheds, lang))
    folium.LayerControl(collapsed=True).add_to(m)
    return _finish(m)


def _outline_items(counties, watersheds, lang: str) -> list[tuple[str, str, str]]:
    items = []
    if counties is not None and not counties.empty:
        items.append(("line", t("map.counties", lang), "#424242"))
    if watersheds is not None and not watersheds.empty:
        items.append(("dash", t("map.watersheds", lang), "#1565c0"))
    return items


def case_map(sites: gpd.GeoDataFrame, *, lang: str = "zh", overlay: dict | None = None,
             counties=None, watersheds=None, tiles: str | None = None,
             asset_prefix: str = URL_PREFIX) -> folium.Map:
    """A case's sites coloured by role; ``overlay`` = {"image": RGBA array, "bounds":
    (minx, miny, maxx, maxy), "name": str} draws e.g. the latest NDVI under the sites."""
    bounds = _padded(sites.total_bounds, 0.005) if len(sites) else None
    m = base_map(bounds, tiles=tiles, counties=counties, watersheds=watersheds, lang=lang,
                 asset_prefix=asset_prefix)
    items = []
    if overlay is not None:
        minx, miny, maxx, maxy = overlay["bounds"]
        folium.raster_layers.ImageOverlay(overlay["image"], bounds=[[miny, minx], [maxy, maxx]],
                                          name=html.escape(overlay.get("name", "NDVI")), opacity=0.75,
                                          mercator_project=True).add_to(m)
        items += [("fill", t("map.ndvi_low", lang), "#a6611a"), ("fill", t("map.ndvi_mid", lang), "#f5f5c8"),
                  ("fill", t("map.ndvi_high", lang), "#006837")]
    colours = sites["role"].map(ROLE_COLOURS)
    roles = sites.assign(role_label=sites["role"].map(lambda r: vocab(Role, r, lang)))
    sites_layer(roles, colours, t("map.sites", lang), tooltip_cols=["role_label"], as_points=False).add_to(m)
    if len(sites):  # sites far apart: a dot marks each at regional zoom (see overview_map)
        points = sites_layer(roles, colours, t("map.site_points", lang), tooltip_cols=["role_label"],
                             as_points=True)
        points.add_to(m)
        m._restoration["points_layers"].append(points.get_name())
        items.append(("dot", t("map.legend_dot", lang), "#607d8b"))
    _legend(m, t("map.legend", lang), [("fill", vocab(Role, r, lang), c) for r, c in ROLE_COLOURS.items()
                                       if r in set(sites["role"])] + items
            + _outline_items(counties, watersheds, lang))
    folium.LayerControl(collapsed=True).add_to(m)
    return _finish(m)


def remaining_colour(fraction: float) -> str:
    """Green when most capacity is free, through amber, to red when full."""
    if fraction != fraction:
        return NO_CASE_COLOUR
    if fraction <= 0.0:
        return "#b71c1c"
    if fraction < 0.2:
        return "#f57c00"
    if fraction < 0.6:
        return "#fbc02d"
    return "#2e7d32"


def bank_map(bank: gpd.GeoDataFrame, *, lang: str = "zh", damaged: gpd.GeoDataFrame | None = None,
             highlight: list[str] | None = None, counties=None, watersheds=None,
             tiles: str | None = None, asset_prefix: str = URL_PREFIX) -> folium.Map:
    """Bank projects coloured by remaining capacity (column ``remaining_fraction``, 0–1);
    optionally the case's damaged site and a set of highlighted candidates.

    With a damaged site the map fits it and the highlighted candidates — what the user is
    choosing between — not the whole bank (a province's bank spans the province, where a site
    and a candidate 15 km apart are a few pixels); without one it fits every project."""
    has_damage = damaged is not None and len(damaged) > 0
    if has_damage:
        frames = [damaged.geometry, bank.geometry[bank["project_id"].isin(highlight or [])]]
    else:
        frames = [bank.geometry]
    frames = [f for f in frames if len(f)]
    bounds = _padded(pd.concat(frames).total_bounds, 0.01) if frames else None
    m = base_map(bounds, tiles=tiles, counties=counties, watersheds=watersheds, lang=lang,
                 asset_prefix=asset_prefix)
    items = []
    if len(bank):
        frac = bank["remaining_fraction"] if "remaining_fraction" in bank else pd.Series(np.nan, index=bank.index)
        colours = frac.map(remaining_colour)
        pct = (frac * 100).round(0)
        labels = bank.assign(site_id=bank["project_id"],
                             status_label=bank["status"].map(lambda s: vocab(ProjectStatus, s, lang)),
                             remaining_pct=[t("map.remaining_pct", lang, pct=f"{p:.0f}") if p == p else "—"
                                            for p in pct])
        sites_layer(labels, colours, t("map.bank", lang), tooltip_cols=["status_label", "remaining_pct"],
                    as_points=False).add_to(m)
        # a dot marks each project at regional zoom (small projects vanish there; see overview_map)
        plain = labels[~labels["project_id"].isin(highlight or [])]  # candidates have their own dots
        if len(plain):
            points = sites_layer(plain, colours, t("map.bank_points", lang),
                                 tooltip_cols=["status_label", "remaining_pct"], as_points=True)
            points.add_to(m)
            m._restoration["points_layers"].append(points.get_name())
        items += [("fill", t("map.remaining_high", lang), "#2e7d32"), ("fill", t("map.remaining_mid", lang), "#fbc02d"),
                  ("fill", t("map.remaining_low", lang), "#f57c00"), ("fill", t("map.remaining_none", lang), "#b71c1c"),
                  ("dot", t("map.legend_bank_dot", lang), "#607d8b")]
        if highlight:
            sel = labels[labels["project_id"].isin(highlight)]
            if len(sel):
                sites_layer(sel, pd.Series("#000000", index=sel.index), t("map.candidates", lang),
                            tooltip_cols=["status_label", "remaining_pct"], as_points=True).add_to(m)
                items.append(("dot", t("map.candidates", lang), "#000000"))
    if damaged is not None and len(damaged):
        dmg = damaged.assign(role_label=t("map.damaged", lang))
        red = pd.Series(ROLE_COLOURS["damaged"], index=dmg.index)
        sites_layer(dmg, red, t("map.damaged", lang), tooltip_cols=["role_label"], as_points=False).add_to(m)
        # a damaged site of a few hectares is a pixel at regional zoom: a dot marks it there
        points = sites_layer(dmg, red, t("map.damaged_points", lang), tooltip_cols=["role_label"], as_points=True)
        points.add_to(m)
        m._restoration["points_layers"].append(points.get_name())
        items.append(("fill", t("map.damaged", lang), ROLE_COLOURS["damaged"]))
    _legend(m, t("map.remaining" if len(bank) else "map.legend", lang),
            items + _outline_items(counties, watersheds, lang))
    folium.LayerControl(collapsed=True).add_to(m)
    return _finish(m)


def _padded(bounds, pad: float = 0.02):
    minx, miny, maxx, maxy = bounds
    return (minx - pad, miny - pad, maxx + pad, maxy + pad)


def _legend(m: folium.Map, title: str, items: list[tuple[str, str, str]]) -> None:
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


def ndvi_rgba(values: np.ndarray) -> np.ndarray:
    """NDVI (-1..1, NaN for no data) -> RGBA uint8 image, brown to green; no data transparent."""
    v = np.clip(np.nan_to_num(values, nan=0.0), 0.0, 0.9) / 0.9
    stops = np.array([[166, 97, 26], [223, 194, 125], [245, 245, 200], [128, 205, 100], [0, 104, 55]], float)
    pos = v * (len(stops) - 1)
    lo = np.floor(pos).astype(int).clip(0, len(stops) - 2)
    frac = (pos - lo)[..., None]
    rgb = stops[lo] * (1 - frac) + stops[lo + 1] * frac
    alpha = np.where(np.isnan(values), 0, 200)[..., None]
    return np.concatenate([rgb, alpha], axis=-1).astype(np.uint8)
