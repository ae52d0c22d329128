"""The procedure tab in a real Streamlit server and headless Chromium."""
from __future__ import annotations

from .browser_walk import _check_no_exception, _wait_idle, signed_in_page
from .conftest import ARTIFACTS, ONE_BACKEND, STAFF


@ONE_BACKEND
def test_procedure_tab_in_chromium(streamlit_server, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    page, js_errors = signed_in_page(browser, streamlit_server)
    page.locator('[data-testid="stSidebarNav"] a', has_text="案件").first.click()
    _wait_idle(page)
    page.get_by_role("combobox").first.click()
    page.get_by_text("GX-2024-004", exact=False).first.click()
    _wait_idle(page)
    page.get_by_text("程序", exact=True).last.click()
    page.wait_for_function("() => document.body.innerText.includes('管辖与联合办案')", timeout=60_000)
    _wait_idle(page)
    _check_no_exception(page, "procedure tab")
    body = page.inner_text("body")
    assert "重大案件督办" in body and "有 1 次督办进展报告逾期未报" in body
    assert "管辖与联合办案" in body and "公众参与" in body
    page.screenshot(path=str(ARTIFACTS / "case-procedure.png"), full_page=True)
    assert not js_errors, js_errors
