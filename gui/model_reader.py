"""Read a model file for the window: a large one in a thread, behind a dialog with Cancel.

The window keeps painting and its timers keep running while the file is read: the GUI thread
turns the event loop while it waits, and the modal dialog keeps the learner from starting
anything else meanwhile.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

import engine.model_io
from engine.history import TrainingHistory
from engine.model_io import SavedModel

LARGE_MODEL = 4 * 2**20  # bytes; a model file this big loads behind a progress dialog


def _load(path: str | Path) -> tuple[SavedModel, TrainingHistory]:
    """Read the model and rebuild its training history (both pure NumPy, fine in a thread)."""
    saved = engine.model_io.load_model(path, window=True)
    return saved, TrainingHistory.from_arrays(saved.history)


def read_model(
    path: str | Path, parent: QWidget, large: int | None = None
) -> tuple[SavedModel, TrainingHistory] | None:
    """Return the model at path and its history, or None if the learner cancelled.

    Raises what ``load_model`` raises (ModelFileError names the problem). ``large`` overrides
    the size from which the file is read in a thread.
    """
    try:
        big = Path(path).stat().st_size > (LARGE_MODEL if large is None else large)
    except OSError:
        big = False
    if not big:
        return _load(path)
    outcome: list[object] = []

    def read() -> None:
        try:
            outcome.append(_load(path))
        except BaseException as exc:  # handed to the GUI thread, raised there
            outcome.append(exc)

    dialog = QProgressDialog(f"Opening {Path(path).name}…", "Cancel", 0, 0, parent)
    dialog.setWindowTitle("Opening model")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    reader = threading.Thread(target=read, name="open-model", daemon=True)
    reader.start()
    while not outcome and not dialog.wasCanceled():
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        reader.join(0.02)
    dialog.close()
    dialog.deleteLater()
    if not outcome:
        return None  # the thread finishes on its own; its result is dropped
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]
