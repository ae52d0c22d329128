"""`restoration monitor ingest-raster --bands --index` and `monitor recovery` end to end on the real
BC 2006 wildfire composites, stored with a case; bad input exits 2 with nothing stored."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import pytest

from restoration.cli import main
from restoration.importer import import_file

DATA = Path(__file__).parent / "data" / "bc06_wildfire"
EXPECTED = json.loads((DATA / "expected.json").read_text())
BANDS = "blue,green,red,nir,swir16,swir22"


def _run(store, capsys, *args) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(["--data", str(store.path.parent), "monitor", *args])
    out = capsys.readouterr()
    return exit_.value.code, out.out, out.err


@pytest.fixture
def bc_store(store, tmp_path):
    site = gpd.read_file(DATA / "restoration_site.gpkg")
    site["site_id"], site["case_id"], site["role"] = "BC06", "GX-2022-010", "in_situ_restoration"
    site["ecosystem_type"], site["name"] = "forest", "BC 2006 火烧迹地 wildfire"
    path = tmp_path / "bc06.gpkg"
    site.to_file(path)
    import_file(store, "sites", path)
    return store


def test_ingest_scenes_and_recovery_end_to_end(bc_store, capsys):
    code, out, err = _run(bc_store, capsys, "ingest-raster", str(DATA / "composites"), "--bands", BANDS,
                          "--index", "NBR,NDVI", "--sensor", "file", "--site", "BC06")
    assert code == 0, err
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
