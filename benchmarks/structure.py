"""The structure in numbers, from the code's own imports and an ``ast`` scan.

Counts, for the three packages (``restoration``, ``equivalence``, ``dashboards``):

- import circles: strongly connected groups of modules, counting every import — those inside
  functions too (``if TYPE_CHECKING:`` blocks excepted); ``from pkg import sub`` names the
  submodule;
- project imports inside function bodies (the usual way a circle is hidden);
- modules over 600 lines and functions over 100 lines;
- issue numbers in code (history belongs in commits);
- imports that go up: a module importing one of a higher floor, by the floors of
  ``docs/architecture.md`` (``FLOORS`` below).

Not a timed test: it prints the numbers, and with ``--base REV`` the same numbers for an earlier
commit beside them, so a change's effect is read in one run.

    python benchmarks/structure.py [--base REV]
"""
from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("restoration", "equivalence", "dashboards")


def _modules(root: Path) -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in sorted((root / pkg).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


def _targets(mods: dict[str, Path], current: str, node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    base = node.module or ""
    if node.level:
        pkg = current.split(".") if mods[current].name == "__init__.py" else current.split(".")[:-1]
        pkg = pkg[: len(pkg) - node.level + 1]
        base = ".".join(pkg + ([base] if base else []))
    subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in mods]
    return subs + ([base] if len(subs) < len(node.names) else [])


def _circles(edges: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    groups: list[list[str]] = []
    counter = [0]
    sys.setrecursionlimit(10_000)

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in list(edges):
        if v not in index:
            visit(v)
    return groups


def measure(root: Path) -> dict:
    mods = _modules(root)
    edges: dict[str, set[str]] = defaultdict(set)
    inner = 0
    long_functions: list[tuple[int, str]] = []
    big: list[tuple[int, str]] = []
    issue_refs = 0
    for name, path in mods.items():
        edges[name]
        src = path.read_text(encoding="utf-8")
        issue_refs += len(re.findall(r"\b[Ii]ssues? #?[0-9]+", src))
        lines = src.count("\n") + 1
        if lines > 600:
            big.append((lines, str(path.relative_to(root))))
        tree = ast.parse(src)
        skip: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                skip |= {id(x) for x in ast.walk(node)}
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if fn.end_lineno - fn.lineno + 1 > 100:
                    long_functions.append((fn.end_lineno - fn.lineno + 1, f"{path.relative_to(root)}:{fn.name}"))
                for node in ast.walk(fn):
                    if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in skip and any(
                            t.split(".")[0] in PACKAGES for t in _targets(mods, name, node)):
                        inner += 1
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in skip:
                for t in _targets(mods, name, node):
                    while t and t not in mods and "." in t:
                        t = t.rsplit(".", 1)[0]
                    if t in mods and t != name:
                        edges[name].add(t)
    return {"modules": len(mods), "circles": _circles(edges), "inner_imports": inner,
            "big_modules": sorted(big, reverse=True), "long_functions": sorted(long_functions, reverse=True),
            "issue_refs": issue_refs}


def _at(rev: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(REPO), "archive", rev, *PACKAGES], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        return measure(Path(tmp))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", help="an earlier commit to measure beside the working tree")
    args = parser.parse_args()
    now = measure(REPO)
    base = _at(args.base) if args.base else None
    rows = [("modules", lambda m: m["modules"]), ("import circles", lambda m: len(m["circles"])),
            ("project imports inside functions", lambda m: m["inner_imports"]),
            ("modules over 600 lines", lambda m: len(m["big_modules"])),
            ("functions over 100 lines", lambda m: len(m["long_functions"])),
            ("issue numbers in code", lambda m: m["issue_refs"])]
    head = f"{'':36}{'now':>8}" + (f"{args.base[:12]:>14}" if base else "")
    print(head)
    for label, get in rows:
        print(f"{label:36}{get(now):>8}" + (f"{get(base):>14}" if base else ""))
    for group in now["circles"]:
        print(f"circle of {len(group)}: " + ", ".join(group))
    for n, where in now["big_modules"]:
        print(f"module {n} lines: {where}")
    for n, where in now["long_functions"]:
        print(f"function {n} lines: {where}")


if __name__ == "__main__":
    main()
