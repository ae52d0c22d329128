"""`restoration monitor breaks` on the real BC 2006 wildfire composites: the raster, the site's
break stored with the case (re-run replaces, --no-save stores nothing), bad input exit 2."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import rasterio

from restoration.cli import main

from .test_scene_cli import bc_store  # noqa: F401 — the BC 2006 site added to the sample store

DATA = Path(__file__).parent / "data" / "bc06_wildfire"
BANDS = "blue,green,red,nir,swir16,swir22"


def _run(store, capsys, *args) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(["--data", str(store.data_dir), "monitor", "breaks", *args])
    out = capsys.readouterr()
    return exit_.value.code, out.out, out.err


def test_breaks_raster_and_site_stored_with_the_case(bc_store, capsys, tmp_path):
    tif = tmp_path / "breaks.tif"
    code, out, err = _run(bc_store, capsys, str(DATA / "composites"), "--bands", BANDS, "--index", "NBR",
                          "--sensor", "file", "--out", str(tif), "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["years"][0] == 2002 and result["years"][-1] == 2023
    (bc,) = [s for s in result["sites"] if s["site_id"] == "BC06"]  # the sample's sites lie outside the scenes
    assert len(result["sites"]) == 1 and result["stored"] == 1
    assert abs(bc["break_year"] - 2006) <= 1 and bc["magnitude"] > 0.3 and bc["case_id"] == "GX-2022-010"
    assert 0.5 < bc["disturbed_share"] <= 1 and len(bc["series"]) == 22
    with rasterio.open(tif) as src:
        assert src.count == 4 and src.crs.to_epsg() == 26910 and "break_year" in src.descriptions[0]
        year = src.read(1)
    assert set(np.unique(year)) <= {0.0, *map(float, range(2002, 2024))} and (year == 2006).sum() > 100
    stored = bc_store.read("site_breaks", case_id="GX-2022-010")
    assert len(stored) == 1 and stored.iloc[0]["break_year"] == bc["break_year"]
    assert stored.iloc[0]["parameters"]["alpha"] == 0.05
    # a re-run replaces the site's row; text output in Chinese and English
    code, out, _ = _run(bc_store, capsys, str(DATA / "composites"), "--bands", BANDS, "--index", "NBR",
                        "--sensor", "file", "--case", "GX-2022-010")
    assert code == 0 and "BC06: 扰动年份 break 200" in out and "已保存 stored 1" in out
    assert len(bc_store.read("site_breaks")) == 1
    version = bc_store.version
    code, out, _ = _run(bc_store, capsys, str(DATA / "composites"), "--bands", BANDS, "--index", "NDVI",
                        "--sensor", "file", "--no-save")
    assert code == 0 and "未保存 nothing stored" in out and bc_store.version == version


def test_bad_input_exits_2_and_stores_nothing(bc_store, capsys, tmp_path):
    five = tmp_path / "five"
    five.mkdir()
    for y in range(2002, 2007):
        (five / f"{y}.tif").write_bytes((DATA / "composites" / f"{y}.tif").read_bytes())
    before = bc_store.version
    for args, match in (([str(five), "--bands", BANDS, "--sensor", "file"], "needs at least 6"),
                        ([str(DATA / "composites"), "--bands", BANDS, "--site", "NOPE"], "unknown site"),
                        ([str(DATA / "composites"), "--bands", "red,nir"], "band"),
                        ([str(DATA / "composites"), "--bands", BANDS, "--months", "13"], "months are 1..12"),
                        ([str(DATA / "composites"), "--bands", BANDS, "--case", "NO-SUCH"], "NO-SUCH")):
        code, out, err = _run(bc_store, capsys, *args)
        assert code == 2, (args, out, err)
        assert match in err, (args, err)
    assert bc_store.version == before and bc_store.read("site_breaks").empty
