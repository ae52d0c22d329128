"""The sample region: deterministic, small, in sync with its generator, and realistic enough."""
from __future__ import annotations

import filecmp

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from rasterio.features import geometry_mask

from restoration import CaseClass, Stage, build_sample


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory):
    return build_sample(tmp_path_factory.mktemp("sample"), progress=False)


def test_committed_sample_equals_the_generator_output(rebuilt, sample_dir):
    """sample_data/ is what `restoration sample build` writes: deterministic and in sync."""
    for name in ("cases.csv", "case_events.csv", "indicator_targets.csv", "water_quality.csv",
                 "sites.geojson", "counties.geojson", "watersheds.geojson", "README.md"):
        assert filecmp.cmp(rebuilt / name, sample_dir / name, shallow=False), name
    a = gpd.read_file(rebuilt / "bank_projects.gpkg")
    b = gpd.read_file(sample_dir / "bank_projects.gpkg")
    pd.testing.assert_frame_equal(a.drop(columns="geometry"), b.drop(columns="geometry"))
    assert a.geometry.geom_equals_exact(b.geometry, tolerance=0).all()
    tifs = sorted(p.name for p in (sample_dir / "ndvi").glob("*.tif"))
    assert tifs == sorted(p.name for p in (rebuilt / "ndvi").glob("*.tif"))
    for name in tifs[:3] + tifs[-2:]:
        with rasterio.open(rebuilt / "ndvi" / name) as x, rasterio.open(sample_dir / "ndvi" / name) as y:
            np.testing.assert_array_equal(x.read(1), y.read(1))


def test_sample_is_small(sample_dir):
    total = sum(p.stat().st_size for p in sample_dir.rglob("*") if p.is_file())
    assert total < 10 * 1024 * 1024


def test_every_stage_and_class_and_range_of_amounts(store):
    cases = store.read("cases")
    assert set(cases["stage"]) == {s.value for s in Stage}
    assert set(cases["case_class"]) == {c.value for c in CaseClass}
    amounts = cases["damage_amount_yuan"].dropna()
    assert amounts.min() < 10_000 and amounts.max() > 3_000_000


def test_sites_cover_all_roles_and_sizes(store):
    sites = store.read("sites")
    assert set(sites["role"]) == {"damaged", "in_situ_restoration", "alternative_restoration",
                                  "off_site_restoration", "reference", "monitoring_plot"}
    polys = sites[sites["role"] != "monitoring_plot"]
    assert polys["area_ha"].min() >= 0.45 and polys["area_ha"].max() <= 210
    minx, miny, maxx, maxy = sites.total_bounds
    assert 107.5 <= minx and maxx <= 109.5 and 22.5 <= miny and maxy <= 24.5


def test_bank_variety(store):
    bank = store.read("bank_projects")
    assert {"forest", "wetland", "riparian_buffer", "karst_grassland", "farmland_soil",
            "mangrove"} <= set(bank["ecosystem_type"])
    assert {"ha", "tCO2e"} <= set(bank["capacity_unit"])
    assert len(set(bank["status"])) == 5


def _site_mean(path, geom):
    with rasterio.open(path) as src:
        data = src.read(1)
        inside = geometry_mask([geom], out_shape=data.shape, transform=src.transform, invert=True)
        valid = inside & (data != src.nodata)
        return data[valid].mean() * src.scales[0] if valid.any() else np.nan, (inside & (data == src.nodata)).any()


def test_ndvi_shows_recovery_on_track_and_lagging(store, sample_dir):
    sites = store.read("sites").set_index("site_id")
    tifs = sorted((sample_dir / "ndvi").glob("*.tif"))
    assert len(tifs) >= 24
    with rasterio.open(tifs[0]) as src:
        assert src.crs.to_epsg() == 4326 and src.nodata == -32768 and src.tags()["DATE"]
    first_on, _ = _site_mean(tifs[0], sites.loc["S011", "geometry"])
    last_on, _ = _site_mean(tifs[-2], sites.loc["S011", "geometry"])
    first_lag, _ = _site_mean(tifs[0], sites.loc["S016", "geometry"])
    last_lag, _ = _site_mean(tifs[-2], sites.loc["S016", "geometry"])
    assert last_on - first_on > 0.2  # on-track restoration greens visibly
    assert 0 < last_lag - first_lag < last_on - first_on  # the lagging one much less
    clouds = sum(_cloud_fraction(t) > 0 for t in tifs)
    assert clouds >= 5  # clouds as nodata on many dates


def _cloud_fraction(path):
    with rasterio.open(path) as src:
        return (src.read(1) == src.nodata).mean()


def test_scaled_build_for_benchmarks(tmp_path):
    out = build_sample(tmp_path / "big", sites=200, dates=3, raster_size=300, progress=False)
    sites = gpd.read_file(out / "sites.geojson")
    assert len(sites) == 200
    assert len(list((out / "ndvi").glob("*.tif"))) == 3
    with rasterio.open(next((out / "ndvi").glob("*.tif"))) as src:
        assert src.shape == (300, 300)
