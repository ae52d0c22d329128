"""The three stores every command and page is tried on (issue 10): the sample, an empty store,
and a store of imported data with no history — what a new agency has on its first day.

``imported_store_dir`` builds the third one the way a user would, through the CLI: ``init
--empty``, then the county and watershed boundaries, 10 cases from a CSV and 50 sites inside
their cases' counties; no events, no bank projects, no monitoring.
"""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from restoration import config

N_CASES = 10
N_SITES = 50


def imported_inputs(folder: Path) -> dict[str, Path]:
    """Write the input files (counties, watersheds, cases CSV, sites GeoJSON) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    sample = config.sample_dir()
    counties = gpd.read_file(sample / "counties.geojson")
    cases = pd.read_csv(sample / "cases.csv").head(N_CASES)
    cases["notes"] = None  # an agency's import carries no staff notes
    cases.to_csv(folder / "cases.csv", index=False, encoding="utf-8")
    rng = np.random.default_rng(10)
    rows, geoms = [], []
    roles = ["damaged", "in_situ_restoration", "reference", "alternative_restoration", "damaged"]
    for i in range(N_SITES):
        case = cases.iloc[i % N_CASES]
        county = counties.loc[counties["name"] == case["region"], "geometry"]
        area = county.iloc[0] if len(county) else counties.geometry.iloc[0]
        minx, miny, maxx, maxy = area.bounds
        while True:  # a small square inside the case's county
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            square = shapely.box(x, y, x + 0.004, y + 0.004)
            if area.contains(square):
                break
        rows.append({"site_id": f"IM{i + 1:03d}", "case_id": case["case_id"], "role": roles[i // N_CASES],
                     "ecosystem_type": "forest", "name": f"导入场地 {i + 1}"})
        geoms.append(square)
    gpd.GeoDataFrame(rows, geometry=geoms, crs=4326).to_file(folder / "sites.geojson", driver="GeoJSON")
    return {"counties": sample / "counties.geojson", "watersheds": sample / "watersheds.geojson",
            "cases": folder / "cases.csv", "sites": folder / "sites.geojson"}


def imported_store_dir(data: Path, inputs: Path) -> Path:
    """Build the imported-no-history store in ``data`` through the CLI; returns ``data``."""
    from click.testing import CliRunner

    from restoration.cli import cli
    runner = CliRunner()
    files = imported_inputs(inputs)
    steps = [["init", "--empty"]] + [["import", layer, str(files[layer])]
                                     for layer in ("counties", "watersheds", "cases", "sites")]
    for step in steps:
        result = runner.invoke(cli, ["--data", str(data), *step], catch_exceptions=False)
        assert result.exit_code == 0, (step, result.output)
    return data
