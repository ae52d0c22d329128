"""Monitoring plans in: ``restoration import targets FILE`` as the user runs it, on both backends —
Chinese headers, units converted, spreadsheet trajectories, every bad row refused by row and field
with the store untouched, re-import refused unless --replace — and one target set from a form
(``set_target``): revision lock, request id, audit, region."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from restoration.access import Actor
from restoration.errors import ConflictError, InputError, PermissionDenied
from restoration.monitoring import progress_table
from restoration.monitoring.targets import revision, set_target, stored_target

from ..conftest import run_cli, store_fingerprint

HEAD = "场地编号,监测指标,单位,目标方向,基线值,目标值,基线日期,目标日期,计划轨迹,参照场地编号"


def _write(path, text, encoding="utf-8"):
    path.write_text(text, encoding=encoding)
    return path


def _cli(store, capsys, *args):
    return run_cli(["--data", store.data_dir, "--today", "2026-11-20", *args], capsys)


def test_a_chinese_plan_imports_with_units_converted_and_counts_in_progress(store, tmp_path, capsys):
    f = _write(tmp_path / "监测计划.csv", HEAD + "\n"
               "S010,植被覆盖度,%,越高越好,20,80,2024-01-01,2028-01-01,2024:20; 2026:50; 2028:80,S012\n"
               "S010,化学需氧量,μg/L,,30000,20000,2024-01-01,2027-01-01,,\n"
               "S013,NDVI,,,0.2,0.6,2024-03-01,2027-03-01,,\n")
    before = store_fingerprint(store)
    code, out, err = _cli(store, capsys, "import", "targets", f, "--check")
    assert code == 0, err
    assert "checked 3 targets of 2 sites" in out and "nothing was written" in out
    assert "监测指标 → indicator (中文名)" in out and "direction blank: filled on 2 rows" in out
    assert store_fingerprint(store) == before
    code, out, err = _cli(store, capsys, "import", "targets", f)
    assert code == 0, err
    assert "imported 3 targets of 2 sites" in out
    cover = stored_target(store, "S010", "vegetation_cover")
    assert cover["planned_trajectory"] == [[2024, 20], [2026, 50], [2028, 80]]
    assert cover["direction"] == "higher" and cover["reference_site_id"] == "S012"
    cod = stored_target(store, "S010", "cod")  # μg/L → mg/L, direction from the indicator (lower)
    assert (cod["unit"], cod["baseline"], cod["target"], cod["direction"]) == ("mg/L", 30.0, 20.0, "lower")
    ndvi = stored_target(store, "S013", "ndvi")  # blank unit: the standard one; direction baseline → target
    assert (ndvi["unit"], ndvi["direction"]) == ("1", "higher")
    table = progress_table(store, today="2026-11-20")
    mine = table[table["site_id"].isin(["S010", "S013"])]
    assert sorted(zip(mine["site_id"], mine["indicator"])) == [("S010", "cod"), ("S010", "vegetation_cover"),
                                                                ("S013", "ndvi")]
    # the plan's level on 2026-11-20: 50 + 30 × (2026.886 − 2026) / 2 years
    planned = float(mine.loc[mine["indicator"] == "vegetation_cover", "planned"].iloc[0])
    assert planned == pytest.approx(50 + 30 * (2026 + (324 - 0.5) / 365.25 - 2026) / 2, abs=1e-6)


def _bad_plan(tmp_path):
    rows = [
        "S010,植被覆盖度,%,越高越好,20,80,2024-01-01,2028-01-01,,",  # 2: good
        "NOPE,ndvi,1,higher,0.2,0.6,2024-01-01,2027-01-01,,",  # 3: unknown site
        "S010,unobtainium,1,higher,1,2,2024-01-01,2027-01-01,,",  # 4: unknown indicator
        "S011,cod,furlongs,lower,40,20,2024-01-01,2027-01-01,,",  # 5: unit not accepted
        "S013,ndvi,1,higher,0.4,0.4,2024-01-01,2027-01-01,,",  # 6: baseline == target
        "S014,ndvi,1,higher,0.6,0.3,2024-01-01,2027-01-01,,",  # 7: direction against baseline → target
        "S014,cod,mg/L,higher,10,30,2024-01-01,2027-01-01,,",  # 8: COD does not improve upwards
        "S015,ndvi,1,higher,0.2,0.6,someday,2027-01-01,,",  # 9: not a date
        "S015,evi,1,higher,0.2,0.6,2025-01-01,2024-01-01,,",  # 10: target before baseline
        "S015,savi,1,higher,0.2,0.6,2027-01-01,2028-01-01,,",  # 11: baseline date in the future
        'S019,ndvi,1,higher,0.2,0.6,2024-01-01,2027-01-01,"[[0, 0.2], [5, 0.6]]",',  # 12: years since start
        "S019,evi,1,higher,0.2,0.6,2024-01-01,2027-01-01,2026:0.5; 2024:0.2,",  # 13: times not increasing
        "S019,savi,1,higher,0.2,0.6,2024-01-01,2027-01-01,soon and steady,",  # 14: not a trajectory
        "S019,gndvi,1,higher,0.2,0.6,2024-01-01,2027-01-01,2024:0.2; 2026:7,",  # 15: level out of range
        "S010,植被覆盖度,%,越高越好,10,90,2024-01-01,2028-01-01,,",  # 16: the same site and indicator as row 2
        "S016,ndvi,1,higher,0.2,0.6,2024-01-01,2027-01-01,,",  # 17: S016 already has an NDVI target
        "S021,ndvi,1,higher,1.4,0.6,2024-01-01,2027-01-01,,S021",  # 18: out of range, own reference
    ]
    return _write(tmp_path / "plan.csv", HEAD + "\n" + "\n".join(rows) + "\n")


EXPECTED = [
    ("line 3, field 'site_id'", "'NOPE' does not exist"),
    ("line 4, field 'indicator'", "unknown indicator 'unobtainium'"),
    ("line 5, field 'unit'", "unit 'furlongs' is not a unit of chemical oxygen demand (COD)"),
    ("line 6, field 'target'", "the target equals the baseline (0.4)"),
    ("line 7, field 'direction'", "the target 0.3 is below the baseline 0.6"),
    ("line 8, field 'direction'", "contradicts chemical oxygen demand (COD), which is 'lower is better'"),
    ("line 9, field 'baseline_date'", "'someday' is not a date"),
    ("line 10, field 'target_date'", "the target date 2024-01-01 is not after the baseline date 2025-01-01"),
    ("line 11, field 'baseline_date'", "the baseline date 2027-01-01 is in the future"),
    ("line 12, field 'planned_trajectory'", "0 is not a calendar year"),
    ("line 13, field 'planned_trajectory'", "times must increase (2024 after 2026)"),
    ("line 14, field 'planned_trajectory'", "year:level pairs such as 2024:0.30"),
    ("line 15, field 'planned_trajectory'", "level 7 is outside the plausible range of GNDVI"),
    ("line 16, field 'indicator'", "site S010 and vegetation cover again (first at line 2)"),
    ("line 17, field 'indicator'", "site S016 already has a target for NDVI; import with --replace"),
    ("line 18, field 'baseline'", "1.4 is outside the plausible range of NDVI (-1..1)"),
    ("line 18, field 'reference_site_id'", "site S021 cannot be its own reference site"),
]


def test_a_bad_plan_is_refused_whole_each_problem_by_row_and_field(store, tmp_path, capsys):
    path = _bad_plan(tmp_path)
    before = store_fingerprint(store)
    targets = store.count("indicator_targets")
    code, out, err = _cli(store, capsys, "import", "targets", path)
    assert code == 2, (out, err)
    for where, what in EXPECTED:
        line = next((x for x in err.splitlines() if f"plan.csv, {where}" in x), None)
        assert line is not None and what in line, (where, what, err)
    assert "line 2," not in err  # the good row has no problem
    assert "nothing was written" in err and "internal error" not in err and "Traceback" not in err
    assert store_fingerprint(store) == before and store.count("indicator_targets") == targets
    code, _, err = _cli(store, capsys, "import", "targets", path, "--check")  # --check says the same
    assert code == 2 and all(what in err for _, what in EXPECTED)


def test_re_import_is_refused_unless_replace_which_keeps_the_old_target_in_the_audit(store, tmp_path, capsys):
    old = stored_target(store, "S016", "ndvi")
    f = _write(tmp_path / "again.csv", HEAD + "\nS016,ndvi,1,higher,0.18,0.7,2023-10-15,2027-10-15,,S018\n")
    before = store_fingerprint(store)
    code, _, err = _cli(store, capsys, "import", "targets", f)
    assert code == 2 and "line 2, field 'indicator': site S016 already has a target for NDVI" in err
    assert store_fingerprint(store) == before
    others = store.read("indicator_targets").query("site_id != 'S016'").drop(columns="fid")
    code, out, err = _cli(store, capsys, "import", "targets", f, "--replace")
    assert code == 0, err
    assert "imported 1 targets of 1 sites" in out and "replaced 1 stored targets" in out
    new = stored_target(store, "S016", "ndvi")
    assert (new["target"], new["target_date"]) == (0.7, "2027-10-15")
    pd.testing.assert_frame_equal(store.read("indicator_targets").query("site_id != 'S016'").drop(columns="fid")
                                  .reset_index(drop=True), others.reset_index(drop=True))
    audit = store.read("audit_log", layer="indicator_targets")
    gone = audit[audit["action"] == "replace (import again.csv)"].iloc[-1]["before"]["records"]
    assert gone[0]["target"] == old["target"] == 0.62


def test_an_excel_plan_with_its_own_column_names(store, tmp_path, capsys):
    frame = pd.DataFrame({"点位": ["S013"], "因子": ["氨氮"], "单位": ["mg/L"], "现状值": [2.0], "目标": [1.0],
                          "备注": ["<script>x</script>"]})
    path = tmp_path / "plan.xlsx"
    frame.to_excel(path, index=False)
    code, _, err = _cli(store, capsys, "import", "targets", path)
    assert code == 2 and "missing required column(s) site_id, indicator" in err
    code, out, err = _cli(store, capsys, "import", "targets", path, "--map", "site_id=点位,indicator=因子")
    assert code == 0, err
    assert "已忽略的列 ignored columns: 备注" in out and "现状值 → baseline (alias)" in out
    nh3 = stored_target(store, "S013", "nh3_n")
    assert (nh3["baseline"], nh3["target"], nh3["direction"]) == (2.0, 1.0, "lower")


# -- one target from a form ------------------------------------------------------------------------
COVER = {"site_id": "S010", "indicator": "vegetation_cover", "unit": "%", "direction": "higher", "baseline": 20.0,
         "target": 80.0, "baseline_date": "2025-01-01", "target_date": "2028-01-01",
         "planned_trajectory": "2025:20; 2027:60; 2028:80", "reference_site_id": "S012"}
SUPERVISOR = Actor("li.supervisor", "supervisor")


def test_set_target_adds_edits_and_refuses_a_stale_form(store):
    done = set_target(store, COVER, SUPERVISOR, request_id="form:a1")
    assert done["replaced"] is False and done["revision"] == revision(stored_target(store, "S010", "vegetation_cover"))
    again = set_target(store, COVER, SUPERVISOR, request_id="form:a1")  # the same submission: written once
    assert again == done and store.count("indicator_targets", site_id="S010") == 1
    with pytest.raises(ConflictError) as e:  # a second form that saw no target
        set_target(store, {**COVER, "target": 90.0}, SUPERVISOR)
    assert "was set by li.supervisor" in str(e.value)
    edited = set_target(store, {**COVER, "target": 90.0}, SUPERVISOR, expected=done["revision"])
    assert edited["replaced"] is True and stored_target(store, "S010", "vegetation_cover")["target"] == 90.0
    before = store_fingerprint(store)
    with pytest.raises(ConflictError, match="changed by li.supervisor"):  # the first form again: stale
        set_target(store, {**COVER, "target": 70.0}, SUPERVISOR, expected=done["revision"])
    assert store_fingerprint(store) == before
    audit = store.read("audit_log", layer="indicator_targets", record_id="S010")
    last = audit.iloc[-1]
    assert last["action"] == "set indicator target" and last["actor"] == "li.supervisor"
    assert last["before"]["target"] == 80.0 and last["after"]["target"] == 90.0
    assert last["after"]["planned_trajectory"] == [[2025, 20], [2027, 60], [2028, 80]]


def test_set_target_refuses_bad_values_with_message_codes(store):
    before = store_fingerprint(store)
    with pytest.raises(InputError) as e:
        set_target(store, {**COVER, "baseline": 80.0, "target": 20.0, "planned_trajectory": "2025:20; 2024:60"},
                   SUPERVISOR)
    codes = {(i.field, getattr(i.message, "code", None)) for i in e.value.issues}
    assert ("direction", "target.direction_up") in codes and ("planned_trajectory", "target.trajectory") in codes
    with pytest.raises(InputError, match="cannot be its own reference site"):
        set_target(store, {**COVER, "reference_site_id": "S010"}, SUPERVISOR)
    assert store_fingerprint(store) == before


def test_set_target_is_for_the_plan_roles_in_their_region(store):
    with pytest.raises(PermissionDenied):
        set_target(store, COVER, Actor("ro", "readonly"))
    with pytest.raises(PermissionDenied):
        set_target(store, COVER, Actor("pl", "planner"))
    site = store.get("sites", "S010")
    counties = store.read("counties")
    other = counties.loc[counties["name"] != site["county"], "county_id"].iloc[0]
    with pytest.raises(PermissionDenied, match="outside the user's region"):
        set_target(store, COVER, Actor("county.user", "supervisor", str(other)))
    home = counties.loc[counties["name"] == site["county"], "county_id"].iloc[0]
    assert set_target(store, COVER, Actor("county.user", "supervisor", str(home)))["replaced"] is False


def test_import_by_a_regional_user_is_refused_for_sites_outside(store, tmp_path):
    from restoration.monitoring.targets import import_targets
    f = _write(tmp_path / "t.csv", HEAD + "\nS010,植被覆盖度,%,越高越好,20,80,2024-01-01,2028-01-01,,\n")
    site = store.get("sites", "S010")
    counties = store.read("counties")
    other = counties.loc[counties["name"] != site["county"], "county_id"].iloc[0]
    before = store_fingerprint(store)
    with pytest.raises(PermissionDenied, match="S010"):
        import_targets(store, f, actor=Actor("county.user", "supervisor", str(other)))
    assert store_fingerprint(store) == before
    assert json.dumps(stored_target(store, "S010", "vegetation_cover")) == "null"
