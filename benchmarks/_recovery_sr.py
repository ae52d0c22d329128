"""spectral-recovery's side of benchmarks/recovery.py, run in its own virtualenv (its pins stay out
of the project's): ``/work/venv-sr/bin/python benchmarks/_recovery_sr.py DATA_DIR N_SITES``.

Same data as ours: the annual Landsat C2 DN composites and their QA_PIXEL files; scale/offset and
the QA mask (cloud, shadow, snow) applied with xarray, indices by ``sr.compute_indices`` (spyndex),
then per site — as spectral-recovery works — the historic median target
(``targets.historic.median``) and ``compute_metrics`` (Y2R, R80P, RRI, YrYr, deltaIR), each of
which clips the stack to the polygon. Prints one JSON line of timings."""
from __future__ import annotations

import contextlib
import io
import json
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import rioxarray  # noqa: F401
import xarray as xr


def main(folder: str, n_sites: int) -> None:
    import spectral_recovery as sr
    from spectral_recovery.metrics import compute_metrics
    out = Path(folder)
    t0 = time.perf_counter()
    years = sorted(int(p.stem.split("_")[1][:4]) for p in out.glob("bap_*-07-01.tif"))
    paths = {y: str(out / f"bap_{y}-07-01.tif") for y in years}
    ts = sr.read_timeseries(paths, band_names={1: "blue", 2: "green", 3: "red", 4: "nir", 5: "swir16",
                                                6: "swir22"}, array_type="numpy")
    qa = xr.concat([rioxarray.open_rasterio(out / f"bap_{y}-07-01_qa_pixel.tif").squeeze("band", drop=True)
                    for y in years], dim="time").assign_coords(time=ts["time"])
    bad = (qa.astype("uint16") & np.uint16(0b111111)) != 0  # fill, dilated cloud, cirrus, cloud, shadow, snow
    ts = (ts.where(ts != 0) * 2.75e-5 - 0.2).where(~bad)
    with contextlib.redirect_stdout(io.StringIO()):  # compute_indices prints its whole output
        idx = sr.compute_indices(ts, indices=["NBR", "NDVI"]).compute()
    t_index = time.perf_counter() - t0
    sites = gpd.read_file(out / "sites.gpkg").to_crs(ts.rio.crs)
    sites = sites.iloc[:n_sites].copy()
    sites["dist_start"], sites["rest_start"] = 2006, 2008
    sites = sites[["dist_start", "rest_start", "geometry"]]
    t1 = time.perf_counter()
    targets = sr.targets.historic.median(sites, idx, reference_years={i: [2002, 2005] for i in sites.index},
                                         scale="polygon")
    metrics = compute_metrics(["Y2R", "R80P", "RRI", "YrYr", "deltaIR"], idx, sites, recovery_targets=targets,
                              timestep=5)
    sample = {str(k): {m: float(np.nanmedian(v.sel(band="NBR", metric=m).values)) for m in ("R80P", "deltaIR")}
              for k, v in list(metrics.items())[:3]}
    t_sites = time.perf_counter() - t1
    print(json.dumps({"index_seconds": t_index, "sites": len(sites), "sites_seconds": t_sites,
                      "per_site_seconds": t_sites / len(sites), "sample": sample}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
