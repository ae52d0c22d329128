"""Editing rule profiles: install a checked profile version into the data folder, activate a draft.

Rule profiles are files (``restoration/profiles/shipped/*.toml``, format in docs/cases.md); a case is
judged by the version of its profile in force on its filing date
(:func:`restoration.profiles.discovery.version_in_force`). Editing the rules therefore never changes a
file: it adds a *version* (``NAME@TAG.toml``) to ``<data folder>/profiles``, which is searched
before the shipped folder. The versions already there stay, so every case keeps the rules it was
filed under:

- :func:`install_profile` checks a file exactly as the shipped profiles are checked (every value
  with its ``source`` and ``verified`` flag, known keys and events, the ``extends`` chain), and
  installs it as a draft (never chosen by date) or as a version in force from its
  ``effective_from`` date;
- :func:`activate_profile` puts a draft (installed, or shipped, e.g. ``zhejiang@draft-2025``) in
  force from a date, citing the document that sets that date.

A version in force may not take effect on or before the date that judges a stored case of that
profile (its filing date, else its clue or discovery date) when the case would then change rules:
the cases are named and nothing is written. Every install and activation needs the
``rules.edit`` permission (:func:`restoration.access.require`) and is written to the audit log
(layer ``rule_profiles``) with the file's SHA-256.

References
----------
浙江省生态环境损害赔偿管理办法（征求意见稿）第十条; 广西壮族自治区生态环境损害赔偿工作规则
（征求意见稿）第八章 (rules in force by date; cases handled under the rules of their time).
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from .. import access, files
from ..config import DEFAULT_PROFILE
from ..errors import InputError, Issue, NotFoundError
from .discovery import SHIPPED_DIR, available_profiles, installed_dir, profile_versions, version_in_force
from .for_case import judged_on
from .loader import load_profile
from .profile import Profile
from .schema import NOT_SET, VERSION_SEP
from .toml_file import parse_toml

#: the audit log's layer name for profile changes
AUDIT_LAYER = "rule_profiles"
_TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,40}$")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
#: a profile file is text of a few hundred lines; anything far bigger is not one
MAX_BYTES = 2_000_000


# -- reading a candidate file --------------------------------------------------------------------
def _meta(path: Path) -> tuple[bytes, dict]:
    """The file's bytes and its ``[profile]`` table (only what is needed to name it); the full
    check follows in :func:`_checked`."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(Issue(f"cannot read the file: {exc.strerror or exc}", source=str(path))) from None
    if not path.is_file():
        raise InputError(Issue("is not a file", source=str(path)))
    if size > MAX_BYTES:
        raise InputError(Issue(f"is {size:,} bytes; a rule profile is far smaller (limit {MAX_BYTES:,})",
                               source=str(path)))
    data = path.read_bytes()
    raw = parse_toml(data, str(path))
    meta = raw.get("profile")
    if not isinstance(meta, dict):
        raise InputError(Issue("the [profile] table (id, name_zh, name_en, version) is missing",
                               source=str(path), field="profile"))
    name = meta.get("id")
    if not isinstance(name, str) or not _NAME.match(name):
        raise InputError(Issue(f"profile.id {name!r} must be a lower-case name (letters, digits, _), "
                               f"e.g. '{DEFAULT_PROFILE}'", source=str(path), field="profile.id"))
    tag = meta.get("version")
    if tag is not None and (not isinstance(tag, str) or not _TAG.match(tag)):
        raise InputError(Issue(f"profile.version {tag!r} must be a short tag of letters, digits, '.', '_' "
                               "or '-' (e.g. '2026' or 'draft-2026')", source=str(path), field="profile.version"))
    return data, meta


def _set_meta(text: str, values: dict[str, Any]) -> str:
    """``text`` with keys of its ``[profile]`` table set to ``values`` (a key's line replaced, or
    added after the table header). TOML has no writer in the standard library; the result is
    parsed and checked again by the caller."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == "[profile]"), None)
    if start is None:
        raise InputError(Issue("the [profile] table must be written as a '[profile]' header "
                               "to be edited", field="profile"))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("[")), len(lines))
    for key, value in values.items():
        literal = value.isoformat() if isinstance(value, _dt.date) else '"' + str(value).replace(
            "\\", "\\\\").replace('"', '\\"') + '"'
        line = f"{key} = {literal}"
        found = next((i for i in range(start + 1, end) if re.match(rf"^\s*{re.escape(key)}\s*=", lines[i])), None)
        if found is not None:
            lines[found] = line
        else:
            lines.insert(start + 1, line)
            end += 1
    return "\n".join(lines) + "\n"


def _checked(text: str, name: str, tag: str | None, origin: str) -> tuple[Profile, Path]:
    """Load ``text`` as profile ``name``(``@tag``) with every check of the shipped profiles (its
    own file and the merged chain); problems are reported against ``origin`` (the user's file)."""
    stem = name if tag is None else f"{name}{VERSION_SEP}{tag}"
    with tempfile.TemporaryDirectory(prefix="restoration-profile-") as tmp:
        candidate = Path(tmp) / f"{stem}.toml"
        candidate.write_text(text, encoding="utf-8")
        try:
            # a parent named in ``extends`` is looked up where profiles are (installed, shipped)
            return load_profile(candidate), candidate
        except InputError as exc:
            raise InputError([Issue(i.message, source=origin if str(i.source or "").startswith(tmp) else i.source,
                                    row=i.row, field=i.field, row_label=i.row_label)
                              for i in exc.issues]) from None
        except NotFoundError as exc:
            raise InputError(Issue(str(exc), source=origin, field="profile.extends")) from None


# -- which stored cases a new version would move ---------------------------------------------------
def cases_moved(store, name: str, effective_from: _dt.date) -> list[str]:
    """The stored cases of profile ``name`` that a version in force from ``effective_from`` would
    judge instead of the version they were judged by: their judging date (filing, clue or
    discovery date; see :func:`restoration.profiles.for_case.judged_on`) is on or after
    ``effective_from`` and no later version already covers it."""
    cases = store.read("cases", columns=["case_id", "profile", "discovered_date"])
    if cases.empty:
        return []
    profile = cases["profile"].where(cases["profile"].notna(), DEFAULT_PROFILE)
    mine = cases[profile == name]  # a case naming NAME@TAG is pinned to that version
    if mine.empty:
        return []
    events = store.read("case_events", case_id=tuple(mine["case_id"]), event_type=("filed", "clue_registered"),
                        columns=["case_id", "event_type", "event_date"])
    by_case = {cid: g.to_dict("records") for cid, g in events.groupby("case_id")} if len(events) else {}
    moved = []
    for case in mine.to_dict("records"):
        evs = by_case.get(case["case_id"], [])
        if not evs and not isinstance(case.get("discovered_date"), str):
            continue  # no date of its own: judged by today's rules whatever is installed
        day = judged_on(case, evs)
        if day < effective_from:
            continue
        current = version_in_force(name, day)
        if current is None or current.effective_from is None or current.effective_from <= effective_from:
            moved.append(case["case_id"])
    return sorted(moved)


def _refuse_moving(store, name: str, effective_from: _dt.date, origin: str) -> None:
    moved = cases_moved(store, name, effective_from)
    if moved:
        shown = ", ".join(moved[:10]) + (f" and {len(moved) - 10} more" if len(moved) > 10 else "")
        raise InputError(Issue(
            f"在 {effective_from} 之后立案的案件将改用新规则 — {len(moved)} stored case(s) of profile '{name}' are "
            f"judged on or after {effective_from} and would change rules: {shown}. A version cannot take "
            "effect before cases already handled; give a later effective_from (or pin those cases to "
            f"their version with profile = '{name}@TAG')", source=origin, field="profile.effective_from"))


# -- the write side ------------------------------------------------------------------------------
def _write(folder: Path, stem: str, text: str) -> Path:
    """Write ``stem``.toml into the installed-profiles folder (created owner-only when missing),
    atomically and owner-only."""
    files.make_folder(folder)
    return files.write_text(folder / f"{stem}.toml", text)


def _audit(store, actor, action: str, key: str, text: str, before: Any, after: dict) -> None:
    after = {**after, "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}
    with store.transaction(access.name_of(actor)) as tx:
        tx.audit(action, AUDIT_LAYER, key, before=before, after=after)


def install_profile(store, path: str | os.PathLike, actor, *, draft: bool = False) -> dict:
    """Check the profile file ``path`` and install it as a new version in the data folder.

    Parameters
    ----------
    store : Store
        The store whose audit log records the change (the data folder is
        :func:`restoration.profiles.discovery.installed_dir`).
    path : path
        A profile file in the shipped format. ``[profile] id`` names the profile; ``version``
        tags the version (required when a profile of that name exists).
    actor : Actor or str
        Who installs it; needs ``rules.edit``.
    draft : bool
        Install as a draft (``status = "draft"``: loaded only by its full name, never chosen by
        date) whatever the file says. Otherwise the file's ``status`` holds; a version in force
        needs ``effective_from`` and ``effective_source``.

    Returns
    -------
    dict
        ``key`` (NAME@TAG), ``status``, ``effective_from``, ``file`` (where it was installed),
        ``rules`` (how many rules and lists), ``unset`` (rules without a value), ``unverified``.

    Raises ``InputError`` naming the file and field (a missing source or verified flag, an
    unknown key, a wrong type, an existing version of that name, a date that would move stored
    cases to other rules) and ``PermissionDenied``; nothing is written then.
    """
    who = access.require(actor, "rules.edit", store)
    origin = str(path)
    data, meta = _meta(Path(path))
    name, tag = meta["id"], meta.get("version")
    text = data.decode("utf-8")
    if draft and meta.get("status") != "draft":
        text = _set_meta(text, {"status": "draft"})
    existing = profile_versions(name)
    if tag is None and existing:
        raise InputError(Issue(f"profile '{name}' exists ({', '.join(v.key for v in existing)}): give this "
                               "version a tag, profile.version = \"2026\" (its file becomes "
                               f"{name}{VERSION_SEP}TAG.toml); versions are added, never replaced",
                               source=origin, field="profile.version"))
    if tag is not None and not existing:
        raise InputError(Issue(f"'{name}' is a new profile: its first version is its base, so leave "
                               "profile.version out (later versions carry one)", source=origin,
                               field="profile.version"))
    key = name if tag is None else f"{name}{VERSION_SEP}{tag}"
    if any(v.key == key for v in existing):
        raise InputError(Issue(f"version '{key}' is already installed; give the new version its own "
                               "profile.version (the old one stays for the cases filed under it)",
                               source=origin, field="profile.version"))
    prof, _ = _checked(text, name, tag, origin)
    if not prof.is_draft:
        if prof.effective_from is None:
            raise InputError(Issue("a version in force needs the date it takes effect: effective_from = "
                                   "YYYY-MM-DD and effective_source = \"文号\" (or install it with --draft)",
                                   source=origin, field="profile.effective_from"))
        _refuse_moving(store, name, prof.effective_from, origin)
    target = _write(installed_dir(), key, text)
    summary = _summary(prof, target)
    _audit(store, who, "install rule profile", key, text, None, summary)
    return summary


def activate_profile(store, key: str, actor, *, effective_from: _dt.date | str | None = None,
                     effective_source: str | None = None, document_number: str | None = None) -> dict:
    """Put the draft version ``key`` (``NAME@TAG``, installed or shipped) in force from
    ``effective_from`` (default: the draft's own date), citing ``effective_source``, under the
    document number (文号) ``document_number`` that put it in force: a version is a draft until it
    has both a date and a document number.

    The draft's file is copied into the data folder with ``status = "in_force"`` and the date
    (the shipped file is never edited); the versions in force before stay and keep judging the
    cases filed before that date. Needs ``rules.edit``; audited. ``InputError`` when the version
    is not a draft, no date or source is given, or the date would move stored cases to other
    rules; nothing is written then.
    """
    who = access.require(actor, "rules.edit", store)
    if isinstance(effective_from, str):
        try:
            effective_from = _dt.date.fromisoformat(effective_from)
        except ValueError:
            raise InputError(Issue(f"'{effective_from}' is not a date (YYYY-MM-DD)", field="--from")) from None
    name, sep, tag = str(key).partition(VERSION_SEP)
    if not sep or not tag:
        raise InputError(Issue(f"name the version to activate as NAME{VERSION_SEP}TAG "
                               f"(e.g. zhejiang{VERSION_SEP}draft-2025); see `restoration rules list`",
                               field="NAME"))
    version = next((v for v in profile_versions(name) if v.key == key), None)
    if version is None:
        known = ", ".join(v.key for v in profile_versions(name)) or "none"
        raise NotFoundError(f"no profile version '{key}' (versions of {name}: {known})")
    if version.status != "draft":
        raise InputError(Issue(f"'{key}' is already in force"
                               + (f" from {version.effective_from}" if version.effective_from else ""),
                               source=str(version.path), field="profile.status"))
    effective_from = effective_from or version.effective_from
    effective_source = (effective_source or "").strip() or version.effective_source
    if effective_from is None:
        raise InputError(Issue(f"'{key}' has no effective date: give the date it takes effect (--from YYYY-MM-DD)",
                               field="--from"))
    if not effective_source:
        raise InputError(Issue("cite the document that puts it in force and sets the date (--source '文号')",
                               field="--source"))
    document_number = (document_number or "").strip()
    if not document_number:
        raise InputError(Issue("give the document number (文号) that puts it in force (--document '…〔年〕号'); "
                               "until it has one the version stays a draft", field="--document"))
    text = version.path.read_text(encoding="utf-8")
    text = _set_meta(text, {"status": "in_force", "effective_from": effective_from,
                            "effective_source": effective_source, "document_number": document_number[:200]})
    prof, _ = _checked(text, name, tag, str(version.path))
    _refuse_moving(store, name, effective_from, str(version.path))
    target = _write(installed_dir(), key, text)
    summary = _summary(prof, target)
    _audit(store, who, "activate rule profile", key, text, {"status": "draft", "file": str(version.path)}, summary)
    return summary


def _summary(prof: Profile, target: Path) -> dict:
    table = prof.table()
    return {"key": prof.key, "name": prof.id, "version": prof.version, "status": prof.status,
            "effective_from": prof.effective_from.isoformat() if prof.effective_from else None,
            "effective_source": prof.effective_source, "file": str(target), "rules": int(len(table)),
            "unset": int((table["value"] == NOT_SET).sum()),
            "unverified": int((~table["verified"].astype(bool)).sum())}


# -- reading ---------------------------------------------------------------------------------------
def profile_list() -> pd.DataFrame:
    """Every profile version where profiles are looked for: key, name, version, status,
    effective_from, effective_source, where (``installed``, ``shipped`` or another folder) and
    file."""
    installed = installed_dir().resolve()
    rows = []
    for name in sorted(set(available_profiles()) | _installed_names()):
        for v in profile_versions(name):
            folder = v.path.resolve().parent
            where = ("installed" if folder == installed else "shipped" if folder == SHIPPED_DIR.resolve()
                     else "folder")
            rows.append({**v.to_dict(), "where": where})
    return pd.DataFrame(rows, columns=["key", "name", "version", "status", "effective_from", "effective_source",
                                       "where", "file"])


def _installed_names() -> set[str]:
    folder = installed_dir()
    return {p.stem.partition(VERSION_SEP)[0] for p in folder.glob("*.toml")} if folder.is_dir() else set()
