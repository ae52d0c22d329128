"""Roles × actions, enforced by the write functions themselves, and jurisdictions (province →
city → county) on the sample store: refusals write nothing."""
from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

from restoration import access, auth, scoped_store
from restoration.access import Actor, PermissionDenied

CASE = "GX-2022-010"  # 青岚县 (C01), in restoration, with a scenario
OTHER = "GX-2023-009"  # 石岭县 (C03)
PROJECT = "BP02"  # 青岚县, operational (karst grassland, like the case)
INSPECTION = {"event_type": "inspection", "event_date": "2026-11-18",
              "details": {"inspector": "王工", "findings": "补植成活"}}


def _scenario(store):
    return store.read("case_scenarios", case_id=CASE).iloc[0]["scenario"]


def _csv(tmp_path, text, name):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _do(action, store, actor, tmp_path):
    """Take ``action`` through the platform's own write function, as ``actor``."""
    from restoration.bank import deposit, reserve, set_case_scenario, set_status
    from restoration.cases import add_event
    from restoration.cases.funds import add_entry
    from restoration.cases.modes import add_mode
    from restoration.cases.records import override_class, update_case
    from restoration.importer import import_file
    from restoration.monitoring.evaluation import evaluate_case
    from restoration.monitoring.tables import ingest_table
    if action == "users.manage":
        return auth.add_user(store.data_dir, "new.user", "Fresh-passphrase-9", "readonly", actor=actor)
    if action == "rules.edit":  # no rule-profile editor exists yet: the check itself
        return access.require(actor, "rules.edit", store)
    if action == "data.import":
        path = _csv(tmp_path, "case_id,title,region,case_class,stage,claimant_agency\n"
                              "GX-2026-100,青岚县某企业测试案,青岚县,simple,screening,桂西市生态环境局\n", "c.csv")
        return import_file(store, "cases", path, actor=actor)
    if action == "case.edit":
        return update_case(store, CASE, {"notes": "复核"}, actor)
    if action == "case.assign":
        return update_case(store, CASE, {"joint_regions": ["C03"]}, actor)
    if action == "case.disclose":
        return update_case(store, CASE, {"public_title": "青岚县某企业破坏岩溶植被案"}, actor)
    if action == "case.event":
        return add_event(store, CASE, INSPECTION, actor, today=pd.Timestamp("2026-11-20").date())
    if action == "case.correct":  # a stage correction, with its reason and document
        return add_event(store, CASE, {"event_type": "stage_corrected", "event_date": "2026-11-18", "details": {
            "stage": "effect_evaluation", "reason": "台账阶段有误", "document": "青岚环函〔2026〕9号"}},
                         actor, today=pd.Timestamp("2026-11-20").date())
    if action == "case.appraisal":
        return add_event(store, "GX-2024-004", {"event_type": "appraisal_reported", "event_date": "2026-11-18"},
                         actor, today=pd.Timestamp("2026-11-20").date())
    if action == "case.classify":
        return override_class(store, CASE, "major", "复核后维持", actor)
    if action == "case.modes":
        return add_mode(store, CASE, "monetary", actor=actor, parameters={"amount_yuan": 1000})
    if action == "case.funds":
        return add_entry(store, CASE, {"entry_type": "received", "amount_yuan": 100.0, "entry_date": "2026-11-18"},
                         actor, today=pd.Timestamp("2026-11-20").date())
    if action == "scenario.edit":
        return set_case_scenario(store, CASE, _scenario(store), source="test", actor=actor)
    if action == "monitoring.ingest":
        path = _csv(tmp_path, "site_id,indicator,time,value,unit\nS010,cod,2026-11-01,12.0,mg/L\n", "wq.csv")
        return ingest_table(store, path, actor=actor)
    if action == "monitoring.evaluate":
        return evaluate_case(store, CASE, as_of="2026-11-20", actor=actor)
    if action == "monitoring.plan":
        from restoration.monitoring.targets import set_target
        return set_target(store, {"site_id": "S010", "indicator": "vegetation_cover", "baseline": 20, "target": 80,
                                  "baseline_date": "2025-01-01", "target_date": "2028-01-01"}, actor)
    if action == "bank.registry":
        return set_status(store, "BP10", "approved", on="2026-11-20", actor=actor)
    if action == "bank.allocate":
        return reserve(store, PROJECT, CASE, 0.5, actor=actor)
    if action == "bank.escrow":
        return deposit(store, CASE, 1000.0, "某公证处提存账户", actor=actor)
    raise AssertionError(f"no test for {action}")


def _allowed(role, action):
    # a supervisor records every event, appraisal results included
    return action in access.MATRIX[role] or (action == "case.appraisal" and "case.event" in access.MATRIX[role])


def test_every_action_has_a_test():
    for action in access.ACTIONS:
        assert _do.__code__.co_consts and any(action == c for c in _do.__code__.co_consts), action


@pytest.mark.parametrize("action", list(access.ACTIONS))
@pytest.mark.parametrize("role", access.ROLES)
def test_matrix(store, tmp_path, role, action):
    from restoration.cases.records import update_case
    # the appraiser is assigned to both cases it is tested on (an admin assigns them)
    for case in (CASE, "GX-2024-004"):
        update_case(store, case, {"appraisers": ["u1"]}, "admin-setup")
    before = store.version
    audit = store.count("audit_log")
    who = Actor("u1", role, access.PROVINCE)
    if _allowed(role, action):
        _do(action, store, who, tmp_path)  # allowed: the write goes through
        assert store.version > before or action in ("rules.edit", "users.manage")
    else:
        with pytest.raises(PermissionDenied):
            _do(action, store, who, tmp_path)
        assert store.version == before and store.count("audit_log") == audit  # nothing written


def test_appraiser_acts_only_on_assigned_cases(store):
    from restoration.bank import set_case_scenario
    who = Actor("zhang.appraiser", "appraiser")
    with pytest.raises(PermissionDenied, match="not assigned"):
        set_case_scenario(store, CASE, _scenario(store), actor=who)
    from restoration.cases.records import update_case
    update_case(store, CASE, {"appraisers": ["zhang.appraiser"]}, "admin")
    sid = set_case_scenario(store, CASE, _scenario(store), actor=who)
    assert store.get("case_scenarios", sid)["case_id"] == CASE
    last = store.read("audit_log").iloc[-1]
    assert last["actor"] == "zhang.appraiser"  # one spelling of the actor: the user's name


def test_plain_names_are_local_admins_but_refused_where_the_server_says_so(store):
    import contextvars

    from restoration.cases.records import update_case
    assert access.as_actor("cli:ops") == Actor("cli:ops", "admin", access.PROVINCE)

    def in_server():
        access.refuse_plain_names()
        with pytest.raises(PermissionDenied, match="not a signed-in user"):
            update_case(store, CASE, {"notes": "x"}, "somebody")
    contextvars.copy_context().run(in_server)
    update_case(store, CASE, {"notes": "x"}, "cli:ops")  # outside that context: still the CLI


# -- jurisdictions ---------------------------------------------------------------------------------
def test_region_tree_from_counties(store):
    tree = access.region_tree(store)
    assert tree.nodes["桂西市"].level == "city" and tree.nodes["C01"].parent == "桂西市"
    assert tree.contains("桂西市", "C01") and tree.contains(access.PROVINCE, "C03")
    assert not tree.contains("C01", "C03") and not tree.contains("C01", "桂西市")
    assert tree.resolve("青岚县") == "C01" and tree.resolve("桂西市") == "桂西市" and tree.resolve("某县") is None
    assert tree.label("C01") == "桂西市 / 青岚县"


def test_county_user_reads_and_writes_only_its_region(store):
    from restoration.cases import add_event
    from restoration.cases.records import update_case
    qinglan = Actor("qinglan.sup", "supervisor", "C01")
    view = scoped_store.scoped(store, qinglan)
    assert set(view.read("cases")["case_id"]) == {"GX-2024-003", CASE}
    assert view.get("cases", CASE)["case_id"] == CASE
    with pytest.raises(PermissionDenied):
        view.get("cases", OTHER)
    events = view.read("case_events")
    assert set(events["case_id"]) <= {"GX-2024-003", CASE} and len(events)
    before = store.version
    with pytest.raises(PermissionDenied, match="outside"):
        update_case(store, OTHER, {"notes": "越权"}, qinglan)
    with pytest.raises(PermissionDenied, match="outside"):
        add_event(store, OTHER, INSPECTION, qinglan, today=pd.Timestamp("2026-11-20").date())
    assert store.version == before
    update_case(store, CASE, {"notes": "本县复核"}, qinglan)
    assert store.get("cases", CASE)["notes"] == "本县复核"
    # what the pages ask before showing a form, and why not
    assert access.allowed(qinglan, "case.event", store, case_id=CASE)
    assert access.why_not(qinglan, "case.event", store, case_id=OTHER) == "region"
    assert access.why_not(Actor("v", "readonly", "C01"), "case.event", store, case_id=CASE) == "role"
    assert access.why_not(Actor("z", "appraiser"), "scenario.edit", store, case_id=CASE) == "assigned"
    assert store.version == before + 1  # asking wrote nothing


def test_joint_handling_lets_the_other_region_in(store):
    from restoration.cases.records import update_case
    shiling = Actor("shiling.sup", "supervisor", "C03")
    with pytest.raises(PermissionDenied):
        update_case(store, CASE, {"notes": "石岭县意见"}, shiling)
    update_case(store, CASE, {"joint_regions": ["C03"]}, Actor("qinglan.sup", "supervisor", "C01"))
    assert CASE in set(scoped_store.scoped(store, shiling).read("cases")["case_id"])
    update_case(store, CASE, {"notes": "石岭县意见"}, shiling)  # 联合办案: now theirs too
    # but a county cannot hand the case to a region outside its own
    with pytest.raises(PermissionDenied, match="outside"):
        update_case(store, CASE, {"handling_region": "C05"}, shiling)


def test_city_and_province_users_see_all_below_them(store):
    everything = set(store.read("cases")["case_id"])
    assert set(scoped_store.scoped(store, Actor("city", "readonly", "桂西市")).read("cases")["case_id"]) == everything
    assert set(scoped_store.scoped(store, Actor("prov", "readonly")).read("cases")["case_id"]) == everything


def test_bank_projects_by_region(store):
    from restoration.bank import reserve
    planner = Actor("qinglan.plan", "planner", "C01")
    # the projects in 青岚县, and BP01 (elsewhere) where a 青岚县 case holds capacity: its record only
    assert set(scoped_store.scoped(store, planner).read("bank_projects")["project_id"]) == {"BP01", "BP02", "BP03"}
    with pytest.raises(PermissionDenied, match="bank project BP12"):
        reserve(store, "BP12", CASE, 0.5, actor=planner)  # 石岭县's project
    with pytest.raises(PermissionDenied):
        reserve(store, PROJECT, OTHER, 0.5, actor=planner)  # another county's case
    assert reserve(store, PROJECT, CASE, 0.5, actor=planner)["project_id"] == PROJECT


def test_unknown_regions_refused(store):
    from restoration.cases.records import update_case
    from restoration.errors import InputError
    with pytest.raises(InputError, match="unknown region"):
        update_case(store, CASE, {"handling_region": "C99"}, "admin")


def _drop_columns(store, columns, version):
    """Make ``store`` look like one from before migration ``version``: drop its columns and the
    version's row (straight in the backend's SQL: no store operation removes a column)."""
    statements = [f'ALTER TABLE "{table}" DROP COLUMN "{column}"' for table, column in columns]
    statements.append(f"DELETE FROM restoration_schema WHERE version = {int(version)}")
    if store.path is not None:
        with sqlite3.connect(store.path) as conn:
            for sql in statements:
                conn.execute(sql)
        conn.close()
    else:
        import psycopg
        from restoration.store.postgis import close_pools
        close_pools(store.url)
        with psycopg.connect(store.url, autocommit=True) as conn:
            for sql in statements:
                conn.execute(sql)


def test_migration_8_backfills_an_older_store(store):
    """A store from before migration 8 (on both backends): columns added, cases handled where
    their county is, joint handlers and appraisers empty lists, staff data untouched."""
    from restoration.store import open_store
    before = store.read("cases").set_index("case_id")
    n_sites = store.count("sites")
    _drop_columns(store, (("cases", "handling_region"), ("cases", "joint_regions"), ("cases", "appraisers"),
                          ("cases", "public_title"), ("sites", "public_name"), ("counties", "city")), 8)
    location = store.path if store.path is not None else store.url
    store.close()
    again = open_store(location, create=False)
    assert again.schema_version >= 8 and 8 in set(again.schema_history()["version"])
    cases = again.read("cases").set_index("case_id")
    assert cases.loc[CASE, "handling_region"] == "C01" and cases.loc[OTHER, "handling_region"] == "C03"
    # every case whose county is in the counties layer is handled there, by its code
    county_code = dict(zip(again.read("counties")["name"], again.read("counties")["county_id"]))
    expected = before["region"].map(county_code)
    assert (cases.loc[expected.index, "handling_region"] == expected).all()
    assert all(list(j) == [] for j in cases["joint_regions"]) and all(list(a) == [] for a in cases["appraisers"])
    assert cases["public_title"].isna().all() and again.read("counties")["city"].isna().all()
    assert again.count("sites") == n_sites and (cases["region"] == before["region"]).all()
    # the migrated store works: a county user sees its county's cases again
    view = scoped_store.scoped(again, Actor("qinglan", "readonly", "C01"))
    assert set(view.read("cases")["case_id"]) == {"GX-2024-003", CASE}
    again.close()


def test_cli_assign_and_disclose(store, capsys):
    from restoration.cli import main

    def run(*args):
        with pytest.raises(SystemExit) as code:
            main(["--data", str(store.data_dir), *args])
        return code.value.code, capsys.readouterr()
    code, out = run("case", "assign", CASE, "--joint", "C03", "--appraiser", "zhang.app")
    assert code == 0 and "joint C03" in out.out
    assert store.get("cases", CASE)["appraisers"] == ["zhang.app"]
    code, out = run("case", "disclose", CASE, "--public-title", "青岚县某矿山企业破坏岩溶植被案")
    assert code == 0 and "青岚县某矿山企业破坏岩溶植被案" in out.out
    code, out = run("case", "disclose", CASE, "--public-title", "张三 13912345678")
    assert code == 2 and "phone" in out.err
    code, out = run("case", "assign", CASE, "--handling-region", "C99")
    assert code == 2
    code, out = run("users", "regions")
    assert code == 0 and "C01\t桂西市 / 青岚县\tcounty" in out.out


def test_appraisal_results_by_assigned_appraisers_only(store):
    from restoration.appraisal import appraise_abatement, record_appraisal
    from restoration.cases.records import update_case
    water = {"standard": "gbt39793_2", "discharge": {"amount": 12000, "unit": "m3", "source": "在线监测"},
             "unit_cost": {"value": 3.5, "basis": "survey", "source": "调查"},
             "coefficients": {"alpha": {"value": 1.5, "source": "表1"}, "omega": {"value": 1.25, "source": "表5"},
                              "tau": {"exceedance": {"measured": 350, "limit": 100}}}}
    result = appraise_abatement(water)
    who = Actor("zhang.app", "appraiser", "C06")
    with pytest.raises(PermissionDenied, match="not assigned"):
        record_appraisal(store, "GX-2024-004", result, appraiser="某鉴定机构", actor=who)
    with pytest.raises(PermissionDenied):
        record_appraisal(store, "GX-2024-004", result, appraiser="某鉴定机构", actor=Actor("p", "planner"))
    update_case(store, "GX-2024-004", {"appraisers": ["zhang.app"]}, "admin")
    row = record_appraisal(store, "GX-2024-004", result, appraiser="某鉴定机构", actor=who)
    items = store.read("claim_items", case_id="GX-2024-004")
    assert row["appraisal_id"] in set(items["appraisal_id"])
    # but not on a case of another county, assigned or not
    update_case(store, CASE, {"appraisers": ["zhang.app"]}, "admin")
    with pytest.raises(PermissionDenied, match="outside"):
        record_appraisal(store, CASE, result, appraiser="某鉴定机构", actor=who)


def test_regions_named_in_words(store):
    """Jurisdiction records may name regions ("石岭县", "自治区"): they resolve in the tree."""
    tree = access.region_tree(store)
    assert tree.resolve("自治区") == access.PROVINCE and tree.resolve(" 石岭县 ") == "C03"
    case = {"case_id": "X", "handling_region": "石岭县", "joint_regions": ["桂源县", "某外省县"]}
    assert access.case_regions(case, tree) == {"C03", "C06"}
