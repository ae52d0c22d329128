"""The CLI as one package: strict JSON from every ``--json``, one actor spelling in the audit
log, ``--today`` and ``--verbose`` at the root, and "busy, retry" with exit code 4; on both
backends."""
from __future__ import annotations

import json
import threading

import pytest


#: every command with --json that reads the sample (arguments for the sample region)
JSON_COMMANDS = [
    ["info"], ["db", "info"], ["case", "list"], ["case", "show", "GX-2023-009"],
    ["case", "deadlines", "GX-2023-009"], ["case", "overdue"], ["case", "ledger", "show", "GX-2023-009"],
    ["case", "profile", "guangxi"], ["monitor", "progress"], ["monitor", "alerts"], ["bank", "list"],
    ["bank", "show", "BP12"], ["bank", "rank", "GX-2023-008"], ["bank", "obligation", "GX-2023-008"],
    ["bank", "ledger"], ["bank", "escrow", "list"],
]


def _no_nan(text: str):
    def refuse(token):
        raise AssertionError(f"not strict JSON: {token}")
    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("args", JSON_COMMANDS, ids=lambda a: " ".join(a))
def test_every_json_output_is_strict(store, cli, args):
    code, out, err = cli("--data", store.data_dir, "--today", "2026-11-20", *args, "--json")
    assert code == 0, err
    data = _no_nan(out)
    assert data not in (None, [], {})


def test_case_list_json_has_null_not_nan(store, cli):
    code, out, _ = cli("--data", store.data_dir, "case", "list", "--json")
    assert code == 0 and "NaN" not in out
    rows = _no_nan(out)
    assert any(r["damage_amount_yuan"] is None for r in rows)  # a screening lead has no amount yet


def test_one_actor_spelling_for_every_command(store, cli, monkeypatch):
    monkeypatch.setenv("RESTORATION_USER", "wang.li")
    before = store.count("audit_log")
    assert cli("--data", store.data_dir, "bank", "reserve", "BP12", "--case", "GX-2023-008", "--amount", "1")[0] == 0
    assert cli("--data", store.data_dir, "--today", "2026-11-20", "case", "event", "add", "GX-2023-009", "inspection",
               "2026-11-19")[0] in (0, 2)
    assert cli("--data", store.data_dir, "--actor", "zhao.min", "bank", "escrow", "deposit", "GX-2023-008",
               "--amount-yuan", "1000", "--holder", "某基金")[0] == 0
    new = store.read("audit_log").iloc[before:]
    assert len(new) >= 2
    assert set(new["actor"]) <= {"wang.li", "zhao.min"} and "zhao.min" in set(new["actor"])
    assert not any(a.startswith("cli:") for a in store.values("audit_log", "actor"))


def test_users_commands_name_the_actor_as_every_command(store, cli, monkeypatch):
    monkeypatch.delenv("RESTORATION_USER", raising=False)
    monkeypatch.setenv("NEW_PW", "C0unty-passphrase")
    before = store.count("audit_log")
    assert cli("--data", store.data_dir, "users", "add", "zhou", "--role", "planner", "--password-env",
               "NEW_PW")[0] == 0
    assert cli("--data", store.data_dir, "bank", "reserve", "BP12", "--case", "GX-2023-008", "--amount", "1")[0] == 0
    new = store.read("audit_log").iloc[before:]
    assert "user add" in set(new["action"]) and len(set(new["actor"])) == 1  # one person, one spelling
    assert not next(iter(new["actor"])).startswith("cli:")
    before = store.count("audit_log")
    assert cli("--data", store.data_dir, "--actor", "zhao.min", "users", "disable", "zhou")[0] == 0
    assert set(store.read("audit_log").iloc[before:]["actor"]) == {"zhao.min"}


def test_verbose_logs_through_logging(tmp_path, cli, monkeypatch):
    monkeypatch.delenv("RESTORATION_DB", raising=False)
    code, out, err = cli("--data", tmp_path / "d", "-v", "init", "--empty")
    assert code == 0
    assert "INFO restoration.store.core: created store" in err
    code, out, err = cli("--data", tmp_path / "d", "info")
    assert code == 0 and "INFO" not in err  # quiet without -v


def test_bad_root_today_is_refused(store, cli):
    code, _, err = cli("--data", store.data_dir, "--today", "2026-13-40", "case", "overdue")
    assert code == 2 and "--today" in err and "YYYY-MM-DD" in err


def test_busy_store_says_retry_with_the_conflict_exit_code(store, cli, monkeypatch):
    monkeypatch.setenv("RESTORATION_LOCK_TIMEOUT", "1")
    from restoration.store import open_store
    from restoration.store.postgis import close_pools
    close_pools()
    holding, release = threading.Event(), threading.Event()

    def hold():
        with open_store(store.url or store.path, create=False).transaction("holder") as tx:
            tx.update("bank_projects", "BP12", {"name": "held"})
            holding.set()
            release.wait(30)

    t = threading.Thread(target=hold)
    t.start()
    try:
        assert holding.wait(30)
        code, out, err = cli("--data", store.data_dir, "bank", "status", "BP12", "closed")
    finally:
        release.set()
        t.join(30)
    assert code == 4, err
    assert "busy" in err and "retry" in err
