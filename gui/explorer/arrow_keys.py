"""Left and Right move the explorer's step while it is shown, whatever control has the focus.

A control clicked with the mouse keeps the keyboard focus, and most controls spend the arrow
keys on themselves: a button moves the focus to its neighbour, a slider its handle, a table its
current cell, a scroll area its view, and the window's Step mini-batch (also Right) would train.
A learner pressing Right after clicking Next, a slider or a table expects the next step, so while
the explorer is shown an application event filter takes plain Left and Right before the focused
control sees them. A text input keeps them (they move its cursor), and so does a tab bar, which
only the Tab key focuses and whose arrows choose the tab.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)

STEPS = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1}
PLAIN = (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)


def keeps_arrows(widget: QWidget | None) -> bool:
    """Return True if ``widget``, focused, needs Left and Right itself: text input or a tab bar."""
    if isinstance(widget, QTextEdit | QPlainTextEdit):
        return not widget.isReadOnly()
    return isinstance(widget, QLineEdit | QAbstractSpinBox | QTabBar)


class ArrowKeys(QObject):
    """Steps ``panel`` by ``move(+1 or -1)`` on Left and Right pressed anywhere in its window."""

    def __init__(self, panel: QWidget, move: Callable[[int], None]) -> None:
        super().__init__(panel)
        self._panel = panel
        self._move = move
        self._watching = False

    def watch(self, on: bool) -> None:
        """Start (the panel was shown) or stop (hidden) taking the arrow keys."""
        app = QApplication.instance()
        if app is None or on == self._watching:
            return
        if on:
            app.installEventFilter(self)
        else:
            app.removeEventFilter(self)
        self._watching = on

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Take plain Left and Right in the panel's window, unless a text input has the focus."""
        kind = event.type()
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        if not isinstance(watched, QWidget) or event.key() not in STEPS:
            return False
        if event.modifiers() not in PLAIN or not self._panel.isVisible():
            return False
        if watched.window() is not self._panel.window():
            return False  # a dialog or an open menu keeps its keys
        if keeps_arrows(watched) or keeps_arrows(QApplication.focusWidget()):
            return False
        event.accept()  # an accepted override: no window shortcut takes the key
        if kind == QEvent.Type.KeyPress:
            self._move(STEPS[event.key()])
        return True
