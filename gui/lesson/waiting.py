"""Read or write a large lesson off the GUI thread, behind a dialog with Cancel.

As File > Open model does (``gui.window.model_reader``): the work is a ``gui.background`` job;
the window keeps painting while the GUI thread waits for it in an event loop, and the modal
dialog keeps the learner from starting anything else meanwhile. Small lessons are read and
written at once: a dialog that flashes up would only distract.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from gui.background import submit

LARGE = 4 * 2**20  # bytes; a lesson this big is read or written behind a progress dialog
T = TypeVar("T")


def is_large(nbytes: int) -> bool:
    """Return True if a lesson of ``nbytes`` is read or written behind a dialog."""
    return nbytes > LARGE


class CancelledError(Exception):
    """The learner pressed Cancel while the lesson was being read or written."""


def run_waiting(
    parent: QWidget,
    title: str,
    text: str,
    work: Callable[[], T],
    large: bool,
    cancellable: bool = True,
) -> T:
    """Return ``work()``, run in the background behind a dialog when ``large``.

    Raises what ``work`` raises, or CancelledError (a read only: a save has no Cancel, since the
    file would be written all the same).
    """
    if not large:
        return work()
    job = submit(lambda _job: work())
    outcome: list[object] = []
    job.succeeded.connect(outcome.append)
    job.failed.connect(outcome.append)
    dialog = QProgressDialog(text, "Cancel", 0, 0, parent)
    if not cancellable:
        dialog.setCancelButton(None)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    waiting = QEventLoop()
    job.ended.connect(waiting.quit)
    dialog.canceled.connect(waiting.quit)
    dialog.rejected.connect(waiting.quit)
    if not outcome:  # a very quick job may have been delivered already
        waiting.exec()
    dialog.close()
    dialog.deleteLater()
    if not outcome:
        job.cancel()
        raise CancelledError
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]
