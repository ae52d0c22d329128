"""Validation of input layers: every bad input named by file, row and field."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from restoration import InputError, validate_frame
from restoration.geometry import area_ha

GEOD = Geod(ellps="WGS84")


def _square(lon, lat, size_deg=0.01):
    return shapely.box(lon, lat, lon + size_deg, lat + size_deg)


def _sites(geoms, crs="EPSG:4326", **cols):
    n = len(geoms)
    data = {"site_id": [f"T{i}" for i in range(n)], "role": ["damaged"] * n,
            "ecosystem_type": ["forest"] * n, "name": [f"site {i}" for i in range(n)]}
    data.update(cols)
    frame = gpd.GeoDataFrame(data, geometry=list(geoms), crs=crs)
    frame.attrs.update(source="sites.geojson", row_start=1, row_label="feature")
    return frame


def test_valid_sites_get_area_in_hectares_matching_geodesic_area():
    geoms = [_square(108.0, 23.0, 0.01), _square(108.5, 24.0, 0.05)]
    out = validate_frame("sites", _sites(geoms)).frame
    geodesic_ha = [abs(GEOD.geometry_area_perimeter(g)[0]) / 1e4 for g in geoms]
    np.testing.assert_allclose(out["area_ha"], geodesic_ha, rtol=1e-5)
    assert out.crs.to_epsg() == 4326


def test_cgcs2000_input_is_reprojected_to_4326_with_the_same_area():
    utm = gpd.GeoSeries([shapely.box(500_000, 2_550_000, 501_000, 2_551_000)], crs=32649)
    in_4490 = utm.to_crs(4490)
    out = validate_frame("sites", _sites(list(in_4490), crs="EPSG:4490")).frame
    assert out.crs.to_epsg() == 4326
    expected = area_ha(utm)[0]  # the same polygon, area computed from the UTM input
    assert out["area_ha"].iloc[0] == pytest.approx(expected, rel=1e-6)
    assert out["area_ha"].iloc[0] == pytest.approx(100.0, rel=2e-3)  # 1 km² within UTM scale error


def test_layer_without_crs_is_refused_with_how_to_fix():
    frame = _sites([_square(108, 23)], crs=None)
    with pytest.raises(InputError) as err:
        validate_frame("sites", frame)
    text = str(err.value)
    assert "sites.geojson" in text and "coordinate reference system" in text and "--crs" in text


@pytest.mark.parametrize("bad, message", [
    (shapely.Polygon(), "empty"),
    (None, "empty or missing"),
    (shapely.Polygon([(108, 23), (108.01, 23), (108.02, 23)]), "zero area"),
    (shapely.LineString([(108, 23), (108.1, 23.1)]), "LineString geometry not allowed"),
])
def test_bad_geometries_are_refused_with_row_and_field(bad, message):
    frame = _sites([_square(108, 23), bad])
    with pytest.raises(InputError) as err:
        validate_frame("sites", frame)
    issue = err.value.issues[0]
    assert (issue.row, issue.field) == (2, "geometry")
    assert message in issue.message
    assert "sites.geojson, feature 2, field 'geometry'" in str(err.value)


def test_points_only_for_monitoring_plots():
    frame = _sites([shapely.Point(108, 23), shapely.Point(108.1, 23)],
                   role=["monitoring_plot", "damaged"])
    with pytest.raises(InputError) as err:
        validate_frame("sites", frame)
    assert [i.row for i in err.value.issues] == [2]


def test_self_intersecting_polygon_is_repaired_and_reported():
    bowtie = shapely.Polygon([(108, 23), (108.01, 23.01), (108.01, 23), (108, 23.01)])
    assert not bowtie.is_valid
    out = validate_frame("sites", _sites([_square(108, 23), bowtie]))
    assert out.frame.geometry.is_valid.all()
    assert out.frame["area_ha"].iloc[1] > 0
    assert len(out.warnings) == 1 and out.warnings[0].row == 2
    assert "repaired" in out.warnings[0].message and "Self-intersection" in out.warnings[0].message


def test_duplicate_ids_in_one_file_are_refused():
    frame = _sites([_square(108, 23), _square(108.1, 23), _square(108.2, 23)])
    frame["site_id"] = ["A", "B", "A"]
    with pytest.raises(InputError) as err:
        validate_frame("sites", frame)
    issue = err.value.issues[0]
    assert issue.row == 3 and issue.field == "site_id" and "first seen at feature 1" in issue.message


def test_the_summary_counts_every_problem_beyond_the_per_problem_cap():
    """10,000 duplicate ids: 200 listed per problem, then a count standing for 9,800 more; the
    error's own "... and N more" counts what the count stands for (it said "171 more")."""
    n = 10_001
    frame = _sites([_square(108, 23)] * n)
    frame["site_id"] = "A"
    with pytest.raises(InputError) as err:
        validate_frame("sites", frame)
    assert str(err.value).splitlines()[-1] == "... and 9,970 more problems in 9,970 more rows"
    frame["ecosystem_type"] = "jungle"  # a second problem in every row: rows are counted once
    with pytest.raises(InputError) as err:
        validate_frame("sites", frame)
    shown = {i.row for i in err.value.issues[:30]}
    assert str(err.value).splitlines()[-1] == (f"... and {2 * n - 1 - 30:,} more problems in "
                                               f"{n - len(shown):,} more rows")


def test_unknown_and_missing_columns():
    frame = _sites([_square(108, 23)], colour=["red"]).drop(columns="name")
    with pytest.raises(InputError) as err:
        validate_frame("sites", frame)
    text = str(err.value)
    assert "unknown column(s) 'colour'" in text and "missing required column(s) name" in text


def _cases(**overrides):
    row = {"case_id": "C1", "title": "t", "region": "青岚县", "case_class": "simple",
           "stage": "filing", "claimant_agency": "市生态环境局", "damage_amount_yuan": "1200.5",
           "incident_date": "2025-01-02", "restoration_modes": "in_situ;labour_in_lieu"}
    row.update(overrides)
    frame = pd.DataFrame([row, {**row, "case_id": "C2"}])
    frame.attrs.update(source="cases.csv", row_start=2, row_label="line")
    return frame


def test_case_fields_parsed_and_chinese_labels_accepted():
    out = validate_frame("cases", _cases(case_class="简单", restoration_modes="原位修复、劳务代偿")).frame
    assert out["case_class"].tolist() == ["simple", "simple"]
    assert out["restoration_modes"].iloc[0] == ["in_situ", "labour_in_lieu"]
    assert out["damage_amount_yuan"].iloc[0] == 1200.5
    assert out["profile"].iloc[0] == "guangxi"  # the default


@pytest.mark.parametrize("field, value, message", [
    ("damage_amount_yuan", "12万", "'12万' is not a number"),
    ("damage_amount_yuan", "-5", "below the minimum 0"),
    ("incident_date", "yesterday", "is not a date"),
    ("stage", "finished", "unknown value 'finished'"),
    ("restoration_modes", "in_situ;magic", "unknown value(s) magic"),
    ("title", "", "is required but empty"),
])
def test_bad_case_values_name_line_and_field(field, value, message):
    frame = _cases()
    frame.loc[1, field] = value
    with pytest.raises(InputError) as err:
        validate_frame("cases", frame)
    issue = err.value.issues[0]
    assert (issue.source, issue.row, issue.field) == ("cases.csv", 3, field)
    assert message in issue.message


def test_bounds_on_values_are_all_reported_with_their_rows():
    frame = _cases(damage_amount_yuan="1e400", title="a\x00b", case_id="C" * 101)
    frame.loc[1, "damage_amount_yuan"] = "1,200,000"  # thousands separators are fine
    with pytest.raises(InputError) as err:
        validate_frame("cases", frame)
    got = {(i.row, i.field): str(i.message) for i in err.value.issues}  # a Message: its English
    assert "'1e400' is not a finite number" in got[(2, "damage_amount_yuan")]
    assert "U+0000" in got[(2, "title")] and "U+0000" in got[(3, "title")]
    assert "at most 100" in got[(2, "case_id")]
    assert (3, "damage_amount_yuan") not in got


def test_extra_columns_error_keep_or_ignore():
    frame = _cases(colour="red")
    with pytest.raises(InputError, match="unknown column"):
        validate_frame("cases", frame)
    kept = validate_frame("cases", frame, extra="keep")
    assert kept.frame["attributes"].tolist() == [{"colour": "red"}] * 2 and "colour" in kept.notes[0]
    ignored = validate_frame("cases", frame, extra="ignore")
    assert ignored.frame["attributes"].isna().all() and "ignored" in ignored.notes[0]
