"""The browser walk (``browser_walk.py``) on the sample region: every page in both languages, the
case and appraisal panels' forms submitted on the way, a double submit that writes once, and a
hostile upload refused."""
from __future__ import annotations

from .browser_walk import double_submit_writes_once, hostile_upload_refused, walk_store


def test_every_page_on_the_sample(stores, browser, servers):
    w = walk_store(stores, browser, servers, "sample")
    double_submit_writes_once(w, stores["sample"])
    hostile_upload_refused(w, stores["sample"])
    w.page.close()
