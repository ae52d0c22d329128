"""The floors of docs/architecture.md are the imports of the code: every project import — at the
top of a module or inside a function — goes to the importing module's own floor or below, and
every module of the three packages stands on a floor."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("equivalence", "restoration", "dashboards")


def _floors() -> list[tuple[str, list[str]]]:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## Floors", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    rows = [line for line in section.splitlines() if re.match(r"\| \d ", line)]
    return [(row.split("|")[1].strip(), re.findall(r"`([\w.]+)`", row.split("|")[2])) for row in rows]


def _modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


MODULES = _modules()
FLOORS = _floors()


def _floor(module: str) -> int | None:
    best = None  # the longest prefix decides: restoration.cases before restoration
    for i, (_, prefixes) in enumerate(FLOORS):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and (best is None or len(p) > best[1]):
                best = (i, len(p))
    return None if best is None else best[0]


def _imports(module: str, path: Path) -> list[tuple[int, str]]:
    """(line, imported project module) of every import in the file, TYPE_CHECKING blocks aside."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for n in ast.walk(node)}
    out = []
    for node in ast.walk(tree):
        if id(node) in skip or not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        else:
            base = node.module or ""
            if node.level:
                pkg = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
                pkg = pkg[: len(pkg) - node.level + 1]
                base = ".".join(pkg + ([base] if base else []))
            subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES]
            targets = subs + ([base] if len(subs) < len(node.names) else [])
        for t in targets:
            while t not in MODULES and "." in t:
                t = t.rsplit(".", 1)[0]
            if t in MODULES and t != module:
                out.append((node.lineno, t))
    return out


def test_the_table_names_nine_floors_from_ground_to_pages():
    assert [name.split()[0] for name, _ in FLOORS] == [str(i) for i in range(9)]
    assert all(prefixes for _, prefixes in FLOORS)


def test_every_module_stands_on_a_floor():
    loose = [m for m in MODULES if m != "restoration" and _floor(m) is None]
    assert not loose, f"modules on no floor of docs/architecture.md: {loose}"


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_goes_upward(package):
    upward = []
    for module, path in MODULES.items():
        if module.split(".")[0] != package or module == "restoration":
            continue
        here = _floor(module)
        for line, target in _imports(module, path):
            if target == "restoration":  # the public face: for dashboards and notebooks, never inside
                there = len(FLOORS) if package == "restoration" else None
            else:
                there = _floor(target)
            if there is not None and there > here:
                upward.append(f"{path.relative_to(ROOT)}:{line} ({FLOORS[here][0]}) imports {target} "
                              f"({FLOORS[there][0] if there < len(FLOORS) else 'restoration/__init__'})")
    assert not upward, "\n".join(upward)
