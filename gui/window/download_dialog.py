"""The progress dialog of a dataset download: bytes, speed, and a Cancel that really stops it."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget


class DownloadProgress(QObject):
    """Carries progress from the worker thread to the dialog and the cancel back to the download.

    ``report`` is the engine's progress callback; it runs in the worker thread and only emits a
    signal, which Qt queues to the dialog in the GUI thread.
    """

    progressed = Signal(int, int)  # bytes done, bytes expected

    def __init__(self) -> None:
        super().__init__()
        self.cancel = threading.Event()

    def report(self, done: int, total: int) -> None:
        """Forward one progress update (called from the download's thread)."""
        self.progressed.emit(done, total)


class DownloadDialog(QProgressDialog):
    """A modal progress dialog for the download of a dataset (the full MNIST)."""

    def __init__(
        self, progress: DownloadProgress, parent: QWidget | None = None, title: str = "MNIST"
    ) -> None:
        super().__init__(f"Connecting to the {title} mirror…", "Cancel", 0, 1000, parent)
        self.setWindowTitle(f"Downloading {title}")
        self._title = title
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumDuration(0)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumWidth(420)
        self._progress = progress
        self._started = time.perf_counter()
        progress.progressed.connect(self._on_progressed)
        self.canceled.connect(progress.cancel.set)

    def _on_progressed(self, done: int, total: int) -> None:
        """Show bytes received, the total, and the speed."""
        if self._progress.cancel.is_set():
            return
        seconds = max(time.perf_counter() - self._started, 1e-3)
        self.setValue(int(1000 * done / total) if total else 0)
        self.setLabelText(
            f"Downloading the full {self._title} (60,000 + 10,000 images)\n"
            f"{done / 1e6:.1f} of {total / 1e6:.1f} MB at {done / 1e6 / seconds:.1f} MB/s"
        )
