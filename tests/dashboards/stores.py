"""The three stores every page is tried on, built as a user builds them.

- the sample region (``restoration init``),
- an empty store (``restoration init --empty``),
- a user's own data: counties, 10 cases and 50 sites imported from files, with no events, no bank
  projects and no monitoring; hostile strings in every free-text field, so the browser tests can
  check that nothing a user typed ever runs as script.
"""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from restoration import config
from restoration.importer import import_file
from restoration.store import Store, open_store

#: strings that run script when inserted into HTML unescaped; each sets ``window.__xss``
HOSTILE = (
    '<img src=x onerror="window.__xss=1">',
    "<script>window.__xss=2</script>",
    '"><svg onload="window.__xss=3">',
    "javascript:window.__xss=4",
    "{{7*7}} ${alert(5)} <b>bold</b>",
)


def hostile(i: int, plain: str = "") -> str:
    """A readable label followed by one of the hostile strings."""
    return f"{plain}{HOSTILE[i % len(HOSTILE)]}"


def build_empty(data_dir: Path) -> Store:
    data_dir.mkdir(parents=True, exist_ok=True)
    return open_store(data_dir / "platform.gpkg")


def build_imported(data_dir: Path, n_cases: int = 10, n_sites: int = 50) -> Store:
    """Counties, watersheds, ``n_cases`` cases and ``n_sites`` sites imported through the
    importer (the same path as ``restoration import``), free text hostile."""
    store = build_empty(data_dir)
    src = config.sample_dir()
    work = data_dir / "inputs"
    work.mkdir(exist_ok=True)

    counties = gpd.read_file(src / "counties.geojson")
    counties.loc[counties.index[0], "name"] = hostile(0, "青岚县")
    counties.to_file(work / "counties.geojson", driver="GeoJSON")
    watersheds = gpd.read_file(src / "watersheds.geojson")
    watersheds.loc[watersheds.index[0], "name"] = hostile(2, "流域")
    watersheds.to_file(work / "watersheds.geojson", driver="GeoJSON")

    cases = pd.read_csv(src / "cases.csv", dtype=str, keep_default_na=False).head(n_cases).copy()
    for i, row in cases.index.to_series().items():
        cases.loc[row, "title"] = hostile(i, cases.loc[row, "title"])
        cases.loc[row, "liable_party"] = hostile(i + 1, "某公司")
        cases.loc[row, "claimant_agency"] = hostile(i + 2, "某局")
        cases.loc[row, "notes"] = hostile(i + 3, "备注")
        cases.loc[row, "disclosed"] = "True" if i % 2 == 0 else "False"
    cases.to_csv(work / "cases.csv", index=False)

    rng = np.random.default_rng(7)
    union = counties.union_all() if hasattr(counties, "union_all") else counties.unary_union
    minx, miny, maxx, maxy = union.bounds
    shapes, ids = [], cases["case_id"].tolist()
    while len(shapes) < n_sites:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if union.contains(shapely.Point(x, y)):
            r = rng.uniform(0.004, 0.012)
            shapes.append(shapely.Point(x, y).buffer(r, 6))
    roles = ["damaged", "in_situ_restoration", "alternative_restoration", "reference"]
    ecos = ["forest", "river", "farmland_soil", "grassland"]
    sites = gpd.GeoDataFrame({
        "site_id": [f"U{i:03d}" for i in range(n_sites)],
        "case_id": [ids[i % len(ids)] if i < 30 else "" for i in range(n_sites)],
        "role": [roles[i % len(roles)] for i in range(n_sites)],
        "ecosystem_type": [ecos[i % len(ecos)] for i in range(n_sites)],
        "name": [hostile(i, f"地块{i}") for i in range(n_sites)],
    }, geometry=shapes, crs=4326)
    sites.to_file(work / "sites.geojson", driver="GeoJSON")

    for layer, name in (("counties", "counties.geojson"), ("watersheds", "watersheds.geojson"),
                        ("cases", "cases.csv"), ("sites", "sites.geojson")):
        import_file(store, layer, work / name, actor="import")
    return store


def make_hostile(store: Store) -> None:
    """Put hostile strings into a few free-text fields of the sample store (bank projects, sites,
    case titles, events) — the layers the imported store does not have."""
    bank = store.read("bank_projects")
    sites = store.read("sites")
    with store.transaction("xss-test") as tx:
        for i, pid in enumerate(bank["project_id"].head(3)):
            tx.update("bank_projects", pid, {"name": hostile(i, "项目"), "operator": hostile(i + 1, "运营")})
        for i, sid in enumerate(sites["site_id"].head(4)):
            tx.update("sites", sid, {"name": hostile(i + 2, "地块")})
