"""Atomic saves: check the target first, write a temporary file beside it, then rename it over.

Every save in Backprop Lab (models, "my digits", the history CSV) goes through ``atomic_write``.
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
from collections.abc import Callable, Iterator
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


def atomic_write(path: str | os.PathLike[str], write: Callable[[BinaryIO], None]) -> Path:
    """Call ``write(file)`` on a temporary file, then rename it over ``path``; return the target.

    Raises SaveError naming ``path`` (never the temporary file) when the target is refused or
    the write fails; the previous file is then unchanged.
    """
    target = check_target(path)
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = _new_file_mode()
    with held_signals():
        try:
            handle, temp = tempfile.mkstemp(
                prefix=f".{target.name[:TEMP_NAME_CHARS]}.", suffix=".tmp", dir=target.parent
            )
        except OSError as exc:
            raise SaveError(f"cannot save to {os.fspath(path)}: {exc.strerror or exc}") from None
        try:
            with os.fdopen(handle, "wb") as file:
                write(file)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temp, mode)  # mkstemp made it 0600; a replaced file keeps its own mode
            os.replace(temp, target)
        except BaseException as exc:
            Path(temp).unlink(missing_ok=True)
            if isinstance(exc, OSError):
                reason = "the disk is full" if exc.errno == errno.ENOSPC else exc.strerror or exc
                raise SaveError(f"could not save {os.fspath(path)}: {reason}") from None
            raise
    return target
