"""The real main window opened for a test: one helper for every test file that needs it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings
from PySide6.QtGui import QImage

from gui.window.main_window import MainWindow


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


def rgb_pixels(image: QImage) -> np.ndarray:
    """Return a QImage's pixels as an (h, w, 3) float array (each row's padding dropped)."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h = rgb.width(), rgb.height()
    rows = np.frombuffer(bytes(rgb.constBits()), np.uint8).reshape(h, rgb.bytesPerLine())
    return rows[:, : 3 * w].reshape(h, w, 3).astype(np.float64)
