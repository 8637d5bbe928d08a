"""The real main window opened for a test: one helper for every test file that needs it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from gui.main_window import MainWindow


def open_window(qtbot, settings_path: Path) -> MainWindow:
    """Open the window on the bundled sample with INI settings at settings_path.

    Every question the window asks is answered yes; returns once the worker has published its
    first network and its data is in (Run and Step wait for the data, and say so).
    """
    window = MainWindow(QSettings(str(settings_path), QSettings.Format.IniFormat))
    window.confirm = lambda title, text: True
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(
        lambda: window.worker.latest_snapshot() is not None and window.data is not None,
        timeout=10000,
    )
    return window
