"""Recovery metrics on real Landsat data: spectral-recovery's own BC 2006 wildfire composites
(tests/monitoring/data/bc06_wildfire, Apache-2.0, see its README), checked against the values
spectral-recovery 1.0.1 computed on them (expected.json, made by make_expected.py).

Tolerances (docs/monitoring.md, "Recovery metrics"): reading in float64, metrics agree to 1e-9
(absolute, relative for RRI whose denominator can be small); zonal means read in the default
float32 agree to 1e-6.
"""
from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest

from restoration.monitoring import (annual_composite, annual_series, index_cube, open_scenes, pixel_metrics,
                                    recovery_metrics, zonal_timeseries)
from restoration.monitoring.recovery import historic_target

DATA = Path(__file__).parent / "data" / "bc06_wildfire"
BANDS = "blue,green,red,nir,swir16,swir22"
EXPECTED = json.loads((DATA / "expected.json").read_text())
THEIR_NAMES = {"Y2R": "Y2R", "R80P": "R80P", "RRI": "RRI", "YrYr": "YrYr", "dIR": "deltaIR"}


def _theirs(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


@pytest.fixture(scope="module")
def site():
    frame = gpd.read_file(DATA / "restoration_site.gpkg")
    frame["site_id"] = "BC06"
    return frame


@pytest.mark.parametrize("index", ["NBR", "NDVI"])
def test_zonal_means_match_spectral_recovery(site, index):
    ds = open_scenes(DATA / "composites", bands=BANDS, sensor="file")
    table = zonal_timeseries(index_cube(ds, index), site, ("mean", "count"))
    assert table["time"].dt.year.tolist() == EXPECTED["years"]
    assert (table["count"] == EXPECTED["n_pixels"]).all()
    np.testing.assert_allclose(table["mean"], _theirs(EXPECTED["zonal_means"][index]), atol=1e-6, rtol=0)
    # the bands too (plain zonal means of each band)
    band = zonal_timeseries(ds["swir22"], site, ("mean",))
    np.testing.assert_allclose(band["mean"], _theirs(EXPECTED["zonal_means"]["swir22"]), atol=1e-6, rtol=0)


@pytest.mark.parametrize("index", ["NBR", "NDVI"])
def test_site_metrics_match_spectral_recovery(site, index):
    ds = open_scenes(DATA / "composites", bands=BANDS, sensor="file", dtype="float64")
    table = zonal_timeseries(index_cube(ds, index), site, ("mean",))
    ann = annual_series(table["time"], table["mean"])
    target = historic_target(ann["value"].to_numpy(), ann["year"].to_numpy(), tuple(EXPECTED["reference_years"]))
    exp = EXPECTED["site"][index]
    assert target == pytest.approx(exp["target"], abs=1e-9)
    m = recovery_metrics(ann["value"].to_numpy(), ann["year"].to_numpy(), disturbance_year=2006,
                         restoration_year=2007, target=target)
    for ours, theirs in THEIR_NAMES.items():
        if ours == "Y2R":
            # spectral-recovery writes -9999 for "not recovered"; we give NaN and recovered=False
            assert (exp["Y2R"] == -9999) == (not bool(m["recovered"]))
            continue
        assert float(m[ours]) == pytest.approx(exp[theirs], rel=1e-9, abs=1e-9), ours


@pytest.mark.parametrize("index", ["NBR", "NDVI"])
def test_pixel_metrics_match_spectral_recovery(site, index):
    ds = open_scenes(DATA / "composites", bands=BANDS, sensor="file", dtype="float64")
    comp = annual_composite(index_cube(ds, index)).rio.clip(site.geometry.values)
    exp = EXPECTED["pixel"][index]
    np.testing.assert_allclose(comp["x"], exp["x"])
    np.testing.assert_allclose(comp["y"], exp["y"])
    pm = pixel_metrics(comp, disturbance_year=2006, restoration_year=2007,
                       reference_years=tuple(EXPECTED["reference_years"]))
    assert float(np.nanmax(pm["target"])) == pytest.approx(exp["target"], abs=1e-9)
    for ours, theirs in THEIR_NAMES.items():
        mine = pm[ours].values.ravel()
        other = _theirs(exp[theirs]["values"])
        if ours == "Y2R":
            assert ((other == -9999) == (~pm["recovered"].values.ravel() & comp.notnull().any("time").values.ravel())).all()
            other = np.where(other == -9999, np.nan, other)
            assert np.isfinite(other).sum() > 0  # some pixels did recover
        assert (np.isnan(mine) == np.isnan(other)).all(), ours
        ok = np.isfinite(mine)
        scale = np.maximum(1.0, np.abs(other[ok])) if ours == "RRI" else 1.0
        assert np.max(np.abs(mine[ok] - other[ok]) / scale) < 1e-9, ours


def test_annual_composite_is_the_median_of_each_year():
    import pandas as pd
    import xarray as xr
    times = pd.to_datetime(["2020-03-01", "2020-06-01", "2020-09-01", "2021-06-01", "2021-07-01"])
    vals = np.array([0.1, 0.5, 0.3, np.nan, 0.7])[:, None, None] * np.ones((5, 2, 3))
    cube = xr.DataArray(vals, dims=("time", "y", "x"), coords={"time": times, "y": [1.5, 0.5], "x": [0.5, 1.5, 2.5]})
    comp = annual_composite(cube)
    assert comp["time"].dt.year.values.tolist() == [2020, 2021]
    assert np.allclose(comp.isel(y=0, x=0).values, [0.3, 0.7])
    summer = annual_composite(cube, months=(6, 7, 8))
    assert np.allclose(summer.isel(y=0, x=0).values, [0.5, 0.7])
    ann = annual_series(times, vals[:, 0, 0])
    assert ann.to_dict("list") == {"year": [2020, 2021], "value": [0.3, 0.7], "n": [3, 1]}


def test_metrics_by_hand_short_series_and_no_loss():
    years = [2000, 2001, 2002, 2003, 2004]
    x = np.array([0.8, 0.2, 0.4, 0.5, 0.7])
    m = recovery_metrics(x, years, disturbance_year=2000, restoration_year=2001, target=0.8)
    assert m["timestep_used"] == 3  # data end 3 years after the restoration start
    assert float(m["dIR"]) == pytest.approx(0.7 - 0.2) and float(m["YrYr"]) == pytest.approx(0.5 / 3)
    assert float(m["R80P"]) == pytest.approx(0.7 / 0.64)
    assert float(m["RRI"]) == pytest.approx((max(0.5, 0.7) - 0.2) / (0.8 - 0.2))
    assert float(m["Y2R"]) == 3 and bool(m["recovered"])  # 0.7 ≥ 0.64 in 2004
    flat = recovery_metrics(np.array([0.5, 0.5, 0.6, 0.6]), [2000, 2001, 2002, 2003], disturbance_year=2000,
                            restoration_year=2001, target=0.5)
    assert np.isnan(flat["RRI"])  # no loss: no relative recovery
    from restoration.errors import InputError
    with pytest.raises(InputError, match="Y2R needs every year from 2001 on; missing: 2002"):
        recovery_metrics(np.array([0.8, 0.2, 0.5, 0.6]), [2000, 2001, 2003, 2004], disturbance_year=2000,
                         restoration_year=2001, target=0.8, timestep=3)
