"""One way to make a window action: its text, slot, shortcut and tip in one call."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


def add_action(
    owner: QObject,
    text: str,
    slot: Callable[[], object],
    shortcut: str | None = None,
    tip: str = "",
) -> QAction:
    """Create an action with an optional shortcut and a tooltip, owned by ``owner``.

    A widget owner also takes the action, so its key works there; an action owned by a plain
    object (the window's menus, the step player) works once the window adds it to itself.
    """
    action = QAction(text, owner)
    action.triggered.connect(lambda _=False: slot())
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setToolTip(tip)
        action.setStatusTip(tip)
    if isinstance(owner, QWidget):
        owner.addAction(action)
    return action
