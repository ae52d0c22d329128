"""Rule profiles: shipped files, inheritance, and loud failures on typos and missing sources."""
from __future__ import annotations

import pytest

from restoration.cases import load_profile
from restoration.profiles import NOT_SET, Rule, available_profiles
from restoration.errors import InputError, NotFoundError


def test_shipped_profiles(guangxi, zhejiang):
    assert {"national", "guangxi", "zhejiang"} <= set(available_profiles())
    assert guangxi.chain == ("guangxi", "national")
    assert zhejiang.chain == ("zhejiang", "national")


def test_province_overrides_and_inherits(guangxi, zhejiang):
    # Guangxi's own values, cited to its own documents
    minor = guangxi.rule("classification.significantly_minor.amount_cap_yuan")
    assert (minor.value, minor.verified, minor.origin) == (3000, True, "guangxi")
    assert "桂环规范〔2024〕1号" in minor.source and "第三条" in minor.source
    consult = guangxi.rule("time_limits.consultation")
    assert (consult.value, consult.verified, consult.origin) == (90, True, "guangxi")
    # Zhejiang inherits the national consultation limit, which is unverified
    zj = zhejiang.rule("time_limits.consultation")
    assert (zj.value, zj.verified, zj.origin) == (90, False, "national")
    # inherited untouched from national
    assert guangxi.rule("calendar.last_day_on_rest_day").origin == "national"
    assert guangxi.rule("classification.simple.amount_cap_ceiling_yuan").value == 500_000
    # list items merge by id: Zhejiang keeps the national red-line exception, replaces the
    # 2-year one with its own citation and adds rectification
    exc = zhejiang.list("classification.significantly_minor.exceptions")
    assert exc.ids == ("in_red_line", "repeat_offence_within_2y", "rectification_not_completed")
    assert exc.get("in_red_line").origin == "national"
    assert exc.get("repeat_offence_within_2y").origin == "zhejiang"
    assert "rectification_not_completed" not in guangxi.list("classification.significantly_minor.exceptions")
    # Guangxi adds its recognised modes to the national ones
    assert set(guangxi.list("modes.recognised").ids) >= {"in_situ", "labour_in_lieu", "instalments"}
    assert "labour_in_lieu" not in zhejiang.list("modes.recognised")


def test_unconfirmed_values_are_not_set(zhejiang, guangxi):
    cap = zhejiang.rule("classification.significantly_minor.amount_cap_yuan")
    assert not cap.is_set and cap.display() == NOT_SET and cap.source
    rate = guangxi.rule("modes.labour_in_lieu.daily_rate_yuan")
    assert not rate.is_set and not rate.verified
    inv = guangxi.rule("time_limits.investigation")
    assert not inv.is_set and inv.extra["start_events"] == ["investigation_started"]
    # a rule no profile mentions at all is also reported as not set, not as an error
    assert not load_profile("national").rule("modes.labour_in_lieu.daily_rate_yuan").is_set


@pytest.mark.parametrize("name", ["national", "guangxi", "zhejiang"])
def test_every_rule_and_list_cites_its_source(name):
    prof = load_profile(name)
    table = prof.table()
    assert len(table) > 30
    assert table["source"].map(lambda s: isinstance(s, str) and len(s) > 3).all()
    assert table["verified"].map(lambda v: isinstance(v, bool)).all()
    for r in prof.walk():
        if isinstance(r, Rule):
            continue
        for item in r.items:
            assert item.source and isinstance(item.verified, bool), (r.path, item.id)


def test_guangxi_lists(guangxi):
    assert len(guangxi.list("clue_channels").items) == 10
    assert guangxi.channel_for("12345热线").id == "complaints"
    assert guangxi.channel_for("中央生态环境保护督察").id == "central_inspection"
    assert guangxi.channel_for("from nowhere") is None
    assert set(guangxi.list("agreement_clauses").ids) == {
        "damage_facts", "evidence", "restoration_plan", "time_limits", "breach_liability",
        "effect_evaluation", "dispute_resolution"}
    fails = guangxi.list("consultation.failure_circumstances")
    assert {"refused", "no_reply", "absent_without_reason", "left_meeting", "notice_unserved",
            "period_expired_without_agreement"} <= set(fails.ids)
    assert fails.verified and "五（三）5" in fails.source


def _child(body: str) -> str:
    return ('[profile]\nid = "child"\nname_zh = "测试"\nname_en = "Test"\nextends = "national"\n\n' + body)


def _issues(exc: pytest.ExceptionInfo) -> list:
    return exc.value.issues


def test_typo_names_file_and_key_path(write_profile):
    path = write_profile("child", _child(
        '[classification.simple]\namout_cap_yuan = { value = 1, source = "x", verified = false }\n'))
    with pytest.raises(InputError) as exc:
        load_profile(path)
    (issue,) = _issues(exc)
    assert issue.source == str(path.resolve())
    assert issue.field == "classification.simple.amout_cap_yuan"
    assert "did you mean 'amount_cap_yuan'" in issue.message
    assert "child.toml" in str(exc.value)


def test_unknown_top_level_table(write_profile):
    path = write_profile("child", _child('[time_limit.consultation]\nvalue = 1\n'))
    with pytest.raises(InputError) as exc:
        load_profile(path)
    assert _issues(exc)[0].field == "time_limit" and "time_limits" in _issues(exc)[0].message


def test_missing_source_is_refused(write_profile):
    path = write_profile("child", _child('[classification.simple]\namount_cap_yuan = { value = 400000, verified = true }\n'))
    with pytest.raises(InputError) as exc:
        load_profile(path)
    (issue,) = _issues(exc)
    assert issue.field == "classification.simple.amount_cap_yuan"
    assert "'source' is missing" in issue.message


def test_missing_verified_is_refused(write_profile):
    path = write_profile("child", _child('[consultation]\nmax_meetings = { value = 2, source = "doc art. 1" }\n'))
    with pytest.raises(InputError) as exc:
        load_profile(path)
    assert "'verified' is missing" in _issues(exc)[0].message


def test_time_limit_needs_source_and_known_events(write_profile):
    path = write_profile("child", _child('''
        [time_limits.report]
        zh = "报告"
        en = "report"
        day_kind = "fortnights"
        value = "30"
        start_events = ["investigation_begun"]
        stop_events = ["investigation_reported"]
        '''))
    with pytest.raises(InputError) as exc:
        load_profile(path)
    by_field: dict[str, str] = {}
    for i in _issues(exc):
        by_field[i.field] = by_field.get(i.field, "") + i.message
    assert "whole number" in by_field["time_limits.report.value"]
    assert "calendar" in by_field["time_limits.report.day_kind"]
    assert "investigation_begun" in by_field["time_limits.report.start_events"]
    assert "'source' is missing" in by_field["time_limits.report"]


def test_list_item_needs_a_source(write_profile):
    path = write_profile("child", _child('''
        [[termination_reasons.items]]
        id = "flood"
        zh = "洪水"
        en = "flood"
        '''))
    with pytest.raises(InputError) as exc:
        load_profile(path)
    assert _issues(exc)[0].field == "termination_reasons.items[1:flood]"
    assert "'source' is missing" in _issues(exc)[0].message


def test_good_child_profile_overrides(write_profile):
    path = write_profile("child", _child('''
        [classification.simple]
        amount_cap_yuan = { value = 500000, source = "某省 第九条", verified = true }

        [time_limits.investigation]
        zh = "调查"
        en = "investigation"
        day_kind = "working"
        value = 60
        start_events = ["investigation_started"]
        stop_events = ["investigation_reported"]
        source = "某省 第五条"
        verified = true

        [termination_reasons]
        source = "某省 第十条"
        verified = true
        replace = true

        [[termination_reasons.items]]
        id = "flood"
        zh = "不可抗力"
        en = "force majeure"
        '''))
    prof = load_profile(path)
    assert prof.chain == ("child", "national")
    assert prof.rule("classification.simple.amount_cap_yuan").value == 500_000
    inv = prof.rule("time_limits.investigation")
    assert (inv.value, inv.extra["day_kind"], inv.origin) == (60, "working", "child")
    assert prof.list("termination_reasons").ids == ("flood",)  # replace = true drops national items
    assert prof.list("not_started_reasons").ids == load_profile("national").list("not_started_reasons").ids


def test_cap_above_national_ceiling_refused(write_profile):
    path = write_profile("child", _child(
        '[classification.simple]\namount_cap_yuan = { value = 600000, source = "某省", verified = true }\n'))
    with pytest.raises(InputError, match="exceeds the ceiling 500,000"):
        load_profile(path)


def test_inheritance_errors(write_profile):
    with pytest.raises(InputError, match="not found"):
        load_profile(write_profile("orphan", _child("").replace('"national"', '"nowhere"').replace('"child"', '"orphan"')))
    write_profile("a", '[profile]\nid = "a"\nname_zh = "a"\nname_en = "a"\nextends = "b"\n')
    b = write_profile("b", '[profile]\nid = "b"\nname_zh = "b"\nname_en = "b"\nextends = "a"\n')
    with pytest.raises(InputError, match="cycle"):
        load_profile(b)
    wrong = write_profile("wrong", _child(""))  # id "child" in wrong.toml
    with pytest.raises(InputError, match="must be the file name"):
        load_profile(wrong)
    bad = write_profile("broken", "[profile\nid = 1\n")
    with pytest.raises(InputError, match="not valid TOML") as exc:
        load_profile(bad)
    assert "broken.toml" in str(exc.value)
    with pytest.raises(NotFoundError, match="available"):
        load_profile("atlantis")


def test_profiles_from_a_user_folder(write_profile, monkeypatch):
    path = write_profile("mytown", '[profile]\nid = "mytown"\nname_zh = "某市"\nname_en = "My town"\n'
                                   'extends = "guangxi"\n')
    monkeypatch.setenv("RESTORATION_PROFILES", str(path.parent))
    prof = load_profile("mytown")
    assert prof.chain == ("mytown", "guangxi", "national")
    assert prof.rule("time_limits.consultation").origin == "guangxi"
