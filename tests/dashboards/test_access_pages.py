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
    assert "密码须至少 10 个字符" in at.error[0].value and "password" not in at.error[0].value  # page's language
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
    handling = next(s for s in at.selectbox if s.label == "办理地区")  # the access panel: only its own county
    assert handling.options == ["桂西市 / 青岚县"], handling.options
    # the overview's tables and map data hold only the region's cases
    at.switch_page("views/overview.py").run()
    assert not at.exception
    sent = _sent(at)
    others = store.read("cases")
    for _, case in others[~others["region"].isin(["青岚县"])].iterrows():
        assert case["title"] not in sent, case["case_id"]
    # the screening-report form offers only the county's own region (not every county)
    assert next(s for s in at.selectbox if s.label == "地区").options == ["青岚县"]


def _labels(at) -> dict[str, list[str]]:
    return {"selects": [s.label for s in at.selectbox], "buttons": [b.label for b in at.button],
            "inputs": [i.label for i in at.text_input], "captions": [c.value for c in at.caption]}


@pytest.mark.parametrize("backend", ["gpkg"])  # the pages' gating does not depend on the backend
def test_case_forms_follow_the_role_and_a_county_sees_its_own(app, store, staff_data, monkeypatch):
    """One session, the user switched between reruns. A county read-only user: the overview, bank
    and monitoring pages send nothing of another county (ids, titles), and the case page shows
    no forms but a notice of why. An appraiser: the event form (appraisal results only) and the
    calculator's save-to-case on the cases assigned to them, a notice elsewhere. (The write
    functions refuse anyway: tests/restoration/test_access.py; the supervisor's forms are used
    by the browser walk.)"""
    import re

    from restoration import access, scoped_store
    from restoration.cases.records import update_case
    case = "GX-2022-010"
    update_case(store, case, {"appraisers": ["zhang.app"]}, "admin")
    auth.add_user(staff_data, "viewer", "Role-pass-2026!", "readonly", "C01")
    for name in ("zhang.app", "wang.app"):
        auth.add_user(staff_data, name, "Role-pass-2026!", "appraiser")
    sc = scoped_store.scope(store, access.Actor("viewer", "readonly", "C01"))
    cases = store.read("cases")
    others = cases[~cases["case_id"].isin(sc.case_ids)]
    held = set(store.read("bank_allocations", case_id=tuple(sc.case_ids))["project_id"])  # the county's cases' own
    needles = (set(others["case_id"]) | set(others["title"])
               | (set(store.read("bank_projects")["project_id"]) - sc.project_ids - held))
    pattern = re.compile("|".join(rf"(?<![\w-]){re.escape(n)}(?![\w-])" for n in needles))
    at = _session(app, name="viewer", role="readonly", region="C01").run()
    for page in ("views/overview.py", "views/bank.py", "views/monitoring.py"):
        if page != "views/overview.py":
            at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        assert not pattern.findall(_sent(at)), (page, sorted(set(pattern.findall(_sent(at))))[:5])
    at.session_state["case_id"] = case
    at.switch_page("views/case.py").run()
    seen = {}
    for name, role in (("viewer", "readonly"), ("wang.app", "appraiser"), ("zhang.app", "appraiser")):
        if name != "viewer":
            _session(at, name=name, role=role)
            at.run()
        assert not at.exception, (name, at.exception)
        seen[name] = _labels(at)
        if name == "viewer":
            assert not pattern.findall(_sent(at))
        if name == "zhang.app":  # the assigned appraiser: the event form, offering appraisal results only
            kinds = next(s for s in at.selectbox if s.label == "事件类型").options
            assert kinds == ["鉴定评估报告"], kinds  # appraisal_reported
    for name in ("viewer", "wang.app"):  # no case forms at all, and a notice of why
        got = seen[name]
        assert "事件类型" not in got["selects"] and "巡查人" not in got["inputs"], name
        assert "按当前数据评估并保存" not in got["buttons"], name
    assert any("只读用户" in c and "仅可查看" in c for c in seen["viewer"]["captions"]), seen["viewer"]["captions"]
    assert any("未指定给您" in c for c in seen["wang.app"]["captions"]), seen["wang.app"]["captions"]
    assert "巡查人" not in seen["zhang.app"]["inputs"]  # no inspections for an appraiser
    # the equivalence calculator: an appraiser may save a scenario to assigned cases only
    at.session_state["eq_case"] = case  # the case the calculator links to
    at.switch_page("views/equivalence.py").run()  # still zhang.app
    for name, expected in (("zhang.app", True), ("wang.app", False)):
        if name == "wang.app":
            _session(at, name=name, role="appraiser")
            at.run()
        assert not at.exception
        assert ("保存为该案件的评估情景" in [b.label for b in at.button]) is expected, name
    # a page that let the form through anyway (a stale check, a race): the write function refuses,
    # and the page words who was refused and why in the interface language, nothing written
    monkeypatch.setattr(access, "why_not", lambda *a, **k: None)
    at.run()
    before = store.count("case_scenarios")
    next(b for b in at.button if b.label == "保存为该案件的评估情景").click().run()
    assert not at.exception and store.count("case_scenarios") == before
    refusal = next(e.value for e in at.error if e.value.startswith("无权执行此操作"))
    assert "wang.app（鉴定评估人员" in refusal and f"案件 {case} 未指定给本用户" in refusal, refusal
    assert not re.search(r"[A-Za-z]{4,}", refusal.replace("wang.app", "")), refusal  # no English
