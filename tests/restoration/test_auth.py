"""Sign-in hardening: lockout per account growing with each failure, per-client limit, audit,
session expiry, password policy, account commands, owner-only files."""
from __future__ import annotations

import os
import stat

import pytest

from restoration import access, auth
from restoration.cli import main
from restoration.errors import InputError

PW = "Right-passphrase-1"


@pytest.fixture
def users(store):
    data = store.data_dir
    auth.add_user(data, "li.sup", PW, "supervisor", "C01")
    auth.add_user(data, "wang.app", "Other-passphrase-2", "appraiser")
    return data


def test_fifty_wrong_then_right_is_refused(users, store):
    t0 = 1_000_000.0
    for i in range(50):
        r = auth.sign_in(users, "li.sup", f"guess {i}", client="10.0.0.9", now=t0 + i)
        assert not r.ok
    r = auth.sign_in(users, "li.sup", PW, client="10.0.0.8", now=t0 + 51)
    assert r.status == "locked" and r.retry_after > 0 and r.user is None
    # once the lock has run out, the right password works and the counter starts again
    r = auth.sign_in(users, "li.sup", PW, client="10.0.0.8", now=t0 + 51 + auth.LOCK_MAX_SECONDS + 1)
    assert r.status == "ok" and r.user.region == "C01"
    log = auth.sign_in_log(store, limit=1000)
    assert (log["action"] == "sign-in failure").sum() == 51 and (log["action"] == "sign-in success").sum() == 1


def test_lock_grows_with_each_failure(users):
    t = 2_000_000.0
    waits = []
    for i in range(auth.LOCKOUT_AFTER + 3):
        r = auth.sign_in(users, "li.sup", "wrong", client=f"c{i}", now=t)
        waits.append(r.retry_after)
        t += r.retry_after + 1  # wait the lock out, then fail again
    assert waits[:auth.LOCKOUT_AFTER - 1] == [0] * (auth.LOCKOUT_AFTER - 1)
    assert waits[auth.LOCKOUT_AFTER - 1:] == [30, 60, 120, 240]


def test_one_client_trying_many_accounts_is_refused(users):
    t = 3_000_000.0
    for i in range(auth.CLIENT_LIMIT):
        auth.sign_in(users, f"name{i}", "wrong", client="203.0.113.7", now=t + i)
    assert auth.sign_in(users, "wang.app", "Other-passphrase-2", client="203.0.113.7", now=t + 30).status == "locked"
    assert auth.sign_in(users, "wang.app", "Other-passphrase-2", client="198.51.100.1", now=t + 30).ok
    later = t + auth.CLIENT_WINDOW + 30
    assert auth.sign_in(users, "wang.app", "Other-passphrase-2", client="203.0.113.7", now=later).ok


def test_unknown_names_leave_no_counters(users):
    for i in range(30):
        auth.sign_in(users, f"nobody{i}", "x", client=f"c{i}")
    throttle = (users / auth.SIGNIN_FILE).read_text()
    assert "nobody" not in throttle


def test_audit_names_are_bounded(users, store):
    auth.sign_in(users, "x" * 500 + "\x1b[31m", "pw", client="c")
    row = auth.sign_in_log(store).iloc[0]
    assert len(row["actor"]) <= 40 and "\x1b" not in row["record_id"]


def test_session_limits(monkeypatch):
    monkeypatch.setenv("RESTORATION_SESSION_IDLE", "300")
    monkeypatch.setenv("RESTORATION_SESSION_MAX", "3600")
    assert auth.session_valid(0, 0, now=299) is None
    assert auth.session_valid(0, 0, now=301) == "idle"
    assert auth.session_valid(0, 3500, now=3601) == "expired"
    monkeypatch.setenv("RESTORATION_SESSION_IDLE", "not a number")
    assert auth.session_limits()[0] == 1800


@pytest.mark.parametrize("password, name", [("short1!", "li"), ("password123", "li"), ("aaaaaaaaaaaa", "li"),
                                            ("li.sup-passphrase", "li.sup")])
def test_password_policy(password, name):
    with pytest.raises(InputError) as err:
        auth.check_password(password, name)
    assert err.value.issues[0].field == "password"


def test_disable_enable_reset(users, store):
    auth.disable_user(users, "li.sup")
    assert not auth.sign_in(users, "li.sup", PW).ok
    auth.enable_user(users, "li.sup")
    assert auth.sign_in(users, "li.sup", PW).status == "ok"
    user, temp = auth.reset_password(users, "li.sup")
    assert user.must_change and auth.sign_in(users, "li.sup", temp).status == "must_change"
    assert not auth.sign_in(users, "li.sup", PW).ok
    with pytest.raises(InputError):
        auth.change_password(users, "li.sup", temp, temp)
    auth.change_password(users, "li.sup", temp, "Brand-new-pass-5")
    assert auth.sign_in(users, "li.sup", "Brand-new-pass-5").status == "ok"
    actions = set(store.read("audit_log", layer="users")["action"])
    assert {"user disable", "user enable", "user reset", "password change"} <= actions


def test_unknown_region_refused(users):
    with pytest.raises(InputError, match="unknown region"):
        auth.add_user(users, "zhaoyun", "Cloud-passphrase-3", "supervisor", "C99")


def test_regional_admin_cannot_manage_users_without_the_role(users):
    from restoration.access import Actor, PermissionDenied
    with pytest.raises(PermissionDenied):
        auth.disable_user(users, "wang.app", actor=Actor("li.sup", "supervisor", "C01"))
    assert not auth.get_user(users, "wang.app").disabled


def test_users_cli(users, store, monkeypatch, capsys):
    def run(*args):
        with pytest.raises(SystemExit) as code:
            main(["--data", str(users), "users", *args])
        return code.value.code, capsys.readouterr().out
    code, out = run("list")
    assert code == 0 and "li.sup\tsupervisor\tC01\tactive" in out
    assert run("disable", "li.sup")[0] == 0 and "li.sup\tsupervisor\tC01\tdisabled" in run("list")[1]
    assert run("enable", "li.sup")[0] == 0
    code, out = run("reset", "li.sup")
    assert code == 0 and "shown once" in out
    temp = out.split("shown once) ")[1].split()[0]
    assert auth.sign_in(users, "li.sup", temp).status == "must_change"
    assert run("disable", "nobody")[0] == 2
    monkeypatch.setenv("NEW_PW", "C0unty-passphrase")
    code, _ = run("add", "zhou", "--role", "planner", "--region", "桂西市", "--password-env", "NEW_PW")
    assert code == 0 and auth.get_user(users, "zhou").region == "桂西市"
    audit = auth.sign_in_log(store, limit=50)
    assert audit.iloc[0]["action"] == "user add" and audit.iloc[0]["actor"] == access.login_name()


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_files_are_owner_only(tmp_path):
    from restoration import ensure_store
    data = tmp_path / "fresh"
    store = ensure_store(data)
    auth.add_user(data, "li.sup", PW, "supervisor")
    auth.sign_in(data, "li.sup", "wrong")
    assert _mode(data) == 0o700
    assert _mode(store.path) == 0o600
    assert _mode(data / auth.USERS_FILE) == 0o600 and _mode(data / auth.SIGNIN_FILE) == 0o600


def test_demo_account_must_change(tmp_path):
    from restoration.cli import _demo_account
    _demo_account(tmp_path)
    (demo,) = auth.list_users(tmp_path)
    assert demo.name == "demo" and demo.must_change
