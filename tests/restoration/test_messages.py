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
    assert e.value.code == "bound" and "面积须 > 0" in zh and "injury.area" in zh
    assert scenario_message(e.value, "en") == "injury.area: area must be > 0, got -2"
    # a problem without a code: the key path and a general remark in Chinese, the detail in English
    plain = ScenarioError("method", "unknown method 'x'; use one of hea, rea")
    assert "method" in scenario_message(plain, "zh") and "unknown" not in scenario_message(plain, "zh")
    assert "unknown method" in scenario_message(plain, "en")


_CJK = re.compile(r"[\u4e00-\u9fff]")


def test_chinese_wording_is_chinese():
    """A code worded in zh.json by copying the English would pass the parameter check above."""
    zh = dictionary("zh")
    for code in TEMPLATES:
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

    from restoration.cases.rules import load_profile
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
