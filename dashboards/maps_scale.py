"""The overview map for many sites (a province's decade of cases: 20,000–100,000 sites).

The folium builder in :mod:`dashboards.maps` writes every site as a GeoJSON feature with its
properties: 5.3 MB of HTML at 20,000 sites, 26.7 MB at 100,000. At regional zoom a site is a
few pixels, so this module sends only what the view needs:

* up to :data:`GRID_ABOVE` sites: one point per site (a point on its surface), packed as text
  (:func:`points_payload`): coordinates as fixed-width base-64 offsets (1e-5° ≈ 1 m steps),
  ids and names HTML-escaped and front-coded (:func:`front_code`), one run length and category
  per case — about 14 bytes a site for sequential ids and names instead of ≈ 270 as GeoJSON
  (≈ 0.28 MB of map HTML at 20,000 sites). The browser decodes the coordinates in one pass,
  projects them once (spherical Mercator at zoom 0, scaled per zoom), draws every site on one
  canvas, and decodes the ids and names at the first hover; a pixel grid built then finds the
  site under the pointer for its tooltip and for the click that opens its case (passed to
  ``st_folium`` as ``last_active_drawing``);
* above that: sites aggregated into grid cells sized so at most :data:`MAX_CELLS` are drawn, each
  coloured by its most frequent category and sized by its count, on one canvas as well; a click
  zooms into the cell;
* when the user zooms in, :func:`view_detail` returns the sites inside the current bounds as
  simplified polygons (at most :data:`DETAIL_LIMIT`), for ``st_folium(...,
  feature_group_to_add=...)`` with the ``bounds`` and ``zoom`` it returns.

Where first paint goes at 20,000 sites (``benchmarks/dashboard.py`` prints the split and a
floor, the same page on 50 sites): the page's server run and Streamlit's rendering until the
message with the map arrives, the component frame's start-up until it holds the map HTML, then
the map script. The folium HTML travels inside streamlit-folium's arguments (WebSocket, then
``postMessage`` into the frame), so every byte is carried and parsed twice; packed as text the
map's decode and draw take about 0.1 s of the browser's main thread (CPU profile), against
about 0.2 s for the JSON integer columns this replaced and seconds for GeoJSON.

Every user-supplied value (site ids and names, case ids and titles) is HTML-escaped before it
is packed, and the packed data is embedded as JSON with ``<`` escaped, so no value can close the
script or run as markup; the front-coding separator ``'`` cannot occur in an escaped value.
``RESTORATION_MAP_BASELINE=1`` (benchmarks) keeps the folium builder.
"""
from __future__ import annotations

import html
import json
import math
import os

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from jinja2 import Template

from restoration.model import CaseClass, Stage

from .i18n import t, vocab
from .map_behaviour import FIT_MAX_ZOOM
from .map_style import (CLASS_COLOURS, NO_CASE_COLOUR, STAGE_COLOURS, base_map, finish, legend, outline_items,
                        padded)

#: above this many sites the overview uses this module's packed layers
LARGE_ABOVE = 2000
#: above this many sites the overview aggregates sites into grid cells
GRID_ABOVE = 30_000
#: at most this many grid cells are drawn
MAX_CELLS = 4000
#: polygons of the current view are sent from this zoom level on ...
DETAIL_MIN_ZOOM = 12
#: ... and only when at most this many sites are in view (else points)
DETAIL_LIMIT = 3000
#: packed coordinates: 1e-5 degree (≈ 1 m) integer steps
SCALE = 100_000
BASELINE_ENV = "RESTORATION_MAP_BASELINE"
LARGE_ABOVE_ENV = "RESTORATION_MAP_LARGE_ABOVE"


def use_scaled(n_sites: int) -> bool:
    """True when the overview of ``n_sites`` should use the packed layers (above
    :data:`LARGE_ABOVE`, or above ``RESTORATION_MAP_LARGE_ABOVE`` when set: a server with slow
    clients may switch earlier; the tests switch a small store)."""
    limit = os.environ.get(LARGE_ABOVE_ENV, "").strip()
    return n_sites > (int(limit) if limit.isdigit() else LARGE_ABOVE) and os.environ.get(BASELINE_ENV) != "1"


def surface_points(geoms: gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude of a point on each geometry's surface (vectorised) [degrees]."""
    pts = shapely.point_on_surface(geoms.to_numpy())
    xy = shapely.get_coordinates(pts)
    return xy[:, 0], xy[:, 1]


def _json(obj) -> str:
    """JSON safe to place inside a <script> element."""
    return (json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _escaped(values) -> list[str]:
    """``html.escape`` of each value as text ("" for a missing one), vectorised."""
    ser = pd.Series(np.asarray(values, dtype=object) if not isinstance(values, pd.Series) else values.to_numpy(dtype=object),
                    dtype=object)
    text = ser.where(ser.notna(), "").astype(str).astype("string[pyarrow]")
    for raw, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;")):
        text = text.str.replace(raw, entity, regex=False)
    return text.tolist()


def _palette(colour_by: str):
    return (STAGE_COLOURS, "stage", Stage) if colour_by == "stage" else (CLASS_COLOURS, "case_class", CaseClass)


def _categories(sites: pd.DataFrame, cases: pd.DataFrame, colour_by: str, lang: str):
    """Per site: category index into ``colours``/``labels`` (the last entry: no case)."""
    palette, column, enum = _palette(colour_by)
    codes = list(palette)
    by_case = cases.set_index("case_id")[column] if len(cases) else pd.Series(dtype=object)
    cat = sites["case_id"].map(by_case)
    index = pd.Categorical(cat, categories=codes).codes.astype(np.int64)
    index[index < 0] = len(codes)
    colours = [palette[c] for c in codes] + [NO_CASE_COLOUR]
    labels = [vocab(enum, c, lang) for c in codes] + [t("map.no_case", lang)]
    return index, colours, labels


#: what both packed layers share: the Mercator projection of their items and the canvas layer they
#: extend (one canvas over the overlay pane, redrawn once per frame after moves, items drawn as
#: circles one path per colour). The enclosing script declares ``n`` (items) and ``U``, ``V``
#: (their projected positions, filled with ``mercator``).
_CANVAS_LAYER_JS = """
  // spherical Mercator at zoom 0 in units of the world's width (Leaflet's EPSG:3857)
  function mercator(i, lat, lon) {
    lat = Math.max(-85.0511287798, Math.min(85.0511287798, lat));
    U[i] = 0.5 + lon / 360;
    V[i] = 0.5 - Math.log(Math.tan(Math.PI / 4 + lat * Math.PI / 360)) / (2 * Math.PI);
  }
  var CanvasLayer = L.Layer.extend({
    onAdd: function (m) {
      this._canvas = L.DomUtil.create("canvas", this._css);
      this._canvas.style.position = "absolute";
      this._canvas.style.pointerEvents = "none";
      this._px = new Float32Array(2 * n);
      m.getPane("overlayPane").appendChild(this._canvas);
      m.on("moveend zoomend resize viewreset", this._redraw, this);
      m.on("zoomstart", this._hide, this);
      m.on("mousemove", this._hover, this);
      m.on("click", this._click, this);
      this._redraw();
    },
    onRemove: function (m) {
      L.DomUtil.remove(this._canvas);
      m.off("moveend zoomend resize viewreset", this._redraw, this);
      m.off("zoomstart", this._hide, this);
      m.off("mousemove", this._hover, this);
      m.off("click", this._click, this);
    },
    _hide: function () { this._canvas.style.display = "none"; },
    // the fit on first paint fires viewreset, zoomend and moveend at once: one draw for them
    _redraw: function () {
      if (this._pending) return;
      this._pending = L.Util.requestAnimFrame(function () { this._pending = null; if (this._map) this._draw(); }, this);
    },
    // the canvas over the current view and every item's pixel position (this._px); its context
    _place: function () {
      var m = this._map, size = this._size = m.getSize(), c = this._canvas, px = this._px;
      c.style.display = "";
      L.DomUtil.setPosition(c, m.containerPointToLayerPoint([0, 0]));
      c.width = size.x; c.height = size.y;
      var sc = m.options.crs.scale(m.getZoom()), origin = m.getPixelOrigin(), pane = m._getMapPanePos();
      var ox = pane.x - origin.x, oy = pane.y - origin.y;
      for (var i = 0; i < n; i++) { px[2 * i] = U[i] * sc + ox; px[2 * i + 1] = V[i] * sc + oy; }
      return c.getContext("2d");
    },
    // the items in view as circles, one path per colour; radius: one for all, or one per item
    _circles: function (ctx, cat, colours, radius, alpha) {
      var px = this._px, size = this._size, fixed = typeof radius === "number";
      for (var k = 0; k < colours.length; k++) {
        ctx.beginPath();
        var any = false;
        for (var i = 0; i < n; i++) {
          if (cat[i] !== k) continue;
          var x = px[2 * i], y = px[2 * i + 1], r = fixed ? radius : radius[i];
          if (x < -r || y < -r || x > size.x + r || y > size.y + r) continue;
          ctx.moveTo(x + r, y); ctx.arc(x, y, r, 0, 6.2832); any = true;
        }
        if (!any) continue;
        ctx.fillStyle = colours[k]; ctx.globalAlpha = alpha; ctx.fill();
        ctx.globalAlpha = 1; ctx.lineWidth = 1; ctx.strokeStyle = colours[k]; ctx.stroke();
      }
      this._drawn = true;
      this._map._packedDrawn = n;
    }
  });
"""

_POINTS_JS = Template("""
{% macro script(this, kwargs) %}
(function () {
  var d = {{ this.payload }};
  var map = {{ this._parent.get_name() }};
  {{ this.canvas_layer }}
  // decode the packed text (see maps_scale.points_payload): digits of a 64-character alphabet
  var A = new Int8Array(128);
  for (var a = 0; a < 64; a++) A[d.alphabet.charCodeAt(a)] = a;
  var n = d.count, w = d.width, xy = d.xy, X = new Int32Array(n), Y = new Int32Array(n);
  var U = new Float64Array(n), V = new Float64Array(n), C = new Uint8Array(n), K = new Int32Array(n);
  for (var i = 0, j = 0; i < n; i++) {
    var x = 0, y = 0;
    for (var q = 0; q < w; q++) x = x * 64 + A[xy.charCodeAt(j++)];
    for (var q = 0; q < w; q++) y = y * 64 + A[xy.charCodeAt(j++)];
    X[i] = x; Y[i] = y;
    mercator(i, (d.y0 + y) / d.scale, (d.x0 + x) / d.scale);
  }
  // sites come grouped by case: runs[k] sites of case k, then the sites without a case
  for (var k = 0, i = 0; k < d.runs.length; k++) for (var r = 0; r < d.runs[k]; r++, i++) { K[i] = k; C[i] = d.cc[k]; }
  for (; i < n; i++) { K[i] = -1; C[i] = d.nc; }
  function latlng(i) { return [(d.y0 + Y[i]) / d.scale, (d.x0 + X[i]) / d.scale]; }
  // ids and names: front-coded (shared-prefix length, rest, "'"), decoded at the first hover
  var ids = null, names = null;
  function front(text) {
    var out = new Array(n), prev = "", j = 0;
    for (var i = 0; i < n; i++) {
      var end = text.indexOf("'", j + 1);
      prev = out[i] = prev.slice(0, A[text.charCodeAt(j)]) + text.slice(j + 1, end);
      j = end + 1;
    }
    return out;
  }
  function texts() { if (!ids) { ids = front(d.s); names = front(d.n); } }
  // clicks reach st_folium through this (empty) group: it is in the map's layers
  var clicks = L.featureGroup().addTo(map);
  var tooltip = L.tooltip({sticky: true});
  // the ids back as plain text for st_folium (a textarea parses entities, never markup)
  var decoder = document.createElement("textarea");
  function text(escaped) { decoder.innerHTML = escaped; return decoder.value; }
  // every site drawn in one pass on one canvas; a pixel grid (built at the first hover after a
  // draw) finds the site under the pointer
  var Points = CanvasLayer.extend({
    _css: "packed-sites",
    _draw: function () {
      this._circles(this._place(), C, d.colours, d.radius, 0.8);
      this._cell = null;  // the pointer grid is rebuilt at the next hover
    },
    _grid: function () {
      var s = this._s = 2 * d.radius + 2, px = this._px, size = this._size, r = d.radius, cell = new Map();
      for (var i = 0; i < n; i++) {
        var x = px[2 * i], y = px[2 * i + 1];
        if (x < -r || y < -r || x > size.x + r || y > size.y + r) continue;
        var key = Math.floor(x / s) * 65536 + Math.floor(y / s), list = cell.get(key);
        if (list) list.push(i); else cell.set(key, [i]);
      }
      return this._cell = cell;
    },
    _find: function (pt) {
      if (!this._size) return -1;  // not drawn yet
      var cell = this._cell || this._grid(), s = this._s, best = -1, bestD = (d.radius + 3) * (d.radius + 3);
      var cx = Math.floor(pt.x / s), cy = Math.floor(pt.y / s);
      for (var a = cx - 1; a <= cx + 1; a++) for (var b = cy - 1; b <= cy + 1; b++) {
        var list = cell.get(a * 65536 + b) || [];
        for (var j = 0; j < list.length; j++) {
          var i = list[j], dx = this._px[2 * i] - pt.x, dy = this._px[2 * i + 1] - pt.y;
          if (dx * dx + dy * dy <= bestD) { bestD = dx * dx + dy * dy; best = i; }
        }
      }
      return best;
    },
    _hover: function (e) {
      var i = this._find(e.containerPoint);
      this._map.getContainer().style.cursor = i < 0 ? "" : "pointer";
      if (i < 0) { this._map.closeTooltip(tooltip); return; }
      texts();
      var k = K[i];  // values were escaped on the server
      tooltip.setLatLng(e.latlng).setContent("<b>" + ids[i] + "</b> " + names[i] + "<br>" + d.labels[C[i]] +
        (k < 0 ? "" : "<br>" + d.cases[k] + " " + d.titles[k]));
      if (!this._map.hasLayer(tooltip)) tooltip.addTo(this._map);
    },
    _click: function (e) {
      var i = this._find(e.containerPoint);
      if (i < 0) return;
      texts();
      var k = K[i], site = L.circleMarker(latlng(i));
      site.feature = {type: "Feature", properties: {site_id: text(ids[i]), case_id: k < 0 ? null : text(d.cases[k])}};
      clicks.fire("click", {layer: site, latlng: e.latlng, sourceTarget: site});
    }
  });
  var layer = new Points();
  // for tests: the decoded sites (plain-text id and name, latitude, longitude)
  layer._sites = function () { texts(); var out = []; for (var i = 0; i < n; i++) out.push([text(ids[i]), text(names[i])].concat(latlng(i))); return out; };
  layer._site_latlng = function (id) { texts(); for (var i = 0; i < n; i++) if (text(ids[i]) === id) return latlng(i); return null; };
  layer._clicks = clicks;
  layer.addTo(map);
  {{ this.get_name() }} = layer;
})();
{% endmacro %}
""")

_GRID_JS = Template("""
{% macro script(this, kwargs) %}
(function () {
  var d = {{ this.payload }};
  var map = {{ this._parent.get_name() }};
  {{ this.canvas_layer }}
  var n = d.n.length, half = d.cell / 2;
  var lat = new Float64Array(n), lon = new Float64Array(n), U = new Float64Array(n), V = new Float64Array(n);
  var radius = new Float32Array(n);
  for (var i = 0; i < n; i++) {
    lon[i] = d.x0 + (d.ix[i] + 0.5) * d.cell; lat[i] = d.y0 + (d.iy[i] + 0.5) * d.cell;
    mercator(i, lat[i], lon[i]);
    radius[i] = Math.min(14, 3 + 2.2 * Math.log(1 + d.n[i]));
  }
  var tooltip = L.tooltip({sticky: true});
  // every cell drawn in one pass on one canvas (thousands of circle markers cost a second)
  var Cells = CanvasLayer.extend({
    _css: "packed-cells",
    _draw: function () {
      this._circles(this._place(), d.c, d.colours, radius, 0.75);
    },
    _find: function (pt) {  // the nearest cell whose circle holds the pointer
      if (!this._size) return -1;  // not drawn yet
      var best = -1, bestD = Infinity;
      for (var i = 0; i < n; i++) {
        var dx = this._px[2 * i] - pt.x, dy = this._px[2 * i + 1] - pt.y, dd = dx * dx + dy * dy;
        if (dd <= (radius[i] + 1) * (radius[i] + 1) && dd < bestD) { bestD = dd; best = i; }
      }
      return best;
    },
    _hover: function (e) {
      var i = this._find(e.containerPoint);
      this._map.getContainer().style.cursor = i < 0 ? "" : "pointer";
      if (i < 0) { this._map.closeTooltip(tooltip); return; }
      tooltip.setLatLng(e.latlng).setContent(d.count_label.replace("{n}", d.n[i]) + "<br>" + d.main_label + " " +
                                             d.labels[d.c[i]]);
      if (!this._map.hasLayer(tooltip)) tooltip.addTo(this._map);
    },
    _click: function (e) {  // zoom into the cell
      var i = this._find(e.containerPoint);
      if (i < 0) return;
      this._map.fitBounds([[lat[i] - half, lon[i] - half], [lat[i] + half, lon[i] + half]], {maxZoom: d.max_zoom});
    }
  });
  var layer = new Cells();
  layer._cell_latlng = function (i) { return [lat[i], lon[i]]; };
  layer.addTo(map);
  {{ this.get_name() }} = layer;
})();
{% endmacro %}
""")


class _RawScript(Element):
    """Script text placed as it is: branca's ``Element`` would compile it as a Jinja template,
    which for a megabyte of packed data costs about a second."""

    def __init__(self, text: str):
        super().__init__()
        self._text = text

    def render(self, **kwargs) -> str:
        return self._text


class PackedLayer(MacroElement):
    """A layer drawn in the browser from packed columns (see the module docstring)."""

    canvas_layer = _CANVAS_LAYER_JS

    def __init__(self, payload: dict | str, template: Template, name: str = "packed_sites"):
        super().__init__()
        self._name = name
        self._template = template
        self.payload = payload if isinstance(payload, str) else _json(payload)

    def render(self, **kwargs) -> None:
        script = self._template.module.__dict__["script"](self, kwargs)
        self.get_root().script.add_child(_RawScript(script), name=self.get_name())


#: packed payloads of the last few maps (the page reruns on every widget change)
_CACHE: dict[tuple, tuple] = {}
_CACHE_SIZE = 4


def _fingerprint(sites: pd.DataFrame, cases: pd.DataFrame, *extra) -> tuple:
    """A cheap key for "the same sites and cases": hashes of ids, case fields and bounds."""
    site_hash = int(pd.util.hash_pandas_object(sites[["site_id", "case_id", "name"]].astype(str),
                                               index=False).sum()) if len(sites) else 0
    cols = [c for c in ("case_id", "stage", "case_class", "title") if c in cases]
    case_hash = int(pd.util.hash_pandas_object(cases[cols].astype(str), index=False).sum()) if len(cases) else 0
    return (len(sites), site_hash, case_hash, tuple(np.round(sites.total_bounds, 7)) if len(sites) else (), *extra)


def _packed(kind: str, sites, cases, colour_by: str, lang: str) -> tuple:
    """(payload JSON, categories present, colours, labels) of the points or grid layer, cached
    by fingerprint."""
    key = _fingerprint(sites, cases, kind, colour_by, lang, GRID_ABOVE, MAX_CELLS)
    if key not in _CACHE:
        build = grid_payload if kind == "grid" else points_payload
        payload = build(sites, cases, colour_by=colour_by, lang=lang)
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = (_json(payload), _present(payload), payload["colours"], payload["labels"])
    return _CACHE[key]


#: digits of the packed text: 64 characters that JSON, HTML and the front-coding separator leave alone
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
#: ends each front-coded value: ``html.escape`` turns every ``'`` of a value into ``&#x27;``
SEPARATOR = "'"


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """Non-negative integers as ``width`` base-64 digits each (most significant first), as
    ASCII codes of :data:`ALPHABET`; shape ``(len(values), width)``."""
    codes = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)
    powers = 64 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return codes[(values[:, None] // powers) % 64]


def front_code(values: list[str]) -> str:
    """Front coding: each value as its shared-prefix length with the previous value (one
    :data:`ALPHABET` digit, at most 63 UTF-16 code units, never inside a surrogate pair), the
    rest of the value and :data:`SEPARATOR`. Values must not contain the separator (escape them
    first). Sequential ids and names ("场地 10041", "场地 10042") cost 3–4 characters each."""
    if any(SEPARATOR in v for v in values):
        raise ValueError(f"front-coded value contains {SEPARATOR!r}: escape it first")
    if not values:
        return ""
    # shared prefixes of neighbours, vectorised over the first 63 characters (code points)
    head = np.array([v[:63] for v in values], dtype="<U63").view(np.uint32).reshape(len(values), 63)
    same = np.vstack([np.zeros((1, 63), dtype=bool), head[1:] == head[:-1]])
    same &= head != 0  # padding is not a shared character
    prefix = np.where(same.all(axis=1), 63, np.argmin(same, axis=1))
    # JavaScript counts characters beyond the BMP as two code units: count those, and cap at 63
    if head.max() <= 0xFFFF:
        return "".join(f"{ALPHABET[p]}{v[p:]}{SEPARATOR}" for v, p in zip(values, prefix.tolist()))
    astral = np.cumsum(head > 0xFFFF, axis=1)
    units = prefix + np.where(prefix > 0, astral[np.arange(len(values)), np.maximum(prefix - 1, 0)], 0)
    while (units > 63).any():
        over = units > 63
        prefix[over] -= 1
        units[over] = prefix[over] + np.where(prefix[over] > 0, astral[over, np.maximum(prefix[over] - 1, 0)], 0)
    digits = [ALPHABET[u] for u in units.tolist()]
    return "".join(f"{d}{v[p:]}{SEPARATOR}" for d, v, p in zip(digits, values, prefix.tolist()))


def points_payload(sites: gpd.GeoDataFrame, cases: pd.DataFrame, *, colour_by: str = "stage",
                   lang: str = "zh") -> dict:
    """One point per site, packed as text the browser decodes in one pass.

    Sites are ordered by case id, then site id, the sites without a case last, so one run length per case gives each
    site its case (``runs``) and category (``cc``; ``nc`` for sites without a case).
    ``xy``: per site its x then y offset from the south-west corner (``x0``, ``y0``) in
    1/``scale`` degree steps [1e-5° ≈ 1 m], ``width`` base-64 digits each. ``s``, ``n``: the
    HTML-escaped ids and names, front-coded (:func:`front_code`). ``cases``, ``titles``: the
    escaped case ids and titles.
    """
    x, y = surface_points(sites.geometry)
    x0 = int(math.floor(x.min() * SCALE)) if len(x) else 0
    y0 = int(math.floor(y.min() * SCALE)) if len(y) else 0
    cat, colours, labels = _categories(sites, cases, colour_by, lang)
    case_col = sites["case_id"].where(sites["case_id"].notna(), None)
    order = pd.DataFrame({"case": case_col.isna().to_numpy(), "case_id": case_col.fillna("").astype(str).to_numpy(),
                          "site_id": sites["site_id"].astype(str).to_numpy()}).sort_values(
        ["case", "case_id", "site_id"], kind="stable").index.to_numpy()
    ix = np.rint(x[order] * SCALE - x0).astype(np.int64)
    iy = np.rint(y[order] * SCALE - y0).astype(np.int64)
    width, top = 1, int(max(ix.max(initial=0), iy.max(initial=0)))
    while 64 ** width <= top:
        width += 1
    xy = np.hstack([_digits(ix, width), _digits(iy, width)]).tobytes().decode("ascii")
    case_arr = case_col.to_numpy(dtype=object)[order]
    has = pd.notna(case_arr)
    codes, uniques = pd.factorize(case_arr[has])  # grouped and sorted: runs in order
    case_ids = [str(c) for c in uniques]
    runs = np.bincount(codes, minlength=len(case_ids)) if len(codes) else np.zeros(0, dtype=np.int64)
    first = np.concatenate([[0], np.cumsum(runs)[:-1]]).astype(np.int64) if len(runs) else np.zeros(0, dtype=np.int64)
    titles = cases.set_index("case_id")["title"].reindex(uniques) if case_ids else pd.Series(dtype=object)
    return {
        "scale": SCALE, "x0": x0, "y0": y0, "count": int(len(sites)), "width": width,
        "alphabet": ALPHABET, "xy": xy,
        "s": front_code(_escaped(sites["site_id"].iloc[order])),
        "n": front_code(_escaped(sites["name"].iloc[order])),
        "cases": _escaped(case_ids), "titles": _escaped(titles.tolist()),
        "runs": runs.astype(int).tolist(), "cc": cat[order][has][first].astype(int).tolist(),
        "nc": len(colours) - 1,
        "colours": colours, "labels": [html.escape(v) for v in labels],
        "radius": 4 if len(sites) > 5000 else 5,
    }


def _present(payload: dict) -> list[int]:
    """The categories a payload draws (for the legend)."""
    if "cc" not in payload:
        return sorted(set(payload["c"]))
    return sorted(set(payload["cc"]) | ({payload["nc"]} if payload["count"] > sum(payload["runs"]) else set()))


def grid_payload(sites: gpd.GeoDataFrame, cases: pd.DataFrame, *, colour_by: str = "stage",
                 lang: str = "zh", max_cells: int = MAX_CELLS) -> dict:
    """Sites counted per square grid cell [degrees], with each cell's most frequent category;
    the cell is the smallest power-of-two fraction of the extent giving ≤ ``max_cells`` cells."""
    x, y = surface_points(sites.geometry)
    cat, colours, labels = _categories(sites, cases, colour_by, lang)
    x0, y0 = float(x.min()), float(y.min())
    extent = max(float(x.max()) - x0, float(y.max()) - y0, 1e-6)
    cell = extent / 2 ** 10
    while True:
        ix = np.floor((x - x0) / cell).astype(np.int64)
        iy = np.floor((y - y0) / cell).astype(np.int64)
        key = ix * 1_000_003 + iy
        if len(np.unique(key)) <= max_cells:
            break
        cell *= 2
    frame = pd.DataFrame({"key": key, "ix": ix, "iy": iy, "c": cat})
    counts = frame.groupby(["key", "c"]).size().rename("n").reset_index()
    main = counts.sort_values(["key", "n", "c"], ascending=[True, False, True]).drop_duplicates("key")
    cells = frame.drop_duplicates("key").set_index("key").loc[main["key"], ["ix", "iy"]]
    total = frame.groupby("key").size().reindex(main["key"])
    return {
        "x0": x0, "y0": y0, "cell": cell, "ix": cells["ix"].tolist(), "iy": cells["iy"].tolist(),
        "n": total.astype(int).tolist(), "c": main["c"].astype(int).tolist(),
        "colours": colours, "labels": [html.escape(v) for v in labels],
        "count_label": html.escape(t("map.cell_count", lang)), "main_label": html.escape(t("map.cell_main", lang)),
        "max_zoom": FIT_MAX_ZOOM,
    }


def overview_map(sites: gpd.GeoDataFrame, cases: pd.DataFrame, *, colour_by: str = "stage",
                 lang: str = "zh", counties=None, watersheds=None, tiles: str | None = None,
                 asset_prefix: str | None = None) -> folium.Map:
    """The overview map for many sites: packed points, or grid cells above :data:`GRID_ABOVE`."""
    kwargs = {} if asset_prefix is None else {"asset_prefix": asset_prefix}
    bounds = padded(sites.total_bounds, 0.01) if len(sites) else None
    m = base_map(bounds, tiles=tiles, counties=counties, watersheds=watersheds, lang=lang,
                      canvas=True, **kwargs)
    grid = len(sites) > GRID_ABOVE
    data, present, colours, labels = _packed("grid" if grid else "points", sites, cases, colour_by, lang)
    m.add_child(PackedLayer(data, _GRID_JS if grid else _POINTS_JS, "site_cells" if grid else "site_points"))
    # the legend escapes its labels itself: give it the plain text
    legend(m, t("map.colour_" + ("stage" if colour_by == "stage" else "class"), lang),
                 [("dot", html.unescape(labels[i]), colours[i]) for i in present]
                 + outline_items(counties, watersheds, lang))
    folium.LayerControl(collapsed=True).add_to(m)
    return finish(m)  # metric scale bar, fit to the sites in the browser, county names


def view_detail(sites: gpd.GeoDataFrame, cases: pd.DataFrame, bounds, zoom: float | None, *,
                colour_by: str = "stage", lang: str = "zh",
                limit: int = DETAIL_LIMIT) -> folium.FeatureGroup | None:
    """Polygons of the sites inside ``bounds`` (as ``st_folium`` returns them:
    ``{"_southWest": {"lat", "lng"}, "_northEast": {...}}`` or (minx, miny, maxx, maxy)), simplified
    for ``zoom``; None when zoomed out (below :data:`DETAIL_MIN_ZOOM`) or more than ``limit``
    sites are in view — the packed overview already shows them."""
    if zoom is None or zoom < DETAIL_MIN_ZOOM or bounds is None:
        return None
    if isinstance(bounds, dict):
        sw, ne = bounds.get("_southWest") or {}, bounds.get("_northEast") or {}
        if None in (sw.get("lng"), sw.get("lat"), ne.get("lng"), ne.get("lat")):
            return None
        bounds = (sw["lng"], sw["lat"], ne["lng"], ne["lat"])
    inside = sites.iloc[sites.sindex.query(shapely.box(*bounds), predicate="intersects")]
    if inside.empty or len(inside) > limit:
        return None
    # tolerance: about one pixel at this zoom (256 px tiles over 360°)
    tolerance = 360.0 / (256 * 2 ** float(zoom))
    cat, colours, labels = _categories(inside, cases, colour_by, lang)
    titles = cases.set_index("case_id")["title"] if len(cases) else pd.Series(dtype=object)
    frame = gpd.GeoDataFrame({
        "site_id": _escaped(inside["site_id"]), "name": _escaped(inside["name"]),
        "case_id": inside["case_id"].where(inside["case_id"].notna(), None).to_numpy(),
        "case": _escaped(inside["case_id"].map(titles).fillna("")),
        "stage_label": [html.escape(labels[i]) for i in cat], "_colour": [colours[i] for i in cat],
    }, geometry=inside.geometry.simplify(tolerance, preserve_topology=True).to_numpy(), crs=4326)
    group = folium.FeatureGroup(name=t("map.sites", lang))
    folium.GeoJson(
        frame.to_json(drop_id=True),
        style_function=lambda f: {"color": f["properties"]["_colour"], "weight": 2,
                                  "fillColor": f["properties"]["_colour"], "fillOpacity": 0.45},
        marker=folium.CircleMarker(radius=5, weight=1, fill=True, fill_opacity=0.8),
        # values were escaped above; folium inserts tooltip values as HTML
        tooltip=folium.GeoJsonTooltip(["site_id", "name", "stage_label", "case"], labels=False),
    ).add_to(group)
    return group
