"""What the ``restoration bank …`` command modules share: the store and actor, strict JSON of the
bank's records, and the words of capacity figures and milestones."""
from __future__ import annotations

import click

from . import _context
from ..errors import InputError, Issue


def store():
    return _context.store()


def actor() -> str:
    return _context.actor()


def echo_json(obj) -> None:
    from ..bank._common import json_safe
    _context.echo_json(json_safe(obj))


def pairs(values: tuple[str, ...], what: str) -> dict:
    """``key=value`` options into a dict (numbers parsed)."""
    out = {}
    for item in values:
        for part in item.split(","):
            if not part.strip():
                continue
            if "=" not in part:
                raise InputError(Issue(f"expected key=value, got {part!r}", field=what))
            k, v = (x.strip() for x in part.split("=", 1))
            try:
                out[k] = float(v)
            except ValueError:
                out[k] = v
    return out


def amount(value) -> str:
    """A capacity figure; ``—`` where it is not this user's to see (another region's balance)."""
    return "—" if value is None or value != value else f"{value:g}"


def milestone(code) -> str:
    """A milestone code as ``中文 english``."""
    from ..vocab import label
    zh, en = label("bank_milestone", code, "zh"), label("bank_milestone", code, "en")
    return zh if zh == en else f"{zh} {en}"


def text(value, missing: str = "-") -> str:
    """A cell of a text line: ``missing`` for None / NaN / empty (never ``None`` or ``nan``)."""
    return missing if value is None or (isinstance(value, float) and value != value) or value == "" else str(value)


def echo_findings(findings: dict[str, list[dict]]) -> None:
    """The polygon review's findings of an import (slivers, thin parts, spikes, overlaps accepted)."""
    from ..bank.review import finding_text
    for pid, found in findings.items():
        for f in found:
            click.echo(f"  图斑检查 polygon check {pid}: {finding_text(f, 'zh')} / {finding_text(f, 'en')}")
