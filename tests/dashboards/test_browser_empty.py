"""The browser walk (``browser_walk.py``) on an empty store: every page in both languages, with
nothing to draw and nothing to list."""
from __future__ import annotations

from .browser_walk import walk_store


def test_every_page_on_an_empty_store(stores, browser, servers):
    walk_store(stores, browser, servers, "empty").page.close()
