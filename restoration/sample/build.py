"""Build the sample region's files (``restoration sample build``), deterministically.

The committed ``sample_data/`` is this function's output with the default arguments; the same
function scales up for benchmarks (``--sites 10000 --dates 48 --raster-size 2000``).
"""
from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.affinity
import shapely.prepared
from tqdm.auto import tqdm

from .. import files
from ..progress import bar_wanted
from ..workbook import write_csv
from . import case_history
from . import catalogue as cat
from .rasters import write_ndvi_series
from .shapes import blob, lonlat_to_m, m_to_lonlat, to_lonlat, voronoi_regions

DEFAULT_SEED = 20_261_122
LAST_MONTH = date(2026, 10, 15)  # the latest monthly NDVI composite in the sample
TODAY = date(2026, 11, 20)  # the sample's "now": no event is dated after it


def monthly_dates(n: int, last: date = LAST_MONTH) -> list[date]:
    """n monthly dates (15th of each month) ending at ``last``."""
    out = []
    y, m = last.year, last.month
    for _ in range(n):
        out.append(date(y, m, 15))
        m -= 1
        if m == 0:
            y, m = y - 1, 12
    return out[::-1]


def build_sample(out: str | Path, *, seed: int = DEFAULT_SEED, sites: int | None = None,
                 dates: int = 24, raster_size: int | None = None, progress: bool = True) -> Path:
    """Write the sample region into ``out`` and return it.

    ``sites`` adds generated extra sites (no case) up to that total, for scale tests;
    ``dates`` is the number of monthly NDVI rasters; ``raster_size`` their width and height in
    pixels (default 400, i.e. 0.001° ≈ 100 m over the 0.4° monitoring window).
    """
    out = files.make_folder(out, field="--out")  # the sample's own folder: created when missing
    rng = np.random.default_rng(seed)

    counties, watersheds = _region(rng)
    _vector(counties, out / "counties.geojson", "GeoJSON")
    _vector(watersheds, out / "watersheds.geojson", "GeoJSON")

    region = _Region(counties, watersheds)
    site_frame, profiles = _sites(rng, sites, region)
    _vector(site_frame, out / "sites.geojson", "GeoJSON")

    bank = _bank(rng, site_frame, region)
    # the bank arrives in CGCS2000, as a provincial registry would deliver it
    _vector(bank.to_crs(4490), out / "bank_projects.gpkg", "GPKG", layer="bank_projects")
    tables = {**_bank_tables(bank), "cases": _cases(), "case_events": _events(),
              "case_modes": case_history.case_modes(), "funds_ledger": case_history.funds_ledger(),
              "screening_reports": case_history.screening_reports(), "indicator_targets": _targets(),
              "water_quality": _water_quality(rng)}
    for name, table in tables.items():
        write_csv(out / f"{name}.csv", table, encoding="utf-8")

    size = raster_size or 400
    write_ndvi_series(files.make_folder(out / "ndvi"), site_frame, profiles, monthly_dates(dates), size, rng,
                      bbox=cat.NDVI_BBOX, progress=progress)
    files.write_text(out / "README.md", _readme(size, dates, len(site_frame)))
    return out


def _vector(frame: gpd.GeoDataFrame, path: Path, driver: str, **options) -> None:
    files.write_file(path, lambda tmp: frame.to_file(tmp, driver=driver, **options))


# -- region -------------------------------------------------------------------------------
def _region(rng) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    # Voronoi cells in metres over a box that encloses the lon/lat region, clipped back to it
    box = shapely.box(*cat.REGION_BBOX)
    corners = np.asarray(shapely.segmentize(box, 0.05).exterior.coords)
    x, y = lonlat_to_m(corners[:, 0], corners[:, 1])
    bbox_m = (min(x) - 2000, min(y) - 2000, max(x) + 2000, max(y) + 2000)

    def layer(names, seeds, prefix, id_col):
        lon, lat = np.asarray(seeds, dtype=float).T
        cells = voronoi_regions(rng, bbox_m, len(names), seeds=np.c_[lonlat_to_m(lon, lat)])
        geoms = [to_lonlat(c).intersection(box) for c in cells]
        return gpd.GeoDataFrame({id_col: [f"{prefix}{i + 1:02d}" for i in range(len(names))],
                                 "name": names}, geometry=geoms, crs=4326)

    counties = layer(cat.COUNTIES, cat.COUNTY_SEEDS, "C", "county_id")
    counties.insert(2, "city", [cat.COUNTY_CITY[n] for n in counties["name"]])  # jurisdiction tree
    return counties, layer(cat.WATERSHEDS, cat.WATERSHED_SEEDS, "W", "watershed_id")


class _Region:
    """The counties and watersheds in metres, to place every site and project inside the county
    (and watershed) its record names: a case's sites in the case's county, a project in the
    county its name or operator names."""

    def __init__(self, counties: gpd.GeoDataFrame, watersheds: gpd.GeoDataFrame):
        self.county = {n: _metres(g) for n, g in zip(counties["name"], counties.geometry)}
        self.watershed = {n: _metres(g) for n, g in zip(watersheds["name"], watersheds.geometry)}
        box = cat.NDVI_BBOX
        self.ndvi = _metres(shapely.box(box[0] + 0.03, box[1] + 0.03, box[2] - 0.03, box[3] - 0.03))
        self.ndvi_full = _metres(shapely.box(*box)).buffer(500)

    def named_county(self, *texts: str | None) -> str | None:
        """The first county named in ``texts`` (by its full name or its first two characters)."""
        for text in texts:
            for name in cat.COUNTIES:
                if text and (name in text or text.startswith(name[:2])):
                    return name
        return None

    def named_watershed(self, *texts: str | None) -> str | None:
        for text in texts:
            for name in cat.WATERSHEDS:
                if text and name.removesuffix("流域") in text:
                    return name
        return None

    def watershed_at(self, x: float, y: float) -> str | None:
        pt = shapely.Point(x, y)
        return next((n for n, g in self.watershed.items() if g.contains(pt)), None)

    def area(self, county: str | None, watershed: str | None = None, ndvi: bool | None = None):
        """Where a feature may lie: the county, intersected with the watershed; inside the NDVI
        window (``ndvi=True``, vegetation monitored from the rasters) or outside it (``False``)."""
        geom = self.county[county] if county else shapely.box(*shapely.bounds(shapely.union_all(
            list(self.county.values()))))
        if watershed:
            geom = geom.intersection(self.watershed[watershed])
        if ndvi is True:
            geom = geom.intersection(self.ndvi)
        elif ndvi is False:
            geom = geom.difference(self.ndvi_full)
        if geom.is_empty:
            raise ValueError(f"sample geography: no land in {county} ∩ {watershed} ∩ NDVI={ndvi}")
        return geom


def _place(rng, area_m, shape_at, near: tuple[float, float] | None = None,
           distance: tuple[float, float] | None = None, tries: int = 400):
    """A shape (from ``shape_at(x, y)``) lying inside ``area_m``: first at random directions and
    ``distance`` (m) from ``near``, then anywhere in the area. Deterministic for a given rng."""
    minx, miny, maxx, maxy = area_m.bounds
    prepared = shapely.prepared.prep(area_m.buffer(-150))
    for i in range(tries):
        if near is not None and distance is not None and i < tries // 2:
            ang = rng.uniform(0, 2 * np.pi)
            dist = rng.uniform(*distance)
            x, y = near[0] + dist * np.cos(ang), near[1] + dist * np.sin(ang)
        elif near is not None and distance is None and i == 0:
            x, y = near
        else:
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        shape = shape_at(x, y)
        if prepared.contains(shape):
            return x, y, shape
    raise ValueError("sample geography: could not place a shape inside its county")


def _case_geography(region: _Region) -> dict[str, tuple[str, str | None]]:
    """Each case's county (from its title) and the watershed its title names."""
    return {cid: (case_county(title), region.named_watershed(title)) for cid, title, *_ in cat.CASES}


def case_county(title: str) -> str:
    """The county a sample case is handled in: the one its title starts with, else 桂源县."""
    return next((c for c in cat.COUNTIES if title.startswith(c[:2])), "桂源县")


def _sites(rng, total: int | None, region: _Region) -> tuple[gpd.GeoDataFrame, dict[str, str]]:
    rows, geoms, profiles = [], [], {}
    case_anchor: dict[str, tuple[float, float]] = {}
    geography = _case_geography(region)
    for sid, case_id, role, eco, name, area, in_ndvi, elong, profile in cat.SITES:
        if role == "monitoring_plot":
            # a plot point inside the case's restoration site
            ref = next(s for s in rows[::-1] if s["case_id"] == case_id and s["role"] != "monitoring_plot")
            poly = geoms[rows.index(ref)]
            geom = shapely.Point(*m_to_lonlat(*_point_inside(rng, _metres(poly))))
        elif role == "in_situ_restoration" and case_id in case_anchor:
            # the restoration site lies within the damaged footprint
            damaged = next(_metres(g) for s, g in zip(rows, geoms)
                           if s["case_id"] == case_id and s["role"] == "damaged")
            geom = to_lonlat(shapely.affinity.scale(damaged, *(2 * [np.sqrt(area / _ha(damaged))])))
        else:
            county, watershed = geography[case_id] if case_id else (None, None)
            # vegetation sites inside the NDVI window, the others outside it
            where = region.area(county, watershed, ndvi=bool(in_ndvi))
            seed = rng.integers(2**32)  # one shape per try, all from this site's own stream

            def shape_at(x, y, seed=seed, area=area, elong=elong):
                return blob(np.random.default_rng(seed), x, y, area * 1e4, elongation=elong)

            if case_id in case_anchor:
                reach = np.sqrt(area * 1e4)
                x, y, shape = _place(rng, where, shape_at, near=case_anchor[case_id],
                                     distance=(1500 + reach, 4000 + reach))
            else:
                x, y, shape = _place(rng, where, shape_at)
            if case_id and case_id not in case_anchor:
                case_anchor[case_id] = (x, y)
            geom = to_lonlat(shape)
        rows.append({"site_id": sid, "case_id": case_id, "role": role, "ecosystem_type": eco,
                     "name": name})
        geoms.append(geom)
        profiles[sid] = profile

    n_extra = max(0, (total or 0) - len(rows))
    if n_extra:
        roles = ["damaged", "in_situ_restoration", "alternative_restoration", "reference"]
        ecos = ["forest", "karst_grassland", "grassland", "wetland"]
        minx, miny = lonlat_to_m(cat.NDVI_BBOX[0], cat.NDVI_BBOX[1])
        maxx, maxy = lonlat_to_m(cat.NDVI_BBOX[2], cat.NDVI_BBOX[3])
        cx = rng.uniform(minx + 500, maxx - 500, n_extra)
        cy = rng.uniform(miny + 500, maxy - 500, n_extra)
        # log-uniform areas between 0.5 and 200 ha, like real restoration sites
        area = np.exp(rng.uniform(np.log(0.5), np.log(200.0), n_extra))
        profs = rng.choice(["on_track", "lagging", "intact", "none", "planting"], n_extra)
        for i in tqdm(range(n_extra), desc="generate sites", unit="site", disable=n_extra < 2000 or not bar_wanted()):
            sid = f"X{i + 1:05d}"
            rows.append({"site_id": sid, "case_id": None, "role": roles[i % 4],
                         "ecosystem_type": ecos[i % 4], "name": f"生成场地 {i + 1}"})
            geoms.append(to_lonlat(blob(rng, cx[i], cy[i], area[i] * 1e4, n=24)))
            profiles[sid] = str(profs[i])
    frame = gpd.GeoDataFrame(rows, geometry=geoms, crs=4326)
    return frame, profiles


def _metres(geom):
    return shapely.transform(geom, lambda xy: np.c_[lonlat_to_m(xy[:, 0], xy[:, 1])])


def _ha(geom_m) -> float:
    return geom_m.area / 1e4


def _point_inside(rng, poly_m) -> tuple[float, float]:
    minx, miny, maxx, maxy = poly_m.bounds
    for _ in range(1000):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if poly_m.contains(shapely.Point(x, y)):
            return x, y
    c = poly_m.representative_point()
    return c.x, c.y


# -- bank ---------------------------------------------------------------------------------
def _bank(rng, sites: gpd.GeoDataFrame, region: _Region) -> gpd.GeoDataFrame:
    """Bank projects inside the county their name (else operator) names; a project placed
    ``near:<site>`` lies 6–15 km from that site where its county allows, in the site's watershed."""
    rows, geoms = [], []
    for (pid, name, kind, eco, services, capacity, unit, cost, rel, years, status, operator,
         place) in cat.BANK:
        county = region.named_county(name, operator)
        watershed = region.named_watershed(name)
        near = distance = None
        if place.startswith("near:"):
            anchor = sites.loc[sites.site_id == place[5:], "geometry"].iloc[0].representative_point()
            near = lonlat_to_m(anchor.x, anchor.y)
            distance = (6000, 15000)
            watershed = watershed or region.watershed_at(*near)
        else:
            near = lonlat_to_m(*(float(v) for v in place.split(",")))  # a hint, kept if it fits
        # footprint: the capacity itself for area units; a nominal forest-farm / river reach else
        area_ha = capacity if unit == "ha" else (400.0 if unit == "tCO2e" else 150.0)
        seed = rng.integers(2**32)

        def shape_at(x, y, seed=seed, area_ha=area_ha, eco=eco):
            return blob(np.random.default_rng(seed), x, y, area_ha * 1e4 * 1.05,
                        elongation=6.0 if eco in ("river", "riparian_buffer") else 1.2)

        named = region.named_watershed(name)
        try:
            _, _, shape = _place(rng, region.area(county, watershed), shape_at, near=near, distance=distance)
        except ValueError:
            if named:  # a watershed in the project's name is a must; the anchor's only a preference
                raise
            _, _, shape = _place(rng, region.area(county), shape_at, near=near, distance=distance)
        rows.append({
            "project_id": pid, "name": name, "kind": kind, "ecosystem_type": eco,
            "services": ";".join(services), "capacity": capacity, "capacity_unit": unit,
            "unit_cost_yuan": float(cost), "relative_value": rel,
            "trajectory": json.dumps({"levels": [[0, 0.0], [years, 1.0]]} if years else {"levels": [[0, 1.0]]}),
            "operator": operator, "status": status, "start_year": cat.BANK_START[pid],
            "status_since": _status_path(pid, status)[-1][1],
        })
        geoms.append(to_lonlat(shape))
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=4326)


def _status_path(pid: str, status: str) -> list[tuple[str, str]]:
    """The dated lifecycle a sample project went through to reach ``status``."""
    start = cat.BANK_START[pid]
    steps = [("proposed", f"{start - 2}-03-15"), ("approved", f"{start - 1}-06-15"),
             ("under_construction", f"{start}-03-01"), ("operational", f"{start + 1}-09-01"),
             ("closed", cat.BANK_CLOSED_ON.get(pid, ""))]
    path = []
    for code, day in steps:
        path.append((code, min(day, TODAY.isoformat())))
        if code == status:
            return path
    raise ValueError(f"{pid}: unknown status {status}")


def _bank_tables(bank: gpd.GeoDataFrame) -> dict[str, pd.DataFrame]:
    """Status history, allocations, ledger history, escrow and case scenarios of the sample bank.

    The ledger is replayed in date order so ``allocated_after`` is what the ledger would have
    recorded, and every project stays within its capacity (checked here).
    """
    history = []
    for pid, status in zip(bank["project_id"], bank["status"]):
        prev = None
        for code, day in _status_path(pid, status):
            history.append({"project_id": pid, "from_status": prev, "to_status": code, "changed_on": day,
                            "actor": "sample", "note": None})
            prev = code
    capacity = dict(zip(bank["project_id"], bank["capacity"]))
    units = dict(zip(bank["project_id"], bank["capacity_unit"]))
    cost = dict(zip(bank["project_id"], bank["unit_cost_yuan"]))
    allocations, events = [], []
    for i, (pid, case, ext, amount, state, day, note) in enumerate(cat.BANK_ALLOCATIONS):
        aid = f"AL-{i + 1:06d}"
        allocations.append({"allocation_id": aid, "project_id": pid, "case_id": case, "external_ref": ext,
                            "amount": amount, "unit": units[pid], "state": state,
                            "cost_yuan": 0.0 if state == "released" else round(amount * cost[pid], 2),
                            "escrow_id": None, "created_on": day, "note": note})
        events.append((day, "reserve", aid, pid, case, amount, +amount))
        later = (date.fromisoformat(day) + timedelta(days=30)).isoformat()
        if state == "committed":
            events.append((later, "commit", aid, pid, case, amount, 0.0))
        if state == "released":
            events.append((later, "release", aid, pid, case, amount, -amount))
    used = dict.fromkeys(capacity, 0.0)
    ledger = []
    for day, action, aid, pid, case, amount, delta in sorted(events, key=lambda e: (e[0], e[2])):
        used[pid] += delta
        if used[pid] > capacity[pid] + 1e-9:
            raise ValueError(f"sample ledger over-allocates {pid}")
        ledger.append({"at": f"{day}T09:00:00", "action": action, "allocation_id": aid, "escrow_id": None,
                       "project_id": pid, "case_id": case, "amount": amount, "unit": units[pid],
                       "allocated_after": used[pid], "capacity": capacity[pid], "actor": "sample", "note": None})
    escrow = []
    for eid, case, yuan, holder, day, eco, note in cat.ESCROW:
        escrow.append({"escrow_id": eid, "case_id": case, "amount_yuan": yuan, "holder": holder,
                       "deposited_on": day, "ecosystem_type": eco, "status": "awaiting_match",
                       "allocation_id": None, "note": note})
        ledger.append({"at": f"{day}T09:00:00", "action": "deposit", "allocation_id": None, "escrow_id": eid,
                       "project_id": None, "case_id": case, "amount": yuan, "unit": "yuan",
                       "allocated_after": None, "capacity": None, "actor": "sample", "note": holder})
    ledger.sort(key=lambda r: r["at"])
    scenarios = [{"scenario_id": f"SC-{i + 1:04d}", "case_id": cid, "purpose": "alternative_restoration",
                  "scenario": json.dumps(scn, ensure_ascii=False), "source": "sample appraisal"}
                 for i, (cid, scn) in enumerate(cat.CASE_SCENARIOS.items())]
    return {"bank_status_history": pd.DataFrame(history), "bank_allocations": pd.DataFrame(allocations),
            "bank_ledger": pd.DataFrame(ledger), "escrow": pd.DataFrame(escrow),
            "case_scenarios": pd.DataFrame(scenarios)}


# -- cases and events ---------------------------------------------------------------------
def _cases() -> pd.DataFrame:
    sites_by_case = {}
    for sid, case_id, role, eco, *_ in cat.SITES:
        if case_id and role == "damaged":
            sites_by_case.setdefault(case_id, eco)
    rows = []
    for (cid, title, cls, stage, amount, incident, discovered, clue, modes, disclosed,
         liable) in cat.CASES:
        county = case_county(title)
        eco = sites_by_case.get(cid, "forest")
        rows.append({
            "case_id": cid, "title": title, "region": county, "case_class": cls, "stage": stage,
            "liable_party": liable, "claimant_agency": "桂西市" + cat.CLAIMANTS.get(eco, "市生态环境局")[1:],
            "damage_amount_yuan": amount, "incident_date": incident, "discovered_date": discovered,
            "clue_source": clue, "restoration_modes": ";".join(modes), "profile": "guangxi",
            "disclosed": disclosed,
            "notes": f"承办人备注：联系人电话 1380000{int(cid[-3:]):04d}",
        })
    return pd.DataFrame(rows)


def _events() -> pd.DataFrame:
    # the sample cases' histories, modes and ledger live in case_history.py
    return case_history.events(TODAY)


# -- monitoring tables --------------------------------------------------------------------
def _targets() -> pd.DataFrame:
    lin = lambda a, b, t0, t1: json.dumps([[t0, a], [t1, b]])  # noqa: E731
    rows = [
        ("S011", "ndvi", "1", "higher", 0.25, 0.72, "2024-06-15", "2027-06-15", lin(0.25, 0.72, 2024.5, 2027.5), "S012"),
        ("S016", "ndvi", "1", "higher", 0.18, 0.62, "2023-10-15", "2026-10-15", lin(0.18, 0.62, 2023.8, 2026.8), "S018"),
        ("S017", "ndvi", "1", "higher", 0.30, 0.70, "2024-03-15", "2028-03-15", lin(0.30, 0.70, 2024.2, 2028.2), "S029"),
        ("S024", "ndvi", "1", "higher", 0.30, 0.65, "2023-03-15", "2025-03-15", lin(0.30, 0.65, 2023.2, 2025.2), None),
        ("S028", "ndvi", "1", "higher", 0.35, 0.70, "2025-01-15", "2027-12-15", lin(0.35, 0.70, 2025.0, 2027.9), None),
        ("S020", "cod", "mg/L", "lower", 42.0, 20.0, "2024-01-15", "2026-06-15", lin(42.0, 20.0, 2024.0, 2026.5), None),
        ("S020", "nh3_n", "mg/L", "lower", 2.6, 1.0, "2024-01-15", "2026-06-15", lin(2.6, 1.0, 2024.0, 2026.5), None),
        ("S020", "tp", "mg/L", "lower", 0.38, 0.2, "2024-01-15", "2026-06-15", lin(0.38, 0.2, 2024.0, 2026.5), None),
        ("S020", "do", "mg/L", "higher", 3.5, 5.0, "2024-01-15", "2026-06-15", lin(3.5, 5.0, 2024.0, 2026.5), None),
    ]
    cols = ["site_id", "indicator", "unit", "direction", "baseline", "target", "baseline_date",
            "target_date", "planned_trajectory", "reference_site_id"]
    return pd.DataFrame(rows, columns=cols)


def _water_quality(rng) -> pd.DataFrame:
    """Monthly samples (COD, NH3-N, TP, DO, mg/L) at the river sites; three replicate samples a
    month at case GX-2022-011's sections in its last six months (effect evaluation)."""
    months = monthly_dates(24)
    series = {
        # site: (cod, nh3n, tp, do) start -> end levels over the 24 months
        "S002": ((14, 38), (0.6, 2.8), (0.10, 0.42), (6.5, 3.8)),
        "S004": ((16, 30), (0.7, 1.9), (0.12, 0.30), (6.8, 4.5)),
        "S020": ((33, 21.5), (2.0, 0.75), (0.30, 0.16), (4.2, 6.0)),
        "S021": ((15, 14), (0.5, 0.45), (0.08, 0.07), (7.0, 7.1)),
        "S022": ((35, 22.0), (2.1, 0.8), (0.31, 0.17), (4.0, 5.8)),
    }
    events = {"S002": date(2026, 6, 2), "S004": date(2025, 11, 18)}
    rows = []
    for site, ranges in series.items():
        for i, month in enumerate(months):
            frac = i / (len(months) - 1)
            if site in events:  # pollution starts with the incident, then fades slowly
                on = month >= events[site]
                frac = 0.0 if not on else max(0.2, 1.0 - (month - events[site]).days / 900)
            reps = 3 if site in ("S020", "S022") and i >= len(months) - 6 else 1
            for r in range(reps):
                when = month + timedelta(days=7 * r)
                for (ind, (a, b)), sd in zip(zip(("cod", "nh3_n", "tp", "do"), ranges),
                                             (0.06, 0.08, 0.08, 0.05)):
                    level = a + (b - a) * frac
                    value = max(0.01, level * (1 + rng.normal(0, sd)))
                    rows.append({"site_id": site, "indicator": ind,
                                 "time": f"{when.isoformat()}T10:00:00", "value": round(value, 3),
                                 "unit": "mg/L", "source": "field_sampling", "qc_flag": "ok"})
    return pd.DataFrame(rows)


def _readme(size: int, dates: int, n_sites: int) -> str:
    return f"""# Sample region (示例区域)

Generated by `restoration sample build` (seeded, deterministic). A fictional region in western
Guangxi (107.5–109.5°E, 22.5–24.5°N): 8 counties, 4 watersheds, {len(cat.CASES)} cases across every
stage and class, {n_sites} sites, {len(cat.BANK)} bank projects, {dates} monthly NDVI rasters
({size}×{size} px over {cat.NDVI_BBOX}) and a water-quality table.

| file | layer | notes |
| --- | --- | --- |
| counties.geojson, watersheds.geojson | counties, watersheds | EPSG:4326 |
| cases.csv, case_events.csv | cases, case_events | restoration modes `;`-separated |
| case_modes.csv, funds_ledger.csv | case_modes, funds_ledger | modes with parameters (JSON); instalment schedules, receipts, disbursements |
| sites.geojson | sites | monitoring plots are points |
| bank_projects.gpkg | bank_projects | in CGCS2000 (EPSG:4490); `trajectory` levels are years since `start_year` |
| bank_status_history.csv, bank_allocations.csv, bank_ledger.csv, escrow.csv | bank registry and ledger | dated lifecycle, allocations and their history, escrow awaiting a match |
| case_scenarios.csv | case_scenarios | equivalence scenario (format v1, JSON) of each alternative-restoration case |
| indicator_targets.csv | indicator_targets | planned trajectories as [decimal year, level] |
| water_quality.csv | monitoring_series | COD, NH3-N, TP, DO in mg/L |
| ndvi/ndvi_YYYY-MM-DD.tif | (rasters) | int16, scale 0.0001, nodata -32768 (clouds) |

Companies, people and phone numbers are invented.
"""
