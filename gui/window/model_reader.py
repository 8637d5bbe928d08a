"""Read a model file for the window: a large one off the GUI thread, behind a dialog with Cancel.

The read is a ``gui.background`` job. The window keeps painting and its timers keep running
while the file is read (the GUI thread waits in an event loop until the job ends or the learner
cancels), and the modal dialog keeps the learner from starting anything else meanwhile.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

import engine.data.model_io
from engine.data.model_io import SavedModel
from engine.session.history import TrainingHistory
from gui.background import submit

LARGE_MODEL = 4 * 2**20  # bytes; a model file this big loads behind a progress dialog


def _load(path: str | Path, outputs: int = 10) -> tuple[SavedModel, TrainingHistory]:
    """Read the model and rebuild its training history (both pure NumPy, fine in a thread).

    The network must have one output per class of the data in use (``outputs``)."""
    saved = engine.data.model_io.load_model(path, io_sizes=(784, outputs), window=True)
    return saved, TrainingHistory.from_arrays(saved.history)


def read_model(
    path: str | Path, parent: QWidget, large: int | None = None, outputs: int = 10
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
        return _load(path, outputs)
    job = submit(lambda _job: _load(path, outputs))
    outcome: list[object] = []
    job.succeeded.connect(outcome.append)
    job.failed.connect(outcome.append)
    dialog = QProgressDialog(f"Opening {Path(path).name}…", "Cancel", 0, 0, parent)
    dialog.setWindowTitle("Opening model")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    waiting = QEventLoop()  # the window paints and its timers run; the dialog blocks the rest
    job.ended.connect(waiting.quit)
    dialog.canceled.connect(waiting.quit)  # its Cancel button
    dialog.rejected.connect(waiting.quit)  # Esc
    if not outcome:  # a very quick read may have been delivered already
        waiting.exec()
    dialog.close()
    dialog.deleteLater()
    if not outcome:
        job.cancel()  # the read finishes in its thread; its result is dropped
        return None
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]
