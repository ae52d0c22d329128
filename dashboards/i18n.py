"""Interface text: one dictionary file per language (``i18n/zh.json``, ``i18n/en.json``).

中文 is the default. Vocabulary labels (stages, classes, roles...) come from
``restoration.vocab`` and the wording of the platform's messages (``msg.<code>``) from
``restoration.messages``, so each is defined once; the files hold the interface's own texts.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from restoration.messages import WORDING, Message, scenario_problem, word
from restoration.vocab import TERM_WORDS, label as vocab_label
from restoration.profiles.profile import Bilingual

LANGUAGES = ("zh", "en")
_DIR = Path(__file__).with_name("i18n")


@lru_cache(maxsize=None)
def dictionary(lang: str) -> dict[str, str]:
    """The interface texts of ``lang``: its file, the messages' wording (``msg.<code>``) and the
    words of message terms (``detail.<field>``, ``layer.<code>``, ``unit.<code>``,
    ``scenario.what.<quantity>``) from the platform."""
    d = json.loads((_DIR / f"{lang}.json").read_text(encoding="utf-8"))
    d.update({f"msg.{code}": text for code, text in WORDING.get(lang, WORDING["en"]).items()})
    for kind, words in TERM_WORDS.items():
        d.update({f"{kind}.{code}": words.label(code, lang) for code in words})
    return d


def t(key: str, lang: str = "zh", **fmt) -> str:
    """The label for ``key`` in ``lang`` (falls back to 中文, then to the key itself)."""
    text = dictionary(lang).get(key) or dictionary("zh").get(key) or key
    return text.format(**fmt) if fmt else text


def vocab(enum_cls, value: str | None, lang: str = "zh") -> str:
    """A vocabulary value's label, e.g. ``vocab(Stage, "filing", "zh") == "立案"``."""
    if value is None:
        return "—"
    try:
        return enum_cls(value).label(lang)
    except ValueError:
        return str(value)


def vocab_code(kind: str, value, lang: str = "zh") -> str:
    """A code of the registered vocabulary ``kind`` as its label (``—`` when missing)."""
    if value is None or (isinstance(value, float) and value != value) or value == "":
        return "—"
    return vocab_label(kind, value, lang)


def money(yuan: float | None, lang: str = "zh") -> str:
    """Yuan as 万元 (Chinese) or yuan (English)."""
    if yuan is None or yuan != yuan:
        return "—"
    return f"{yuan / 1e4:,.2f} 万元" if lang == "zh" else f"{yuan:,.0f} yuan"


def area(ha: float | None, lang: str = "zh") -> str:
    """Hectares with 亩 alongside (1 亩 = 1/15 ha)."""
    if ha is None or ha != ha:
        return "—"
    return f"{ha:,.2f} 公顷（{ha * 15:,.1f} 亩）" if lang == "zh" else f"{ha:,.2f} ha ({ha * 15:,.1f} mu)"


def area_short(ha: float | None, lang: str = "zh") -> str:
    """Hectares only, short enough for a metric card (亩 goes in the card's help)."""
    if ha is None or ha != ha:
        return "—"
    return f"{ha:,.2f} 公顷" if lang == "zh" else f"{ha:,.2f} ha"


def money_short(yuan: float | None, lang: str = "zh") -> str:
    """Yuan for a metric card: 万元 (亿元 from 10⁸) in Chinese, k / M yuan in English."""
    if yuan is None or yuan != yuan:
        return "—"
    if lang == "zh":
        return f"{yuan / 1e8:,.2f} 亿元" if abs(yuan) >= 1e8 else f"{yuan / 1e4:,.2f} 万元"
    if abs(yuan) >= 1e6:
        return f"{yuan / 1e6:,.2f} M yuan"
    return f"{yuan / 1e3:,.1f} k yuan" if abs(yuan) >= 1e4 else f"{yuan:,.0f} yuan"


#: unit codes stored in records that have words in the dictionaries (``unit.<code>``)
UNIT_CODES = ("ha", "mu", "m2", "km2")


def unit_word(code, lang: str = "zh") -> str:
    """A stored unit code (``ha``, ``mu``, ``fish_fry``, ``tCO2e`` …) in the interface language:
    area units from the dictionaries, resource units from the capacity-unit vocabulary; a unit
    the vocabulary does not know (a user's own word) as stored."""
    if code is None or (isinstance(code, float) and code != code):
        return ""
    return t(f"unit.{code}", lang) if code in UNIT_CODES else vocab_label("capacity_unit", str(code), lang)


def number(value, digits: int = 2, unit: str = "") -> str:
    """A number for a table cell: ``—`` for missing, never ``None`` or ``nan``."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "—"
    if v != v:
        return "—"
    text = f"{v:,.{digits}f}"
    return f"{text} {unit}".strip()


def text(value) -> str:
    """A table cell from a possibly missing value."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    return str(value)


def message(m, lang: str = "zh") -> str:
    """A platform message (:class:`restoration.messages.Message`) in ``lang``, worded by
    ``restoration.messages.word`` (scenario key paths as the editor's field names); a plain string
    or value is shown as it is."""
    if m is None or (isinstance(m, float) and m != m):
        return "—"
    if isinstance(m, Bilingual):  # a text worded in both languages: this page's only
        return m.zh if lang == "zh" else m.en
    if not isinstance(m, Message):
        return str(m)
    return word(m, lang, lambda term, _lang: scenario_path(term.code, lang) if term.kind == "scenario.path" else None)


_PATH_PART = re.compile(r"^([^\[\]]*)((?:\[\d+\])*)$")
_POINT_LISTS = {"levels", "baseline", "lost_units", "units_per_project_unit", "percentiles"}


def scenario_path(path: str, lang: str = "zh") -> str:
    """A scenario key path (``injury.levels[2][1]``) in words: the English interface shows the
    path as in the scenario file; the Chinese one names the editor's fields (受损情况 › 服务水平轨迹
    › 第 3 个点 › 数值)."""
    if not path or lang == "en":
        return path or "—"
    d = dictionary(lang)
    words = []
    parts = path.split(".")
    for i, part in enumerate(parts):
        m = _PATH_PART.match(part)
        if not m:
            return path
        name, idx = m.group(1), [int(x) for x in re.findall(r"\d+", m.group(2))]
        key = "dist_mode" if name == "mode" and i > 0 else name
        words.append(d.get(f"scenario.key.{key}", name))
        if idx and name in _POINT_LISTS:
            words.append(t("scenario.point", lang, n=idx[0] + 1))
            idx = idx[1:]
        elif idx and name in ("injury", "replacement"):
            words.append(t("scenario.item", lang, n=idx[0] + 1))
            idx = idx[1:]
        for j in idx:  # the year (0) or the value (1) of a [year, value] pair
            words.append(t("eq.col_year", lang) if j == 0 else d.get("scenario.key.value", "value"))
    return d.get("scenario.path_sep", " › ").join(w for w in words if w)


def scenario_message(exc, lang: str = "zh") -> str:
    """An :class:`equivalence.ScenarioError` in ``lang``: worded by ``msg.scenario.<code>``, the
    key path as the editor's field names; a problem without a code: the key path with a general
    remark (Chinese; the detail goes to the log) or the engine's English text."""
    m = scenario_problem(exc)
    if isinstance(m, Message):
        return message(m, lang)
    import logging
    logging.getLogger(__name__).info("scenario problem without a code: %s", exc)
    return dictionary(lang)["scenario.other"].format(path=scenario_path(getattr(exc, "path", ""), lang),
                                                     detail=getattr(exc, "message", str(exc)))
