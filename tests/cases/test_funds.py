"""The funds ledger: totals, instalment status and arrears; no disbursement beyond what was received."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from restoration.cases import add_ledger_entry, ledger, summarise_ledger
from restoration.errors import ConflictError, InputError

from .conftest import TODAY


def test_sample_arrears_and_instalments(store):
    s = ledger(store, "GX-2023-015", TODAY)["summary"]
    assert (s.scheduled_yuan, s.received_yuan, s.disbursed_yuan) == (280_000, 170_000, 150_000)
    assert (s.balance_yuan, s.outstanding_yuan, s.arrears_yuan) == (20_000, 110_000, 110_000)
    assert list(s.instalments["status"]) == ["paid", "paid", "overdue", "overdue"]
    assert list(s.instalments["paid_yuan"]) == [70_000, 70_000, 30_000, 0]
    # the paper-mill case paid its third instalment five days late
    s = ledger(store, "GX-2022-011", TODAY)["summary"]
    assert list(s.instalments["status"]) == ["paid", "paid", "paid_late"]
    assert s.received_yuan == 650_000 and s.arrears_yuan == 0


def test_summary_allocates_receipts_in_due_order():
    rows = pd.DataFrame([
        {"entry_type": "instalment_due", "amount_yuan": 100.0, "entry_date": "2025-01-01", "due_date": "2025-06-30",
         "instalment_no": 2},
        {"entry_type": "instalment_due", "amount_yuan": 100.0, "entry_date": "2025-01-01", "due_date": "2025-03-31",
         "instalment_no": 1},
        {"entry_type": "received", "amount_yuan": 150.0, "entry_date": "2025-03-01", "due_date": None,
         "instalment_no": None}])
    s = summarise_ledger(rows, date(2025, 5, 1))
    assert list(s.instalments["instalment_no"]) == [1, 2]
    assert list(s.instalments["status"]) == ["paid", "partly_paid"]
    assert s.arrears_yuan == 0
    s = summarise_ledger(rows, date(2025, 7, 1))
    assert list(s.instalments["status"]) == ["paid", "overdue"] and s.arrears_yuan == 50
    empty = summarise_ledger(rows.iloc[0:0], date(2025, 7, 1))
    assert empty.balance_yuan == 0 and empty.instalments.empty


def test_over_disbursement_is_refused(store):
    cid = "GX-2022-010"  # received 3,150,000, disbursed 2,400,000
    version, n = store.version, store.count("funds_ledger")
    with pytest.raises(InputError) as exc:
        add_ledger_entry(store, cid, {"entry_type": "disbursed", "amount_yuan": 750_000.01,
                                      "entry_date": "2026-11-01", "purpose": "S017"}, "treasurer", today=TODAY)
    assert "exceeds the balance" in str(exc.value) and "750,000.00" in str(exc.value)
    assert store.version == version and store.count("funds_ledger") == n
    add_ledger_entry(store, cid, {"entry_type": "disbursed", "amount_yuan": 750_000, "entry_date": "2026-11-01",
                                  "purpose": "S017"}, "treasurer", today=TODAY)
    assert ledger(store, cid, TODAY)["summary"].balance_yuan == 0
    with pytest.raises(InputError, match="exceeds the balance"):
        add_ledger_entry(store, cid, {"entry_type": "disbursed", "amount_yuan": 0.01, "entry_date": "2026-11-02"},
                         "treasurer", today=TODAY)


def test_receipt_then_disbursement_and_checks(store):
    cid = "GX-2023-015"
    case = store.get("cases", cid)
    add_ledger_entry(store, cid, {"entry_type": "received", "amount_yuan": 110_000, "entry_date": "2026-11-18",
                                  "counterparty": "红河口县某食品有限公司"}, "treasurer",
                     expected_version=case["version"], today=TODAY)
    s = ledger(store, cid, TODAY)["summary"]
    assert s.arrears_yuan == 0 and list(s.instalments["status"]) == ["paid", "paid", "paid_late", "paid_late"]
    assert store.get("cases", cid)["version"] == case["version"] + 1
    with pytest.raises(ConflictError):
        add_ledger_entry(store, cid, {"entry_type": "received", "amount_yuan": 1, "entry_date": "2026-11-18"},
                         "treasurer", expected_version=case["version"], today=TODAY)
    with pytest.raises(InputError, match="in the future"):
        add_ledger_entry(store, cid, {"entry_type": "received", "amount_yuan": 1, "entry_date": "2026-12-01"},
                         "treasurer", today=TODAY)
    with pytest.raises(InputError, match="below the minimum"):
        add_ledger_entry(store, cid, {"entry_type": "received", "amount_yuan": -5, "entry_date": "2026-11-01"},
                         "treasurer", today=TODAY)
    with pytest.raises(InputError, match="due_date"):
        add_ledger_entry(store, cid, {"entry_type": "instalment_due", "amount_yuan": 5, "entry_date": "2026-11-01"},
                         "treasurer", today=TODAY)
    audit = store.read("audit_log", layer="funds_ledger")
    assert "treasurer" in set(audit["actor"])


def test_cli_ledger(store, capsys, run_cli):
    data = store.data_dir
    code, out, err = run_cli(capsys, data, "case", "ledger", "add", "GX-2022-012", "disbursed", "1", "2026-11-01",
                             "--today", "2026-11-20")
    assert code == 2 and "exceeds the balance" in err and "nothing was written" in err
    code, out, _ = run_cli(capsys, data, "case", "ledger", "show", "GX-2023-015", "--today", "2026-11-20", "--json")
    import json
    assert code == 0 and json.loads(out)["arrears_yuan"] == 110_000
