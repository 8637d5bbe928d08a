"""The standard streams when the shell closed them (``>&-``) or they cannot take more (a full disk).

A closed stdout is not a place to send results to: writing to it raises ``OutputError``, and a
command that prints its results refuses to start (exit 2, one line), as a full disk makes it
stop. A closed stderr becomes /dev/null (the program says its problems, unheard). Either way
the closed descriptors 0, 1 and 2 are filled with /dev/null first, so that no file the program
opens later takes their number and receives what C libraries print.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys

CLOSED_MESSAGE = (
    "the output (stdout) is closed, so nothing printed could be seen "
    "(send it to /dev/null to discard it)"
)


class OutputError(OSError):
    """Stdout could not take what was printed; ``strerror`` is the one line that says why."""


class ClosedOutput(io.TextIOBase):
    """The stand-in for a closed stdout: every write raises ``OutputError``."""

    def writable(self) -> bool:
        """A closed stdout takes writes only to refuse them."""
        return True

    def write(self, text: str) -> int:
        """Refuse: there is nowhere to put ``text``."""
        raise OutputError(errno.EBADF, CLOSED_MESSAGE)

    def isatty(self) -> bool:
        """Not a terminal."""
        return False


class Output(io.TextIOBase):
    """A text stream whose failed writes and flushes raise ``OutputError`` saying why."""

    def __init__(self, stream) -> None:
        super().__init__()
        self.stream = stream

    def writable(self) -> bool:
        """An output takes writes."""
        return True

    def write(self, text: str) -> int:
        """Write ``text``, or raise ``OutputError``."""
        try:
            return self.stream.write(text)
        except OutputError:
            raise
        except (OSError, ValueError) as exc:
            raise output_error(exc) from exc

    def flush(self) -> None:
        """Flush, or raise ``OutputError``."""
        try:
            self.stream.flush()
        except OutputError:
            raise
        except (OSError, ValueError) as exc:
            raise output_error(exc) from exc

    def isatty(self) -> bool:
        """Whether the stream is a terminal."""
        try:
            return self.stream.isatty()
        except (AttributeError, OSError, ValueError):
            return False


def _is_open(fd: int) -> bool:
    """Whether file descriptor ``fd`` is open."""
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def open_closed_streams() -> None:
    """Fill closed descriptors 0-2 with /dev/null; a closed stdout refuses writes, stderr sinks."""
    for fd in (0, 1, 2):
        if not _is_open(fd):
            spare = os.open(os.devnull, os.O_RDWR)
            if spare != fd:
                os.dup2(spare, fd)
                os.close(spare)
    if sys.stdout is None:
        sys.stdout = ClosedOutput()
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process


def stdout_closed() -> bool:
    """Whether the shell closed stdout (``>&-``)."""
    return isinstance(sys.stdout, ClosedOutput)


def refuse_closed_stdout() -> None:
    """Raise ``OutputError`` if stdout is closed: a command that prints refuses to start."""
    if stdout_closed():
        raise OutputError(errno.EBADF, CLOSED_MESSAGE)


def output_error(exc: OSError | ValueError) -> OutputError:
    """Return the ``OutputError`` for a failed write or flush of stdout."""
    if isinstance(exc, OutputError):
        return exc
    if isinstance(exc, BrokenPipeError):
        reason = "the output was closed before everything was written"
    elif isinstance(exc, OSError):
        reason = f"could not write the output: {exc.strerror or exc}"
    else:  # ValueError: a stream closed inside the program
        reason = "could not write the output: it was closed"
    return OutputError(getattr(exc, "errno", None) or errno.EIO, reason)


def print_out(text: str) -> None:
    """Print a line of results on stdout, flushed; raise ``OutputError`` if it cannot be."""
    out = Output(sys.stdout)
    out.write(text + "\n")
    out.flush()


def drop_output() -> None:
    """Point stdout at /dev/null, so what it still holds cannot fail again at exit."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
