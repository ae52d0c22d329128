"""Merging profiles along their ``extends`` chain, and tables of plain values (the siting rules).

Tables merge key by key; a rule is replaced whole (the child cites its own source); list items
merge by ``id`` (``replace = true`` drops the parent's items); a plain value is replaced. One
function for both, driven by the format (:mod:`.schema`).
"""
from __future__ import annotations

from typing import Any

from .schema import ListNode, MapNode, MetaNode, RuleNode, TableNode


def stamp(schema, node: Any, origin: str) -> Any:
    """Copy ``node`` marking every rule, list and item with the profile it comes from; give list
    items the list's source when they have none of their own."""
    if isinstance(schema, TableNode):
        return {k: stamp(schema.children[k], v, origin) for k, v in node.items()}
    if isinstance(schema, MapNode):
        return {k: (v if isinstance(schema.child, str) else stamp(schema.child, v, origin))
                for k, v in node.items()}
    if isinstance(schema, RuleNode):
        return {**node, "_origin": origin}
    if isinstance(schema, ListNode):
        out = {k: v for k, v in node.items() if k != "items"}
        if "source" in node:
            out["_origin"] = origin
        out["items"] = [{"source": node.get("source"), "verified": node.get("verified", False), **i,
                         "_origin": origin} for i in node.get("items", [])]
        return out
    return node


def _keys(parent: dict, child: dict) -> list:
    return list(parent) + [k for k in child if k not in parent]


def merge(schema, parent: Any, child: Any) -> Any:
    """``child`` over ``parent`` by ``schema`` (either may be None: the other is the result).
    A key the schema does not name (a value a caller added) is replaced like a plain value."""
    if parent is None:
        return child
    if child is None:
        return parent
    if isinstance(schema, TableNode):
        return {k: merge(schema.children.get(k), parent.get(k), child.get(k)) for k in _keys(parent, child)}
    if isinstance(schema, MapNode):
        if isinstance(schema.child, str):
            return {**parent, **child}
        return {k: merge(schema.child, parent.get(k), child.get(k)) for k in _keys(parent, child)}
    if isinstance(schema, MetaNode):
        return {**child, "extends": child.get("extends")}
    if isinstance(schema, ListNode):
        return _merge_list(parent, child)
    return child  # a rule or a plain value is replaced whole


def _merge_list(parent: dict, child: dict) -> dict:
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
