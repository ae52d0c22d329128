"""Disturbed patches of a breaks raster (connected pixels above a minimum area, vectorised, with
their year, area and index drop) and the PNG chips of the evidence."""
from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest
from affine import Affine

from restoration.errors import InputError
from restoration.monitoring.chips import png_bytes, render_chips
from restoration.monitoring.patches import disturbed_patches, read_breaks

from .clue_scene import write_scene


def test_patches_above_the_minimum_area(tmp_path):
    files = write_scene(tmp_path)
    img = read_breaks(files["breaks"])
    assert img.years[0] == 2008 and img.crs.to_epsg() == 32649
    patches, labels = disturbed_patches(img, min_area_ha=1.0)
    assert sorted(patches["n_pixels"]) == [400, 400]  # the 3×3 patch (0.81 ha) is dropped
    assert sorted(patches["break_year"]) == [2015, 2018]
    assert np.allclose(patches["area_ha"], 36.0, rtol=0.01)  # 400 px × 0.09 ha
    assert np.allclose(patches["area_mu"], patches["area_ha"] * 15)
    assert np.allclose(patches["index_drop"], 0.35, atol=1e-6)
    assert (labels > 0).sum() == 800
    smaller, _ = disturbed_patches(img, min_area_ha=0.5)
    assert len(smaller) == 3
    none, _ = disturbed_patches(img, min_area_ha=1.0, min_magnitude=0.5)  # every drop is 0.35
    assert len(none) == 0


def test_breaks_raster_without_crs_or_bands_is_refused(tmp_path):
    files = write_scene(tmp_path / "nocrs", crs=None)
    with pytest.raises(InputError, match="no coordinate reference system"):
        read_breaks(files["breaks"])
    one = tmp_path / "one.tif"
    import rasterio
    with rasterio.open(one, "w", driver="GTiff", width=4, height=4, count=1, dtype="float32",
                       crs="EPSG:32649", transform=Affine(30, 0, 0, 0, -30, 0)) as dst:
        dst.write(np.zeros((4, 4), "float32"), 1)
    with pytest.raises(InputError, match="a breaks raster has 4"):
        read_breaks(one)
    bad = tmp_path / "bad.tif"
    bad.write_bytes(b"II*\x00 truncated")
    with pytest.raises(InputError, match="not a readable raster"):
        read_breaks(bad)


def _decode(png: bytes) -> np.ndarray:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, w, h = 8, b"", None, None
    while pos < len(png):
        n, tag = struct.unpack(">I4s", png[pos:pos + 8])
        data = png[pos + 8:pos + 8 + n]
        assert struct.unpack(">I", png[pos + 8 + n:pos + 12 + n])[0] == zlib.crc32(tag + data)
        if tag == b"IHDR":
            w, h = struct.unpack(">II", data[:8])
        elif tag == b"IDAT":
            idat += data
        pos += 12 + n
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, 1 + 3 * w)
    assert (raw[:, 0] == 0).all()
    return raw[:, 1:].reshape(h, w, 3)


def test_chips_share_one_scale_and_outline_the_patch():
    before = np.full((40, 40), 0.8)
    after = before.copy()
    patch = np.zeros((40, 40), bool)
    patch[10:30, 10:30] = True
    after[patch] = 0.4
    after[0, 0] = np.nan
    b, a = (_decode(p)[::3, ::3] for p in render_chips([before, after], patch))  # enlarged 3× to 120 px
    assert b.shape == (40, 40, 3)
    assert tuple(a[10, 15]) == (230, 40, 40) and tuple(a[20, 20]) == (a[20, 20, 0],) * 3  # edge red, inside grey
    assert a[20, 20, 0] < b[20, 20, 0]  # the loss is darker on the shared scale
    assert tuple(a[0, 0]) == (0, 0, 0)  # no data is black
    big = render_chips([np.random.default_rng(0).random((1000, 600))])[0]
    assert max(_decode(big).shape[:2]) <= 256
    assert _decode(png_bytes(np.zeros((2, 3, 3), np.uint8))).shape == (2, 3, 3)
    assert _decode(render_chips([np.zeros((10, 5))])[0]).shape == (120, 60, 3)
