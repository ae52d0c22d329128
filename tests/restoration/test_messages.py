"""Messages as code + parameters: English by str(), every code worded in both dictionaries."""
from __future__ import annotations

import re

import pytest

from dashboards.i18n import dictionary, message, scenario_message
from equivalence.errors import ScenarioError
from equivalence.params import parse_scalar, to_number
from restoration.messages import TEMPLATES, Message, Term, placeholders


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_code_is_worded_with_the_same_parameters(lang):
    d = dictionary(lang)
    for code, english in TEMPLATES.items():
        assert f"msg.{code}" in d, (lang, code)
        assert placeholders(d[f"msg.{code}"]) == placeholders(english), (lang, code)


def test_a_message_in_each_language():
    m = Message("alert.progress", {"site": "S016", "indicator": Term("indicator", "ndvi"), "progress": 0.42,
                                   "planned": 0.8, "status": Term("progress_status", "at_risk")})
    assert "progress 42% vs planned 80%" in str(m) and "at risk" in str(m)
    zh = message(m, "zh")
    assert "进度 42%" in zh and "有风险" in zh
    assert not re.search(r"progress|planned|risk", zh)  # no English wording in the Chinese text
    nested = Message("event.requires_because", {"event": Term("event", "meeting_held"), "date": "2025-06-05",
                                                "needed": [Term("event", "filed")], "why": Message("event.why_appraise_first")})
    assert "需先有" in message(nested, "zh") and "鉴定评估" in message(nested, "zh")
    assert "requires" in str(nested) and "appraised first" in str(nested)
    assert message("plain text", "zh") == "plain text" and message(None, "zh") == "—"


def test_scenario_errors_carry_a_code():
    with pytest.raises(ScenarioError) as e:
        to_number("abc", "injury.area")
    assert e.value.code == "not_number" and "应为数字" in scenario_message(e.value, "zh")
    with pytest.raises(ScenarioError) as e:
        parse_scalar(-2, "injury.area", lower=0, lower_open=True, what="area")
    zh = scenario_message(e.value, "zh")
    assert e.value.code == "bound" and zh == "受损情况 › 面积：面积须 > 0，当前为 -2"  # the editor's field names
    assert scenario_message(e.value, "en") == str(e.value) == "injury.area: area must be > 0, got -2"
    # a problem without a code: the key path and a general remark in Chinese, the detail in English
    plain = ScenarioError("method", "unknown method 'x'; use one of hea, rea")
    assert "方法" in scenario_message(plain, "zh") and "unknown" not in scenario_message(plain, "zh")
    assert "unknown method" in scenario_message(plain, "en")


def _bad_scenarios():
    """(change to the calculator's worked example, code expected): one per problem a scenario can have."""
    def put(path, value):
        def f(s):
            *keys, last = path
            for k in keys:
                s = s[k]
            s[last] = value
        return f
    drop = lambda *keys: (lambda s: s[keys[0]].pop(keys[1]) if len(keys) == 2 else s.pop(keys[0]))  # noqa: E731
    return [
        (put(["injury", "area"], "3%"), "percent"), (put(["injury", "area"], True), "not_number"),
        (put(["injury", "area"], float("inf")), "not_finite"), (put(["base_year"], {"dist": "uniform"}), "year_uncertain"),
        (put(["base_year"], 2024.5), "year_whole"), (put(["base_year"], 10**7), "out_of_range"),
        (put(["injury", "area"], {"min": 1}), "number_or_dist"), (put(["replacement", "relative_value"], 0), "bound"),
        (put(["injury", "area"], {"dist": "uniform", "min": -1, "max": 2}), "bound_dist"),
        (put(["injury", "area"], {"dist": "pert", "min": 1, "mode": 2, "max": 3, "lambda": 0}), "positive"),
        (put(["injury", "area"], {"dist": "normal", "mean": 5, "sd": -1}), "non_negative"),
        (put(["timing"], "weekly"), "unknown_choice"), (put(["injury", "aera"], 1), "unknown_key_close"),
        (put(["injury", "zzz"], 1), "unknown_key"), (drop("injury"), "required"), (drop("method"), "required_choose"),
        (drop("injury", "levels"), "required_for"), (put(["title"], {"a": 1}), "text_expected"),
        (put(["injury", "name"], "x" * 81), "name_text"),
        (put(["injury", "area"], {"dist": "uniform", "min": 1, "max": 2, "mode": 1}), "dist_param_unknown"),
        (put(["injury", "area"], {"dist": "triangular", "min": 1, "max": 2}), "dist_param_required"),
        (put(["injury", "area"], {"dist": "uniform", "min": 3, "max": 2}), "max_below_min"),
        (put(["injury", "area"], {"dist": "triangular", "min": 1, "mode": 5, "max": 3}), "mode_outside"),
        (put(["injury", "area"], {"dist": "lognormal", "mean": -1, "sd": 1}), "lognormal_mean"),
        (put(["injury", "area"], {"dist": "lognormal", "mu": 1}), "lognormal_params"),
        (put(["injury", "area"], {"dist": "uniform", "min": 1, "max": 2, "value": 5}), "point_outside"),
        (put(["injury", "area"], {"dist": "normal", "mean": 0, "sd": 0.1, "min": 5, "max": 6, "value": 5.5}),
         "truncated_away"),
        (put(["injury", "levels"], True), "points_or_shape"), (put(["injury", "levels"], []), "points_empty"),
        (put(["injury", "levels"], [[2019, 0.2, 9]]), "pair_expected"),
        (put(["injury", "levels"], [[2019, 0.2], [2019, 0.3]]), "year_repeats"),
        (put(["injury", "levels"], [[2020, 0.2], [2019, 0.3]]), "year_order"),
        (put(["injury", "levels"], {"shape": "wave"}), "unknown_choice"),
        (put(["injury", "levels"], {"shape": "linear", "from": [2019, 0], "to": [2020, 1], "k": 1}),
         "shape_param_unknown"),
        (put(["injury", "levels"], {"shape": "linear", "from": [2019, 0]}), "shape_param_required"),
        (put(["injury", "levels"], {"shape": "linear", "from": [2020, 0], "to": [2019, 1]}), "shape_order"),
        (lambda s: s.update({"method": "value"}), "mode_required"), (put(["mode"], "value_to_cost"), "mode_not_taken"),
        (put(["schema_version"], 2), "schema_unsupported"), (drop("base_year"), "base_year_required"),
        (drop("discount_rate"), "rate_required"), (put(["discount_rate"], 3), "rate_percentage"),
        (put(["discount_rate"], {"dist": "uniform", "min": 0.01, "max": 2}), "rate_dist_high"),
        (lambda s: (s.update({"discount_rate": 0}), s["injury"].update({"end_year": "perpetuity"})), "perpetuity_rate"),
        (lambda s: s.update({"method": "resource", "resource_unit": ""}), "resource_unit_text"),
        (put(["injury"], 5), "mapping_or_list"), (put(["injury"], []), "list_empty"), (put(["injury"], [5]),
                                                                                        "mapping_expected"),
        (put(["injury", "start_year"], 2040), "start_after_end"), (put(["injury", "end_year"], 2900), "year_far"),
        (put(["injury", "levels"], [[1000, 0.2]]), "points_far"), (put(["injury", "area"], 1e12), "area_too_large"),
        (lambda s: s.update({"replacement": [{**s["replacement"], "share": 0.5}]}), "single_share"),
        (put(["replacement", "share"], 2), "share_range"),
        (lambda s: s.update({"replacement": [{**s["replacement"], "share": 0.5}, dict(s["replacement"])]}),
         "share_required"),
        (lambda s: s.update({"replacement": [{**s["replacement"], "share": 0.5},
                                             {**s["replacement"], "share": 0.4}]}), "shares_sum"),
        (lambda s: s.update({"replacement": [{**s["replacement"], "share": 0.5},
                                             {**s["replacement"], "share": {"dist": "uniform", "min": 0.4,
                                                                            "max": 0.6}}]}), "share_uncertain"),
        (lambda s: s.update({"replacement": [{**s["replacement"], "share": 0.5},
                                             {**s["replacement"], "share": 0.5, "area_unit": "mu"}]}), "units_differ"),
        (put(["uncertainty"], 5), "uncertainty_mapping"), (put(["uncertainty"], {"draws": 10**7}), "out_of_range"),
        (lambda s: {"draws": 2_000_000}, "draws_too_many"),  # run_scenario(draws=...)
        (put(["uncertainty"], {"draws": -1}), "draws_non_negative"), (put(["uncertainty"], {"percentiles": 5}),
                                                                      "percentiles_list"),
        (put(["uncertainty"], {"percentiles": [5, 101]}), "percentile_range"),
        (put(["replacement", "levels"], [[2025, 0.0], [2032, 0.0]]), "no_gain_levels"),
        (lambda s: s.update({"method": "value", "mode": "value_to_value"}) or s["replacement"].update({"unit_value": 0}),
         "no_gain_value"),
        (put(["replacement", "relative_value"], 1e308), "not_finite_result"),
    ]


def test_every_scenario_problem_in_each_language():
    """The engine's refusals, each through the engine: a code with parameters; str() is the
    English of the same code; the Chinese names the editor's fields and has no English wording."""
    import copy

    import equivalence
    from dashboards.equivalence_panels import DEFAULT
    from dashboards.i18n import scenario_path
    from tests.dashboards.text_checks import message_sentences, wrong_language_messages
    pieces, seen = message_sentences(), set()
    for change, code in _bad_scenarios():
        s = copy.deepcopy(DEFAULT)
        kwargs = change(s)  # the engine's own arguments, for the draws
        with pytest.raises(ScenarioError) as e:
            equivalence.run_scenario(s, **(kwargs if code == "draws_too_many" else {}))
        exc = e.value
        assert exc.code == code, (code, str(exc))
        seen.add(code)
        zh, en = scenario_message(exc, "zh"), scenario_message(exc, "en")
        assert str(exc) == f"{exc.path}: {exc.message}" if exc.path else exc.message
        assert en.replace(" / ", ", ") == str(exc), code  # the dictionary's English is the engine's
        assert _CJK.search(zh) and not wrong_language_messages(zh, "zh", pieces), (code, zh)
        assert scenario_path(exc.path, "zh") in zh and not re.search(r"[a-z]_[a-z]", scenario_path(exc.path, "zh"))
    assert len(seen) >= 60, len(seen)


def test_every_scenario_code_and_key_is_worded():
    """No scenario error is raised without a code; every code, quantity and key has both words."""
    from pathlib import Path

    from equivalence import distributions, scenario, trajectory
    from equivalence.errors import TEMPLATES as SCENARIO
    root = Path(__file__).resolve().parents[2] / "equivalence"
    for f in root.glob("*.py"):
        src = f.read_text(encoding="utf-8")
        if f.name != "errors.py":
            assert "ScenarioError(" not in src, f.name  # always invalid(path, code, ...)
        for code in re.findall(r"invalid\([^,]+, \"(\w+)\"", src) + re.findall(r"Problem\(\"(\w+)\"", src):
            assert code in SCENARIO, (f.name, code)
        whats = re.findall(r"what=\"([^\"]+)\"", src)
        for lang in ("zh", "en"):
            for what in whats:
                assert f"scenario.what.{what}" in dictionary(lang), (f.name, what)
    keys = (scenario._TOP_KEYS | scenario._INJURY_KEYS | scenario._REPLACEMENT_KEYS | scenario._UNCERTAINTY_KEYS
            | {k for req, opt in distributions.DIST_KEYS.values() for k in req | opt}
            | {k for req, opt in trajectory._SHAPE_KEYS.values() for k in req | opt} | {"dist", "shape", "dist_mode"})
    for lang in ("zh", "en"):
        assert not [k for k in keys if f"scenario.key.{k}" not in dictionary(lang)], lang
    assert all(f"scenario.{c}" in TEMPLATES for c in SCENARIO)  # so the first test checks their wording


def test_a_refusal_names_who_and_why_in_each_language():
    from restoration import access
    from restoration.errors import PermissionDenied
    viewer = access.Actor("viewer", "readonly", "C01")
    with pytest.raises(PermissionDenied) as e:
        access.require(viewer, "case.event")
    exc = e.value
    assert exc.exit_code == 5 and access.denial_reason(exc) == "role"
    assert str(exc) == "viewer (read-only, region 'C01'): the role may not record case events and inspections"
    zh = message(exc.message, "zh")
    assert zh == "viewer（只读用户，地区 C01）：该角色无权记录案件事件与巡查", zh
    assert message(exc.message, "en") == str(exc)
    import contextvars

    def server():  # in a copy of the context: the refusal of plain names stays in it
        access.refuse_plain_names()
        access.as_actor("someone")
    with pytest.raises(PermissionDenied) as e:
        contextvars.copy_context().run(server)
    assert message(e.value.message, "zh") == "“someone”不是已登录用户；服务器只为已登录用户执行操作"
    assert access.as_actor("local").role == "admin"  # this test's own context is untouched


_CJK = re.compile(r"[\u4e00-\u9fff]")


def test_chinese_wording_is_chinese():
    """A code worded in zh.json by copying the English would pass the parameter check above."""
    zh = dictionary("zh")
    for code, english in TEMPLATES.items():
        words = re.sub(r"\{[^}]*\}", "", english)
        if re.search(r"[A-Za-z]", words):  # not a layout of parameters only ("{path}: {problem}")
            assert _CJK.search(zh[f"msg.{code}"]), code


def test_refusals_are_codes_with_worded_details():
    """The event checks return messages only (no sentence built in the code), every code they use
    is worded, and every event detail they name has a label in both dictionaries."""
    from pathlib import Path
    root = Path(__file__).resolve().parents[2] / "restoration" / "cases"
    zh, en = dictionary("zh"), dictionary("en")
    for name in ("workflow.py", "procedure_rules.py"):
        src = (root / name).read_text(encoding="utf-8")
        assert not re.search(r"return \(?f\"", src), name  # a sentence instead of a Message
        for code in re.findall(r"Message\(\s*\"([a-z_.]+)\"", src) + re.findall(r"what=\"([a-z_.]+)\"", src):
            assert code in TEMPLATES, (name, code)
        details = re.findall(r"Term\(\"detail\", \"(\w+)\"\)", src)
        for call in re.findall(r"_missing\(name, ([^)]*)\)", src):
            details += re.findall(r"\"(\w+)\"", call)
        for key in details:
            assert f"detail.{key}" in zh and f"detail.{key}" in en, (name, key)


def test_a_procedure_refusal_in_each_language():
    from datetime import date

    from restoration.profiles import load_profile
    from restoration.cases.workflow import replay
    case = {"case_id": "T", "case_class": "ordinary", "incident_date": "2025-01-01"}
    steps = [{"event_type": "clue_registered", "event_date": "2025-02-01", "details": {}},
             {"event_type": "supervision_started", "event_date": "2025-02-02", "details": {"authority": "省办"}}]
    problems = replay(case, steps, load_profile("guangxi"), date(2026, 1, 1)).problems
    assert len(problems) == 1
    m = problems[0][2]
    assert isinstance(m, Message) and m.code == "event.supervision_major_only"
    assert "supervision is for major cases" in str(m) and "ordinary" in str(m)
    zh = message(m, "zh")
    assert "督办适用于重大案件" in zh and "本案为一般" in zh
    assert not re.search(r"supervision|major|ordinary|case", zh)


def test_bank_refusals_name_states_and_units_in_each_language():
    m = Message("bank.allocation_state", {"allocation": "AL-000001", "state": Term("allocation_state", "released"),
                                          "needed": [Term("allocation_state", "reserved"),
                                                     Term("allocation_state", "committed")]})
    assert "is released" in str(m) and "reserved / committed" in str(m)
    zh = message(m, "zh")
    assert "AL-000001" in zh and not re.search(r"released|reserved|committed|allocation", zh)
    low = Message("bank.below_precision", {"amount": "1e-07", "asked_unit": Term("unit", "ha"), "precision": 1e-6,
                                           "unit": Term("unit", "ha")})
    assert str(low).startswith("1e-07 ha is below the ledger's precision of 1e-06 ha")
    assert "公顷" in message(low, "zh") and "ha" not in message(low, "zh")
