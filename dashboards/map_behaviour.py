"""What every map does in the browser (one ``MacroElement`` added last to a folium map).

* a metric scale bar;
* fit to the content once the map has a size (maps in hidden tabs open right, an iframe laid out
  twice is fitted again), clear of the legend box — beside it or above it, whichever leaves the
  larger zoom — until the user moves the map;
* dots that give way to the polygons when zoomed in;
* county names as text labels, each drawn only where it fits: inside its county's box on the
  screen and clear of every other label shown (decluttered by collision after every zoom, pan
  and resize), so 111 counties at province zoom are not a pile of overlapping names.
"""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
from branca.element import MacroElement
from jinja2 import Template

#: below this zoom the overview marks every site with a dot; at and above it shows the polygons only
POINTS_BELOW_ZOOM = 12
#: the closest a map zooms when it fits its content (a single small site would otherwise fill it)
FIT_MAX_ZOOM = 16

BEHAVIOUR = Template("""
{% macro script(this, kwargs) %}
(function (map) {
    L.control.scale({metric: true, imperial: false, maxWidth: 160}).addTo(map);
    var target = {{ this.bounds_json }};
    map._restorationTarget = target;
    var touched = false, legendTouched = false;
    var legend = document.querySelector(".map-legend");
    // once the user moves the map or opens / folds the legend, leave them as the user set them
    ["mousedown", "wheel", "touchstart", "keydown"].forEach(function (e) {
        map.getContainer().addEventListener(e, function () { touched = true; }, {passive: true});
    });
    if (legend) {
        legend.querySelector("summary").addEventListener("click", function () { legendTouched = true; });
    }
    function fitOptions() {
        // keep the content clear of the legend (bottom right): beside it or above it, whichever
        // leaves the larger zoom; on a small map the legend starts folded (its title stays)
        var o = {paddingTopLeft: [10, 10], paddingBottomRight: [10, 10], maxZoom: {{ this.max_zoom }},
                 animate: false};
        if (!target || !legend || !legend.offsetWidth) { return o; }
        var el = map.getContainer();
        if (!legendTouched) {
            legend.open = true;
            legend.open = !(legend.offsetWidth > 0.3 * el.clientWidth && legend.offsetHeight > 0.35 * el.clientHeight);
        }
        var bounds = L.latLngBounds(target);
        var beside = [legend.offsetWidth + 20, 10], above = [10, legend.offsetHeight + 38];
        var zBeside = map.getBoundsZoom(bounds, false, L.point(beside).add([10, 10]));
        var zAbove = map.getBoundsZoom(bounds, false, L.point(above).add([10, 10]));
        o.paddingBottomRight = zAbove > zBeside ? above : beside;
        return o;
    }
    function refit() {
        var el = map.getContainer();
        if (!target || el.clientWidth < 2 || el.clientHeight < 2) { return; }
        map.invalidateSize(false);
        map.fitBounds(target, fitOptions());
    }
    map._restorationFitOptions = fitOptions;
    map._restorationRefit = refit;
    function onResize() {
        // a map built in a hidden tab has no size, and an iframe may be laid out more than once:
        // fit whenever the size changes, until the user has moved the map
        if (!touched) { refit(); } else { map.invalidateSize(false); }
    }
    refit();
    if (window.ResizeObserver) { new ResizeObserver(onResize).observe(map.getContainer()); }
    map.on("resize", onResize);
    map._restorationPoints = [];
    {% for name in this.points_layers %}
    (function (layer) {
        function toggle() {
            if (map.getZoom() >= {{ this.points_below }}) { map.removeLayer(layer); }
            else if (!map.hasLayer(layer)) { map.addLayer(layer); }
        }
        map.on("zoomend", toggle);
        map.whenReady(toggle);
        map._restorationPoints.push(layer);
    })({{ name }});
    {% endfor %}
    // county names: every county has a label, shown only where it fits — inside its county's box
    // on the screen, inside the map, off the legend and the small features (dots, small sites),
    // and clear of every label placed before it (larger counties first); checked again after
    // every zoom, pan and resize
    var labels = {{ this.labels_json }}, placedLabels = [];
    if (labels.length) {
        var pane = map.createPane("countyLabels");
        pane.style.zIndex = 450;
        pane.style.pointerEvents = "none";
        placedLabels = labels.map(function (l) {
            var span = document.createElement("span");
            span.textContent = l[2];  // text, never HTML: names are user data
            var marker = L.marker([l[0], l[1]], {pane: "countyLabels", interactive: false, keyboard: false,
                icon: L.divIcon({className: "restoration-label", html: span, iconSize: null})}).addTo(map);
            return {marker: marker, span: span, box: L.latLngBounds([[l[4], l[3]], [l[6], l[5]]])};
        });
    }
    function clear(r, o, gap) {
        return r.right + gap <= o.left || r.left >= o.right + gap || r.bottom + gap <= o.top || r.top >= o.bottom + gap;
    }
    function obstacles(inside) {
        // what a name must not cover: the legend, and the features small enough to hide under one
        var out = [];
        if (legend && legend.offsetWidth) { out.push(legend.getBoundingClientRect()); }
        map.getContainer().querySelectorAll("path.leaflet-interactive").forEach(function (e) {
            if (e.getAttribute("fill") === "none") { return; }  // an outline (county, watershed)
            var r = e.getBoundingClientRect();
            if (r.width > 0 && r.width < 40 && r.height < 40 && !clear(r, inside, 0)) { out.push(r); }
        });
        return out;
    }
    function declutter() {
        var gap = 3, inside = map.getContainer().getBoundingClientRect();
        var shown = obstacles(inside);
        placedLabels.forEach(function (k) {
            var r = k.span.getBoundingClientRect();
            var nw = map.latLngToContainerPoint(k.box.getNorthWest());
            var se = map.latLngToContainerPoint(k.box.getSouthEast());
            var fits = r.width > 0 && r.width <= se.x - nw.x + gap && r.height <= se.y - nw.y + gap &&
                r.left >= inside.left && r.right <= inside.right && r.top >= inside.top && r.bottom <= inside.bottom;
            var free = fits && shown.every(function (o) { return clear(r, o, gap); });
            k.span.style.visibility = free ? "visible" : "hidden";
            if (free) { shown.push(r); }
        });
    }
    map._restorationDeclutter = declutter;
    if (placedLabels.length) {
        map.on("zoomend moveend resize", declutter);
        declutter();
    }
})({{ this._parent.get_name() }});
{% endmacro %}
""")

CSS = """<style>
.restoration-label span {display:inline-block;transform:translate(-50%,-50%);font:600 12px sans-serif;
  color:#37474f;white-space:nowrap;text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 3px #fff}
.map-legend {position:absolute;bottom:28px;right:10px;z-index:1000;background:rgba(255,255,255,.92);
  padding:4px 8px;border-radius:4px;font:12px sans-serif;max-height:calc(100% - 96px);overflow:auto;
  box-shadow:0 1px 4px rgba(0,0,0,.3);max-width:45%}
.map-legend summary {cursor:pointer;font-weight:600;line-height:18px}
.map-legend div {line-height:16px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
</style>"""


class Behaviour(MacroElement):
    """Metric scale bar, fit-to-content on first paint (and when a hidden tab first shows the
    map), dots that give way to polygons when zoomed in, and county names as text labels."""

    def __init__(self, bounds, labels, points_layers=(), max_zoom: int = FIT_MAX_ZOOM):
        super().__init__()
        self._template = BEHAVIOUR
        self.bounds_json = js_json(None if bounds is None else
                                    [[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
        self.labels_json = js_json(labels)
        self.points_layers = list(points_layers)
        self.points_below = POINTS_BELOW_ZOOM
        self.max_zoom = max_zoom


def js_json(value) -> str:
    """JSON safe inside a ``<script>`` element (no ``</script>`` can close it)."""
    return (json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026"))


def county_labels(counties: gpd.GeoDataFrame | None) -> list[list]:
    """One label per county: [lat, lon, name, minx, miny, maxx, maxy] (the name at a point inside
    the county, and the county's box, which the label must fit in to be shown), the largest
    county first: where labels collide, the larger county keeps its name."""
    if counties is None or counties.empty:
        return []
    geoms = counties.geometry
    order = np.argsort(-geoms.area.to_numpy(), kind="stable")
    points = geoms.representative_point().to_numpy()
    bounds = geoms.bounds.to_numpy()
    names = counties["name"].to_numpy(dtype=object)
    return [[round(points[i].y, 5), round(points[i].x, 5), "" if names[i] is None else str(names[i]),
             *(round(float(v), 5) for v in bounds[i])] for i in order]
