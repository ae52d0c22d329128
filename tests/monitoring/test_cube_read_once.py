"""One read per file and window: a multi-band GeoTIFF (pixel- or band-interleaved, tiled or
striped, with per-band scale, offset and nodata) comes out of ``open_cube`` with the values the
one-band-per-task reader gives, and its graph holds one read task per file and window."""
from __future__ import annotations

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from restoration.monitoring import open_cube
from restoration.monitoring.cube import _read_block, _spatial_chunks


def _stack(path, interleave: str, nb: int = 5, ny: int = 70, nx: int = 90) -> np.ndarray:
    rng = np.random.default_rng(7)
    raw = rng.integers(-2000, 9000, size=(nb, ny, nx), dtype="int16")
    raw[:, 3, 4] = -32768  # nodata in every band
    raw[1, 10:12, 20:25] = -32768
    profile = dict(driver="GTiff", width=nx, height=ny, count=nb, dtype="int16", crs="EPSG:32649",
                   transform=from_origin(500000, 3300000, 10, 10), nodata=-32768,
                   interleave=interleave, tiled=True, blockxsize=32, blockysize=32)
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(raw)
        dst.scales = tuple(1e-4 * (b + 1) for b in range(nb))
        dst.offsets = tuple(0.01 * b for b in range(nb))
        for b in range(1, nb + 1):
            dst.update_tags(b, DATE=f"2025-0{b}-15")
    return raw


def _one_band_reads(path, nb: int, ny: int, nx: int, chunk) -> np.ndarray:
    """The values as the one-band-per-task reader returns them, window by window."""
    with rasterio.open(path) as src:
        scales, offsets, nodata = src.scales, src.offsets, src.nodata
    ych, xch = _spatial_chunks((ny, nx), chunk)
    out = np.empty((nb, ny, nx), dtype="float32")
    for b in range(nb):
        r0 = 0
        for h in ych:
            c0 = 0
            for w in xch:
                window = None if (h, w) == (ny, nx) else (r0, c0, h, w)
                out[b, r0:r0 + h, c0:c0 + w] = _read_block(str(path), b + 1, window, scales[b], offsets[b],
                                                           nodata, "float32")[0]
                c0 += w
            r0 += h
    return out


@pytest.mark.parametrize("interleave", ["pixel", "band"])
@pytest.mark.parametrize("chunk", ["auto", 32, (40, 25)])
def test_same_values_as_one_band_reads(tmp_path, interleave, chunk):
    path = tmp_path / f"stack_{interleave}.tif"
    raw = _stack(path, interleave)
    cube = open_cube(path, chunks=chunk)
    got = cube.values
    want = _one_band_reads(path, *raw.shape, chunk)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_array_equal(got, want)  # bit for bit, NaN where nodata
    assert np.isnan(got[:, 3, 4]).all() and np.isnan(got[1, 10:12, 20:25]).all()
    assert got[0, 0, 0] == pytest.approx(raw[0, 0, 0] * 1e-4, rel=1e-6)


def test_one_read_task_per_file_and_window(tmp_path):
    raw = _stack(tmp_path / "a.tif", "pixel")
    _stack(tmp_path / "b.tif", "pixel")  # same dates: give b its own with dates=
    nb = raw.shape[0]
    dates = [f"2025-{m:02d}-01" for m in range(1, 2 * nb + 1)]
    cube = open_cube([tmp_path / "a.tif", tmp_path / "b.tif"], chunks=32, dates=dates)
    windows = 3 * 3  # 70 × 90 pixels in 32-pixel chunks
    reads = [k for k in dict(cube.data.__dask_graph__()) if str(k[0]).startswith("read-")]
    assert len(reads) == 2 * windows  # one per file and window, not one per band
    _stack(tmp_path / "c.tif", "band")
    banded = open_cube(tmp_path / "c.tif", chunks=32)
    reads = [k for k in dict(banded.data.__dask_graph__()) if str(k[0]).startswith("read-")]
    assert len(reads) == nb * windows  # band-interleaved: one per band, smaller parallel tasks
    np.testing.assert_array_equal(banded.values, cube.values[:nb])
    assert cube.shape == (2 * nb, 70, 90)
    np.testing.assert_array_equal(cube.values[nb:], cube.values[:nb])  # b holds a's values
