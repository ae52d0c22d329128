"""``restoration init/demo`` into PostGIS, ``db copy`` both ways (counts and geometries
checked), ``db upgrade``, ``db info``."""
from __future__ import annotations

import itertools

import pandas as pd
import pyogrio
import pytest
import shapely

from restoration import model
from restoration.store import open_store

_names = itertools.count(1)


@pytest.fixture
def blank_db(request, pg_cluster):
    """An empty PostgreSQL database with PostGIS enabled and no store in it; its URL."""
    name = f"blank{next(_names)}"
    url = pg_cluster.create_database(name)
    request.addfinalizer(lambda: pg_cluster.drop_database(name))
    return url


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(frame.drop(columns="geometry", errors="ignore")).copy()
    for c in out.columns:
        out[c] = out[c].map(lambda v: None if v is None or (isinstance(v, float) and pd.isna(v)) else
                            repr(v))
    return out.reset_index(drop=True)


def test_copy_gpkg_to_postgis_and_back(gpkg_store, blank_db, tmp_path, cli):
    src = gpkg_store
    code, out, err = cli("db", "copy", src.path, blank_db)
    assert code == 0, err
    assert "counts and geometries checked" in out and "sites: 30" in out
    pg = open_store(blank_db, create=False)
    assert pg.backend == "postgis" and pg.schema_version == src.schema_version
    for layer in src.layers():
        a, b = src.read(layer), pg.read(layer)
        if layer == "audit_log":
            assert len(b) == len(a) + 1 and b.iloc[-1]["action"] == "copy store"
            b = b.iloc[:-1]
        assert len(a) == len(b), layer
        pd.testing.assert_frame_equal(_comparable(a), _comparable(b), obj=layer)
        if model.LAYERS[layer].geometry:
            assert all(shapely.equals_exact(x, y, 0) for x, y in zip(a.geometry, b.geometry)), layer
    # new rows number after the copied ones (identity moved past the copied fids)
    with pg.transaction("after-copy") as tx:
        fid = tx.insert_one("case_events", pd.DataFrame([{"case_id": "GX-2023-009", "event_type": "note",
                                                             "event_date": "2026-11-20", "actor": "x", "details": {}}]))
    assert fid > int(src.read("case_events")["fid"].max())

    back = tmp_path / "back" / "platform.gpkg"
    code, out, err = cli("db", "copy", blank_db, back)
    assert code == 2 and "the folder" in err and "does not exist" in err  # never created on the side
    back.parent.mkdir()
    code, out, err = cli("db", "copy", blank_db, back)
    assert code == 0, err
    again = open_store(back, create=False)
    assert again.count("case_events") == src.count("case_events") + 1
    assert again.count("sites") == 30
    gdal = pyogrio.read_dataframe(back, layer="sites")  # a plain GeoPackage again
    assert gdal["site_id"].tolist() == src.read("sites")["site_id"].tolist()
    assert again.extent("sites") == pytest.approx(src.extent("sites"))


def test_copy_refuses_an_existing_target(gpkg_store, request, pg_cluster, tmp_path, cli):
    from ..conftest import new_pg_database
    for target in (new_pg_database(request, "empty"), gpkg_store.path):
        code, _, err = cli("db", "copy", gpkg_store.path, target)
        assert code == 2 and "already exists" in err
    code, _, err = cli("db", "copy", tmp_path / "missing.gpkg", tmp_path / "new.gpkg")
    assert code == 2 and "no store here" in err and not (tmp_path / "new.gpkg").exists()


def test_init_and_demo_into_postgis(blank_db, tmp_path, cli, monkeypatch):
    monkeypatch.setenv("RESTORATION_TODAY", "2026-11-20")
    code, out, err = cli("--data", tmp_path / "d", "--db", blank_db, "init")
    assert code == 0, err
    assert "sites: 30" in out and "postgresql://" in out
    code, out, err = cli("--data", tmp_path / "d", "--db", blank_db, "init")
    assert code == 2 and "already exists" in err
    monkeypatch.setenv("RESTORATION_DB", blank_db)
    code, out, err = cli("--data", tmp_path / "d", "demo", "--no-serve")
    assert code == 0, err
    assert not (tmp_path / "d" / "platform.gpkg").exists()  # served from the database, no file made
    code, out, err = cli("db", "info", "--json")
    assert code == 0
    assert '"backend": "postgis"' in out


def test_demo_builds_the_sample_into_an_empty_database(blank_db, tmp_path, cli, monkeypatch):
    monkeypatch.setenv("RESTORATION_DB", blank_db)
    code, out, err = cli("--data", tmp_path / "d", "demo", "--no-serve")
    assert code == 0, err
    assert open_store(blank_db, create=False).count("cases") > 0


def test_db_upgrade_applies_pending_migrations(empty_store, cli, monkeypatch):
    from restoration.store import migrations
    code, out, _ = cli("db", "upgrade") if empty_store.url else cli("--data", empty_store.data_dir, "db", "upgrade")
    assert code == 0 and "up to date" in out
    n = migrations.LATEST
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS + [
        (n + 1, "a note on cases", lambda ops: ops.add_field("cases", model.Field("upgrade_note", "str")))])
    monkeypatch.setattr(migrations, "LATEST", n + 1)
    code, out, err = cli("--data", empty_store.data_dir, "db", "upgrade")
    assert code == 0, err
    assert f"applied v{n + 1}" in out
    assert empty_store.schema_version == n + 1 and "upgrade_note" in empty_store.read("cases").columns


def test_bad_database_url_is_a_clear_error(cli, tmp_path):
    code, _, err = cli("--db", f"postgresql://nobody@/nodb?host={tmp_path}&port=1", "info")
    assert code == 2 and "cannot connect" in err
    code, _, err = cli("--db", "mysql://x/y", "info")
    assert code == 2 and "postgresql://" in err
