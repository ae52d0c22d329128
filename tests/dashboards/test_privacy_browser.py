"""The public page in a real browser: everything the server sends — the HTML, every HTTP
response, every websocket message, and the map's iframe DOM — holds none of the privacy corpus."""
from __future__ import annotations

import importlib.util

import pytest

from .conftest import ARTIFACTS, ONE_BACKEND, REPO
from .browser_walk import _drawn_map, _wait_idle

_spec = importlib.util.spec_from_file_location("privacy_corpus", REPO / "tests" / "privacy_corpus.py")
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)


@ONE_BACKEND
def test_public_page_bytes_hold_no_personal_data(streamlit_server, browser, store):
    corpus.poison(store)  # the server reads the same store: its next read sees the poisoned records
    frames: list[bytes] = []
    bodies: list[bytes] = []
    page = browser.new_page(viewport={"width": 1400, "height": 1000})

    def on_ws(ws):
        ws.on("framereceived", lambda payload: frames.append(payload if isinstance(payload, bytes)
                                                              else payload.encode("utf-8")))
    page.on("websocket", on_ws)

    def on_response(response):
        try:
            bodies.append(response.body())
        except Exception:  # noqa: BLE001 - redirects and aborted requests have no body
            pass
    page.on("response", on_response)
    page.goto(streamlit_server + "/")
    _wait_idle(page)
    _drawn_map(page, minimum=5)
    page.mouse.move(700, 500)  # hover over the map: tooltips are part of what is sent
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "public-privacy.png"), full_page=True)
    doms = [f.content().encode("utf-8") for f in page.frames]
    sent = b"\n".join(frames + bodies + doms)
    assert frames and "生态环境损害赔偿案".encode() in sent  # the page's data was captured (control)
    leaks = [n for n in corpus.needles() if n.encode("utf-8") in sent]
    assert not leaks, leaks
    page.close()
