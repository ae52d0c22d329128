"""Signed session tokens: what they carry (never a password), what is refused — a changed byte,
another secret, expiry, idleness, sign-out, a disabled, reset or removed account — and the
files kept owner-only."""
from __future__ import annotations

import base64
import json
import stat

import pytest

from restoration import auth, sessions

PASSWORD = "Lijiang-Hetao-7531"


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.delenv("RESTORATION_DB", raising=False)
    monkeypatch.setenv("RESTORATION_SESSION_IDLE", "100")
    monkeypatch.setenv("RESTORATION_SESSION_MAX", "1000")
    data = tmp_path / "data"
    auth.add_user(data, "wang", PASSWORD, "supervisor")
    return data


def _claims(token: str) -> dict:
    body = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def _repack(claims: dict, signature: str) -> str:
    return base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode() + "." + signature


def test_a_token_carries_the_user_times_and_session_never_the_password(folder):
    token, session = sessions.issue(folder, "wang", now=1000)
    claims = _claims(token)
    assert claims == {"u": "wang", "iat": 1000, "exp": 2000, "sid": session.sid}
    assert PASSWORD not in token and "argon2" not in token
    assert len(session.sid) >= 24  # ≥ 128 bits of randomness
    assert sessions.verify(folder, token, now=1050) == (sessions.Session(session.sid, "wang", 1000, 1000), None)
    for name, mode in ((sessions.SECRET_FILE, 0o600), (sessions.SESSIONS_FILE, 0o600)):
        assert stat.S_IMODE((folder / name).stat().st_mode) == mode
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert len((folder / sessions.SECRET_FILE).read_bytes()) == 32


def test_changed_tokens_refused(folder, tmp_path):
    token, _ = sessions.issue(folder, "wang", now=1000)
    body, signature = token.split(".")
    claims = _claims(token)
    other_dir = tmp_path / "other"
    other, _ = sessions.issue(other_dir, "wang", now=1000)  # signed with another data folder's secret
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    for bad, why in [
        (_repack({**claims, "u": "admin"}, signature), "tampered"),
        (_repack({**claims, "exp": 10 ** 10}, signature), "tampered"),
        (flipped + "." + signature, "tampered"),
        (body + "." + signature[:-1] + ("A" if signature[-1] != "A" else "B"), "tampered"),
        (other, "tampered"),
        (body, "malformed"), ("", "malformed"), (None, "malformed"), ("a.b.c", "malformed"),
        ("x" * 5_000_000, "malformed"), ("ü.ü", "malformed"),
    ]:
        assert sessions.verify(folder, bad, now=1001) == (None, why), bad[:40] if bad else bad
    assert sessions.verify(folder, token, now=1001)[1] is None  # the real one still works


def test_expiry_idle_and_touch(folder, monkeypatch):
    token, session = sessions.issue(folder, "wang", now=1000)
    assert sessions.verify(folder, token, now=1099)[1] is None
    assert sessions.touch(folder, session.sid, now=1090)
    assert sessions.verify(folder, token, now=1180)[1] is None  # a page view restarts the idle clock
    assert sessions.verify(folder, token, now=1191) == (None, "idle")
    assert sessions.verify(folder, token, now=1192) == (None, "revoked")  # and it is gone
    token, session = sessions.issue(folder, "wang", now=5000)
    for t in range(5050, 6000, 50):
        assert sessions.touch(folder, session.sid, now=t)
    assert sessions.verify(folder, token, now=6001) == (None, "expired")  # absolute, however active
    token, session = sessions.issue(folder, "wang", now=7000)
    monkeypatch.setenv("RESTORATION_SESSION_MAX", "60")  # a shorter limit applies to running sessions
    assert sessions.verify(folder, token, now=7061) == (None, "expired")


@pytest.mark.parametrize("change", ["sign_out", "disable", "reset", "remove", "replace", "change_password"])
def test_sessions_end_with_sign_out_and_account_changes(folder, change):
    token, session = sessions.issue(folder, "wang")
    other_token, _ = sessions.issue(folder, "wang")
    {"sign_out": lambda: sessions.revoke(folder, session.sid),
     "disable": lambda: auth.disable_user(folder, "wang", actor="admin"),
     "reset": lambda: auth.reset_password(folder, "wang", actor="admin"),
     "remove": lambda: auth.remove_user(folder, "wang", actor="admin"),
     "replace": lambda: auth.add_user(folder, "wang", "Another-Pass-4321", "readonly", actor="admin"),
     "change_password": lambda: auth.change_password(folder, "wang", PASSWORD, "Another-Pass-4321"),
     }[change]()
    assert sessions.verify(folder, token) == (None, "revoked")
    assert sessions.verify(folder, other_token)[1] == (None if change == "sign_out" else "revoked")
    if change == "disable":
        auth.enable_user(folder, "wang", actor="admin")
        assert sessions.verify(folder, other_token) == (None, "revoked")  # enabling revives nothing


def test_a_short_secret_is_refused_not_used(folder):
    (folder / sessions.SECRET_FILE).write_bytes(b"short")
    with pytest.raises(RuntimeError, match="not a session secret"):
        sessions.issue(folder, "wang")
