"""A message the window shows in the status bar is read before a hover tip may take its place.

Qt shows a control's status tip the moment the mouse enters it, replacing the status bar's
message, and clears the bar when the mouse leaves. A menu that closes over the toolbar puts the
mouse over an edge-mode button without the learner moving it: "Kept run 1 for comparison." gave
way at once to "Edges show the change ...", as if the menu item had switched the edges. For
READ_MS after the window shows a message, hover tips are dropped; after that they work as usual.
"""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QEvent, QObject
from PySide6.QtGui import QStatusTipEvent
from PySide6.QtWidgets import QMainWindow

READ_MS = 4000  # long enough to read a one-line message


class StatusTipGate(QObject):
    """Keeps the window's own status-bar messages up for READ_MS against hover tips."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self._bar = window.statusBar()
        self._shown = QElapsedTimer()  # since the window's own message appeared
        self._tipping = False  # the bar is changing for a tip, not for the window
        self._bar.messageChanged.connect(self._on_message_changed)
        window.installEventFilter(self)

    def _on_message_changed(self, text: str) -> None:
        if self._tipping:
            return
        if text:
            self._shown.start()
        else:
            self._shown.invalidate()

    def reading(self) -> bool:
        """True while the window's own message is still new: hover tips are dropped."""
        return self._shown.isValid() and not self._shown.hasExpired(READ_MS)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Show a status tip as QMainWindow would, unless the window's message is still new."""
        if event.type() != QEvent.Type.StatusTip or not isinstance(event, QStatusTipEvent):
            return False
        if self.reading():
            return True  # dropped: the learner is reading what their action did
        self._tipping = True
        try:
            self._bar.showMessage(event.tip())
        finally:
            self._tipping = False
        return True
