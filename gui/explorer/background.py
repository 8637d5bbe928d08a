"""Explorer pages whose picture takes a moment (steps 9-11) make it off the GUI thread.

A picture over the whole training set takes 0.1 to 0.5 s of NumPy. Made on the GUI thread it
would freeze the window (and the Next button) for that long; here the page says what it is
computing, dims its old picture, and draws the new one when it arrives. Only the newest
request's answer is drawn: an older one, asked for a network or seed since replaced, is dropped.
"""

from __future__ import annotations

import atexit
import contextlib
from collections.abc import Callable

from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtWidgets import QWidget

from engine.errors import DivergenceError
from gui.explorer.state import ExplorerState
from gui.explorer.widgets import same_key

BUSY_OPACITY = 0.35  # the old picture, while the new one is made


def _pool() -> QThreadPool:
    """Return the explorer's one background thread (made on first use, waited for at exit)."""
    global _POOL
    if _POOL is None:
        _POOL = QThreadPool()
        _POOL.setMaxThreadCount(1)  # one picture at a time: the training thread needs a core
        _POOL.setExpiryTimeout(-1)
        atexit.register(_POOL.waitForDone)
    return _POOL


_POOL: QThreadPool | None = None


def wait_for_pictures(ms: int = -1) -> bool:
    """Wait until every picture asked for is made (the window calls this when it closes)."""
    return _POOL is None or _POOL.waitForDone(ms)


class _Relay(QObject):
    """Carries a finished picture from the background thread to its page (a queued signal)."""

    done = Signal(int, object)  # the request's ticket, its result or the exception it raised


class BackgroundPage(QWidget):
    """A page whose picture depends on the network, the training data and maybe a seed.

    The picture is made again only when one of those changes (``same_key``): ``compute`` with
    the request's key. ``draw_again`` draws from the next seed.
    """

    updated = Signal()  # a picture (or a failure) arrived: the panel makes room for its text

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: dict = {}
        self.seed = 0
        self._key: tuple | None = None  # what the picture shown was made from
        self._asked: tuple | None = None  # what the picture on its way is made from
        self._ticket = 0
        self._state: ExplorerState | None = None
        self._relay = _Relay(self)
        self._relay.done.connect(self._arrived)

    def busy(self) -> bool:
        """True while a picture is being made for this page."""
        return self._asked is not None

    def data_missing(self, text: str) -> None:
        """There is no training set to compute over: say so and forget the picture."""
        self.summary.setText(text)
        self.values, self._key, self._asked, self._state = {}, None, None, None
        self._ticket += 1  # a picture still on its way is for data no longer in use
        self._dim(False)
        self.forget_notes()

    def compute(
        self, state: ExplorerState, key: tuple, work: Callable[[], object], waiting: str
    ) -> None:
        """Make the picture for ``key`` with ``work`` in the background, unless it is in hand.

        ``work`` runs in another thread: it reads only frozen snapshots and read-only arrays.
        """
        self._state = state
        if same_key(self._asked if self._asked is not None else self._key, key):
            return
        self._ticket += 1
        ticket, relay = self._ticket, self._relay
        self._asked = key
        self.values = {}
        self.summary.setText(waiting)
        self.forget_notes()
        self._dim(True)

        def job() -> None:
            try:
                result = work()
            except Exception as exc:  # noqa: BLE001 - handed to the GUI thread, which says it
                result = exc
            with contextlib.suppress(RuntimeError):  # the page was closed: nobody to tell
                relay.done.emit(ticket, result)

        _pool().start(job)

    def draw_again(self) -> None:
        """Draw from the next seed and make the picture again."""
        self.seed += 1
        if self._state is not None:
            self.refresh(self._state)

    def _arrived(self, ticket: int, result: object) -> None:
        """Draw the newest request's picture (an older one is dropped) or say why it failed."""
        if ticket != self._ticket:
            return
        self._key, self._asked = self._asked, None
        self._dim(False)
        if isinstance(result, DivergenceError):
            self.summary.setText(f"Training diverged from here: {result}")
            self.values = {}
        elif isinstance(result, Exception):
            self.summary.setText(f"This picture could not be made: {result}")
            self.values = {}
        else:
            self.draw(result)
        self.updated.emit()

    def _dim(self, busy: bool) -> None:
        """Fade the old picture while the new one is made."""
        self.plot.getPlotItem().setOpacity(BUSY_OPACITY if busy else 1.0)

    def forget_notes(self) -> None:
        """Clear any other sentence about the picture (it would state the old one's numbers)."""

    def draw(self, result) -> None:  # noqa: ANN001 - each page's own result
        """Draw ``result`` and write the sentence from the same values (each page's own)."""
        raise NotImplementedError
