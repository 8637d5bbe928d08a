"""One way to make a window action: its text, slot, shortcut and tip in one call."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow


def add_action(
    window: QMainWindow,
    text: str,
    slot: Callable[[], object],
    shortcut: str | None = None,
    tip: str = "",
) -> QAction:
    """Create a window action with an optional shortcut and a tooltip."""
    action = QAction(text, window)
    action.triggered.connect(lambda _=False: slot())
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setToolTip(tip)
        action.setStatusTip(tip)
    window.addAction(action)
    return action
