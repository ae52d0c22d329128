"""Every page's text and table cells, in both languages, on the three stores (Streamlit AppTest:
it reads the cells of every table, which a screenshot cannot)."""
from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from .conftest import signed_in, REPO, SAMPLE_TODAY, STAFF
from .text_checks import raw_text_problems, wrong_language_messages

PAGES = ["views/public.py", "views/overview.py", "views/case.py", "views/bank.py", "views/monitoring.py",
         "views/equivalence.py", "views/appraisal.py"]


def _all_text(at) -> str:
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        parts += [str(e.value) for e in at.get(kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    for df in at.dataframe:
        frame = df.value.data if hasattr(df.value, "data") else df.value  # a Styler or a frame
        parts.append(" ".join(map(str, frame.columns)))
        parts.append(frame.astype(str).to_csv(index=False, header=False))
    for w in list(at.selectbox) + list(at.multiselect) + list(at.radio):
        parts.append(str(w.label))
        parts += [str(o) for o in w.options]
    parts += [str(b.label) for b in at.button]
    # commands users type (in `code`) are not interface text
    return re.sub(r"`[^`]*`", "", "\n".join(parts))


@pytest.mark.parametrize("store_name", ["sample", "imported", "empty"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_codes_none_or_keys_on_any_page(stores, monkeypatch, store_name, lang):
    monkeypatch.setenv("RESTORATION_DATA", str(stores[store_name]))
    monkeypatch.setenv("RESTORATION_TILES", "none")
    monkeypatch.setenv("RESTORATION_TODAY", SAMPLE_TODAY)
    problems = {}
    for page in PAGES:
        at = AppTest.from_file(str(REPO / "dashboards" / "app.py"), default_timeout=120)
        signed_in(at)
        at.session_state["lang"] = lang
        at.switch_page(page).run()  # straight to the page (no overview render first)
        assert not at.exception, (store_name, lang, page, at.exception)
        text = _all_text(at)  # table cells too (the browser sees only the grid's canvas)
        found = raw_text_problems(text, lang) + wrong_language_messages(text, lang)
        if found:
            problems[page] = found
    assert not problems, problems
