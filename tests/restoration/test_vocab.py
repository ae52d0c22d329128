"""The vocabularies: one registry, labels in both languages, and the ground floor imports nothing above it."""
from __future__ import annotations

import ast
from importlib import import_module
from pathlib import Path

import pytest

import restoration
from restoration import vocab
from restoration.messages import Term, term_label

ROOT = Path(restoration.__file__).parent


def _project_imports(path: Path) -> set[str]:
    """The project modules a file imports (every import, function-level too), as dotted names."""
    mod = ".".join(path.relative_to(ROOT.parent).with_suffix("").parts)
    pkg = mod.split(".")[:-1] if path.name != "__init__.py" else mod.split(".")
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(pkg[:len(pkg) - node.level + 1] + ([base] if base else []))
            names.add(base)
    return {n for n in names if n.split(".")[0] in ("restoration", "equivalence", "dashboards")}


@pytest.mark.parametrize("kind", sorted(vocab.REGISTRY))
def test_every_code_has_both_labels(kind):
    v = vocab.vocabulary(kind)
    assert len(v) > 0
    for code in v:
        zh, en = v.pair(code)
        assert zh.strip() and en.strip(), (kind, code)
        assert v.label(code, "zh") == zh and v.label(code, "en") == en


def test_the_enums_are_registered_with_their_labels():
    for kind, enum in {"stage": vocab.Stage, "site_role": vocab.Role, "case_class": vocab.CaseClass,
                       "verdict": vocab.Verdict, "siting_reason": vocab.SitingReason}.items():
        assert enum.vocabulary is vocab.vocabulary(kind)
        assert [m.value for m in enum] == list(vocab.vocabulary(kind))
        assert all(vocab.label(kind, m, "zh") == m.zh for m in enum)
    assert vocab.Stage.FILING.label("zh") == "立案" and vocab.Stage.FILING.label("en") == "filing"


def test_a_labelled_enum_without_a_label_is_refused():
    class Half(vocab.Labelled):
        ONE = "one"
        TWO = "two"
    with pytest.raises(ValueError, match="two"):
        vocab.labelled("half_test", {"one": ("一", "one")})(Half)
    assert "half_test" not in vocab.REGISTRY


def test_a_kind_is_registered_once():
    with pytest.raises(ValueError, match="stage"):
        vocab.register(vocab.Vocabulary("stage", {"x": ("x", "x")}))


def test_unknown_kinds_and_codes_read_as_the_code():
    assert vocab.label("no_such_kind", "abc") == "abc"
    assert vocab.label("stage", "no_such_stage", "zh") == "no_such_stage"
    assert vocab.label("layer", "some_layer", "zh") == "some layer"  # a layer in words
    with pytest.raises(KeyError, match="known"):
        vocab.vocabulary("no_such_kind")


def test_terms_are_worded_from_the_registry():
    assert term_label(Term("event", "meeting_held"), "zh") == "召开磋商会议"
    assert term_label(Term("role", "appraiser"), "en") == "appraiser"
    assert term_label(Term("action", "case.funds"), "zh") == "资金收支"
    assert term_label(Term("indicator", "氨氮"), "en") == "ammonia nitrogen (NH3-N)"  # an alias
    assert term_label(Term("progress_status", "at_risk"), "zh") == "有风险"
    assert term_label(Term("region", "province"), "zh") == "全省"
    assert term_label(Term("layer", "bank_projects"), "en") == "bank projects"
    assert term_label(Term("unit", "tCO2e"), "zh") == "tCO2e"  # a unit code is its own word


def test_the_old_names_are_the_vocabularies():
    access, model, units, deadlines, funds, procedure, indicators, progress = (import_module(f"restoration.{m}") for m in (
        "access", "model", "bank.units", "cases.deadlines", "cases.funds", "cases.procedure",
        "monitoring.indicators", "monitoring.progress"))
    assert model.Stage is vocab.Stage and model.OPEN_STAGES == vocab.OPEN_STAGES
    assert access.ROLE_LABELS is vocab.ROLE_LABELS and access.ACTIONS is vocab.ACTION_LABELS
    assert deadlines.STATUS_LABELS is vocab.DEADLINE_STATUS and progress.STATUS is vocab.PROGRESS_STATUS
    assert procedure.OFFSET_STATUS is vocab.OFFSET_STATUS and procedure.ASSESSMENT_COLUMNS is vocab.ASSESSMENT_COLUMNS
    assert units.AREA_LABELS is vocab.AREA_LABELS and units.RESOURCE_UNITS is vocab.RESOURCE_UNITS
    assert funds.status_label("paid_late", "zh") == "逾期后缴清"
    assert indicators.ALIASES is vocab.INDICATOR_ALIASES
    assert {i.code: (i.zh, i.en) for i in indicators.INDICATORS.values()} == vocab.INDICATOR_LABELS


def test_events_have_a_label_and_a_stage_each():
    from restoration.cases.events import EVENT_TYPES, STAGE_AFTER
    assert list(STAGE_AFTER) == list(vocab.EVENT_LABELS)
    assert all((e.zh, e.en) == vocab.EVENT_LABELS[c] for c, e in EVENT_TYPES.items())


def test_every_layer_is_named_once():
    from restoration.model import LAYERS
    assert {name: spec.zh for name, spec in LAYERS.items()} == {c: zh for c, (zh, _) in vocab.LAYER_NAMES.items()}


def test_a_custom_indicator_joins_the_vocabulary():
    from restoration.monitoring.indicators import INDICATORS, Indicator, register_indicator
    try:
        register_indicator(Indicator("test_turbidity2", "测试浊度", "test turbidity", "NTU", 0, 10, "lower",
                                     "physical"))
        assert term_label(Term("indicator", "测试浊度"), "en") == "test turbidity"
    finally:
        INDICATORS.pop("test_turbidity2", None)
        vocab.INDICATOR_LABELS.pop("test_turbidity2", None)


def test_the_ground_floor_imports_nothing_above_it():
    for path in (ROOT / "vocab").glob("*.py"):
        assert all(m.startswith("restoration.vocab") for m in _project_imports(path)), path
    allowed = ("restoration.vocab", "restoration.errors", "equivalence.errors")
    assert all(m.startswith(allowed) for m in _project_imports(ROOT / "messages.py")), \
        _project_imports(ROOT / "messages.py")


# -- one source for the wording of messages ---------------------------------------------------------
def test_every_message_code_is_worded_in_both_languages():
    from restoration.messages import TEMPLATES, WORDING, ZH, placeholders
    assert set(ZH) == set(TEMPLATES) and WORDING["en"] is TEMPLATES
    for code, english in TEMPLATES.items():
        assert ZH[code].strip() and english.strip(), code
        assert placeholders(ZH[code]) == placeholders(english), code


def test_the_interface_files_hold_no_copy_of_the_platform_wording():
    import json
    from restoration.vocab import TERM_WORDS
    for lang in ("zh", "en"):
        keys = set(json.loads((ROOT.parent / "dashboards" / "i18n" / f"{lang}.json").read_text(encoding="utf-8")))
        assert not [k for k in keys if k.startswith("msg.")], lang
        assert not [f"{kind}.{c}" for kind, words in TERM_WORDS.items() for c in words if f"{kind}.{c}" in keys], lang
        # the case page's deadline and instalment statuses are the vocabularies'
        assert not [k for k in keys if k.split(".")[0] == "deadline" and k.split(".", 1)[1] in vocab.DEADLINE_STATUS]
        assert not [k for k in keys if k.split(".")[0] == "instalment" and k.split(".", 1)[1] in vocab.INSTALMENT_STATUS]


def test_the_dashboards_and_the_command_line_word_a_message_alike():
    from dashboards.i18n import message
    from restoration.messages import Message, word
    m = Message("event.missing_details", {"event": Term("event", "meeting_held"), "date": "2025-06-05",
                                          "fields": [Term("detail", "approved_by")]})
    assert "missing approved_by" in str(m)  # the log line names the field as stored
    assert word(m, "zh") == message(m, "zh") and "批准人" in word(m, "zh")
    assert word(m, "en") == message(m, "en") and "approved by" in word(m, "en")


def test_the_command_line_does_not_import_the_dashboards():
    for path in (ROOT / "cli").glob("*.py"):
        assert not [m for m in _project_imports(path) if m.startswith("dashboards")], path
