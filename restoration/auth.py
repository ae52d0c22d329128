"""Staff users for the embedded default: a local users file with argon2 password hashes.

The file (``DATA/users.json``) holds user name, role and the argon2id hash — never a plain
password. Roles: admin, supervisor, appraiser. The public disclosure page needs no login.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .errors import InputError, Issue, NotFoundError

ROLES = ("admin", "supervisor", "appraiser")
USERS_FILE = "users.json"
_hasher = PasswordHasher()  # argon2id, library defaults (RFC 9106 low-memory profile)
_NAME = re.compile(r"^[A-Za-z0-9_.\-]{2,40}$")


@dataclass(frozen=True)
class User:
    name: str
    role: str

    def can_edit(self) -> bool:
        return self.role in ("admin", "supervisor", "appraiser")


def _load(path: Path) -> dict:
    if not path.exists():
        return {"users": {}}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(Issue(f"users file is not valid JSON: {exc.msg}", source=str(path))) from exc


def _save(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def add_user(data_dir: Path, name: str, password: str, role: str) -> User:
    """Add or replace a user; the password is stored only as an argon2id hash."""
    if not _NAME.match(name):
        raise InputError(Issue("user name must be 2–40 letters, digits, '_', '.' or '-'", field="name"))
    if role not in ROLES:
        raise InputError(Issue(f"unknown role '{role}'; use one of {', '.join(ROLES)}", field="role"))
    if len(password) < 8:
        raise InputError(Issue("password must have at least 8 characters", field="password"))
    path = Path(data_dir) / USERS_FILE
    data = _load(path)
    data["users"][name] = {"role": role, "password_hash": _hasher.hash(password)}
    _save(path, data)
    return User(name, role)


def authenticate(data_dir: Path, name: str, password: str) -> User | None:
    """The user if name and password match, else None (no hint which one was wrong)."""
    entry = _load(Path(data_dir) / USERS_FILE)["users"].get(name)
    if entry is None:
        _hasher.hash(password)  # same work either way: no timing hint that the name is unknown
        return None
    try:
        _hasher.verify(entry["password_hash"], password)
    except (VerificationError, InvalidHashError):
        return None
    return User(name, entry["role"])


def list_users(data_dir: Path) -> list[User]:
    return [User(n, e["role"]) for n, e in sorted(_load(Path(data_dir) / USERS_FILE)["users"].items())]


def remove_user(data_dir: Path, name: str) -> None:
    path = Path(data_dir) / USERS_FILE
    data = _load(path)
    if name not in data["users"]:
        raise NotFoundError(f"no user '{name}'")
    del data["users"][name]
    _save(path, data)
