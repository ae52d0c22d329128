"""Reading raster blocks inside dask tasks: one GDAL call per file and window for every band
of a pixel-interleaved file (so each compressed block is decoded once, not once per band), one
per band of a band-interleaved one; scale, offset and nodata applied per band.

The task functions run on workers, possibly on another machine: plain module-level functions.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..errors import InputError, Issue


class RasterReadError(InputError):
    """A raster file (or one of its blocks) could not be read; the message names the file."""


def _read_block(path: str, band: int, window: tuple[int, int, int, int] | None, scale: float,
                offset: float, nodata: float | None, dtype: str) -> np.ndarray:
    """Read one band (or window ``(row0, col0, height, width)``) as ``dtype`` with NaN for nodata.
    Runs inside dask tasks, possibly on another machine: keep it a plain module-level function."""
    return _read_bands(path, (band,), window, (scale,), (offset,), (nodata,), dtype)


def _read_bands(path: str, bands: tuple[int, ...], window: tuple[int, int, int, int] | None,
                scales: tuple[float, ...], offsets: tuple[float, ...], nodatas: tuple, dtype: str
                ) -> np.ndarray:
    """Read ``bands`` of one window in a single GDAL call, ``(len(bands), h, w)``, each band scaled
    and masked like :func:`_read_block`. One call decodes each block of a pixel-interleaved file
    once for all its bands (one read per band decodes the block again for every band)."""
    import rasterio
    from rasterio.errors import RasterioError
    from rasterio.windows import Window
    try:
        with rasterio.open(path) as src:
            win = None if window is None else Window(window[1], window[0], window[3], window[2])
            raw = src.read(list(bands), window=win)
    except (RasterioError, OSError) as exc:
        what = f"band {bands[0]}" if len(bands) == 1 else f"bands {bands[0]}-{bands[-1]}"
        raise RasterReadError(Issue(f"cannot read {what}: the file is truncated, corrupt or "
                                    f"unreadable ({exc})", source=path)) from None
    out = np.empty(raw.shape, dtype=dtype)
    for i, (scale, offset, nodata) in enumerate(zip(scales, offsets, nodatas)):
        _scaled(raw[i], out[i], scale, offset, nodata, dtype)
    return out


def _scaled(raw: np.ndarray, out: np.ndarray, scale: float, offset: float, nodata: float | None,
            dtype: str) -> None:
    """``out = raw * scale + offset`` in ``dtype`` (the same float operations as one-band reads),
    NaN where the stored value equals ``nodata``."""
    if scale != 1.0 or offset != 0.0:
        np.multiply(raw, np.asarray(scale, dtype=dtype), out=out, dtype=dtype, casting="unsafe")
        if offset != 0.0:
            out += np.asarray(offset, dtype=dtype)
    else:
        out[...] = raw
    if nodata is not None and not np.isnan(nodata):
        # compare the stored values (before scaling) with the nodata value; NaN stays NaN
        nd = raw.dtype.type(nodata) if np.issubdtype(raw.dtype, np.integer) else nodata
        out[raw == nd] = np.nan


def _block_stack(key: str, reads: Sequence[tuple], shape: tuple[int, int], ych: tuple[int, ...],
                xch: tuple[int, ...], dtype: str):
    """A lazy ``(layer, y, x)`` dask array, one chunk per layer and window, read once per file
    and window: one :func:`_read_bands` task reads every band of a file in the window, and each
    layer's chunk is a slice of it (so a multi-band file is decoded once, not once per band).

    ``reads`` holds ``(path, band, scale, offset, nodata)`` per layer; ``key`` names the graph
    (make it a token of everything the blocks depend on)."""
    import operator

    import dask.array as da
    by_file: dict[str, list[int]] = {}
    for i, (path, *_rest) in enumerate(reads):
        # a band-interleaved file keeps one task per band: nothing is decoded twice there, and
        # the smaller tasks run in parallel
        by_file.setdefault(path if _pixel_interleaved(path) else (path, i), []).append(i)
    read_key = f"read-{key}"
    dsk = {}
    for f, members in enumerate(by_file.values()):
        path = reads[members[0]][0]
        bands = tuple(reads[i][1] for i in members)
        scales, offsets, nodatas = (tuple(reads[i][c] for i in members) for c in (2, 3, 4))
        r0 = 0
        for j, h in enumerate(ych):
            c0 = 0
            for k, w in enumerate(xch):
                window = None if (h, w) == tuple(shape) else (r0, c0, h, w)
                dsk[(read_key, f, j, k)] = (_read_bands, path, bands, window, scales, offsets,
                                            nodatas, dtype)
                for pos, i in enumerate(members):
                    dsk[(key, i, j, k)] = (operator.getitem, (read_key, f, j, k), slice(pos, pos + 1))
                c0 += w
            r0 += h
    return da.Array(dsk, key, chunks=((1,) * len(reads), ych, xch), dtype=dtype)


def _pixel_interleaved(path: str) -> bool:
    """Whether ``path`` stores its bands pixel by pixel (GDAL's default for multi-band GeoTIFFs)."""
    import rasterio
    from rasterio.enums import Interleaving
    try:
        with rasterio.open(path) as src:
            return src.count > 1 and src.interleaving != Interleaving.band
    except (rasterio.errors.RasterioError, OSError):
        return False  # the read task names the file
