"""A loaded profile and what it hands out: rules, lists and their items, each with its citation.

``Profile.rule(path)`` and ``Profile.list(path)`` look rules up by dotted path
(``classification.simple.amount_cap_yuan``); a rule no profile of the chain mentions is *not set*
(未设定), never an error and never a guess.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

import pandas as pd

from .schema import NOT_SET, SCHEMA, VERSION_SEP, WALK_ORDER, ListNode, MapNode, RuleNode, TableNode


class Bilingual(str):
    """A text the platform words in both languages: as a ``str`` both together (how the command
    line and the tables show it), ``.zh`` and ``.en`` each alone (how a page in one language
    shows it, :func:`dashboards.i18n.message`)."""

    zh: str
    en: str

    def __new__(cls, zh: str, en: str, both: str | None = None):
        obj = super().__new__(cls, both if both is not None else f"{zh} {en}")
        obj.zh, obj.en = zh, en
        return obj

    def __getnewargs__(self) -> tuple[str, str, str]:  # pickled by the pages' caches
        return self.zh, self.en, str(self)


#: the source of a rule or list no profile of the chain has
NO_RULE = Bilingual("无规定", "no rule in any profile of the chain", "（无规定 no rule in any profile of the chain）")


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


def _day(value: Any) -> _dt.date | None:
    if value is None or isinstance(value, _dt.date):
        return value
    return _dt.date.fromisoformat(str(value))


class Profile:
    """A merged rule profile. ``rule(path)`` and ``list(path)`` look rules up by dotted path."""

    def __init__(self, data: dict, chain: tuple[str, ...], files: tuple[Path, ...],
                 draft_origins: frozenset[str] = frozenset()):
        self._data = data
        self._looked_up: dict[tuple[str, str], Any] = {}  # a loaded profile never changes: look up once
        self.chain = chain
        self.files = files
        meta = data["profile"]
        self.id: str = meta["id"]
        self.name_zh: str = meta["name_zh"]
        self.name_en: str = meta["name_en"]
        self.description: str | None = meta.get("description")
        self.documents: dict[str, str] = dict(data.get("documents", {}))
        self.version: str | None = meta.get("version")
        self.status: str = meta.get("status", "draft")
        self.effective_from: _dt.date | None = _day(meta.get("effective_from"))
        self.effective_source: str | None = meta.get("effective_source")
        self.document_number: str | None = meta.get("document_number")
        #: the profiles of the chain that are drafts: every value they set is advisory
        self.draft_origins = frozenset(draft_origins)
        #: the documents whose text is in the repository, over the whole chain
        self.held_documents: tuple[str, ...] = tuple(data.get("_held", ()))

    @property
    def key(self) -> str:
        """``NAME`` or ``NAME@VERSION``: how a case or a command names exactly this version."""
        return self.id if not self.version else f"{self.id}{VERSION_SEP}{self.version}"

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    def advisory(self, value: "Rule | RuleList | Item | Mapping") -> str | None:
        """Why a rule, list or item (or its :meth:`Rule.cite` dict) is advisory (参考) rather than
        binding — ``"draft"`` (set by a draft profile version), ``"unverified"`` (nobody checked it
        against its text) — or None when it binds. docs/cases.md, "Unverified and draft values"."""
        get = value.get if isinstance(value, Mapping) else lambda k, d=None: getattr(value, k, d)
        origin = get("profile") if isinstance(value, Mapping) else get("origin")
        if origin in self.draft_origins:
            return "draft"
        if not get("verified", False):
            return "unverified"
        return None

    def held(self, source: str | None) -> bool:
        """Whether ``source`` cites only documents whose text is in the repository: a value
        verified against any other document is "verified against a document not held here"."""
        if not source:
            return False
        parts = [p.strip() for p in str(source).split("；") if p.strip()]
        return bool(parts) and all(any(p.startswith(h) for h in self.held_documents) for p in parts)

    def __repr__(self) -> str:
        return f"Profile({self.key!r}, extends={' → '.join(self.chain[1:]) or None})"

    def _node(self, path: str) -> tuple[Any, Any]:
        node, schema = self._data, SCHEMA
        for part in path.split("."):
            if isinstance(schema, TableNode):
                schema = schema.children.get(part)
            elif isinstance(schema, MapNode):
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
        found = self._looked_up.get(("rule", path))
        if found is None:
            found = self._looked_up[("rule", path)] = self._rule(path)
        return found

    def _rule(self, path: str) -> Rule:
        node, schema = self._node(path)
        if not isinstance(schema, RuleNode):
            raise KeyError(f"'{path}' is not a single rule")
        if node is None:
            return Rule(path, None, NO_RULE, False, self.id)
        extra = {k: v for k, v in node.items() if k in schema.extra or k == "applies_to"}
        return Rule(path, node.get("value"), node["source"], node["verified"], node["_origin"],
                    node.get("unit"), node.get("note"), extra)

    def list(self, path: str) -> RuleList:
        """The list at ``path`` (e.g. ``modes.recognised``); empty and not set if no profile in the
        chain mentions it."""
        found = self._looked_up.get(("list", path))
        if found is None:
            found = self._looked_up[("list", path)] = self._list(path)
        return found

    def _list(self, path: str) -> RuleList:
        node, schema = self._node(path)
        if not isinstance(schema, ListNode):
            raise KeyError(f"'{path}' is not a list")
        if node is None:
            return RuleList(path, (), NO_RULE, False, self.id)
        items = tuple(Item(i["id"], i["zh"], i["en"], i["source"], i["verified"], i["_origin"],
                           i.get("note"), {k: v for k, v in i.items() if k in schema.extra})
                      for i in node.get("items", []))
        return RuleList(path, items, node.get("source", ""), node.get("verified", False),
                        node.get("_origin", self.id), node.get("note"))

    def time_limits(self) -> dict[str, Rule]:
        found = self._looked_up.get(("time_limits", ""))
        if found is None:
            found = self._looked_up[("time_limits", "")] = {
                k: self.rule(f"time_limits.{k}") for k in self._data.get("time_limits", {})}
        return dict(found)

    def siting(self) -> dict:
        """The profile's ``[siting]`` table (plain values, merged along the chain); empty if none."""
        return dict(self._data.get("siting") or {})

    def walk(self) -> Iterator[Rule | RuleList]:
        """Every rule and list of the profile, in schema order (time limits as they appear)."""
        for key in WALK_ORDER:
            yield from self._walk(SCHEMA.children[key], self._data.get(key), key)

    def _walk(self, schema, node, prefix: str) -> Iterator[Rule | RuleList]:
        if isinstance(schema, RuleNode):
            yield self.rule(prefix)
        elif isinstance(schema, ListNode):
            yield self.list(prefix)
        elif isinstance(schema, TableNode):
            for k, child in schema.children.items():
                yield from self._walk(child, (node or {}).get(k), f"{prefix}.{k}" if prefix else k)
        elif isinstance(schema, MapNode) and isinstance(schema.child, RuleNode):
            for k in (node or {}):
                yield self.rule(f"{prefix}.{k}")

    def table(self) -> pd.DataFrame:
        """One row per rule or list: what ``restoration case profile`` prints."""
        rows = []
        for r in self.walk():
            value = r.display() if isinstance(r, Rule) else (", ".join(r.ids) if r.items else NOT_SET)
            rows.append({"rule": r.path, "value": value, "source": r.source, "verified": r.verified,
                         "profile": r.origin, "note": r.note or "", "advisory": self.advisory(r) or "",
                         "checked_against": self.checked_against(r)})
        return pd.DataFrame(rows)

    def checked_against(self, value: "Rule | RuleList | Item") -> str:
        """What a value was checked against: ``"held"`` (a text in the repository), ``"not_held"``
        (verified against a document not held here), ``"unchecked"`` (not verified)."""
        if not value.verified:
            return "unchecked"
        return "held" if self.held(value.source) else "not_held"

    def channel_for(self, clue_source: str | None) -> Item | None:
        """The clue channel (线索渠道) a free-text clue source belongs to, by id, label or alias."""
        if not clue_source:
            return None
        text = str(clue_source).strip()
        for item in self.list("clue_channels").items:
            if text in (item.id, item.zh, item.en) or text in item.extra.get("aliases", ()):
                return item
        return None
