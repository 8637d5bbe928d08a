"""Atomic saves: check the target first, write a temporary file beside it, then rename it over.

Every file Backprop Lab writes for the user (models, kept and dropped runs, "my digits", the CSV,
PNG, SVG, GIF and MP4 exports, the desktop entry and its icons) goes through this module:
``atomic_write`` for one file, ``atomic_write_all`` for a set written all or nothing, and
``atomic_path`` for a program that writes a named file itself (FFmpeg). A test scans the sources
so that no other module writes a user's file any other way.
A crash or a full disk leaves the previous file intact; SIGINT, SIGTERM and SIGHUP arriving
mid-save are held until the rename is done or the temporary file is gone, so no signal leaves a
temporary file behind. A symlink is written through to its target, a replaced file keeps its
permissions, and anything but a regular file (a folder, a device, a FIFO) is refused.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from engine.errors import SaveError

HELD_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)
TEMP_NAME_CHARS = 200  # of the target's name in the temporary's: ".<name>.<random>.tmp" <= 255


def check_target(path: str | os.PathLike[str]) -> Path:
    """Return the real file a save to ``path`` would write, or raise SaveError naming ``path``.

    A symlink resolves to its target; a missing file is fine if its folder exists and is
    writable; an existing one must be a regular file.
    """
    text = os.fspath(path)
    if not text.strip():
        raise SaveError("the file name to save to is empty")
    shown = text
    target = Path(os.path.realpath(text))
    try:
        info = target.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise SaveError(f"cannot save to {shown}: {exc.strerror or exc}") from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise SaveError(f"cannot save to {shown}: it is a folder, not a file")
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise SaveError(f"cannot save to {shown}: it is not a regular file (a device or a pipe)")
    folder = target.parent
    if not folder.is_dir():
        raise SaveError(f"cannot save to {shown}: the folder {folder} does not exist")
    if len(os.fsencode(target.name)) > 255:
        raise SaveError(f"cannot save to {shown}: the file name is longer than 255 bytes")
    if not os.access(folder, os.W_OK | os.X_OK):
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            raise SaveError(f"cannot save to {shown}: the folder {folder} is on a read-only disk")
        raise SaveError(f"cannot save to {shown}: the folder {folder} is not writable")
    return target


@contextlib.contextmanager
def held_signals() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP until the block ends, then deliver any that arrived.

    Only the main thread may set handlers; elsewhere the block runs unprotected.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived: list[int] = []
    previous = {sig: signal.getsignal(sig) for sig in HELD_SIGNALS}
    for sig in HELD_SIGNALS:
        signal.signal(sig, lambda signum, frame: arrived.append(signum))
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
        for sig in dict.fromkeys(arrived):
            signal.raise_signal(sig)


def _new_file_mode() -> int:
    """Return the mode a new file gets under the process's umask (0644 under umask 022)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _reason(exc: OSError) -> str:
    """Return why an OSError happened, in words (a full disk named as such)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full"
    return exc.strerror or str(exc)


def _make_temp(target: Path, shown: str) -> Path:
    """Create an empty temporary file beside ``target`` (mode 0600) and return its path."""
    try:
        handle, temp = tempfile.mkstemp(
            prefix=f".{target.name[:TEMP_NAME_CHARS]}.", suffix=".tmp", dir=target.parent
        )
    except OSError as exc:
        raise SaveError(f"cannot save to {shown}: {_reason(exc)}") from None
    os.close(handle)
    return Path(temp)


def _commit(temp: Path, target: Path) -> None:
    """Give ``temp`` the replaced file's owner and mode (or a new file's), then rename it over."""
    try:
        info = target.stat()
    except FileNotFoundError:
        os.chmod(temp, _new_file_mode())
    else:
        if (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()):
            with contextlib.suppress(OSError):  # only root may give a file away
                os.chown(temp, info.st_uid, info.st_gid)
        os.chmod(temp, stat.S_IMODE(info.st_mode))
    os.replace(temp, target)


def _write_file(temp: Path, write: Callable[[BinaryIO], None]) -> None:
    """Call ``write`` on ``temp`` opened for writing, then flush it to the disk."""
    with open(temp, "wb") as file:
        write(file)
        file.flush()
        os.fsync(file.fileno())


def _failed(exc: BaseException, shown: str) -> BaseException:
    """Return the error to raise for ``exc``: an OSError becomes a SaveError naming ``shown``."""
    if isinstance(exc, OSError) and not isinstance(exc, SaveError):
        return SaveError(f"could not save {shown}: {_reason(exc)}")
    return exc


@contextlib.contextmanager
def _replacing(target: Path, shown: str, interruptible: bool) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` if the block succeeds.

    On any failure, Cancel or Ctrl+C the temporary file is removed and ``target`` is untouched.
    """
    with contextlib.ExitStack() as stack:
        if not interruptible:
            stack.enter_context(held_signals())
        with held_signals():
            temp = _make_temp(target, shown)
        try:
            yield temp
            with held_signals():
                _commit(temp, target)
        except BaseException as exc:
            with held_signals():
                temp.unlink(missing_ok=True)
            error = _failed(exc, shown)
            if error is exc:
                raise
            raise error from None


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], interruptible: bool = True) -> Iterator[Path]:
    """Check ``path``, then yield a temporary file's path for a writer that needs a name.

    For programs that write a file themselves (FFmpeg): the block writes the yielded path, and
    when it ends without an error the file is renamed over ``path``'s real target. A failure,
    a cancel or Ctrl+C (``interruptible``: signals are not held while the block runs) removes
    the temporary file and leaves the target as it was.
    """
    with _replacing(check_target(path), os.fspath(path), interruptible) as temp:
        yield temp


def atomic_write(
    path: str | os.PathLike[str], write: Callable[[BinaryIO], None], interruptible: bool = False
) -> Path:
    """Call ``write(file)`` on a temporary file, then rename it over ``path``; return the target.

    Raises SaveError naming ``path`` (never the temporary file) when the target is refused or
    the write fails; the previous file is then unchanged. ``interruptible`` lets Ctrl+C stop a
    long write (an export), which then also leaves the previous file unchanged.
    """
    target = check_target(path)
    with _replacing(target, os.fspath(path), interruptible) as temp:
        _write_file(temp, write)
    return target


def atomic_write_all(
    files: Sequence[tuple[str | os.PathLike[str], Callable[[BinaryIO], None]]],
) -> list[Path]:
    """Write a set of files all or nothing: every one is written before any is replaced.

    Every target is checked first; a failure while writing removes every temporary file, and
    a failure while renaming puts back the files already replaced. Returns the targets.
    """
    targets = [check_target(path) for path, _write in files]
    temps: list[Path] = []
    with held_signals():
        try:
            for (path, write), target in zip(files, targets, strict=True):
                temps.append(_make_temp(target, os.fspath(path)))
                _write_file(temps[-1], write)
            _commit_all(temps, targets)
        except BaseException as exc:
            for temp in temps:
                temp.unlink(missing_ok=True)
            error = _failed(exc, os.fspath(files[len(temps) - 1][0]) if temps else "")
            if error is exc:
                raise
            raise error from None
    return targets


def _commit_all(temps: list[Path], targets: list[Path]) -> None:
    """Rename every temporary file over its target; on a failure restore the ones done."""
    backups: list[Path | None] = []
    for temp, target in zip(temps, targets, strict=True):
        backup = temp.with_suffix(".old")
        try:
            os.link(target, backup)  # a second name for the old file, to restore it
        except OSError:
            backup = None
        backups.append(backup)
    done = 0
    try:
        for temp, target in zip(temps, targets, strict=True):
            _commit(temp, target)
            done += 1
    except BaseException:
        for backup, target in reversed(list(zip(backups[:done], targets[:done], strict=True))):
            with contextlib.suppress(OSError):
                if backup is not None:
                    os.replace(backup, target)
                else:
                    target.unlink()
        raise
    finally:
        for backup in backups:
            if backup is not None:
                backup.unlink(missing_ok=True)
