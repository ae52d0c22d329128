"""Field photos as evidence after an import: ``field photo publish / unpublish`` (a disclosure
decision with a reason, audited, refused without one or for a role that may not disclose), what
the public may read (thumbnails of photos marked public, of disclosed cases only, no metadata;
never the bytes of another photo) and the case archive's photo table with thumbnails."""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date

import pandas as pd
import pytest
from PIL import Image

from restoration import access
from restoration.cases.archive import archive_bytes
from restoration.field import export_package, import_package, public_photos, set_public, thumbnails
from restoration.errors import InputError

from . import play

CASE = "GX-2023-009"
TODAY = date(2026, 11, 20)


@pytest.fixture()
def imported(store, tmp_path):
    """The store after one field import of two photos of S010; (store, [photo bytes])."""
    pkg = tmp_path / "pkg"
    export_package(store, [CASE], pkg, access.local_admin())
    lon, lat = play.site_centre(pkg, "S010")
    day = date(2026, 11, 18)
    photos = [play.jpeg(lon, lat, play.noon(day), size=600, seed=k) for k in (1, 2)]
    play.add_inspections(pkg, [{"case_id": CASE, "site_id": "S010", "inspection_date": day, "photos": photos}])
    import_package(store, pkg, access.local_admin(), today=TODAY)
    return store, photos


def _evidence(cli, store) -> list[dict]:
    code, out, _ = cli("--data", str(store.data_dir), "--today", str(TODAY), "case", "show", CASE, "--json")
    assert code == 0
    return json.loads(out)["field_evidence"]


def test_publish_and_withdraw_through_the_cli(imported, cli):
    store, photos = imported
    data = str(store.data_dir)
    first, second = _evidence(cli, store)
    assert first["sha256"] == hashlib.sha256(photos[0]).hexdigest() and first["public"] in (False, 0)
    pid = str(first["photo_id"])

    code, out, err = cli("--data", data, "field", "photo", "publish", pid, "--reason", "   ")
    assert code == 2 and "--reason" in err
    code, _, err = cli("--data", data, "field", "photo", "publish", pid)  # no --reason at all
    assert code == 2
    code, _, err = cli("--data", data, "field", "photo", "publish", "99999", "--reason", "x")
    assert code != 0 and "99999" in err
    code, _, err = cli("--data", data, "field", "photo", "publish", "../etc", "--reason", "x")
    assert code == 2 and "not a photo id" in err
    assert not any(e["public"] for e in _evidence(cli, store))  # nothing written by the refusals

    code, out, err = cli("--data", data, "--actor", "李公开", "field", "photo", "publish", pid,
                         "--reason", "修复成效公示 <b>现场</b>")
    assert code == 0, err
    assert "已公开" in out and "now public" in out
    shown = {e["photo_id"]: e for e in _evidence(cli, store)}
    assert shown[int(pid)]["public"] and not shown[second["photo_id"]]["public"]
    assert shown[int(pid)]["public_reason"] == "修复成效公示 <b>现场</b>"
    assert shown[int(pid)]["published_by"] == "李公开" and shown[int(pid)]["published_at"]
    audit = store.read("audit_log", layer="field_photos", record_id=pid)
    assert list(audit["actor"]) == ["李公开"] and "published" in audit["action"].iloc[0]
    assert "修复成效公示" in str(audit["after"].iloc[0])

    code, _, err = cli("--data", data, "field", "photo", "publish", pid, "--reason", "again")
    assert code == 2 and "already" in err
    code, out, err = cli("--data", data, "field", "photo", "unpublish", pid, "--reason", "当事人申请撤回")
    assert code == 0 and "withdrawn" in out, err
    assert not any(e["public"] for e in _evidence(cli, store))
    assert len(store.read("audit_log", layer="field_photos", record_id=pid)) == 2


def test_only_a_role_that_discloses_may_publish(imported):
    store, _ = imported
    pid = int(store.read("field_photos", case_id=CASE)["fid"].iloc[0])
    for role in ("appraiser", "planner", "readonly"):
        with pytest.raises(access.PermissionDenied):
            set_public(store, pid, True, "公示", access.Actor(f"{role}-1", role))
    with pytest.raises(InputError):
        set_public(store, pid, True, "长" * 501, access.local_admin())
    assert not store.read("field_photos", case_id=CASE)["public"].astype(bool).any()


def test_the_public_sees_only_published_photos_of_disclosed_cases(imported):
    store, photos = imported
    rows = store.read("field_photos", case_id=CASE).sort_values("name")
    first, second = (int(f) for f in rows["fid"])
    with store.transaction("office") as tx:
        tx.update("cases", CASE, {"disclosed": False})
    assert public_photos(store) == []  # nothing is public by default
    set_public(store, first, True, "修复成效公示", access.local_admin())
    assert public_photos(store) == []  # marked public, but the case is not disclosed
    with store.transaction("office") as tx:
        tx.update("cases", CASE, {"disclosed": True})
    shown = public_photos(store)
    assert len(shown) == 1 and shown[0]["day"] == "2026-11-18"
    thumb = Image.open(io.BytesIO(shown[0]["thumbnail"]))
    assert thumb.format == "JPEG" and max(thumb.size) <= 240 and not thumb.getexif()  # no position, no camera
    own = thumbnails(store, CASE)
    assert shown[0]["thumbnail"] == own[first] != own[second]
    assert all(p not in shown[0]["thumbnail"] for p in photos)
    set_public(store, first, False, "撤回", access.local_admin())
    assert public_photos(store) == []


def test_the_archive_lists_each_photo_with_its_thumbnail(imported):
    store, photos = imported
    with zipfile.ZipFile(io.BytesIO(archive_bytes(store, CASE, TODAY))) as z:
        table = pd.read_csv(z.open("field_photos.csv"))
        assert sorted(table["sha256"]) == sorted(hashlib.sha256(p).hexdigest() for p in photos)
        assert set(table["taken_by"]) == {"张巡查"} and table["taken_at"].str.startswith("2026-11-18").all()
        assert table["lon"].notna().all() and table["lat"].notna().all()
        for r in table.to_dict("records"):
            assert hashlib.sha256(z.read(r["file"])).hexdigest() == r["sha256"]
            assert Image.open(io.BytesIO(z.read(r["thumbnail"]))).format == "JPEG"
        index = pd.read_csv(z.open("index.csv"))
        assert (index["kind"] == "field_photo_thumbnail").sum() == 2
