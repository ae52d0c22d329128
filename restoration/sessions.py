"""Staff sessions that outlive one page: a signed, expiring token, and the server's record of it.

A sign-in issues a **token** — ``<payload>.<signature>``, both base64url: the payload is the
user's name, the issue time, the absolute expiry and a random session id (never a password or a
hash); the signature is HMAC-SHA256 over it with a secret kept in the data folder
(``DATA/session.key``, 32 random bytes, 0600, made on first use; deleting it ends every
session). The dashboards keep the token in a cookie, so a reload or a new tab carries on the
session.

A token is accepted (:func:`verify`) only when its signature is right (a changed byte is
refused), it has not expired (``RESTORATION_SESSION_MAX`` after sign-in), and its session id is
still in ``DATA/sessions.json`` (0600) with no more than ``RESTORATION_SESSION_IDLE`` since the
last page view (:func:`touch`). Signing out removes the session (:func:`revoke`); disabling,
removing or resetting an account removes all of its sessions (:func:`revoke_user`).

References
----------
RFC 2104 (HMAC); RFC 4648 §5 (base64url); RFC 6265 §4.1 (cookies: Max-Age, Path, Secure,
SameSite); OWASP Session Management Cheat Sheet (session id entropy, idle and absolute timeouts,
invalidation at sign-out); GB/T 22239-2019 §8.1.4.1 (连接超时自动退出).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from . import datafolder, files

SESSIONS_FILE = "sessions.json"
SECRET_FILE = "session.key"
#: the cookie the dashboards keep the token in
COOKIE = "restoration_session"
#: longest token accepted (bytes): a longer one is not ours
MAX_TOKEN = 1024


@dataclass(frozen=True)
class Session:
    """A live session: its id, the user's name, when it began and when it was last used [s]."""

    sid: str
    user: str
    issued_at: float
    last_seen: float


def session_limits() -> tuple[int, int]:
    """(idle, absolute) session lifetimes in seconds: ``RESTORATION_SESSION_IDLE`` (default
    1800) and ``RESTORATION_SESSION_MAX`` (default 43200)."""
    def env(name: str, default: int) -> int:
        try:
            return max(1, int(os.environ.get(name, default)))
        except ValueError:
            return default
    return env("RESTORATION_SESSION_IDLE", 1800), env("RESTORATION_SESSION_MAX", 43200)


def session_valid(signed_in_at: float, last_seen: float, now: float | None = None) -> str | None:
    """None while a session is alive, else why it ended (``idle`` or ``expired``)."""
    now = time.time() if now is None else now
    idle, absolute = session_limits()
    if now - signed_in_at > absolute:
        return "expired"
    if now - last_seen > idle:
        return "idle"
    return None


def touch_interval() -> float:
    """Seconds between two records of a page view: often enough that the idle limit holds
    across a reload, rarely enough not to write a file on every click."""
    return min(60.0, session_limits()[0] / 4)


# -- the secret and the signature --------------------------------------------------------------------
def _secret(data_dir: Path) -> bytes:
    path = datafolder.secure_dir(Path(data_dir)) / SECRET_FILE
    if not path.exists():
        with datafolder.locked(data_dir):  # one process makes it; the others read that one
            if not path.exists():
                files.write_bytes(path, secrets.token_bytes(32), replace=False)  # 0600, never over another
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)  # ours, found more open: tightened, as the store file is
    key = path.read_bytes()
    if len(key) < 32:
        raise RuntimeError(f"{path} is not a session secret (shorter than 32 bytes): delete it to make a new one")
    return key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(key: bytes, body: str) -> str:
    return _b64(hmac.new(key, body.encode("ascii"), hashlib.sha256).digest())


# -- the server's record -----------------------------------------------------------------------------
def _path(data_dir: Path) -> Path:
    return Path(data_dir) / SESSIONS_FILE


def _ended(record: dict, now: float) -> str | None:
    """Why a recorded session has ended, for an open page: its last page view may be up to
    :func:`touch_interval` later than recorded (an open page checks the idle limit itself)."""
    return session_valid(record["issued_at"], record["last_seen"] + touch_interval(), now)


def _live(sessions: dict, now: float) -> dict:
    """The sessions neither idle nor expired (the others are dropped when the file is written)."""
    return {sid: s for sid, s in sessions.items() if _ended(s, now) is None}


def issue(data_dir: Path, user: str, now: float | None = None) -> tuple[str, Session]:
    """Begin a session for ``user`` (after a successful sign-in): its token and record."""
    now = time.time() if now is None else now
    _, absolute = session_limits()
    sid = secrets.token_urlsafe(18)
    body = _b64(json.dumps({"u": user, "iat": int(now), "exp": int(now) + absolute, "sid": sid},
                           separators=(",", ":")).encode("utf-8"))
    token = f"{body}.{_sign(_secret(data_dir), body)}"
    with datafolder.locked(data_dir):
        data = datafolder.load(_path(data_dir), {"sessions": {}})
        data["sessions"] = _live(data["sessions"], now)
        data["sessions"][sid] = {"user": user, "issued_at": int(now), "last_seen": now}
        datafolder.save(_path(data_dir), data)
    return token, Session(sid, user, int(now), now)


def verify(data_dir: Path, token: str | None, now: float | None = None) -> tuple[Session | None, str | None]:
    """(the session, None) for a good token; (None, why) otherwise — ``malformed``,
    ``tampered`` (the signature does not match), ``expired``, ``idle`` or ``revoked``."""
    now = time.time() if now is None else now
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN or not token.isascii() \
            or token.count(".") != 1:
        return None, "malformed"
    body, signature = token.split(".")
    if not hmac.compare_digest(signature.encode("ascii"), _sign(_secret(data_dir), body).encode("ascii")):
        return None, "tampered"
    try:
        claims = json.loads(_unb64(body))
        user, issued, expires, sid = claims["u"], float(claims["iat"]), float(claims["exp"]), claims["sid"]
    except (ValueError, KeyError, TypeError):
        return None, "malformed"
    if now > expires or session_valid(issued, now, now) == "expired":
        return None, "expired"
    record = datafolder.load(_path(data_dir), {"sessions": {}})["sessions"].get(sid)
    if record is None or record.get("user") != user:
        return None, "revoked"
    ended = session_valid(issued, record["last_seen"], now)
    if ended:
        revoke(data_dir, sid)
        return None, ended
    return Session(sid, user, issued, record["last_seen"]), None


def touch(data_dir: Path, sid: str, now: float | None = None) -> bool:
    """Record a page view of session ``sid``; False when the session is gone (signed out
    elsewhere, revoked, ended)."""
    now = time.time() if now is None else now
    with datafolder.locked(data_dir):
        data = datafolder.load(_path(data_dir), {"sessions": {}})
        record = data["sessions"].get(sid)
        if record is None or _ended(record, now):
            return False
        record["last_seen"] = now
        data["sessions"] = _live(data["sessions"], now)
        datafolder.save(_path(data_dir), data)
    return True


def alive(data_dir: Path, sid: str) -> bool:
    """Whether session ``sid`` is still recorded (a read: no lock, no write)."""
    return sid in datafolder.load(_path(data_dir), {"sessions": {}})["sessions"]


def _drop(data_dir: Path, keep) -> int:
    if not _path(data_dir).exists():
        return 0
    with datafolder.locked(data_dir):
        data = datafolder.load(_path(data_dir), {"sessions": {}})
        before = len(data["sessions"])
        data["sessions"] = {sid: s for sid, s in data["sessions"].items() if keep(sid, s)}
        datafolder.save(_path(data_dir), data)
    return before - len(data["sessions"])


def revoke(data_dir: Path, sid: str) -> bool:
    """End session ``sid`` (signing out): its token is refused from now on."""
    return _drop(data_dir, lambda s, _: s != sid) > 0


def revoke_user(data_dir: Path, user: str) -> int:
    """End every session of ``user`` (account disabled, removed, reset or replaced); how many."""
    return _drop(data_dir, lambda _, s: s.get("user") != user)
