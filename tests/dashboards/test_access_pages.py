"""Access as the dashboards meet it (Streamlit AppTest on the sample store): the public page's
protobuf messages hold none of the privacy corpus; sign-in lockout and audit; idle and absolute
expiry; a disabled account's session ends; the forced password change; a county user sees and
edits only its region's cases."""
from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from restoration import auth

from .conftest import REPO, SAMPLE_TODAY, STAFF

APP = str(REPO / "dashboards" / "app.py")
_spec = importlib.util.spec_from_file_location("privacy_corpus", REPO / "tests" / "privacy_corpus.py")
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)


@pytest.fixture
def app(staff_data, monkeypatch):
    monkeypatch.setenv("RESTORATION_DATA", str(staff_data))
    monkeypatch.setenv("RESTORATION_TILES", "none")
    monkeypatch.setenv("RESTORATION_TODAY", SAMPLE_TODAY)
    return AppTest.from_file(APP, default_timeout=120)


def _protos(node):
    """Every element's protobuf message under ``node`` (what the server sends the browser)."""
    proto = getattr(node, "proto", None)
    if proto is not None and hasattr(proto, "SerializeToString"):
        yield proto
    for child in getattr(node, "children", {}).values():
        yield from _protos(child)


def _sent(at) -> str:
    return "\n".join(p.SerializeToString().decode("utf-8", "ignore") for p in _protos(at._tree))


def _session(app, name=STAFF[0], role="supervisor", region="province", age=0.0, idle=0.0):
    now = time.time()
    app.session_state["user"] = {"name": name, "role": role, "region": region,
                                 "signed_in_at": now - age, "last_seen": now - idle}
    return app


def test_public_page_sends_no_personal_data(app, store):
    corpus.poison(store)
    at = app.run()
    assert not at.exception
    sent = _sent(at)
    assert "生态环境损害赔偿案" in sent  # the capture holds the page's table (control)
    leaks = [n for n in corpus.needles() if n in sent]
    assert not leaks, leaks


def _sign_in(at, name, password):
    at.text_input[0].input(name)
    at.text_input[1].input(password)
    at.button[0].click().run()
    return at


def test_login_lockout_and_audit(app, store, staff_data):
    at = app.run()
    at.switch_page("views/login.py").run()
    for _ in range(auth.LOCKOUT_AFTER):
        _sign_in(at, STAFF[0], "wrong password!")
    assert "秒后再试" in at.error[0].value  # locked, and said so
    _sign_in(at, STAFF[0], STAFF[1])  # the right password does not open a locked account
    assert "user" not in at.session_state and "秒后再试" in at.error[0].value
    log = auth.sign_in_log(store)
    failures = log[log["action"] == "sign-in failure"]
    assert len(failures) == auth.LOCKOUT_AFTER + 1 and (failures["actor"] == STAFF[0]).all()
    assert failures.iloc[0]["after"]["reason"] == "locked" and failures.iloc[-1]["after"]["reason"] == "wrong password"


def test_login_succeeds_and_is_audited(app, store):
    at = app.run()
    at.switch_page("views/login.py").run()
    _sign_in(at, STAFF[0], STAFF[1])
    assert not at.exception and at.session_state["user"]["name"] == STAFF[0]
    assert auth.sign_in_log(store).iloc[0]["action"] == "sign-in success"


@pytest.mark.parametrize("age, idle, message", [(0, 301, "长时间未操作"), (50_000, 0, "最长有效期")])
def test_session_expiry(app, monkeypatch, age, idle, message):
    monkeypatch.setenv("RESTORATION_SESSION_IDLE", "300")
    at = _session(app, age=age, idle=idle).run()
    assert not at.exception
    assert "user" not in at.session_state
    assert message in at.warning[0].value
    assert [p for p in ("总览",) if p in _sent(at)] == []  # back to the public navigation


def test_live_session_kept_and_disabled_account_ends(app, staff_data):
    at = _session(app, idle=10).run()
    assert "user" in at.session_state and at.title[0].value == "总览"
    auth.disable_user(staff_data, STAFF[0])
    at.run()
    assert "user" not in at.session_state and "已停用" in at.warning[0].value


def test_forced_password_change(app, staff_data):
    auth.reset_password(staff_data, STAFF[0], "Temporary-pass-42")
    at = app.run()
    at.switch_page("views/login.py").run()
    _sign_in(at, STAFF[0], "Temporary-pass-42")
    assert at.session_state["user"]["must_change"]
    at.run()
    assert at.title[0].value == "修改密码"  # the only page offered
    with pytest.raises(ValueError):
        at.switch_page("views/overview.py")
    at.text_input[0].input("Temporary-pass-42")
    at.text_input[1].input("short")
    at.text_input[2].input("short")
    at.button[0].click().run()
    assert "password must" in at.error[0].value
    for i, value in enumerate(("Temporary-pass-42", "A-new-passphrase-77", "A-new-passphrase-77")):
        at.text_input[i].input(value)
    at.button[0].click().run()
    assert not at.exception and not at.session_state["user"]["must_change"]
    assert auth.sign_in(staff_data, STAFF[0], "A-new-passphrase-77").status == "ok"


def test_county_user_sees_and_edits_only_its_cases(app, store, staff_data):
    auth.add_user(staff_data, "qinglan.sup", "Qinglan-pass-2026", "supervisor", "C01")
    at = _session(app, name="qinglan.sup", region="C01").run()
    assert not at.exception
    at.session_state["case_id"] = "GX-2023-009"  # 石岭县: asked for by URL or state, not shown
    at.switch_page("views/case.py").run()
    assert not at.exception
    choose = next(s for s in at.selectbox if s.label == "选择案件")
    assert set(choose.options) == {"GX-2024-003 · 青岚县某木材加工企业非法占用林地案",
                                   "GX-2022-010 · 青岚县某矿山企业破坏岩溶植被案"}
    sent = _sent(at)
    assert "石岭县某公司盗伐林木案" not in sent and "GX-2023-009" not in sent
    # the overview's tables and map data hold only the region's cases
    at.switch_page("views/overview.py").run()
    assert not at.exception
    sent = _sent(at)
    others = store.read("cases")
    for _, case in others[~others["region"].isin(["青岚县"])].iterrows():
        assert case["title"] not in sent, case["case_id"]


def test_readonly_user_cannot_write_through_the_case_forms(app, store, staff_data):
    auth.add_user(staff_data, "viewer", "Read-only-pass-2026", "readonly")
    at = _session(app, name="viewer", role="readonly").run()
    at.session_state["case_id"] = "GX-2023-015"
    at.switch_page("views/case.py").run()
    events = store.count("case_events")
    sel = next(s for s in at.selectbox if s.label == "事件类型")
    sel.set_value("inspection")
    [b for b in at.button if b.label == "保存"][-1].click().run()  # the event form's save
    assert not at.exception
    assert store.count("case_events") == events
    assert any("无权执行此操作" in e.value for e in at.error)
