"""Input limits and what the machine refuses, as a user meets them: the real ``restoration``
command in a subprocess.

* Memory stays bounded: an .xlsx zip bomb, ``/dev/zero`` named ``.csv`` and a sparse 200,000² GeoTIFF
  are refused with exit code 2 within a small margin of what a trivial command takes (peak RSS of
  the child, from the kernel's rusage and sampled with psutil).
* A full disk (a small tmpfs in a private mount namespace) during an import, an event and a
  reservation, and a read-only destination folder: exit code 2 with a clear message, never an
  internal error, and the store byte-identical (no journal left behind).
* ``users add`` with two different passwords: exit code 2.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from restoration import limits

from ..markers import brings
from .test_fuzz_input import sparse_geotiff, workbook_bomb

CLI = [sys.executable, "-m", "restoration.cli"]
ENV = {**os.environ, "RESTORATION_TODAY": "2026-11-30", "PYTHONUNBUFFERED": "1"}
ENV.pop("RESTORATION_DB", None)  # these run on a GeoPackage: the limits are the readers', not the store's


def _high_water(pid: int) -> int:
    """The process's peak resident memory so far (``VmHWM``: per address space, so it starts
    anew at exec, unlike rusage's maxrss, which a child forked from pytest inherits)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def peak_rss(processes, argv: list[str]) -> tuple[int, str, int]:
    """Run ``argv``; (exit code, stderr, peak resident memory in bytes: the larger of what psutil
    and the kernel's high-water mark showed while it ran, sampled every 10 ms)."""
    proc = processes.popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    watched = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            peak = max(peak, watched.memory_info().rss, _high_water(proc.pid))
        except psutil.Error:
            pass
        time.sleep(0.01)
    err = proc.stderr.read().decode("utf-8", "replace")
    proc.stderr.close()
    return proc.returncode, err, peak


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, _sample_store_template):
    d = tmp_path_factory.mktemp("limits")
    data = d / "data"
    data.mkdir()
    shutil.copy(_sample_store_template, data / "platform.gpkg")
    workbook_bomb(d / "bomb.xlsx", 400)  # 400 MB of sheet XML in a file of about 1 MB
    (d / "zero.csv").symlink_to("/dev/zero")
    (d / "sparse").mkdir()
    sparse_geotiff(d / "sparse" / "ndvi_2026-11-15.tif")
    (d / "ok.csv").write_text("case_id,title,region,case_class,stage,claimant_agency\nC-OK,t,r,simple,filing,a\n",
                              encoding="utf-8")
    return d, data


def test_hostile_files_are_refused_in_bounded_memory(hostile, processes):
    d, data = hostile
    assert (d / "bomb.xlsx").stat().st_size < 2_000_000
    code, err, baseline = peak_rss(processes, [*CLI, "--data", str(data), "import", "cases", str(d / "ok.csv"), "--check"])
    assert code == 0, err
    runs = {
        "xlsx bomb: import cases": ["import", "cases", str(d / "bomb.xlsx")],
        "xlsx bomb: ingest-table": ["monitor", "ingest-table", str(d / "bomb.xlsx")],
        "/dev/zero.csv: import cases": ["import", "cases", str(d / "zero.csv")],
        "/dev/zero.csv: ingest-table": ["monitor", "ingest-table", str(d / "zero.csv")],
        "sparse 200,000² GeoTIFF": ["monitor", "ingest-raster", str(d / "sparse" / "ndvi_2026-11-15.tif")],
    }
    before = (data / "platform.gpkg").read_bytes()
    measured = {}
    for name, argv in runs.items():
        started = time.perf_counter()
        code, err, rss = peak_rss(processes, [*CLI, "--data", str(data), *argv])
        measured[name] = (rss, time.perf_counter() - started)
        assert code == 2, (name, err)
        assert "limit" in err or "not a regular file" in err, (name, err)
        assert "internal error" not in err, (name, err)
        # within 150 MB of a trivial import's peak (the 400 MB bomb took 8 GB before the limits)
        assert rss < baseline + 150e6, (name, rss / 1e6, baseline / 1e6)
    print(f"\nbaseline (a one-row import --check): {baseline / 1e6:.0f} MB")
    for name, (rss, seconds) in measured.items():
        print(f"{name}: {rss / 1e6:.0f} MB peak, {seconds:.1f} s")
    assert (data / "platform.gpkg").read_bytes() == before


def test_the_limits_are_declared_once_and_documented():
    """One table of limits: each has its own environment variable, and docs/security.md lists
    every one of them under "Input limits"."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "security.md").read_text(encoding="utf-8")
    section = doc.split("## Input limits", 1)[1].split("\n## ", 1)[0]
    envs = [lim.env for lim in limits.ALL]
    assert len(set(envs)) == len(envs)
    for lim in limits.ALL:
        assert lim.env in section, lim.env
        assert f"{lim.default:g}" in section.replace(",", ""), (lim.env, lim.default)


# -- the machine refuses ------------------------------------------------------------------------
def _in_small_disk(script: str, size_kb: int, *, env=None) -> subprocess.CompletedProcess:
    """Run a shell ``script`` in a private mount namespace where ``$DISK`` is a tmpfs of
    ``size_kb`` KB (unshare: root, or an unprivileged user namespace)."""
    return subprocess.run(["unshare", "--mount", "--map-root-user", "sh", "-c",
                           f'export DISK=$(mktemp -d) && mount -t tmpfs -o size={size_kb}k tmpfs "$DISK" && {script}'],
                          capture_output=True, text=True, env=env or ENV, timeout=600)


@pytest.fixture(scope="module")
@brings("subprocess")
def namespaces():
    probe = subprocess.run(["unshare", "--mount", "--map-root-user", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"this machine allows no private mount namespace: {probe.stderr.decode()[:200]}")


@pytest.fixture(scope="module")
def many_sites(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("disk") / "many_sites.csv"
    rows = ["site_id,role,ecosystem_type,name,wkt"]
    for i in range(3000):
        x, y = 108.2 + (i % 50) * 0.001, 23.2 + (i // 50) * 0.001
        rows.append(f'F{i},damaged,forest,{"名" * 300},"POLYGON(({x} {y}, {x + 0.0005} {y}, {x + 0.0005} '
                    f'{y + 0.0005}, {x} {y + 0.0005}, {x} {y}))"')
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


CLI_SH = " ".join(CLI)


@pytest.mark.parametrize("what, command, fill", [
    ("import", "import sites {sites} --crs EPSG:4326", False),
    ("event", "case event add GX-2025-002 investigation_started 2026-08-20", True),
    ("reserve", "bank reserve BP06 --case GX-2025-002 --amount 1", True),
])
def test_a_full_disk_is_a_clear_refusal_and_the_store_is_unchanged(namespaces, _sample_store_template, many_sites,
                                                                    what, command, fill):
    """The store on a small disk: the import fills it; the event and the reservation find it full
    (a filler file takes the rest). Exit 2, 'the disk is full', the file byte-identical and no
    journal left."""
    size_kb = _sample_store_template.stat().st_size // 1024 + 200
    filler = 'dd if=/dev/zero of="$DISK/filler" bs=4k 2>/dev/null; ' if fill else ""
    script = (f'mkdir "$DISK/d" && cp {_sample_store_template} "$DISK/d/platform.gpkg" && {filler}'
              f'{CLI_SH} --data "$DISK/d" {command.format(sites=many_sites)}; echo "exit=$?"; '
              'sha256sum "$DISK/d/platform.gpkg"; ls "$DISK/d"')
    done = _in_small_disk(script, size_kb)
    assert "exit=2" in done.stdout, (done.stdout, done.stderr)
    assert "the disk is full" in done.stderr and "internal error" not in done.stderr, done.stderr
    assert "nothing was changed" in done.stderr
    import hashlib
    original = hashlib.sha256(_sample_store_template.read_bytes()).hexdigest()
    assert original in done.stdout, done.stdout
    assert "platform.gpkg-journal" not in done.stdout


def test_a_read_only_destination_is_a_clear_refusal(namespaces, _sample_store_template):
    script = (f'mkdir "$DISK/d" "$DISK/out" && cp {_sample_store_template} "$DISK/d/platform.gpkg" && '
              'mount -o remount,ro,bind "$DISK/out" "$DISK/out" 2>/dev/null || mount -o remount,ro "$DISK"; '
              f'{CLI_SH} --data "$DISK/d" export sites --out "$DISK/out/sites.csv"; echo "exit=$?"; ls "$DISK/out"')
    done = _in_small_disk(script, 4096)
    assert "exit=2" in done.stdout, (done.stdout, done.stderr)
    assert "cannot write" in done.stderr and "Read-only file system" in done.stderr, done.stderr
    assert "sites.csv" not in done.stdout


def test_users_add_with_two_different_passwords_exits_2(tmp_path, processes):
    data = tmp_path / "data"
    done = processes.run([*CLI, "--data", str(data), "users", "add", "bob", "--role", "readonly"],
                         input="Aa1!aaaaaaaaaaaa\nBb2!bbbbbbbbbbbb\n", capture_output=True, text=True, env=ENV,
                         start_new_session=True, timeout=120)  # no terminal: the prompts read stdin
    assert done.returncode == 2, done.stderr
    assert "field 'password': the two passwords typed differ" in done.stderr
    assert not (data / "users.json").exists()


@pytest.mark.parametrize("what, command, tables", [
    ("import", "import sites {sites} --crs EPSG:4326", ("sites",)),
    ("event", "case event add GX-2025-002 investigation_started 2026-08-20", ("case_events",)),
    ("reserve", "bank reserve BP06 --case GX-2025-002 --amount 1", ("bank_allocations", "bank_ledger")),
])
def test_a_full_disk_on_postgis_is_a_clear_refusal(request, pg_cluster, tmp_path, many_sites, what, command, tables,
                                                   processes):
    """The written tables moved to a tablespace on a small tmpfs that is then filled (their pages
    packed to a 10 % fill factor, so any insert needs a new page): exit 2, 'the disk is full', the
    database unchanged."""
    if os.geteuid() != 0:
        pytest.skip("a tablespace on a small tmpfs needs root (the server must see the mount)")
    import psycopg

    from restoration.store import open_store

    from ..conftest import new_pg_database, store_fingerprint
    url = new_pg_database(request, "sample")
    name = url.split("?")[0].rsplit("/", 1)[-1]
    disk, space = pg_cluster.root / f"disk_{name}", f"small_{name}"  # where the server may go
    disk.mkdir()
    processes.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], check=True)
    try:
        shutil.chown(disk, pg_cluster.user, pg_cluster.user)
        with pg_cluster.admin() as admin:
            admin.execute(f"CREATE TABLESPACE {space} LOCATION '{disk}'")
        try:
            with psycopg.connect(url, autocommit=True) as conn:
                for table in tables:
                    conn.execute(f"ALTER TABLE {table} SET (fillfactor = 10)")
                    conn.execute(f"ALTER TABLE {table} SET TABLESPACE {space}")
            processes.run(f'dd if=/dev/zero of="{disk}/filler" bs=4k 2>/dev/null', shell=True)
            store = open_store(url, create=False)
            before = store_fingerprint(store)
            done = processes.run([*CLI, "--db", url, "--data", str(tmp_path / "data"),
                                  *command.format(sites=many_sites).split()],
                                 capture_output=True, text=True, env=ENV, timeout=600)
            assert done.returncode == 2, (done.stdout, done.stderr)
            assert "the disk is full" in done.stderr and "internal error" not in done.stderr, done.stderr
            assert store_fingerprint(store) == before
        finally:
            pg_cluster.drop_database(name)
            with pg_cluster.admin() as admin:
                admin.execute(f"DROP TABLESPACE IF EXISTS {space}")
    finally:
        processes.run(["umount", "-l", str(disk)], check=False)
