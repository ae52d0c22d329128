"""What may never show in the interface: vocabulary codes, raw ``None``/``nan``, untranslated
dictionary keys, Streamlit's built-in English placeholders."""
from __future__ import annotations

import re

from restoration import model

# every vocabulary code of the data model (shown only through its label)
CODES = sorted({m.value for enum in (model.Stage, model.CaseClass, model.Role, model.EcosystemType,
                                     model.RestorationMode, model.ProjectStatus, model.ProjectKind,
                                     model.Service, model.AllocationState, model.ModeStatus, model.Verdict,
                                     model.Direction)
                for m in enum})
SNAKE_CODES = [c for c in CODES if "_" in c]
RAW = re.compile(r"(?<![\w.])(None|nan|NaN|null|NaT|Choose options|Drag and drop|\d+ ?MB per file)(?![\w])")


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


def _literal_pieces(template: str) -> list[str]:
    import string
    return [lit for lit, *_ in string.Formatter().parse(template) if lit]


def message_sentences() -> dict[str, list[str]]:
    """Wording of the platform's own messages (alerts, deadline sources, refused events, scenario
    problems) that may only appear in its language: {"en": English pieces, "zh": Chinese pieces}.
    A piece is the literal text between a template's parameters, long enough to be a phrase."""
    from dashboards.i18n import dictionary
    from restoration.messages import TEMPLATES
    en, zh = set(), set()
    for lang, out in (("en", en), ("zh", zh)):
        d = dictionary(lang)
        for key, template in d.items():
            if key.startswith(("msg.", "scenario.")) and not key.startswith(("scenario.what.", "scenario.key.")):
                out.update(_literal_pieces(template))
    en.update(p for t in TEMPLATES.values() for p in _literal_pieces(t))
    en = {p.strip(" :;,.()[]—") for p in en}
    zh = {p.strip(" ：；，。（）「」——") for p in zh}
    return {"en": sorted(p for p in en if len(re.findall(r"[A-Za-z]+", p)) >= 3),
            "zh": sorted(p for p in zh if len(re.findall(r"[\u4e00-\u9fff]", p)) >= 4)}


def wrong_language_messages(text: str, lang: str, pieces: dict[str, list[str]] | None = None) -> list[str]:
    """Message wording of the other language in a page's visible text (user data — names,
    places — is not wording, so it never matches)."""
    pieces = message_sentences() if pieces is None else pieces
    other = pieces["en" if lang == "zh" else "zh"]
    return [p for p in other if p in text]
