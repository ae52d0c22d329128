"""Map builders: plain functions that return folium maps (tested without Streamlit).

Every map loads Leaflet from the platform (``dashboards.assets``), renders on a canvas, draws
the county and watershed outlines from the store as an offline base layer (readable when tiles
cannot load), and simplifies geometries for display.
"""
from __future__ import annotations

import html
from urllib.parse import quote

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from restoration.model import CaseClass, ProjectStatus, Role, Stage

from . import maps_scale
from .assets import URL_PREFIX
from .map_behaviour import FIT_MAX_ZOOM, POINTS_BELOW_ZOOM  # noqa: F401 - the maps' public constants
from .map_style import (CLASS_COLOURS, NO_CASE_COLOUR, ROLE_COLOURS, SIMPLIFY_DEG, STAGE_COLOURS,  # noqa: F401
                        TILES, base_map, escape_properties, finish, legend, outline_items, padded)
from .i18n import t, vocab

#: above this many polygons the overview draws centroids (circle markers) instead of shapes
POLYGON_LIMIT = 1500
#: above this many features a map draws on a canvas rather than one SVG element per feature
CANVAS_ABOVE = 500
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
    if maps_scale.use_scaled(len(sites)) if scaled is None else scaled:
        return maps_scale.overview_map(sites, cases, colour_by=colour_by, lang=lang, counties=counties,
                                       watersheds=watersheds, tiles=tiles, asset_prefix=asset_prefix)
    joined = sites.merge(cases[["case_id", "stage", "case_class", "title"]], on="case_id", how="left")
    joined.index = sites.index
    palette, column = (STAGE_COLOURS, "stage") if colour_by == "stage" else (CLASS_COLOURS, "case_class")
    colours = joined[column].map(palette)
    popups = pd.Series([case_link(c, ti, lang) for c, ti in zip(joined["case_id"], joined["title"])],
                       index=joined.index)
    bounds = padded(sites.total_bounds, 0.01) if len(sites) else None
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
    legend(m, t("map.colour_" + ("stage" if colour_by == "stage" else "class"), lang),
            items + symbols + outline_items(counties, watersheds, lang))
    folium.LayerControl(collapsed=True).add_to(m)
    return finish(m)


def case_map(sites: gpd.GeoDataFrame, *, lang: str = "zh", overlay: dict | None = None,
             counties=None, watersheds=None, tiles: str | None = None,
             asset_prefix: str = URL_PREFIX) -> folium.Map:
    """A case's sites coloured by role; ``overlay`` = {"image": RGBA array, "bounds":
    (minx, miny, maxx, maxy), "name": str} draws e.g. the latest NDVI under the sites."""
    bounds = padded(sites.total_bounds, 0.005) if len(sites) else None
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
    legend(m, t("map.legend", lang), [("fill", vocab(Role, r, lang), c) for r, c in ROLE_COLOURS.items()
                                       if r in set(sites["role"])] + items
            + outline_items(counties, watersheds, lang))
    folium.LayerControl(collapsed=True).add_to(m)
    return finish(m)


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
    bounds = padded(pd.concat(frames).total_bounds, 0.01) if frames else None
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
    legend(m, t("map.remaining" if len(bank) else "map.legend", lang),
            items + outline_items(counties, watersheds, lang))
    folium.LayerControl(collapsed=True).add_to(m)
    return finish(m)


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


def baseline_overview_map(*args, **kwargs) -> folium.Map:
    """The folium builder every overview used before :mod:`dashboards.maps_scale` (the
    benchmark's baseline)."""
    return overview_map(*args, scaled=False, **kwargs)
