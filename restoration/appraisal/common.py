"""Shared helpers of the appraisal package: reading input files defensively, numbers, errors."""
from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Any, Mapping

from equivalence import __version__
from equivalence.document import read_document
from equivalence.errors import ScenarioError

from ..errors import InputError, Issue

#: amounts above this are refused as absurd (10¹³ yuan is about ten years of China's GDP)
MAX_AMOUNT_YUAN = 1e13


def read_input(path: str | Path) -> tuple[dict, dict]:
    """Read a YAML/JSON appraisal input (bounded: size, UTF-8, depth, alias expansion).

    Returns ``(data, source)`` with ``source = {"file", "sha256"}``.
    """
    path = Path(path)
    try:
        data, raw = read_document(path)
    except ScenarioError as exc:
        raise InputError(Issue(exc.message if hasattr(exc, "message") else str(exc), source=path.name)) from None
    if not isinstance(data, Mapping):
        raise InputError(Issue("expected a mapping of keys at the top level", source=path.name))
    return dict(data), {"file": str(path), "sha256": hashlib.sha256(raw).hexdigest()}


def number(value: Any, field: str, source: str | None, *, lower: float = 0.0, lower_open: bool = False,
           upper: float = MAX_AMOUNT_YUAN) -> float:
    """One finite number in ``[lower, upper]`` (or ``(lower, upper]``), else an :class:`InputError`."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InputError(Issue(f"expected a number, got {value!r}", source=source, field=field))
    try:
        x = float(value)
    except ValueError:
        raise InputError(Issue(f"expected a number, got {value!r}", source=source, field=field)) from None
    if not math.isfinite(x):
        raise InputError(Issue(f"must be a finite number, got {value!r}", source=source, field=field))
    if x < lower or (lower_open and x == lower):
        raise InputError(Issue(f"must be {'>' if lower_open else '>='} {lower:g}, got {x:g}", source=source,
                               field=field))
    if x > upper:
        raise InputError(Issue(f"{x:g} is out of range (at most {upper:g})", source=source, field=field))
    return x


def text(value: Any, field: str, source: str | None, *, required: bool = False, limit: int = 500) -> str | None:
    if value is None:
        if required:
            raise InputError(Issue("required", source=source, field=field))
        return None
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise InputError(Issue("expected text", source=source, field=field))
    s = str(value).strip()
    if len(s) > limit:
        raise InputError(Issue(f"at most {limit} characters", source=source, field=field))
    if required and not s:
        raise InputError(Issue("required", source=source, field=field))
    return s


def check_keys(mapping: Mapping, allowed: set[str], prefix: str, source: str | None) -> None:
    import difflib
    for key in mapping:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(sorted(allowed))}"
            raise InputError(Issue(f"unknown key{hint}", source=source, field=f"{prefix}{key}"))


def software_version() -> str:
    return __version__


def round_fen(x: float) -> float:
    """An amount [yuan] rounded to the fen (0.01 yuan): what JSON and the stores carry."""
    return round(float(x) + 0.0, 2)


def yuan_text(x: Any, *, wan: bool = True) -> str:
    """An amount as people write it: ``21,983,600.00 元（2,198.36 万元）`` — thousands separators,
    never scientific notation; ``—`` where there is none."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "—"
    if not math.isfinite(v):
        return "—"
    out = f"{v:,.2f} 元"
    return f"{out}（{v / 10_000:,.2f} 万元）" if wan else out


def plain_number(x: float, decimals: int = 6) -> str:
    """A number with thousands separators and at most ``decimals`` decimals, never in scientific
    notation (``14,416,776``, ``4.5``)."""
    s = f"{float(x):,.{decimals}f}"
    return s.rstrip("0").rstrip(".") if "." in s else s
