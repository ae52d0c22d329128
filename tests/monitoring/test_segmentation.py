"""Disturbance dating per pixel (restoration.monitoring.segmentation) on synthetic stacks with
injected breaks (noise, per-year offsets, clouds) and on the real BC 2006 wildfire composites."""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest

from restoration.errors import InputError
from restoration.monitoring import annual_series, index_cube, open_scenes, zonal_timeseries
from restoration.monitoring.segmentation import Parameters, critical_f, despike, segment
from restoration.sample.disturbance import injected_stack

DATA = Path(__file__).parent / "data" / "bc06_wildfire"


def test_injected_breaks_are_dated_within_a_year_and_stable_pixels_rarely_break():
    s = injected_stack(20000, seed=7)
    r = segment(s.values, s.years)
    b = r["break_year"]
    dated = np.abs(b[s.disturbed] - s.break_year[s.disturbed]) <= 1  # NaN (missed) counts as not dated
    assert dated.mean() >= 0.90
    assert np.isfinite(b[~s.disturbed]).mean() <= 0.05
    hit = s.disturbed & np.isfinite(b)
    # the magnitude is the injected loss, within the noise of a fitted jump
    assert np.median(np.abs(r["magnitude"][hit] - s.magnitude[hit])) < 0.03
    assert np.all(r["n_years"] <= s.years.size) and np.all(r["uncertainty_years"][hit] >= 0)


def test_false_break_rate_on_pure_noise_is_alpha():
    rng = np.random.default_rng(3)
    years = np.arange(2001, 2021)
    y = 0.6 + rng.normal(0, 0.04, (20000, years.size))
    for alpha in (0.05, 0.2):
        rate = np.isfinite(segment(y, years, Parameters(alpha=alpha))["break_year"]).mean()
        assert abs(rate - alpha) < 0.25 * alpha, (alpha, rate)


def test_one_year_dips_and_fast_recoveries_are_not_disturbances():
    years = np.arange(2000, 2020)
    flat = np.full(years.size, 0.7) + np.tile([0.004, -0.004], 10)
    dip = flat.copy()
    dip[8] = 0.2  # one cloudy/odd year
    quick = flat.copy()
    quick[8:11] = [0.3, 0.55, 0.7]  # gone in two years: faster than 1 / recovery_threshold
    fire = flat.copy()
    fire[8:] = np.linspace(0.3, 0.5, years.size - 8)
    r = segment(np.stack([dip, quick, fire]), years)
    assert np.isnan(r["break_year"][0]) and np.isnan(r["break_year"][1])
    assert r["break_year"][2] == 2008 and r["magnitude"][2] == pytest.approx(0.4, abs=0.02)
    assert r["recovery_slope"][2] == pytest.approx(0.2 / 11, rel=0.05)
    assert r["pre_level"][2] == pytest.approx(0.7, abs=0.01)
    assert despike(dip)[8] == pytest.approx(0.7, abs=0.01) and despike(dip, 1.0)[8] == 0.2


def test_gain_direction_and_minimum_magnitude():
    years = np.arange(2000, 2016)
    up = np.where(years >= 2007, 0.6, 0.2) + np.tile([0.005, -0.005], 8)
    assert np.isnan(segment(up, years)["break_year"])
    assert segment(up, years, Parameters(direction="gain"))["break_year"] == 2007
    down = 1 - up
    assert segment(down, years)["break_year"] == 2007
    assert np.isnan(segment(down, years, Parameters(min_magnitude=0.5))["break_year"])


def test_missing_years_and_short_series():
    years = np.arange(2000, 2012)
    y = np.where(years >= 2006, 0.3, 0.7) + np.tile([0.005, -0.005], 6)
    few = y.copy()
    few[[0, 1, 2, 3, 7, 8, 9]] = np.nan  # 5 valid years < min_years
    r = segment(np.stack([y, few]), years)
    assert r["break_year"][0] == 2006 and np.isnan(r["break_year"][1]) and r["n_years"][1] == 5
    assert critical_f(5, 3, 0.05) == float("inf") and critical_f(12, 3, 0.05) > critical_f(40, 3, 0.05) > 3


@pytest.mark.parametrize("years, params, match", [
    (list(range(2000, 2005)), None, "needs at least 6"),
    ([2000, 2001, 2003, 2002, 2004, 2005, 2006], None, "years must increase"),
    (list(range(2000, 2010)), Parameters(alpha=0.7), "alpha"),
    (list(range(2000, 2010)), Parameters(min_years=4), "min_years"),
    (list(range(2000, 2010)), Parameters(direction="up"), "direction"),
])
def test_bad_input_is_refused(years, params, match):
    years = np.asarray(years)
    with pytest.raises(InputError, match=match):
        segment(np.zeros((2, years.size)), years, params)
    with pytest.raises(InputError, match="values per series"):
        segment(np.zeros((2, 9)), np.arange(2000, 2010))


def test_the_real_2006_wildfire_is_found():
    ds = open_scenes(DATA / "composites", bands="blue,green,red,nir,swir16,swir22", sensor="file", dtype="float64")
    cube = index_cube(ds, "NBR").load()
    years = cube["time"].dt.year.values
    site = gpd.read_file(DATA / "restoration_site.gpkg")
    site["site_id"] = "BC06"
    table = zonal_timeseries(cube, site, ("mean",))
    ann = annual_series(table["time"], table["mean"])
    r = segment(ann["value"].to_numpy(), ann["year"].to_numpy())
    assert abs(r["break_year"] - 2006) <= 1 and r["magnitude"] > 0.3 and r["recovery_slope"] > 0
    px = segment(np.moveaxis(cube.values, 0, -1), years)["break_year"]
    found, counts = np.unique(px[np.isfinite(px)], return_counts=True)
    assert found[np.argmax(counts)] == 2006


def test_break_raster_runs_in_blocks_with_the_same_answer():
    import pandas as pd
    import xarray as xr

    from restoration.monitoring.breaks import break_raster
    inj = injected_stack(48 * 40, seed=5)
    values = inj.values.reshape(48, 40, -1).transpose(2, 0, 1)  # (time, y, x)
    times = pd.to_datetime([f"{y}-07-01" for y in inj.years])
    da = xr.DataArray(values, dims=("time", "y", "x"), coords={"time": times})
    small = break_raster(da, block=16)
    assert small["break_year"].data.chunks == ((16, 16, 16), (16, 16, 8))  # 16² blocks, not the whole region
    whole = break_raster(da, block=64)
    assert not hasattr(whole["break_year"].data, "chunks")  # one block: plain numpy
    got = small.compute()
    for k in ("break_year", "magnitude", "uncertainty_years"):
        np.testing.assert_array_equal(got[k].values, whole[k].values)
    assert np.isfinite(got["break_year"].values).mean() > 0.3
