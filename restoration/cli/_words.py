"""Chinese words for the command line: the platform's messages and vocabulary codes.

The command line prints Chinese beside English. A :class:`~restoration.messages.Message` is worded
by ``restoration.messages.word`` — the wording the dashboards use too — so a refusal reads the
same at every door; vocabulary codes (stages, roles, ecosystems, statuses) are shown as their
labels from ``restoration.vocab`` — never as the raw code.
"""
from __future__ import annotations

from typing import Iterable

from ..errors import Issue
from ..messages import Message, word
from ..model import LAYERS
from ..vocab import LEDGER_ACTION, label as _label

#: a field name's Chinese label (the first layer that names it; the fields of one name mean the same)
FIELD_ZH: dict[str, str] = {}
for _spec in LAYERS.values():
    for _f in _spec.fields:
        if _f.zh:
            FIELD_ZH.setdefault(_f.name, _f.zh)


def _where(issue: Issue) -> str:
    parts = []
    if issue.source:
        parts.append(str(issue.source))
    if issue.row is not None:
        parts.append(f"第 {issue.row} {'个要素' if issue.row_label == 'feature' else '行'}")
    if issue.field:
        name = issue.field
        parts.append(f"参数 {name}" if name.startswith("-") else f"字段“{FIELD_ZH.get(name, name)}”")
    return ("，".join(parts) + "：") if parts else ""


def chinese(exc: Exception, limit: int = 30) -> list[str]:
    """The Chinese lines of an error: one per problem that carries a message code (a problem
    given as plain English text has no Chinese wording and is left to the English line)."""
    issues: Iterable = getattr(exc, "issues", None) or [Issue(getattr(exc, "message", None))]
    out = []
    for issue in list(issues)[:limit]:
        if isinstance(issue, Issue) and isinstance(issue.message, Message):
            text = word(issue.message, "zh")
            if text and text != str(issue.message):
                out.append(_where(issue) + text)
    return out


def label(enum_cls, code, lang: str = "zh") -> str:
    """A vocabulary code's label (``—`` when missing; an unknown code as it is stored)."""
    if code is None or (isinstance(code, float) and code != code) or code == "":
        return "—"
    try:
        return enum_cls(code).label(lang)
    except ValueError:
        return str(code)


def both(enum_cls, code) -> str:
    """A vocabulary code as ``中文 english`` (the command line's bilingual style)."""
    zh, en = label(enum_cls, code, "zh"), label(enum_cls, code, "en")
    return zh if zh == en else f"{zh} {en}"


def unit(code, lang: str = "zh") -> str:
    """A capacity unit code (``ha``, ``fish_fry`` …) as its word."""
    if code is None or (isinstance(code, float) and code != code):
        return ""
    return _label("capacity_unit", code, lang)


#: the bank ledger's actions (``bank_ledger.action``, and ``awaiting_match`` for escrow waiting)
LEDGER_ACTIONS = {code: f"{zh} {en}" for code, (zh, en) in LEDGER_ACTION.items()}
