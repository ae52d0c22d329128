"""Multi-band surface-reflectance scenes → a lazy ``xarray.Dataset`` of bands (``time, y, x``),
with the sensor's scale and offset applied and quality masks (clouds, shadows, snow, water)
ready to drop pixels before any statistic.

Layouts (mixed freely, one grid for all):

* **one file per date** holding several bands: band names from ``bands=`` (in band order) or
  from the bands' descriptions;
* **one file per band and date**: the band from a token of the file name — the band name
  itself (``2024-06-15_red.tif``), Sentinel-2 ``B04``/``SCL``, Landsat Collection 2
  ``SR_B4``/``QA_PIXEL`` (which band a Landsat number is depends on the sensor: ``LC08``/``LC09``
  OLI or ``LT05``/``LE07`` TM/ETM+, read from the file name).

Dates come from the file (tags, name) as in :func:`.cube.open_cube`.

Scale and offset (``sensor=``):

* ``landsat-c2l2``: ρ = DN × 0.0000275 − 0.2, nodata 0 (USGS, *Landsat 8-9 Collection 2 Level-2
  Science Product Guide*, LSDS-1619, section 4.2; the same for TM/ETM+, LSDS-1618).
* ``sentinel2-l2a``: ρ = (DN + BOA_ADD_OFFSET) / 10000 with BOA_ADD_OFFSET = −1000 for processing
  baseline 04.00 and later (ESA, *Sentinel-2 Products Specification Document* PSD 14.9; in force
  for acquisitions from 2022-01-25), 0 before; a ``BOA_ADD_OFFSET`` tag in the file wins.
  Nodata 0.
* ``file``: the file's own scale/offset tags (GDAL ``scales``/``offsets``) — the default when no
  sensor is recognised; ``auto`` (default) recognises Landsat/Sentinel-2 product names.

Quality bands are never scaled. Masks (``mask=("cloud", "shadow", "snow")``):

* Sentinel-2 ``SCL`` classes (ESA L2A Algorithm Theoretical Basis Document, S2-PDGS-MPC-ATBD-
  L2A, table "scene classification"): 0 no data, 1 saturated/defective (always dropped);
  cloud = 8, 9, 10 (medium, high probability, thin cirrus); shadow = 3; snow = 11; water = 6.
* Landsat ``QA_PIXEL`` bits (LSDS-1619 table 6-3): bit 0 fill (always dropped); cloud = bits
  1 (dilated cloud), 2 (cirrus), 3 (cloud); shadow = bit 4; snow = bit 5; water = bit 7.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from .. import limits
from ..errors import InputError, Issue
from .blocks import _block_stack
from .cube import DATE_TAGS, _date_from_name, _expand, _spatial_chunks, parse_date
from .indices import SpectralIndex, compute_index

REFLECTIVE = ("coastal", "blue", "green", "red", "rededge1", "rededge2", "rededge3", "nir", "nir08",
              "swir16", "swir22")
QA_BANDS = ("qa_pixel", "scl")
KNOWN_BANDS = REFLECTIVE + QA_BANDS
ALIASES = {"b": "blue", "g": "green", "r": "red", "n": "nir", "nir1": "nir", "swir1": "swir16",
           "swir2": "swir22", "s1": "swir16", "s2": "swir22", "qa": "qa_pixel", "pixel_qa": "qa_pixel",
           "scene_classification": "scl", "narrow_nir": "nir08", "aerosol": "coastal"}
SENTINEL2_TOKENS = {"B01": "coastal", "B02": "blue", "B03": "green", "B04": "red", "B05": "rededge1",
                    "B06": "rededge2", "B07": "rededge3", "B08": "nir", "B8A": "nir08", "B11": "swir16",
                    "B12": "swir22", "SCL": "scl"}
LANDSAT_OLI_TOKENS = {"SR_B1": "coastal", "SR_B2": "blue", "SR_B3": "green", "SR_B4": "red", "SR_B5": "nir",
                      "SR_B6": "swir16", "SR_B7": "swir22", "QA_PIXEL": "qa_pixel"}
LANDSAT_TM_TOKENS = {"SR_B1": "blue", "SR_B2": "green", "SR_B3": "red", "SR_B4": "nir", "SR_B5": "swir16",
                     "SR_B7": "swir22", "QA_PIXEL": "qa_pixel"}
SENSORS = ("auto", "landsat-c2l2", "sentinel2-l2a", "file")
#: Sentinel-2 processing baseline 04.00 (BOA_ADD_OFFSET = −1000) applies from this date on
S2_OFFSET_FROM = pd.Timestamp("2022-01-25")

SCL_CLASSES = {"cloud": (8, 9, 10), "shadow": (3,), "snow": (11,), "water": (6,)}
SCL_ALWAYS = (0, 1)
QA_PIXEL_BITS = {"cloud": (1, 2, 3), "shadow": (4,), "snow": (5,), "water": (7,)}
QA_PIXEL_ALWAYS = (0,)
MASK_KINDS = ("cloud", "shadow", "snow", "water")
DEFAULT_MASK = ("cloud", "shadow", "snow")


def normalise_band(name: str) -> str:
    """A band name in our vocabulary (``SWIR1`` → ``swir16``); unknown names are lower-cased."""
    key = re.sub(r"[\s\-]+", "_", str(name).strip().lower())
    return ALIASES.get(key, key)


def parse_bands(text: str | Sequence[str] | None) -> list[str] | None:
    """``"blue,green,red"`` → ``["blue", "green", "red"]`` (normalised); duplicates refused."""
    if text is None:
        return None
    names = [normalise_band(n) for n in (text.split(",") if isinstance(text, str) else text) if str(n).strip()]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InputError(Issue(f"band(s) named twice: {', '.join(dup)}", field="bands"))
    return names or None


def parse_mask(text: str | Sequence[str] | bool | None) -> tuple[str, ...]:
    """``"cloud,shadow"`` → ``("cloud", "shadow")``; ``True`` → the default (cloud, shadow, snow)."""
    if text is None or text is False:
        return ()
    if text is True:
        return DEFAULT_MASK
    kinds = tuple(k.strip().lower() for k in (text.split(",") if isinstance(text, str) else text) if k.strip())
    bad = [k for k in kinds if k not in MASK_KINDS]
    if bad:
        raise InputError(Issue(f"unknown mask class(es) {', '.join(bad)}; use {', '.join(MASK_KINDS)}",
                               field="mask"))
    return kinds


def detect_sensor(path: str | Path) -> str:
    """``landsat-c2l2`` / ``sentinel2-l2a`` from a product file name, else ``file``."""
    name = Path(path).name.upper()
    if re.match(r"^L[CTEO]0\d_L2S[PR]_", name):
        return "landsat-c2l2"
    if re.match(r"^(S2[ABCD]_MSIL2A|T\d{2}[A-Z]{3}_\d{8}T\d{6})", name) or "MSIL2A" in name:
        return "sentinel2-l2a"
    return "file"


def sensor_scaling(sensor: str, band: str, when: pd.Timestamp | None, tags: dict | None = None
                   ) -> tuple[float, float, float | None] | None:
    """``(scale, offset, nodata)`` of a band under the sensor's convention, or None to keep the
    file's own. Quality bands: ``(1, 0, None)``."""
    if band in QA_BANDS:
        return 1.0, 0.0, None
    if sensor == "landsat-c2l2":
        return 2.75e-5, -0.2, 0.0
    if sensor == "sentinel2-l2a":
        add = None
        for key, value in (tags or {}).items():
            if key.upper().endswith("BOA_ADD_OFFSET"):
                try:
                    add = float(value)
                except ValueError:
                    pass
        if add is None:
            add = -1000.0 if when is not None and when >= S2_OFFSET_FROM else 0.0
        return 1e-4, add * 1e-4, 0.0
    return None


def _band_tokens(path: Path, sensor: str) -> dict[str, str]:
    name = path.name.upper()
    if sensor == "sentinel2-l2a":
        return SENTINEL2_TOKENS
    if sensor == "landsat-c2l2":
        return LANDSAT_TM_TOKENS if re.match(r"^L[TE]0[4-7]", name) else LANDSAT_OLI_TOKENS
    return {}


def band_from_name(path: Path, sensor: str, wanted: Sequence[str] | None) -> str | None:
    """The band a single-band file holds, from a token of its name, or None."""
    stem = path.stem.upper()
    hits = []
    for token, band in _band_tokens(path, sensor).items():
        if re.search(rf"(?<![A-Z0-9]){re.escape(token)}(?![A-Z0-9])", stem):
            hits.append(band)
    if not hits:
        tokens = [t for t in re.split(r"[_\-.\s]+", path.stem.lower()) if t]
        for t in tokens:
            b = normalise_band(t)
            if b in KNOWN_BANDS or (wanted and b in wanted):
                hits.append(b)
    hits = list(dict.fromkeys(hits))
    if wanted:
        hits = [h for h in hits if h in wanted] or hits
    return hits[-1] if hits else None


@dataclass(frozen=True)
class BandLayer:
    path: str
    band_index: int  # 1-based band of the file
    band: str
    time: pd.Timestamp
    scale: float
    offset: float
    nodata: float | None


def _file_date(src, path: Path, date_pattern) -> pd.Timestamp | None:
    tags = src.tags()
    when = None
    if date_pattern is None:
        for tag in DATE_TAGS:
            when = when or parse_date(tags.get(tag))
    when = when or _date_from_name(path.stem, date_pattern)
    if when is None and date_pattern is None and re.fullmatch(r"(19|20|21)\d{2}", path.stem):
        when = pd.Timestamp(int(path.stem), 1, 1)  # an annual composite named YYYY.tif
    return when


def scan_scenes(paths: Sequence[Path], *, bands: Sequence[str] | None = None, sensor: str = "auto",
                date_pattern: str | None = None, dates: Sequence | None = None
                ) -> tuple[list[BandLayer], Any, Any, tuple[int, int]]:
    """Read the headers of every file: which band and date each layer is, its scaling and the
    common grid. Raises InputError naming the file (and band) for anything inconsistent."""
    import rasterio
    from rasterio.errors import RasterioError

    if sensor not in SENSORS:
        raise InputError(Issue(f"unknown sensor '{sensor}'; use {', '.join(SENSORS)}", field="sensor"))
    if dates is not None and len(dates) != len(paths):
        raise InputError(Issue(f"dates= has {len(dates)} entries for {len(paths)} files", field="dates"))
    wanted = list(bands) if bands else None
    layers: list[BandLayer] = []
    grid = first = None
    for i, path in enumerate(paths):
        path = Path(path)
        try:
            src = rasterio.open(path)
        except (RasterioError, OSError) as exc:
            raise InputError(Issue(f"cannot open as a raster: truncated, corrupt or not a GeoTIFF ({exc})",
                                   source=str(path))) from None
        with src:
            if src.crs is None:
                raise InputError(Issue("the raster has no CRS", source=str(path)))
            limits.check_pixels(src.width, src.height, str(path))
            key = (src.width, src.height, tuple(round(v, 9) for v in src.transform[:6]), src.crs)
            if grid is None:
                grid, first = key, path
                transform, crs, shape = src.transform, src.crs, (src.height, src.width)
            elif key != grid:
                raise InputError(Issue(f"its grid (size, transform or CRS) differs from {first.name}; all "
                                       "scenes must share one grid (warp them to one grid first)",
                                       source=str(path)))
            when = pd.Timestamp(dates[i]) if dates is not None else _file_date(src, path, date_pattern)
            if when is None:
                raise InputError(Issue("no date: give a DATE tag, a date in the file name (e.g. "
                                       "scene_2024-06-15.tif) or --date-pattern", source=str(path)))
            file_sensor = detect_sensor(path) if sensor == "auto" else sensor
            if src.count == 1 and (name_band := band_from_name(path, file_sensor, wanted)) is not None \
                    and not (wanted and len(wanted) == 1 and name_band not in wanted):
                names = [name_band]
            elif wanted is not None:
                plain = [w for w in wanted if w not in QA_BANDS]  # the QA band may be a file of its own
                if src.count != len(wanted) and src.count == len(plain):
                    names = plain
                elif src.count != len(wanted):
                    raise InputError(Issue(
                        f"the scene has {src.count} band(s) but --bands names {len(wanted)} "
                        f"({', '.join(wanted)}); name every band of the file in order", source=str(path),
                        field="bands"))
                else:
                    names = list(wanted)
            else:
                desc = list(src.descriptions or ())
                if len(desc) != src.count or not all(desc):
                    raise InputError(Issue(
                        "the bands have no names (no band descriptions and no band token in the file "
                        "name); give them with --bands blue,green,red,nir,swir16,swir22",
                        source=str(path), field="bands"))
                tokens = _band_tokens(path, file_sensor)
                names = [tokens.get(d.strip().upper(), normalise_band(d)) for d in desc]
            if wanted is not None:
                unknown = [n for n in names if n not in wanted]
                if unknown and src.count == 1 and unknown[0] not in QA_BANDS:
                    raise InputError(Issue(f"the file holds band '{unknown[0]}', which is not among --bands "
                                           f"({', '.join(wanted)})", source=str(path), field="bands"))
            tags = src.tags()
            for b, name in enumerate(names, start=1):
                fixed = sensor_scaling(file_sensor, name, when, tags)
                if fixed is None:
                    scale = float(src.scales[b - 1]) if src.scales and src.scales[b - 1] else 1.0
                    offset = float(src.offsets[b - 1]) if src.offsets else 0.0
                    nodata = src.nodatavals[b - 1]
                else:
                    scale, offset, nodata = fixed
                    if src.nodatavals[b - 1] is not None:
                        nodata = src.nodatavals[b - 1]
                    if name in QA_BANDS:
                        nodata = None
                layers.append(BandLayer(str(path), b, name, when.normalize() if when.tzinfo is None
                                        else when.tz_convert(None).normalize(), scale, offset,
                                        None if nodata is None else float(nodata)))
    # every date must have each band exactly once
    frame = pd.DataFrame([(l.time, l.band, l.path) for l in layers], columns=["time", "band", "path"])
    dup = frame[frame.duplicated(["time", "band"], keep=False)]
    if len(dup):
        r = dup.iloc[0]
        raise InputError(Issue(f"band '{r.band}' appears twice for {r.time.date()} (also in "
                               f"{Path(dup.iloc[1].path).name})", source=r.path, field="bands"))
    all_bands = sorted(set(frame["band"]), key=lambda b: (KNOWN_BANDS.index(b) if b in KNOWN_BANDS else 99, b))
    for when, g in frame.groupby("time"):
        missing = [b for b in all_bands if b not in set(g["band"])]
        if missing:
            raise InputError(Issue(f"the scene of {when.date()} lacks band(s) {', '.join(missing)}",
                                   source=str(g["path"].iloc[0]), field="bands"))
    return layers, transform, crs, shape


def _band_array(layers: list[BandLayer], shape, chunks, dtype: str):
    from dask.base import tokenize
    ych, xch = _spatial_chunks(shape, chunks)
    token = tokenize([(l.path, os.path.getmtime(l.path), l.band_index, l.scale, l.offset, l.nodata)
                      for l in layers], ych, xch, dtype)
    return _block_stack(f"open_scenes-{token}",
                       [(l.path, l.band_index, l.scale, l.offset, l.nodata) for l in layers],
                       shape, ych, xch, dtype)


def open_scenes(source: str | os.PathLike | Sequence, *, bands: str | Sequence[str] | None = None,
                sensor: str = "auto", date_pattern: str | None = None, dates: Sequence | None = None,
                chunks: Any = "auto", dtype: str = "float32") -> xr.Dataset:
    """Open multi-band scenes as a lazy Dataset: one variable per band, ``(time, y, x)``, float
    reflectance [1] (NaN = nodata), quality bands as raw codes.

    Parameters
    ----------
    source : path, glob pattern, folder or list
        GeoTIFFs: one multi-band file per date and/or one file per band and date.
    bands : "blue,green,..." or list, optional
        Names of a multi-band file's bands in order (or the bands to pick from per-band files);
        default: the band descriptions or the file-name tokens.
    sensor : "auto", "landsat-c2l2", "sentinel2-l2a" or "file"
        Scale/offset convention (module docstring).
    date_pattern, dates
        As :func:`.cube.open_cube`.
    chunks : "auto", int, (y, x) or dict
        Spatial chunks of each date's task.

    Returns
    -------
    xarray.Dataset
        Variables named by band; CRS and transform written with rioxarray; ``attrs["sources"]``
        lists the files.
    """
    import rioxarray  # noqa: F401

    paths = _expand(source)
    layers, transform, crs, shape = scan_scenes(paths, bands=parse_bands(bands), sensor=sensor,
                                                date_pattern=date_pattern, dates=dates)
    times = pd.DatetimeIndex(sorted({l.time for l in layers}))
    ys = transform.f + (np.arange(shape[0]) + 0.5) * transform.e
    xs = transform.c + (np.arange(shape[1]) + 0.5) * transform.a
    data = {}
    for band in sorted({l.band for l in layers}, key=lambda b: KNOWN_BANDS.index(b) if b in KNOWN_BANDS else 99):
        mine = sorted((l for l in layers if l.band == band), key=lambda l: l.time)
        arr = _band_array(mine, shape, chunks, "float32" if band in QA_BANDS else dtype)
        data[band] = xr.DataArray(arr, dims=("time", "y", "x"), attrs={"sources": [Path(l.path).name for l in mine]})
    ds = xr.Dataset(data, coords={"time": times, "y": ys, "x": xs},
                    attrs={"sources": sorted({Path(l.path).name for l in layers}), "kind": "scenes"})
    return ds.rio.write_crs(crs).rio.write_transform(transform)


def clear_mask(ds: xr.Dataset, mask: Sequence[str], *, source: str = "scenes") -> xr.DataArray | None:
    """Boolean ``(time, y, x)``: True where the pixel is clear of every class in ``mask``
    (module docstring), from ``qa_pixel`` (Landsat) or ``scl`` (Sentinel-2). None when
    ``mask`` is empty. InputError naming the source when masking is asked for but there is
    no quality band."""
    if not mask:
        return None
    if "scl" in ds.data_vars:
        scl = ds["scl"]
        classes = set(SCL_ALWAYS).union(*(SCL_CLASSES[k] for k in mask))
        return scl.notnull() & ~scl.isin(sorted(classes))
    if "qa_pixel" in ds.data_vars:
        qa = ds["qa_pixel"]
        bits = sum(1 << b for b in set(QA_PIXEL_ALWAYS).union(*(QA_PIXEL_BITS[k] for k in mask)))
        ints = qa.fillna(1).astype("uint16")  # NaN → fill bit set
        return qa.notnull() & ((ints & np.uint16(bits)) == 0)
    files = ds.attrs.get("sources") or [source]
    raise InputError(Issue(f"masking ({', '.join(mask)}) was asked for but the scenes have no quality band "
                           f"(qa_pixel for Landsat Collection 2, scl for Sentinel-2 L2A; bands present: "
                           f"{', '.join(map(str, ds.data_vars))}); add it to --bands or drop --mask",
                           source=str(files[0]), field="bands"))


def index_cube(ds: xr.Dataset, index: str | SpectralIndex, *, mask: Sequence[str] = (),
               source: str = "scenes") -> xr.DataArray:
    """The spectral ``index`` of every pixel and date as a lazy ``(time, y, x)`` DataArray,
    masked pixels (and nodata) NaN, CRS and transform set — ready for
    :func:`.zonal.zonal_timeseries` (whose ``valid_fraction`` then counts the clear pixels)."""
    out = compute_index(ds, index, source=str((ds.attrs.get("sources") or [source])[0]))
    clear = clear_mask(ds, mask, source=source)
    if clear is not None:
        out = out.where(clear)
    out = out.transpose("time", "y", "x")
    out.attrs = {"sources": ds.attrs.get("sources", []), "masked": list(mask)}
    return out.rio.write_crs(ds.rio.crs).rio.write_transform(ds.rio.transform())


__all__ = ["open_scenes", "scan_scenes", "index_cube", "clear_mask", "parse_bands", "parse_mask",
           "normalise_band", "detect_sensor", "sensor_scaling", "SCL_CLASSES", "QA_PIXEL_BITS",
           "DEFAULT_MASK", "SENSORS"]
