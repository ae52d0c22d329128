"""What a test brings up besides Python, as markers set from the fixtures it uses.

A fixture that starts something slow or outside the process says so with :func:`brings`; the
collection hook in ``conftest.py`` marks every test that uses it (directly or through another
fixture). A test on the PostGIS store backend (a fixture parameter ``"postgis"``, as ``backend``'s)
is marked ``postgis``; a test that builds Streamlit's ``AppTest`` (itself, through a function of
its module or a fixture) is marked ``page``.
Nobody lists tests by hand: a new test that takes ``streamlit_server`` is a ``server`` test.

``python -m pytest --quick`` leaves out every marked test (the same as ``-m "not (postgis or
server or browser or subprocess or notebook or page)"``). Two checks keep the markers true: a marked
fixture reached by ``request.getfixturevalue`` from a test without its marker fails the test
(take it as an argument, so collection sees it), and a test with none of the markers that starts
a process (or builds an ``AppTest`` collection did not see) fails and says what to do instead.
"""
from __future__ import annotations

import multiprocessing.process
import os
import subprocess
import sys
import types

import pytest

#: marker -> what it means (registered with pytest, shown by ``pytest --markers``)
KINDS = {
    "postgis": "runs on the PostGIS backend (a temporary PostgreSQL cluster)",
    "server": "starts a Streamlit server (or another network service)",
    "browser": "drives headless Chromium",
    "subprocess": "starts other processes (the CLI as a user runs it, workers, tools)",
    "notebook": "executes a Jupyter notebook in a kernel",
    "page": "runs the dashboard's page scripts in this process (Streamlit AppTest: seconds a test)",
}


def _is_apptest(value) -> bool:
    # compared by name: importing Streamlit here would slow the start of every run
    return (getattr(value, "__name__", None) == "AppTest"
            and getattr(value, "__module__", "").startswith("streamlit.testing"))


def _codes(func):
    """The code of ``func`` and of the functions defined inside it."""
    stack = [getattr(func, "__code__", None)]
    while stack:
        code = stack.pop()
        if code is not None:
            yield code
            stack.extend(c for c in code.co_consts if isinstance(c, types.CodeType))


def _reaches_apptest(func, depth: int = 3) -> bool:
    """``func`` names Streamlit's ``AppTest``, or calls a function of its module that does
    (``depth`` calls deep)."""
    names = getattr(func, "__globals__", {})
    for code in _codes(func):
        for name in code.co_names:
            value = names.get(name)
            if _is_apptest(value):
                return True
            if (depth and isinstance(value, types.FunctionType) and value is not func
                    and _reaches_apptest(value, depth - 1)):
                return True
    return False


def _runs_pages(item) -> bool:
    """The test function, or a fixture it uses, builds a Streamlit ``AppTest``."""
    funcs = [getattr(item, "function", None)]
    info = getattr(item, "_fixtureinfo", None)
    if info is not None:
        for name in item.fixturenames:
            funcs += [fixturedef.func for fixturedef in info.name2fixturedefs.get(name, ())]
    return any(func is not None and _reaches_apptest(func) for func in funcs)


def brings(*kinds: str):
    """Mark a fixture function (put it under ``@pytest.fixture``): every test that uses the
    fixture gets the markers ``kinds``."""
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown test kinds {sorted(unknown)}: one of {sorted(KINDS)}")

    def mark(func):
        func._brings = frozenset(getattr(func, "_brings", ())) | frozenset(kinds)
        return func
    return mark


def _fixture_kinds(fixturedef) -> frozenset:
    return getattr(fixturedef.func, "_brings", frozenset())


def kinds_of(item) -> set[str]:
    """The kinds a collected test brings up, from the fixtures in its closure and its backend."""
    kinds: set[str] = set()
    info = getattr(item, "_fixtureinfo", None)
    if info is not None:
        for name in item.fixturenames:
            for fixturedef in info.name2fixturedefs.get(name, ()):
                kinds |= _fixture_kinds(fixturedef)
    if _runs_pages(item):
        kinds.add("page")
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "postgis" in callspec.params.values():  # ``backend`` or a store fixture's
        kinds.add("postgis")
    return kinds


def mark_items(items) -> None:
    for item in items:
        for kind in sorted(kinds_of(item)):
            item.add_marker(kind)


def has_kind(item) -> bool:
    return any(item.get_closest_marker(kind) for kind in KINDS)


def check_dynamic_request(fixturedef, request) -> None:
    """A marked fixture set up for a test that does not carry its marker: it was requested with
    ``getfixturevalue``, so the markers (and ``--quick``) cannot know about it."""
    kinds = _fixture_kinds(fixturedef)
    item = getattr(request, "_pyfuncitem", None)
    if not kinds or item is None:
        return
    missing = [k for k in sorted(kinds) if item.get_closest_marker(k) is None]
    if missing:
        pytest.fail(f"{item.nodeid} reaches fixture {fixturedef.argname!r} at run time: it brings "
                    f"{missing}; take the fixture as an argument (or through a fixture that does) so "
                    "the test is marked", pytrace=False)


def _refuse(*args, **kwargs):
    raise AssertionError(
        "this test starts a process but carries none of the markers "
        f"{sorted(KINDS)}: start it through the 'processes' fixture (tests/conftest.py), which marks "
        "the test 'subprocess' (and keeps it out of the --quick run)")


def forbid_processes(monkeypatch) -> None:
    """Make every way this test could start a process fail with what to do instead."""
    monkeypatch.setattr(subprocess.Popen, "_execute_child", _refuse)
    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", _refuse)
    for name in ("system", "posix_spawn", "posix_spawnp", "fork", "forkpty"):
        if hasattr(os, name):
            monkeypatch.setattr(os, name, _refuse)


def _refuse_page(*args, **kwargs):
    raise AssertionError(
        "this test builds a Streamlit AppTest that collection did not see (it is not marked 'page'): "
        "build it in the test, in a function of the test's module or in a fixture it takes")


def forbid_pages(monkeypatch) -> None:
    """Make building an ``AppTest`` fail with what to do instead (when a test module imported it)."""
    testing = sys.modules.get("streamlit.testing.v1")
    if testing is not None:
        for name in ("from_file", "from_string", "from_function"):
            monkeypatch.setattr(testing.AppTest, name, _refuse_page)
