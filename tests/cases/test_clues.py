"""The screening register of clues from imagery, as the user meets it on the command line:
`import protected_areas`, `monitor clues BREAKS.tif FILES` (patches inside sensitive areas become
candidates with their evidence), `case clue accept` (a case at screening, channel remote_sensing,
audited) and `case clue dismiss --reason`; bad input exits 2 with the store untouched."""
from __future__ import annotations

import json

import geopandas as gpd
import pytest

from restoration.cli import main
from restoration.model import MAX_NOTE_LEN

from ..monitoring.clue_scene import PATTERN, write_scene


def _run(store, capsys, *args):
    with pytest.raises(SystemExit) as exit_:
        main(["--data", str(store.data_dir), *args])
    out = capsys.readouterr()
    return exit_.value.code, out.out, out.err


@pytest.fixture
def scene(tmp_path):
    return write_scene(tmp_path / "scene")


def test_patch_in_protected_area_accepted_as_a_case(store, scene, capsys):
    code, out, err = _run(store, capsys, "import", "protected_areas", str(scene["protected"]))
    assert code == 0, err
    pa = store.read("protected_areas")
    assert list(pa["area_id"]) == ["PA-01"] and 150 < pa["area_ha"].iloc[0] < 190  # 40×50 px of 0.09 ha
    code, out, err = _run(store, capsys, "monitor", "clues", str(scene["breaks"]), str(scene["index"]),
                          "--date-pattern", PATTERN, "--json")
    assert code == 0, err
    got = json.loads(out)["candidates"]
    assert len(got) == 1  # B lies in no sensitive area, C is below 1 ha
    c = got[0]
    assert c["break_year"] == 2015 and c["status"] == "candidate" and c["stored"] and c["chips"]
    assert c["inside"] == [{"layer": "protected_areas", "id": "PA-01", "name": "十万大山生态保护红线<script>"}]
    assert abs(c["area_ha"] - 36.0) < 0.5 and abs(c["evidence"]["area_mu"] - 540) < 8
    assert c["evidence"]["before_year"] == 2014 and c["evidence"]["after_year"] == 2015
    assert c["county"] == "红河口县" and abs(c["index_drop"] - 0.35) < 1e-3
    row = store.get("clue_candidates", c["candidate_id"])
    assert bytes(row["chip_before"])[:8] == b"\x89PNG\r\n\x1a\n" and bytes(row["chip_after"])[:4] == b"\x89PNG"
    # found again: nothing new, the stored candidate kept
    code, out, _ = _run(store, capsys, "monitor", "clues", str(scene["breaks"]))
    assert code == 0 and "已登记 already in the register" in out and "未新增 nothing new stored" in out
    assert len(store.read("clue_candidates")) == 1
    cid = c["candidate_id"]
    code, out, err = _run(store, capsys, "case", "clue", "accept", cid, "--case-id", "GX-2026-901",
                          "--title", "十万大山红线内林地扰动", "--case-class", "ordinary",
                          "--agency", "红河口县生态环境局", "--actor", "admin", "--today", "2026-03-02")
    assert code == 0, err
    assert "GX-2026-901" in out and "remote_sensing" in out
    case = store.get("cases", "GX-2026-901")
    assert case["stage"] == "screening" and case["clue_source"] == "remote_sensing" and case["region"] == "红河口县"
    ev = store.read("case_events", case_id="GX-2026-901")
    assert list(ev["event_type"]) == ["clue_registered"]
    details = ev.iloc[0]["details"]
    assert details["channel"] == "remote_sensing" and details["candidate_id"] == cid
    done = store.get("clue_candidates", cid)
    assert done["status"] == "accepted" and done["case_id"] == "GX-2026-901" and done["decided_by"] == "admin"
    audit = store.read("audit_log")
    assert {"clue accepted as a case", f"case from clue {cid}"} <= set(audit["action"])
    # decided once: a second accept or a dismissal is a conflict (exit 4), nothing written
    before = store.version
    code, _, err = _run(store, capsys, "case", "clue", "dismiss", cid, "--reason", "云")
    assert code == 4 and "already accepted" in err and store.version == before


def test_dismiss_needs_a_reason_and_is_audited(gpkg_store, scene, capsys):
    store = gpkg_store
    _run(store, capsys, "import", "protected_areas", str(scene["protected"]))
    code, out, err = _run(store, capsys, "monitor", "clues", str(scene["breaks"]), "--json")
    assert code == 0, err
    c = json.loads(out)["candidates"][0]
    assert not c["chips"] and store.get("clue_candidates", c["candidate_id"])["chip_before"] is None
    for args, match in ((["--reason", "  "], "needs its reason"), (["--reason", "x" * (MAX_NOTE_LEN + 1)], "dismiss_reason")):
        code, _, err = _run(store, capsys, "case", "clue", "dismiss", c["candidate_id"], *args)
        assert code == 2 and match in err, err
    code, out, err = _run(store, capsys, "case", "clue", "dismiss", c["candidate_id"], "--reason",
                          "经核实为批准的林木采伐 approved harvest")
    assert code == 0, err
    row = store.get("clue_candidates", c["candidate_id"])
    assert row["status"] == "dismissed" and row["dismiss_reason"].startswith("经核实") and row["case_id"] is None
    assert "clue dismissed" in set(store.read("audit_log")["action"])
    code, out, _ = _run(store, capsys, "case", "clue", "list")
    assert code == 0 and "已排除" in out and "dismissed" not in out.split("理由")[0]
    assert store.read("cases", clue_source="remote_sensing").empty  # nothing became a case


def test_bad_input_exits_2_store_untouched(gpkg_store, scene, tmp_path, capsys):
    store = gpkg_store
    before = store.version
    nocrs = tmp_path / "nocrs"
    nocrs.mkdir()
    pa = gpd.read_file(scene["protected"])
    pa.to_file(nocrs / "pa.shp")
    (nocrs / "pa.prj").unlink()  # a Shapefile without its .prj: no CRS
    noname = tmp_path / "noname.geojson"
    pa.drop(columns=["name"]).to_file(noname, driver="GeoJSON")
    trunc = tmp_path / "trunc.geojson"
    trunc.write_text(scene["protected"].read_text()[:120])
    for args, match in ((["import", "protected_areas", str(nocrs / "pa.shp")], "coordinate reference system"),
                        (["import", "protected_areas", str(noname)], "name"),
                        (["import", "protected_areas", str(trunc)], "trunc.geojson"),
                        (["monitor", "clues", str(write_scene(tmp_path / "x", crs=None)["breaks"])],
                         "no coordinate reference system"),
                        (["monitor", "clues", str(tmp_path / "missing.tif")], "missing.tif"),
                        (["case", "clue", "accept", "RS2015-NOPE", "--case-id", "X", "--title", "t",
                          "--case-class", "ordinary", "--agency", "a"], "RS2015-NOPE")):
        code, out, err = _run(store, capsys, *args)
        assert code == 2, (args, out, err)
        assert match in err, (args, err)
    assert store.version == before and store.read("protected_areas").empty and store.read("clue_candidates").empty


def test_accept_refused_when_the_profile_lists_no_remote_sensing_channel(gpkg_store, scene, capsys):
    store = gpkg_store
    _run(store, capsys, "import", "protected_areas", str(scene["protected"]))
    _run(store, capsys, "monitor", "clues", str(scene["breaks"]))
    cid = store.read("clue_candidates")["candidate_id"].iloc[0]
    before = store.version
    code, _, err = _run(store, capsys, "case", "clue", "accept", cid, "--case-id", "NA-2026-1", "--title", "t",
                        "--case-class", "ordinary", "--agency", "a", "--profile", "national")
    assert code == 2, err
    assert store.version == before and store.get("clue_candidates", cid)["status"] == "candidate"
    assert store.read("cases", case_id="NA-2026-1").empty


def test_only_the_patchs_county_may_decide_and_sees_it(gpkg_store, scene, capsys):
    from restoration.access import Actor, PermissionDenied
    from restoration.cases.clues import accept_candidate, candidates, dismiss_candidate
    from restoration.scoped_store import scoped
    store = gpkg_store
    _run(store, capsys, "import", "protected_areas", str(scene["protected"]))
    _run(store, capsys, "monitor", "clues", str(scene["breaks"]))
    cid = store.read("clue_candidates")["candidate_id"].iloc[0]
    other = Actor("qinglan.sup", "supervisor", "C01")  # 青岚县, not the patch's 红河口县
    before = store.version
    with pytest.raises(PermissionDenied):
        dismiss_candidate(store, cid, "not ours", other)
    with pytest.raises(PermissionDenied):
        accept_candidate(store, cid, {"case_id": "GX-2026-950", "title": "t", "region": "红河口县",
                                      "case_class": "simple", "claimant_agency": "a"}, other)
    assert store.version == before
    assert candidates(scoped(store, other)).empty
    own = Actor("honghe.sup", "supervisor", "C07")
    assert list(candidates(scoped(store, own))["candidate_id"]) == [cid]
    assert dismiss_candidate(store, cid, "已核实：经批准的采伐", own)["status"] == "dismissed"
