"""Profile status: drafts until activated with a date and a document number (文号); values from a
draft or unverified rule are advisory wherever a deadline is shown, counted apart; values verified
against a document not held here say so; a named draft version is assignable to a case."""
from __future__ import annotations

from datetime import date

import pandas as pd

from restoration.cases import deadlines, load_profile
from restoration.cases.deadlines import compute_deadlines
from restoration.importer import prepare
from restoration.kpis import overview

TODAY = date(2026, 11, 20)


def test_shipped_provincial_profiles_are_drafts_and_national_is_in_force():
    for name in ("guangxi", "zhejiang", "guangxi@draft-2025", "zhejiang@draft-2025"):
        p = load_profile(name)
        assert p.is_draft and p.document_number is None and p.id in p.draft_origins, name
    national = load_profile("national")
    assert not national.is_draft and national.document_number == "环法规〔2022〕31号"


def test_values_checked_against_documents_not_held_here():
    gx = load_profile("guangxi")
    table = gx.table().set_index("rule")
    # the 3,000-yuan minor cap cites 桂环规范〔2024〕1号, whose text is not in the repository
    assert table.loc["classification.significantly_minor.amount_cap_yuan", "checked_against"] == "not_held"
    assert table.loc["classification.simple.amount_cap_yuan", "checked_against"] == "held"  # the seed
    assert table.loc["jurisdiction.region_level_cases", "checked_against"] == "not_held"
    assert table.loc["classification.simple.amount_cap_yuan", "advisory"] == "draft"
    zj = load_profile("zhejiang").table().set_index("rule")
    assert zj.loc["screening.report_every_months", "checked_against"] == "not_held"


def test_draft_and_unverified_deadlines_are_advisory():
    case = {"case_id": "T-1", "incident_date": "2025-01-01", "case_class": "ordinary"}
    evs = [{"event_type": t, "event_date": d, "details": {}} for t, d in (
        ("clue_registered", "2025-02-01"), ("filed", "2025-02-10"), ("investigation_started", "2025-02-20"),
        ("investigation_reported", "2025-04-01"), ("appraisal_commissioned", "2025-04-10"),
        ("appraisal_reported", "2025-06-01"), ("consultation_notice_served", "2025-06-10"))]
    (gx,) = [d for d in compute_deadlines(case, evs, load_profile("guangxi"), today=TODAY)
             if d.deadline == "consultation"]
    assert gx.overdue and gx.advisory == "draft" and gx.to_dict()["advisory_en"] == "from a draft — advisory"
    # the national 90 days is from memory (verified = false): advisory under the national profile too
    (nat,) = [d for d in compute_deadlines(case, evs, load_profile("national"), today=TODAY)
              if d.deadline == "consultation"]
    assert nat.overdue and nat.advisory == "unverified"


def test_overdue_counted_apart_and_a_draft_version_assignable(store, cli):
    k = overview(store, tuple(store.read("cases")["case_id"]), TODAY)
    table = k.overdue_table
    assert k.overdue_advisory == int(table["advisory"].notna().sum()) >= 1
    assert k.overdue_advisory < k.overdue  # the agreement's and the ledger's dates bind
    code, out, _ = cli("--data", store.data_dir, "--today", TODAY.isoformat(), "case", "overdue")
    assert code == 0 and f"{k.overdue_advisory} of them advisory" in out and "from a draft — advisory" in out
    frame = pd.DataFrame([{"case_id": "T-DRAFT", "title": "草案试算", "region": "石岭县", "case_class": "ordinary",
                           "stage": "screening", "claimant_agency": "测试局", "liable_party": "某公司",
                           "incident_date": "2025-01-01", "discovered_date": "2025-01-01",
                           "profile": "guangxi@draft-2025"}])
    with store.transaction("test") as tx:
        clean, _ = prepare(tx, "cases", frame)
        tx.insert("cases", clean)
    dls = deadlines(store, "T-DRAFT", TODAY)  # computed under the draft, not refused as "unknown profile"
    assert [d.deadline for d in dls] == ["filing_decision"] and dls[0].profile == "guangxi"


def test_what_if_deadlines_under_a_named_version(gpkg_store, cli):
    before = gpkg_store.get("cases", "GX-2024-005")
    code, out, err = cli("--data", gpkg_store.data_dir, "--today", TODAY.isoformat(), "case", "deadlines",
                         "GX-2024-005", "--profile", "national")
    assert code == 0, err
    assert "what-if under national" in out and "unverified — advisory" in out  # national 90 days: from memory
    assert gpkg_store.get("cases", "GX-2024-005")["profile"] == before["profile"]
