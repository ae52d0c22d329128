"""The pages on a user's own store with an imported monitoring plan (``tests/own_plan.py``: cases,
sites, targets and a field table imported through the CLI, nothing from the sample), on both
backends, in Chinese and English: the behind-plan sites, the cases they belong to and the
overview's lagging area are the ones worked out by hand."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboards.i18n import area_short
from restoration import auth
from restoration.monitoring.progress import STATUS

from ..own_plan import BEHIND, EXPECTED, TODAY, build_own_plan
from .conftest import REPO, STAFF, signed_in
from .text_checks import raw_text_problems

APP = str(REPO / "dashboards" / "app.py")


@pytest.fixture
def own(empty_store, tmp_path, capsys, monkeypatch):
    case_of = build_own_plan(empty_store, tmp_path, capsys)
    auth.add_user(empty_store.data_dir, STAFF[0], STAFF[1], "supervisor")
    monkeypatch.setenv("RESTORATION_DATA", str(empty_store.data_dir))
    monkeypatch.setenv("RESTORATION_TILES", "none")
    monkeypatch.setenv("RESTORATION_TODAY", TODAY)
    return empty_store, case_of


def _page(page: str, lang: str, case_id: str | None = None):
    at = signed_in(AppTest.from_file(APP, default_timeout=120))
    at.session_state["lang"] = lang
    if case_id:
        at.session_state["case_id"] = case_id
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _table(at, column: str, first: tuple[str, ...] = ()):
    """The table on the page that has ``column`` (a Styler's data, or a frame) — and, with
    ``first``, whose first column's name holds one of those words (the case page also shows a
    deadlines table with a status column)."""
    frames = [df.value.data if hasattr(df.value, "data") else df.value for df in at.dataframe]
    found = [f for f in frames if column in f.columns
             and (not first or any(w in str(f.columns[0]) for w in first))]
    assert found, [list(f.columns) for f in frames]
    return found[0]


def _statuses(at, lang: str) -> dict[str, str]:
    """Site id → status word, from the progress table on the page."""
    column = "状态" if lang == "zh" else "Status"
    frame = _table(at, column, first=("场地", "Site", "site"))
    site = frame.columns[0]
    return dict(zip(frame[site].str.split(" ").str[0], frame[column]))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_monitoring_page_and_overview_name_the_behind_plan_sites(own, lang):
    store, case_of = own
    word = 0 if lang == "zh" else 1
    at = _page("views/monitoring.py", lang)
    assert _statuses(at, lang) == {s: STATUS[code][word] for s, code in EXPECTED.items()}
    alerts = _table(at, "级别" if lang == "zh" else "Severity")
    high = alerts[alerts.iloc[:, 0] == ("高" if lang == "zh" else "high")]
    assert sorted(high.iloc[:, 2]) == ["IM016", "IM020"]  # at risk: COD past due, cover far behind
    assert sorted(set(alerts.iloc[:, 1])) == sorted({case_of[s] for s in EXPECTED if EXPECTED[s] != "on_track"
                                                     and EXPECTED[s] != "achieved"})
    text = "\n".join(alerts.astype(str).to_csv(index=False).splitlines())
    assert not raw_text_problems(text, lang)
    at = _page("views/overview.py", lang)
    area = store.read("sites").set_index("site_id")["area_ha"]
    lagging = next(m for m in at.metric if m.label == ("修复进度滞后面积" if lang == "zh" else "Restoration lagging"))
    assert lagging.value == area_short(float(area[sorted(BEHIND)].sum()), lang)


def test_the_case_page_shows_its_sites_against_plan(own):
    store, case_of = own
    case = case_of["IM020"]  # GX-2022-010: IM020 at risk, IM040 achieved
    at = _page("views/case.py", "zh", case)
    assert _statuses(at, "zh") == {"IM020": "有风险", "IM040": "已达标"}
    assert any(s.value == "设定监测指标目标" for s in at.subheader)
