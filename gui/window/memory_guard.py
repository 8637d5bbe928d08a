"""The last resort against running out of memory: a message in the window instead of a crash."""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import TracebackType

from gui.window.failure_banner import FailureBanner

MESSAGE = (
    "Out of memory: that action needed more memory than this computer could give, and was "
    "abandoned. The network and data in use are unchanged; try a smaller network or dataset."
)

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


def install_memory_guard(banner: FailureBanner) -> ExceptHook:
    """Show a MemoryError escaping any slot in ``banner``; other errors go to the previous hook.

    Qt calls ``sys.excepthook`` for an exception raised in a slot and then carries on, so the
    app keeps running. Returns the previous hook, for ``sys.excepthook = previous`` to undo it.
    """
    previous = sys.excepthook

    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        if issubclass(kind, MemoryError):
            banner.show_failure(MESSAGE, offer_lower_rate=False)
            return
        previous(kind, error, trace)

    sys.excepthook = hook
    return previous
