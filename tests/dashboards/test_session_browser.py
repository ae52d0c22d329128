"""A sign-in survives a reload and a new tab, in a real Streamlit server and Chromium; after
sign-out, idle or absolute expiry, or when the account is disabled, a reload lands signed out;
a tampered, forged or revoked token is refused. What the cookie holds is never a password."""
from __future__ import annotations

import base64
import json
import time

import pytest

from restoration import auth, sessions

from .conftest import ARTIFACTS, ONE_BACKEND, STAFF
from .browser_walk import _wait_idle


def _nav_text(page) -> str:
    return page.locator('[data-testid="stSidebarNav"]').inner_text()


def _signed_in(page) -> bool:
    """What a person sees: the staff pages and the "signed in" line, not the sign-in page."""
    _wait_idle(page)
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    nav = _nav_text(page)
    staff = "已登录" in sidebar and "案件" in nav and "管理人员登录" not in nav
    assert staff or ("管理人员登录" in nav and "案件" not in nav), (sidebar, nav)  # one or the other
    return staff


def _sign_in(page, base: str, password: str = STAFF[1]) -> float:
    """Sign in on the sign-in page; the time the form was sent (the session begins after it)."""
    page.goto(base + "/")
    _wait_idle(page)
    page.locator('[data-testid="stSidebarNav"] a', has_text="管理人员登录").first.click()
    _wait_idle(page)
    page.get_by_label("用户名").fill(STAFF[0])
    page.get_by_label("密码").fill(password)
    sent = time.time()
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector("text=已登录", timeout=30_000)
    _wait_idle(page)
    deadline = time.time() + 15  # the page's script writes the cookie once the signed-in page is drawn
    while _cookie(page.context) is None and time.time() < deadline:
        time.sleep(0.2)
    assert _cookie(page.context), "signing in set no session cookie"
    return sent


def _cookie(context) -> str | None:
    found = [c for c in context.cookies() if c["name"] == sessions.COOKIE]
    return found[0]["value"] if found else None


def _with_cookie(browser, base: str, value: str):
    """A fresh browser (no session) that carries ``value`` as its session cookie, on the sign-in
    page (a light page; a resumed session would be shown the staff pages instead)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_cookies([{"name": sessions.COOKIE, "value": value, "url": base + "/"}])
    page = context.new_page()
    page.goto(base + "/login")
    return context, page


def _payload(token: str) -> dict:
    body = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def _repacked(claims: dict, signature: str) -> str:
    body = base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode()).rstrip(b"=").decode()
    return f"{body}.{signature}"


@ONE_BACKEND
def test_reload_and_new_tab_keep_the_session_sign_out_ends_it(streamlit_server, browser, staff_data):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    _sign_in(page, streamlit_server)
    token = _cookie(context)
    assert token and set(_payload(token)) == {"u", "iat", "exp", "sid"} and _payload(token)["u"] == STAFF[0]
    assert STAFF[1] not in token and "argon2" not in json.dumps(_payload(token))  # never the password
    cookie = [c for c in context.cookies() if c["name"] == sessions.COOKIE][0]
    assert cookie["sameSite"] == "Strict" and cookie["path"] == "/" and cookie["expires"] > time.time()

    page.reload()
    assert _signed_in(page), "a reload signed the user out"
    page.locator('[data-testid="stSidebarNav"] a', has_text="案件").first.click()
    _wait_idle(page)
    assert not page.query_selector_all('[data-testid="stException"]')
    page.goto(streamlit_server + "/password")  # (a light page for the rest)
    page.reload()
    assert _signed_in(page) and page.url.endswith("/password")
    tab = context.new_page()  # a new tab of the same browser
    tab.goto(streamlit_server + "/password")
    assert _signed_in(tab), "a new tab was signed out"
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / "session-new-tab.png"))
    tab.close()

    # a changed token is refused: another user's name under this signature, a forged signature,
    # a cut one, garbage — each in a fresh browser that never signed in
    claims = _payload(token)
    bad = {  # (every other change is refused in tests/restoration/test_sessions.py)
        "other_user": _repacked({**claims, "u": "admin"}, token.split(".")[1]),
        "forged_signature": token.split(".")[0] + "." + base64.urlsafe_b64encode(b"x" * 32).rstrip(b"=").decode(),
        "garbage": "not-a-token",
    }
    for what, value in bad.items():
        other, page2 = _with_cookie(browser, streamlit_server, value)
        assert not _signed_in(page2), f"a {what} token was accepted"
        other.close()

    # sign out: the cookie goes, a reload is signed out, and the old token is refused elsewhere
    page.locator('[data-testid="stSidebar"] button', has_text="退出登录").click()
    _wait_idle(page)
    page.reload()
    assert not _signed_in(page) and _cookie(context) is None
    other, page2 = _with_cookie(browser, streamlit_server, token)
    assert not _signed_in(page2), "a signed-out session's token was accepted"
    other.close()
    assert sessions.verify(staff_data, token)[1] == "revoked"
    context.close()


@ONE_BACKEND
def test_disabling_the_account_ends_its_sessions(streamlit_server, browser, staff_data):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    _sign_in(page, streamlit_server)
    auth.disable_user(staff_data, STAFF[0], actor="admin")
    page.reload()
    assert not _signed_in(page)
    auth.enable_user(staff_data, STAFF[0], actor="admin")
    page.reload()
    assert not _signed_in(page), "enabling the account again revived the old session"
    context.close()


#: [s] the server's limits in the expiry test (the idle limit leaves room for the first, heavy page
#: to be drawn on a busy machine: it counts from the page view's start)
IDLE, MAX = 20, 50


@ONE_BACKEND
def test_idle_and_absolute_expiry_hold_across_reloads(staff_data, browser, servers, monkeypatch):
    monkeypatch.setenv("RESTORATION_SESSION_IDLE", str(IDLE))
    monkeypatch.setenv("RESTORATION_SESSION_MAX", str(MAX))
    base = servers.start(staff_data)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    _sign_in(page, base)
    page.goto(base + "/password")  # a light page: the reloads below come every few seconds
    assert _signed_in(page)
    seen = time.time()
    time.sleep(IDLE + 3)  # idle past the limit
    page.reload()
    assert not _signed_in(page)
    assert "长时间未操作，已自动退出登录" in page.locator('[data-testid="stMain"]').inner_text()
    # absolute: a page view every few seconds (never idle), until the longest session ends
    began = _sign_in(page, base) - 1  # (the session's start is kept in whole seconds)
    seen = time.time()
    while time.time() - began < MAX - 8:
        time.sleep(1)
        page.goto(base + "/password")
        assert time.time() - seen < IDLE - 2, "the page views came too slowly to test the absolute limit"
        assert _signed_in(page), f"signed out after {time.time() - began:.0f} s of activity"
        seen = time.time()
    time.sleep(max(0.0, began + MAX + 3 - time.time()))
    page.goto(base + "/password")
    assert not _signed_in(page)
    assert "登录已超过最长有效期" in page.locator('[data-testid="stMain"]').inner_text()
    context.close()
