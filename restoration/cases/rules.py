"""Rule profiles: load, check and merge the national and provincial TOML files.

A profile is data (``restoration/rules/profiles/*.toml``, format in docs/cases.md). Each rule is a
table ``{ value, unit, source, verified, note }``; ``source`` (document and article) and
``verified`` are required, ``value`` may be left out — the rule is then *not set* (未设定) and
the engine says so instead of guessing. A list (reasons, triggers, clauses ...) is a table with
``source``/``verified`` and ``[[...items]]``, each item with ``id``, ``zh``, ``en``.

A province ``extends`` another profile: tables merge key by key, a rule is replaced whole (the
province cites its own source), list items merge by ``id`` (``replace = true`` drops the
parent's items). A typo (unknown key), a missing source or a wrongly typed value fails loudly
with the file and the key path.
"""
from __future__ import annotations

import difflib
import math
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

import pandas as pd

from ..errors import InputError, Issue, NotFoundError
from ..model import Stage
from ..rules import _DATA_FOLDER, PROFILES_DIR, use_data_folder  # noqa: F401 (use_data_folder: API)
from .events import EVENT_TYPES

#: boolean case facts that a minor-case exception may test (see ``classify``)
BOOL_FACTS = ("facts_clear", "liability_undisputed", "obvious_impact", "in_red_line",
              "repeat_offence_within_2y", "rectification_completed")
#: kinds of damage a rule may be limited to (``applies_to``)
DAMAGE_KINDS = ("pollution", "ecological_destruction")
ENV_PROFILES = "RESTORATION_PROFILES"
#: a profile version is in force from its ``effective_from`` date, or a draft (never chosen by date)
PROFILE_STATUSES = ("in_force", "draft")
#: separates a profile's name from its version tag in a file name: ``zhejiang@2026.toml``
VERSION_SEP = "@"


def _is_date(v: Any) -> bool:
    import datetime as _dt
    if isinstance(v, _dt.date):
        return True
    try:
        _dt.date.fromisoformat(str(v))
        return True
    except ValueError:
        return False


# -- schema ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Rule:
    kind: str  # str | bool | int | number | share
    choices: tuple[str, ...] | None = None
    extra: Mapping[str, tuple[str, bool]] = field(default_factory=dict)  # key -> (kind, required)


@dataclass(frozen=True)
class _List:
    extra: Mapping[str, tuple[str, bool]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Table:
    children: Mapping[str, Any]


@dataclass(frozen=True)
class _Map:
    child: Any


@dataclass(frozen=True)
class _Scalars:
    keys: Mapping[str, tuple[str, bool]]  # key -> (kind, required)


_EVENTS = tuple(EVENT_TYPES)
_TIME_LIMIT = _Rule("int", extra={
    "zh": ("str", True), "en": ("str", True), "stage": ("stage", False),
    "day_kind": ("day_kind", True), "start_events": ("events", True), "stop_events": ("events", True)})

SCHEMA = _Table({
    "profile": _Scalars({"id": ("str", True), "name_zh": ("str", True), "name_en": ("str", True),
                         "extends": ("str", False), "description": ("str", False),
                         # versions in force by date (docs/cases.md, "Profile versions")
                         "version": ("str", False), "status": ("status", False),
                         "effective_from": ("date", False), "effective_source": ("str", False)}),
    "documents": _Map("str"),
    "calendar": _Table({
        "start_day_counted": _Rule("bool"),
        "last_day_on_rest_day": _Rule("str", choices=("next_working_day", "no_change")),
    }),
    "classification": _Table({
        "significantly_minor": _Table({
            "criteria": _Rule("str", choices=("any", "all")),
            "amount_cap_yuan": _Rule("number"),
            "no_obvious_impact": _Rule("bool"),
            "exceptions": _List({"fact": ("fact", True), "when": ("bool", True)}),
            "repeat_lookback_years": _Rule("number"),
        }),
        "simple": _Table({
            "facts_clear_required": _Rule("bool"),
            "liability_undisputed_required": _Rule("bool"),
            "amount_cap_yuan": _Rule("number"),
            "amount_cap_ceiling_yuan": _Rule("number"),
            "appraisal": _Rule("str", choices=("expert_simplified", "full")),
        }),
        "major": _Table({
            "situations_count": _Rule("int"),
            "triggers": _List(),
        }),
    }),
    "time_limits": _Map(_TIME_LIMIT),
    "consultation": _Table({
        "max_meetings": _Rule("int"),
        "extension_with_approval": _Rule("bool"),
        "re_consultations_after_refusal": _Rule("int"),
        "failure_circumstances": _List(),
        "failure_circumstances_count": _Rule("int"),
        "request_by_liable_party": _Rule("bool"),
        "agent_authorisation_required": _Rule("bool"),
    }),
    # -- the procedure around the case (issue 14) --
    "scope_exclusions": _List(),
    "jurisdiction": _Table({
        "region_level_cases": _List(),
        "county_designation": _Rule("bool"),
        "joint_handling": _Rule("bool"),
        "lead_department_for_multi_department": _Rule("bool"),
    }),
    "screening": _Table({
        "report_every_months": _Rule("int"),
        "report_to": _Rule("str"),
        "referral_between_departments": _Rule("bool"),
    }),
    "investigation": _Table({
        "joint_group_allowed": _Rule("bool"),
    }),
    "appraisal": _Table({
        "selection_methods": _List(),
        "objection_review": _Rule("bool"),
        "third_party_review": _Rule("bool"),
    }),
    "supervision": _Table({
        "major_cases_supervised": _Rule("bool"),
        "report_every_days": _Rule("int"),
    }),
    "public_participation": _Table({
        "documents": _List(),
        "comment_period_days": _Rule("int"),
    }),
    "credit": _Table({
        "incentives": _List(),
        "dishonesty_measures": _List(),
    }),
    "funds": _Table({
        "use_at_damaged_place": _Rule("bool"),
    }),

    "agreement_clauses": _List(),
    "clue_channels": _List({"aliases": ("str_list", False)}),
    "not_started_reasons": _List(),
    "termination_reasons": _List(),
    "effect_evaluation_exemptions": _List(),
    "modes": _Table({
        "recognised": _List(),
        "labour_in_lieu": _Table({"daily_rate_yuan": _Rule("number"), "cap_yuan": _Rule("number"),
                                  "cap_share": _Rule("share")}),
        "technical_upgrade_offset": _Table({"offset_ratio": _Rule("share"), "max_share": _Rule("share"),
                                            "period_years": _Rule("number"), "conditions": _List()}),
        "instalments": _Table({"max_count": _Rule("int"), "max_period_months": _Rule("int"),
                               "min_first_share": _Rule("share")}),
    }),
})

_RULE_KEYS = {"value": None, "unit": "str", "source": "str", "verified": "bool", "note": "str",
              "applies_to": "kinds"}
_LIST_KEYS = {"source": "str", "verified": "bool", "note": "str", "replace": "bool", "items": None}
_ITEM_KEYS = {"id": ("str", True), "zh": ("str", True), "en": ("str", True), "source": ("str", False),
              "verified": ("bool", False), "note": ("str", False)}


# -- what the engine hands out -------------------------------------------------------------------
NOT_SET = "未设定 not set"


@dataclass(frozen=True)
class Rule:
    """One threshold or time limit with its citation; ``value is None`` means not set."""

    path: str
    value: Any
    source: str
    verified: bool
    origin: str
    unit: str | None = None
    note: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_set(self) -> bool:
        return self.value is not None

    def display(self) -> str:
        if self.value is None:
            return NOT_SET
        unit = f" {self.unit}" if self.unit else ""
        if self.path.startswith("time_limits."):
            unit = " 日 days" + (" (工作日 working)" if self.extra.get("day_kind") == "working" else "")
        return f"{self.value}{unit}"

    def cite(self) -> dict:
        """The rule as it appears in results: path, value, source, verified, profile."""
        return {"rule": self.path, "value": self.value, "source": self.source,
                "verified": self.verified, "profile": self.origin}


@dataclass(frozen=True)
class Item:
    id: str
    zh: str
    en: str
    source: str
    verified: bool
    origin: str
    note: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class RuleList:
    path: str
    items: tuple[Item, ...]
    source: str
    verified: bool
    origin: str
    note: str | None = None

    @property
    def is_set(self) -> bool:
        return bool(self.items)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.items)

    def get(self, item_id: str) -> Item | None:
        return next((i for i in self.items if i.id == item_id), None)

    def __contains__(self, item_id: object) -> bool:
        return any(i.id == item_id for i in self.items)

    def cite(self, item_id: str | None = None) -> dict:
        item = self.get(item_id) if item_id else None
        if item is not None:
            return {"rule": f"{self.path}.{item.id}", "value": item.id, "label_zh": item.zh,
                    "label_en": item.en, "source": item.source, "verified": item.verified,
                    "profile": item.origin}
        return {"rule": self.path, "value": list(self.ids), "source": self.source,
                "verified": self.verified, "profile": self.origin}


class Profile:
    """A merged rule profile. ``rule(path)`` and ``list(path)`` look rules up by dotted path."""

    def __init__(self, data: dict, chain: tuple[str, ...], files: tuple[Path, ...]):
        self._data = data
        self.chain = chain
        self.files = files
        meta = data["profile"]
        self.id: str = meta["id"]
        self.name_zh: str = meta["name_zh"]
        self.name_en: str = meta["name_en"]
        self.description: str | None = meta.get("description")
        self.documents: dict[str, str] = dict(data.get("documents", {}))
        self.version: str | None = meta.get("version")
        self.status: str = meta.get("status", "in_force")
        eff = meta.get("effective_from")
        self.effective_from = None if eff is None else (eff if hasattr(eff, "isoformat")
                                                         else __import__("datetime").date.fromisoformat(str(eff)))
        self.effective_source: str | None = meta.get("effective_source")

    @property
    def key(self) -> str:
        """``NAME`` or ``NAME@VERSION``: how a case or a command names exactly this version."""
        return self.id if not self.version else f"{self.id}{VERSION_SEP}{self.version}"

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    def __repr__(self) -> str:
        return f"Profile({self.key!r}, extends={' → '.join(self.chain[1:]) or None})"

    def _node(self, path: str) -> tuple[Any, Any]:
        node, schema = self._data, SCHEMA
        for part in path.split("."):
            if isinstance(schema, _Table):
                schema = schema.children.get(part)
            elif isinstance(schema, _Map):
                schema = schema.child
            else:
                schema = None
            if schema is None:
                raise KeyError(f"profile {self.id}: no rule '{path}' in the profile format")
            node = node.get(part) if isinstance(node, dict) else None
        return node, schema

    def rule(self, path: str) -> Rule:
        """The rule at ``path`` (e.g. ``classification.simple.amount_cap_yuan``); not set if no
        profile in the chain mentions it."""
        node, schema = self._node(path)
        if not isinstance(schema, _Rule):
            raise KeyError(f"'{path}' is not a single rule")
        if node is None:
            return Rule(path, None, "（无规定 no rule in any profile of the chain）", False, self.id)
        extra = {k: v for k, v in node.items() if k in schema.extra or k == "applies_to"}
        return Rule(path, node.get("value"), node["source"], node["verified"], node["_origin"],
                    node.get("unit"), node.get("note"), extra)

    def list(self, path: str) -> RuleList:
        node, schema = self._node(path)
        if not isinstance(schema, _List):
            raise KeyError(f"'{path}' is not a list")
        if node is None:
            return RuleList(path, (), "（无规定 no rule in any profile of the chain）", False, self.id)
        items = tuple(Item(i["id"], i["zh"], i["en"], i["source"], i["verified"], i["_origin"],
                           i.get("note"), {k: v for k, v in i.items() if k in schema.extra})
                      for i in node.get("items", []))
        return RuleList(path, items, node.get("source", ""), node.get("verified", False),
                        node.get("_origin", self.id), node.get("note"))

    def time_limits(self) -> dict[str, Rule]:
        return {k: self.rule(f"time_limits.{k}") for k in self._data.get("time_limits", {})}

    def walk(self) -> Iterator[Rule | RuleList]:
        """Every rule and list of the profile, in schema order (time limits as they appear)."""
        def rec(schema, node, prefix):
            if isinstance(schema, _Rule):
                yield self.rule(prefix)
            elif isinstance(schema, _List):
                yield self.list(prefix)
            elif isinstance(schema, _Table):
                for k, child in schema.children.items():
                    yield from rec(child, (node or {}).get(k), f"{prefix}.{k}" if prefix else k)
            elif isinstance(schema, _Map) and isinstance(schema.child, _Rule):
                for k in (node or {}):
                    yield self.rule(f"{prefix}.{k}")
        for key in ("calendar", "classification", "time_limits", "consultation", "agreement_clauses",
                    "clue_channels", "not_started_reasons", "termination_reasons",
                    "effect_evaluation_exemptions", "modes", "scope_exclusions", "jurisdiction",
                    "screening", "investigation", "appraisal", "supervision",
                    "public_participation", "credit", "funds"):
            yield from rec(SCHEMA.children[key], self._data.get(key), key)

    def table(self) -> pd.DataFrame:
        """One row per rule or list: what ``restoration case profile`` prints."""
        rows = []
        for r in self.walk():
            if isinstance(r, Rule):
                rows.append({"rule": r.path, "value": r.display(), "source": r.source,
                             "verified": r.verified, "profile": r.origin, "note": r.note or ""})
            else:
                value = ", ".join(r.ids) if r.items else NOT_SET
                rows.append({"rule": r.path, "value": value, "source": r.source, "verified": r.verified,
                             "profile": r.origin, "note": r.note or ""})
        return pd.DataFrame(rows)

    def channel_for(self, clue_source: str | None) -> Item | None:
        """The clue channel (线索渠道) a free-text clue source belongs to, by id, label or alias."""
        if not clue_source:
            return None
        text = str(clue_source).strip()
        for item in self.list("clue_channels").items:
            if text in (item.id, item.zh, item.en) or text in item.extra.get("aliases", ()):
                return item
        return None


# -- checking one file ---------------------------------------------------------------------------
class _Checker:
    def __init__(self, file: Path):
        self.file = file
        self.issues: list[Issue] = []

    def err(self, path: str, message: str) -> None:
        self.issues.append(Issue(message, source=str(self.file), field=path or None))

    def unknown(self, path: str, key: str, allowed) -> None:
        allowed = list(allowed)
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        where = f"{path}.{key}" if path else key
        self.err(where, f"unknown key '{key}'{hint} (allowed here: {', '.join(allowed)})")

    def scalar(self, path: str, kind: str, v: Any, choices=None) -> bool:
        ok = True
        if kind == "str":
            ok = isinstance(v, str) and v.strip() != ""
            what = "a non-empty text"
        elif kind == "bool":
            ok = isinstance(v, bool)
            what = "true or false"
        elif kind == "int":
            ok = isinstance(v, int) and not isinstance(v, bool) and v >= 0
            what = "a whole number >= 0"
        elif kind == "number":
            ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v >= 0
            what = "a number >= 0"
        elif kind == "share":
            ok = isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1
            what = "a share between 0 and 1 (write 30% as 0.3)"
        elif kind == "str_list":
            ok = isinstance(v, list) and all(isinstance(x, str) and x for x in v)
            what = "a list of texts"
        elif kind == "kinds":
            ok = isinstance(v, list) and bool(v) and all(x in DAMAGE_KINDS for x in v)
            what = f"a list of damage kinds ({', '.join(DAMAGE_KINDS)})"
        elif kind == "events":
            ok = isinstance(v, list) and bool(v) and all(isinstance(x, str) for x in v)
            what = "a list of event types"
            if ok:
                bad = [x for x in v if x not in EVENT_TYPES]
                if bad:
                    self.err(path, f"unknown event type(s) {', '.join(bad)}; known: {', '.join(_EVENTS)}")
                    return False
        elif kind == "day_kind":
            ok, what = v in ("calendar", "working"), "'calendar' or 'working'"
        elif kind == "stage":
            ok, what = v in [s.value for s in Stage], f"a stage ({', '.join(s.value for s in Stage)})"
        elif kind == "status":
            ok, what = v in PROFILE_STATUSES, f"one of {', '.join(PROFILE_STATUSES)}"
        elif kind == "date":
            ok, what = _is_date(v), "a date (YYYY-MM-DD)"
        elif kind == "fact":
            ok, what = v in BOOL_FACTS, f"a case fact ({', '.join(BOOL_FACTS)})"
        else:  # pragma: no cover
            raise AssertionError(kind)
        if ok and choices and v not in choices:
            ok, what = False, f"one of {', '.join(choices)}"
        if not ok:
            self.err(path, f"must be {what}, got {v!r}")
        return ok

    def check(self, schema, node: Any, path: str) -> None:
        if isinstance(schema, _Scalars):
            if not self._table(node, path):
                return
            for k, v in node.items():
                if k not in schema.keys:
                    self.unknown(path, k, schema.keys)
                else:
                    self.scalar(f"{path}.{k}", schema.keys[k][0], v)
            for k, (_, required) in schema.keys.items():
                if required and k not in node:
                    self.err(f"{path}.{k}", "is required")
        elif isinstance(schema, _Table):
            if not self._table(node, path):
                return
            for k, v in node.items():
                if k not in schema.children:
                    self.unknown(path, k, schema.children)
                else:
                    self.check(schema.children[k], v, f"{path}.{k}" if path else k)
        elif isinstance(schema, _Map):
            if not self._table(node, path):
                return
            for k, v in node.items():
                if isinstance(schema.child, str):
                    self.scalar(f"{path}.{k}", schema.child, v)
                else:
                    self.check(schema.child, v, f"{path}.{k}")
        elif isinstance(schema, _Rule):
            self._rule(schema, node, path)
        elif isinstance(schema, _List):
            self._list(schema, node, path)

    def _table(self, node: Any, path: str) -> bool:
        if not isinstance(node, dict):
            self.err(path, f"must be a table, got {node!r}")
            return False
        return True

    def _cited(self, node: dict, path: str, what: str) -> None:
        if "source" not in node:
            self.err(path, f"'source' is missing: every {what} must cite its document and article")
        if "verified" not in node:
            self.err(path, f"'verified' is missing: say whether the {what} was checked against the "
                           "text (verified = true or false)")

    def _rule(self, schema: _Rule, node: Any, path: str) -> None:
        if not isinstance(node, dict):
            self.err(path, "must be a rule table { value = ..., source = \"document, article\", "
                           f"verified = true|false }}, got {node!r}")
            return
        allowed = dict(_RULE_KEYS) | {k: kind for k, (kind, _) in schema.extra.items()}
        for k, v in node.items():
            if k not in allowed:
                self.unknown(path, k, allowed)
            elif k == "value":
                self.scalar(f"{path}.value", schema.kind, v, schema.choices)
            else:
                self.scalar(f"{path}.{k}", allowed[k], v)
        for k, (_, required) in schema.extra.items():
            if required and k not in node:
                self.err(f"{path}.{k}", "is required")
        self._cited(node, path, "rule")

    def _list(self, schema: _List, node: Any, path: str) -> None:
        if not self._table(node, path):
            return
        for k, v in node.items():
            if k not in _LIST_KEYS:
                self.unknown(path, k, _LIST_KEYS)
            elif k != "items":
                self.scalar(f"{path}.{k}", _LIST_KEYS[k], v)
        list_cited = "source" in node
        if list_cited or "verified" in node:
            self._cited(node, path, "list")
        items = node.get("items", [])
        if not isinstance(items, list):
            self.err(f"{path}.items", "must be an array of tables ([[...items]])")
            return
        if not items and not list_cited:
            self._cited(node, path, "list")
        seen = set()
        allowed = {k: kind for k, (kind, _) in _ITEM_KEYS.items()} | {k: kind for k, (kind, _) in schema.extra.items()}
        for n, item in enumerate(items, 1):
            ipath = f"{path}.items[{n}]"
            if not self._table(item, ipath):
                continue
            if isinstance(item.get("id"), str):
                ipath = f"{path}.items[{n}:{item['id']}]"
                if item["id"] in seen:
                    self.err(ipath, f"duplicate id '{item['id']}'")
                seen.add(item["id"])
            for k, v in item.items():
                if k not in allowed:
                    self.unknown(ipath, k, allowed)
                else:
                    self.scalar(f"{ipath}.{k}", allowed[k], v)
            required = {k for k, (_, r) in _ITEM_KEYS.items() if r} | {k for k, (_, r) in schema.extra.items() if r}
            for k in sorted(required - set(item)):
                self.err(f"{ipath}.{k}", "is required")
            if not list_cited:
                self._cited(item, ipath, "list item (or its list)")


# -- merging -------------------------------------------------------------------------------------
def _stamp(schema, node: Any, origin: str) -> Any:
    """Copy ``node`` marking every rule, list and item with the profile it comes from; give list
    items the list's source when they have none of their own."""
    if isinstance(schema, _Table):
        return {k: _stamp(schema.children[k], v, origin) for k, v in node.items()}
    if isinstance(schema, _Map):
        return {k: (v if isinstance(schema.child, str) else _stamp(schema.child, v, origin))
                for k, v in node.items()}
    if isinstance(schema, _Rule):
        return {**node, "_origin": origin}
    if isinstance(schema, _List):
        out = {k: v for k, v in node.items() if k != "items"}
        if "source" in node:
            out["_origin"] = origin
        out["items"] = [{"source": node.get("source"), "verified": node.get("verified", False), **i,
                         "_origin": origin} for i in node.get("items", [])]
        return out
    return node


def _merge(schema, parent: Any, child: Any) -> Any:
    if parent is None:
        return child
    if child is None:
        return parent
    if isinstance(schema, _Table):
        keys = list(parent) + [k for k in child if k not in parent]
        return {k: _merge(schema.children[k], parent.get(k), child.get(k)) for k in keys}
    if isinstance(schema, _Map):
        if isinstance(schema.child, str):
            return {**parent, **child}
        keys = list(parent) + [k for k in child if k not in parent]
        return {k: _merge(schema.child, parent.get(k), child.get(k)) for k in keys}
    if isinstance(schema, _Scalars):
        return {**child, "extends": child.get("extends")}
    if isinstance(schema, _List):
        out = dict(parent) if "source" not in child else {}
        out.update({k: v for k, v in child.items() if k != "items"})
        if child.get("replace"):
            out["items"] = list(child.get("items", []))
        else:
            items = {i["id"]: i for i in parent.get("items", [])}
            for i in child.get("items", []):
                items[i["id"]] = i  # replaces the parent's item of that id, or appends
            out["items"] = list(items.values())
        return out
    return child  # a rule is replaced whole: the child cites its own source


# -- loading -------------------------------------------------------------------------------------
_CACHE: dict[tuple, tuple[Profile, list[tuple[Path, int | None]]]] = {}


def installed_dir() -> Path:
    """The folder of the profile versions installed into the data folder (``<data>/profiles``)."""
    from .. import config
    folder = _DATA_FOLDER.get()
    return Path(folder if folder is not None else config.data_dir()) / "profiles"


def profile_dirs(extra: list[Path] | None = None) -> list[Path]:
    """Where profiles are looked for: ``extra``, then ``$RESTORATION_PROFILES`` (os.pathsep list),
    then the versions installed in the data folder (:func:`installed_dir`), then the shipped
    ``restoration/rules/profiles``. The first folder holding a file name wins."""
    dirs = list(extra or [])
    env = os.environ.get(ENV_PROFILES)
    if env:
        dirs += [Path(p) for p in env.split(os.pathsep) if p]
    dirs.append(installed_dir())
    dirs.append(PROFILES_DIR)
    return dirs


def available_profiles(dirs: list[Path] | None = None) -> list[str]:
    names = []
    for d in profile_dirs(dirs):
        for p in sorted(Path(d).glob("*.toml")):
            if p.stem not in names and VERSION_SEP not in p.stem:
                names.append(p.stem)
    return names


@dataclass(frozen=True)
class ProfileVersion:
    """One version of a profile: ``NAME.toml`` (the base version) or ``NAME@TAG.toml``."""

    name: str
    tag: str | None
    status: str
    effective_from: "date | None"
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


def profile_versions(name: str, dirs: list[Path] | None = None) -> list[ProfileVersion]:
    """Every version of profile ``name`` (the first folder holding a file wins), oldest first;
    drafts last. Cached while the folders and files do not change."""
    search = profile_dirs(dirs)
    key = (name, tuple(map(str, search)))
    stamp = [_mtime(Path(d)) for d in search]
    hit = _VERSION_LISTS.get(key)
    if hit is not None and hit[0] == stamp and all(_mtime(v.path) == m for v, m in hit[1]):
        return [v for v, _ in hit[1]]
    out = _scan_versions(name, search)
    _VERSION_LISTS[key] = (stamp, [(v, _mtime(v.path)) for v in out])
    return out


def _scan_versions(name: str, search: list[Path]) -> list[ProfileVersion]:
    import datetime as _dt
    found: dict[str, Path] = {}
    for d in search:
        for p in sorted(Path(d).glob(f"{name}*.toml")):
            stem = p.stem
            if stem != name and not stem.startswith(name + VERSION_SEP):
                continue
            found.setdefault(stem, p)
    out = []
    for stem, p in found.items():
        meta = _read_file(p)["profile"]
        eff = meta.get("effective_from")
        if eff is not None and not isinstance(eff, _dt.date):
            eff = _dt.date.fromisoformat(str(eff))
        _, _, tag = stem.partition(VERSION_SEP)
        out.append(ProfileVersion(name, tag or None, meta.get("status", "in_force"), eff,
                                  meta.get("effective_source"), p))
    out.sort(key=lambda v: (v.status == "draft", v.effective_from or _dt.date.min, v.tag or ""))
    return out


def version_in_force(name: str, on: "date", dirs: list[Path] | None = None) -> ProfileVersion | None:
    """The version of ``name`` in force on ``on``: the in-force version with the latest
    ``effective_from`` not after ``on`` (a version without a date is in force from the start).
    Drafts are never chosen by date."""
    best = None
    for v in profile_versions(name, dirs):
        if v.status != "in_force" or (v.effective_from is not None and v.effective_from > on):
            continue
        best = v  # sorted by date: the last one that qualifies is the latest
    return best


def _find(name: str, dirs: list[Path]) -> Path:
    for d in dirs:
        p = Path(d) / f"{name}.toml"
        if p.exists():
            return p
    raise NotFoundError(f"rule profile '{name}' not found in {', '.join(str(d) for d in dirs)}; "
                        f"available: {', '.join(available_profiles(dirs)) or 'none'}")


def _read_file(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(Issue(f"not valid TOML: {exc}", source=str(path))) from exc
    except OSError as exc:
        raise InputError(Issue(f"cannot read the profile: {exc}", source=str(path))) from exc
    checker = _Checker(path)
    checker.check(SCHEMA, raw, "")
    if "profile" not in raw:
        checker.err("profile", "the [profile] table (id, name_zh, name_en) is missing")
    elif isinstance(raw["profile"], dict):
        name, _, tag = path.stem.partition(VERSION_SEP)
        if raw["profile"].get("id") not in (None, name):
            checker.err("profile.id", f"is '{raw['profile'].get('id')}' but the file is {path.name}: "
                                      f"the id must be the file name ('{name}')")
        if tag and raw["profile"].get("version") != tag:
            checker.err("profile.version", f"is {raw['profile'].get('version')!r} but the file is {path.name}: "
                                           f"a versioned file NAME{VERSION_SEP}TAG.toml declares version = '{tag}'")
        if raw["profile"].get("status") == "in_force" and tag and "effective_from" not in raw["profile"]:
            checker.err("profile.effective_from", "a version in force needs the date it took effect "
                                                  "(effective_from = YYYY-MM-DD) and its source")
        if "effective_from" in raw["profile"] and "effective_source" not in raw["profile"]:
            checker.err("profile.effective_source", "cite the document that sets the effective date")
    if checker.issues:
        raise InputError(checker.issues)
    return raw


def load_profile(name_or_path: str | os.PathLike, dirs: list[Path] | None = None, *,
                 on: "date | None" = None) -> Profile:
    """Load a profile by name (``"guangxi"``), by version (``"zhejiang@draft-2025"``) or path,
    with everything it extends. With ``on`` (a date), a bare name loads the version in force on
    that day (:func:`version_in_force`); drafts are only loaded by their full name.

    Raises ``InputError`` naming the file and key path for a typo, a missing ``source`` or
    ``verified``, a wrongly typed value, an unknown event or fact, or an inheritance cycle;
    ``NotFoundError`` for an unknown profile name.
    """
    search = profile_dirs(dirs)
    text = str(name_or_path)
    if on is not None and not (text.endswith(".toml") or os.sep in text) and VERSION_SEP not in text:
        chosen = _version_cached(text, on, tuple(map(str, search)))
        if chosen is not None:
            text = str(chosen)
    path = Path(text) if (text.endswith(".toml") or os.sep in text) else _find(text, search)
    if not path.exists():
        raise NotFoundError(f"rule profile file not found: {path}")
    cached = _CACHE.get((str(path.resolve()), tuple(map(str, search))))
    if cached is not None and all(_mtime(f) == m for f, m in cached[1]):
        return cached[0]  # no file of the chain changed since it was loaded
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
        raw = _read_file(current)
        chain.append((current, raw))
        parent = raw["profile"].get("extends")
        current = None
        if parent:
            try:
                current = _find(parent, [chain[-1][0].parent] + search)
            except NotFoundError as exc:
                raise InputError(Issue(str(exc), source=str(chain[-1][0]), field="profile.extends")) from exc

    data: dict = {}
    for p, raw in reversed(chain):
        data = _merge(SCHEMA, data or None, _stamp(SCHEMA, raw, raw["profile"]["id"]))
    profile = Profile(data, tuple(raw["profile"]["id"] for _, raw in chain), tuple(p for p, _ in chain))
    _check_merged(profile, chain[0][0])
    _CACHE[(str(path.resolve()), tuple(map(str, search)))] = (profile, [(p, _mtime(p)) for p, _ in chain])
    return profile


_VERSIONS: dict[tuple, tuple[list, Path | None]] = {}


def _version_cached(name: str, on, search: tuple[str, ...]) -> Path | None:
    """The file of the version in force on ``on`` (cached while the folders do not change)."""
    stamp = [_mtime(Path(d)) for d in search]
    key = (name, on, search)
    hit = _VERSIONS.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    v = version_in_force(name, on, [Path(d) for d in search])
    path = v.path if v is not None else None
    _VERSIONS[key] = (stamp, path)
    return path


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def _check_merged(profile: Profile, file: Path) -> None:
    """Rules that only make sense across the chain, e.g. a province's simple-case cap may not
    exceed the national ceiling."""
    cap = profile.rule("classification.simple.amount_cap_yuan")
    ceiling = profile.rule("classification.simple.amount_cap_ceiling_yuan")
    if cap.is_set and ceiling.is_set and cap.value > ceiling.value:
        raise InputError(Issue(
            f"the simple-case cap {cap.value:,} yuan ({cap.origin}) exceeds the ceiling "
            f"{ceiling.value:,} yuan ({ceiling.source})", source=str(file),
            field="classification.simple.amount_cap_yuan"))
