"""The data model as a package by concept: every layer defined once, named by the vocabulary."""
from __future__ import annotations

import re
from pathlib import Path

import restoration.model as model
from restoration import vocab

PACKAGE = Path(model.__file__).parent


def test_every_layer_is_defined_once_and_never_patched():
    sources = {p.name: p.read_text(encoding="utf-8") for p in PACKAGE.glob("*.py")}
    defined = [m for text in sources.values() for m in re.findall(r"^([A-Z_]+) = LayerSpec\(", text, re.M)]
    assert len(defined) == len(set(defined)) == len(model.LAYERS)
    assert not [n for n, text in sources.items() if re.search(r"replace\(|LAYERS\[[^]]+\] *=", text)]
    assert not [n for n, text in sources.items() if re.search(r"[Ii]ssue \d+", text)]


def test_the_layers_in_the_order_the_store_creates_them():
    assert list(model.LAYERS)[:3] == ["sites", "bank_projects", "cases"]
    assert all(model.LAYERS[name] is getattr(model, name.upper()) for name in ("sites", "cases", "escrow"))
    for name in model.ATTRIBUTE_LAYERS:  # the imported layers keep a file's extra columns, last
        assert model.LAYERS[name].fields[-1] is model.ATTRIBUTES_FIELD
    cases = model.CASES.field_names
    assert cases.index("damage_amount_source") > cases.index("updated_at")  # columns added by a migration last


def test_a_layer_is_named_by_the_layer_vocabulary():
    assert all(spec.zh == vocab.label("layer", name, "zh") for name, spec in model.LAYERS.items())
    assert model.LayerSpec("some_table", fields=()).zh == "some table"
    assert model.LayerSpec("some_table", fields=(), zh="某表").zh == "某表"


def test_the_old_imports_keep_working():
    from restoration.model import CASES, LAYERS, MAX_YUAN, OPEN_STAGES, Field, Stage  # noqa: F401
    assert model.Stage is vocab.Stage and model.F is model.Field
    assert model.CASES.field("stage").choices == model.enum_values(vocab.Stage)
