"""A restoration site against matched controls on a synthetic region where everything greens and
a drought year hits everyone: controls outside every registered site and inside the ring, balance
on the pre-disturbance trajectory, the verdict and the interval holding the injected truth."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import rioxarray  # noqa: F401
import shapely
import xarray as xr
from affine import Affine

from restoration.errors import InputError
from restoration.monitoring.controls import compare_with_controls

RES, X0, Y0 = 30.0, 500000.0, 2600000.0
YEARS = np.arange(2005, 2025)


def _box(r0, c0, r1, c1):
    return shapely.box(X0 + c0 * RES, Y0 - r1 * RES, X0 + c1 * RES, Y0 - r0 * RES)


def region(remaining_loss: float, seed: int = 0, n=120):
    """Index composites: a smooth level, greening +0.004/yr and a 2015 drought everywhere; the site
    (centre) lost 0.3 in 2012 and keeps ``remaining_loss`` in the last years; a second registered
    site (east) burnt too."""
    rng = np.random.default_rng(seed)
    rr, cc = np.mgrid[0:n, 0:n]
    level = 0.45 + 0.25 * (rr / n) + 0.05 * np.sin(cc / 9.0)
    t = (YEARS - YEARS[0])[:, None, None]
    vals = level[None] + 0.004 * t + rng.normal(0, 0.02, (YEARS.size, n, n))
    vals[YEARS == 2015] -= 0.05
    site, other = _box(55, 55, 65, 65), _box(55, 90, 70, 105)
    in_site = np.zeros((n, n), bool)
    in_site[55:65, 55:65] = True
    in_other = np.zeros((n, n), bool)
    in_other[55:70, 90:105] = True
    k = YEARS >= 2012
    loss = np.where(k, 0.3 - (0.3 - remaining_loss) * np.clip((YEARS - 2012) / 9, 0, 1), 0.0)[:, None, None]
    vals = vals - loss * in_site[None] - 0.3 * (in_other[None] & k[:, None, None])
    da = xr.DataArray(vals, dims=("time", "y", "x"),
                      coords={"time": pd.to_datetime([f"{y}-01-01" for y in YEARS]),
                              "y": Y0 - (np.arange(n) + 0.5) * RES, "x": X0 + (np.arange(n) + 0.5) * RES})
    da = da.rio.write_crs("EPSG:32649").rio.write_transform(Affine(RES, 0, X0, 0, -RES, Y0))
    return da, site, other


def test_a_fully_recovered_site_is_as_its_controls_and_controls_avoid_registered_sites():
    da, site, other = region(remaining_loss=0.0)
    c = compare_with_controls(da, site, [other], site_id="S1", indicator="ndvi", disturbance_year=2012,
                              ring=(150, 1500), n_controls=150, post_years=3)
    assert c.verdict == "as_controls" and c.relative_interval[0] <= 1 <= c.relative_interval[1]
    assert c.control_change == pytest.approx(0.004 * ((2022 + 2023 + 2024) / 3 - 2008), abs=0.01)
    assert abs(c.effect) < 0.02 and c.effect_interval[0] <= 0 <= c.effect_interval[1]
    assert all(abs(v) < 0.25 for v in c.balance_smd.values())  # balanced on the pre-disturbance trajectory
    assert c.n_controls == 150 and c.n_candidates > 150 and c.pre_years == list(range(2005, 2012))
    assert "no DEM given" in " ".join(c.notes)
    rc = np.array(c.control_pixels)
    assert not ((rc[:, 0] >= 55) & (rc[:, 0] < 70) & (rc[:, 1] >= 90) & (rc[:, 1] < 105)).any()  # not the other site
    centre_dist = np.maximum(np.abs(rc[:, 0] - 59.5) - 5, np.abs(rc[:, 1] - 59.5) - 5) * RES
    assert centre_dist.min() >= 150 - RES and np.hypot(*(rc - 59.5).T).max() * RES <= 1500 + 8 * RES
    first = c.series[0]
    assert first["control_lo"] <= first["control"] <= first["control_hi"]


def test_a_half_recovered_site_is_behind_its_controls_by_what_it_still_lacks():
    da, site, other = region(remaining_loss=0.15)
    c = compare_with_controls(da, site, [other], site_id="S1", indicator="ndvi", disturbance_year=2012,
                              ring=(150, 1500), n_controls=150, post_years=3)
    assert c.verdict == "behind_controls" and c.relative_interval[1] < 1
    truth = -0.15  # the loss still there in 2022–2024 (recovery stopped half-way)
    assert c.effect == pytest.approx(truth, abs=0.02)
    assert c.effect_interval[0] <= truth + 0.01 and truth - 0.01 <= c.effect_interval[1]


def test_controls_share_the_land_cover_and_terrain_is_matched():
    da, site, other = region(remaining_loss=0.0)
    n = da.sizes["y"]
    lc = np.ones((n, n), int)
    lc[:, :50] = 2  # a different class west of the site
    landcover = xr.DataArray(lc, dims=("y", "x"), coords={"y": da["y"], "x": da["x"]})
    dem = landcover.copy(data=np.tile(np.arange(n, dtype=float), (n, 1)) * 3.0)
    c = compare_with_controls(da, site, [other], site_id="S1", indicator="ndvi", disturbance_year=2012,
                              ring=(150, 2400), n_controls=100, landcover=landcover, dem=dem)
    assert c.covariates == ["pre_level", "pre_trend", "elevation", "slope"] and not c.notes
    cols = np.array(c.control_pixels)[:, 1]
    assert cols.min() >= 50  # only the site's class: nothing west of column 50
    free = compare_with_controls(da, site, [other], site_id="S1", indicator="ndvi", disturbance_year=2012,
                                 ring=(150, 2400), n_controls=100)
    assert c.n_candidates < free.n_candidates


@pytest.mark.parametrize("kwargs, match", [
    ({"ring": (2000, 100)}, "inner distance"),
    ({"n_controls": 5}, "too few"),
    ({"disturbance_year": 2006}, "fewer than 2 years before"),
    ({"disturbance_year": 2024}, "no year after"),
    ({"ring": (0, 60), "n_controls": 500}, "candidate control pixels"),
])
def test_bad_requests_are_refused(kwargs, match):
    da, site, other = region(remaining_loss=0.0)
    args = {"site_id": "S1", "indicator": "ndvi", "disturbance_year": 2012, **kwargs}
    with pytest.raises(InputError, match=match):
        compare_with_controls(da, site, [other], **args)


def test_a_site_outside_the_composites_is_named():
    da, _, other = region(remaining_loss=0.0)
    far = shapely.box(0, 0, 10, 10)
    with pytest.raises(InputError, match="S9 covers no pixel"):
        compare_with_controls(da, far, [other], site_id="S9", indicator="ndvi", disturbance_year=2012)
