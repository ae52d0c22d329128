"""Staff users: argon2 hashes, no plaintext anywhere, CLI management."""
from __future__ import annotations

import json

import pytest

from restoration import auth
from restoration.cli import main
from restoration.errors import InputError


def test_users_file_holds_only_hashes(tmp_path):
    auth.add_user(tmp_path, "li.supervisor", "correct horse battery", "supervisor")
    text = (tmp_path / "users.json").read_text()
    assert "correct horse battery" not in text
    entry = json.loads(text)["users"]["li.supervisor"]
    assert entry["password_hash"].startswith("$argon2id$")
    assert auth.authenticate(tmp_path, "li.supervisor", "correct horse battery") == auth.User("li.supervisor", "supervisor")
    assert auth.authenticate(tmp_path, "li.supervisor", "wrong password") is None
    assert auth.authenticate(tmp_path, "nobody", "correct horse battery") is None


@pytest.mark.parametrize("name, password, role, field", [
    ("x", "long enough pw", "admin", "name"),
    ("ok_name", "short", "admin", "password"),
    ("ok_name", "long enough pw", "king", "role"),
])
def test_bad_users_refused(tmp_path, name, password, role, field):
    with pytest.raises(InputError) as err:
        auth.add_user(tmp_path, name, password, role)
    assert err.value.issues[0].field == field


def test_cli_adds_user_from_environment(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NEW_PW", "s3cret-passphrase")
    with pytest.raises(SystemExit) as code:
        main(["--data", str(tmp_path), "users", "add", "wang", "--role", "appraiser", "--password-env", "NEW_PW"])
    assert code.value.code == 0
    assert auth.authenticate(tmp_path, "wang", "s3cret-passphrase").role == "appraiser"
    assert "s3cret" not in (tmp_path / "users.json").read_text()
