"""Fuzz corpus of output paths: every command that writes a file, pointed at hostile destinations.

Each destination — a device node (as ``--pdf /dev/full``), a FIFO, a symbolic link (to a file, to
nothing), a folder, a missing folder, a file where a folder should be, an unwritable system
folder — is refused with exit code 2 and a message naming the destination (and the option);
the store is byte-identical, every entry of the destination's folder (kind, mode, bytes) and the
folder's own mode (a shared 1777 folder) are unchanged, and no build folder is left. The same
commands into a shared 1777 folder write an owner-only file and change nothing else — the
store file's own mode (0644 here) included. On both store backends. When a command gets an
output option, add it to ``OUTPUTS``.
"""
from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from ..conftest import BACKENDS, new_pg_database, run_cli, store_fingerprint

REF = Path(__file__).resolve().parents[1] / "equivalence" / "reference_cases" / "p2_perpetual_half_loss.json"
WATER = {"standard": "gbt39793_2", "discharge": {"amount": 12000, "unit": "m3", "source": "在线监测"},
         "unit_cost": {"value": 3.5, "basis": "survey", "source": "调查"},
         "coefficients": {"alpha": {"value": 1.5, "source": "表1"}, "omega": {"value": 1.25, "source": "表5"},
                          "tau": {"exceedance": {"measured": 350, "limit": 100}}}}
_LEVELS = {"start_year": 2025, "end_year": 2060, "area_unit": "mu", "levels": [[2025, 0], [2032, 1]]}
OPTIONS = {"title": "=HYPERLINK(\"http://evil/\")", "contingency_rate": 0.05,
           "equivalence": {"schema_version": 1, "method": "service", "base_year": 2024, "discount_rate": 0.03,
                           "injury": {"area": 20, "area_unit": "mu", "start_year": 2023, "end_year": 2035,
                                      "levels": [[2023, 0], [2035, 1]]}},
           "options": [{"name": "原位补植", "measures": [{"name": "苗木", "quantity": 1200, "unit": "株", "unit_cost": 35}],
                        "replacement": _LEVELS}]}

#: (name, argv with {dst} = the destination without suffix, suffix, the option named in messages)
BC06 = Path(__file__).resolve().parents[1] / "monitoring" / "data" / "bc06_wildfire" / "composites"

OUTPUTS = [
    ("export csv", ["export", "cases", "--out", "{dst}"], ".csv", "--out"),
    ("export xlsx", ["export", "sites", "--out", "{dst}"], ".xlsx", "--out"),
    ("export gpkg", ["export", "sites", "--out", "{dst}"], ".gpkg", "--out"),
    ("export geojson", ["export", "sites", "--out", "{dst}"], ".geojson", "--out"),
    ("case export", ["case", "export", "--out", "{dst}"], ".xlsx", "--out"),
    ("case assessment", ["case", "assessment", "--out", "{dst}"], ".xlsx", "--out"),
    ("case archive", ["case", "archive", "GX-2025-002", "--out", "{dst}"], ".zip", "--out"),
    ("case evaluation report", ["case", "evaluation", "report", "GX-2022-011", "--out", "{dst}"], ".docx", "--out"),
    ("case evaluation report", ["case", "evaluation", "report", "GX-2022-011", "--pdf", "{dst}"], ".pdf", "--pdf"),
    ("bank export", ["bank", "export", "--out", "{dst}"], ".xlsx", "--out"),
    ("monitor progress", ["monitor", "progress", "--out", "{dst}"], ".csv", "--out"),
    ("monitor evaluate", ["monitor", "evaluate", "GX-2022-011", "--no-save", "--out", "{dst}"], ".json", "--out"),
    ("monitor zonal", ["monitor", "zonal", "{sample}/ndvi/ndvi_2025-0[1-2]-15.tif", "--out", "{dst}"], ".csv",
     "--out"),
    ("monitor breaks", ["monitor", "breaks", str(BC06), "--bands", "blue,green,red,nir,swir16,swir22", "--sensor",
                        "file", "--no-save", "--out", "{dst}"], ".tif", "--out"),
    ("appraisal workbook", ["appraisal", "workbook", "GX-2025-002", "--out", "{dst}"], ".xlsx", "--out"),
    ("appraisal abatement --xlsx", ["appraisal", "abatement", "{inputs}/ab.json", "--xlsx", "{dst}"], ".xlsx",
     "--xlsx"),
    ("appraisal restoration-cost --xlsx", ["appraisal", "restoration-cost", "{inputs}/options.json", "--xlsx",
                                           "{dst}"], ".xlsx", "--xlsx"),
    ("appraisal abatement --pdf", ["appraisal", "abatement", "{inputs}/ab.json", "--pdf", "{dst}"], ".pdf", "--pdf"),
    ("equivalence --xlsx", ["equivalence", "run", "{inputs}/scenario.json", "--xlsx", "{dst}"], ".xlsx", "--xlsx"),
    ("equivalence --pdf", ["equivalence", "run", "{inputs}/scenario.json", "--pdf", "{dst}"], ".pdf", "--pdf"),
    ("appraisal report --out", ["appraisal", "report", "GX-2025-002", "--draft", "--out", "{dst}"], ".docx", "--out"),
    ("appraisal report --pdf", ["appraisal", "report", "GX-2025-002", "--draft", "--pdf", "{dst}"], ".pdf", "--pdf"),
    ("db copy", ["db", "copy", "{store}", "{dst}"], ".gpkg", None),
]

#: hostile destinations: how each is made in the folder, what the message says
KINDS = ["device", "fifo", "link to a file", "dangling link", "folder", "missing folder", "file as folder", "/proc"]


def _make(kind: str, folder: Path, suffix: str) -> tuple[Path, str]:
    target = folder / f"target{suffix}"
    if kind == "device":
        os.mknod(target, 0o666 | stat.S_IFCHR, os.makedev(1, 7))  # what /dev/full is
        return target, "is a character device"
    if kind == "fifo":
        os.mkfifo(target)
        return target, "is a FIFO"
    if kind == "link to a file":
        (folder / "victim.txt").write_text("someone else's file")
        os.symlink(folder / "victim.txt", target)
        return target, "is a symbolic link"
    if kind == "dangling link":
        os.symlink(folder / "nowhere", target)
        return target, "is a symbolic link"
    if kind == "folder":
        target.mkdir()
        return target, "is a folder"
    if kind == "missing folder":
        return folder / "missing" / f"out{suffix}", "does not exist"
    if kind == "file as folder":
        (folder / "plain").write_text("x")
        return folder / "plain" / f"out{suffix}", "is not a folder"
    return Path(f"/proc/restoration-out{suffix}"), "cannot write here"


def _listing(folder: Path) -> dict:
    out = {".": stat.S_IMODE(os.lstat(folder).st_mode)}
    for p in sorted(folder.rglob("*")):
        st = os.lstat(p)
        body = p.read_bytes() if stat.S_ISREG(st.st_mode) else (os.readlink(p) if stat.S_ISLNK(st.st_mode) else None)
        out[str(p.relative_to(folder))] = (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), st.st_rdev, body)
    return out


@pytest.fixture(scope="module", params=BACKENDS)
def out_store(request, tmp_path_factory, _sample_store_template, sample_dir):
    """One sample store per backend for the module (read only: every case must leave it as it
    was), its data folder, and the input files the commands read."""
    from restoration.store import open_store
    data = tmp_path_factory.mktemp("outdata")
    inputs = tmp_path_factory.mktemp("outinputs")
    (inputs / "ab.json").write_text(json.dumps(WATER, ensure_ascii=False), encoding="utf-8")
    (inputs / "options.json").write_text(json.dumps(OPTIONS, ensure_ascii=False), encoding="utf-8")
    (inputs / "scenario.json").write_text(json.dumps(json.loads(REF.read_text("utf-8"))["scenario"]), "utf-8")
    if request.param == "postgis":
        location = new_pg_database(request, "sample")
    else:
        location = data / "platform.gpkg"
        shutil.copy(_sample_store_template, location)
        os.chmod(location, 0o644)  # an administrator's choice the platform must not change
        os.chmod(data, 0o755)
    store = open_store(location, create=False)
    return store, str(location), data, inputs, sample_dir


def _argv(argv, store, location, data, inputs, sample, dst) -> list[str]:
    fill = {"{dst}": str(dst), "{store}": location, "{inputs}": str(inputs), "{sample}": str(sample)}
    out = []
    for a in argv:
        for k, v in fill.items():
            a = a.replace(k, v)
        out.append(a)
    return ["--data", str(data), *out]


def _env(monkeypatch, store, location) -> None:
    monkeypatch.setenv("RESTORATION_TODAY", "2026-11-30")
    if store.backend == "postgis":
        monkeypatch.setenv("RESTORATION_DB", location)
    else:
        monkeypatch.delenv("RESTORATION_DB", raising=False)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name, argv, suffix, option", OUTPUTS, ids=[o[0] for o in OUTPUTS])
def test_hostile_destination_is_refused_and_nothing_changes(out_store, tmp_path, capsys, monkeypatch,
                                                            name, argv, suffix, option, kind):
    if kind == "device" and os.geteuid() != 0:
        pytest.skip("making a device node needs root (the FIFO and link cases cover the rest)")
    store, location, data, inputs, sample = out_store
    _env(monkeypatch, store, location)
    folder = tmp_path / "shared"
    folder.mkdir()
    os.chmod(folder, 0o1777)
    dst, reason = _make(kind, folder, suffix)
    before, data_before, fingerprint = _listing(folder), _listing(data), store_fingerprint(store)
    proc_before = stat.S_IMODE(os.stat("/proc").st_mode)

    code, out, err = run_cli(_argv(argv, store, location, data, inputs, sample, dst), capsys)
    assert code == 2, (name, kind, out, err)
    assert str(dst) in err and reason in err, (name, kind, err)
    if option and kind not in ("/proc",):  # refused while the options are read
        assert f"'{option}'" in err, (name, kind, err)
    assert "internal error" not in err and "Traceback" not in err
    assert _listing(folder) == before, f"{name}: the destination's folder changed"
    assert _listing(data) == data_before, f"{name}: the data folder changed"
    assert store_fingerprint(store) == fingerprint, f"{name}: the store changed"
    assert stat.S_IMODE(os.stat("/proc").st_mode) == proc_before


@pytest.mark.parametrize("name, argv, suffix, option", OUTPUTS, ids=[o[0] for o in OUTPUTS])
def test_into_a_shared_folder_only_the_new_file_appears_owner_only(out_store, tmp_path, capsys, monkeypatch,
                                                                   name, argv, suffix, option):
    store, location, data, inputs, sample = out_store
    _env(monkeypatch, store, location)
    folder = tmp_path / "shared"
    folder.mkdir()
    os.chmod(folder, 0o1777)
    (folder / "someone_elses.txt").write_text("x")
    os.chmod(folder / "someone_elses.txt", 0o644)
    dst = folder / f"result{suffix}"
    before, data_before = _listing(folder), _listing(data)
    code, out, err = run_cli(_argv(argv, store, location, data, inputs, sample, dst), capsys)
    assert code == 0, (name, err)
    after = _listing(folder)
    new = {k: v for k, v in after.items() if k not in before}
    # a calculation's output has its re-performance manifest beside it, owner-only as well
    expected = [dst.name] + ([f"{dst.name}.manifest.json"] if name.startswith(("appraisal abatement",
                             "appraisal restoration-cost", "equivalence")) else [])
    assert sorted(new) == sorted(expected) and all(new[k][1] == 0o600 for k in expected), (name, new.keys())
    assert {k: after[k] for k in before} == before  # 1777 kept, the other file untouched
    if name != "db copy":
        assert _listing(data) == data_before, f"{name}: the data folder changed (the store file's mode too)"


def test_the_corpus_covers_every_output_option():
    """Every option that names a file to write is an ``OutputFile`` (checked before any work)
    and is in ``OUTPUTS``; a new one must be added there."""
    import click

    from restoration.cli import cli
    from restoration.cli.types import OutputFile

    def walk(cmd, path):
        for p in cmd.params:
            yield path, p
        if isinstance(cmd, click.Group):
            for name, sub in cmd.commands.items():
                yield from walk(sub, path + (name,))
    params = list(walk(cli, ()))
    typed = {(" ".join(path), p.opts[0]) for path, p in params if isinstance(p.type, OutputFile)}
    covered = set()
    for _, argv, _, option in OUTPUTS:
        words = [a for a in argv if not a.startswith(("{", "-")) and a not in ("cases", "sites")][:2]
        covered.add((" ".join(w for w in words if not w.startswith("GX-")), option))
    missing = {(cmd, opt) for cmd, opt in typed if not any(cmd.startswith(c) and opt == o for c, o in covered)}
    assert not missing, missing
    loose = [(" ".join(path), p.name) for path, p in params
             if p.name in ("out", "xlsx", "pdf") and not isinstance(p.type, OutputFile)
             # folders, checked by their commands (tests/bank/test_register.py, tests/field/test_package.py):
             # the sample's --out is a folder it creates, the register's an existing folder, a field
             # package's a new or empty one
             and path not in (("sample", "build"), ("bank", "register"), ("field", "export"))]
    assert not loose, loose
