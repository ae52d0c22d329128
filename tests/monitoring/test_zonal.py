"""Zonal time series: answers known by construction, the two pixel rules against rasterstats and
exactextract, overlaps, sub-pixel and outside polygons, CRS handling, nodata and clouds, dask."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from restoration.monitoring import open_cube, pixel_map, zonal_timeseries

ALL = ("mean", "median", "min", "max", "std", "count", "valid_fraction")


def _block(synth, d, r0, r1, c0, c1):
    return synth.values()[d, r0:r1, c0:c1].ravel()


def test_known_answers_centre_rule_with_sites_in_4326(stack, synth, utm_sites):
    """Raster in UTM, sites in EPSG:4326: the sites are reprojected (never the raster) and the
    pixel-aligned rectangles get exactly their pixels, overlapping ones each their full set."""
    cube = open_cube(stack / "*.tif")
    assert cube.rio.crs.to_epsg() == 32649
    z = zonal_timeseries(cube, utm_sites, ALL).set_index(["site_id", "time"])
    for d, when in enumerate(synth.DATES):
        for sid, (r0, r1, c0, c1) in {"A": (2, 6, 3, 10), "B": (4, 10, 6, 15), "E": (10, 13, 45, 50)}.items():
            px = _block(synth, d, r0, r1, c0, c1)
            row = z.loc[(sid, when)]
            assert row["mean"] == pytest.approx(px.mean(), abs=1e-9)
            assert row["median"] == pytest.approx(np.median(px), abs=1e-9)
            assert row["min"] == px.min() and row["max"] == px.max()
            assert row["std"] == pytest.approx(px.std(), rel=1e-9)
            assert row["count"] == px.size and row["valid_fraction"] == 1.0
    # the overlap (rows 4-5, cols 6-9) counts in both A and B
    assert z.loc[("A", synth.DATES[0]), "count"] == 28 and z.loc[("B", synth.DATES[0]), "count"] == 54
    flags = z.groupby(level=0)["flag"].first()
    assert flags["A"] == "" and flags["B"] == ""
    assert flags["C"] == "subpixel" and flags["D"] == "outside" and flags["E"] == "partial"


def test_subpixel_and_outside_polygons(stack, synth, utm_sites):
    cube = open_cube(stack / "*.tif")
    for method in ("center", "coverage"):
        z = zonal_timeseries(cube, utm_sites, ("mean", "count", "valid_fraction"), method=method)
        c = z[z.site_id == "C"]
        # smaller than a pixel, no pixel centre inside: still the value of the pixel it lies in
        np.testing.assert_allclose(c["mean"], [2020.0 + 1000 * d for d in range(3)], atol=1e-6)
        assert (c["flag"] == "subpixel").all()
        d = z[z.site_id == "D"]
        assert d["mean"].isna().all() and (d["count"] == 0).all() and (d["flag"] == "outside").all()
    cov = zonal_timeseries(cube, utm_sites, ("count",), method="coverage")
    # 0.3 × 0.3 of a pixel
    assert cov.loc[cov.site_id == "C", "count"].iloc[0] == pytest.approx(0.09, rel=1e-6)


def test_coverage_rule_weights_partial_pixels(stack, synth):
    """A rectangle from column 3.25 to 9.4: the coverage rule weights columns 3 and 9 by 0.75 and
    0.4; the centre rule takes columns 3..8 whole."""
    poly = synth.pixel_box(2, 3.25, 6, 9.4)
    sites = gpd.GeoDataFrame({"site_id": ["P"]}, geometry=[poly], crs=synth.UTM)
    cube = open_cube(stack / "*.tif")
    cov = zonal_timeseries(cube, sites, ("mean", "count"), method="coverage")
    w = np.array([0.75, 1, 1, 1, 1, 1, 0.4])
    cols = np.arange(3, 10)
    expected_c = (w * cols).sum() / w.sum()
    np.testing.assert_allclose(cov["mean"], [350 + expected_c + 1000 * d for d in range(3)], atol=1e-9)
    assert cov["count"].iloc[0] == pytest.approx(4 * w.sum())
    cen = zonal_timeseries(cube, sites, ("mean", "count"), method="center")
    np.testing.assert_allclose(cen["mean"], [350 + 5.5 + 1000 * d for d in range(3)], atol=1e-9)
    assert cen["count"].iloc[0] == 24


def _random_sites(n, seed, crs, bounds):
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = bounds
    geoms = []
    for i in range(n):
        cx, cy = rng.uniform(x0, x1), rng.uniform(y0, y1)
        r = rng.uniform(20, 200)
        g = shapely.Point(cx, cy).buffer(r, 5)
        if i % 4 == 0:  # some with holes
            g = g.difference(shapely.Point(cx, cy).buffer(r / 3, 4))
        geoms.append(shapely.affinity.scale(g, rng.uniform(0.5, 1.5), 1))
    return gpd.GeoDataFrame({"site_id": [f"R{i}" for i in range(n)]}, geometry=geoms, crs=crs)


def test_centre_rule_equals_rasterstats_and_coverage_equals_exactextract(tmp_path, synth):
    from exactextract import exact_extract
    from rasterstats import zonal_stats
    rng = np.random.default_rng(7)
    data = rng.normal(0.5, 0.2, (synth.NY, synth.NX)).astype("float32")
    data[rng.random(data.shape) < 0.05] = -9999  # nodata sprinkled in
    path = synth.write_tif(tmp_path / "r_2025-01-15.tif", data, nodata=-9999)
    x0, y0 = synth.ORIGIN
    sites = _random_sites(60, 3, synth.UTM, (x0 - 200, y0 - synth.NY * 30 - 200, x0 + synth.NX * 30 + 200, y0 + 200))
    cube = open_cube(path, dtype="float64")
    ours = zonal_timeseries(cube, sites, ("mean", "count", "min", "max", "median", "std"))
    rs = zonal_stats(sites.geometry, str(path), stats=["mean", "count", "min", "max", "median", "std"])
    for k in ("mean", "count", "min", "max", "median", "std"):
        theirs = np.array([np.nan if r[k] is None else r[k] for r in rs], float)
        if k == "count":
            theirs = np.nan_to_num(theirs)
        np.testing.assert_allclose(ours[k].to_numpy(float), theirs, atol=1e-6, err_msg=k, equal_nan=True)
    cov = zonal_timeseries(cube, sites, ("mean", "count"), method="coverage")
    ee = exact_extract(str(path), sites, ["mean", "count"], output="pandas")
    np.testing.assert_allclose(cov["mean"], ee["mean"], atol=1e-6, equal_nan=True)
    np.testing.assert_allclose(cov["count"], ee["count"], rtol=1e-6, atol=1e-6)


def test_pixel_map_coverage_fractions_match_exactextract_cell_by_cell(tmp_path, synth):
    from exactextract import exact_extract
    path = synth.write_tif(tmp_path / "z.tif", np.zeros((synth.NY, synth.NX)))
    x0, y0 = synth.ORIGIN
    sites = _random_sites(30, 11, synth.UTM, (x0, y0 - synth.NY * 30, x0 + synth.NX * 30, y0))
    pm = pixel_map(open_cube(path, dates=["2025-01-01"]), sites, "coverage")
    ee = exact_extract(str(path), sites, ["cell_id", "coverage"], output="pandas")
    for i in range(len(sites)):
        row = pm.matrix.getrow(i)
        mine = dict(zip(row.indices.tolist(), row.data))
        theirs = dict(zip(np.asarray(ee["cell_id"][i]).astype(int).tolist(), np.asarray(ee["coverage"][i])))
        for cell in set(mine) | set(theirs):
            assert mine.get(cell, 0.0) == pytest.approx(theirs.get(cell, 0.0), abs=1e-6)
    # and the weights add up to the polygons' area on the grid
    grid = shapely.box(x0, y0 - synth.NY * 30, x0 + synth.NX * 30, y0)
    np.testing.assert_allclose(pm.total_weight * 900, shapely.area(shapely.intersection(sites.geometry.values, grid)),
                               rtol=1e-9)


def test_nodata_and_cloud_mask_are_respected(tmp_path, synth, utm_sites):
    data = synth.values()
    data[0, 2:4, 3:10] = -1  # two rows of A are nodata on the first date
    synth.write_stack(tmp_path / "v", data, nodata=-1)
    mask = np.zeros_like(data)
    mask[1, 2:6, 3:5] = 1  # clouds over two columns of A on the second date
    synth.write_stack(tmp_path / "m", mask, dtype="uint8")
    cube = open_cube(tmp_path / "v" / "*.tif", cloud_mask=str(tmp_path / "m" / "*.tif"))
    z = zonal_timeseries(cube, utm_sites[utm_sites.site_id == "A"], ("mean", "count", "valid_fraction"))
    assert z["mean"].iloc[0] == pytest.approx(_block(synth, 0, 4, 6, 3, 10).mean())
    assert z["count"].iloc[0] == 14 and z["valid_fraction"].iloc[0] == pytest.approx(0.5)
    assert z["mean"].iloc[1] == pytest.approx(_block(synth, 1, 2, 6, 5, 10).mean())
    assert z["valid_fraction"].iloc[1] == pytest.approx(20 / 28)
    assert z["valid_fraction"].iloc[2] == 1.0


def test_points_take_their_pixel(stack, synth):
    x0, y0 = synth.ORIGIN
    pts = gpd.GeoDataFrame({"site_id": ["p1", "p2"]},
                           geometry=[shapely.Point(x0 + 7.5 * 30, y0 - 3.2 * 30), shapely.Point(x0 - 50, y0)],
                           crs=synth.UTM)
    z = zonal_timeseries(open_cube(stack / "*.tif"), pts, ("mean",))
    np.testing.assert_allclose(z.loc[z.site_id == "p1", "mean"], [307, 1307, 2307])
    assert z.loc[z.site_id == "p1", "flag"].iloc[0] == "point"
    assert z.loc[z.site_id == "p2", "mean"].isna().all()


def test_dask_and_in_memory_cubes_agree(stack, utm_sites):
    cube = open_cube(stack / "*.tif")
    assert cube.chunks is not None  # lazy, dask-backed
    lazy = zonal_timeseries(cube, utm_sites, ALL)
    eager = zonal_timeseries(cube.load(), utm_sites, ALL)
    pd.testing.assert_frame_equal(lazy, eager)  # same kernel, same order: identical
    tiled = zonal_timeseries(open_cube(stack / "*.tif", chunks=16), utm_sites, ALL)
    pd.testing.assert_frame_equal(tiled, eager, rtol=1e-12, check_exact=False)
    # weights computed once and reused give the same table
    pm = pixel_map(cube, utm_sites)
    pd.testing.assert_frame_equal(zonal_timeseries(cube, utm_sites, ALL, weights=pm), eager)


def test_runs_on_a_dask_distributed_cluster(stack, utm_sites, processes):  # distributed runs `uname -p`
    from distributed import Client, LocalCluster
    expected = zonal_timeseries(open_cube(stack / "*.tif").load(), utm_sites, ("mean", "count", "max"))
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        cube = open_cube(stack / "*.tif", chunks=20)
        got = zonal_timeseries(cube, utm_sites, ("mean", "count", "max"), batch_size=1)
        assert client.run(lambda: 1)  # a real client was in use
    pd.testing.assert_frame_equal(got, expected, rtol=1e-12, check_exact=False)


def test_bad_arguments_are_refused(stack, utm_sites):
    from restoration.errors import InputError
    cube = open_cube(stack / "*.tif")
    with pytest.raises(InputError, match="unknown statistic"):
        zonal_timeseries(cube, utm_sites, ("mode",))
    with pytest.raises(InputError, match="unknown method"):
        zonal_timeseries(cube, utm_sites, method="nearest")
    with pytest.raises(InputError, match="no CRS"):
        zonal_timeseries(cube, utm_sites.set_crs(None, allow_override=True))


def test_sample_ndvi_follows_the_generator_truth(sample_dir):
    """The committed sample NDVI, zonal means per site: the on-track site follows the generator's
    recovery curve (rasters.profile_level) within the noise, the lagging one stays far below."""
    from restoration.monitoring.plan import decimal_year
    from restoration.sample.rasters import profile_level
    sites = gpd.read_file(sample_dir / "sites.geojson")
    z = zonal_timeseries(open_cube(sample_dir / "ndvi" / "*.tif"), sites, ("mean", "valid_fraction"))
    for sid, profile in (("S011", "on_track"), ("S016", "lagging")):
        s = z[(z.site_id == sid) & (z.valid_fraction > 0.9)]
        t = np.array([decimal_year(x) for x in s["time"]])
        season = 0.5 * 0.06 * np.sin(2 * np.pi * (t - 0.37))
        truth = np.array([profile_level(profile, x, 0.0) for x in t]) + season
        assert np.abs(s["mean"].to_numpy() - truth).max() < 0.02, sid


def test_centre_rule_matches_gdal_rasterize_pixel_for_pixel_including_ties():
    """Our vectorised scanline against rasterio.features.rasterize (all_touched=False), polygon
    by polygon: random shapes with holes and parts, and pixel-aligned boxes whose edges fall
    exactly on pixel centres (GDAL's tie rules)."""
    from rasterio.features import rasterize
    from rasterio.transform import from_origin
    from restoration.monitoring.pixelmap import build_pixel_map
    tr, ny, nx = from_origin(1000, 2000, 10, 10), 60, 70
    rng = np.random.default_rng(5)
    geoms = []
    for i in range(200):
        cx, cy, r = rng.uniform(900, 1800), rng.uniform(1300, 2100), rng.uniform(2, 150)
        g = shapely.Point(cx, cy).buffer(r, int(rng.integers(2, 9)))
        if i % 3 == 0:
            g = g.difference(shapely.Point(cx, cy).buffer(r / 2.5, 3))
        if i % 5 == 0:
            g = shapely.MultiPolygon([g, shapely.box(cx + r + 3, cy, cx + r + 44, cy + 27)])
        if i % 7 == 0:  # edges on pixel edges and on pixel centres (x.5 pixels)
            x0, y0 = 1000 + 10 * rng.integers(0, 60), 2000 - 10 * rng.integers(0, 50)
            g = shapely.box(x0, y0, x0 + 35, y0 + 25)
            g = g if i % 2 else shapely.Polygon(g.exterior.coords[::-1])
        geoms.append(g)
    pm = build_pixel_map(np.array(geoms, dtype=object), tr, (ny, nx), "center")
    checked = 0
    for i, g in enumerate(geoms):
        ref = np.flatnonzero(rasterize([(g, 1)], out_shape=(ny, nx), transform=tr, all_touched=False,
                                       dtype="uint8").ravel())
        mine = pm.matrix.getrow(i).indices
        if ref.size == 0 and pm.flags[i]:  # no centre inside: our flagged one-pixel fallback
            assert mine.size <= 1 and set(pm.flags[i].split(";")) & {"subpixel", "thin", "outside"}
            continue
        np.testing.assert_array_equal(np.sort(mine), ref, err_msg=f"polygon {i}")
        checked += 1
    assert checked > 150 and set(pm.matrix.data) == {1.0}


@pytest.mark.parametrize("method", ["center", "coverage"])
def test_tiled_and_whole_dates_agree_on_the_sample_with_clouds(sample_dir, method):
    """The sample's clouds cover whole sites on some dates: those must be NaN (not 0) whether the
    date is one block or many."""
    sites = gpd.read_file(sample_dir / "sites.geojson")
    whole = zonal_timeseries(open_cube(sample_dir / "ndvi" / "*.tif").load(), sites, ALL, method=method)
    tiled = zonal_timeseries(open_cube(sample_dir / "ndvi" / "*.tif", chunks=128), sites,
                             ("mean", "count", "valid_fraction", "min", "max", "std"), method=method)
    pd.testing.assert_frame_equal(tiled, whole[tiled.columns], rtol=1e-10, check_exact=False)
    clouded = whole[(whole["valid_fraction"] == 0)]
    assert len(clouded) > 0 and clouded["mean"].isna().all() and (clouded["count"] == 0).all()
