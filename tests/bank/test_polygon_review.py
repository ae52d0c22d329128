"""Polygon review: overlaps with other projects and restoration sites, by spatial index."""
from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from restoration.bank.polygon_review import naive_overlaps, overlaps


def _frame(ids, geoms, **cols):
    cols.setdefault("capacity_unit", ["ha"] * len(ids))
    return gpd.GeoDataFrame({"project_id": ids, **cols}, geometry=geoms, crs=4326)


def test_overlaps_between_projects_and_with_restoration_sites():
    new = _frame(["N1", "N2", "N3"], [shapely.box(108.60, 23.60, 108.61, 23.61),
                                     shapely.box(108.605, 23.60, 108.615, 23.61),
                                     shapely.box(108.70, 23.70, 108.71, 23.71)])
    registered = _frame(["R1"], [shapely.box(108.61, 23.60, 108.62, 23.61)])  # touches N1 only on a side
    sites = gpd.GeoDataFrame({"site_id": ["S1", "S2"], "role": ["alternative_restoration", "reference"]},
                             geometry=[shapely.box(108.705, 23.705, 108.715, 23.715)] * 2, crs=4326)
    found = overlaps(new, registered, sites)
    got = {(r.project_id, r.other_kind, r.other_id) for r in found.itertuples()}
    assert got == {("N1", "project", "N2"), ("N2", "project", "R1"), ("N3", "site", "S1")}
    n1n2 = found[(found.project_id == "N1") & (found.other_id == "N2")].area_ha.iloc[0]
    assert n1n2 == pytest.approx(56.7, rel=0.05)  # half of a ~113 ha square
    assert naive_overlaps(new, sites.iloc[:1]) == 1


def test_projects_overlap_only_when_they_sell_the_same_kind_of_credit():
    ground = shapely.box(108.60, 23.60, 108.61, 23.61)
    new = _frame(["FRY"], [ground], capacity_unit=["fish_fry"])
    registered = _frame(["BUF", "HA2"], [ground, ground], capacity_unit=["ha", "fish_fry"])
    found = overlaps(new, registered, gpd.GeoDataFrame({"site_id": [], "role": []}, geometry=[], crs=4326))
    # the riparian buffer sold in hectares and the fry release share the river bank: no credit sold twice
    assert set(found["other_id"]) == {"HA2"}


def test_the_sample_bank_imports_without_overlaps(empty_store, tmp_path):
    from restoration import config
    from restoration.bank.registry import import_projects
    done = import_projects(empty_store, config.sample_dir() / "bank_projects.gpkg", check=True)
    assert done.rows == 20


def test_import_refuses_an_overlap_unless_a_reason_is_given(gpkg_store, capsys, tmp_path):
    from restoration.bank import bank_table

    from ..conftest import run_cli as run
    from .test_registry import _projects
    bp13 = gpkg_store.get("bank_projects", "BP13")["geometry"]
    inner = shapely.box(*shapely.point_on_surface(bp13).buffer(0.003).bounds).intersection(bp13)
    path = tmp_path / "bank.geojson"
    _projects([inner], capacity=[1.0]).to_file(path)
    data = str(gpkg_store.data_dir)
    before = len(bank_table(gpkg_store))
    for extra in ([], ["--check"]):
        code, _, err = run(["--data", data, "bank", "import", path, *extra], capsys)
        assert code == 2 and "overlaps project BP13" in err and "--allow-overlap" in err
    assert len(bank_table(gpkg_store)) == before
    code, _, _ = run(["--data", data, "bank", "import", path, "--allow-overlap", "same land, second phase"], capsys)
    assert code == 0
    review = gpkg_store.read("bank_polygon_reviews", project_id="NP0").iloc[0]
    assert review["status"] == "submitted" and review["note"] == "same land, second phase"
    assert review["findings"][0]["other_id"] == "BP13"


def test_shape_checks_find_slivers_thin_parts_and_spikes():
    from restoration.bank.polygon_review import shape_findings
    square = shapely.box(108.60, 23.60, 108.61, 23.61)  # ~113 ha
    spike = shapely.Polygon([(108.65, 23.60), (108.66, 23.60), (108.66, 23.61), (108.6551, 23.61),
                             (108.655, 23.63), (108.6549, 23.61), (108.65, 23.61)])  # a 2 km needle
    tail = shapely.box(108.67, 23.60, 108.68, 23.61).union(shapely.box(108.68, 23.605, 108.69, 23.60502))
    frame = _frame(["OK", "SLIVER", "SPIKE", "TAIL"],
                   [square, shapely.box(108.62, 23.60, 108.64, 23.60002), spike, tail])
    got = shape_findings(frame)
    assert {(r.project_id, r.check) for r in got.itertuples()} == {
        ("SLIVER", "sliver"), ("SPIKE", "spike"), ("SPIKE", "thin_parts"), ("TAIL", "thin_parts")}
    by = got.set_index(["project_id", "check"])
    assert by.loc[("SLIVER", "sliver"), "value"] == pytest.approx(1.0)  # a 2 m wide strip: all of it thin
    assert by.loc[("SPIKE", "spike"), "value"] < 1.0  # degrees
    assert by.loc[("TAIL", "thin_parts"), "value"] == pytest.approx(2_040, rel=0.15)  # m² of the 2 m wide tail
    assert shape_findings(frame.iloc[:0]).empty
