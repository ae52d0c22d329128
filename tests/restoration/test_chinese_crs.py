"""GCJ-02 / BD-09: the forward algorithm matches published vectors, the inverse is accurate to far
better than 0.5 m everywhere in China, and imports / exports use them."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyogrio
import pytest
from pyproj import Geod

from restoration import chinese_crs as cc

from ..conftest import run_cli

GEOD = Geod(ellps="WGS84")

#: (WGS 84 lat, lon, GCJ-02 lat, lon) — the test vectors of eviltransform's test suite
#: (googollee/eviltransform, test.py): Shanghai, Shenzhen, Beijing
VECTORS = [(31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
           (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
           (39.911954, 116.377817, 39.91334545536069, 116.38404722455657)]


def _metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2])


@pytest.mark.parametrize("wlat, wlon, glat, glon", VECTORS)
def test_forward_matches_published_vectors(wlat, wlon, glat, glon):
    lon, lat = cc.wgs84_to_gcj02(wlon, wlat)
    assert _metres(lon, lat, glon, glat) < 0.01
    # and the offset is the several hundred metres that misplace a boundary
    assert 100 < _metres(wlon, wlat, glon, glat) < 1000


def test_inverse_is_accurate_to_half_a_metre_everywhere_in_china():
    lon, lat = np.meshgrid(np.linspace(73.7, 134.7, 123), np.linspace(18.2, 53.5, 71))
    lon, lat = lon.ravel(), lat.ravel()
    for crs in ("GCJ-02", "BD-09"):
        there = cc.from_wgs84(lon, lat, crs)
        back_lon, back_lat = cc.to_wgs84(*there, crs)
        err = _metres(lon, lat, back_lon, back_lat)
        assert err.max() < 0.5, (crs, err.max())
        assert err.max() < 1e-3  # in fact sub-millimetre
        assert np.median(_metres(lon, lat, *there)) > 100  # the shift is real


def test_outside_china_is_unchanged_and_names_are_recognised():
    lon, lat = cc.wgs84_to_gcj02([2.35, 139.7], [48.85, 35.7])  # Paris, Tokyo
    assert np.allclose(lon, [2.35, 139.7]) and np.allclose(lat, [48.85, 35.7])
    for name in ("GCJ-02", "gcj02", "GCJ_02", "火星坐标", "高德"):
        assert cc.chinese_crs(name) == "GCJ-02"
    for name in ("BD-09", "bd09", "BD09LL", "百度坐标"):
        assert cc.chinese_crs(name) == "BD-09"
    assert cc.chinese_crs("EPSG:4326") is None


def test_csv_points_in_gcj02_are_imported_in_wgs84_and_exported_back(store, tmp_path, capsys):
    data = str(store.data_dir)
    wlon, wlat = 108.30, 23.20
    glon, glat = cc.wgs84_to_gcj02(wlon, wlat)
    pd.DataFrame({"场地编号": ["P-GCJ"], "场地类型": ["监测样地"], "生态系统类型": ["森林"], "名称": ["样地"],
                  "经度": [float(glon)], "纬度": [float(glat)], "备注": ["高德地图拾取"]}).to_csv(tmp_path / "plots.csv",
                                                                                         index=False)
    code, out, err = run_cli(["--data", data, "import", "sites", tmp_path / "plots.csv", "--crs", "GCJ-02"], capsys)
    assert code == 0, err
    assert "converted 1 geometries from GCJ-02" in out
    assert "场地编号 → site_id" in out and "备注" in out  # what was mapped and kept is said
    site = store.get("sites", "P-GCJ")
    assert _metres(site["geometry"].x, site["geometry"].y, wlon, wlat) < 0.5
    assert site["attributes"] == {"备注": "高德地图拾取"}
    code, out, _ = run_cli(["--data", data, "export", "sites", "--out", tmp_path / "s.geojson", "--crs", "GCJ-02"],
                           capsys)
    assert code == 0 and "GCJ-02" in out
    back = pyogrio.read_dataframe(tmp_path / "s.geojson").set_index("site_id")
    pt = back.loc["P-GCJ"].geometry
    assert _metres(pt.x, pt.y, float(glon), float(glat)) < 0.5
    assert back.loc["P-GCJ", "备注"] == "高德地图拾取"  # the kept column is a column again
