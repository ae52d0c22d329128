"""Every bad package of the field is refused with exit 2, the feature, field and file named, and
nothing written: another store's package, a case or site not in the package, a GeoPackage edited
by hand with wrong types, photos outside the folder (``../``, absolute, a link), missing, or an
HTML page named ``.jpg``, a base snapshot edited; an older package's edits after a newer one's
are queued for review, none taken."""
from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pyogrio
import pytest

from ..conftest import store_fingerprint
from . import play

TODAY = "2026-11-20"
CASE = "GX-2023-009"
DAY = date(2026, 11, 18)


@pytest.fixture
def exported(gpkg_store, tmp_path, cli):
    out = tmp_path / "pristine"
    code, _, err = cli("--data", gpkg_store.data_dir, "field", "export", CASE, "--out", out)
    assert code == 0, err
    return gpkg_store, out


def _row(**extra) -> dict:
    return {"case_id": CASE, "site_id": "S010", "inspection_date": DAY, **extra}


def _photo() -> bytes:
    return play.jpeg(108.0, 23.0, play.noon(DAY))


def _another_store(pkg: Path) -> None:
    base = json.loads((pkg / "base.json").read_text(encoding="utf-8"))
    base["store_id"] = "00000000-0000-0000-0000-000000000000"
    (pkg / "base.json").write_text(json.dumps(base), encoding="utf-8")


def _edited_base(pkg: Path) -> None:
    base = json.loads((pkg / "base.json").read_text(encoding="utf-8"))
    base["sites"]["S010"]["attributes"]["name"] = "改过的基准"
    (pkg / "base.json").write_text(json.dumps(base, ensure_ascii=False), encoding="utf-8")


def _wrong_types(pkg: Path) -> None:
    play.add_inspections(pkg, [_row()])
    frame = pyogrio.read_dataframe(pkg / "inspection.gpkg", layer="inspections")
    frame["vegetation_cover_pct"] = "很多"  # the column re-saved as text by hand
    frame["erosion"] = "是"
    play.rewrite_layer(pkg, "inspections", frame, geometry_type="Point")


def _link_out(pkg: Path) -> None:
    outside = pkg.parent / "secret.jpg"
    outside.write_bytes(_photo())
    (pkg / "photos" / "link.jpg").symlink_to(outside)
    play.add_inspections(pkg, [_row(photos=[("photos/link.jpg", None)])])


CASES = {
    "another store": (_another_store, "store_id", "another store"),
    "edited snapshot": (_edited_base, "base.json", "changed after the export"),
    "another case": (lambda p: play.add_inspections(p, [_row(case_id="GX-2022-010")]), "case_id",
                     "not one of this package's cases"),
    "another case's site": (lambda p: play.add_inspections(p, [_row(site_id="S001")]), "site_id",
                            "is not a site of case"),
    "wrong types": (_wrong_types, "vegetation_cover_pct", "not a number"),
    "bad date": (lambda p: play.add_inspections(p, [_row(inspection_date="昨天")]), "inspection_date",
                 "is not a date"),
    "unknown status": (lambda p: play.add_inspections(p, [_row(status="great")]), "status", "is not one of"),
    "path out": (lambda p: play.add_inspections(p, [_row(photos=[("photos/../../evil.jpg", _photo())])]), "photo_1",
                 "leads out of the package"),
    "absolute path": (lambda p: play.add_inspections(p, [_row(photos=[("/etc/passwd", None)])]), "photo_1",
                      "absolute path"),
    "link out": (_link_out, "photo_1", "link leading out"),
    "missing photo": (lambda p: play.add_inspections(p, [_row(photos=[("photos/gone.jpg", None)])]), "photo_1",
                      "is missing from the package"),
    "html as jpg": (lambda p: play.add_inspections(p, [_row(photos=[
        ("photos/page.jpg", b"<html><script>alert(1)</script></html>")])]), "photo_1", "not a JPEG"),
    "fake jpeg": (lambda p: play.add_inspections(p, [_row(photos=[
        ("photos/cut.jpg", _photo()[:200])])]), "photo_1", "not an image the platform accepts"),
    "future date": (lambda p: play.add_inspections(p, [_row(inspection_date=date(2027, 1, 1))]), "inspection_date",
                    "after today"),
    "duplicate uuid": (lambda p: play.add_inspections(p, [_row(uuid="u-1"), _row(uuid="u-1")]), "uuid",
                       "same record id"),
}


def test_every_bad_package_exits_2_naming_it_and_writes_nothing(exported, tmp_path, cli):
    store, pristine = exported
    before = store_fingerprint(store)
    for name, (spoil, field, words) in CASES.items():
        pkg = tmp_path / name.replace(" ", "_")
        shutil.copytree(pristine, pkg, symlinks=True)
        spoil(pkg)
        code, out, err = cli("--data", store.data_dir, "--today", TODAY, "field", "import", pkg)
        assert code == 2, (name, out, err)
        assert field in err and words in err, (name, err)
        assert "nothing was written" in err, name
        if field.startswith(("photo", "case_id", "site_id", "status", "vegetation", "inspection_date", "uuid")):
            assert "feature 1" in err or "feature 2" in err, (name, err)
        assert store_fingerprint(store) == before, name


def test_a_package_of_another_case_set_and_a_folder_that_is_no_package(exported, tmp_path, cli):
    store, _ = exported
    code, _, err = cli("--data", store.data_dir, "field", "import", tmp_path / "nothing-here")
    assert code == 2 and "not a folder" in err
    (tmp_path / "empty").mkdir()
    code, _, err = cli("--data", store.data_dir, "field", "import", tmp_path / "empty")
    assert code == 2 and "base.json" in err


def test_an_older_package_after_a_newer_one_queues_its_edits(exported, tmp_path, cli):
    store, older = exported
    data = store.data_dir
    newer = tmp_path / "newer"
    code, _, err = cli("--data", data, "field", "export", CASE, "--out", newer)
    assert code == 0, err
    play.edit_site(newer, "S011", name="新包改名")
    code, out, err = cli("--data", data, "--today", TODAY, "field", "import", newer, "--json")
    assert code == 0, err
    assert [c["field"] for c in json.loads(out)["taken"]] == ["name"]
    play.edit_site(older, "S012", name="旧包改名")  # one-sided, but the package is older: for review
    play.add_inspections(older, [_row(photos=[_photo()])])
    code, out, err = cli("--data", data, "--today", TODAY, "field", "import", older, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["older_package"] and report["taken"] == [] and report["new_inspections"] == 1
    assert [(c["record_id"], c["field"]) for c in report["conflicts"]] == [("S012", "name")]
    assert store.get("sites", "S012")["name"] != "旧包改名"


def test_a_reshaped_or_deleted_site_is_reported_not_applied(exported, cli):
    store, pkg = exported
    sites = pyogrio.read_dataframe(pkg / "inspection.gpkg", layer="sites")
    shape = store.get("sites", "S010")["geometry"]
    sites.loc[sites["site_id"] == "S010", "geometry"] = sites.loc[sites["site_id"] == "S010"].geometry.buffer(0.001)
    sites = sites[sites["site_id"] != "S011"]
    play.rewrite_layer(pkg, "sites", sites, geometry_type="Unknown")
    code, out, err = cli("--data", store.data_dir, "--today", TODAY, "field", "import", pkg, "--json")
    assert code == 0, err
    assert sorted((c["kind"], c["record_id"]) for c in json.loads(out)["reported"]) == [
        ("deleted", "S011"), ("geometry", "S010")]
    assert store.get("sites", "S010")["geometry"].equals(shape) and store.count("sites", site_id="S011") == 1
    code, out, _ = cli("--data", store.data_dir, "field", "conflicts", "--json")
    queue = {q["kind"]: q["conflict_id"] for q in json.loads(out)}
    code, _, err = cli("--data", store.data_dir, "field", "resolve", queue["geometry"], "--keep", "field")
    assert code == 2 and "edit the site at the office" in err
