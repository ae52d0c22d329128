"""Compute spectral-recovery's own results on its own example data, once, into expected.json.

Run it with spectral-recovery installed in a separate virtualenv (its pins must not touch the
project's environment)::

    python3 -m venv /work/venv-sr
    /work/venv-sr/bin/pip install spectral-recovery==1.0.1 pyarrow
    /work/venv-sr/bin/python tests/monitoring/data/bc06_wildfire/make_expected.py

What it records (all with spectral-recovery 1.0.1's public API, nothing re-implemented):

* ``zonal_means``: per year, the mean over the restoration polygon of each band and of the NBR
  and NDVI computed by ``sr.compute_indices`` (spyndex formulas) — the polygon clip is
  ``DataArray.rio.clip`` as spectral-recovery does it (pixel centres inside, GDAL's rule).
* ``pixel``: ``sr.compute_metrics`` (Y2R, R80P, RRI, YrYr, deltaIR) per pixel of the polygon
  with the historic median target at polygon scale (``sr.targets.historic.median(...,
  scale="polygon")``) for NBR and NDVI, with the pixel centres (x, y) to align grids.
* ``site``: the same metric functions applied to the polygon's mean series (one "pixel" holding
  the zonal mean of each year) with the historic median of that series as target: the
  polygon-scale metrics (Frazier et al. 2018 work on a site's mean trajectory).

Parameters: disturbance 2006 (the wildfire), restoration start 2007, reference years
2003–2005 (the pre-fire years of spectral-recovery's worked example), timestep 5, 80 % of target.
Band order of the composites (they carry no band descriptions): blue, green, red, nir, swir1,
swir2 — the order spectral-recovery's documentation uses for these BAP composites.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

import spectral_recovery as sr
from spectral_recovery.metrics import compute_metrics

HERE = Path(__file__).parent
BANDS = {1: "blue", 2: "green", 3: "red", 4: "nir", 5: "swir16", 6: "swir22"}
SR_NAMES = {1: "blue", 2: "green", 3: "red", 4: "nir", 5: "swir16", 6: "swir22"}
DIST, REST, REF = 2006, 2007, (2003, 2005)
METRICS = ["Y2R", "R80P", "RRI", "YrYr", "deltaIR"]
INDICES = ["NBR", "NDVI"]


def _clean(a) -> list:
    return [None if (v is None or not np.isfinite(v)) else float(v) for v in np.asarray(a, float).ravel()]


def main() -> None:
    paths = {year: str(HERE / "composites" / f"{year}.tif") for year in range(2002, 2024)}
    ts = sr.read_timeseries(paths, band_names=SR_NAMES, array_type="numpy")
    idx = sr.compute_indices(ts, indices=INDICES)
    sites = sr.read_restoration_sites(str(HERE / "restoration_site.gpkg"), dist_rest_years={0: [DIST, REST]})
    out = {"spectral_recovery_version": "1.0.1", "python": sys.version.split()[0],
           "disturbance_year": DIST, "restoration_year": REST, "reference_years": list(REF),
           "timestep": 5, "percent_of_target": 80, "bands": BANDS,
           "years": list(range(2002, 2024)), "zonal_means": {}, "pixel": {}, "site": {}}
    clipped_bands = ts.rio.clip(sites.geometry.values)
    for b, name in zip(ts["band"].values, BANDS.values()):
        out["zonal_means"][name] = _clean(clipped_bands.sel(band=b).mean(dim=["y", "x"]).values)
    clipped = idx.rio.clip(sites.geometry.values)
    for name in INDICES:
        out["zonal_means"][name] = _clean(clipped.sel(band=name).mean(dim=["y", "x"]).values)
    out["n_pixels"] = int(clipped.sel(band="NBR").isel(time=0).notnull().sum())

    targets = sr.targets.historic.median(sites, idx, reference_years={0: list(REF)}, scale="polygon")
    pixel = compute_metrics(METRICS, idx, sites, recovery_targets=targets, timestep=5, percent_of_target=80)[0]
    for name in INDICES:
        m = pixel.sel(band=name)
        out["pixel"][name] = {"target": float(targets[0].sel(band=name)),
                              "x": _clean(m["x"].values), "y": _clean(m["y"].values),
                              **{metric: {"values": _clean(m.sel(metric=metric).values),
                                          "shape": list(m.sel(metric=metric).shape)} for metric in METRICS}}

    # polygon scale: the zonal-mean series as a one-pixel stack
    mean_series = clipped.mean(dim=["y", "x"])
    one = mean_series.expand_dims(y=[float(clipped.y.mean())], x=[float(clipped.x.mean())]).transpose(
        "band", "time", "y", "x").rio.write_crs(idx.rio.crs)
    ref = one.sel(time=slice(str(REF[0]), str(REF[1]))).median(dim="time").median(dim=["y", "x"])
    point = sites.copy()
    point["geometry"] = point.geometry.centroid.buffer(1e6)  # covers the single pixel
    site = compute_metrics(METRICS, one, point, recovery_targets={0: ref}, timestep=5, percent_of_target=80)[0]
    for name in INDICES:
        out["site"][name] = {"target": float(ref.sel(band=name)),
                             **{metric: _clean(site.sel(band=name, metric=metric).values)[0] for metric in METRICS}}
    (HERE / "expected.json").write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps({k: out[k] for k in ("site", "n_pixels")}, indent=1))


if __name__ == "__main__":
    main()
