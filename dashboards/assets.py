"""Offline map assets: Leaflet served by the platform itself, not from public CDNs.

folium's default JavaScript and CSS (Leaflet, jQuery, Bootstrap, awesome-markers) come from
CDNs, which government intranets and offline machines cannot reach — the map would not render.
Leaflet's files are taken from the ``xstatic-leaflet`` package into ``dashboards/static/`` (served
by Streamlit's static file serving at ``/app/static/``) and every map points at them. The maps use
only Leaflet (circle markers and GeoJSON, no icons), so jQuery, Bootstrap and awesome-markers
are dropped.
"""
from __future__ import annotations

from pathlib import Path

import xstatic.pkg.leaflet as xs_leaflet

from restoration import files

STATIC_DIR = Path(__file__).with_name("static")
URL_PREFIX = "/app/static"
LEAFLET_FILES = ("leaflet.js", "leaflet.css", "images/layers.png", "images/layers-2x.png",
                 "images/marker-icon.png", "images/marker-icon-2x.png", "images/marker-shadow.png")


def ensure_static() -> Path:
    """Copy Leaflet from the installed xstatic package into the static folder (once). These are
    public code files served to every browser, so they are readable by all (0644, folders 0755),
    unlike the platform's data files."""
    target = STATIC_DIR / "leaflet"
    source = Path(xs_leaflet.BASE_DIR)
    for name in LEAFLET_FILES:
        dst = target / name
        if not dst.exists() or dst.stat().st_size != (source / name).stat().st_size:
            files.make_folder(dst.parent, mode=0o755)
            files.write_bytes(dst, (source / name).read_bytes(), mode=0o644)
    return target


def local_js(prefix: str = URL_PREFIX) -> list[tuple[str, str]]:
    return [("leaflet", f"{prefix}/leaflet/leaflet.js")]


def local_css(prefix: str = URL_PREFIX) -> list[tuple[str, str]]:
    return [("leaflet_css", f"{prefix}/leaflet/leaflet.css")]


def embed_assets(m) -> None:
    """Make a folium map self-contained: Leaflet's JavaScript and CSS embedded as data URIs
    (about 200 KB), for maps saved to HTML or shown in notebooks on machines without internet.
    The CDN's jQuery, Bootstrap and awesome-markers are dropped (circle markers, GeoJSON and
    DivIcons need only Leaflet)."""
    import base64
    source = Path(xs_leaflet.BASE_DIR)
    js = base64.b64encode((source / "leaflet.js").read_bytes()).decode()
    css = base64.b64encode((source / "leaflet.css").read_bytes()).decode()
    m.default_js = [("leaflet", f"data:text/javascript;base64,{js}")]
    m.default_css = [("leaflet_css", f"data:text/css;base64,{css}")]
