"""The browser walk (``browser_walk.py``) on a user's own imported counties, cases and sites with
no history: every page in both languages, and the views of cases taken over mid-way."""
from __future__ import annotations

from .browser_walk import takeover_views, walk_store


def test_every_page_on_an_imported_store(stores, browser, servers):
    w = walk_store(stores, browser, servers, "imported")
    takeover_views(w)
    w.page.close()
