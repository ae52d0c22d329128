"""A real Streamlit server driven by headless Chromium through every page."""
from __future__ import annotations

import time

import pytest

from .conftest import ARTIFACTS, STAFF

pytestmark = pytest.mark.slow


_DRAWN = """() => Array.from(document.querySelectorAll('.leaflet-container path.leaflet-interactive'))
    .filter(p => (p.getAttribute('d') || '').length > 12).length"""


def _drawn_map(page, minimum=1, timeout=60):
    """The iframe whose Leaflet map has drawn at least ``minimum`` shapes (st_folium renders each
    map inside a component iframe; shapes out of view are 'M0 0' paths, so count real ones)."""
    deadline = time.time() + timeout
    best = 0
    while time.time() < deadline:
        for frame in page.frames:
            try:
                n = frame.evaluate(_DRAWN)
            except Exception:  # a frame navigating away, or not a map
                continue
            best = max(best, n)
            if n >= minimum:
                return frame, n
        time.sleep(0.25)
    raise AssertionError(f"no map drew {minimum} shapes (best {best})")


def _wait_idle(page):
    page.wait_for_selector('[data-testid="stApp"]', timeout=60_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)


def _check_no_exception(page, name):
    boxes = page.query_selector_all('[data-testid="stException"]')
    assert not boxes, f"{name}: Streamlit exception: {boxes[0].inner_text()[:500]}"


def test_every_page_in_chromium(streamlit_server, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    js_errors = []
    page.on("pageerror", lambda exc: js_errors.append(str(exc)))

    # public visitors: the disclosure page, with its map drawn from local Leaflet assets
    page.goto(streamlit_server + "/")
    _wait_idle(page)
    _, drawn = _drawn_map(page, minimum=10)
    assert drawn >= 10
    _check_no_exception(page, "public")
    page.screenshot(path=str(ARTIFACTS / "public.png"), full_page=True)
    assert "管理人员登录" in page.inner_text("body")
    assert "总览" not in page.inner_text('[data-testid="stSidebarNav"]')  # no staff page offered

    # sign in through the form
    page.get_by_text("管理人员登录").first.click()
    _wait_idle(page)
    page.get_by_label("用户名").fill(STAFF[0])
    page.get_by_label("密码").fill(STAFF[1])
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector('text=已登录', timeout=30_000)

    for label, needs_map in (("总览", True), ("案件", False), ("项目库与选址", True), ("监测", True),
                             ("等值计算", False), ("损害数额计算", False), ("信息公开", True)):
        page.locator('[data-testid="stSidebarNav"] a', has_text=label).first.click()
        _wait_idle(page)
        time.sleep(0.5)
        if needs_map:
            _drawn_map(page)
        _check_no_exception(page, label)
        page.screenshot(path=str(ARTIFACTS / f"page-{label}.png"), full_page=True)
    assert not js_errors, js_errors
