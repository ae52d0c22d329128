"""The Overview page's candidate clues in English (AppTest): the facts and chips in English with
no raw codes, a dismissal without a reason refused on the page, a dismissal with one stored."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from restoration.cli import main

from ..monitoring.clue_scene import PATTERN, write_scene
from .conftest import REPO, SAMPLE_TODAY, signed_in
from .text_checks import raw_text_problems


@pytest.mark.parametrize("backend", ["gpkg"])
def test_candidate_clue_in_english_dismissed_with_a_reason(staff_data, store, monkeypatch, tmp_path):
    scene = write_scene(tmp_path / "scene")
    for args in (["import", "protected_areas", str(scene["protected"])],
                 ["monitor", "clues", str(scene["breaks"]), str(scene["index"]), "--date-pattern", PATTERN]):
        with pytest.raises(SystemExit) as exit_:
            main(["--data", str(staff_data), *args])
        assert exit_.value.code == 0
    cid = store.read("clue_candidates")["candidate_id"].iloc[0]
    monkeypatch.setenv("RESTORATION_DATA", str(staff_data))
    monkeypatch.setenv("RESTORATION_TILES", "none")
    monkeypatch.setenv("RESTORATION_TODAY", SAMPLE_TODAY)
    at = AppTest.from_file(str(REPO / "dashboards" / "app.py"), default_timeout=120)
    signed_in(at)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception, at.exception
    assert "Clues from imagery" in [s.value for s in at.subheader]
    text = "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption])
    assert f"{cid}" in text and "disturbed in 2015" in text and "mu" in text
    assert "in protected area 十万大山生态保护红线&lt;script\\> \\(PA-01\\)" in text  # escaped: shown as typed
    assert "35.98 ha (539.6 mu)" in text and "（" not in text
    assert "1 to be checked of 1." in text, text[-800:]
    assert "index drop 0.350; year uncertainty ± 0.5 years" in text
    assert not raw_text_problems(text, "en")
    dismiss = next(b for b in at.button if b.label == "Dismiss this clue")
    dismiss.click().run()
    assert [e.value for e in at.error] == ["Give the reason for the dismissal."]
    assert store.get("clue_candidates", cid)["status"] == "candidate"
    next(w for w in at.text_area if w.label == "Reason for dismissal").input("approved forest harvest")
    next(b for b in at.button if b.label == "Dismiss this clue").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    row = store.get("clue_candidates", cid)
    assert row["status"] == "dismissed" and row["dismiss_reason"] == "approved forest harvest"
    assert row["decided_by"] == "supervisor1"
    decided = next(df.value for df in at.dataframe if "Clue id" in df.value.columns)
    assert decided.iloc[0]["Status"] == "dismissed" and decided.iloc[0]["Reason for dismissal"] == "approved forest harvest"
