"""Open a checked lesson in the window: its data first, then its network, then every view.

The worker does each change in turn in its own thread, so the opening waits for it: until the
data the lesson trains on is in (and the fresh network made on it), then until the lesson's own
network is the one the worker publishes; only then are the views set, so nothing the worker
still has to do undoes them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from engine import limits
from engine.data.lesson import Lesson
from gui.lesson.on_screen import LessonViews, show_explorer_and_player, show_views

if TYPE_CHECKING:
    from gui.lab import Lab

DATA_NAMES = {"sample": "the bundled sample", "full": "the full MNIST"}


def data_name(source: str) -> str:
    """Return a data source in words."""
    return DATA_NAMES.get(source, f"the folder {source}")


class LessonOpening(QObject):
    """One lesson being opened: waits for the worker, step by step, then sets the views."""

    finished = Signal(list)  # what could not be restored, in sentences ([] when all was)

    def __init__(self, lab: Lab, views: LessonViews, lesson: Lesson, path: Path, data: str) -> None:
        super().__init__(lab)
        self.lab, self.views = lab, views
        self.lesson = lesson
        self.path = path
        self.data = data  # the data to train on: the lesson's, or the one the learner chose
        self.notes: list[str] = []
        self.phase = "data"
        self.done = False

    def start(self) -> None:
        """Switch the data if the lesson needs other data, else adopt the network now."""
        lab = self.lab
        lab.worker.network_reset.connect(self._on_network_reset)
        lab.worker.data_failed.connect(self._on_data_failed)
        if lab.data is not None and lab.data.source == self.data:
            self._adopt()
        elif lab.data is None and lab.session.data == self.data:
            pass  # the launch's data is loading: its fresh network comes next
        else:
            self.views.data_sources.load(self.data, ask=False)

    def _on_data_failed(self, message: str) -> None:
        """The data could not be loaded: the lesson opens on the data in use."""
        if self.phase == "data":
            self.notes.append(f"its data could not be loaded ({message})")
            data = self.lab.data
            self.data = data.source if data is not None else "sample"
            if data is not None:
                self._adopt()

    def _on_network_reset(self, _config: object) -> None:
        """A network is ready: the data's fresh one (adopt the lesson's next) or the lesson's."""
        lab = self.lab
        self.views.feed.refresh()  # the record begins the network that started, before all else
        if self.phase == "data" and lab.data is not None and lab.data.source == self.data:
            self._adopt()
        elif self.phase == "network" and self._is_lessons(lab.worker.latest_snapshot()):
            self._finish()

    def _adopt(self) -> None:
        """Train the lesson's network from where it was, with its hyper-parameters and history.

        The lab ends any Run and any Teach step's undo, and the worker, the controls and the
        settings follow its session (the lesson's values are shown, not saved as the learner's).
        """
        from engine.session.history import TrainingHistory

        lab, m = self.lab, self.lesson.model
        self.phase = "network"
        self.views.feed.refresh()  # a network started earlier is begun now: not the history's
        train = limits.snap_train_config(m.train_config)
        history = TrainingHistory.from_arrays(m.history)
        lab.continue_from(
            m.network.copy(), m.epoch, m.examples_seen, train, history, None, "opened lesson"
        )
        lab.show_opened(seed=self.lesson.seed)

    def _is_lessons(self, snap) -> bool:
        """Return True if ``snap`` holds the lesson's network."""
        net = self.lesson.model.network
        return (
            snap is not None
            and snap.examples_seen == self.lesson.model.examples_seen
            and snap.config == net.config
            and all(np.array_equal(a, b) for a, b in zip(snap.weights, net.weights))
        )

    def _finish(self) -> None:
        """Set the views and say what could not be restored."""
        worker = self.lab.worker
        worker.network_reset.disconnect(self._on_network_reset)
        worker.data_failed.disconnect(self._on_data_failed)
        if self.lesson.last_batch is None and self.lesson.edge_mode != "weight":
            self.notes.append(
                "the last mini-batch's gradient and update, which the diagram shows again after "
                "the next step"
            )
        shown = show_views(self.views, self.lesson)
        # After the zero-timer hand-off of a newly opened explorer tab, which would reset it.
        QTimer.singleShot(0, self, lambda: self._last(shown))

    def _last(self, shown) -> None:
        """Restore the explorer and the step player, and say the lesson is open."""
        show_explorer_and_player(self.views, self.lesson, shown)
        self.lab.record.unsaved = False
        self.done = True
        self.finished.emit(self.notes)
