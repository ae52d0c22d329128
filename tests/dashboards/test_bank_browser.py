"""The bank page on a province-wide account, in a real Streamlit server and headless Chromium:
Guangxi's 111 real counties, a bank spread over the province (``tests/province.py``).

What a supervisor siting the riparian case GX-2026-104 sees: the map fitted to the damaged site
and its three best candidates (not the whole province at zoom 6), county names that never
overlap each other (at the fitted zoom and at province zoom), the legend clear of the fitted
content; a refused reservation says why and keeps the case's reservations and the release form
on the page. Screenshots go to ``test-artifacts/``.
"""
from __future__ import annotations

import re
import time

import pytest

from restoration import auth
from restoration.store import open_store

from ..province import BEST, CASE, FAR, N_COUNTIES, NEAR, province_store_dir
from ..markers import brings
from .conftest import ARTIFACTS, STAFF, launched_chromium, start_server, stop_server
from .browser_walk import Walk, _maps, _wait_idle, check_map, painted


@pytest.fixture(scope="module")
@brings("server")
def province(tmp_path_factory):
    root = tmp_path_factory.mktemp("province")
    data = province_store_dir(root / "data", root / "inputs")
    auth.add_user(data, STAFF[0], STAFF[1], "supervisor")  # a province-wide account
    proc, url = start_server(data)
    yield data, url
    stop_server(proc)


@pytest.fixture(scope="module")
@brings("browser")
def browser():
    yield from launched_chromium()  # one Chromium for the module's tests


_BOXES = """() => {
  const m = window.map, el = m.getContainer(), c = el.getBoundingClientRect();
  const inView = r => r.right > c.left && r.left < c.right && r.bottom > c.top && r.top < c.bottom;
  const spans = Array.from(document.querySelectorAll('.restoration-label span'));
  const shown = spans.filter(s => getComputedStyle(s).visibility === 'visible')
                     .map(s => { const r = s.getBoundingClientRect();
                                 return {text: s.textContent, left: r.left, right: r.right, top: r.top,
                                         bottom: r.bottom}; })
                     .filter(inView);
  return {all: spans.length, shown};
}"""

_WHERE = """(ids) => {
  // the centre of each named feature (damaged sites, projects), and the map's view
  const m = window.map, found = {};
  m.eachLayer(l => { const p = l.feature && l.feature.properties;
    if (p && ids.includes(p.site_id) && l.getBounds) { found[p.site_id] = l.getBounds().getCenter(); } });
  const b = m.getBounds();
  return {zoom: m.getZoom(), south: b.getSouth(), north: b.getNorth(), west: b.getWest(), east: b.getEast(),
          found: Object.fromEntries(Object.entries(found).map(([k, v]) => [k, [v.lat, v.lng]]))};
}"""


def _overlaps(boxes: list[dict]) -> list[tuple[str, str]]:
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]:
                out.append((a["text"], b["text"]))
    return out


def _bank_map(page):
    deadline = time.time() + 60
    while time.time() < deadline:
        frames = [f for f in _maps(page) if f.evaluate("() => window.map.getContainer().clientWidth") > 100]
        if frames:
            return frames[0]
        time.sleep(0.3)
    raise AssertionError("no bank map")


def _open_bank_page(walk: Walk, lang: str) -> None:
    walk.page.goto(walk.url + "/")
    _wait_idle(walk.page)
    walk.sign_in()
    if lang == "en":
        walk.set_language("en")
    walk.nav("项目库与选址" if lang == "zh" else "Project bank & siting")
    walk.choose_case(CASE)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_bank_map_fits_the_case_not_the_province(province, browser, lang):
    data, url = province
    ARTIFACTS.mkdir(exist_ok=True)
    store = open_store(data / "platform.gpkg", create=False)
    counties = store.read("counties")
    province_box = counties.total_bounds  # minx, miny, maxx, maxy
    w = Walk(browser, url, "province", N_COUNTIES)
    _open_bank_page(w, lang)
    frame = _bank_map(w.page)
    w.check_page("bank", lang, True)   # no exception box / raw code / None; fitted; legend clear
    state = check_map(frame, f"province/bank/{lang}", N_COUNTIES)
    assert state["fits"] and state["tight"] and state["clear"] is not False, state

    damaged = store.read("sites", case_id=CASE, role="damaged")["site_id"].tolist()
    view = frame.evaluate(_WHERE, damaged + [BEST, *NEAR, *FAR])
    found = view["found"]
    for fid in damaged + [BEST]:  # the damaged site and its best candidate are in view ...
        lat, lon = found[fid]
        assert view["south"] <= lat <= view["north"] and view["west"] <= lon <= view["east"], (fid, view)
    # ... and the view is the case's neighbourhood, not the province
    assert view["zoom"] >= 9, view
    assert (view["north"] - view["south"]) < 0.25 * (province_box[3] - province_box[1]), view
    for fid in FAR:  # the far projects (桂林, 北海, 百色, 贺州) are outside it
        lat, lon = found[fid]
        assert not (view["south"] <= lat <= view["north"] and view["west"] <= lon <= view["east"]), (fid, view)

    # county names never overlap each other: at the fitted zoom ...
    labels = frame.evaluate(_BOXES)
    assert labels["all"] == N_COUNTIES and labels["shown"], labels
    assert not _overlaps(labels["shown"]), _overlaps(labels["shown"])[:5]
    w.shot(f"province-bank-{lang}")
    # ... and with the whole province in view (111 names at zoom 6-7: only those that fit)
    frame.evaluate("""(b) => { window.map.fitBounds([[b[1], b[0]], [b[3], b[2]]], {animate: false}); }""",
                   [float(v) for v in province_box])
    painted(frame)
    whole = frame.evaluate(_BOXES)
    assert frame.evaluate("() => window.map.getZoom()") <= 7
    assert not _overlaps(whole["shown"]), _overlaps(whole["shown"])[:5]
    assert 0 < len(whole["shown"]) < N_COUNTIES, len(whole["shown"])
    w.page.screenshot(path=str(ARTIFACTS / f"province-bank-whole-{lang}.png"))
    frame.evaluate("() => window.map._restorationRefit()")
    assert not w.js_errors, w.js_errors
    w.page.close()


def test_a_refused_reservation_keeps_the_forms_around_it(province, browser):
    data, url = province
    store = open_store(data / "platform.gpkg", create=False)
    w = Walk(browser, url, "province", N_COUNTIES)
    _open_bank_page(w, "zh")
    amount = w.page.get_by_label(re.compile("^预留数量"))
    amount.fill("1")
    w.page.get_by_role("button", name="预留", exact=True).click()
    _wait_idle(w.page, settle=1.5)
    held = store.read("bank_allocations", case_id=CASE)
    assert len(held) == 1 and held["project_id"].iloc[0] == BEST
    main = w.page.inner_text('[data-testid="stMain"]')
    assert "本案已占用容量" in main and "释放" in main
    # more than the project holds: refused — the message shows, and so do the reservations and
    # the release form
    amount = w.page.get_by_label(re.compile("^预留数量"))
    amount.fill("9999")
    w.page.get_by_role("button", name="预留", exact=True).click()
    _wait_idle(w.page, settle=1.5)
    main = w.page.inner_text('[data-testid="stMain"]')
    assert "容量不足" in main and "未作预留" in main, main[:1500]
    assert "本案已占用容量" in main, "the reservations table vanished after a refused reservation"
    assert w.page.get_by_role("button", name="释放").count() == 1, "the release form vanished"
    assert len(store.read("bank_allocations", case_id=CASE)) == 1
    assert not w.page.query_selector_all('[data-testid="stException"]')
    w.shot("province-bank-refused-zh")
    w.page.close()


def test_the_server_started_without_a_static_folder_warning(province):
    data, _ = province
    log = (data / "streamlit.log").read_text(encoding="utf-8")
    assert "Uvicorn server started" in log or "You can now view" in log, log[:500]
    assert "no static folder found" not in log, log[:1000]
