"""The bank's public register page, anonymous, in Chinese and English (Streamlit AppTest: it reads
every table cell): released and reservable capacity, tranches, allocations by public case number,
search — and none of the privacy corpus written into the bank's and the cases' free text."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from restoration.bank import record_milestone, reserve, set_schedule

from ..bank.test_register import corpus
from .conftest import REPO, SAMPLE_TODAY
from .test_app import _texts


@pytest.mark.parametrize("lang, title, released", [("zh", "项目库公开登记簿", "已释放容量"), ("en", "Project bank register", "Released capacity")])
def test_public_register_page_anonymous(staff_data, store, monkeypatch, lang, title, released):
    corpus.poison(store)
    set_schedule(store, "BP13", ["0.25:secured", "0.75:construction_accepted"])
    record_milestone(store, "BP13", "secured", "2020-01-10", evidence="联系人张三 13912345678")
    reserve(store, "BP13", "GX-2022-010", 10.0, note="王女士 139-1234-5678")
    with store.transaction("privacy-test") as tx:
        tx.update("bank_projects", "BP13", {"name": "张三林场 13912345678", "operator": "李四 0771-5551234"})
    monkeypatch.setenv("RESTORATION_DATA", str(staff_data))
    monkeypatch.setenv("RESTORATION_TILES", "none")
    monkeypatch.setenv("RESTORATION_TODAY", SAMPLE_TODAY)
    at = AppTest.from_file(str(REPO / "dashboards" / "app.py"), default_timeout=120)
    at.session_state["lang"] = lang
    at.switch_page("views/register.py").run()  # no sign-in
    assert not at.exception
    assert at.title[0].value == title
    if lang == "zh":  # (AppTest cannot set a widget after a language's first run: the Chinese run picks)
        at.selectbox(key="register_project").set_value("BP13").run()
    text = _texts(at)
    leaks = [n for n in corpus.needles() if n in text]
    assert not leaks, leaks
    assert released in text and "None" not in text and "nan" not in text
    assert "{id}" not in text  # no unfilled message placeholder as a column header
    assert ("桂源县森林替代修复项目" if lang == "zh" else "Alternative restoration project, forest, 桂源县") in text
    assert ("土地与法律保障落实" if lang == "zh" else "construction accepted") in text  # a released / the next milestone
    assert "37.50" in text  # BP13's released capacity (150 ha × 0.25)
    # resource units in words, never their codes (the carbon-sink and the fry-release projects)
    assert "fish_fry" not in text and "tCO2e" not in text
    assert ("尾（鱼苗）" in text and "吨二氧化碳当量" in text) if lang == "zh" else ("fish fry" in text)
    if lang == "en":
        return
    # search: a county narrows the table
    at.selectbox(key=f"register_county_{lang}").set_value("桂源县").run()
    assert not at.exception
    assert all(cell == "桂源县" for cell in at.dataframe[0].value.iloc[:, 1])
