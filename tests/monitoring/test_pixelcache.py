"""The kept pixel map: built once per grid and site version, reused on the next ingest of that
grid (asserted by the ``built`` flag and the file, not by timing), rebuilt when a site changes,
and giving the same zonal values as a freshly built map."""
from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from restoration.monitoring import open_cube, pixel_map, zonal_timeseries
from restoration.monitoring.pixelcache import kept_pixel_map


def test_kept_map_reused_then_rebuilt_when_sites_change(tmp_path, synth, utm_sites):
    synth.write_stack(tmp_path / "s", synth.values())
    cube = open_cube(tmp_path / "s" / "*.tif")
    keep = tmp_path / "maps"
    first, built = kept_pixel_map(cube, utm_sites, "center", keep)
    assert built and len(list(keep.glob("*.npz"))) == 1
    again, built = kept_pixel_map(cube, utm_sites, "center", keep)
    assert not built  # the second ingest on this grid does not rebuild it
    fresh = pixel_map(cube, utm_sites, "center")
    assert (again.matrix != fresh.matrix).nnz == 0 and again.flags == fresh.flags
    np.testing.assert_array_equal(again.area_px, fresh.area_px)
    want = zonal_timeseries(cube, utm_sites, ("mean", "count"))
    got = zonal_timeseries(cube, utm_sites, ("mean", "count"), weights=again)
    pd.testing.assert_frame_equal(got, want)
    # another rule, a moved boundary, or one site fewer: another key, rebuilt
    assert kept_pixel_map(cube, utm_sites, "coverage", keep)[1]
    moved = utm_sites.copy()
    moved.loc[0, "geometry"] = shapely.affinity.translate(moved.geometry.iloc[0], 0.0005, 0.0)
    assert kept_pixel_map(cube, moved, "center", keep)[1]
    assert kept_pixel_map(cube, utm_sites.iloc[:4], "center", keep)[1]
    assert not kept_pixel_map(cube, moved, "center", keep)[1]


def test_unreadable_kept_map_is_rebuilt(tmp_path, synth, utm_sites):
    synth.write_stack(tmp_path / "s", synth.values(2), synth.DATES[:2])
    cube = open_cube(tmp_path / "s" / "*.tif")
    keep = tmp_path / "maps"
    kept_pixel_map(cube, utm_sites, "center", keep)
    (path,) = keep.glob("*.npz")
    path.write_bytes(path.read_bytes()[:50])  # truncated
    pm, built = kept_pixel_map(cube, utm_sites, "center", keep)
    assert built and pm.n_sites == len(utm_sites)
    assert not kept_pixel_map(cube, utm_sites, "center", keep)[1]


def test_second_ingest_reuses_the_kept_map_with_the_same_values(store, sample_dir, tmp_path):
    from restoration.monitoring import ingest_raster, site_series

    def values():
        return site_series(store, "S011", "ndvi")[["time", "value", "qc_flag"]].reset_index(drop=True)
    keep = tmp_path / "maps"
    files = sample_dir / "ndvi" / "*.tif"
    first = ingest_raster(store, files, site_ids=["S011", "S016"], pixel_maps=keep)
    before = values()
    again = ingest_raster(store, files, site_ids=["S011", "S016"], pixel_maps=keep)
    assert not first.pixel_map_reused and again.pixel_map_reused
    assert again.rows == first.rows and again.replaced == first.rows
    pd.testing.assert_frame_equal(values(), before)
    plain = ingest_raster(store, files, site_ids=["S011", "S016"])  # without a kept map: same values
    assert not plain.pixel_map_reused
    pd.testing.assert_frame_equal(values(), before)


def test_kept_map_keeps_the_block_weights_of_the_ingest(store, sample_dir, tmp_path):
    """The second ingest on the grid recomputes neither the map nor the per-block runs of pixels
    (the part of the reduction that depends only on the map), and its values are unchanged."""
    from restoration.monitoring import ingest_raster, site_series
    from restoration.monitoring import zonal as zonal_mod
    keep = tmp_path / "maps"
    files = sample_dir / "ndvi" / "*.tif"
    ingest_raster(store, files, site_ids=["S011", "S016"], pixel_maps=keep)
    before = site_series(store, "S011", "ndvi")[["time", "value"]].reset_index(drop=True)
    built = []
    real = zonal_mod.BlockWeights.__init__

    def counting(self, *a, **k):
        built.append(1)
        real(self, *a, **k)
    zonal_mod.BlockWeights.__init__ = counting
    try:
        again = ingest_raster(store, files, site_ids=["S011", "S016"], pixel_maps=keep)
    finally:
        zonal_mod.BlockWeights.__init__ = real
    assert again.pixel_map_reused and built == []
    pd.testing.assert_frame_equal(site_series(store, "S011", "ndvi")[["time", "value"]].reset_index(drop=True),
                                  before)
