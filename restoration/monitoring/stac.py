"""Open scenes listed in a STAC catalogue, collection or item collection (local files or remote
URLs) as the same band Dataset :func:`.scenes.open_scenes` gives: ``pystac`` reads the
catalogue, ``odc-stac`` loads the assets lazily (dask) onto one grid (items of one day mosaicked,
``groupby="solar_day"``).

Assets are matched to our band names by their key (``red``, ``B04``, ``SR_B4``, ``swir16`` ...)
or their ``eo:bands`` common name. Scale, offset and nodata come from the asset's
``raster:bands`` when present, else from the sensor convention (Landsat Collection 2 L2,
Sentinel-2 L2A: see :mod:`.scenes`) recognised from the collection or item id.

References
----------
STAC specification 1.0 and the ``eo``, ``raster``, ``projection`` extensions
(https://stacspec.org); odc-stac ``odc.stac.load``.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from .. import limits
from ..errors import InputError, Issue
from .scenes import (LANDSAT_OLI_TOKENS, SENTINEL2_TOKENS, normalise_band, parse_bands,
                     sensor_scaling)


#: how deep child links may nest in a catalogue (a loop of links is refused before this)
MAX_CATALOGUE_DEPTH = 20


def read_items(catalog: Any) -> list:
    """The STAC items of a catalogue / collection (recursively), an item collection, or one item
    (path or URL or pystac object). A local file is read within :data:`restoration.limits.DOCUMENT_FILE`;
    a catalogue whose child links loop back (a catalogue listing itself), an unreachable URL or a
    damaged document is an InputError naming it."""
    import pystac
    if isinstance(catalog, pystac.ItemCollection):
        return list(catalog)
    if isinstance(catalog, pystac.Item):
        return [catalog]
    if isinstance(catalog, pystac.Catalog):
        return _walk(catalog, set(), str(catalog.get_self_href() or catalog.id), 0)
    if isinstance(catalog, (list, tuple)):
        return [i for c in catalog for i in read_items(c)]
    text = str(catalog)
    remote = text.startswith(("http://", "https://", "s3://"))
    try:
        kind = None if remote else json.loads(limits.read_bounded(text, limits.DOCUMENT_FILE, text)).get("type")
        if kind == "FeatureCollection":
            return list(pystac.ItemCollection.from_file(text))
        obj = pystac.read_file(text)
        if isinstance(obj, pystac.Item):
            return [obj]
        items = _walk(obj, set(), text, 0)
    except InputError:
        raise
    except FileNotFoundError:
        raise InputError(Issue("STAC catalogue not found", source=text)) from None
    except (json.JSONDecodeError, UnicodeDecodeError, pystac.STACError, KeyError, ValueError, AttributeError) as exc:
        raise InputError(Issue(f"not a readable STAC catalogue, collection or item ({exc})", source=text)) from None
    except Exception as exc:  # noqa: BLE001 - network and I/O failures of every library pystac uses
        what = "cannot fetch the STAC catalogue" if remote else "cannot read the STAC catalogue"
        raise InputError(Issue(f"{what}: {type(exc).__name__}: {str(exc)[:300]}", source=text)) from None
    if not items:
        raise InputError(Issue("the STAC catalogue lists no items", source=text))
    return items


def _walk(catalog, seen: set, source: str, depth: int) -> list:
    """The items of ``catalog`` and of its children, refusing a loop of child links and absurd depth."""
    href = catalog.get_self_href() or f"{id(catalog)}"
    if href in seen:
        raise InputError(Issue(f"the STAC catalogue's child links loop back to {href} (a catalogue that lists "
                               "itself or an ancestor); fix the links", source=source))
    if depth > MAX_CATALOGUE_DEPTH:
        raise InputError(Issue(f"the STAC catalogue nests more than {MAX_CATALOGUE_DEPTH} levels of child "
                               "catalogues", source=source))
    seen = seen | {href}
    items = list(catalog.get_items())
    for child in catalog.get_children():
        items += _walk(child, seen, source, depth + 1)
    return items


def _sensor_of(item) -> str:
    text = f"{item.collection_id or ''} {item.id} {item.properties.get('platform', '')}".lower()
    if "landsat" in text or text.startswith(("lc08", "lc09", "lt05", "le07")):
        return "landsat-c2l2"
    if "sentinel-2" in text or "sentinel2" in text or text.startswith("s2"):
        return "sentinel2-l2a"
    return "file"


def asset_key(item, band: str) -> str | None:
    """The key of ``item``'s asset holding ``band``, or None."""
    tokens = {**{k.lower(): v for k, v in SENTINEL2_TOKENS.items()},
              **{k.lower(): v for k, v in LANDSAT_OLI_TOKENS.items()}}
    for key, asset in item.assets.items():
        if normalise_band(key) == band or tokens.get(key.lower()) == band:
            return key
        for eo in asset.extra_fields.get("eo:bands", []) or []:
            if normalise_band(eo.get("common_name") or eo.get("name") or "") == band:
                return key
    return None


def open_stac(catalog: Any, bands: str | Sequence[str], *, sensor: str = "auto", chunks: Any = None,
              groupby: str = "solar_day", bbox: Sequence[float] | None = None, dtype: str = "float32"
              ) -> xr.Dataset:
    """Load the ``bands`` of every item of ``catalog`` as a lazy ``(time, y, x)`` band Dataset
    (reflectance [1], quality bands raw). InputError naming the item and the band when an item
    lacks one of the bands."""
    import odc.stac

    wanted = parse_bands(bands)
    if not wanted:
        raise InputError(Issue("give the bands to load from the STAC items with --bands", field="bands"))
    items = read_items(catalog)
    label = str(catalog) if isinstance(catalog, (str, Path)) else "STAC"
    keys: dict[str, str] = {}
    for item in items:
        for band in wanted:
            key = asset_key(item, band)
            if key is None:
                raise InputError(Issue(f"STAC item '{item.id}' has no asset for band '{band}' (assets: "
                                       f"{', '.join(item.assets) or 'none'})", source=label, field="bands"))
            if keys.setdefault(band, key) != key:
                raise InputError(Issue(f"STAC item '{item.id}' names band '{band}' '{key}', other items "
                                       f"'{keys[band]}'", source=label, field="bands"))
    try:
        ds = odc.stac.load(items, bands=[keys[b] for b in wanted], chunks=chunks if chunks is not None else {},
                           groupby=groupby, bbox=bbox)
    except Exception as exc:  # odc raises many kinds; name the catalogue
        raise InputError(Issue(f"cannot load the STAC assets ({type(exc).__name__}: {exc})", source=label)) from None
    ds = ds.rename({keys[b]: b for b in wanted if keys[b] != b})
    ds = ds.rename({d: n for d, n in (("latitude", "y"), ("longitude", "x")) if d in ds.dims})
    limits.check_pixels(ds.sizes["x"], ds.sizes["y"], label)
    times = pd.DatetimeIndex(ds["time"].values).normalize()
    ds = ds.assign_coords(time=times)
    first = items[0]
    item_sensor = _sensor_of(first) if sensor == "auto" else sensor
    out = {}
    for band in wanted:
        raw = ds[band]
        asset = first.assets[keys[band]]
        rb = (asset.extra_fields.get("raster:bands") or [{}])[0]
        nodata = rb.get("nodata", raw.attrs.get("nodata"))
        scale, offset = rb.get("scale"), rb.get("offset")
        arr = raw.astype("float32" if band in ("qa_pixel", "scl") else dtype)
        if nodata is not None and band not in ("qa_pixel", "scl"):
            arr = arr.where(raw != nodata)
        if band in ("qa_pixel", "scl"):
            if nodata is not None:
                arr = arr.where(raw != nodata)
        elif scale is not None or offset is not None:
            arr = arr * float(scale if scale is not None else 1.0) + float(offset or 0.0)
        else:
            per_time = [sensor_scaling(item_sensor, band, t) for t in times]
            if per_time[0] is not None:
                sc = xr.DataArray(np.array([p[0] for p in per_time], dtype=dtype), dims="time")
                of = xr.DataArray(np.array([p[1] for p in per_time], dtype=dtype), dims="time")
                if nodata is None and per_time[0][2] is not None:
                    arr = arr.where(raw != per_time[0][2])
                arr = arr * sc + of
        out[band] = arr.transpose("time", "y", "x")
    result = xr.Dataset(out, attrs={"sources": [i.id for i in items], "kind": "stac"})
    crs = ds.odc.crs
    transform = ds.odc.geobox.affine
    result = result.drop_vars([c for c in ("spatial_ref",) if c in result.coords])
    return result.rio.write_crs(str(crs)).rio.write_transform(transform)


__all__ = ["open_stac", "read_items", "asset_key"]
