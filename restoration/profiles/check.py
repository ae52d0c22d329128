"""Checking one profile file against the format (:data:`.schema.SCHEMA`).

Every problem of the file is collected with the file and the key path: an unknown key (with the
closest known one), a rule or list without its ``source`` or ``verified`` flag, a wrongly typed
value, an unknown event, stage or fact, a ``[profile]`` table that does not match the file name.
"""
from __future__ import annotations

import datetime as _dt
import difflib
import math
from pathlib import Path
from typing import Any

from ..errors import InputError, Issue
from ..model import Stage
from ..vocab.events import EVENT_LABELS
from .schema import (BOOL_FACTS, DAMAGE_KINDS, ITEM_KEYS, LIST_KEYS, PROFILE_STATUSES, RULE_KEYS, SCHEMA,
                     VERSION_SEP, ListNode, MapNode, MetaNode, RuleNode, TableNode, ValueNode)
from .toml_file import read_toml


def _is_date(v: Any) -> bool:
    if isinstance(v, _dt.date):
        return True
    try:
        _dt.date.fromisoformat(str(v))
        return True
    except ValueError:
        return False


#: what each scalar kind accepts, and how a refusal says it
_SIMPLE = {
    "str": (lambda v: isinstance(v, str) and v.strip() != "", "a non-empty text"),
    "bool": (lambda v: isinstance(v, bool), "true or false"),
    "int": (lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0, "a whole number >= 0"),
    "number": (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v >= 0,
               "a number >= 0"),
    "share": (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1,
              "a share between 0 and 1 (write 30% as 0.3)"),
    "str_list": (lambda v: isinstance(v, list) and all(isinstance(x, str) and x for x in v), "a list of texts"),
    "kinds": (lambda v: isinstance(v, list) and bool(v) and all(x in DAMAGE_KINDS for x in v),
              f"a list of damage kinds ({', '.join(DAMAGE_KINDS)})"),
    "day_kind": (lambda v: v in ("calendar", "working"), "'calendar' or 'working'"),
    "stage": (lambda v: v in [s.value for s in Stage], f"a stage ({', '.join(s.value for s in Stage)})"),
    "status": (lambda v: v in PROFILE_STATUSES, f"one of {', '.join(PROFILE_STATUSES)}"),
    "date": (_is_date, "a date (YYYY-MM-DD)"),
    "fact": (lambda v: v in BOOL_FACTS, f"a case fact ({', '.join(BOOL_FACTS)})"),
}


class Checker:
    """Collects the problems of one file (``issues``), each naming the file and the key path."""

    def __init__(self, file: Path | str):
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
        if kind == "events":
            return self._events(path, v)
        if kind not in _SIMPLE:  # pragma: no cover - a kind the schema names but this module lacks
            raise AssertionError(kind)
        test, what = _SIMPLE[kind]
        ok = test(v)
        if ok and choices and v not in choices:
            ok, what = False, f"one of {', '.join(choices)}"
        if not ok:
            self.err(path, f"must be {what}, got {v!r}")
        return ok

    def _events(self, path: str, v: Any) -> bool:
        if not (isinstance(v, list) and bool(v) and all(isinstance(x, str) for x in v)):
            self.err(path, f"must be a list of event types, got {v!r}")
            return False
        known = EVENT_LABELS  # every event type the platform knows: the vocabulary's codes
        bad = [x for x in v if x not in known]
        if bad:
            self.err(path, f"unknown event type(s) {', '.join(bad)}; known: {', '.join(known)}")
            return False
        return True

    def check(self, schema, node: Any, path: str) -> None:
        """Check ``node`` (the part of the file at ``path``) against ``schema``."""
        if isinstance(schema, ValueNode):
            return
        if isinstance(schema, RuleNode):
            return self._rule(schema, node, path)
        if isinstance(schema, ListNode):
            return self._list(schema, node, path)
        if not self._table(node, path):
            return
        if isinstance(schema, MetaNode):
            self._meta(schema, node, path)
        elif isinstance(schema, TableNode):
            for k, v in node.items():
                if k not in schema.children:
                    self.unknown(path, k, schema.children)
                else:
                    self.check(schema.children[k], v, f"{path}.{k}" if path else k)
        elif isinstance(schema, MapNode):
            for k, v in node.items():
                if isinstance(schema.child, str):
                    self.scalar(f"{path}.{k}", schema.child, v)
                else:
                    self.check(schema.child, v, f"{path}.{k}")

    def _meta(self, schema: MetaNode, node: dict, path: str) -> None:
        for k, v in node.items():
            if k not in schema.keys:
                self.unknown(path, k, schema.keys)
            else:
                self.scalar(f"{path}.{k}", schema.keys[k][0], v)
        for k, (_, required) in schema.keys.items():
            if required and k not in node:
                self.err(f"{path}.{k}", "is required")

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

    def _rule(self, schema: RuleNode, node: Any, path: str) -> None:
        if not isinstance(node, dict):
            self.err(path, "must be a rule table { value = ..., source = \"document, article\", "
                           f"verified = true|false }}, got {node!r}")
            return
        allowed = dict(RULE_KEYS) | {k: kind for k, (kind, _) in schema.extra.items()}
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

    def _list(self, schema: ListNode, node: Any, path: str) -> None:
        if not self._table(node, path):
            return
        for k, v in node.items():
            if k not in LIST_KEYS:
                self.unknown(path, k, LIST_KEYS)
            elif k != "items":
                self.scalar(f"{path}.{k}", LIST_KEYS[k], v)
        list_cited = "source" in node
        if list_cited or "verified" in node:
            self._cited(node, path, "list")
        items = node.get("items", [])
        if not isinstance(items, list):
            self.err(f"{path}.items", "must be an array of tables ([[...items]])")
            return
        if not items and not list_cited:
            self._cited(node, path, "list")
        seen: set[str] = set()
        for n, item in enumerate(items, 1):
            self._item(schema, item, f"{path}.items[{n}]", path, n, seen, list_cited)

    def _item(self, schema: ListNode, item: Any, ipath: str, path: str, n: int, seen: set[str],
              list_cited: bool) -> None:
        if not self._table(item, ipath):
            return
        allowed = {k: kind for k, (kind, _) in ITEM_KEYS.items()} | {k: kind for k, (kind, _) in schema.extra.items()}
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
        required = {k for k, (_, r) in ITEM_KEYS.items() if r} | {k for k, (_, r) in schema.extra.items() if r}
        for k in sorted(required - set(item)):
            self.err(f"{ipath}.{k}", "is required")
        if not list_cited:
            self._cited(item, ipath, "list item (or its list)")

    def check_profile_table(self, raw: dict, path: Path) -> None:
        """The ``[profile]`` table against the file's name: ``id`` is the file name, a versioned
        file ``NAME@TAG.toml`` declares ``version = TAG``, a version in force has its date and the
        date its source."""
        meta = raw.get("profile")
        if meta is None:
            self.err("profile", "the [profile] table (id, name_zh, name_en) is missing")
            return
        if not isinstance(meta, dict):
            return  # already reported by check()
        name, _, tag = path.stem.partition(VERSION_SEP)
        if meta.get("id") not in (None, name):
            self.err("profile.id", f"is '{meta.get('id')}' but the file is {path.name}: "
                                   f"the id must be the file name ('{name}')")
        if tag and meta.get("version") != tag:
            self.err("profile.version", f"is {meta.get('version')!r} but the file is {path.name}: "
                                        f"a versioned file NAME{VERSION_SEP}TAG.toml declares version = '{tag}'")
        if meta.get("status") == "in_force" and "effective_from" not in meta:
            self.err("profile.effective_from", "a version in force needs the date it took effect "
                                               "(effective_from = YYYY-MM-DD) and its source")
        if meta.get("status") == "in_force" and "document_number" not in meta:
            self.err("profile.document_number", "a version in force needs the document number (文号) that put "
                                                "it in force (document_number = '…〔年〕号'); without one it is a "
                                                "draft: leave status out or set status = 'draft'")
        held = meta.get("held_documents") or []
        unknown = [h for h in held if h not in (raw.get("documents") or {})] if isinstance(held, list) else []
        if unknown:
            self.err("profile.held_documents", f"{', '.join(map(str, unknown))}: not a key of [documents]")
        if "effective_from" in meta and "effective_source" not in meta:
            self.err("profile.effective_source", "cite the document that sets the effective date")

    def raise_if_any(self) -> None:
        if self.issues:
            raise InputError(self.issues)


def read_profile_file(path: Path) -> dict:
    """One profile file, read and checked on its own (its ``extends`` chain is the loader's);
    ``InputError`` with every problem of the file."""
    raw = read_toml(path)
    checker = Checker(path)
    checker.check(SCHEMA, raw, "")
    checker.check_profile_table(raw, path)
    checker.raise_if_any()
    return raw
