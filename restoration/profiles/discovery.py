"""Where profiles are found, and which version of a profile is in force on a date.

Profiles are looked for in ``$RESTORATION_PROFILES`` (an ``os.pathsep`` list), then the versions
installed in the data folder (``<data>/profiles``, written by ``restoration rules install``),
then the shipped folder (``restoration/profiles/shipped``); the first folder holding a file name
wins. A profile ``NAME`` has versions ``NAME.toml`` (its base) and ``NAME@TAG.toml``; a version is
in force from its ``effective_from`` date or is a draft (loaded only by its full name).
"""
from __future__ import annotations

import datetime as _dt
import os
from contextvars import ContextVar, Token
from dataclasses import dataclass
from pathlib import Path

from .. import config
from .schema import VERSION_SEP
from .check import read_profile_file

#: folder of the profiles shipped with the platform
SHIPPED_DIR = Path(__file__).resolve().parent / "shipped"
ENV_PROFILES = "RESTORATION_PROFILES"
#: the data folder whose ``profiles/`` holds the versions installed by ``restoration rules
#: install`` (the CLI sets it from ``--data``; else ``restoration.config.data_dir()``)
_DATA_FOLDER: ContextVar[Path | None] = ContextVar("restoration_profiles_data_folder", default=None)


def use_data_folder(folder: str | os.PathLike | None) -> Token:
    """Look for installed profile versions in ``folder``/profiles from now on (in this context);
    returns the token that :func:`reset_data_folder` takes to undo it."""
    return _DATA_FOLDER.set(None if folder is None else Path(folder))


def reset_data_folder(token: Token) -> None:
    """Undo a :func:`use_data_folder`."""
    _DATA_FOLDER.reset(token)


def installed_dir() -> Path:
    """The folder of the profile versions installed into the data folder (``<data>/profiles``)."""
    folder = _DATA_FOLDER.get()
    return Path(folder if folder is not None else config.data_dir()) / "profiles"


def profile_dirs(extra: list[Path] | None = None) -> list[Path]:
    """Where profiles are looked for: ``extra``, then ``$RESTORATION_PROFILES`` (os.pathsep list),
    then the versions installed in the data folder (:func:`installed_dir`), then the shipped
    folder. The first folder holding a file name wins."""
    dirs = list(extra or [])
    env = os.environ.get(ENV_PROFILES)
    if env:
        dirs += [Path(p) for p in env.split(os.pathsep) if p]
    dirs.append(installed_dir())
    dirs.append(SHIPPED_DIR)
    return dirs


def available_profiles(dirs: list[Path] | None = None) -> list[str]:
    """The names of every profile found (base versions; ``NAME@TAG`` files are their versions)."""
    names = []
    for d in profile_dirs(dirs):
        for p in sorted(Path(d).glob("*.toml")):
            if p.stem not in names and VERSION_SEP not in p.stem:
                names.append(p.stem)
    return names


def mtime(path: Path) -> int | None:
    """A file's or folder's modification time (ns), None if it is gone: what the caches compare."""
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


@dataclass(frozen=True)
class ProfileVersion:
    """One version of a profile: ``NAME.toml`` (the base version) or ``NAME@TAG.toml``."""

    name: str
    tag: str | None
    status: str
    effective_from: _dt.date | None
    effective_source: str | None
    path: Path

    @property
    def key(self) -> str:
        return self.name if self.tag is None else f"{self.name}{VERSION_SEP}{self.tag}"

    def to_dict(self) -> dict:
        return {"key": self.key, "name": self.name, "version": self.tag, "status": self.status,
                "effective_from": self.effective_from.isoformat() if self.effective_from else None,
                "effective_source": self.effective_source, "file": str(self.path)}


_VERSION_LISTS: dict[tuple, tuple[list, list]] = {}
_IN_FORCE: dict[tuple, tuple[list, Path | None]] = {}


def profile_versions(name: str, dirs: list[Path] | None = None) -> list[ProfileVersion]:
    """Every version of profile ``name`` (the first folder holding a file wins), oldest first;
    drafts last. Cached while the folders and files do not change."""
    search = profile_dirs(dirs)
    key = (name, tuple(map(str, search)))
    stamp = [mtime(Path(d)) for d in search]
    hit = _VERSION_LISTS.get(key)
    if hit is not None and hit[0] == stamp and all(mtime(v.path) == m for v, m in hit[1]):
        return [v for v, _ in hit[1]]
    out = _scan_versions(name, search)
    _VERSION_LISTS[key] = (stamp, [(v, mtime(v.path)) for v in out])
    return out


def _scan_versions(name: str, search: list[Path]) -> list[ProfileVersion]:
    found: dict[str, Path] = {}
    for d in search:
        for p in sorted(Path(d).glob(f"{name}*.toml")):
            stem = p.stem
            if stem != name and not stem.startswith(name + VERSION_SEP):
                continue
            found.setdefault(stem, p)
    out = []
    for stem, p in found.items():
        meta = read_profile_file(p)["profile"]
        eff = meta.get("effective_from")
        if eff is not None and not isinstance(eff, _dt.date):
            eff = _dt.date.fromisoformat(str(eff))
        _, _, tag = stem.partition(VERSION_SEP)
        out.append(ProfileVersion(name, tag or None, meta.get("status", "draft"), eff,
                                  meta.get("effective_source"), p))
    out.sort(key=lambda v: (v.status == "draft", v.effective_from or _dt.date.min, v.tag or ""))
    return out


def version_in_force(name: str, on: _dt.date, dirs: list[Path] | None = None) -> ProfileVersion | None:
    """The version of ``name`` in force on ``on``: the in-force version with the latest
    ``effective_from`` not after ``on`` (a version without a date is in force from the start).
    Drafts are never chosen by date."""
    return in_force_on(profile_versions(name, dirs), on)


def in_force_on(versions: list[ProfileVersion], on: _dt.date) -> ProfileVersion | None:
    """Of ``versions`` (as :func:`profile_versions` lists them), the one in force on ``on``."""
    best = None
    for v in versions:
        if v.status != "in_force" or (v.effective_from is not None and v.effective_from > on):
            continue
        best = v  # sorted by date: the last one that qualifies is the latest
    return best


def in_force_file(name: str, on: _dt.date, search: tuple[str, ...]) -> Path | None:
    """The file of the version of ``name`` in force on ``on`` (cached while the folders do not
    change)."""
    stamp = [mtime(Path(d)) for d in search]
    key = (name, on, search)
    hit = _IN_FORCE.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    v = version_in_force(name, on, [Path(d) for d in search])
    path = v.path if v is not None else None
    _IN_FORCE[key] = (stamp, path)
    return path
