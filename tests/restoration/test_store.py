"""The store on both backends: transactions, rollback, locking, audit, migrations; and what only
the GeoPackage file has (GDAL compatibility, bytes, the R-tree)."""
from __future__ import annotations

import dataclasses
import sqlite3

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from restoration import model
from restoration import ConflictError, InputError, StoreError, import_file, open_store
from restoration.store import migrations, transaction

from ..conftest import store_fingerprint


def test_new_store_is_a_geopackage_gdal_lists(gpkg_empty_store):
    empty_store = gpkg_empty_store
    layers = dict(pyogrio.list_layers(empty_store.path))
    for name in ("sites", "bank_projects", "cases", "case_events", "monitoring_series",
                 "indicator_targets", "audit_log"):
        assert name in layers
    assert layers["sites"] == "Unknown"  # polygons and plot points
    assert layers["bank_projects"] == "MultiPolygon"
    assert layers["cases"] is None  # attribute table
    with sqlite3.connect(empty_store.path) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47


def test_sample_round_trip_through_gdal(gpkg_store, sample_dir):
    store = gpkg_store
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
    before = store_fingerprint(store)
    calls = {"n": 0}
    real = transaction._executemany

    def fail_on_second_chunk(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk unplugged (simulated)")
        return real(*args, **kwargs)

    monkeypatch.setattr(transaction, "_executemany", fail_on_second_chunk)
    with pytest.raises(OSError):
        import_file(store, "sites", path)
    assert calls["n"] == 2  # the first chunk of rows really was written inside the transaction
    assert store_fingerprint(store) == before
    assert store.count("sites") == 30
    monkeypatch.setattr(transaction, "_executemany", real)
    report = import_file(store, "sites", path)
    assert report.rows == 5000 and store.count("sites") == 5030


def test_duplicate_of_an_existing_id_is_refused_and_nothing_written(store, tmp_path):
    frame = gpd.GeoDataFrame({"site_id": ["NEW1", "S005"], "role": "reference",
                              "ecosystem_type": "forest", "name": "x"},
                             geometry=[shapely.box(108, 23, 108.01, 23.01)] * 2, crs=4326)
    path = tmp_path / "dup.geojson"
    frame.to_file(path)
    before = store_fingerprint(store)
    with pytest.raises(InputError) as err:
        import_file(store, "sites", path)
    assert "dup.geojson, feature 2, field 'site_id': id 'S005' is already in the store" in str(err.value)
    assert store_fingerprint(store) == before


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
    log = store.read("audit_log", record_id="GX-2024-005")
    assert len(log) == 1
    assert log.iloc[0]["actor"] == "alice"
    assert log.iloc[0]["before"] == {"liable_party": first["liable_party"], "version": 1,
                                     "updated_at": first["updated_at"]}
    assert log.iloc[0]["after"]["liable_party"] == "甲公司"


def test_update_many_is_update_for_each_record(store):
    """The import's bulk update does what update() does per record: the change, the version up
    by one, one audit row each with before/after; an unknown key writes nothing."""
    ids = ["GX-2024-005", "GX-2024-006"]
    before = {i: store.get("cases", i) for i in ids}
    with store.transaction("importer") as tx:
        tx.update_many("cases", {i: {"title": f"新名称{i}"} for i in ids}, action={i: f"{n} events imported" for n, i in
                                                                                 enumerate(ids, 1)})
    for n, i in enumerate(ids, 1):
        after = store.get("cases", i)
        assert after["title"] == f"新名称{i}" and after["version"] == before[i]["version"] + 1
        log = store.read("audit_log", record_id=i)
        last = log.iloc[-1]
        assert last["action"] == f"{n} events imported" and last["actor"] == "importer"
        assert last["before"]["title"] == before[i]["title"] and last["after"]["title"] == f"新名称{i}"
    with pytest.raises(Exception, match="GX-0000"):
        with store.transaction("importer") as tx:
            tx.update_many("cases", {"GX-2024-005": {"title": "x"}, "GX-0000": {"title": "y"}})
    assert store.get("cases", "GX-2024-005")["title"] == "新名称GX-2024-005"


def test_version_counter_grows_with_each_write(store):
    v = store.version
    with store.transaction() as tx:
        tx.update("cases", "GX-2024-006", {"title": "x"})
    assert store.version == v + 1


def test_migration_path_upgrades_and_failed_upgrade_changes_nothing(empty_store, monkeypatch):
    path = empty_store.url or empty_store.path
    assert empty_store.schema_version == migrations.LATEST
    extra = model.LayerSpec("extra_layer", (model.Field("x", "int"),))
    monkeypatch.setitem(model.LAYERS, "extra_layer", extra)
    monkeypatch.setitem(model.LAYERS, "extra_layer2", dataclasses.replace(extra, name="extra_layer2"))

    def v2(ops):
        ops.create_layer(model.LAYERS["extra_layer"])
        ops.add_field("cases", model.Field("extra_note", "str"))
        ops.execute('CREATE INDEX idx_extra ON extra_layer(x)')

    def v3_broken(ops):
        ops.create_layer(model.LAYERS["extra_layer2"])
        raise RuntimeError("broken migration")

    n = migrations.LATEST
    base = list(migrations.MIGRATIONS)
    monkeypatch.setattr(migrations, "MIGRATIONS", base + [(n + 1, "extra", v2), (n + 2, "broken", v3_broken)])
    monkeypatch.setattr(migrations, "LATEST", n + 2)
    with pytest.raises(RuntimeError, match="broken migration"):
        open_store(path, create=False)
    # all pending steps in one transaction: nothing of v(n+1) stayed
    assert not empty_store.has_layer("extra_layer") and not empty_store.has_layer("extra_layer2")
    assert empty_store.schema_version == n
    monkeypatch.setattr(migrations, "MIGRATIONS", base + [(n + 1, "extra", v2)])
    monkeypatch.setattr(migrations, "LATEST", n + 1)
    upgraded = open_store(path, create=False)
    assert upgraded.schema_version == n + 1 and upgraded.has_layer("extra_layer")
    assert "extra_note" in upgraded.read("cases").columns
    with pytest.raises(NotImplementedError, match="may only use"):
        with upgraded.transaction() as tx:
            upgraded._backend.schema_ops(tx._connection).execute("DROP TABLE cases")


def test_newer_schema_and_foreign_files_refused(gpkg_empty_store, tmp_path):
    empty_store = gpkg_empty_store
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
    with pytest.raises(TypeError):  # no SQL conditions: keyword filters only (the store is the gateway)
        store.read("sites", "area_ha > ?", (10.0,))
    assert not hasattr(store, "query")
    with store.transaction() as tx:
        assert len(tx.read("cases", stage="restoration")) == 3


def test_rtree_spatial_index_follows_every_write(gpkg_store):
    """Each spatial layer carries the GeoPackage R-tree extension, kept in sync by its triggers
    (through this package's connections and through GDAL's)."""
    store = gpkg_store

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


def test_named_operations(store):
    """The gateway's named reads and writes behave the same on both backends."""
    assert "S005" in store.keys("sites") and store.keys("sites", role="nothing") == set()
    assert store.count("sites", case_id="GX-2023-009") == len(store.read("sites", case_id="GX-2023-009"))
    alloc = store.read("bank_allocations")
    open_rows = alloc[alloc["state"].isin(["reserved", "committed"])]
    assert store.total("bank_allocations", "amount", state=("reserved", "committed")) == pytest.approx(
        open_rows["amount"].sum())
    by = store.totals("bank_allocations", "amount", ["project_id", "state"])
    assert by["amount"].sum() == pytest.approx(alloc["amount"].sum())
    only = store.read("sites", columns=["site_id", "geometry"], case_id="GX-2023-009")
    assert list(only.columns) == ["site_id", "geometry"] and only.crs.to_epsg() == 4326
    with pytest.raises(InputError, match="unknown field 'nope'"):
        store.read("sites", nope=1)
    with store.transaction("tester") as tx:
        n = tx.next_number("bank_allocations", "allocation_id", "AL-")
        assert n == 1 + max(int(a[3:]) for a in alloc["allocation_id"])
        fid = tx.insert_one("case_events", pd.DataFrame([{"case_id": "GX-2023-009", "event_type": "note",
                                                             "event_date": "2026-01-01", "actor": "tester",
                                                             "details": {}}]))
        assert fid > 0
        series = tx.read("monitoring_series", site_id="S011")
        gone = tx.delete_matching("monitoring_series", series[["site_id", "indicator", "time", "source"]].head(3),
                                  action="replace (test)")
        assert gone == 3
    log = store.read("audit_log", action="replace (test)").iloc[-1]
    assert log["actor"] == "tester" and log["before"]["rows"] == 3
    assert len(log["before"]["records"]) == 3 and log["before"]["records"][0]["site_id"] == "S011"


def test_extent_comes_from_the_spatial_index(store):
    sites = store.read("sites")
    minx, miny, maxx, maxy = sites.total_bounds
    ext = store.extent("sites")
    # the R-tree stores float32-rounded boxes (outward), PostGIS's box2d too: close, and enclosing
    assert ext[0] <= minx and ext[1] <= miny and ext[2] >= maxx and ext[3] >= maxy
    assert ext == pytest.approx((minx, miny, maxx, maxy), abs=1e-4)
    assert store.extent("cases") is None
    with store.transaction() as tx:
        for sid in sites["site_id"]:
            tx.delete("sites", sid)
    assert store.extent("sites") is None


def test_a_long_held_lock_is_reported_busy_retry(store, monkeypatch):
    """Another writer holding the store (or the record) longer than the lock timeout: a
    ConflictError that says busy / retry (exit code 4), nothing written."""
    import threading
    monkeypatch.setenv("RESTORATION_LOCK_TIMEOUT", "1")
    from restoration.store import open_store as reopen
    from restoration.store.postgis import close_pools
    close_pools()  # pooled connections take the lock timeout when they are opened
    location = store.url or store.path
    holding, release = threading.Event(), threading.Event()

    def hold():
        with reopen(location, create=False).transaction("holder") as tx:
            tx.update("cases", "GX-2024-005", {"title": "held"})
            holding.set()
            release.wait(30)

    t = threading.Thread(target=hold)
    t.start()
    try:
        assert holding.wait(30)
        before = store.version
        with pytest.raises(ConflictError, match="busy") as err:
            with reopen(location, create=False).transaction("waiter") as tx:
                tx.update("cases", "GX-2024-005", {"title": "mine"})
        assert err.value.exit_code == 4 and "retry" in str(err.value)
    finally:
        release.set()
        t.join(30)
    assert store.get("cases", "GX-2024-005")["title"] == "held" and store.version == before + 1
