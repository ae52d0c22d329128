"""The bank registry: strict imports with clear messages, the dated status lifecycle, the
migration that adds the bank's fields and layers, and the sample bank."""
from __future__ import annotations

import json
import sqlite3

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from restoration import InputError, model
from restoration.bank import add_projects, bank_table, import_projects, set_status, status_history
from restoration.cli import main

SQUARE = shapely.box(108.60, 23.60, 108.61, 23.61)  # ~ 113 ha
BOWTIE = shapely.Polygon([(108.6, 23.6), (108.61, 23.61), (108.61, 23.6), (108.6, 23.61)])


def _projects(geoms, crs=4326, **cols):
    n = len(geoms)
    frame = {"project_id": [f"NP{i}" for i in range(n)], "name": [f"新项目{i}" for i in range(n)],
             "kind": ["project"] * n, "ecosystem_type": ["wetland"] * n, "services": ["habitat;biodiversity"] * n,
             "capacity": [50.0] * n, "capacity_unit": ["ha"] * n, "unit_cost_yuan": [200_000.0] * n,
             "relative_value": [1.0] * n, "trajectory": ['{"levels": [[0, 0.0], [5, 1.0]]}'] * n,
             "operator": ["某单位"] * n, "status": ["approved"] * n, "start_year": [2027] * n,
             "status_since": ["2026-05-01"] * n}
    frame.update(cols)
    return gpd.GeoDataFrame(frame, geometry=list(geoms), crs=crs)


def test_import_fills_watershed_county_and_history(store, tmp_path):
    path = tmp_path / "bank.gpkg"
    _projects([SQUARE]).to_crs(4490).to_file(path)  # CGCS2000 in, EPSG:4326 stored
    report = import_projects(store, path)
    assert report.project_ids == ["NP0"]
    p = store.get("bank_projects", "NP0")
    assert p["watershed"] in {"红水河流域", "柳江流域", "郁江流域", "左江流域"} and p["region"]
    assert p["area_ha"] == pytest.approx(113, rel=0.05) and p["start_year"] == 2027
    hist = status_history(store, "NP0")
    assert hist[["from_status", "to_status", "changed_on"]].values.tolist() == [[None, "approved", "2026-05-01"]]
    assert bank_table(store).set_index("project_id").loc["NP0", "remaining"] == 50.0


@pytest.mark.parametrize("case", ["invalid geometry", "unknown ecosystem", "unknown unit", "bad trajectory",
                                  "no trajectory", "over footprint", "point"])
def test_bad_projects_are_refused_with_a_clear_message(store, tmp_path, case):
    geoms, cols, expect = [SQUARE, SQUARE], {}, ""
    if case == "invalid geometry":
        geoms = [SQUARE, BOWTIE]
        expect = "bank.geojson, feature 2, field 'geometry': invalid polygon (Self-intersection"
    elif case == "unknown ecosystem":
        cols = {"ecosystem_type": ["wetland", "沙漠"]}
        expect = "bank.geojson, feature 2, field 'ecosystem_type': unknown value '沙漠'"
    elif case == "unknown unit":
        cols = {"capacity_unit": ["ha", "acres"]}
        expect = "feature 2, field 'capacity_unit': unknown capacity unit 'acres'"
    elif case == "bad trajectory":
        cols = {"trajectory": ['{"levels": [[0, 0.0], [5, 1.0]]}', '{"levels": [[5, 0.0], [2, 1.0]]}']}
        expect = "feature 2, field 'trajectory': levels[1]: years must increase"
    elif case == "no trajectory":
        cols = {"trajectory": ['{"levels": [[0, 0.0], [5, 1.0]]}', None]}
        expect = "feature 2, field 'trajectory': required for projects in area units"
    elif case == "over footprint":
        cols = {"capacity": [50.0, 500.0]}
        expect = "feature 2, field 'capacity': capacity 500 ha (500.00 ha) exceeds the project's mapped area"
    elif case == "point":
        geoms = [SQUARE, shapely.Point(108.6, 23.6)]
        expect = "feature 2, field 'geometry': Point geometry not allowed"
    path = tmp_path / "bank.geojson"
    _projects(geoms, **cols).to_file(path)
    before = store.version
    with pytest.raises(SystemExit) as info:
        main(["--data", str(store.data_dir), "bank", "import", str(path)])
    assert info.value.code == 2
    with pytest.raises(InputError) as err:
        import_projects(store, path)
    assert expect in str(err.value)
    assert store.version == before and "NP0" not in set(store.read("bank_projects")["project_id"])


def test_general_and_bank_problems_come_out_in_one_report(store, tmp_path, capsys):
    """A file with value problems (general validation) and bank problems (unit, trajectory,
    footprint, status date) in different rows, and both kinds in one row: one report, by row."""
    from tests.conftest import run_cli, store_fingerprint
    geoms = [SQUARE, BOWTIE, SQUARE, SQUARE, SQUARE]
    frame = _projects(
        geoms,
        ecosystem_type=["沙漠", "wetland", "wetland", "wetland", "wetland"],     # general, row 1
        capacity_unit=["acres", "ha", "ha", "ha", "ha"],                        # bank, row 1
        trajectory=['{"levels": [[0, 0.0], [5, 1.0]]}', '{"levels": [[0, 0.0], [5, 1.0]]}',
                    '{"levels": [[5, 0.0], [2, 1.0]]}', "{oops", None],         # bank 3; general 4; bank 5
        capacity=[50.0, 50.0, 500.0, 50.0, 50.0],                               # bank, row 3
        status_since=["2026-05-01", "2026-05-01", "2026-05-01", "2026-05-01", "2099-01-01"])  # bank, row 5
    path = tmp_path / "bank.geojson"
    frame.to_file(path)
    before = store_fingerprint(store)
    for argv in (["import", "bank", path], ["bank", "import", path]):
        code, out, err = run_cli(["--data", store.data_dir, *argv], capsys)
        assert code == 2, err
        expected = [
            "feature 1, field 'ecosystem_type': unknown value '沙漠'",
            "feature 1, field 'capacity_unit': unknown capacity unit 'acres'",
            "feature 2, field 'geometry': invalid polygon (Self-intersection",
            "feature 3, field 'trajectory': levels[1]: years must increase",
            "feature 3, field 'capacity': capacity 500 ha (500.00 ha) exceeds",
            "feature 4, field 'trajectory': not valid JSON",
            "feature 5, field 'trajectory': required for projects in area units",
            "feature 5, field 'status_since': 2099-01-01 is in the future",
        ]
        at = [err.find(e) for e in expected]
        assert all(i >= 0 for i in at), (expected, err)
        rows = [int(line.split("feature ")[1].split(",")[0]) for line in err.splitlines() if "feature " in line]
        assert rows == sorted(rows)  # grouped by row
        # a cell the general validation refused is not judged again by the bank's checks
        assert "feature 4, field 'trajectory': required" not in err
        assert store_fingerprint(store) == before


def test_bank_problems_in_many_rows_are_capped_with_a_count(store):
    n = 260
    frame = _projects([SQUARE] * n, capacity_unit=["acres"] * n)
    frame["project_id"] = [f"NP{i}" for i in range(n)]
    with pytest.raises(InputError) as err:
        add_projects(store, frame)
    issues = err.value.issues
    assert sum("unknown capacity unit" in i.message for i in issues) == 200
    assert any(i.message == "... and 60 more rows with a problem in field 'capacity_unit'" for i in issues)
    assert "... and" in str(err.value) and "more problems in" in str(err.value)


def test_resource_unit_projects_need_no_trajectory(store):
    frame = _projects([SQUARE], capacity=[10_000.0], capacity_unit=["tCO2e"], unit_cost_yuan=[80.0],
                      trajectory=[None], ecosystem_type=["forest"])
    add_projects(store, frame)
    assert store.get("bank_projects", "NP0")["capacity_unit"] == "tCO2e"


def test_status_lifecycle_is_dated_and_ordered(store):
    add_projects(store, _projects([SQUARE], status=["proposed"], status_since=["2026-01-10"]))
    with pytest.raises(InputError, match="cannot go from proposed to operational; next is approved"):
        set_status(store, "NP0", "operational", on="2026-03-01")
    with pytest.raises(InputError, match="is before the current status date 2026-01-10"):
        set_status(store, "NP0", "approved", on="2025-12-31")
    set_status(store, "NP0", "已批准", on="2026-02-01", note="省厅批复")
    set_status(store, "NP0", "under_construction", on="2026-04-01")
    set_status(store, "NP0", "operational", on="2026-10-01")
    set_status(store, "NP0", "closed", on="2026-11-01")
    with pytest.raises(InputError, match="closed project does not reopen"):
        set_status(store, "NP0", "operational", on="2026-11-02")
    hist = status_history(store, "NP0")
    assert hist["to_status"].tolist() == ["proposed", "approved", "under_construction", "operational", "closed"]
    assert hist["changed_on"].tolist() == ["2026-01-10", "2026-02-01", "2026-04-01", "2026-10-01", "2026-11-01"]
    assert hist["note"].tolist()[1] == "省厅批复"
    p = store.get("bank_projects", "NP0")
    assert p["status"] == "closed" and p["status_since"] == "2026-11-01"


def test_migration_4_upgrades_an_older_store(tmp_path, monkeypatch):
    """A store made before the bank's migration gets the new bank_projects columns and layers."""
    from dataclasses import replace
    from restoration.store import migrations, open_store
    old_spec = replace(model.LAYERS["bank_projects"],
                       fields=tuple(f for f in model.LAYERS["bank_projects"].fields
                                    if f.name not in ("start_year", "status_since")))
    path = tmp_path / "old.gpkg"
    with monkeypatch.context() as m:
        m.setitem(model.LAYERS, "bank_projects", old_spec)
        m.setattr(migrations, "MIGRATIONS", [x for x in migrations.MIGRATIONS if x[0] < 4])
        m.setattr(migrations, "LATEST", max(x[0] for x in migrations.MIGRATIONS if x[0] < 4))
        open_store(path)
    conn = sqlite3.connect(path)
    cols = {r[1] for r in conn.execute('PRAGMA table_info("bank_projects")')}
    conn.close()
    assert "start_year" not in cols
    store = open_store(path, create=False)
    assert store.schema_version >= 4
    conn = sqlite3.connect(path)
    cols = {r[1] for r in conn.execute('PRAGMA table_info("bank_projects")')}
    conn.close()
    assert {"start_year", "status_since"} <= cols
    assert set(model.BANK_LAYERS) <= set(store.layers())


def test_sample_bank_variety_and_ledger(store, sample_dir, tmp_path):
    t = bank_table(store).set_index("project_id")
    assert t.loc["BP08", "remaining"] == 0                     # full
    assert 0 < t.loc["BP02", "remaining"] <= 0.1 * t.loc["BP02", "capacity"]  # nearly full
    assert (t["allocated"] <= t["capacity"]).all()
    assert {"ha", "tCO2e", "fish_fry"} <= set(t["capacity_unit"])
    assert store.count("case_scenarios") == 3 and store.count("escrow") == 1
    hist = store.read("bank_status_history")
    # every project's history ends in its current status, dates in order
    for pid, h in hist.groupby("project_id"):
        assert h["to_status"].iloc[-1] == t.loc[pid, "status"]
        assert h["changed_on"].is_monotonic_increasing
    # the committed sample files are what the generator writes
    from restoration.sample.build import _bank_tables
    bank = gpd.read_file(sample_dir / "bank_projects.gpkg")
    for name, frame in _bank_tables(bank).items():
        frame.to_csv(tmp_path / f"{name}.csv", index=False, encoding="utf-8")
        assert (tmp_path / f"{name}.csv").read_bytes() == (sample_dir / f"{name}.csv").read_bytes(), name
    scn = json.loads(pd.read_csv(sample_dir / "case_scenarios.csv")["scenario"].iloc[0])
    assert scn["schema_version"] == 1
