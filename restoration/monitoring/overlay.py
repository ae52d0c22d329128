"""Raster windows for maps: the dashboards' way to show an NDVI composite around a site without
opening files themselves.

``ingest_raster`` records where each raster source lives (layer ``raster_sources``: source
label, indicator, location, the ``open_cube`` options, dates); these functions reopen it lazily
and cut a small window. The window is warped to EPSG:4326 for display only — statistics never
warp the raster. A source whose files have moved gives ``None`` / ``[]``, not an error.
"""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from ..errors import RestorationError
from ..store import Store


def _sources(store: Store, indicator: str) -> list[dict]:
    """The registered sources of ``indicator``, newest first (several may cover different
    areas: the sample's NDVI stack and a case's satellite scenes)."""
    if "raster_sources" not in store.layers():
        return []
    rows = store.read("raster_sources", indicator=indicator)
    return rows.sort_values("ingested_at", kind="stable").iloc[::-1].to_dict("records")


def _source(store: Store, indicator: str) -> dict | None:
    found = _sources(store, indicator)
    return found[0] if found else None


@lru_cache(maxsize=8)
def _open(location: str, options: str, ingested_at: str):
    from .cube import open_cube
    opts = json.loads(options)
    if opts.get("kind") in ("scenes", "stac"):  # spectral-index sources
        from .scene_ingest import reopen_index
        return reopen_index({"location": location, "options": opts})
    source = json.loads(location) if location.startswith("[") else location
    return open_cube(source, validate="none", **opts)


def _cube(store: Store, indicator: str, src: dict | None = None):
    src = src or _source(store, indicator)
    if src is None:
        return None
    try:  # keyed on the ingestion time too, so a re-ingested source is reopened
        return _open(src["location"], json.dumps(src.get("options") or {}, sort_keys=True),
                     str(src.get("ingested_at")))
    except RestorationError:
        return None


def raster_times(store: Store, indicator: str = "ndvi") -> list[pd.Timestamp]:
    """Dates of the latest raster source of ``indicator`` (empty if none is registered)."""
    cube = _cube(store, indicator)
    return [] if cube is None else list(pd.DatetimeIndex(cube["time"].values))


def raster_window(store: Store, bounds: tuple[float, float, float, float], indicator: str = "ndvi",
                  time: Any = None, *, pad: float = 0.3, max_pixels: int = 600) -> dict | None:
    """The raster around ``bounds`` (lon/lat: minx, miny, maxx, maxy) on the date nearest
    ``time`` (default the latest): ``{"values": 2-D float array (NaN = no data), "bounds":
    (minx, miny, maxx, maxy) in EPSG:4326, "time": "YYYY-MM-DD"}``, or None when the raster
    does not reach the area. With several sources of the indicator, the newest that reaches the
    area is used."""
    for src in _sources(store, indicator):
        cube = _cube(store, indicator, src)
        found = None if cube is None else _window(cube, bounds, time, pad, max_pixels)
        if found is not None:
            return found
    return None


def _window(cube, bounds, time, pad: float, max_pixels: int) -> dict | None:
    from rasterio.warp import transform_bounds
    minx, miny, maxx, maxy = bounds
    dx, dy = (maxx - minx) * pad + 1e-4, (maxy - miny) * pad + 1e-4
    box = transform_bounds("EPSG:4326", cube.rio.crs, minx - dx, miny - dy, maxx + dx, maxy + dy)
    layer = cube.isel(time=-1) if time is None else cube.sel(time=pd.Timestamp(time), method="nearest")
    try:
        window = layer.rio.clip_box(*box)
    except Exception:  # rioxarray raises when the box misses the raster
        return None
    step = max(1, int(np.ceil(max(window.sizes["y"], window.sizes["x"]) / max_pixels)))
    if step > 1:
        window = window.isel(y=slice(None, None, step), x=slice(None, None, step))
    window = window.load()
    if window.rio.crs.to_epsg() != 4326:
        window = window.rio.write_nodata(np.nan).rio.reproject("EPSG:4326")
    values = np.asarray(window.values, dtype=float)
    if values.size == 0 or np.isnan(values).all():
        return None
    return {"values": values, "bounds": tuple(float(v) for v in window.rio.bounds()),
            "time": str(pd.Timestamp(window["time"].values).date())}


def latest_raster_window(store: Store, bounds: tuple[float, float, float, float],
                         indicator: str = "ndvi") -> dict | None:
    """:func:`raster_window` on the latest date."""
    return raster_window(store, bounds, indicator)
