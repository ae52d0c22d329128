"""Scenes as users receive them: Landsat Collection 2 L2 (one file per band, QA_PIXEL), Sentinel-2
L2A (multi-band with SCL, the 2022 offset), band names from descriptions, a local STAC catalogue
of COGs loaded with odc-stac — indices, masks and valid-pixel fractions with answers known by
construction."""
from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from restoration.errors import InputError
from restoration.monitoring import compute_index, index_cube, open_scenes, zonal_timeseries
from restoration.monitoring.indices import INDICES

NY, NX = 20, 24


def _refl(nir=0.4, red=0.1, blue=0.05, green=0.08, swir16=0.25, swir22=0.15):
    return {"blue": blue, "green": green, "red": red, "nir": nir, "swir16": swir16, "swir22": swir22}


def test_index_formulas_match_awesome_spectral_indices():
    b = {k: np.array([v]) for k, v in _refl().items()}
    n, r, bl, g, s1, s2 = 0.4, 0.1, 0.05, 0.08, 0.25, 0.15
    assert compute_index(b, "NDVI")[0] == pytest.approx((n - r) / (n + r))
    assert compute_index(b, "NBR")[0] == pytest.approx((n - s2) / (n + s2))
    assert compute_index(b, "EVI")[0] == pytest.approx(2.5 * (n - r) / (n + 6 * r - 7.5 * bl + 1))
    assert compute_index(b, "SAVI")[0] == pytest.approx(1.5 * (n - r) / (n + r + 0.5))
    assert compute_index(b, "NDMI")[0] == pytest.approx((n - s1) / (n + s1))
    assert compute_index(b, "NDWI")[0] == pytest.approx((g - n) / (g + n))
    assert all(i.reference for i in INDICES.values())
    zero = {"nir": np.array([0.0]), "red": np.array([0.0])}
    assert np.isnan(compute_index(zero, "NDVI")[0])


def _landsat(folder, synth, dates, qa):
    """One GeoTIFF per band and date with Collection 2 names and DNs (ρ = DN·2.75e-5 − 0.2)."""
    folder.mkdir(parents=True, exist_ok=True)
    tokens = {"SR_B2": "blue", "SR_B3": "green", "SR_B4": "red", "SR_B5": "nir", "SR_B6": "swir16", "SR_B7": "swir22"}
    for i, d in enumerate(dates):
        stem = f"LC08_L2SP_125044_{d:%Y%m%d}_20240101_02_T1"
        refl = _refl(nir=0.3 + 0.1 * i)
        for token, band in tokens.items():
            dn = np.full((NY, NX), round((refl[band] + 0.2) / 2.75e-5), dtype="uint16")
            dn[0, 0] = 0  # fill
            synth.write_tif(folder / f"{stem}_{token}.TIF", dn, dtype="uint16", nodata=0)
        synth.write_tif(folder / f"{stem}_QA_PIXEL.TIF", qa[i], dtype="uint16", nodata=1)
    return folder


def test_landsat_per_band_files_scale_and_qa_pixel_mask(tmp_path, synth):
    dates = pd.to_datetime(["2024-06-01", "2024-07-03"])
    qa = np.full((2, NY, NX), 1 << 6, dtype="uint16")  # clear
    qa[0, :10, :] = (1 << 3) | (1 << 1)  # cloud + dilated cloud on the upper half of date 0
    qa[1, :, :6] = 1 << 4  # shadow on the left quarter of date 1
    qa[1, 15:, 6:] = 1 << 7  # water at the bottom right of date 1
    _landsat(tmp_path / "ls", synth, dates, qa)
    ds = open_scenes(tmp_path / "ls")
    assert set(ds.data_vars) == {"blue", "green", "red", "nir", "swir16", "swir22", "qa_pixel"}
    nir = ds["nir"].values
    assert np.isnan(nir[0, 0, 0]) and nir[0, 5, 5] == pytest.approx(0.3, abs=3e-5) and nir[1, 5, 5] == pytest.approx(0.4, abs=3e-5)
    cube = index_cube(ds, "NDVI", mask=("cloud", "shadow", "snow"))
    v = cube.values
    assert np.isnan(v[0, :10]).all() and np.isfinite(v[0, 10:, 1:]).all()
    assert np.isnan(v[1, :, :6]).all() and np.isfinite(v[1, 15:, 6:]).all()  # water not asked
    assert np.isnan(index_cube(ds, "NDVI", mask=("water",)).values[1, 15:, 6:]).all()
    assert v[0, 12, 12] == pytest.approx((0.3 - 0.1) / (0.3 + 0.1), abs=1e-4)
    import geopandas as gpd
    sites = gpd.GeoDataFrame({"site_id": ["all"]}, geometry=[synth.pixel_box(0, 0, NY, NX)], crs=synth.UTM)
    table = zonal_timeseries(cube, sites, ("mean", "valid_fraction"))
    # date 0: half clouded, plus the fill pixel; date 1: a quarter shadowed (fill pixel inside it)
    assert table["valid_fraction"].tolist() == pytest.approx([(NY * NX / 2 - 0) / (NY * NX),
                                                             (NY * NX - NY * 6) / (NY * NX)])


def test_sentinel2_multiband_offset_and_scl(tmp_path, synth):
    folder = tmp_path / "s2"
    folder.mkdir()
    refl = _refl()
    order = ["blue", "green", "red", "nir", "swir16", "swir22", "scl"]
    for d, add in (("2021-07-01", 0), ("2023-07-01", 1000)):
        scl = np.full((NY, NX), 4)
        scl[:, -4:] = 9  # high-probability cloud
        scl[0, :] = 11  # snow
        data = np.stack([np.full((NY, NX), refl[b] * 10000 + add) for b in order[:-1]] + [scl])
        synth.write_tif(folder / f"T49QDE_{d.replace('-', '')}T030529_L2A.tif", data, dtype="uint16",
                        descriptions=["B02", "B03", "B04", "B08", "B11", "B12", "SCL"])
    # B02 … are Sentinel-2 names: read from the descriptions once the sensor is known
    with pytest.raises(InputError, match=r"NBR needs band\(s\) nir, swir22"):
        index_cube(open_scenes(folder, sensor="file"), "NBR")
    auto = open_scenes(folder)
    assert set(auto.data_vars) == {"blue", "green", "red", "nir", "swir16", "swir22", "scl"}
    ds = open_scenes(folder, bands="blue,green,red,nir,swir16,swir22,scl", sensor="sentinel2-l2a")
    red = ds["red"].values[:, 5, 5]
    assert red == pytest.approx([0.1, 0.1], abs=1e-6)  # the 2023 scene had the −1000 offset removed
    cube = index_cube(ds, "NBR", mask="cloud,snow".split(","))
    assert np.isnan(cube.values[:, :, -4:]).all() and np.isnan(cube.values[:, 0]).all()
    assert np.nanmax(cube.values) == pytest.approx((0.4 - 0.15) / 0.55, abs=1e-6)


def test_band_names_from_descriptions_and_bad_grids(tmp_path, synth):
    data = np.stack([np.full((NY, NX), v) for v in (0.1, 0.4)])
    synth.write_tif(tmp_path / "a_2024-05-01.tif", data, descriptions=["Red", "NIR"])
    ds = open_scenes(tmp_path / "a_2024-05-01.tif")
    assert float(index_cube(ds, "NDVI").values[0, 0, 0]) == pytest.approx(0.6)
    with pytest.raises(InputError, match=r"SAVI.*|NBR needs band\(s\) swir22"):
        index_cube(ds, "NBR")
    from rasterio.transform import from_origin
    synth.write_tif(tmp_path / "b_2024-06-01.tif", data, descriptions=["Red", "NIR"],
                    transform=from_origin(0, 0, 30, 30))
    with pytest.raises(InputError, match="b_2024-06-01.tif.*grid"):
        open_scenes(tmp_path)


def _stac(tmp_path, synth, drop_asset: str | None = None):
    import pystac
    from rasterio.transform import from_origin
    cat = pystac.Catalog("test", "local COG catalogue")
    refl = _refl()
    t = synth.grid_transform()
    for i, d in enumerate(pd.to_datetime(["2024-05-01", "2024-08-01"])):
        item = pystac.Item(f"scene-{i}", geometry=None, bbox=None, datetime=d.to_pydatetime(), properties={})
        item.properties.update({"proj:epsg": 32649, "proj:shape": [NY, NX], "proj:transform": list(t)[:6]})
        item.stac_extensions.append("https://stac-extensions.github.io/projection/v1.1.0/schema.json")
        for band in ("red", "nir", "swir22"):
            if band == drop_asset and i == 1:
                continue
            path = tmp_path / "cogs" / f"scene{i}_{band}.tif"
            path.parent.mkdir(parents=True, exist_ok=True)
            synth.write_tif(path, np.full((NY, NX), (refl[band] + 0.05 * i) * 10000), dtype="uint16", nodata=0,
                            driver="COG")
            asset = pystac.Asset(str(path), media_type=pystac.MediaType.COG, roles=["data"])
            asset.extra_fields["raster:bands"] = [{"scale": 1e-4, "offset": 0.0, "nodata": 0}]
            item.add_asset(band, asset)
        import shapely
        x0, y0 = t.c, t.f
        box = shapely.box(x0, y0 - NY * 30, x0 + NX * 30, y0)
        import geopandas as gpd
        ll = gpd.GeoSeries([box], crs=32649).to_crs(4326).iloc[0]
        item.geometry, item.bbox = shapely.geometry.mapping(ll), list(ll.bounds)
        cat.add_item(item)
    cat.normalize_hrefs(str(tmp_path / "stac"))
    cat.save(pystac.CatalogType.SELF_CONTAINED)
    return tmp_path / "stac" / "catalog.json"


def test_stac_catalogue_of_cogs(tmp_path, synth):
    from restoration.monitoring import open_stac
    ds = open_stac(_stac(tmp_path, synth), "red,nir,swir22")
    assert ds.sizes["time"] == 2 and ds.rio.crs.to_epsg() == 32649
    nbr = index_cube(ds, "NBR").values
    assert nbr[0, 3, 3] == pytest.approx((0.4 - 0.15) / 0.55, abs=1e-5)
    assert nbr[1, 3, 3] == pytest.approx((0.45 - 0.2) / 0.65, abs=1e-5)


def test_stac_item_without_the_asset_is_named(tmp_path, synth):
    from restoration.monitoring import open_stac
    with pytest.raises(InputError, match="STAC item 'scene-1' has no asset for band 'swir22'"):
        open_stac(_stac(tmp_path, synth, drop_asset="swir22"), "red,nir,swir22")


def test_cli_ingest_from_stac_and_missing_asset(store, tmp_path, synth, capsys):
    import geopandas as gpd
    from restoration.cli import main
    from restoration.importer import import_file
    site = gpd.GeoDataFrame({"site_id": ["STAC1"], "case_id": ["GX-2022-010"], "role": ["in_situ_restoration"],
                             "ecosystem_type": ["forest"], "name": ["STAC 试验场地"]},
                            geometry=[synth.pixel_box(2, 2, 10, 12)], crs=synth.UTM)
    site.to_file(tmp_path / "stac_site.gpkg")
    import_file(store, "sites", tmp_path / "stac_site.gpkg", allow_outside=True)  # east of the sample region

    def run(*args):
        with pytest.raises(SystemExit) as exit_:
            main(["--data", str(store.data_dir), "monitor", "ingest-raster", *args])
        return exit_.value.code, capsys.readouterr()

    bad = _stac(tmp_path / "bad", synth, drop_asset="swir22")
    n = store.count("monitoring_series")
    code, out = run("--stac", str(bad), "--bands", "red,nir,swir22", "--index", "NBR", "--site", "STAC1")
    assert code == 2 and "STAC item 'scene-1' has no asset for band 'swir22'" in out.err
    assert store.count("monitoring_series") == n
    good = _stac(tmp_path / "good", synth)
    code, out = run("--stac", str(good), "--bands", "red,nir,swir22", "--index", "NBR,NDVI", "--site", "STAC1")
    assert code == 0, out.err
    rows = store.read("monitoring_series", site_id="STAC1").sort_values(["indicator", "time"])
    assert len(rows) == 4 and set(rows["source"]) == {"scenes:nbr", "scenes:ndvi"}
    nbr = rows[rows["indicator"] == "nbr"]["value"].to_numpy()
    assert nbr == pytest.approx([(0.4 - 0.15) / 0.55, (0.45 - 0.2) / 0.65], abs=1e-5)
    # the source is registered so maps and per-pixel recovery can reopen it
    src = store.get("raster_sources", "scenes:nbr")
    assert src["options"]["kind"] == "stac" and src["options"]["index"] == "NBR"


def test_all_masked_scenes_are_refused_naming_the_source(store, tmp_path, synth):
    import geopandas as gpd
    from restoration.importer import import_file
    from restoration.monitoring import ingest_scenes
    site = gpd.GeoDataFrame({"site_id": ["M1"], "case_id": ["GX-2022-010"], "role": ["in_situ_restoration"],
                             "ecosystem_type": ["forest"], "name": ["云下场地"]},
                            geometry=[synth.pixel_box(2, 2, 8, 8)], crs=synth.UTM)
    site.to_file(tmp_path / "m1.gpkg")
    import_file(store, "sites", tmp_path / "m1.gpkg", allow_outside=True)  # east of the sample region
    qa = np.full((2, NY, NX), (1 << 3) | (1 << 1), dtype="uint16")  # cloud everywhere
    _landsat(tmp_path / "ls", synth, pd.to_datetime(["2024-06-01", "2024-07-03"]), qa)
    n = store.count("monitoring_series")
    with pytest.raises(InputError, match="no site has a single valid pixel"):
        ingest_scenes(store, tmp_path / "ls", indices="NDVI", mask=True, site_ids=["M1"])
    assert store.count("monitoring_series") == n
    report = ingest_scenes(store, tmp_path / "ls", indices="NDVI", site_ids=["M1"])  # no mask asked
    assert report.rows == {"ndvi": 2} and report.mean_valid_fraction == 1.0


@pytest.mark.parametrize("name, sensor, band", [
    ("LC08_L2SP_125044_20240601_20240610_02_T1_SR_B4.TIF", "landsat-c2l2", "red"),
    ("LT05_L2SP_125044_20060601_20200901_02_T1_SR_B4.TIF", "landsat-c2l2", "nir"),   # TM numbering
    ("LE07_L2SP_125044_20010601_20200901_02_T1_SR_B7.TIF", "landsat-c2l2", "swir22"),
    ("LC09_L2SP_125044_20240601_20240610_02_T1_QA_PIXEL.TIF", "landsat-c2l2", "qa_pixel"),
    ("T49QDE_20240601T030529_B8A_20m.jp2.tif", "sentinel2-l2a", "nir08"),
    ("T49QDE_20240601T030529_SCL_20m.tif", "sentinel2-l2a", "scl"),
    ("site_2024-06-01_swir1.tif", "file", "swir16"),
])
def test_band_and_sensor_from_product_names(name, sensor, band):
    from pathlib import Path
    from restoration.monitoring.scenes import band_from_name, detect_sensor
    assert detect_sensor(name) == sensor
    assert band_from_name(Path(name), sensor, None) == band
