"""The output door (``restoration.files``): what it creates is owner-only and appears whole or not
at all; what it did not create — a shared folder, a device, a link, a FIFO — it never changes."""
from __future__ import annotations

import errno
import logging
import os
import stat
from pathlib import Path

import pytest

from restoration import files
from restoration.errors import DiskFullError, InputError

from ..conftest import unused_pid


def _mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def _listing(folder: Path) -> dict[str, tuple]:
    """Every entry of ``folder``: its kind, mode and (for a file) bytes."""
    out = {}
    for p in folder.iterdir():
        st = os.lstat(p)
        body = p.read_bytes() if stat.S_ISREG(st.st_mode) else (os.readlink(p) if stat.S_ISLNK(st.st_mode) else None)
        out[p.name] = (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), body)
    return out


def test_a_new_file_is_owner_only_and_a_shared_folder_keeps_its_mode(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    out = files.write_text(shared / "report.csv", "a,b\n")
    assert out.read_text() == "a,b\n" and _mode(out) == 0o600
    assert _mode(shared) == 0o1777  # sticky bit and world access kept
    assert [p.name for p in shared.iterdir()] == ["report.csv"]  # no build folder left


def test_a_long_file_name_is_written(tmp_path):
    name = "案" * 80 + ".xlsx"  # 245 bytes: its build folder's name must still fit
    assert files.write_bytes(tmp_path / name, b"x").read_bytes() == b"x"
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_replacing_a_file_is_all_or_nothing(tmp_path):
    target = tmp_path / "book.xlsx"
    files.write_bytes(target, b"old")

    def half(tmp: Path) -> None:
        tmp.write_bytes(b"new but not finished")
        raise RuntimeError("writer failed")
    with pytest.raises(RuntimeError):
        files.write_file(target, half)
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["book.xlsx"]
    files.write_bytes(target, b"new")
    assert target.read_bytes() == b"new"


def _special_destinations(folder: Path) -> list[tuple[str, Path]]:
    victim = folder / "victim.txt"
    victim.write_text("do not touch")
    os.chmod(victim, 0o644)
    (folder / "a_folder").mkdir()
    os.mkfifo(folder / "fifo.csv")
    os.symlink(victim, folder / "link_to_file.csv")
    os.symlink(folder / "a_folder", folder / "link_to_folder.csv")
    os.symlink(folder / "nowhere", folder / "dangling.csv")
    out = [("a FIFO", folder / "fifo.csv"), ("a symbolic link", folder / "link_to_file.csv"),
           ("a symbolic link", folder / "link_to_folder.csv"), ("a symbolic link", folder / "dangling.csv"),
           ("a folder", folder / "a_folder")]
    if os.geteuid() == 0:  # a character device like /dev/full, made here rather than touching /dev
        os.mknod(folder / "device.pdf", 0o666 | stat.S_IFCHR, os.makedev(1, 7))
        out.append(("a character device", folder / "device.pdf"))
    return out


def test_special_files_are_refused_and_left_as_they_are(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    targets = _special_destinations(folder)
    before = _listing(folder)
    for kind, target in targets:
        with pytest.raises(InputError) as err:
            files.write_bytes(target, b"x", field="--out")
        text = str(err.value)
        assert str(target) in text and "argument --out" in text, text
        assert f"is {kind}" in text and "refusing to replace it" in text, text
        with pytest.raises(InputError):
            files.check_destination(target)
    assert _listing(folder) == before  # devices, links, the FIFO, the linked file: unchanged


def test_a_system_device_is_refused_before_anything_is_written():
    with pytest.raises(InputError, match="is a character device"):
        files.check_destination("/dev/null")


def test_a_missing_folder_is_refused_not_created(tmp_path):
    with pytest.raises(InputError) as err:
        files.write_bytes(tmp_path / "no" / "such" / "out.xlsx", b"x", field="--xlsx")
    assert "the folder" in str(err.value) and "does not exist" in str(err.value) and "--xlsx" in str(err.value)
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="is not a folder"):
        files.write_bytes(tmp_path / "file" / "out.xlsx", b"x")


def test_a_folder_that_cannot_be_written_is_refused_and_unchanged():
    before = _mode("/proc")
    with pytest.raises(InputError, match="cannot write here"):
        files.write_bytes("/proc/x.gpkg", b"x")
    assert _mode("/proc") == before


def test_no_new_file_over_an_existing_one(tmp_path):
    target = tmp_path / "platform.gpkg"
    target.write_bytes(b"a store")
    with pytest.raises(InputError, match="already exists"):
        files.write_bytes(target, b"another", replace=False)
    assert target.read_bytes() == b"a store"


def test_a_full_disk_is_exit_3_and_leaves_nothing(tmp_path):
    def full(tmp: Path) -> None:
        tmp.write_bytes(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")
    with pytest.raises(DiskFullError) as err:
        files.write_file(tmp_path / "big.zip", full)
    assert err.value.exit_code == 2 and "no space left" in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_make_folder_creates_owner_only_and_never_changes_an_existing_one(tmp_path):
    existing = tmp_path / "existing"
    existing.mkdir()
    os.chmod(existing, 0o755)
    made = files.make_folder(existing / "a" / "b")
    assert _mode(existing) == 0o755 and _mode(existing / "a") == 0o700 and _mode(made) == 0o700
    files.make_folder(existing)
    assert _mode(existing) == 0o755
    (tmp_path / "f").write_text("x")
    with pytest.raises(InputError, match="not a folder"):
        files.make_folder(tmp_path / "f")


def test_build_folders_of_dead_processes_are_removed_live_ones_kept(tmp_path):
    dead = unused_pid()
    prefix = ".out.csv.partial-"
    stale, live, foreign = tmp_path / f"{prefix}dead", tmp_path / f"{prefix}live", tmp_path / ".other.partial-x"
    for folder, pid in ((stale, dead), (live, os.getppid()), (foreign, dead)):
        folder.mkdir()
        (folder / files.OWNER_FILE).write_text(str(pid))
    files.write_text(tmp_path / "out.csv", "x")
    assert not stale.exists() and live.exists() and foreign.exists()


def test_the_lock_file_is_never_followed_through_a_link(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("x")
    os.symlink(victim, tmp_path / ".users.lock")
    with pytest.raises(InputError, match="symbolic link"):
        files.open_lock(tmp_path / ".users.lock")
    fd = files.open_lock(tmp_path / "real.lock")
    os.close(fd)
    assert _mode(tmp_path / "real.lock") == 0o600


def test_an_open_store_file_is_said_not_changed(gpkg_store, caplog):
    from restoration import ensure_store
    os.chmod(gpkg_store.path, 0o644)
    os.chmod(gpkg_store.data_dir, 0o755)
    files._WARNED.clear()
    with caplog.at_level(logging.WARNING, logger="restoration.files"):
        ensure_store(gpkg_store.data_dir)
    assert _mode(gpkg_store.path) == 0o644 and _mode(gpkg_store.data_dir) == 0o755
    assert "open to other users (mode 644)" in caplog.text and "chmod 600" in caplog.text
