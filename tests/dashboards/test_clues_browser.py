"""A clue from imagery accepted into a case in the browser (zh): a protected area imported, a
disturbed patch inside it found by `monitor clues`, then on the Overview page a supervisor sees
the candidate with its before/after chips, accepts it, and the case exists at screening with the
remote-sensing channel. Screenshot: test-artifacts/clue-accepted.png."""
from __future__ import annotations

import pytest

from restoration.cli import main

from ..markers import brings
from ..monitoring.clue_scene import PATTERN, write_scene
from .browser_walk import _check_no_exception, _wait_idle, signed_in_page
from .conftest import ARTIFACTS, ONE_BACKEND, STAFF, start_server, stop_server


def _cli(data, *args):
    with pytest.raises(SystemExit) as exit_:
        main(["--data", str(data), *args])
    assert exit_.value.code == 0


@pytest.fixture
@brings("server")
def clue_server(staff_data, store, tmp_path):
    scene = write_scene(tmp_path / "scene")
    _cli(staff_data, "import", "protected_areas", str(scene["protected"]))
    _cli(staff_data, "monitor", "clues", str(scene["breaks"]), str(scene["index"]), "--date-pattern", PATTERN)
    proc, url = start_server(staff_data)
    yield url, store
    stop_server(proc)


@ONE_BACKEND
def test_candidate_clue_accepted_into_a_case(clue_server, browser):
    url, store = clue_server
    cid = store.read("clue_candidates")["candidate_id"].iloc[0]
    ARTIFACTS.mkdir(exist_ok=True)
    page, js_errors = signed_in_page(browser, url, height=1400, wait_for="text=遥感疑似线索")
    _wait_idle(page)
    _check_no_exception(page, "overview with a candidate clue")
    body = page.inner_text("body")
    assert cid in body and "2015 年扰动" in body and "待核查 1 条，共 1 条" in body
    assert "保护地 十万大山生态保护红线<script>（PA-01）" in body  # the name shown as typed, inert
    assert "扰动前（2014 年）" in body and "扰动后（2015 年）" in body
    chips = page.locator('[data-testid="stImage"] img')
    assert chips.count() == 2
    assert all(chips.nth(i).evaluate("i => i.complete && i.naturalWidth > 0") for i in range(2))
    page.get_by_text("遥感疑似线索", exact=True).first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "clue-candidate.png"))
    page.get_by_text("受理为案件", exact=True).first.click()
    page.get_by_label("新案件编号").fill("GX-2026-931")
    page.get_by_label("案件名称").fill("十万大山红线内林地扰动")
    page.get_by_label("赔偿权利人指定部门").fill("红河口县生态环境局")
    page.get_by_role("button", name="受理为案件").click()
    page.wait_for_selector(f"text=线索 {cid} 已受理为案件 GX-2026-931", timeout=60_000)
    _wait_idle(page)
    _check_no_exception(page, "clue accepted")
    body = page.inner_text("body")
    assert "待核查 0 条，共 1 条" in body and "已受理为案件" in body and "None" not in body
    page.get_by_text("遥感疑似线索", exact=True).first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "clue-accepted.png"))
    case = store.get("cases", "GX-2026-931")
    assert case["stage"] == "screening" and case["clue_source"] == "remote_sensing" and case["region"] == "红河口县"
    ev = store.read("case_events", case_id="GX-2026-931").iloc[0]
    assert ev["event_type"] == "clue_registered" and ev["details"]["channel"] == "remote_sensing"
    assert ev["actor"] == STAFF[0] and store.get("clue_candidates", cid)["decided_by"] == STAFF[0]
    assert not js_errors, js_errors
