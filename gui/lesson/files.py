"""File > Save lesson and Open lesson, a .bplab dropped on the window, and what opening says.

A lesson is read and checked completely before anything changes: a damaged, hostile or newer
file gets one sentence in the window's banner and the window stays as it was. A lesson whose
data this machine lacks asks first: the bundled sample, the download, or Cancel.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QMessageBox

from engine.data.lesson import Lesson
from engine.data.lesson_io import SUFFIX, load_lesson, save_lesson
from engine.errors import BackpropLabError, LessonFileError, printable
from gui.actions import add_action
from gui.guide import STOPS
from gui.lesson.on_screen import LessonViews, capture
from gui.lesson.opening import LessonOpening, data_name
from gui.lesson.waiting import CancelledError, is_large, run_waiting

if TYPE_CHECKING:
    from gui.lab import Lab

FILTER = f"Backprop Lab lesson (*{SUFFIX})"


def is_lesson(path: str | Path) -> bool:
    """Return True if ``path`` is named as a lesson file."""
    return Path(path).suffix.lower() == SUFFIX


def lesson_path(typed: str) -> Path:
    """Return the typed name with the lesson ending added when it lacks it."""
    return Path(typed) if is_lesson(typed) else Path(typed + SUFFIX)


def data_available(source: str) -> bool:
    """Return True if this machine has the data ``source`` names."""
    if source == "sample":
        return True
    if source == "full":
        from engine.data.download import cached_mnist_dir

        return cached_mnist_dir() is not None
    return Path(source).is_dir()


class LessonFiles(QObject):
    """The lesson actions of the File menu, the drop of a lesson file, and its opening.

    Built from the lab (the network, its record, the session, the questions and messages) and
    the views a lesson reads and restores (``LessonViews``). The window adds the two actions to
    itself and its File menu, and sends the drops it is given here (``eventFilter``).
    """

    def __init__(self, lab: Lab, views: LessonViews) -> None:
        super().__init__(lab)
        self.lab, self.views = lab, views
        parent = views.tabs  # the dialogs open over the window that holds the tabs
        self.opening: LessonOpening | None = None
        self.ask_save_path: Callable[[str], str] = lambda start: QFileDialog.getSaveFileName(
            parent, "Save lesson", start, FILTER
        )[0]
        self.ask_open_path: Callable[[], str] = lambda: QFileDialog.getOpenFileName(
            parent, "Open lesson", "", FILTER
        )[0]
        self.ask_missing_data: Callable[[str], str | None] = self._ask_missing_data
        self.save_action = add_action(
            self,
            "Save lesson…",
            self.save_dialog,
            "Ctrl+Alt+S",
            "Save everything on screen (network, history, settings, drawing, explorer, guide, "
            "step, kept runs) in one .bplab file to hand out.",
        )
        self.open_action = add_action(
            self,
            "Open lesson…",
            self.open_dialog,
            "Ctrl+Alt+O",
            "Open a .bplab lesson: the window comes back exactly as it was saved.",
        )

    def busy(self) -> bool:
        """Return True while a lesson is being opened (the worker is still adopting it)."""
        return self.opening is not None and not self.opening.done

    def save_dialog(self) -> bool:
        """Ask where to save the lesson, then save it."""
        from gui.file_names import documents_path, ending_added_ok

        typed = self.ask_save_path(str(documents_path(f"lesson{SUFFIX}")))
        if not typed:
            return False
        path = lesson_path(typed)
        if not ending_added_ok(typed, path, "Lessons", self.lab.confirm_replace):
            return False
        return self.save_to(path)

    def save_to(self, path: str | Path) -> bool:
        """Write what the window shows to ``path`` as a lesson; say what it could not keep."""
        try:
            lesson, left_out = capture(self.lab, self.views)
            large = is_large(_nbytes(lesson))
            run_waiting(
                self.views.tabs,
                "Saving lesson",
                f"Saving {Path(path).name}…",
                lambda: save_lesson(path, lesson),
                large,
                cancellable=False,
            )
        except (OSError, ValueError) as exc:
            message = str(exc) if isinstance(exc, BackpropLabError | ValueError) else None
            self.lab.report(message or f"Could not save the lesson {path}: {exc}")
            return False
        text = f"Saved the lesson to {path}."
        if left_out:
            text += " Not in it: " + "; ".join(left_out) + "."
        self.lab.say(text, 10000)
        return True

    def open_dialog(self) -> bool:
        """Ask for a lesson file and open it."""
        path = self.ask_open_path()
        return bool(path) and self.open_path(path)

    def open_path(self, path: str | Path) -> bool:
        """Open a lesson; a bad file changes nothing and says why in one sentence."""
        lab = self.lab
        path = Path(path)
        try:
            large = path.is_file() and is_large(path.stat().st_size)
        except OSError:
            large = False
        try:
            lesson = run_waiting(
                self.views.tabs,
                "Opening lesson",
                f"Opening {path.name}…",
                lambda: load_lesson(path),
                large,
            )
            self._check(path, lesson)
        except LessonFileError as exc:
            lab.report(printable(exc))
            return False
        except CancelledError:
            lab.say(f"Opening {path.name} cancelled.", 5000)
            return False
        data = lesson.data
        if not data_available(data):
            data = self.ask_missing_data(data)
            if data is None:
                lab.say(f"Opening {path.name} cancelled.", 5000)
                return False
        if lab.record.unsaved and not lab.confirm(
            "Open this lesson?", "The current network's training will be lost."
        ):
            return False
        if self.opening is not None:
            self.opening.deleteLater()
        self.opening = LessonOpening(lab, self.views, lesson, path, data)
        self.opening.finished.connect(lambda notes: self._on_opened(path, lesson, data, notes))
        lab.resetting.emit()  # a fresh network is on its way: the banner's failure is old news
        self.opening.start()
        return True

    def _check(self, path: Path, lesson: Lesson) -> None:
        """Refuse what the file checked alone cannot know: a guide stop this version lacks."""
        if lesson.guide_stop >= len(STOPS):
            raise LessonFileError(
                f"{path.name} is not a usable Backprop Lab lesson: the guide's stop is "
                f"{lesson.guide_stop + 1}; this version's guide has {len(STOPS)} stops"
            )

    def _on_opened(self, path: Path, lesson: Lesson, data: str, notes: list[str]) -> None:
        """Say the lesson is open, and what of it could not be restored."""
        if data != lesson.data:
            notes = [
                f"its data, {data_name(lesson.data)}, which this machine does not have "
                f"(it trains on {data_name(data)} instead)",
                *notes,
            ]
        if notes:
            self.lab.report(f"Opened the lesson {path.name}, except " + "; and ".join(notes) + ".")
        self.lab.say(f"Opened the lesson {path.name}.", 8000)

    def _ask_missing_data(self, source: str) -> str | None:
        """Ask what to train on when this machine lacks the lesson's data: None cancels."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Data not on this machine",
            f"This lesson trains on {data_name(source)}, which this machine does not have.",
            parent=self.views.tabs,
        )
        box.setInformativeText(
            "Download the full MNIST (about 11 MB, once), or open the lesson on the bundled "
            "sample of 10,000 digits."
        )
        download = box.addButton("Download full MNIST", QMessageBox.ButtonRole.AcceptRole)
        sample = box.addButton("Use the bundled sample", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return {download: "full", sample: "sample"}.get(box.clickedButton())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Accept a lesson file dropped on what the window installed this filter on, and open it."""
        if event.type() in (QEvent.Type.DragEnter, QEvent.Type.Drop):
            paths = _dropped_lessons(event)
            if not paths:
                return False
            event.acceptProposedAction()
            if event.type() == QEvent.Type.Drop:
                self.open_path(paths[0])
            return True
        return False


def _nbytes(lesson: Lesson) -> int:
    """Return about how many bytes the lesson's arrays take (what a save has to write)."""
    total = sum(np.asarray(v).nbytes for v in lesson.model.history.values())
    for kept in lesson.runs:
        total += kept.run.nbytes()
    if lesson.player is not None:
        total += lesson.player.story.images.nbytes
    return total


def _dropped_lessons(event: QDragEnterEvent | QDropEvent) -> list[str]:
    """Return the local lesson files an event carries."""
    mime = event.mimeData()
    if mime is None or not mime.hasUrls():
        return []
    return [u.toLocalFile() for u in mime.urls() if u.isLocalFile() and is_lesson(u.toLocalFile())]
