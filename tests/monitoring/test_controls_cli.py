"""`restoration monitor breaks` then `monitor controls` on a synthetic region written as yearly
GeoTIFFs in the sample region: the break stored, the comparison stored with the case, bad input
exit 2 with nothing stored."""
from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely
from affine import Affine
from pyproj import Transformer

from restoration.cli import main
from restoration.importer import import_file

from .test_controls import RES, X0, Y0, region


@pytest.fixture
def scene_store(store, tmp_path):
    x, y = Transformer.from_crs(4326, 32649, always_xy=True).transform(108.3, 23.5)
    dx, dy = x - X0, y - Y0
    da, site, other = region(remaining_loss=0.15)
    da = da.assign_coords(x=da["x"] + dx, y=da["y"] + dy).rio.write_transform(Affine(RES, 0, X0 + dx, 0, -RES, Y0 + dy))
    folder = tmp_path / "ndvi"
    folder.mkdir()
    for i, t in enumerate(da["time"].values):
        da.isel(time=i).astype("float32").rio.to_raster(folder / f"ndvi_{str(t)[:4]}0701.tif")
    move = lambda g: shapely.affinity.translate(g, dx, dy)  # noqa: E731
    sites = gpd.GeoDataFrame({"site_id": ["SYN1", "SYN2"], "case_id": ["GX-2022-010", "GX-2022-010"],
                              "role": ["in_situ_restoration", "damaged"], "ecosystem_type": ["forest", "forest"],
                              "name": ["合成修复场地", "合成受损场地"]},
                             geometry=[move(site), move(other)], crs=32649)
    sites.to_file(tmp_path / "syn.gpkg")
    import_file(store, "sites", tmp_path / "syn.gpkg")
    return store, folder


def _run(store, capsys, *args):
    with pytest.raises(SystemExit) as exit_:
        main(["--data", str(store.data_dir), "monitor", *args])
    out = capsys.readouterr()
    return exit_.value.code, out.out, out.err


def test_breaks_then_controls_stored_with_the_case(scene_store, capsys):
    store, folder = scene_store
    pattern = r"ndvi_(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})"
    code, out, err = _run(store, capsys, "breaks", str(folder), "--date-pattern", pattern, "--case", "GX-2022-010",
                          "--json")
    assert code == 0, err
    got = {s["site_id"]: s for s in json.loads(out)["sites"]}
    assert set(got) == {"SYN1", "SYN2"} and abs(got["SYN1"]["break_year"] - 2012) <= 1
    code, out, err = _run(store, capsys, "controls", "SYN1", str(folder), "--date-pattern", pattern,
                          "--ring", "150-1500", "--n-controls", "150", "--json")
    assert code == 0, err
    c = json.loads(out)
    assert c["disturbance_year"] == got["SYN1"]["break_year"]  # taken from the stored break
    assert c["verdict"] == "behind_controls" and c["relative_interval"][1] < 1 and c["stored"] == "SYN1:raster"
    row = store.read("control_comparisons", case_id="GX-2022-010").iloc[0]
    assert row["verdict"] == "behind_controls" and row["result"]["n_controls"] == 150
    code, out, _ = _run(store, capsys, "controls", "SYN1", str(folder), "--date-pattern", pattern,
                        "--ring", "150-1500", "--n-controls", "150", "--disturbance-year", "2012", "--no-save")
    assert code == 0 and "落后于对照 behind its controls" in out and "未保存 nothing stored" in out


def test_controls_bad_input_exits_2(scene_store, capsys, tmp_path):
    store, folder = scene_store
    pattern = r"ndvi_(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})"
    before = store.version
    (tmp_path / "nocrs.tif").write_bytes(b"not a raster")
    for args, match in ((["SYN1", str(folder), "--date-pattern", pattern], "no stored break"),
                        (["NOPE", str(folder), "--date-pattern", pattern, "--disturbance-year", "2012"], "NOPE"),
                        (["SYN1", str(folder), "--date-pattern", pattern, "--disturbance-year", "2012",
                          "--ring", "far"], "distance band"),
                        (["SYN1", str(folder), "--date-pattern", pattern, "--disturbance-year", "2012",
                          "--ring", "0-60", "--n-controls", "500"], "candidate control pixels"),
                        (["SYN1", str(folder), "--date-pattern", pattern, "--disturbance-year", "2012",
                          "--landcover", str(tmp_path / "nocrs.tif")], "not a readable raster")):
        code, out, err = _run(store, capsys, "controls", *args)
        assert code == 2, (args, out, err)
        assert match in err, (args, err)
    assert store.version == before and store.read("control_comparisons").empty


def test_evaluate_json_carries_the_controls_verdict_beside_targets(scene_store, capsys, tmp_path):
    store, folder = scene_store
    pattern = r"ndvi_(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})"
    (tmp_path / "t.csv").write_text("site_id,indicator,unit,direction,baseline,target\nSYN1,ndvi,unitless,increase,0.3,0.7\n",
                                    encoding="utf-8")
    from restoration.monitoring.targets import import_targets
    import_targets(store, tmp_path / "t.csv")
    code, out, err = _run(store, capsys, "evaluate", "GX-2022-010", "--no-save", "--json")
    assert code == 0, err
    assert json.loads(out)["controls"] == []  # nothing compared yet
    code, _, err = _run(store, capsys, "controls", "SYN1", str(folder), "--date-pattern", pattern, "--disturbance-year",
                        "2012", "--ring", "150-1500", "--n-controls", "150")
    assert code == 0, err
    code, out, err = _run(store, capsys, "evaluate", "GX-2022-010", "--no-save", "--json")
    assert code == 0, err
    got = json.loads(out)
    assert "verdict" in got  # the evaluation itself is unchanged beside the new key
    (c,) = got["controls"]
    assert c["site_id"] == "SYN1" and c["verdict"] == "behind_controls" and c["verdict_zh"] == "落后于对照"
    assert c["relative_interval"][1] < 1 and c["n_controls"] == 150 and c["disturbance_year"] == 2012
    assert c["targets"] == [{"indicator": "ndvi", "baseline": 0.3, "target": 0.7, "unit": "1", "target_date": None}]
    code, out, _ = _run(store, capsys, "evaluate", "GX-2022-010", "--no-save")
    assert code == 0 and "对照比较 controls SYN1" in out and "落后于对照" in out
