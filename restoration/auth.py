"""Staff sign-in for the embedded default: a local users file with argon2 password hashes,
throttled and audited.

- ``DATA/users.json`` (0600) holds each user's name, role, region, argon2id hash, whether the
  account is disabled and whether the password must be changed at the next sign-in (a new or
  reset account, the demo account) — never a plain password.
- ``DATA/signin.json`` (0600) holds the failure counters: after ``LOCKOUT_AFTER`` failures in a
  row an account is locked for a time that doubles with each further failure (30 s, 60 s, …,
  at most an hour), even for the right password; a client (address) that fails
  ``CLIENT_LIMIT`` times within ``CLIENT_WINDOW`` seconds is refused for that window, whatever
  account it tries. A success resets the account's counter.
- Every sign-in success, failure and refusal is written to the store's ``audit_log`` (layer
  ``users``; the actor is the account name as typed, bounded).
- Sessions expire after ``session_limits()`` (idle and absolute, configurable by
  ``RESTORATION_SESSION_IDLE`` / ``RESTORATION_SESSION_MAX`` seconds); the dashboards check
  :func:`session_valid` on every page view. A sign-in's session outlives a reload through a
  signed token (``restoration.sessions``); disabling, removing, resetting or replacing an
  account, or changing its password, ends its sessions.

References
----------
NIST SP 800-63B (2017) §5.1.1.2 (memorised secrets: minimum length, blocklist, no composition
rules required) and §5.2.2 (rate limiting: at most 100 consecutive failures per account);
GB/T 22239-2019 信息安全技术 网络安全等级保护基本要求 §8.1.4.1 (身份鉴别: 登录失败处理、
连接超时自动退出).
"""
from __future__ import annotations

import logging
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from . import access, datafolder, sessions
from .datafolder import secure_dir  # noqa: F401  (re-exported)
from .sessions import session_limits, session_valid  # noqa: F401  (re-exported)
from .errors import InputError, Issue, NotFoundError
from .messages import Message

log = logging.getLogger(__name__)

ROLES = access.ROLES
USERS_FILE = "users.json"
SIGNIN_FILE = "signin.json"
_hasher = PasswordHasher()  # argon2id, library defaults (RFC 9106 low-memory profile)
_NAME = re.compile(r"^[A-Za-z0-9_.\-]{2,40}$")

#: password policy: minimum length; a password may not be a common one or contain the user name
MIN_PASSWORD = 10
_COMMON = frozenset({"password", "password1", "password123", "1234567890", "12345678910", "qwertyuiop",
                     "1qaz2wsx3edc", "abc1234567", "iloveyou12", "admin12345", "administrator", "letmein123",
                     "woaini1314", "a123456789", "aa123456789", "1q2w3e4r5t", "0000000000", "1111111111",
                     "changeme123", "welcome123", "p@ssw0rd12"})
#: failures in a row before an account is locked; first lock; longest lock [s]
LOCKOUT_AFTER = 5
LOCK_BASE_SECONDS = 30
LOCK_MAX_SECONDS = 3600
#: failures from one client within the window before it is refused for the window [s]
CLIENT_LIMIT = 20
CLIENT_WINDOW = 900


@dataclass(frozen=True)
class User:
    name: str
    role: str
    region: str = access.PROVINCE
    disabled: bool = False
    must_change: bool = False

    def actor(self) -> access.Actor:
        return access.Actor(self.name, self.role, self.region)


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: ``status`` ok | must_change | failed | locked;
    ``retry_after`` seconds for a lock."""

    status: str
    user: User | None = None
    retry_after: int = 0

    @property
    def ok(self) -> bool:
        return self.status in ("ok", "must_change")


# -- files ----------------------------------------------------------------------------------------
_load, _save, _locked = datafolder.load, datafolder.save, datafolder.locked


def _users(data_dir: Path) -> dict:
    return _load(Path(data_dir) / USERS_FILE, {"users": {}})


def _user(name: str, entry: dict) -> User:
    return User(name, entry["role"], entry.get("region") or access.PROVINCE, bool(entry.get("disabled")),
                bool(entry.get("must_change")))


# -- policy ---------------------------------------------------------------------------------------
def check_password(password: str, name: str = "") -> None:
    """Refuse a password shorter than ``MIN_PASSWORD``, a common one, or one holding the user name."""
    problems = []
    if len(password) < MIN_PASSWORD:
        problems.append(Message("auth.rule_length", {"n": MIN_PASSWORD}))
    low = password.lower()
    if low in _COMMON or len(set(password)) < 4:
        problems.append(Message("auth.rule_common"))
    if name and len(name) >= 3 and name.lower() in low:
        problems.append(Message("auth.rule_name"))
    if problems:
        raise InputError(Issue(Message("auth.password_rules", {"rules": problems}), field="password"))


def _store(data_dir: Path):
    """The store that goes with this data folder (a GeoPackage in it, or the server store that
    ``RESTORATION_DB`` names), or None when there is none yet."""
    from . import config
    from .errors import StoreError
    from .store import open_store
    locate = getattr(config, "store_location", None)
    location = locate(data_dir) if locate else config.store_path(data_dir)
    if isinstance(location, Path) and not location.exists():
        return None
    try:
        return open_store(location, create=False)
    except StoreError:
        return None


def _check_region(data_dir: Path, region: str) -> None:
    if region == access.PROVINCE:
        return
    store = _store(data_dir)
    if store is None:
        raise InputError(Issue(f"region '{region}' cannot be checked: no store in {data_dir} yet", field="region"))
    tree = access.region_tree(store)
    if region not in tree:
        raise InputError(Issue(f"unknown region '{region}'; use '{access.PROVINCE}', a city or a county id: "
                               f"{', '.join(tree.codes()[:30])}", field="region"))


# -- accounts -------------------------------------------------------------------------------------
def add_user(data_dir: Path, name: str, password: str, role: str, region: str = access.PROVINCE, *,
             must_change: bool = False, actor: access.Actor | str | None = None) -> User:
    """Add or replace a user; the password is stored only as an argon2id hash."""
    access.require(actor, "users.manage")
    if not _NAME.match(name or ""):
        raise InputError(Issue("user name must be 2–40 letters, digits, '_', '.' or '-'", field="name"))
    if role not in ROLES:
        raise InputError(Issue(f"unknown role '{role}'; use one of {', '.join(ROLES)}", field="role"))
    check_password(password, name)
    _check_region(data_dir, region)
    path = Path(data_dir) / USERS_FILE
    with _locked(data_dir):
        data = _users(data_dir)
        data["users"][name] = {"role": role, "region": region, "password_hash": _hasher.hash(password),
                               "disabled": False, "must_change": bool(must_change),
                               "changed_at": int(time.time())}
        _save(path, data)
    sessions.revoke_user(data_dir, name)  # a replaced account's open sessions end
    _audit(data_dir, access.name_of(actor), "user add", name, {"role": role, "region": region})
    return User(name, role, region, False, bool(must_change))


def list_users(data_dir: Path) -> list[User]:
    return [_user(n, e) for n, e in sorted(_users(data_dir)["users"].items())]


def get_user(data_dir: Path, name: str) -> User:
    entry = _users(data_dir)["users"].get(name)
    if entry is None:
        raise NotFoundError(f"no user '{name}'")
    return _user(name, entry)


def _change(data_dir: Path, name: str, actor, action: str, **fields) -> User:
    access.require(actor, "users.manage")
    with _locked(data_dir):
        data = _users(data_dir)
        if name not in data["users"]:
            raise NotFoundError(f"no user '{name}'")
        data["users"][name].update(fields)
        _save(Path(data_dir) / USERS_FILE, data)
        if action == "user enable":  # an administrator's unlock: the failure count starts again
            throttle = _load(Path(data_dir) / SIGNIN_FILE, {"accounts": {}, "clients": {}})
            throttle["accounts"].pop(name, None)
            _save(Path(data_dir) / SIGNIN_FILE, throttle)
    if action != "user enable":  # disabled or reset: every open session of the account ends
        sessions.revoke_user(data_dir, name)
    _audit(data_dir, access.name_of(actor), action, name, {k: v for k, v in fields.items() if k != "password_hash"})
    return _user(name, data["users"][name])


def disable_user(data_dir: Path, name: str, actor=None) -> User:
    """Disable an account: it can no longer sign in, and its open sessions end at their next page."""
    return _change(data_dir, name, actor, "user disable", disabled=True)


def enable_user(data_dir: Path, name: str, actor=None) -> User:
    """Enable an account again (and clear its lock)."""
    return _change(data_dir, name, actor, "user enable", disabled=False)


def reset_password(data_dir: Path, name: str, password: str | None = None, actor=None) -> tuple[User, str]:
    """Give an account a new password (a random one when none is given) that must be changed at
    the next sign-in; returns the user and the password (to hand over once)."""
    password = password or secrets.token_urlsafe(12)
    check_password(password, name)
    user = _change(data_dir, name, actor, "user reset", password_hash=_hasher.hash(password), must_change=True,
                   changed_at=int(time.time()))
    return user, password


def change_password(data_dir: Path, name: str, old: str, new: str) -> User:
    """A user changes their own password (the old one proves it is them)."""
    with _locked(data_dir):
        data = _users(data_dir)
        entry = data["users"].get(name)
        if entry is None or not _verify(entry["password_hash"], old):
            raise InputError(Issue(Message("auth.password_wrong"), field="old_password"))
        if new == old:
            raise InputError(Issue(Message("auth.password_same"), field="password"))
        check_password(new, name)
        entry.update(password_hash=_hasher.hash(new), must_change=False, changed_at=int(time.time()))
        _save(Path(data_dir) / USERS_FILE, data)
    sessions.revoke_user(data_dir, name)  # the sessions the old password opened end (the page opens a new one)
    _audit(data_dir, name, "password change", name, {})
    return _user(name, entry)


def remove_user(data_dir: Path, name: str, actor=None) -> None:
    access.require(actor, "users.manage")
    with _locked(data_dir):
        data = _users(data_dir)
        if name not in data["users"]:
            raise NotFoundError(f"no user '{name}'")
        del data["users"][name]
        _save(Path(data_dir) / USERS_FILE, data)
    sessions.revoke_user(data_dir, name)
    _audit(data_dir, access.name_of(actor), "user remove", name, {})


# -- signing in -----------------------------------------------------------------------------------
def _verify(hash_: str, password: str) -> bool:
    try:
        return _hasher.verify(hash_, password)
    except (VerificationError, InvalidHashError):
        return False


def _typed(name: str) -> str:
    """A typed account name as the audit log may hold it: printable, at most 40 characters."""
    text = "".join(ch for ch in unicodedata.normalize("NFKC", str(name or "")) if ch.isprintable())
    return text[:40] or "(empty)"


def _lock_seconds(failures: int) -> int:
    if failures < LOCKOUT_AFTER:
        return 0
    return int(min(LOCK_MAX_SECONDS, LOCK_BASE_SECONDS * 2 ** (failures - LOCKOUT_AFTER)))


def sign_in(data_dir: Path, name: str, password: str, client: str = "local", now: float | None = None) -> SignIn:
    """Check a sign-in under the lockout rules and write it to the audit log (see module doc)."""
    now = time.time() if now is None else now
    name = (name or "").strip()
    client = _typed(client)
    with _locked(data_dir):
        throttle = _load(Path(data_dir) / SIGNIN_FILE, {"accounts": {}, "clients": {}})
        acct = throttle["accounts"].get(name, {"failures": 0, "locked_until": 0})
        recent = [t for t in throttle["clients"].get(client, []) if now - t < CLIENT_WINDOW]
        locked_for = max(acct["locked_until"] - now, 0)
        if len(recent) >= CLIENT_LIMIT:
            locked_for = max(locked_for, min(recent) + CLIENT_WINDOW - now)
        entry = _users(data_dir)["users"].get(name)
        if locked_for > 0:
            result, reason = SignIn("locked", retry_after=int(locked_for) + 1), "locked"
        else:
            good = _verify(entry["password_hash"], password) if entry else (_hasher.hash(password) and False)
            if good and not entry.get("disabled"):
                user = _user(name, entry)
                result, reason = SignIn("must_change" if user.must_change else "ok", user), "ok"
                throttle["accounts"].pop(name, None)
            else:
                reason = "disabled" if good else ("unknown user" if entry is None else "wrong password")
                acct = {"failures": acct["failures"] + 1, "locked_until": acct["locked_until"]}
                acct["locked_until"] = now + _lock_seconds(acct["failures"]) if _lock_seconds(acct["failures"]) else 0
                if entry is not None:  # no counters for names that don't exist (no file growth by guessing)
                    throttle["accounts"][name] = acct
                recent.append(now)
                result = SignIn("locked" if acct["locked_until"] > now else "failed",
                                retry_after=int(max(acct["locked_until"] - now, 0)))
        throttle["clients"][client] = recent[-CLIENT_LIMIT * 2:]
        throttle["clients"] = {c: ts for c, ts in throttle["clients"].items() if ts and now - max(ts) < CLIENT_WINDOW}
        _save(Path(data_dir) / SIGNIN_FILE, throttle)
    _audit(data_dir, _typed(name), "sign-in success" if result.ok else "sign-in failure", _typed(name),
           {"client": client, "reason": reason, **({"locked_for_s": result.retry_after} if result.retry_after else {})})
    return result


def authenticate(data_dir: Path, name: str, password: str, client: str = "local") -> User | None:
    """The user if the sign-in succeeds, else None (no hint which part was wrong)."""
    result = sign_in(data_dir, name, password, client)
    return result.user if result.ok else None


def _audit(data_dir: Path, actor: str, action: str, record_id: str, after: dict) -> None:
    """One line in the store's audit log (when the data folder has a store)."""
    store = _store(data_dir)
    if store is None:
        log.info("no store for %s: %s %s not audited", data_dir, action, record_id)
        return
    with store.transaction(actor) as tx:
        tx.audit(action, "users", record_id, None, after)


def sign_in_log(store, limit: int = 200):
    """The latest sign-in lines of the audit log (newest first)."""
    log_ = store.read("audit_log", layer="users")
    order = "fid" if "fid" in log_ else "at"  # the insertion order (several sign-ins share a second)
    return log_.sort_values(order, ascending=False).head(limit).reset_index(drop=True)
