"""open_cube: GeoTIFF series (dates from names or tags), multi-band, NetCDF, Zarr; scale,
nodata and cloud masks; unreadable and truncated files named in the error."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import rasterio
import xarray as xr

from restoration.errors import InputError
from restoration.monitoring import RasterReadError, open_cube


def test_dates_from_file_names_and_from_tags(tmp_path, synth):
    synth.write_stack(tmp_path / "a", synth.values(), by="name")
    synth.write_stack(tmp_path / "b", synth.values(), by="tag")
    by_name = open_cube(tmp_path / "a" / "*.tif")
    by_tag = open_cube(tmp_path / "b")  # a folder works too
    for cube in (by_name, by_tag):
        assert list(pd.DatetimeIndex(cube.time.values)) == list(synth.DATES)
        assert cube.dims == ("time", "y", "x") and cube.rio.crs.to_epsg() == 32649
        assert cube.rio.transform() == synth.grid_transform()
        assert cube.chunks is not None  # lazy
        np.testing.assert_array_equal(cube.values, synth.values())


def test_other_name_patterns_and_explicit_pattern(tmp_path, synth):
    v = synth.values(2)
    synth.write_tif(tmp_path / "L8_20250301_ndvi.tif", v[0])
    synth.write_tif(tmp_path / "MOD13.A2025075.tif", v[1])  # day 75 of 2025 = 16 March
    cube = open_cube([tmp_path / "L8_20250301_ndvi.tif", tmp_path / "MOD13.A2025075.tif"])
    assert list(pd.DatetimeIndex(cube.time.values).strftime("%Y-%m-%d")) == ["2025-03-01", "2025-03-16"]
    synth.write_tif(tmp_path / "scene-07-2024.tif", v[0])
    cube = open_cube(tmp_path / "scene-07-2024.tif", date_pattern=r"-(?P<month>\d{2})-(?P<year>\d{4})")
    assert str(cube.time.values[0])[:10] == "2024-07-01"


def test_scale_factor_and_nodata_applied(tmp_path, synth):
    raw = np.full((synth.NY, synth.NX), 5000, dtype="int16")
    raw[0, 0] = -32768
    synth.write_tif(tmp_path / "n_2025-05-15.tif", raw, dtype="int16", nodata=-32768, scale=1e-4)
    cube = open_cube(tmp_path / "n_2025-05-15.tif")
    out = cube.values[0]
    assert np.isnan(out[0, 0])
    assert out[1, 1] == pytest.approx(0.5, abs=1e-7)


def test_multiband_with_band_dates(tmp_path, synth):
    v = synth.values()
    synth.write_tif(tmp_path / "stack.tif", v, band_tags=[{"DATE": f"{d:%Y-%m-%d}"} for d in synth.DATES][::-1])
    cube = open_cube(tmp_path / "stack.tif")
    # band 1 is tagged with the last date: layers come back in time order
    assert list(pd.DatetimeIndex(cube.time.values)) == list(synth.DATES)
    np.testing.assert_array_equal(cube.values, v[::-1])
    synth.write_tif(tmp_path / "desc.tif", v, descriptions=[f"{d:%Y-%m-%d}" for d in synth.DATES])
    np.testing.assert_array_equal(open_cube(tmp_path / "desc.tif").values, v)
    synth.write_tif(tmp_path / "plain.tif", v)
    with pytest.raises(InputError, match="plain.tif.*no date for band 1"):
        open_cube(tmp_path / "plain.tif")
    cube = open_cube(tmp_path / "plain.tif", dates=list(synth.DATES))
    assert cube.sizes["time"] == 3


def _dataset(synth, ascending_y=False):
    v = synth.values().astype("float32")
    v[1, 0, 0] = -999
    x0, y0 = synth.ORIGIN
    ys = y0 - (np.arange(synth.NY) + 0.5) * synth.PIX
    xs = x0 + (np.arange(synth.NX) + 0.5) * synth.PIX
    if ascending_y:
        ys, v = ys[::-1], v[:, ::-1, :]
    ds = xr.Dataset({"ndvi": (("time", "y", "x"), v)}, coords={"time": synth.DATES, "y": ys, "x": xs})
    ds["ndvi"].encoding["_FillValue"] = -999
    ds["ndvi"].attrs["_FillValue"] = -999
    return ds.rio.write_crs(synth.UTM)


@pytest.mark.parametrize("fmt", ["netcdf", "zarr"])
def test_netcdf_and_zarr_cubes(tmp_path, synth, fmt):
    ds = _dataset(synth, ascending_y=True)
    ds["ndvi"].attrs.pop("_FillValue")
    if fmt == "netcdf":
        path = tmp_path / "cube.nc"
        ds.to_netcdf(path)
    else:
        path = tmp_path / "cube.zarr"
        ds.to_zarr(path)
    cube = open_cube(path)
    assert cube.rio.crs.to_epsg() == 32649
    assert cube.rio.transform() == synth.grid_transform()  # made north-up
    expected = synth.values()
    got = cube.values
    assert np.isnan(got[1, 0, 0])  # _FillValue decoded to NaN
    expected[1, 0, 0] = np.nan
    np.testing.assert_array_equal(got, expected)


def test_netcdf_cloud_mask_variable(tmp_path, synth):
    ds = _dataset(synth)
    ds["ndvi"].attrs.pop("_FillValue")
    clouds = np.zeros((3, synth.NY, synth.NX), "uint8")
    clouds[2, 5:10, 5:10] = 1
    ds["clouds"] = (("time", "y", "x"), clouds)
    ds.to_netcdf(tmp_path / "c.nc")
    cube = open_cube(tmp_path / "c.nc", variable="ndvi", cloud_mask="clouds")
    assert np.isnan(cube.values[2, 5:10, 5:10]).all() and not np.isnan(cube.values[2, 10:, 10:]).any()


def test_truncated_geotiff_is_named(tmp_path, synth):
    good = synth.write_stack(tmp_path / "s", synth.values())
    data = good[1].read_bytes()
    good[1].write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="x_2025-02-15.tif.*truncated"):
        open_cube(tmp_path / "s" / "*.tif")


def test_truncated_cloud_optimised_geotiff_found_at_open_and_at_read(tmp_path, synth):
    """A COG keeps its header in front: the header opens, the pixels are gone. The quick check at
    open reads the last block; without it, the read fails while computing — naming the file."""
    path = tmp_path / "cog_2025-01-15.tif"
    big = np.random.default_rng(0).normal(size=(600, 600))
    synth.write_tif(path, big, driver="COG", dtype="float32")
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * 0.6)])
    with rasterio.open(path) as src:  # the header is intact
        assert src.shape == (600, 600)
    with pytest.raises(InputError, match="cog_2025-01-15.tif.*truncated or corrupt"):
        open_cube(path)
    lazy = open_cube(path, validate="none")
    with pytest.raises(RasterReadError, match="cog_2025-01-15.tif"):
        lazy.values


def test_unreadable_inputs(tmp_path, synth):
    with pytest.raises(InputError, match="no files match"):
        open_cube(tmp_path / "nothing*.tif")
    (tmp_path / "junk_2025-01-01.tif").write_text("not a tiff")
    with pytest.raises(InputError, match="junk_2025-01-01.tif"):
        open_cube(tmp_path / "junk_2025-01-01.tif")
    (tmp_path / "junk.nc").write_bytes(b"\x89HDF garbage")
    with pytest.raises(InputError, match="junk.nc.*cannot open as NetCDF"):
        open_cube(tmp_path / "junk.nc")
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(InputError, match="unsupported raster type"):
        open_cube(tmp_path / "notes.txt")
    synth.write_tif(tmp_path / "undated.tif", synth.values(1)[0])
    with pytest.raises(InputError, match="undated.tif.*no date"):
        open_cube(tmp_path / "undated.tif")


def test_grids_must_match_and_dates_be_unique(tmp_path, synth):
    from rasterio.transform import from_origin
    v = synth.values()
    synth.write_tif(tmp_path / "a_2025-01-01.tif", v[0])
    synth.write_tif(tmp_path / "b_2025-02-01.tif", v[1], transform=from_origin(0, 0, 30, 30))
    with pytest.raises(InputError, match="b_2025-02-01.tif.*grid"):
        open_cube(tmp_path / "*.tif")
    (tmp_path / "b_2025-02-01.tif").unlink()
    synth.write_tif(tmp_path / "c_2025-01-01.tif", v[1])
    with pytest.raises(InputError, match="same date 2025-01-01"):
        open_cube(tmp_path / "*.tif")
