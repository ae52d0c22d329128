"""Field photos in a real Streamlit server and headless Chromium: a supervisor publishes one of
a case's two field photos from the case page (with a reason); a visitor's public page then shows
that photo's thumbnail and nothing of the other — neither its bytes, nor its thumbnail, nor its
file name, path or hash appear in the page's HTML or among the images it loads. Screenshots go
to ``test-artifacts/``."""
from __future__ import annotations

import hashlib
from datetime import date

from restoration import access
from restoration.field import export_package, import_package, thumbnails

from ..field import play
from .browser_walk import Walk, _check_no_exception, _submit_and_confirm, _wait_idle
from .conftest import ARTIFACTS, ONE_BACKEND, SAMPLE_TODAY

CASE = "GX-2023-009"


@ONE_BACKEND
def test_a_published_photo_and_only_it_reaches_the_public_page(staff_data, store, tmp_path, servers, browser):
    pkg = tmp_path / "pkg"
    export_package(store, [CASE], pkg, access.local_admin())
    lon, lat = play.site_centre(pkg, "S010")
    day = date(2026, 11, 18)
    photos = [play.jpeg(lon, lat, play.noon(day), size=480, seed=k) for k in (11, 12)]
    rows = play.add_inspections(pkg, [{"case_id": CASE, "site_id": "S010", "inspection_date": day,
                                       "photos": photos}])
    import_package(store, pkg, access.local_admin(), today=date.fromisoformat(SAMPLE_TODAY))
    with store.transaction("office") as tx:
        tx.update("cases", CASE, {"disclosed": True})
    stored = store.read("field_photos", case_id=CASE).sort_values("name")
    (first, second), names = (int(f) for f in stored["fid"]), list(stored["name"])
    thumbs = thumbnails(store, CASE)

    url = servers.start(staff_data)
    ARTIFACTS.mkdir(exist_ok=True)
    w = Walk(browser, url, "field", len(store.read("counties")))
    w.page.goto(url + "/")
    _wait_idle(w.page)
    w.sign_in()
    w.nav("案件")
    w.choose_case(CASE)
    w.page.get_by_text("公开或撤回外业照片").click()
    w.page.get_by_label("理由（必填）").fill("修复成效公示")
    text = _submit_and_confirm(w, lambda: w.page.get_by_role("button", name="公开", exact=True).click(),
                               f"照片 {first} 已公开", "field/case/zh")
    assert "Traceback" not in text
    assert bool(store.read("field_photos", case_id=CASE).set_index("fid").loc[first, "public"])
    w.check_page("case-published", "zh", None)  # no exception, raw code or None; the screenshot

    visitor = browser.new_page(viewport={"width": 1400, "height": 1000})
    visitor.goto(url + "/")  # a visitor lands on the public page
    visitor.wait_for_selector("text=现场照片", timeout=60_000)
    _wait_idle(visitor, settle=1.0)
    _check_no_exception(visitor, "field/public/zh")
    assert not visitor.query_selector_all('[role="dialog"]'), "a dialog covers the public page"
    html = visitor.content()
    hidden = [names[1], rows[0]["photo_2"], stored["sha256"].iloc[1], stored["path"].iloc[1]]
    assert not [h for h in hidden if h in html], "the unpublished photo is named in the public page"
    assert names[0] not in html and stored["sha256"].iloc[0] not in html  # the published one: thumbnail only
    srcs = visitor.eval_on_selector_all('[data-testid="stImage"] img', "els => els.map(e => e.src)")
    assert len(srcs) == 1, srcs
    loaded = [visitor.request.get(s).body() for s in
              visitor.eval_on_selector_all('[data-testid="stMain"] img', "els => els.map(e => e.src)")]
    assert thumbs[first] in loaded and thumbs[second] not in loaded
    assert not any(hashlib.sha256(b).digest() in {hashlib.sha256(p).digest() for p in photos} for b in loaded)
    assert "案件 GX-2023-009 · 2026-11-18" in visitor.inner_text('[data-testid="stMain"]')
    visitor.set_viewport_size({"width": 1400, "height": min(7000, visitor.evaluate(
        "() => document.querySelector('[data-testid=stMain]').scrollHeight"))})
    visitor.screenshot(path=str(ARTIFACTS / "field-public-photo-zh.png"))
    visitor.close()
    w.page.close()
