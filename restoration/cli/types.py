"""Command-line parameter types that refuse bad values up front, naming the argument.

Click's own ``float`` accepts ``nan`` and ``inf`` (and ``FloatRange`` lets NaN through, since
every comparison with NaN is false); a free-text filter such as ``--stage bogus`` silently
matches nothing. These types end such input with exit code 2 and a message naming the argument
and, for vocabularies, every valid code with its Chinese label.
"""
from __future__ import annotations

import math
from enum import Enum
from pathlib import Path

import click

from .. import files
from ..errors import InputError


class Number(click.ParamType):
    """A finite number, optionally within bounds (``min_open``/``max_open``: bound excluded)."""

    name = "number"

    def __init__(self, min: float | None = None, max: float | None = None, *,
                 min_open: bool = False, max_open: bool = False):
        self.min, self.max, self.min_open, self.max_open = min, max, min_open, max_open

    def _range(self) -> str:
        parts = []
        if self.min is not None:
            parts.append(f"{'>' if self.min_open else '>='} {self.min:g}")
        if self.max is not None:
            parts.append(f"{'<' if self.max_open else '<='} {self.max:g}")
        return " and ".join(parts)

    def convert(self, value, param, ctx) -> float:
        if isinstance(value, bool):
            self.fail(f"{value!r} is not a number", param, ctx)
        try:
            x = float(value)
        except (TypeError, ValueError):
            self.fail(f"'{value}' is not a number", param, ctx)
        if not math.isfinite(x):
            self.fail(f"'{value}' is not a finite number (NaN and infinity are refused)", param, ctx)
        too_low = self.min is not None and (x <= self.min if self.min_open else x < self.min)
        too_high = self.max is not None and (x >= self.max if self.max_open else x > self.max)
        if too_low or too_high:
            self.fail(f"{x:g} is out of range: must be {self._range()}", param, ctx)
        return x


class VocabChoice(click.ParamType):
    """One value of a vocabulary (``restoration.model`` enum): its code, Chinese or English label.
    Anything else is refused with the list of codes and their Chinese labels."""

    name = "choice"

    def __init__(self, enum: type[Enum]):
        self.enum = enum

    def _lookup(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for m in self.enum:
            out[m.value] = m.value
            out[str(getattr(m, "zh", m.value))] = m.value
            out[str(getattr(m, "en", m.value)).lower()] = m.value
        return out

    def choices_text(self) -> str:
        return ", ".join(f"{m.value} ({getattr(m, 'zh', m.value)})" for m in self.enum)

    def get_metavar(self, param, ctx=None) -> str:  # ``ctx`` is passed by newer Click versions
        return "[" + "|".join(m.value for m in self.enum) + "]"

    def convert(self, value, param, ctx) -> str:
        text = str(value).strip()
        lookup = self._lookup()
        code = lookup.get(text) or lookup.get(text.lower())
        if code is None:
            shown = text[:100].encode("unicode_escape").decode("ascii") if not text.isprintable() else text[:100]
            self.fail(f"'{shown}' is not one of: {self.choices_text()}", param, ctx)
        return code


class OutputFile(click.ParamType):
    """A file the command writes, checked before any work as :mod:`restoration.files` will
    write it: its folder must exist, and an existing entry there must be a regular file — a
    device (``/dev/full``), FIFO, socket, folder or symbolic link is refused (exit code 2,
    naming the argument). ``path=True`` converts to :class:`~pathlib.Path`."""

    name = "file"

    def __init__(self, *, path: bool = False):
        self.path = path

    def convert(self, value, param, ctx):
        try:
            files.check_destination(value)
        except InputError as exc:
            self.fail(str(exc), param, ctx)
        return Path(value) if self.path else str(value)


def require_known(value: str | None, known, option: str, what: str) -> None:
    """Refuse a filter value that names nothing in the store (an unknown county, project or case),
    instead of printing an empty list; the message names the option and lists what exists."""
    if value is None or value in known:
        return
    from ..errors import InputError, Issue
    listed = sorted(str(k) for k in known)
    shown = ", ".join(listed[:30]) + (f" … ({len(listed)} in all)" if len(listed) > 30 else "")
    raise InputError(Issue(f"no {what} '{value}' in the store; known: {shown or 'none'}", field=option))
