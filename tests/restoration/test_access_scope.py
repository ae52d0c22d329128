"""Jurisdictions through every read function a page or command calls: a county user gets no other
county's case, site or bank project — refused, or left out of lists, totals and files (issue 11).

Each function is given the user's scoped view of the store (as the dashboards do); its whole
output (frames, dicts, and the bytes of ZIP archives, Excel books and GeoPackages) is searched
for the ids of every case, site and project outside the county.
"""
from __future__ import annotations

import io
import math
import re
import zipfile
from datetime import date

import pandas as pd
import pytest

from restoration import access, scoped_store
from restoration.access import Actor, PermissionDenied

TODAY = date(2026, 11, 20)
QINGLAN = Actor("qinglan.ro", "readonly", "C01")  # 青岚县: GX-2024-003, GX-2022-010
CASE, OTHER, OTHER_PROJECT = "GX-2022-010", "GX-2023-009", "BP12"  # OTHER, BP12: 石岭县 (C03)


def _outside(store, actor) -> list[str]:
    """Ids of cases, sites and projects outside ``actor``'s region (a project where one of the
    region's own cases holds capacity is named in that case's allocation, so it is left out)."""
    sc = scoped_store.scope(store, actor)
    if sc.everything:
        return []
    held = set(store.read("bank_allocations", case_id=tuple(sc.case_ids) or None)["project_id"]) if sc.case_ids else set()
    return sorted((set(store.read("cases")["case_id"]) - sc.case_ids)
                  | (set(store.read("sites")["site_id"]) - sc.site_ids)
                  | (set(store.read("bank_projects")["project_id"]) - sc.project_ids - held))


def _text(obj) -> str:
    """Everything an output holds, as text (archives and workbooks unpacked)."""
    if isinstance(obj, (bytes, bytearray)):
        data = bytes(obj)
        if data[:2] == b"PK":
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                return " ".join(z.namelist()) + " ".join(_text(z.read(n)) for n in z.namelist())
        return data.decode("utf-8", "replace")
    if isinstance(obj, pd.DataFrame):
        return obj.drop(columns="geometry", errors="ignore").to_csv() + repr(obj.attrs)
    if hasattr(obj, "to_dict") and not isinstance(obj, pd.Series):
        return repr(obj.to_dict())
    return repr(obj)


def _leaked(obj, ids: list[str]) -> list[str]:
    pattern = r"(?<![\w-])(" + "|".join(re.escape(i) for i in ids) + r")(?![\w-])"
    return sorted(set(re.findall(pattern, _text(obj))))


# the functions read only through the view's operations, which the next test runs on both backends
@pytest.mark.parametrize("backend", ["gpkg"])
def test_a_county_user_gets_nothing_of_another_county_through_any_read_function(store, tmp_path):
    from restoration import bank, kpis, monitoring
    from restoration.appraisal.records import amount_provenance
    from restoration.bank import ledger
    from restoration.cases import case_record, funds, procedure
    from restoration.cases.register import export_register
    from restoration.profiles import load_profile
    from restoration.reports.appraisal_xlsx import write_case_appraisal_xlsx
    from restoration.reports.case_report import case_report_html
    from restoration.reports.layers import export_layers_gpkg

    view = scoped_store.scoped(store, QINGLAN)
    outside = _outside(store, QINGLAN)
    assert OTHER in outside and OTHER_PROJECT in outside and CASE not in outside
    other_sites = sorted(store.read("sites", case_id=OTHER)["site_id"])
    other_party = store.get("cases", OTHER)["liable_party"]
    # what the other county's records are asked for by id: refused, never answered
    named = {
        "case_record": lambda: case_record(view, OTHER, today=TODAY),
        "funds ledger": lambda: funds.ledger(view, OTHER, today=TODAY),
        "fund use": lambda: procedure.fund_use(view, OTHER),
        "case archive ZIP": lambda: procedure.archive_bytes(view, OTHER, TODAY),
        "case archive file": lambda: procedure.export_archive(view, OTHER, tmp_path / "a.zip", TODAY),
        "case report": lambda: case_report_html(view, OTHER, TODAY),
        "appraisal workbook": lambda: write_case_appraisal_xlsx(view, OTHER, tmp_path / "x.xlsx"),
        "appraisal provenance": lambda: amount_provenance(view, view.get("cases", OTHER)),
        "project balance": lambda: ledger.project_balance(view, OTHER_PROJECT),
        "base-site ranking": lambda: bank.rank_base_sites_dict(view, OTHER),
        "case obligation": lambda: bank.case_obligation(view, OTHER),
        "case scenario": lambda: bank.case_scenario(view, OTHER),
        "progress of the case": lambda: monitoring.progress_table(view, OTHER, today=TODAY),
        "site series": lambda: monitoring.site_series(view, other_sites[0], "ndvi"),
    }
    for name, call in named.items():
        with pytest.raises(PermissionDenied, match="outside the user's region"):
            call()
    # lists, totals and files over "everything": only the county's records, and the same
    # numbers the county's own records give
    profile = load_profile("zhejiang")
    lists = {
        "bank table": lambda: bank.bank_table(view),
        "balances": lambda: ledger.balances(view),
        "allocations of the other project": lambda: ledger.allocations(view, project_id=OTHER_PROJECT),
        "ledger of the other project": lambda: ledger.ledger_table(view, project_id=OTHER_PROJECT),
        "ledger": lambda: ledger.ledger_table(view),
        "overview KPIs asked for the other case": lambda: kpis.overview(view, [OTHER], TODAY),
        "progress": lambda: monitoring.progress_table(view, None, today=TODAY),
        "alerts": lambda: monitoring.alerts(view, None, today=TODAY),
        "evaluations": lambda: monitoring.evaluations(view),
        "evaluations of the other case": lambda: monitoring.evaluations(view, OTHER),
        "recovery assessments": lambda: monitoring.assessments(view),
        "credit record of the other case's party": lambda: procedure.credit_record(view, other_party),
        "assessment workbook": lambda: procedure.export_assessment(view, tmp_path / "k.xlsx", today=TODAY).read_bytes(),
        "screening reports": lambda: procedure.screening_report_status(view, profile, TODAY),
        "register workbook": lambda: export_register(view, tmp_path / "r.xlsx", today=TODAY).read_bytes(),
        "layers GeoPackage": lambda: export_layers_gpkg(view, tmp_path / "l.gpkg").read_bytes(),
        "screening reports layer": lambda: view.read("screening_reports"),
        "audit log": lambda: view.read("audit_log"),
        "events, narrow read": lambda: view.read("case_events", columns=["event_type", "details"]),
    }
    for name, call in lists.items():
        out = call()
        assert not _leaked(out, outside), f"{name} shows another county's records: {_leaked(out, outside)}"
    own_cases = sorted(view.read("cases")["case_id"])
    # the figures are the county's: KPIs as for its own cases, the assessment's one row as the
    # province's row for that county, the credit record without the other county's case
    mine_k, own_k = kpis.overview(view, None, TODAY).to_dict(), kpis.overview(store, own_cases, TODAY).to_dict()
    assert not _leaked(mine_k, outside)
    assert mine_k.keys() == own_k.keys()
    for key, value in mine_k.items():
        same = value.equals(own_k[key]) if isinstance(value, (pd.DataFrame, pd.Series)) else value == own_k[key]
        assert same, key
    mine = procedure.assessment(view, today=TODAY)
    whole = procedure.assessment(store, today=TODAY)
    assert list(mine["region"]) == ["青岚县"] and not _leaked(mine, outside)
    assert mine.set_index("region").loc["青岚县"].equals(whole.set_index("region").loc["青岚县"])
    assert procedure.credit_record(view, other_party)["cases"] == []
    assert OTHER in procedure.credit_record(store, other_party)["cases"]
    assert set(bank.bank_table(view)["project_id"]) == {"BP01", "BP02", "BP03"}  # BP01: the case's


def test_every_read_operation_of_the_scoped_view_answers_from_the_region(store):
    """On both backends: the store's aggregate operations through a county user's view."""
    from restoration import bank
    from restoration.bank import ledger
    view = scoped_store.scoped(store, QINGLAN)
    outside = _outside(store, QINGLAN)
    own_cases = sorted(view.read("cases")["case_id"])
    assert own_cases == ["GX-2022-010", "GX-2024-003"]
    assert view.count("cases") == 2 and view.keys("cases") == set(own_cases)
    assert view.values("sites", "case_id") == set(own_cases)
    assert view.values("sites", "county", role="in_situ_restoration") == {"青岚县"}
    own_funds = store.read("funds_ledger", case_id=tuple(own_cases))["amount_yuan"].sum()
    assert view.total("funds_ledger", "amount_yuan") == pytest.approx(own_funds)
    assert own_funds < store.total("funds_ledger", "amount_yuan")
    assert set(view.totals("bank_allocations", "amount", ["project_id"])["project_id"]).isdisjoint(outside)
    # a project where the county's case holds capacity: the allocation is the case's, the
    # project's balance is not
    bal, whole = ledger.balances(view).set_index("project_id"), ledger.balances(store).set_index("project_id")
    assert set(bal.index) == {"BP01", "BP02"} and "BP01" in set(ledger.allocations(view)["project_id"])
    assert bal.loc["BP01"].isna().all() and bal.loc["BP02"].equals(whole.loc["BP02"])
    assert math.isnan(ledger.project_balance(view, "BP01")["remaining"])
    assert ledger.project_balance(view, "BP02")["remaining"] == ledger.project_balance(store, "BP02")["remaining"]
    # the county's case's obligation counts its capacity on the other county's project
    assert bank.case_obligation(view, CASE)["covered_fraction"] == bank.case_obligation(store, CASE)["covered_fraction"]
    counts = view.info()["layers"]
    assert counts["cases"] == 2 and counts["counties"] == store.count("counties")
    assert view.last_change("cases", OTHER) is None
    with view.snapshot() as snap:
        assert set(snap.read("cases")["case_id"]) == set(own_cases)
    with pytest.raises(PermissionDenied):
        view.query("SELECT * FROM cases")
    x0, y0, x1, y1 = view.extent("sites")
    sx0, sy0, sx1, sy1 = store.extent("sites")
    assert (x1 - x0) * (y1 - y0) < (sx1 - sx0) * (sy1 - sy0)
    assert not _leaked(view.read("case_events", columns=["event_type", "details"]), outside)
    assert view.read("screening_reports").empty and len(store.read("screening_reports"))  # 石岭县, 柳溪县


def test_the_province_and_the_city_see_everything_below_them(store):
    from restoration.bank import ledger
    city = scoped_store.scoped(store, Actor("guixi", "readonly", "桂西市"))
    province = scoped_store.scoped(store, Actor("prov", "readonly"))
    assert _outside(store, Actor("prov", "readonly")) == []
    assert province.count("bank_allocations") == store.count("bank_allocations")
    assert ledger.balances(province).equals(ledger.balances(store))
    assert city.count("cases") == store.count("cases")  # every sample county lies in 桂西市
