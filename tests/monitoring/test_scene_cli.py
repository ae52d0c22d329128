"""`restoration monitor ingest-raster --bands --index` and `monitor recovery` end to end on the real
BC 2006 wildfire composites, stored with a case; bad input exits 2 with nothing stored."""
from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest

from restoration.cli import main
from restoration.errors import InputError
from restoration.importer import import_file

DATA = Path(__file__).parent / "data" / "bc06_wildfire"
EXPECTED = json.loads((DATA / "expected.json").read_text())
BANDS = "blue,green,red,nir,swir16,swir22"


def _run(store, capsys, *args) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(["--data", str(store.data_dir), "monitor", *args])
    out = capsys.readouterr()
    return exit_.value.code, out.out, out.err


@pytest.fixture
def bc_store(store, tmp_path):
    site = gpd.read_file(DATA / "restoration_site.gpkg")
    site["site_id"], site["case_id"], site["role"] = "BC06", "GX-2022-010", "in_situ_restoration"
    site["ecosystem_type"], site["name"] = "forest", "BC 2006 火烧迹地 wildfire"
    path = tmp_path / "bc06.gpkg"
    site.to_file(path)
    import_file(store, "sites", path, allow_outside=True)  # a site far outside the sample region
    return store


def test_ingest_scenes_and_recovery_end_to_end(bc_store, capsys):
    # the case's sites: BC06 lies in the scenes, the case's sample sites are outside them (listed)
    code, out, err = _run(bc_store, capsys, "ingest-raster", str(DATA / "composites"), "--bands", BANDS,
                          "--index", "NBR,NDVI", "--sensor", "file", "--case", "GX-2022-010")
    assert code == 0, err
    assert "outside every scene: S015, S016, S017, S018" in out
    assert "nbr 22" in out and "ndvi 22" in out
    rows = bc_store.read("monitoring_series", site_id="BC06")
    assert set(rows["indicator"]) == {"nbr", "ndvi"} and set(rows["source"]) == {"scenes:nbr", "scenes:ndvi"}
    assert (rows["valid_fraction"] == 1.0).all()
    nbr = rows[rows["indicator"] == "nbr"].sort_values("time")
    # the site went through EPSG:4326 in the store: the same pixels, the same means
    assert nbr["value"].to_numpy() == pytest.approx(EXPECTED["zonal_means"]["NBR"], abs=1e-6)
    # the export shows the index as its own indicator
    code, out, _ = _run(bc_store, capsys, "recovery", "BC06", "--disturbance-year", "2006", "--restoration-year",
                        "2007", "--reference-years", "2003-2005", "--json")
    assert code == 0
    result = json.loads(out)
    exp = EXPECTED["site"]["NBR"]
    assert result["target"] == pytest.approx(exp["target"], abs=1e-6)
    for ours, theirs in (("R80P", "R80P"), ("RRI", "RRI"), ("YrYr", "YrYr"), ("dIR", "deltaIR")):
        assert result["metrics"][ours] == pytest.approx(exp[theirs], rel=1e-5, abs=1e-6), ours
    assert result["metrics"]["Y2R"] is None and result["metrics"]["recovered"] is False
    assert result["pixel_map"]["metric"] == "R80P" and result["pixel_map"]["summary"]["pixels"] == EXPECTED["n_pixels"]
    stored = bc_store.read("recovery_assessments", site_id="BC06")
    assert len(stored) == 1 and stored.iloc[0]["case_id"] == "GX-2022-010"
    assert stored.iloc[0]["assessment_id"] == result["assessment_id"] == "BC06-RA01"
    assert len(stored.iloc[0]["pixel_map"]["values"]) == result["pixel_map"]["shape"][0]
    code, out, _ = _run(bc_store, capsys, "recovery", "BC06", "--disturbance-year", "2006", "--restoration-year",
                        "2007", "--reference-years", "2003-2005", "--index", "ndvi", "--no-save")
    assert code == 0 and "R80P" in out and "未达到 not reached" in out
    assert len(bc_store.read("recovery_assessments")) == 1


def _refused(store, capsys, *args, match: str):
    before = (store.count("monitoring_series"), store.version)
    code, out, err = _run(store, capsys, *args)
    assert code == 2, (out, err)
    assert match in err, err
    assert (store.count("monitoring_series"), store.version) == before


def test_bad_scene_input_exits_2_and_stores_nothing(bc_store, capsys, tmp_path):
    comp = str(DATA / "composites")
    _refused(bc_store, capsys, "ingest-raster", comp, "--bands", "blue,green,red,nir", "--index", "NBR",
             match="has 6 band(s) but --bands names 4")
    _refused(bc_store, capsys, "ingest-raster", comp, "--bands", BANDS, "--index", "NBR", "--mask", "cloud",
             match="no quality band")
    _refused(bc_store, capsys, "ingest-raster", comp, "--bands", "blue,green,red,nir,swir16,coastal", "--index", "NBR",
             match="NBR needs band(s) swir22")
    _refused(bc_store, capsys, "ingest-raster", comp, "--index", "NBR", match="the bands have no names")
    _refused(bc_store, capsys, "ingest-raster", comp, "--bands", BANDS, "--index", "NBR", "--mask", "fog",
             match="unknown mask class(es) fog")
    _refused(bc_store, capsys, "ingest-raster", comp, "--bands", BANDS, "--index", "NBR", "--date-pattern", "(?P<year",
             match="is not a valid regular expression")
    _refused(bc_store, capsys, "ingest-raster", comp, "--bands", BANDS, "--index", "XYZ", match="unknown spectral index")
    # a site outside every scene, asked for by name
    _refused(bc_store, capsys, "ingest-raster", comp, "--bands", BANDS, "--index", "NBR", "--site", "S011",
             match="outside every scene")
    # recovery: years the series does not hold, unknown site
    _run(bc_store, capsys, "ingest-raster", comp, "--bands", BANDS, "--index", "NBR", "--site", "BC06")
    code, _, err = _run(bc_store, capsys, "recovery", "BC06", "--disturbance-year", "1990", "--restoration-year",
                        "2007", "--reference-years", "2003-2005")
    assert code == 2 and "no annual value for 1990" in err
    code, _, err = _run(bc_store, capsys, "recovery", "BC06", "--disturbance-year", "2006", "--restoration-year",
                        "2007", "--reference-years", "2005-2003")
    assert code == 2 and "--reference-years" in err
    code, _, err = _run(bc_store, capsys, "recovery", "NOPE", "--disturbance-year", "2006", "--restoration-year",
                        "2007", "--reference-years", "2003-2005")
    assert code == 2 and "NOPE" in err
    assert len(bc_store.read("recovery_assessments")) == 0


def test_migration_11_upgrades_an_older_store_keeping_its_values(gpkg_store):
    import sqlite3
    from restoration.store import open_store
    n = gpkg_store.count("monitoring_series")
    with sqlite3.connect(gpkg_store.path) as conn:  # make it a schema-v6 store, as before issue 15
        conn.execute("DROP INDEX idx_recovery_assessments_case")
        conn.execute("DROP TABLE recovery_assessments")
        conn.execute("DELETE FROM gpkg_contents WHERE table_name = 'recovery_assessments'")
        conn.execute("ALTER TABLE monitoring_series DROP COLUMN valid_fraction")
        conn.execute("DELETE FROM restoration_schema WHERE version = 11")
    upgraded = open_store(gpkg_store.path, create=False)
    assert 11 in set(upgraded.schema_history()["version"])
    rows = upgraded.read("monitoring_series")
    assert len(rows) == n and rows["valid_fraction"].isna().all()
    assert upgraded.read("recovery_assessments").empty


def test_seasonal_composite_and_reference_site_target(bc_store, capsys):
    from restoration.monitoring import assess_recovery, ingest_scenes
    ingest_scenes(bc_store, DATA / "composites", bands=BANDS, indices="NDVI", sensor="file", site_ids=["BC06"])
    # the composites are dated 1 January: a summer-only composite has nothing to assess
    with pytest.raises(InputError, match="no usable ndvi values for site BC06 in months 6, 7, 8"):
        assess_recovery(bc_store, "BC06", indicator="ndvi", disturbance_year=2006, restoration_year=2007,
                        reference_years=(2003, 2005), months=[6, 7, 8], save=False)
    winter = assess_recovery(bc_store, "BC06", indicator="ndvi", disturbance_year=2006, restoration_year=2007,
                             reference_years=(2003, 2005), months=[1], save=False, pixel_metric=None)
    assert winter.metrics["R80P"] == pytest.approx(EXPECTED["site"]["NDVI"]["R80P"], rel=1e-5)
    # a reference site: the site itself gives the historic target again
    ref = assess_recovery(bc_store, "BC06", indicator="ndvi", disturbance_year=2006, restoration_year=2007,
                          reference_years=(2003, 2005), reference_site_id="BC06", save=False, pixel_metric=None)
    assert ref.target_kind == "reference_site" and ref.target == pytest.approx(winter.target)
    code, out, _ = _run(bc_store, capsys, "recovery", "BC06", "--disturbance-year", "2006", "--restoration-year",
                        "2007", "--reference-years", "2003-2005", "--index", "ndvi", "--months", "13")
    assert code == 2


def test_export_shows_each_index_as_its_own_indicator(bc_store, capsys, tmp_path):
    # these composites are stretched to 0–1, not reflectance: EVI (whose constants assume
    # reflectance) leaves its plausible range and the whole ingestion is refused
    n = bc_store.count("monitoring_series")
    code, _, err = _run(bc_store, capsys, "ingest-raster", str(DATA / "composites"), "--bands", BANDS, "--index",
                        "NBR,EVI", "--sensor", "file", "--site", "BC06")
    assert code == 2 and "zonal means of evi are outside its plausible range" in err
    assert bc_store.count("monitoring_series") == n
    code, _, _ = _run(bc_store, capsys, "ingest-raster", str(DATA / "composites"), "--bands", BANDS, "--index",
                      "NBR,NDVI,SAVI,NDMI,NDWI", "--sensor", "file", "--site", "BC06")
    assert code == 0
    out = tmp_path / "series.csv"
    with pytest.raises(SystemExit) as exit_:
        main(["--data", str(bc_store.data_dir), "export", "monitoring_series", "--out", str(out)])
    assert exit_.value.code == 0
    import pandas as pd
    frame = pd.read_csv(out)
    mine = frame[frame["site_id"] == "BC06"]
    assert set(mine["indicator"]) == {"nbr", "ndvi", "savi", "ndmi", "ndwi"} and len(mine) == 5 * 22
    assert mine["valid_fraction"].eq(1.0).all()


def test_map_overlay_finds_the_source_that_covers_each_site(bc_store):
    from restoration.monitoring import ingest_scenes
    from restoration.monitoring.overlay import raster_window
    sites = bc_store.read("sites").set_index("site_id")
    before = raster_window(bc_store, tuple(sites.loc[["S011"]].total_bounds), "ndvi")
    assert before is not None
    ingest_scenes(bc_store, DATA / "composites", bands=BANDS, indices="NDVI", sensor="file", site_ids=["BC06"])
    # the newest ndvi source (the BC scenes) does not reach S011: the sample's stack still shows
    after = raster_window(bc_store, tuple(sites.loc[["S011"]].total_bounds), "ndvi")
    assert after is not None and after["time"] == before["time"]
    bc = raster_window(bc_store, tuple(sites.loc[["BC06"]].total_bounds), "ndvi")
    assert bc is not None and bc["time"] == "2023-01-01"


def test_recovery_on_a_sample_site_with_a_short_series(store, capsys):
    """S016's NDVI comes from the sample's monthly stack: a few annual values. A restoration start
    in the last year leaves no year to measure: a clear refusal, not a traceback or a made-up
    number; so do reference years without data and an unknown source."""
    from restoration.monitoring import site_series
    years = sorted(set(site_series(store, "S016", "ndvi")["time"].dt.year))
    first, last = years[0], years[-1]
    code, _, err = _run(store, capsys, "recovery", "S016", "--index", "ndvi", "--disturbance-year", str(last - 1),
                        "--restoration-year", str(last), "--reference-years", f"{first}-{first}", "--json")
    assert code == 2 and f"no year after the restoration start {last}" in err and f"data end in {last}" in err
    code, _, err = _run(store, capsys, "recovery", "S016", "--index", "ndvi", "--disturbance-year", str(first),
                        "--restoration-year", str(first + 1), "--reference-years", "1990-1991")
    assert code == 2 and "no data in the reference years 1990-1991" in err
    code, _, err = _run(store, capsys, "recovery", "S016", "--index", "ndvi", "--disturbance-year", str(first),
                        "--restoration-year", str(first + 1), "--reference-years", f"{first}-{first}",
                        "--source", "nope")
    assert code == 2 and "no usable ndvi values for site S016" in err
    assert store.read("recovery_assessments").empty
