"""The bank's public register page in a real Streamlit server and headless Chromium, anonymous (in
Chinese and English) and signed in, on a store whose bank and cases carry the privacy corpus in
every free text: the map fitted to the projects (legend, scale, county names), no exception box, no
raw code, no ``None`` in the text painted outside the tables (the tables are canvas cells; their
words are checked with AppTest in ``test_register_page.py``), and nothing personal on the page or in
what the map's frame holds. Screenshots go to ``test-artifacts/register-*.png``."""
from __future__ import annotations

from .conftest import ARTIFACTS, ONE_BACKEND
from .browser_walk import Walk, _maps, _wait_idle
from ..bank.test_register import _poison_bank, corpus


def _sent(w: Walk) -> str:
    """What a visitor's browser holds: the visible text and every frame's DOM (map tooltips)."""
    return w.visible_text() + "\n".join(f.content() for f in w.page.frames)


@ONE_BACKEND
def test_public_register_in_the_browser(streamlit_server, browser, store, tmp_path):
    corpus.poison(store)
    _poison_bank(store, tmp_path)  # the server reads the same store
    ARTIFACTS.mkdir(exist_ok=True)
    w = Walk(browser, streamlit_server, "register", n_counties=len(store.read("counties")))
    w.page.goto(streamlit_server + "/register")
    _wait_idle(w.page)
    # signed in, the page is the same register (one view: the English one is the anonymous one's)
    views = [("anonymous", "zh"), ("anonymous", "en"), ("signed-in", "zh")]
    for who, lang in views:
        if who == "signed-in":
            w.set_language("zh")
            w.sign_in()
            w.nav("项目库公开登记簿")
        elif lang == "en":
            w.set_language("en")
        w.check_page(f"{who}", lang, True)  # map fitted, no exception, no raw code / None; screenshot
        frames = [f for f in _maps(w.page) if f.evaluate("() => window.map.getContainer().clientWidth") > 1]
        assert len(frames) == 1, (who, lang, "the register's map")
        shapes = frames[0].evaluate("() => document.querySelectorAll('path.leaflet-interactive').length")
        assert shapes >= len(store.read("bank_projects")), (who, lang, shapes)  # every project drawn
        text = w.visible_text()
        assert ("项目库公开登记簿" if lang == "zh" else "Project bank register") in text
        assert ("共 20 个项目" if lang == "zh" else "20 projects") in text  # the search's count line
        sent = _sent(w)
        leaks = [n for n in corpus.needles() if n in sent]
        assert not leaks, (who, lang, leaks)
    assert not w.js_errors, w.js_errors
    w.page.close()
