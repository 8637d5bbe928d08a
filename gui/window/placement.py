"""Where the main window opens: most of the screen on a first launch, the user's layout after.

A first launch opens centred on 92% of the available screen, maximised on a small one (under
1600x1000). Later launches restore the window's own normal rectangle (Qt's ``restoreGeometry``
refuses one saved on a larger screen), shrunk and moved onto the screen it opens on.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRect, QSize, Qt
from PySide6.QtWidgets import QMainWindow

from gui.settings_reader import SettingsReader

SCREEN_USE = 0.92  # a first launch takes this much of a large screen, centred
SMALL_SCREEN = QSize(1600, 1000)  # on a screen smaller than this it is maximised


class WindowPlacement:
    """Places one main window on its screen and remembers where the user left it."""

    def __init__(self, window: QMainWindow, settings: SettingsReader) -> None:
        self.window = window
        self.settings = settings
        self._on_show = ""  # "centre" or "clamp": place again once shown, the frame known

    def restore(self) -> None:
        """Put the window where the last session left it, or where a first launch should."""
        rect = self.settings.value("window/rect")
        geometry = self.settings.value("window/geometry")
        if isinstance(rect, QRect) and rect.isValid():
            self.window.setGeometry(rect)
            self.clamp_to_screen()
            if self.settings.value("window/maximized"):
                self._maximise()
        elif isinstance(geometry, QByteArray) and self.window.restoreGeometry(geometry):
            self.clamp_to_screen()
        else:
            self.first_launch()

    def first_launch(self) -> None:
        """Take most of the available screen, centred; all of it (maximised) on a small one."""
        w = self.window
        area = w.screen().availableGeometry()
        size = QSize(int(area.width() * SCREEN_USE), int(area.height() * SCREEN_USE))
        w.resize(size.expandedTo(w.minimumSizeHint()).boundedTo(area.size()))
        w.move(area.center() - w.rect().center())
        self._on_show = "centre"
        if area.width() < SMALL_SCREEN.width() or area.height() < SMALL_SCREEN.height():
            self._maximise()

    def clamp_to_screen(self) -> None:
        """Shrink and move the window so that it lies wholly on the screen it opens on."""
        w = self.window
        area = w.screen().availableGeometry()
        frame, inner = w.frameGeometry(), w.geometry()
        extra = QSize(frame.width() - inner.width(), frame.height() - inner.height())
        size = inner.size().boundedTo(area.size() - extra)
        if size != inner.size():
            w.resize(size)
            frame = w.frameGeometry()
        frame.moveLeft(min(max(frame.left(), area.left()), area.right() - frame.width() + 1))
        frame.moveTop(min(max(frame.top(), area.top()), area.bottom() - frame.height() + 1))
        if frame.topLeft() != w.frameGeometry().topLeft():
            w.move(frame.topLeft())
        self._on_show = "clamp"

    def shown(self) -> None:
        """Place the window again now that its frame is known (call from ``showEvent``)."""
        place, self._on_show = self._on_show, ""
        w = self.window
        if w.isMaximized():
            return
        if place == "centre":
            frame = w.frameGeometry()
            frame.moveCenter(w.screen().availableGeometry().center())
            w.move(frame.topLeft())
        elif place == "clamp":
            self.clamp_to_screen()
            self._on_show = ""

    def save(self) -> None:
        """Remember the window's normal rectangle, whether it is maximised, and Qt's geometry."""
        w = self.window
        self.settings.setValue("window/geometry", w.saveGeometry())
        self.settings.setValue("window/rect", w.normalGeometry())
        self.settings.setValue("window/maximized", w.isMaximized())

    def _maximise(self) -> None:
        """Ask for the window to open maximised."""
        self.window.setWindowState(self.window.windowState() | Qt.WindowState.WindowMaximized)
