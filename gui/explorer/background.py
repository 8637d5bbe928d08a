"""Explorer pages whose picture takes a moment (steps 9-11) make it off the GUI thread.

A picture over the whole training set takes 0.1 to 0.5 s of NumPy. Made on the GUI thread it
would freeze the window (and the Next button) for that long; here the page says what it is
computing, dims its old picture, and draws the new one when it arrives. Only the newest
request's answer is drawn: an older one, asked for a network or seed since replaced, is dropped.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from engine.errors import DivergenceError
from gui.background import Job, submit
from gui.explorer.state import ExplorerState
from gui.explorer.widgets import same_key

BUSY_OPACITY = 0.35  # the old picture, while the new one is made


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
        self._job: Job | None = None
        self._state: ExplorerState | None = None

    def busy(self) -> bool:
        """True while a picture is being made for this page."""
        return self._asked is not None

    def data_missing(self, text: str) -> None:
        """There is no training set to compute over: say so and forget the picture."""
        self.summary.setText(text)
        self.values, self._key, self._asked, self._state = {}, None, None, None
        self._drop_job()  # a picture still on its way is for data no longer in use
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
        self._drop_job()  # an older request's picture is never drawn
        self._asked = key
        self.values = {}
        self.summary.setText(waiting)
        self.forget_notes()
        self._dim(True)
        self._job = submit(lambda _job: work(), parent=self)
        self._job.succeeded.connect(self._arrived)
        self._job.failed.connect(self._arrived)

    def _drop_job(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self._job = None

    def draw_again(self) -> None:
        """Draw from the next seed and make the picture again."""
        self.seed += 1
        if self._state is not None:
            self.refresh(self._state)

    def _arrived(self, result: object) -> None:
        """Draw the newest request's picture (older ones were cancelled) or say why it failed."""
        self._job = None
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
