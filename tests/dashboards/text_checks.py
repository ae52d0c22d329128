"""What may never show in the interface: vocabulary codes, raw ``None``/``nan``, untranslated
dictionary keys, Streamlit's built-in English placeholders."""
from __future__ import annotations

import re

from restoration import model

# every vocabulary code of the data model (shown only through its label)
CODES = sorted({m.value for enum in (model.Stage, model.CaseClass, model.Role, model.EcosystemType,
                                     model.RestorationMode, model.ProjectStatus, model.ProjectKind,
                                     model.Service, model.AllocationState, model.ModeStatus, model.Verdict)
                for m in enum})
SNAKE_CODES = [c for c in CODES if "_" in c]
RAW = re.compile(r"(?<![\w.])(None|nan|NaN|null|NaT|Choose options|Drag and drop|200MB per file)(?![\w])")


def i18n_keys() -> set[str]:
    from dashboards.i18n import dictionary
    return set(dictionary("zh"))


def raw_text_problems(text: str, lang: str, keys: set[str] | None = None) -> list[str]:
    """Codes, raw values and untranslated keys in a page's visible text."""
    keys = i18n_keys() if keys is None else keys
    found = [m.group(0) for m in RAW.finditer(text)]
    words = set(re.findall(r"[A-Za-z][A-Za-z0-9_.]*[A-Za-z0-9]", text))
    found += sorted(k for k in keys if k in words)
    found += sorted(c for c in SNAKE_CODES if c in words)
    if lang == "zh":  # in Chinese every vocabulary word is a label: no English code may show
        found += sorted(c for c in CODES if c in words)
    return found
