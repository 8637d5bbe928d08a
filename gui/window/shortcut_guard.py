"""Keeps the focused control's own keys: a window shortcut never overrides the widget in focus.

Qt offers a key to the window's shortcuts before the focused widget sees it, so with a button
focused Space would run training instead of pressing the button, and with a slider focused the
arrow keys would step the network instead of moving the slider. The guard watches Qt's
ShortcutOverride event and, when the focused widget uses the key itself, accepts the event: Qt
then delivers the key to that widget instead of firing the shortcut.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)

K = Qt.Key
ARROWS = {K.Key_Left, K.Key_Right, K.Key_Up, K.Key_Down}
PAGING = {K.Key_PageUp, K.Key_PageDown, K.Key_Home, K.Key_End}
TEXT_NAVIGATION = ARROWS | PAGING | {K.Key_Backspace, K.Key_Delete}
COMMAND = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)


def widget_uses_key(widget: QWidget, event: QKeyEvent) -> bool:
    """Return True if ``widget``, focused, would act on the key of ``event`` itself."""
    key = event.key()
    modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    plain = modifiers == Qt.KeyboardModifier.NoModifier
    command = bool(modifiers & COMMAND)
    if isinstance(widget, QLineEdit | QAbstractSpinBox | QTextEdit | QPlainTextEdit):
        editable = not getattr(widget, "isReadOnly", lambda: False)()
        return (editable and not command) or key in TEXT_NAVIGATION
    if isinstance(widget, QAbstractButton):  # one of a group (Teach it's digits): arrows too
        group = widget.group() is not None and widget.group().exclusive()
        moves = (group or widget.autoExclusive()) and key in ARROWS
        return plain and (key in (K.Key_Space, K.Key_Select) or moves)
    if isinstance(widget, QComboBox):
        return plain and key in ({K.Key_Space, K.Key_Up, K.Key_Down} | PAGING)
    if isinstance(widget, QAbstractSlider):
        return plain and key in (ARROWS | PAGING)
    if isinstance(widget, QTabBar):
        return plain and key in (K.Key_Left, K.Key_Right)
    if isinstance(widget, QAbstractItemView):
        return plain and key in (ARROWS | PAGING | {K.Key_Space})
    return False


class ShortcutGuard(QObject):
    """An application event filter that lets the focused control of ``window`` keep its keys."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        QApplication.instance().installEventFilter(self)
        window.destroyed.connect(self.remove)

    def remove(self) -> None:
        """Stop watching the keyboard."""
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Accept ShortcutOverride for keys the focused widget of this window uses."""
        if event.type() != QEvent.Type.ShortcutOverride or not isinstance(watched, QWidget):
            return False
        if watched.window() is not self._window:
            return False
        if widget_uses_key(watched, event):
            event.accept()  # the key goes to the widget, not to a shortcut
            return True
        return False
