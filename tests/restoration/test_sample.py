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


# -- coherence: every site and project lies where its records say (issue 10) -------------------
def _named(text, names, stem=lambda n: n):
    return [n for n in names if isinstance(text, str) and stem(n) in text]


def test_case_sites_lie_in_their_cases_county_and_named_watershed(store):
    """Each case-linked site lies (whole polygon) in the county that handles its case, and in
    the watershed the case's title names (e.g. 红水河); the store's spatial join agrees."""
    sites = store.read("sites").dropna(subset=["case_id"])
    cases = store.read("cases").set_index("case_id")
    counties = store.read("counties").set_index("name").geometry
    watersheds = store.read("watersheds").set_index("name").geometry
    assert len(sites) == 28
    wrong = []
    for s in sites.itertuples():
        county = cases.loc[s.case_id, "region"]
        if not (counties[county].buffer(1e-7).contains(s.geometry) and s.county == county):
            wrong.append(f"{s.site_id} of {s.case_id} ({county}) lies in {s.county}")
        for ws in _named(cases.loc[s.case_id, "title"], watersheds.index, lambda n: n.removesuffix("流域")):
            if not (watersheds[ws].buffer(1e-7).contains(s.geometry) and s.watershed == ws):
                wrong.append(f"{s.site_id} of {s.case_id} (title names {ws}) lies in {s.watershed}")
    assert not wrong, "\n".join(wrong)
    assert cases.loc["GX-2024-004", "title"].startswith("红水河")  # the watershed rule is exercised


def test_bank_projects_lie_in_the_county_and_watershed_they_name(store):
    """A project lies in the county its name names (else its operator's county) and in the
    watershed its name names: "BP01 石岭县国有林场…" in 石岭县, "红水河…" in 红水河流域."""
    bank = store.read("bank_projects")
    counties = store.read("counties").set_index("name").geometry
    watersheds = store.read("watersheds").set_index("name").geometry
    wrong, checked = [], 0
    for p in bank.itertuples():
        named = _named(p.name, counties.index) or _named(p.operator, counties.index)
        assert len(named) == 1, (p.project_id, named)
        checked += 1
        if not (counties[named[0]].buffer(1e-7).contains(p.geometry) and p.region == named[0]):
            wrong.append(f"{p.project_id} {p.name} lies in {p.region}, not {named[0]}")
        for ws in _named(p.name, watersheds.index, lambda n: n.removesuffix("流域")):
            if not (watersheds[ws].buffer(1e-7).contains(p.geometry) and p.watershed == ws):
                wrong.append(f"{p.project_id} {p.name} lies in {p.watershed}, not {ws}")
    assert checked == len(bank) == 20 and not wrong, "\n".join(wrong)


def test_vegetation_sites_lie_in_the_ndvi_window(store):
    from restoration.sample.catalogue import NDVI_BBOX, SITES
    import shapely
    window = shapely.box(*NDVI_BBOX)
    sites = store.read("sites").set_index("site_id")
    inside = [sid for sid, *_rest in SITES if _rest[5]]
    assert inside and all(window.contains(sites.loc[sid, "geometry"]) for sid in inside)
