"""Reading a YAML or JSON document defensively, in bounded time and memory: size, UTF-8,
nesting depth and alias expansion checked before and while it is parsed. The scenario files
and the appraisal inputs are read through :func:`read_document`; it is the only file reading
of the ``equivalence`` package."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

import yaml

from .errors import invalid

#: a scenario file larger than this is refused before it is parsed
MAX_FILE_BYTES = 2_000_000
#: the most values a YAML/JSON document may expand to (aliases counted as often as they are used)
MAX_NODES = 200_000
#: how deeply mappings and lists may nest
MAX_DEPTH = 64


def read_document(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES) -> tuple[Any, bytes]:
    """Read a YAML or JSON file defensively: returns ``(data, raw bytes)``.

    Hostile input is refused with a :class:`ScenarioError` naming the file, in bounded time and
    memory: a file over ``max_bytes``, text that is not UTF-8, nesting deeper than ``MAX_DEPTH``,
    or a YAML document whose aliases expand to more than ``MAX_NODES`` values (an "alias bomb"
    of a few hundred bytes can otherwise expand to billions of values).
    """
    path = Path(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise invalid("", "file_too_large", file=path.name, size=size, max=max_bytes)
    with open(path, "rb") as fh:  # bounded even where the size says nothing (a device, a pipe)
        raw = fh.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise invalid("", "file_too_large", file=path.name, size=len(raw), max=max_bytes)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise invalid("", "file_not_utf8", file=path.name, byte=exc.start, line=line) from None
    is_json = path.suffix.lower() == ".json"
    kind = "JSON" if is_json else "YAML"
    try:
        if is_json:
            data = json.loads(text)
            check_tree(data, path.name)
        else:
            check_flow_depth(text, path.name)
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            check_yaml_nodes(node, path.name)
            data = yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise invalid("", "file_not_parsable", file=path.name, kind=kind, detail=str(exc).splitlines()[0]) from None
    except RecursionError:
        raise invalid("", "file_too_deep", file=path.name, max=MAX_DEPTH) from None
    return data, raw


def check_flow_depth(text: str, name: str) -> None:
    """Refuse deep nesting before the YAML parser sees it (its scanner slows down badly on
    thousands of nested ``[``/``{``): a linear scan of brackets outside quotes and comments, and
    of indentation for block nesting."""
    depth = 0
    quote = None
    prev = "\n"
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if quote:
            if ch == quote:
                if quote == "'" and i + 1 < n and text[i + 1] == "'":
                    i += 1  # '' inside single quotes
                else:
                    quote = None
            elif ch == "\\" and quote == '"':
                i += 1
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and prev in " \t\n":
            j = text.find("\n", i)
            i = n if j < 0 else j
            prev = "\n"
            continue
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise invalid("", "file_too_deep", file=name, max=MAX_DEPTH)
        elif ch in "]}":
            depth = max(0, depth - 1)
        prev = ch
        i += 1
    for line in text.splitlines():
        if len(line) - len(line.lstrip(" ")) > 4 * MAX_DEPTH:
            raise invalid("", "file_too_indented", file=name, columns=4 * MAX_DEPTH, max=MAX_DEPTH)


def check_yaml_nodes(root: Any, name: str) -> None:
    """Depth and expanded size of a composed YAML node graph (aliases are shared nodes; their
    expanded size is computed once per node, iteratively, so the check itself is cheap)."""
    if root is None:
        return
    size: dict[int, int] = {}
    stack: list[tuple[Any, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        if depth > MAX_DEPTH:
            raise invalid("", "file_too_deep", file=name, max=MAX_DEPTH)
        if isinstance(node, yaml.ScalarNode):
            size[id(node)] = 1
            continue
        children = [c for pair in node.value for c in pair] if isinstance(node, yaml.MappingNode) else list(node.value)
        if done:
            total = 1 + sum(size[id(c)] for c in children)
            if total > MAX_NODES:
                raise invalid("", "file_aliases", file=name, max=MAX_NODES)
            size[id(node)] = total
            continue
        if id(node) in size:
            continue
        stack.append((node, depth, True))
        stack.extend((c, depth + 1, False) for c in children if id(c) not in size)


def check_tree(data: Any, name: str) -> None:
    """Depth and number of values of a parsed document (a mapping from JSON, or from a caller)."""
    count = 0
    stack = [(data, 1)]
    while stack:
        x, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH:
            raise invalid("", "file_too_deep", file=name, max=MAX_DEPTH)
        if count > MAX_NODES:
            raise invalid("", "file_too_many_values", file=name, max=MAX_NODES)
        if isinstance(x, Mapping):
            stack.extend((v, depth + 1) for v in x.values())
        elif isinstance(x, (list, tuple)):
            stack.extend((v, depth + 1) for v in x)
