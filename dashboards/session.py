"""A staff session in the dashboards: begun at sign-in, carried across reloads and new tabs by a
signed token in a cookie (``restoration.sessions``), checked on every page view, ended at
sign-out, expiry or when the account changes.

The cookie (``restoration_session``: ``Path=/``, ``SameSite=Strict``, ``Secure`` over HTTPS,
``Max-Age`` the session's absolute lifetime and a few minutes) is written by a line of JavaScript in the page —
Streamlit sets no cookies of its own — so it is readable by the page's scripts; everything the
page shows is escaped (docs/security.md), and the token alone is worth nothing after sign-out,
expiry or a change of the account. A fresh Streamlit session (a reload, a new tab) reads the
cookie from the connection's request (``st.context.cookies``) and resumes the session when
:func:`restoration.sessions.verify` accepts the token.
"""
from __future__ import annotations

import logging
import re
import time

import streamlit as st

from restoration import access, auth, sessions
from restoration.errors import NotFoundError

from . import data, state
from .i18n import t

log = logging.getLogger(__name__)
_TOKEN = re.compile(r"^[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+$")
#: seconds the cookie is kept past the session's absolute end (the server refuses the token then)
COOKIE_GRACE = 300


def _cookie() -> str | None:
    try:
        value = st.context.cookies.get(sessions.COOKIE)
    except Exception:  # noqa: BLE001 - a test harness without a request
        return None
    return value if isinstance(value, str) else None  # (AppTest's context is a mock)


def user_entry(u: auth.User, issued_at: float, sid: str | None) -> dict:
    """The session state's record of the signed-in user (never a password or token)."""
    now = time.time()
    return {"name": u.name, "role": u.role, "region": u.region, "must_change": u.must_change,
            "signed_in_at": issued_at, "last_seen": now, "sid": sid, "touched": now}


def begin(u: auth.User) -> None:
    """After a successful sign-in (or a password change): a new session, its token to the cookie."""
    token, session = sessions.issue(data.data_dir(), u.name)
    st.session_state[state.USER] = user_entry(u, session.issued_at, session.sid)
    st.session_state[state.TOKEN] = token


def end(reason: str | None = None) -> None:
    """Sign out (``reason`` None) or end the session for ``reason`` (idle, expired, ended): the
    server forgets it, and the page removes its cookie."""
    user = st.session_state.pop(state.USER, None)
    token = st.session_state.pop(state.TOKEN, None)
    if user and user.get("sid"):
        sessions.revoke(data.data_dir(), user["sid"])
    if token:
        st.session_state.setdefault(state.TOKENS_OUT, []).append(token)
    if reason:
        st.session_state[state.SIGNED_OUT] = reason


def _resume() -> dict | None:
    """The session a cookie's token carries (a reload, a new tab), or None."""
    token = _cookie()
    if not token or token in st.session_state.get(state.TOKENS_OUT, []):
        return None
    session, why = sessions.verify(data.data_dir(), token)
    current = None
    if session is not None:
        try:
            current = auth.get_user(data.data_dir(), session.user)
        except NotFoundError:
            why = "revoked"
        else:
            why = "revoked" if current.disabled else None
    if why:
        log.info("a session token was refused: %s", why)
        st.session_state.setdefault(state.TOKENS_OUT, []).append(token)  # and its cookie removed
        if why in ("idle", "expired"):
            st.session_state[state.SIGNED_OUT] = why
        return None
    if not sessions.touch(data.data_dir(), session.sid):  # this page view counts: the idle clock restarts
        return None
    user = user_entry(current, session.issued_at, session.sid)
    st.session_state[state.USER], st.session_state[state.TOKEN] = user, token
    return user


def guard(lang: str) -> dict | None:
    """The signed-in user, or None: resumes a session from the cookie; ends one that was idle or
    open too long, signed out elsewhere, or whose account was disabled or changed since (the
    users file and the session record are read on every page view)."""
    user = st.session_state.get(state.USER) or _resume()
    if user is None:
        return None
    now = time.time()
    ended = auth.session_valid(user.get("signed_in_at", 0), user.get("last_seen", 0), now)
    if ended is None:
        try:
            current = auth.get_user(data.data_dir(), user["name"])
        except Exception:  # noqa: BLE001 - removed account
            current = None
        if current is None or current.disabled or current.role != user["role"] or \
                current.region != (user.get("region") or access.PROVINCE):
            ended = "ended"
    sid = user.get("sid")
    if ended is None and sid:  # the server's record: signed out in another tab, revoked, idle there
        if now - user.get("touched", 0) >= sessions.touch_interval():
            ended = None if sessions.touch(data.data_dir(), sid, now) else "ended"
            user["touched"] = now
        elif not sessions.alive(data.data_dir(), sid):
            ended = "ended"
    if ended:
        end(ended)
        return None
    user["last_seen"] = now
    return user


def signed_out_notice(lang: str) -> None:
    reason = st.session_state.pop(state.SIGNED_OUT, None)
    if reason:
        st.warning(t({"idle": "auth.expired_idle", "expired": "auth.expired_max"}.get(reason, "auth.ended"), lang))


def cookie_script() -> None:
    """Keep the browser's cookie in step with the session: the token while signed in (a reload
    or a new tab resumes it), removed once signed out (only when it still holds that token, so
    a newer sign-in in another tab is kept)."""
    token = st.session_state.get(state.TOKEN)
    gone = [v for v in st.session_state.get(state.TOKENS_OUT, []) if _TOKEN.match(v)]
    if not (token and _TOKEN.match(token)) and not gone:
        return
    _, absolute = sessions.session_limits()
    user = st.session_state.get(state.USER) or {}
    # the cookie outlives the session by a few minutes, so that a reload after expiry is told why
    max_age = max(0, int(user.get("signed_in_at", 0) + absolute + COOKIE_GRACE - time.time())) if token else 0
    name = sessions.COOKIE
    lines = ["var secure = location.protocol === 'https:' ? '; Secure' : '';",
             f"var now = (document.cookie.split('; ').find(function (c) {{ return c.indexOf('{name}=') === 0; }})"
             f" || '').slice({len(name) + 1});"]
    for old in gone[-5:]:
        lines.append(f"if (now === '{old}') {{ document.cookie = '{name}=; Path=/; Max-Age=0; SameSite=Strict' "
                     "+ secure; now = ''; }")
    if token and _TOKEN.match(token):
        lines.append(f"if (now !== '{token}') {{ document.cookie = '{name}={token}; Path=/; Max-Age={max_age}; "
                     "SameSite=Strict' + secure; }")
    st.sidebar.html("<script>(function () {" + " ".join(lines) + "})();</script>", unsafe_allow_javascript=True)
