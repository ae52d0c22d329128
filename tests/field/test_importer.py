"""The field played against the office, through the CLI, on both backends: export a case's
package, add inspections with EXIF photos and edit site attributes in the GeoPackage (GDAL) while
the office changes one of them too; the import takes the records, hashes every photo, takes the
one-sided edit, queues the two-sided one, and a second import changes nothing."""
from __future__ import annotations

import hashlib
import json
from datetime import date

from ..conftest import store_fingerprint
from . import play

TODAY = "2026-11-20"
CASE = "GX-2023-009"  # the sample's case in restoration, five sites S010…


def _json(out: str):
    return json.loads(out)


def test_the_field_round_trip(store, tmp_path, cli):
    data = str(store.data_dir)
    pkg = tmp_path / "pkg"
    code, out, err = cli("--data", data, "field", "export", CASE, "--out", pkg)
    assert code == 0, err
    lon, lat = play.site_centre(pkg, "S010")
    day = date(2026, 11, 18)
    rows = play.add_inspections(pkg, [
        {"case_id": CASE, "site_id": "S010", "inspection_date": day, "point": (lon, lat), "status": "problem",
         "findings": "<script>alert(1)</script> 发现新增弃渣", "waste": True,
         "photos": [play.jpeg(lon, lat, play.noon(day), seed=1), play.jpeg(lon, lat, play.noon(day), seed=2)]},
        {"case_id": CASE, "site_id": "S011", "inspection_date": day, "vegetation_cover_pct": 72.5,
         "photos": [play.jpeg(lon + 0.2, lat, play.noon(date(2026, 10, 1)), seed=3)]},  # far away, weeks off
    ])
    play.edit_site(pkg, "S010", name="盗伐林地（外业）")          # the office changes it too: a conflict
    play.edit_site(pkg, "S011", public_name="某县补植复绿点")      # only the field changes it: taken
    with store.transaction("office") as tx:
        tx.update("sites", "S010", {"name": "盗伐林地（办公室）"})

    code, out, err = cli("--data", data, "--today", TODAY, "field", "import", pkg, "--json")
    assert code == 0, err
    report = _json(out)
    assert (report["new_inspections"], report["photos"], report["written"]) == (2, 3, True)
    assert [(c["record_id"], c["field"]) for c in report["taken"]] == [("S011", "public_name")]
    assert [(c["record_id"], c["field"], c["office"], c["field_value"]) for c in report["conflicts"]] == [
        ("S010", "name", "盗伐林地（办公室）", "盗伐林地（外业）")]
    assert any("outside the site" in w for w in report["warnings"])
    assert any("days from the inspection date" in w for w in report["warnings"])
    assert store.get("sites", "S011")["public_name"] == "某县补植复绿点"
    assert store.get("sites", "S010")["name"] == "盗伐林地（办公室）"  # never overwritten silently

    code, out, _ = cli("--data", data, "--today", TODAY, "case", "show", CASE, "--json")
    record = _json(out)
    evidence = record["field_evidence"]
    files = {r[f"photo_{k}"]: (pkg / r[f"photo_{k}"]).read_bytes() for r in rows for k in (1, 2) if r.get(f"photo_{k}")}
    assert sorted(e["sha256"] for e in evidence) == sorted(hashlib.sha256(b).hexdigest() for b in files.values())
    assert {e["taken_by"] for e in evidence} == {"张巡查"} and not any(e["public"] for e in evidence)
    inside = {e["path"]: e["inside_site"] for e in evidence}
    assert sum(inside.values()) == 2  # the two photos taken at S010's centre
    inspections = [e for e in record["events"] if e["details"].get("field_package") == report["package_id"]]
    assert sorted(e["details"]["site_id"] for e in inspections) == ["S010", "S011"]
    assert all(len(e["details"]["photo_sha256"]) == len(e["details"]["photos"]) for e in inspections)
    stored = store.read("attachments", case_id=CASE)
    assert sorted(hashlib.sha256(bytes(b)).hexdigest() for b in stored["data"].tail(3)) == \
        sorted(e["sha256"] for e in evidence)

    code, out, _ = cli("--data", data, "field", "conflicts", "--json")
    queue = _json(out)
    assert [(q["record_id"], q["field"], q["status"]) for q in queue] == [("S010", "name", "open")]

    before = store_fingerprint(store)  # the same package again: nothing changes
    code, out, err = cli("--data", data, "--today", TODAY, "field", "import", pkg)
    assert code == 0, err
    assert "nothing changed" in out and store_fingerprint(store) == before

    code, out, err = cli("--data", data, "field", "resolve", queue[0]["conflict_id"], "--keep", "field")
    assert code == 0, err
    assert store.get("sites", "S010")["name"] == "盗伐林地（外业）"
    code, out, _ = cli("--data", data, "field", "conflicts")
    assert "没有待审冲突" in out
    code, out, err = cli("--data", data, "field", "resolve", queue[0]["conflict_id"], "--keep", "office")
    assert code == 2 and "resolved already" in err
