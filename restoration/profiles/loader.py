"""Loading a profile with everything it extends: read and check each file, merge the chain.

A province ``extends`` another profile (``guangxi`` → ``national``); a loaded profile is cached
while no file of its chain changes.
"""
from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

from ..errors import InputError, Issue, NotFoundError
from .check import read_profile_file
from .discovery import available_profiles, in_force_file, mtime, profile_dirs
from .merge import merge, stamp
from .profile import Profile
from .schema import SCHEMA, VERSION_SEP

_CACHE: dict[tuple, tuple[Profile, list[tuple[Path, int | None]]]] = {}


def _find(name: str, dirs: list[Path]) -> Path:
    for d in dirs:
        p = Path(d) / f"{name}.toml"
        if p.exists():
            return p
    raise NotFoundError(f"rule profile '{name}' not found in {', '.join(str(d) for d in dirs)}; "
                        f"available: {', '.join(available_profiles(dirs)) or 'none'}")


def _is_path(text: str) -> bool:
    return text.endswith(".toml") or os.sep in text


def load_profile(name_or_path: str | os.PathLike, dirs: list[Path] | None = None, *,
                 on: _dt.date | None = None) -> Profile:
    """Load a profile by name (``guangxi``), by version (``"zhejiang@draft-2025"``) or path,
    with everything it extends. With ``on`` (a date), a bare name loads the version in force on
    that day (:func:`~restoration.profiles.discovery.version_in_force`); drafts are only loaded by
    their full name.

    Raises ``InputError`` naming the file and key path for a typo, a missing ``source`` or
    ``verified``, a wrongly typed value, an unknown event or fact, or an inheritance cycle;
    ``NotFoundError`` for an unknown profile name.
    """
    search = profile_dirs(dirs)
    text = str(name_or_path)
    if on is not None and not _is_path(text) and VERSION_SEP not in text:
        chosen = in_force_file(text, on, tuple(map(str, search)))
        if chosen is not None:
            text = str(chosen)
    path = Path(text) if _is_path(text) else _find(text, search)
    if not path.exists():
        raise NotFoundError(f"rule profile file not found: {path}")
    key = (str(path.resolve()), tuple(map(str, search)))
    cached = _CACHE.get(key)
    if cached is not None and all(mtime(f) == m for f, m in cached[1]):
        return cached[0]  # no file of the chain changed since it was loaded
    chain = _chain(path, search)
    data: dict = {}
    for _, raw in reversed(chain):
        data = merge(SCHEMA, data or None, stamp(SCHEMA, raw, raw["profile"]["id"]))
    data["_held"] = tuple(dict.fromkeys(h for _, raw in chain for h in raw["profile"].get("held_documents", ())))
    in_force = {raw["profile"]["id"] for _, raw in chain if raw["profile"].get("status") == "in_force"}
    drafts = frozenset(raw["profile"]["id"] for _, raw in chain
                       if raw["profile"].get("status", "draft") == "draft" and raw["profile"]["id"] not in in_force)
    profile = Profile(data, tuple(raw["profile"]["id"] for _, raw in chain), tuple(p for p, _ in chain), drafts)
    check_merged(profile, chain[0][0])
    _CACHE[key] = (profile, [(p, mtime(p)) for p, _ in chain])
    return profile


def _chain(path: Path, search: list[Path]) -> list[tuple[Path, dict]]:
    """The file at ``path`` and every file it extends, each read and checked, child first."""
    chain: list[tuple[Path, dict]] = []
    seen: list[str] = []
    current: Path | None = path
    while current is not None:
        current = current.resolve()
        if str(current) in seen:
            names = " → ".join(Path(s).stem for s in seen + [str(current)])
            raise InputError(Issue(f"profiles extend each other in a cycle: {names}",
                                   source=str(path), field="profile.extends"))
        seen.append(str(current))
        raw = read_profile_file(current)
        chain.append((current, raw))
        parent = raw["profile"].get("extends")
        current = None
        if parent:
            try:
                current = _find(parent, [chain[-1][0].parent] + search)
            except NotFoundError as exc:
                raise InputError(Issue(str(exc), source=str(chain[-1][0]), field="profile.extends")) from exc
    return chain


def check_merged(profile: Profile, file: Path) -> None:
    """Rules that only make sense across the chain, e.g. a province's simple-case cap may not
    exceed the national ceiling."""
    cap = profile.rule("classification.simple.amount_cap_yuan")
    ceiling = profile.rule("classification.simple.amount_cap_ceiling_yuan")
    if cap.is_set and ceiling.is_set and cap.value > ceiling.value:
        raise InputError(Issue(
            f"the simple-case cap {cap.value:,} yuan ({cap.origin}) exceeds the ceiling "
            f"{ceiling.value:,} yuan ({ceiling.source})", source=str(file),
            field="classification.simple.amount_cap_yuan"))
