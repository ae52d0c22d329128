"""The GeoPackage store: GDAL compatibility, transactions, rollback, locking, audit, migrations."""
from __future__ import annotations

import sqlite3

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from restoration import ConflictError, InputError, StoreError, import_file, open_store
from restoration.store import core, migrations

from ..conftest import file_digest


def test_new_store_is_a_geopackage_gdal_lists(empty_store):
    layers = dict(pyogrio.list_layers(empty_store.path))
    for name in ("sites", "bank_projects", "cases", "case_events", "monitoring_series",
                 "indicator_targets", "audit_log"):
        assert name in layers
    assert layers["sites"] == "Unknown"  # polygons and plot points
    assert layers["bank_projects"] == "MultiPolygon"
    assert layers["cases"] is None  # attribute table
    with sqlite3.connect(empty_store.path) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47


def test_sample_round_trip_through_gdal(store, sample_dir):
    ours = store.read("sites")
    gdal = pyogrio.read_dataframe(store.path, layer="sites")
    assert gdal.crs.to_epsg() == 4326
    assert gdal["site_id"].tolist() == ours["site_id"].tolist()
    assert all(a.equals(b) for a, b in zip(gdal.geometry, ours.geometry))
    source = gpd.read_file(sample_dir / "sites.geojson")
    assert all(shapely.equals_exact(a, b, tolerance=1e-12) or a.equals(b)
               for a, b in zip(source.geometry, ours.set_index("site_id").loc[source.site_id].geometry))
    cases = pyogrio.read_dataframe(store.path, layer="cases", read_geometry=False)
    assert len(cases) == len(store.read("cases"))


def test_bank_in_cgcs2000_stored_in_4326(store, sample_dir):
    source = gpd.read_file(sample_dir / "bank_projects.gpkg")
    assert source.crs.to_epsg() == 4490
    stored = store.read("bank_projects")
    assert stored.crs.to_epsg() == 4326
    # CGCS2000 and WGS 84 coincide to well below a metre: same coordinates after reprojection
    a = source.to_crs(4326).geometry.iloc[0]
    assert shapely.equals_exact(shapely.force_2d(a), stored.geometry.iloc[0].geoms[0] if a.geom_type == "Polygon" else stored.geometry.iloc[0], 1e-9)
    assert stored["region"].notna().all() and stored["watershed"].notna().all()


def test_sites_get_county_and_watershed_from_spatial_join(store):
    sites = store.read("sites")
    assert sites["county"].notna().mean() > 0.9
    counties = store.read("counties")
    s = sites.dropna(subset=["county"]).iloc[0]
    county = counties.set_index("name").loc[s["county"], "geometry"]
    assert county.contains(s.geometry.representative_point())


def _good_sites_file(tmp_path, n=5000, bad_row=None):
    geoms = [shapely.box(108 + i * 1e-4, 23, 108 + i * 1e-4 + 5e-5, 23.001) for i in range(n)]
    frame = gpd.GeoDataFrame({"site_id": [f"N{i:05d}" for i in range(n)], "role": "reference",
                              "ecosystem_type": "forest", "name": "x"}, geometry=geoms, crs=4326)
    path = tmp_path / "new_sites.gpkg"
    frame.to_file(path, driver="GPKG")
    return path


def test_failed_import_leaves_the_file_byte_identical(store, tmp_path, monkeypatch):
    path = _good_sites_file(tmp_path)
    before = file_digest(store.path)
    calls = {"n": 0}
    real = core._executemany

    def fail_on_second_chunk(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk unplugged (simulated)")
        return real(*args, **kwargs)

    monkeypatch.setattr(core, "_executemany", fail_on_second_chunk)
    with pytest.raises(OSError):
        import_file(store, "sites", path)
    assert calls["n"] == 2  # the first chunk of rows really was written inside the transaction
    assert file_digest(store.path) == before
    assert store.count("sites") == 30
    monkeypatch.setattr(core, "_executemany", real)
    report = import_file(store, "sites", path)
    assert report.rows == 5000 and store.count("sites") == 5030


def test_duplicate_of_an_existing_id_is_refused_and_nothing_written(store, tmp_path):
    frame = gpd.GeoDataFrame({"site_id": ["NEW1", "S005"], "role": "reference",
                              "ecosystem_type": "forest", "name": "x"},
                             geometry=[shapely.box(108, 23, 108.01, 23.01)] * 2, crs=4326)
    path = tmp_path / "dup.geojson"
    frame.to_file(path)
    before = file_digest(store.path)
    with pytest.raises(InputError) as err:
        import_file(store, "sites", path)
    assert "dup.geojson, feature 2, field 'site_id': id 'S005' is already in the store" in str(err.value)
    assert file_digest(store.path) == before


def test_unknown_case_reference_refused(store, tmp_path):
    frame = gpd.GeoDataFrame({"site_id": ["NEW1"], "case_id": ["GX-9999"], "role": "damaged",
                              "ecosystem_type": "forest", "name": "x"},
                             geometry=[shapely.box(108, 23, 108.01, 23.01)], crs=4326)
    path = tmp_path / "orphan.geojson"
    frame.to_file(path)
    with pytest.raises(InputError, match="case_id 'GX-9999' does not exist in 'cases'"):
        import_file(store, "sites", path)


def test_transaction_rolls_back_every_layer_on_error(store):
    before = (store.count("cases"), store.count("audit_log"), store.version)
    with pytest.raises(RuntimeError):
        with store.transaction("tester") as tx:
            tx.update("cases", "GX-2024-005", {"title": "changed"})
            tx.delete("cases", "GX-2025-001")
            raise RuntimeError("boom")
    assert (store.count("cases"), store.count("audit_log"), store.version) == before
    assert store.get("cases", "GX-2024-005")["title"] != "changed"


def test_optimistic_lock_conflict_and_audit(store):
    first = store.get("cases", "GX-2024-005")
    second = store.get("cases", "GX-2024-005")  # two people open the same version
    with store.transaction("alice") as tx:
        tx.update("cases", "GX-2024-005", {"liable_party": "甲公司"}, expected_version=first["version"])
    with pytest.raises(ConflictError) as err:
        with store.transaction("bob") as tx:
            tx.update("cases", "GX-2024-005", {"liable_party": "乙公司"}, expected_version=second["version"])
    assert "by alice" in str(err.value) and "nothing was saved" in str(err.value)
    now = store.get("cases", "GX-2024-005")
    assert now["liable_party"] == "甲公司" and now["version"] == first["version"] + 1
    log = store.read("audit_log", "record_id = ?", ("GX-2024-005",))
    assert len(log) == 1
    assert log.iloc[0]["actor"] == "alice"
    assert log.iloc[0]["before"] == {"liable_party": first["liable_party"], "version": 1,
                                     "updated_at": first["updated_at"]}
    assert log.iloc[0]["after"]["liable_party"] == "甲公司"


def test_version_counter_grows_with_each_write(store):
    v = store.version
    with store.transaction() as tx:
        tx.update("cases", "GX-2024-006", {"title": "x"})
    assert store.version == v + 1


def test_migration_path_upgrades_and_failed_upgrade_changes_nothing(empty_store, monkeypatch):
    path = empty_store.path
    assert empty_store.schema_version == migrations.LATEST

    def v2(conn):
        conn.execute("CREATE TABLE extra (x INTEGER)")

    def v3_broken(conn):
        conn.execute("CREATE TABLE extra2 (x INTEGER)")
        raise sqlite3.OperationalError("broken migration")

    n = migrations.LATEST
    monkeypatch.setattr(core, "MIGRATIONS", migrations.MIGRATIONS + [(n + 1, "extra", v2), (n + 2, "broken", v3_broken)])
    monkeypatch.setattr(core, "LATEST", n + 2)
    with pytest.raises(sqlite3.OperationalError):
        open_store(path, create=False)
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "extra" not in tables and "extra2" not in tables  # all pending steps in one transaction
    monkeypatch.setattr(core, "MIGRATIONS", migrations.MIGRATIONS + [(n + 1, "extra", v2)])
    monkeypatch.setattr(core, "LATEST", n + 1)
    assert open_store(path, create=False).schema_version == n + 1


def test_newer_schema_and_foreign_files_refused(empty_store, tmp_path):
    with sqlite3.connect(empty_store.path) as conn:
        conn.execute("INSERT INTO restoration_schema VALUES (99, 'future', 'x')")
    with pytest.raises(StoreError, match="newer than this software"):
        open_store(empty_store.path, create=False)
    other = tmp_path / "other.gpkg"
    pd.DataFrame({"a": [1]}).pipe(lambda f: gpd.GeoDataFrame(f, geometry=[shapely.Point(0, 0)], crs=4326)).to_file(other)
    with pytest.raises(StoreError, match="not a store of this platform"):
        open_store(other, create=False)
    junk = tmp_path / "junk.gpkg"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match="not a GeoPackage"):
        open_store(junk, create=False)
    with pytest.raises(StoreError, match="restoration init"):
        open_store(tmp_path / "missing.gpkg", create=False)


def test_keyword_filters(store):
    both = store.read("sites", case_id="GX-2023-009", role=("damaged", "reference"))
    assert sorted(both["role"]) == ["damaged", "reference"]
    assert len(store.read("sites", case_id=None)) == store.count("sites")  # None: no filter
    sql = store.read("sites", "area_ha > ?", (10.0,), role="reference")
    assert len(sql) and (sql["area_ha"] > 10).all() and set(sql["role"]) == {"reference"}
    with store.transaction() as tx:
        assert len(tx.read("cases", stage="restoration")) == 3


def test_rtree_spatial_index_follows_every_write(store):
    """Each spatial layer carries the GeoPackage R-tree extension, kept in sync by its triggers
    (through this package's connections and through GDAL's)."""
    def rtree_ids():
        with sqlite3.connect(store.path) as conn:
            return {r[0] for r in conn.execute("SELECT id FROM rtree_sites_geom")}, \
                   {r[0] for r in conn.execute("SELECT fid FROM sites")}

    index, rows = rtree_ids()
    assert index == rows and len(rows) == 30
    assert pyogrio.read_info(store.path, layer="sites")["capabilities"]["fast_spatial_filter"]
    with store.transaction() as tx:
        tx.delete("sites", "S001")
    deleted = store.read("audit_log", action="delete", record_id="S001").iloc[-1]
    assert deleted["before"]["geometry"].startswith("MULTIPOLYGON")  # the shape stays in the audit log
    index, rows = rtree_ids()
    assert index == rows and len(rows) == 29
    # GDAL writing into the store (as QGIS would) keeps the same index current
    extra = gpd.GeoDataFrame({"site_id": ["Q1"], "role": ["reference"], "ecosystem_type": ["forest"],
                              "name": ["qgis"]}, geometry=[shapely.box(108, 23, 108.01, 23.01)], crs=4326)
    pyogrio.write_dataframe(extra, store.path, layer="sites", append=True)
    index, rows = rtree_ids()
    assert index == rows and len(rows) == 30
    hits = pyogrio.read_dataframe(store.path, layer="sites", bbox=(107.99, 22.99, 108.02, 23.02))
    assert hits["site_id"].tolist() == ["Q1"]
