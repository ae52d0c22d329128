"""Field evidence on the case page (Streamlit AppTest): after a field import the timeline tab
lists each photo with its SHA-256, camera time, position and who took it, and the review queue
warns of the open conflict; the public page shows neither hash nor photo."""
from __future__ import annotations

import hashlib
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from restoration import access
from restoration.field import export_package, import_package

from ..field import play
from .conftest import ONE_BACKEND, REPO, SAMPLE_TODAY, signed_in

APP = str(REPO / "dashboards" / "app.py")
CASE = "GX-2023-009"


@ONE_BACKEND
@pytest.mark.parametrize("lang", ["zh"])
def test_the_case_page_shows_field_evidence_and_conflicts(staff_data, store, tmp_path, monkeypatch, lang):
    pkg = tmp_path / "pkg"
    export_package(store, [CASE], pkg, access.local_admin())
    lon, lat = play.site_centre(pkg, "S010")
    day = date(2026, 11, 18)
    photo = play.jpeg(lon, lat, play.noon(day), seed=5)
    play.add_inspections(pkg, [{"case_id": CASE, "site_id": "S010", "inspection_date": day, "photos": [photo]}])
    play.edit_site(pkg, "S010", name="外业名称")
    with store.transaction("office") as tx:
        tx.update("sites", "S010", {"name": "办公室名称"})
    import_package(store, pkg, access.local_admin(), today=date.fromisoformat(SAMPLE_TODAY))
    digest = hashlib.sha256(photo).hexdigest()

    monkeypatch.setenv("RESTORATION_DATA", str(staff_data))
    monkeypatch.setenv("RESTORATION_TILES", "none")
    monkeypatch.setenv("RESTORATION_TODAY", SAMPLE_TODAY)
    at = signed_in(AppTest.from_file(APP, default_timeout=120))
    at.session_state["lang"] = lang
    at.session_state["case_id"] = CASE
    at.switch_page("views/case.py").run()
    assert not at.exception
    tables = [d.value for d in at.dataframe]
    evidence = next(t for t in tables if "SHA-256 摘要" in t.columns)
    assert list(evidence["SHA-256 摘要"]) == [digest]
    assert list(evidence["拍摄人"]) == ["张巡查"] and list(evidence["位于场地内"]) == ["是"]
    assert evidence["拍摄时间"].iloc[0] == "2026-11-18 12:00:00"
    assert "None" not in evidence.to_string() and "nan" not in evidence.to_string()
    thumb = evidence["缩略图"].iloc[0]
    assert thumb.startswith("data:image/jpeg;base64,") and list(evidence["公开"]) == ["否"]
    assert any(e.label == "公开或撤回外业照片" for e in at.expander)  # a supervisor may publish
    queue = next(t for t in tables if "外业的值" in t.columns)
    assert list(queue["外业的值"]) == ["外业名称"] and list(queue["状态"]) == ["待审"]
    assert any("1 项外业修改待审" in w.value for w in at.warning)

    public = AppTest.from_file(APP, default_timeout=120).run()  # a visitor: the public page
    shown = " ".join(str(e.value) for e in public.markdown) + " ".join(d.value.to_string() for d in public.dataframe)
    assert not public.exception and digest not in shown and ".jpg" not in shown
