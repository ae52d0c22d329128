"""Polygon review steps: the import reports the shape checks (also with ``--check``, writing
nothing) and records the polygon as submitted with them; a reviewer marks it needs changes or
approved (a note required where the checks found something), who and when kept and audited; bad
input exits 2 with nothing written."""
from __future__ import annotations

import json

import shapely

from ..conftest import run_cli as run, store_fingerprint
from .test_registry import _projects

#: a 2 km needle on a square: a spike and a thin part
SPIKE = shapely.Polygon([(108.65, 23.60), (108.66, 23.60), (108.66, 23.61), (108.6551, 23.61),
                         (108.655, 23.63), (108.6549, 23.61), (108.65, 23.61)])


def test_import_reports_checks_and_reviewers_decide(store, capsys, tmp_path):
    data = str(store.data_dir)
    path = tmp_path / "bank.geojson"
    _projects([SPIKE], capacity=[100.0]).to_file(path)
    before = store_fingerprint(store)
    code, out, err = run(["--data", data, "bank", "import", path, "--check"], capsys)
    assert code == 0 and err == "" and "已检查 checked (nothing written)" in out
    assert "图斑检查 polygon check NP0: 尖刺：最尖顶角" in out and "/ spike: sharpest vertex" in out
    assert "含狭长部分：" in out and "平方米窄于 5 米" in out
    code, out, _ = run(["--data", data, "import", "bank", path, "--check"], capsys)  # the general import door
    assert code == 0 and "图斑检查 polygon check NP0: 尖刺" in out
    assert store_fingerprint(store) == before

    code, out, _ = run(["--data", data, "bank", "import", path], capsys)
    assert code == 0 and "尖刺" in out
    shown = json.loads(run(["--data", data, "bank", "show", "NP0", "--json"], capsys)[1])["polygon_review"]
    assert shown["review_status"] == "submitted"
    assert {f["check"] for f in shown["findings"]} == {"spike", "thin_parts"}

    before = store_fingerprint(store)
    for argv, expect in (
            (["NP0", "approved"], "需填写审核意见说明理由（检查发现 2 项）"),
            (["NP0", "needs_changes"], "需填写审核意见"),
            (["NP0", "needs_changes", "--note", "x" * 2001], "--note 超过 2000 个字符"),
            (["NP0", "rejected"], "rejected"),
            (["NP404", "approved", "--note", "ok"], "NP404")):
        code, out, err = run(["--data", data, "bank", "review", *argv], capsys)
        assert code == 2 and expect in out + err, (argv, out, err)
    assert store_fingerprint(store) == before

    code, out, _ = run(["--data", data, "--actor", "审核员甲", "bank", "review", "NP0", "needs_changes",
                        "--note", "<script>alert(1)</script> 去掉北侧尖刺，按实测面积申报容量"], capsys)
    assert code == 0 and "需修改 needs changes (审核员甲," in out and "去掉北侧尖刺" in out
    code, out, _ = run(["--data", data, "--actor", "审核员乙", "bank", "review", "NP0", "approved",
                        "--note", "尖刺为河道走向所致，容量按二期扩界核定"], capsys)
    assert code == 0
    code, out, _ = run(["--data", data, "bank", "show", "NP0"], capsys)
    assert code == 0 and "图斑审核 polygon review: 已通过 approved (审核员乙, 20" in out
    assert "None" not in out and "nan" not in out
    steps = store.read("bank_polygon_reviews", project_id="NP0").sort_values("at", kind="stable")
    assert steps["status"].tolist() == ["submitted", "needs_changes", "approved"]
    assert steps["actor"].tolist()[1:] == ["审核员甲", "审核员乙"]
    assert all(len(f) == 2 for f in steps["findings"])  # each decision keeps the findings it judged
    audit = store.read("audit_log", layer="bank_polygon_reviews")
    assert audit["action"].tolist() == ["polygon review submitted", "polygon review needs_changes",
                                        "polygon review approved"]
    assert audit["actor"].tolist()[1:] == ["审核员甲", "审核员乙"]


def test_a_clean_polygon_is_approved_without_a_note(gpkg_store, capsys, tmp_path):
    data = str(gpkg_store.data_dir)
    path = tmp_path / "bank.geojson"
    _projects([shapely.box(108.60, 23.60, 108.61, 23.61)], capacity=[100.0]).to_file(path)
    code, out, _ = run(["--data", data, "bank", "import", path], capsys)
    assert code == 0 and "图斑检查" not in out
    code, out, _ = run(["--data", data, "bank", "review", "NP0", "approved"], capsys)
    assert code == 0 and "已通过 approved" in out
