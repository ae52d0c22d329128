"""Open a raster time series as one lazy ``(time, y, x)`` cube.

Inputs:

* one GeoTIFF per date (a glob pattern, a folder, or a list of paths); the date comes from a
  tag (``DATE``, ``ACQUISITION_DATE``, ``TIFFTAG_DATETIME`` ...) or from the file name
  (``2025-01-15``, ``20250115``, ``2025_01_15``, MODIS-style ``A2025015``) or ``date_pattern``;
* a multi-band GeoTIFF with a date per band (band tag ``DATE``, a date as band description, a
  dataset tag ``DATES`` listing them, or ``dates=``);
* a NetCDF file or a Zarr store holding a ``(time, y, x)`` variable (CF decoding applies
  ``_FillValue``, ``scale_factor`` and ``add_offset``).

The result is a dask-backed float DataArray (NaN where there is no valid value) with the CRS
and transform written through rioxarray (``cube.rio.crs``, ``cube.rio.transform()``), the
``time`` coordinate as datetime64, north-up. GeoTIFF scale and offset (the band's ``scales``/
``offsets``) are applied and the nodata value is masked. Nothing is read until computed; each
date (or each spatial chunk of a date) is one task, so a cube larger than memory streams.

A file that cannot be opened, or whose last block cannot be read (a truncated download), is
refused at open time with an :class:`~restoration.errors.InputError` naming it; a block that
fails later, while computing, raises :class:`RasterReadError` naming the file as well.
"""
from __future__ import annotations

import glob
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
from .blocks import RasterReadError, _block_stack, _read_block

GEOTIFF_SUFFIXES = {".tif", ".tiff", ".gtiff"}
NETCDF_SUFFIXES = {".nc", ".nc4", ".netcdf", ".cdf", ".h5"}
ZARR_SUFFIXES = {".zarr"}
DATE_TAGS = ("DATE", "ACQUISITION_DATE", "ACQUISITIONDATE", "DATE_ACQUIRED", "TIME", "DATETIME",
             "TIFFTAG_DATETIME", "START_DATE")
#: file-name date patterns, tried in order
NAME_PATTERNS = (
    re.compile(r"(?<!\d)(?P<year>\d{4})[-_.](?P<month>\d{2})[-_.](?P<day>\d{2})(?!\d)"),
    re.compile(r"(?<!\d)(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})(?!\d)"),
    re.compile(r"(?<![\dA-Za-z])A?(?P<year>\d{4})(?P<doy>\d{3})(?!\d)"),
)
_TIME_DIMS = ("time", "t", "date", "datetime")
_Y_DIMS = ("y", "lat", "latitude", "northing", "row", "rows")
_X_DIMS = ("x", "lon", "long", "longitude", "easting", "col", "cols")
#: rasters up to this many pixels per date are read as one block per date
WHOLE_DATE_PIXELS = 4096 * 4096


# -- dates ------------------------------------------------------------------------------------
def parse_date(text: Any) -> pd.Timestamp | None:
    """A date from a tag value or a band description (ISO, ``YYYY:MM:DD hh:mm:ss``, ``YYYYMMDD``)."""
    if text is None:
        return None
    s = str(text).strip()
    if not s:
        return None
    m = re.match(r"^(\d{4}):(\d{2}):(\d{2})(.*)$", s)  # TIFFTAG_DATETIME
    if m:
        s = f"{m.group(1)}-{m.group(2)}-{m.group(3)}{m.group(4)}"
    if not re.match(r"^\d{4}", s):
        return None
    try:
        ts = pd.Timestamp(s)
    except (ValueError, TypeError):
        return _date_from_name(s)
    if ts.tzinfo is not None:
        ts = ts.tz_convert(None)
    return ts


def _from_groups(g: dict) -> pd.Timestamp | None:
    try:
        if g.get("doy"):
            return pd.Timestamp(int(g["year"]), 1, 1) + pd.Timedelta(days=int(g["doy"]) - 1)
        return pd.Timestamp(int(g["year"]), int(g["month"]), int(g.get("day") or 1))
    except (ValueError, TypeError):
        return None


def _date_from_name(name: str, pattern: str | re.Pattern | None = None) -> pd.Timestamp | None:
    if pattern is not None:
        m = re.search(pattern, name)
        if not m:
            return None
        g = {k: v for k, v in m.groupdict().items() if v}
        if "year" in g:
            return _from_groups(g)
        try:
            return pd.Timestamp(m.group(1) if m.groups() else m.group(0))
        except (ValueError, TypeError):
            return None
    for pat in NAME_PATTERNS:
        for m in pat.finditer(name):
            ts = _from_groups(m.groupdict())
            if ts is not None and 1900 <= ts.year <= 2200:
                return ts
    return None


# -- GeoTIFF layers ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _Layer:
    path: str
    band: int
    time: pd.Timestamp
    scale: float
    offset: float
    nodata: float | None


def _expand(source: str | os.PathLike | Sequence) -> list[Path]:
    if isinstance(source, (list, tuple)):
        paths: list[Path] = []
        for item in source:
            paths.extend(_expand(item))
        return paths
    text = str(source)
    p = Path(text)
    if p.is_dir() and p.suffix.lower() not in ZARR_SUFFIXES:
        found = sorted(q for q in p.iterdir() if q.suffix.lower() in GEOTIFF_SUFFIXES | NETCDF_SUFFIXES
                       or q.suffix.lower() in ZARR_SUFFIXES)
        if not found:
            raise InputError(Issue("no GeoTIFF, NetCDF or Zarr files in this folder", source=text))
        return found
    if any(ch in text for ch in "*?["):
        found = sorted(Path(q) for q in glob.glob(os.path.expanduser(text)))
        if not found:
            raise InputError(Issue("no files match this pattern", source=text))
        return found
    if not p.exists():
        raise InputError(Issue("file not found", source=text))
    return [p]


def _grid_key(src) -> tuple:
    return (src.width, src.height, tuple(round(v, 9) for v in src.transform[:6]), src.crs)


def _tiff_layers(paths: list[Path], *, dates: Sequence | None, date_pattern, validate: str
                 ) -> tuple[list[_Layer], Any, Any, tuple[int, int], np.dtype]:
    import rasterio
    from rasterio.errors import RasterioError
    from rasterio.windows import Window

    layers: list[_Layer] = []
    grid = None
    first_path = None
    for path in paths:
        try:
            src = rasterio.open(path)
        except (RasterioError, OSError) as exc:
            raise InputError(Issue(f"cannot open as a raster: the file is truncated, corrupt or not a "
                                   f"GeoTIFF ({exc})", source=str(path))) from None
        with src:
            if src.crs is None:
                raise InputError(Issue("the raster has no CRS", source=str(path)))
            if src.transform.b != 0 or src.transform.d != 0:
                raise InputError(Issue("rotated rasters are not supported; warp it north-up first",
                                       source=str(path)))
            limits.check_pixels(src.width, src.height, str(path))
            key = _grid_key(src)
            if grid is None:
                grid, first_path = key, path
                dtype = np.dtype(src.dtypes[0])
            elif key != grid:
                raise InputError(Issue(f"its grid (size, transform or CRS) differs from {first_path.name}; "
                                       "all dates must share one grid", source=str(path)))
            try:
                if validate == "full":
                    for b in range(1, src.count + 1):
                        src.read(b)
                elif validate == "quick":
                    # a truncated file loses its last blocks: read the last one of the last band
                    h, w = src.block_shapes[0]
                    r0 = ((src.height - 1) // h) * h
                    c0 = ((src.width - 1) // w) * w
                    src.read(src.count, window=Window(c0, r0, src.width - c0, src.height - r0))
            except (RasterioError, OSError) as exc:
                raise InputError(Issue(f"cannot read its pixels: the file is truncated or corrupt ({exc})",
                                       source=str(path))) from None
            file_tags = src.tags()
            name_date = _date_from_name(path.stem, date_pattern)
            for b in range(1, src.count + 1):
                when = None
                if dates is None:
                    if date_pattern is not None and src.count == 1:
                        when = name_date
                    else:
                        band_tags = src.tags(b)
                        for tag in DATE_TAGS:
                            when = when or parse_date(band_tags.get(tag))
                        when = when or parse_date((src.descriptions or (None,) * src.count)[b - 1])
                        if when is None and file_tags.get("DATES"):
                            listed = re.split(r"[,;\s]+", file_tags["DATES"].strip())
                            when = parse_date(listed[b - 1]) if len(listed) == src.count else None
                        if when is None and src.count == 1:
                            for tag in DATE_TAGS:
                                when = when or parse_date(file_tags.get(tag))
                            when = when or name_date
                    if when is None:
                        what = f"band {b}" if src.count > 1 else "the file"
                        raise InputError(Issue(
                            f"no date for {what}: give a DATE tag, a date in the file name "
                            "(e.g. ndvi_2025-01-15.tif), date_pattern= or dates=", source=str(path)))
                scale = float(src.scales[b - 1]) if src.scales and src.scales[b - 1] else 1.0
                offset = float(src.offsets[b - 1]) if src.offsets else 0.0
                nodata = src.nodatavals[b - 1]
                layers.append(_Layer(str(path), b, when, scale, offset,
                                     None if nodata is None else float(nodata)))
            transform, crs, shape = src.transform, src.crs, (src.height, src.width)
    if dates is not None:
        if len(dates) != len(layers):
            raise InputError(Issue(f"dates= has {len(dates)} entries but the input has {len(layers)} "
                                   "bands/files", source=str(paths[0])))
        layers = [_Layer(l.path, l.band, pd.Timestamp(d), l.scale, l.offset, l.nodata)
                  for l, d in zip(layers, dates)]
    layers.sort(key=lambda l: l.time)
    times = pd.Series([l.time for l in layers])
    dup = times.duplicated(keep=False)
    if dup.any():
        clash = [f"{Path(l.path).name} band {l.band}" for l, d in zip(layers, dup) if d]
        raise InputError(Issue(f"two layers have the same date {times[dup].iloc[0].date()}: "
                               f"{', '.join(clash[:4])}", source=str(paths[0])))
    return layers, transform, crs, shape, dtype


def _chunk_sizes(n: int, size: int) -> tuple[int, ...]:
    full, rest = divmod(n, size)
    return (size,) * full + ((rest,) if rest else ())


def _spatial_chunks(shape: tuple[int, int], chunks) -> tuple[tuple[int, ...], tuple[int, ...]]:
    ny, nx = shape
    if chunks is None or chunks == "auto":
        if ny * nx <= WHOLE_DATE_PIXELS:
            return (ny,), (nx,)
        chunks = 2048
    if isinstance(chunks, dict):
        cy, cx = chunks.get("y", ny), chunks.get("x", nx)
    elif isinstance(chunks, int):
        cy = cx = chunks
    else:
        cy, cx = chunks
    cy = ny if cy in (-1, None) else int(cy)
    cx = nx if cx in (-1, None) else int(cx)
    return _chunk_sizes(ny, cy), _chunk_sizes(nx, cx)


def _tiff_cube(paths, *, dates, date_pattern, chunks, dtype, validate, name) -> xr.DataArray:
    from dask.base import tokenize

    layers, transform, crs, shape, _ = _tiff_layers(paths, dates=dates, date_pattern=date_pattern,
                                                    validate=validate)
    ych, xch = _spatial_chunks(shape, chunks)
    token = tokenize([(l.path, os.path.getmtime(l.path), l.band, l.time) for l in layers], ych, xch,
                     dtype)
    arr = _block_stack(f"open_cube-{token}",
                      [(l.path, l.band, l.scale, l.offset, l.nodata) for l in layers],
                      shape, ych, xch, dtype)
    ys = transform.f + (np.arange(shape[0]) + 0.5) * transform.e
    xs = transform.c + (np.arange(shape[1]) + 0.5) * transform.a
    times = pd.DatetimeIndex([l.time for l in layers])
    cube = xr.DataArray(arr, dims=("time", "y", "x"), coords={"time": times, "y": ys, "x": xs},
                        name=name or "value",
                        attrs={"sources": [f"{Path(l.path).name}:{l.band}" for l in layers],
                               "scale_applied": [l.scale for l in layers][0]})
    cube = cube.rio.write_crs(crs).rio.write_transform(transform)
    return cube


# -- NetCDF / Zarr ----------------------------------------------------------------------------
def _pick(dims, names) -> str | None:
    for d in dims:
        if str(d).lower() in names:
            return d
    return None


def _dataset_cube(path: Path, *, variable, crs, chunks, dtype, engine, name, dataset_mask):
    import rioxarray  # noqa: F401 - registers .rio
    is_zarr = path.suffix.lower() in ZARR_SUFFIXES or (path / ".zgroup").exists() or (path / "zarr.json").exists()
    try:
        if is_zarr:
            ds = xr.open_zarr(path, chunks={}, decode_coords="all")
        else:
            ds = xr.open_dataset(path, engine=engine, chunks={}, decode_coords="all")
    except Exception as exc:  # every backend raises its own types; name the file
        raise InputError(Issue(f"cannot open as {'Zarr' if is_zarr else 'NetCDF'}: the file is "
                               f"truncated, corrupt or not a data cube ({type(exc).__name__}: {exc})",
                               source=str(path))) from None
    if variable is None:
        candidates = [v for v, a in ds.data_vars.items() if a.ndim >= 3 and _pick(a.dims, _TIME_DIMS)]
        if len(candidates) != 1:
            raise InputError(Issue(f"choose the variable with variable=...; candidates: "
                                   f"{', '.join(map(str, candidates)) or 'none with a time dimension'}",
                                   source=str(path)))
        variable = candidates[0]
    if variable not in ds:
        raise InputError(Issue(f"no variable '{variable}'; variables: {', '.join(map(str, ds.data_vars))}",
                               source=str(path)))
    arr = ds[variable]
    mask = None
    if isinstance(dataset_mask, str):
        if dataset_mask not in ds:
            raise InputError(Issue(f"no cloud-mask variable '{dataset_mask}'", source=str(path)))
        mask = ds[dataset_mask]
    arr, mask = (_normalise_dims(a, path) if a is not None else None for a in (arr, mask))
    limits.check_pixels(arr.sizes["x"], arr.sizes["y"], str(path))
    if crs is None:
        crs = arr.rio.crs or ds.rio.crs
    if crs is None and ds[variable].dims[-1].lower() in ("lon", "longitude"):
        crs = "EPSG:4326"
    if crs is None:
        raise InputError(Issue("the cube carries no CRS (no grid_mapping); pass crs=", source=str(path)))
    time_chunks = 1 if chunks in (None, "auto") else None
    arr = arr.astype(dtype)
    if time_chunks:
        arr = arr.chunk({"time": 1})
    elif isinstance(chunks, dict):
        arr = arr.chunk(chunks)
    arr = _north_up(arr)
    try:
        transform = arr.rio.transform(recalc=True)
    except Exception as exc:
        raise InputError(Issue(f"the x/y coordinates are not a regular grid ({exc})", source=str(path))) from None
    arr = arr.rio.write_crs(crs).rio.write_transform(transform)
    arr.name = name or variable
    arr.attrs["sources"] = [path.name]
    if mask is not None:
        arr = _apply_mask(arr, _north_up(mask))
    return arr


def _normalise_dims(arr: xr.DataArray, path: Path) -> xr.DataArray:
    t = _pick(arr.dims, _TIME_DIMS)
    y = _pick(arr.dims, _Y_DIMS)
    x = _pick(arr.dims, _X_DIMS)
    if not (t and y and x):
        raise InputError(Issue(f"expected dimensions (time, y, x); found {arr.dims}", source=str(path)))
    extra = [d for d in arr.dims if d not in (t, y, x)]
    for d in extra:
        if arr.sizes[d] != 1:
            raise InputError(Issue(f"extra dimension '{d}' of size {arr.sizes[d]}; select one with .sel()",
                                   source=str(path)))
        arr = arr.isel({d: 0}, drop=True)
    arr = arr.rename({t: "time", y: "y", x: "x"}).transpose("time", "y", "x")
    idx = arr.indexes["time"]
    if not isinstance(idx, pd.DatetimeIndex):
        try:
            arr = arr.assign_coords(time=idx.to_datetimeindex())
        except Exception as exc:
            raise InputError(Issue(f"cannot read the time coordinate as dates ({exc})", source=str(path))) from None
    return arr.rio.set_spatial_dims(x_dim="x", y_dim="y")


def _north_up(arr: xr.DataArray) -> xr.DataArray:
    if arr.sizes["y"] > 1 and float(arr["y"][1] - arr["y"][0]) > 0:
        arr = arr.isel(y=slice(None, None, -1))
    return arr


def _apply_mask(cube: xr.DataArray, mask: xr.DataArray) -> xr.DataArray:
    """NaN where ``mask`` is non-zero (cloud) or NaN (unknown); dates must match the cube's."""
    missing = cube.indexes["time"].difference(mask.indexes["time"])
    if len(missing):
        raise InputError(Issue(f"the cloud mask has no layer for {len(missing)} date(s), e.g. "
                               f"{missing[0].date()}", source="cloud_mask"))
    if mask.sizes["y"] != cube.sizes["y"] or mask.sizes["x"] != cube.sizes["x"]:
        raise InputError(Issue("the cloud mask's grid differs from the cube's", source="cloud_mask"))
    mask = mask.sel(time=cube["time"]).assign_coords(y=cube["y"], x=cube["x"])
    clear = (mask == 0) & mask.notnull()
    out = cube.where(clear)
    out.attrs.update(cube.attrs)
    out.attrs["cloud_masked"] = True
    return out.rio.write_crs(cube.rio.crs).rio.write_transform(cube.rio.transform())


# -- entry point ------------------------------------------------------------------------------
def open_cube(source: str | os.PathLike | Sequence[str | os.PathLike], *,
              variable: str | None = None, dates: Sequence | None = None,
              date_pattern: str | None = None, crs: Any = None, chunks: Any = "auto",
              cloud_mask: Any = None, dtype: str = "float32", validate: str = "quick",
              engine: str | None = None, name: str | None = None) -> xr.DataArray:
    """Open rasters as a lazy ``(time, y, x)`` DataArray with its CRS (see the module docstring).

    Parameters
    ----------
    source : path, glob pattern, folder, or list of paths
        GeoTIFFs (one per date, or multi-band with a date per band), one NetCDF file, or one
        Zarr store.
    variable : str, optional
        NetCDF/Zarr variable (default: the only variable with a time dimension).
    dates : sequence, optional
        One date per layer (files × bands, in the order given), overriding tags and names.
    date_pattern : str, optional
        Regular expression finding the date in file names; named groups ``year``, ``month``,
        ``day`` (or ``doy``), or one group parsed as a date.
    crs : optional
        CRS of a NetCDF/Zarr cube that carries none.
    chunks : "auto", int, (y, x) or dict
        Spatial chunk size of each date's task (default: the whole date when it has at most
        4096 × 4096 pixels, 2048 × 2048 tiles otherwise). Time chunks are one date.
    cloud_mask : optional
        Pixels to drop: a DataArray of the same grid and dates, a path or pattern of mask
        rasters (opened like ``source``, values not scaled), the name of a mask variable of a
        NetCDF/Zarr source, or a callable ``cube -> boolean DataArray``. Non-zero (True) or NaN
        means "cloud", and those pixels become NaN.
    dtype : str
        Float dtype of the values (``float32`` default; ``float64`` for exact arithmetic).
    validate : "quick", "full" or "none"
        GeoTIFF checks at open time: "quick" reads each file's header and its last block (a
        truncated download fails here, naming the file), "full" reads every pixel.

    Returns
    -------
    xarray.DataArray
        ``(time, y, x)``, float, NaN for nodata and clouds, CRS and transform set (rioxarray).
    """
    import rioxarray  # noqa: F401 - registers the .rio accessor

    paths = _expand(source)
    kinds = {_kind(p) for p in paths}
    if len(kinds) > 1:
        raise InputError(Issue("mixing GeoTIFF, NetCDF and Zarr inputs in one cube is not supported",
                               source=str(source)))
    kind = kinds.pop()
    if kind == "geotiff":
        cube = _tiff_cube(paths, dates=dates, date_pattern=date_pattern, chunks=chunks, dtype=dtype,
                          validate=validate, name=name)
    else:
        if len(paths) != 1:
            raise InputError(Issue("give one NetCDF file or Zarr store (or concatenate cubes with "
                                   "xarray.concat)", source=str(source)))
        cube = _dataset_cube(paths[0], variable=variable, crs=crs, chunks=chunks, dtype=dtype,
                             engine=engine, name=name,
                             dataset_mask=cloud_mask if isinstance(cloud_mask, str) and
                             not _looks_like_path(cloud_mask) else None)
        if dates is not None:
            cube = cube.assign_coords(time=pd.DatetimeIndex(pd.to_datetime(list(dates))))
        if isinstance(cloud_mask, str) and not _looks_like_path(cloud_mask):
            cloud_mask = None
    if cloud_mask is not None:
        if callable(cloud_mask) and not isinstance(cloud_mask, xr.DataArray):
            mask = xr.where(cloud_mask(cube), 1, 0)
        elif isinstance(cloud_mask, xr.DataArray):
            mask = cloud_mask
        else:
            mask = _raw_mask(cloud_mask, dates=dates, date_pattern=date_pattern, chunks=chunks)
        cube = _apply_mask(cube, mask)
    return cube


def _raw_mask(source, *, dates, date_pattern, chunks) -> xr.DataArray:
    paths = _expand(source)
    layers, transform, crs, shape, _ = _tiff_layers(paths, dates=dates, date_pattern=date_pattern,
                                                    validate="quick")
    # masks are category codes: no scaling, and their own nodata stays a plain value
    raw = [_Layer(l.path, l.band, l.time, 1.0, 0.0, None) for l in layers]
    import dask.array as da
    blocks = [da.from_delayed(_delayed_read(l), shape=(1, *shape), dtype="float32") for l in raw]
    return xr.DataArray(da.concatenate(blocks, axis=0), dims=("time", "y", "x"),
                        coords={"time": pd.DatetimeIndex([l.time for l in raw])})


def _delayed_read(layer: _Layer):
    import dask
    return dask.delayed(_read_block, pure=True)(layer.path, layer.band, None, 1.0, 0.0, None, "float32")


def _looks_like_path(text: str) -> bool:
    return any(ch in text for ch in "/\\*?") or Path(text).suffix.lower() in (
        GEOTIFF_SUFFIXES | NETCDF_SUFFIXES | ZARR_SUFFIXES)


def _kind(p: Path) -> str:
    suffix = p.suffix.lower()
    if suffix in GEOTIFF_SUFFIXES:
        return "geotiff"
    if suffix in NETCDF_SUFFIXES:
        return "netcdf"
    if suffix in ZARR_SUFFIXES or (p.is_dir() and ((p / ".zgroup").exists() or (p / "zarr.json").exists())):
        return "zarr"
    raise InputError(Issue(f"unsupported raster type '{suffix or p.name}'; use GeoTIFF (.tif), "
                           "NetCDF (.nc) or Zarr (.zarr)", source=str(p)))


def grid_of(cube: xr.DataArray):
    """``(transform, crs, (ny, nx))`` of a cube; InputError when it has no CRS."""
    import rioxarray  # noqa: F401
    crs = cube.rio.crs
    if crs is None:
        raise InputError(Issue("the cube has no CRS; set one with cube.rio.write_crs(...)", source="cube"))
    transform = cube.rio.transform()
    if transform.b != 0 or transform.d != 0:
        raise InputError(Issue("rotated grids are not supported", source="cube"))
    return transform, crs, (cube.sizes["y"], cube.sizes["x"])


__all__ = ["open_cube", "grid_of", "parse_date", "RasterReadError"]
