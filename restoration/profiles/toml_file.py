"""The one reader of the profiles' TOML files (rule profiles, the siting rules, a file to install).

A file that cannot be read, is not UTF-8 or is not TOML is an ``InputError`` naming the file.
"""
from __future__ import annotations

import tomllib
from pathlib import Path

from ..errors import InputError, Issue


def parse_toml(data: bytes, source: str) -> dict:
    """The TOML document in ``data`` (``source`` names it in errors)."""
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(Issue("is not UTF-8 text (save the file as UTF-8)", source=source)) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(Issue(f"not valid TOML: {exc}", source=source)) from None


def read_toml(path: Path, what: str = "the profile") -> dict:
    """The TOML file at ``path``; ``what`` says in an error what could not be read."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(Issue(f"cannot read {what}: {exc}", source=str(path))) from None
    return parse_toml(data, str(path))
