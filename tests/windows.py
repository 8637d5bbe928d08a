"""The real app for a test: its main window opened, or main.py run as a user runs it.

One helper each for every test file that needs it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtGui import QImage

from engine.session.worker import PAUSED
from gui.window.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "QT_QPA_PLATFORM": "offscreen"}  # a child's


def main_py(
    *args: str, timeout: float = 120, env: dict[str, str] | None = None, **kwargs
) -> subprocess.CompletedProcess[str]:
    """Run main.py in a fresh interpreter, as a user does, and capture its output.

    Its environment is ``ENV`` (one BLAS thread, offscreen) plus ``env``; stdin is closed;
    ``kwargs`` go to ``subprocess.run`` (``preexec_fn``, ``stdout``, ...).
    """
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={**ENV, **(env or {})},
        stdin=subprocess.DEVNULL,
        **kwargs,
    )


def catches_sigterm(pid: int) -> bool:
    """Whether the process has a handler for SIGTERM (Python sets none of its own)."""
    status = Path(f"/proc/{pid}/status").read_text()
    caught = int(
        next(line for line in status.splitlines() if line.startswith("SigCgt:")).split()[1], 16
    )
    return bool(caught & 1 << (signal.SIGTERM - 1))


def holds_sigterm_within(process: subprocess.Popen, seconds: float) -> bool:
    """Wait until ``process`` holds SIGTERM; False if it ended or ``seconds`` passed first."""
    deadline = time.monotonic() + seconds
    while process.poll() is None and time.monotonic() < deadline:
        if catches_sigterm(process.pid):
            return True
        time.sleep(0.002)
    return False


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


def drain() -> None:
    """Deliver every event and queued call already posted to the GUI thread (a zero-time timer
    too): what a press or a signal set in motion here has happened once this returns."""
    QCoreApplication.sendPostedEvents()
    QCoreApplication.processEvents()


def heard_pause(qtbot, window: MainWindow, timeout: int = 30000):
    """Wrap a training command: the block ends once the window has heard the pause after it.

    Waiting for ``record.state == PAUSED`` alone is not enough: the window is paused before the
    worker's "running" reaches it, so such a wait may end while "running" and "paused" are still
    on their way (the window pulls reports on a timer, states come as signals). The pause that
    ends the command is the next one the window hears.
    """
    return qtbot.waitSignal(
        window.lab.state_changed, timeout=timeout, check_params_cb=lambda state: state == PAUSED
    )


def train_batches(qtbot, window: MainWindow, batches: int, timeout: int = 30000) -> None:
    """Train ``batches`` mini-batches; return once the window has heard the pause and has them."""
    start = len(window.record.history)
    with heard_pause(qtbot, window, timeout):
        window.worker.run_batches(batches)
    qtbot.waitUntil(lambda: len(window.record.history) == start + batches, timeout=timeout)


def rgb_pixels(image: QImage) -> np.ndarray:
    """Return a QImage's pixels as an (h, w, 3) float array (each row's padding dropped)."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h = rgb.width(), rgb.height()
    rows = np.frombuffer(bytes(rgb.constBits()), np.uint8).reshape(h, rgb.bytesPerLine())
    return rows[:, : 3 * w].reshape(h, w, 3).astype(np.float64)


def shown_text(button) -> str:
    """Return a button's text as the learner sees it: its Alt-key mark (&) gone, && one &."""
    return button.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
