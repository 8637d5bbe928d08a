"""Ctrl+C, SIGTERM and SIGHUP: held until a moment where stopping is safe, then 128 + the signal.

Python runs a signal's handler in the main thread between any two bytecodes: in the middle of
an import (PySide6's start-up then aborts the process), of a Qt slot (PySide prints the
KeyboardInterrupt and carries on, so the Ctrl+C is lost) or of a wait while the training thread
runs (the interpreter then exits under a live QThread and aborts). ``hold`` makes the signals
only be noted; the code that can stop asks ``held`` or calls ``check`` where stopping is safe.
"""

from __future__ import annotations

import signal

STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)

_held: list[int] = []  # the first stop signal that arrived while held


class Stopped(KeyboardInterrupt):
    """Ctrl+C, SIGTERM or SIGHUP arrived; ``signum`` says which."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(signum)
        self.signum = signum


def _note(signum: int, frame: object) -> None:
    """Keep the first stop signal for ``held``; do nothing else (it may run anywhere)."""
    if not _held:
        _held.append(signum)


def hold() -> dict[int, object]:
    """From now on, a stop signal is only noted, to be acted on where ``held`` is asked.

    Returns the handlers it replaced, for ``release``.
    """
    return {sig: signal.signal(sig, _note) for sig in STOP_SIGNALS}


def release(previous: dict[int, object]) -> None:
    """Put back the handlers ``hold`` replaced and forget a noted signal."""
    for sig, handler in previous.items():
        signal.signal(sig, handler)
    _held.clear()


def too_late() -> None:
    """Ignore stop signals from now on: the program has its exit status and is only exiting.

    Python puts back the default handlers while it shuts down, so a Ctrl+C in the last moments
    would kill a run that had finished and said so; an ignored signal stays ignored.
    """
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)


def held() -> int | None:
    """Return the stop signal noted since ``hold``, or None."""
    return _held[0] if _held else None


def check() -> None:
    """Raise ``Stopped`` if a stop signal has been noted."""
    if _held:
        raise Stopped(_held[0])


def message(signum: int) -> str:
    """Return what to say when a signal stopped the program: "interrupted" for Ctrl+C."""
    if signum == signal.SIGINT:
        return "interrupted"
    return f"stopped by {signal.Signals(signum).name}"
