"""The one safe-save path: every kind of target, every kind of failure, one file or a set.

Each check runs through all three doors of ``engine.data.atomic`` (one file, a named path for a
program such as FFmpeg, a set of files written all or nothing). A full or read-only disk is a
real tiny tmpfs when this process may mount one (root on Linux), and is simulated otherwise; the
simulated variants always run, so a skipped mount never hides a missing feature.
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from engine.data import atomic
from engine.data.atomic import atomic_path, atomic_write, atomic_write_all
from engine.errors import SaveError

OLD = b"the old file, which must survive"
NEW = b"new" * 50_000  # 150 kB: more than the small disk holds


def through_write(path: Path, data: bytes = NEW) -> None:
    """Save ``data`` with atomic_write."""
    atomic_write(path, lambda file: file.write(data))


def through_path(path: Path, data: bytes = NEW) -> None:
    """Save ``data`` the way FFmpeg does: a program writes the named temporary file."""
    with atomic_path(path) as temp, open(temp, "wb") as file:  # stands for FFmpeg
        file.write(data)
        file.flush()
        os.fsync(file.fileno())


def through_set(path: Path, data: bytes = NEW) -> None:
    """Save ``data`` as the second file of a set of two (the first a new file beside it)."""
    atomic_write_all(
        [(path.parent / "companion.txt", lambda f: f.write(b"1")), (path, lambda f: f.write(data))]
    )


SAVES = {"write": through_write, "path": through_path, "set": through_set}


@pytest.fixture(params=list(SAVES))
def save(request) -> Callable[[Path], None]:
    return SAVES[request.param]


def leftovers(folder: Path, failed: bool = True) -> list[str]:
    """Return the temporary (or backup) files a save left in ``folder``, and a set's first file.

    A set that failed must not have written its first file either.
    """
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith((".tmp", ".old")))
    return (
        names
        if not failed
        else [*names, *(["companion.txt"] if (folder / "companion.txt").exists() else [])]
    )


def mount_tmpfs(folder: Path, options: str) -> None:
    """Mount a tmpfs on ``folder``, or skip the test (this variant) when mounting is not allowed."""
    folder.mkdir(exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode().strip()}); simulated below")


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 64 kB filesystem holding an old file and then filled to the last byte."""
    disk = tmp_path / "full"
    mount_tmpfs(disk, "size=64k")
    try:
        (disk / "old.bin").write_bytes(OLD)
        with open(disk / "filler", "wb", buffering=0) as filler, pytest.raises(OSError):
            while True:
                filler.write(b"x" * 4096)
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


@pytest.fixture
def read_only_disk(tmp_path: Path) -> Iterator[Path]:
    """A real read-only filesystem (root ignores file modes, not a read-only mount)."""
    disk = tmp_path / "ro"
    mount_tmpfs(disk, "size=64k")
    try:
        (disk / "old.bin").write_bytes(OLD)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_fifo_a_device_and_a_folder_are_refused_and_kept(save, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.gif"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.gif"
    folder.mkdir()
    for target, words in ((fifo, "not a regular file"), (Path("/dev/null"), "not a regular file"),
                          (folder, "is a folder")):  # fmt: skip
        with pytest.raises(SaveError, match=words) as caught:
            save(target)
        assert str(target) in str(caught.value)
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and folder.is_dir() and not list(folder.iterdir())
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert leftovers(tmp_path) == []


def test_a_symlink_is_written_through_and_stays_a_link(save, tmp_path: Path) -> None:
    real = tmp_path / "real" / "old.gif"
    real.parent.mkdir()
    real.write_bytes(OLD)
    real.chmod(0o640)
    link = tmp_path / "link.gif"
    link.symlink_to(real)
    dangling = tmp_path / "dangling.gif"
    dangling.symlink_to(tmp_path / "real" / "not-yet.gif")
    save(link, b"replaced")
    save(dangling, b"created")
    assert link.is_symlink() and real.read_bytes() == b"replaced"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640  # the replaced file keeps its mode
    assert dangling.is_symlink() and dangling.read_bytes() == b"created"
    assert leftovers(tmp_path, failed=False) == [] and leftovers(real.parent) == []


def test_names_and_folders_that_cannot_be_are_refused_with_their_reason(save, tmp_path) -> None:
    cases = {
        tmp_path / "missing" / "step.mp4": "does not exist",
        tmp_path / ("x" * 300 + ".mp4"): "too long",
        tmp_path / "dangling-into-nowhere.mp4": "does not exist",
    }
    (tmp_path / "dangling-into-nowhere.mp4").symlink_to(tmp_path / "gone" / "x.mp4")
    for target, words in cases.items():
        with pytest.raises(SaveError, match=words):
            save(target)
    assert leftovers(tmp_path) == []


def test_a_full_disk_keeps_the_old_file_and_leaves_nothing(save, full_disk: Path) -> None:
    old = full_disk / "old.bin"
    with pytest.raises(SaveError, match="disk is full"):
        save(old)
    assert old.read_bytes() == OLD and leftovers(full_disk) == []


def test_a_full_disk_simulated_keeps_the_old_file_and_leaves_nothing(
    save, tmp_path: Path, monkeypatch
) -> None:
    old = tmp_path / "old.bin"
    old.write_bytes(OLD)

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(SaveError, match="disk is full"):
        save(old)
    assert old.read_bytes() == OLD and leftovers(tmp_path) == []


def test_a_symlink_into_a_full_disk_stays_a_link_to_the_untouched_file(
    save, tmp_path: Path, full_disk: Path
) -> None:
    link = tmp_path / "link.bin"
    link.symlink_to(full_disk / "old.bin")
    with pytest.raises(SaveError, match="disk is full"):
        save(link)
    assert link.is_symlink() and link.read_bytes() == OLD and leftovers(full_disk) == []


def test_a_read_only_disk_says_so_and_keeps_the_old_file(save, read_only_disk: Path) -> None:
    with pytest.raises(SaveError, match="read-only"):
        save(read_only_disk / "old.bin")
    assert (read_only_disk / "old.bin").read_bytes() == OLD


def test_a_read_only_folder_simulated_says_so_and_keeps_the_old_file(
    save, tmp_path: Path, monkeypatch
) -> None:
    old = tmp_path / "old.bin"
    old.write_bytes(OLD)

    def read_only(**_kwargs) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(atomic.tempfile, "mkstemp", read_only)
    with pytest.raises(SaveError, match="Read-only file system"):
        save(old)
    assert old.read_bytes() == OLD and leftovers(tmp_path) == []


def test_ctrl_c_or_cancel_while_writing_keeps_the_old_file(tmp_path: Path) -> None:
    old = tmp_path / "old.mp4"
    old.write_bytes(OLD)

    class CancelledError(Exception):
        pass

    for stop in (KeyboardInterrupt, CancelledError):

        def half(file, stop=stop) -> None:
            file.write(b"half a video")
            raise stop

        with pytest.raises(stop):
            atomic_write(old, half, interruptible=True)
        with pytest.raises(stop), atomic_path(old) as temp:
            temp.write_bytes(b"half a video")
            raise stop
        with pytest.raises(stop):
            atomic_write_all([(tmp_path / "a.new", lambda f: f.write(b"a")), (old, half)])
        assert old.read_bytes() == OLD and leftovers(tmp_path) == []
        assert not (tmp_path / "a.new").exists()


def test_a_set_is_written_all_or_nothing(tmp_path: Path, monkeypatch) -> None:
    names = [tmp_path / f"icon{n}.png" for n in range(4)]
    names[1].write_bytes(OLD)

    def writes(fail_at: int) -> list:
        def write(n: int):
            def put(file) -> None:
                if n == fail_at:
                    raise OSError(errno.ENOSPC, "No space left on device")
                file.write(b"new %d" % n)

            return put

        return [(name, write(n)) for n, name in enumerate(names)]

    with pytest.raises(SaveError, match="disk is full"):
        atomic_write_all(writes(fail_at=3))
    assert [p.exists() for p in names] == [False, True, False, False]
    assert names[1].read_bytes() == OLD and leftovers(tmp_path) == []
    # A rename that fails part way puts back what the earlier ones replaced.
    renames = []
    real_replace = os.replace

    def replace(src, dst) -> None:
        if str(dst) == str(names[2]):
            raise OSError(errno.EIO, "Input/output error")
        if str(src).endswith(".tmp"):
            renames.append(dst)
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace)
    with pytest.raises(SaveError, match="Input/output error"):
        atomic_write_all(writes(fail_at=-1))
    assert len(renames) == 2
    assert [p.exists() for p in names] == [False, True, False, False]
    assert names[1].read_bytes() == OLD and leftovers(tmp_path) == []
    monkeypatch.undo()
    atomic_write_all(writes(fail_at=-1))
    assert [p.read_bytes() for p in names] == [b"new %d" % n for n in range(4)]
    assert leftovers(tmp_path) == []
