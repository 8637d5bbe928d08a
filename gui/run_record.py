"""The live run's record: its cost history, its file, whether it is saved, what it last measured.

The lab (gui/lab.py) owns it, and the window's helpers share it through the lab: model files, the
live feed, Teach undo, recovery, the training goal ... It only keeps and announces; the views
follow its signals.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from engine.core.training import BatchReport, EpochReport, evaluate
from engine.session.history import TrainingHistory
from engine.session.snapshot import Snapshot, network_of
from engine.session.stall import is_stalled
from engine.session.training_run import NetworkStarted
from engine.session.worker import PAUSED, RUNNING
from gui.background import Job, submit

NO_ACCURACY = "Test accuracy \u2014"


def _accuracy(snapshot: Snapshot, data) -> float:
    """The snapshot's test accuracy (in a background thread: frozen snapshot, read-only data)."""
    return evaluate(network_of(snapshot), data.test.images, data.test.labels).accuracy


class RunRecord(QObject):
    """What the run has done so far, and where the window stands in it."""

    changed = Signal()  # the model's file or its unsaved flag changed: the title follows
    batches_added = Signal(object, object)  # epoch progress and costs, NumPy arrays
    epoch_added = Signal(object)  # an EpochReport
    replaced = Signal()  # a new network's history (fresh, opened, a branch's past): redraw it all
    stalled = Signal()  # the run has stopped learning (said once per network)
    accuracy_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.history = TrainingHistory()
        self._unsaved = False
        self._model_path: Path | None = None  # None: untitled, Save asks for a file
        self.state = PAUSED  # the worker's state, as it last said
        self.last_epoch: EpochReport | None = None
        self.last_batch: BatchReport | None = None
        self.accuracy_text = NO_ACCURACY  # said of the network measured, while it is the one shown
        self.accuracy_seen: int | None = None  # examples seen by the network last measured
        self.accuracy_value: float | None = None  # its test accuracy, a fraction
        self._accuracy_later: str | None = None  # what to say of it once training has moved on
        self.moment_accuracy: tuple[int, float] | None = None  # a scrubbed moment's, by examples
        self._measuring: Job | None = None  # the live network's measurement on its way
        self._asked: int | None = None  # the examples seen by the network it measures
        self._moment_job: Job | None = None  # a scrubbed moment's measurement on its way
        # What a network about to start is, by the examples it will have seen (opened, resumed
        # ...): its first accuracy is labelled with it. Keyed so a late signal takes no other's.
        self.start_notes: dict[int, str] = {}
        self.scrubbed: int | None = None  # the kept snapshot the views show, None when live
        self.resume_point: float | None = None  # epochs of training where a branch starts
        self.pending_history: TrainingHistory | None = None  # an opened model's record
        self._stall_said = False

    @property
    def running(self) -> bool:
        """True while the worker trains."""
        return self.state == RUNNING

    @property
    def unsaved(self) -> bool:
        """True when the network has changed since it was opened or saved."""
        return self._unsaved

    @unsaved.setter
    def unsaved(self, value: bool) -> None:
        if bool(value) != self._unsaved:
            self._unsaved = bool(value)
            self.changed.emit()

    @property
    def model_path(self) -> Path | None:
        """The file the network was opened from or saved to; None for an untitled network."""
        return self._model_path

    @model_path.setter
    def model_path(self, value: Path | None) -> None:
        self._model_path = value
        self.changed.emit()

    def add_batches(self, reports: list[BatchReport]) -> None:
        """Append mini-batch costs to the history in one NumPy step."""
        if not reports:
            return
        n = len(reports)
        progress = np.fromiter((r.epoch_progress for r in reports), float, n)
        costs = np.fromiter((r.cost for r in reports), float, n)
        self.history.add_batches(progress, costs)
        self.last_batch = reports[-1]
        self.unsaved = True
        self.batches_added.emit(progress, costs)

    def add_epoch(self, report: EpochReport) -> None:
        """Record an epoch's test result, and say once if the run has stalled."""
        self.last_epoch = report
        self.history.add_epoch(report)
        self.accuracy_text = f"Test accuracy {100 * report.test_accuracy:.2f}%"
        self._forget_measurement()  # the epoch's own measurement is the newer one
        self.accuracy_seen = self.last_batch.examples_seen if self.last_batch else None
        self.accuracy_value = report.test_accuracy
        self._accuracy_later = f"after epoch {report.epoch}"
        self.epoch_added.emit(report)
        progress = self.history.batches.column("progress")
        epoch_costs = self.history.batches.column("cost")[progress > report.epoch - 1]
        if not self._stall_said and is_stalled(report.test_accuracy, epoch_costs):
            self._stall_said = True
            self.stalled.emit()

    def begin(self, started: NetworkStarted, undone: bool | None) -> None:
        """A new network: a fresh history, an opened model's own, a branch's past, or an undo.

        ``undone`` is the unsaved flag from before an undone Teach step (None if not an undo):
        undoing goes on with the same run.
        """
        self.last_epoch = self.last_batch = None
        self.scrubbed = None
        self.moment_accuracy = None
        self._stall_said = False
        if undone is not None:
            self.unsaved = undone
        elif self.pending_history is not None:
            self.history, self.pending_history = self.pending_history, None
            self.unsaved = False
        elif started.branch and self.resume_point is not None:
            self.history.truncate(self.resume_point)
            self.unsaved = True
        else:
            self.history = TrainingHistory()
            self.unsaved = False
            self.model_path = None  # a network made afresh is untitled: Save asks where
        self.resume_point = None
        self.replaced.emit()

    def measure(self, snapshot: Snapshot | None, data, note: str | None = None) -> None:
        """Measure the snapshot's test accuracy off the GUI thread, unless it is measured already.

        ``note`` says what the network is (untrained, opened ...); by default, where it is. The
        accuracy is said when the measurement arrives; a newer request drops an older one.
        """
        if snapshot is None or data is None:
            return
        seen = snapshot.examples_seen
        if seen == self.accuracy_seen or (self._measuring is not None and self._asked == seen):
            return
        self._forget_measurement()
        self._asked = seen
        note = note or f"at {seen:,} examples"
        job = self._measuring = submit(lambda _job: _accuracy(snapshot, data), parent=self)
        job.succeeded.connect(partial(self._measured, job, seen, note))
        job.failed.connect(partial(self._not_measured, job))

    def _measured(self, job, seen: int, note: str, accuracy: float) -> None:
        if job is not self._measuring:
            return
        self._measuring = self._asked = None
        self.accuracy_seen = seen
        self.show_accuracy(accuracy, note)

    def _not_measured(self, job, error: BaseException) -> None:
        """A measurement failed (out of memory, say): nothing is said, and none is waited for."""
        if job is self._measuring:
            self._measuring = self._asked = None
        if job is self._moment_job:
            self._moment_job = None

    def measuring(self) -> bool:
        """True while a test-set measurement is on its way."""
        return self._measuring is not None or self._moment_job is not None

    def _forget_measurement(self) -> None:
        """Drop the live network's measurement on its way: a cancelled job says nothing."""
        if self._measuring is not None:
            self._measuring.cancel()
        self._measuring = self._asked = None

    def measure_new(self, snapshot: Snapshot | None, data) -> None:
        """A new network is in place: measure it whatever it has seen, labelled as it began."""
        self.accuracy_seen = None
        self._forget_measurement()  # a measurement on its way is of the network replaced
        if snapshot is not None:
            seen = snapshot.examples_seen
            note = self.start_notes.pop(seen, "untrained" if seen == 0 else None)
            self.measure(snapshot, data, note)

    def show_accuracy(self, accuracy: float, note: str) -> None:
        """Say the network's test accuracy, with what the network is."""
        self.accuracy_text = f"Test accuracy {100 * accuracy:.2f}% ({note})"
        self.accuracy_value = accuracy
        self._accuracy_later = None
        self.accuracy_changed.emit()

    def measure_moment(self, snapshot: Snapshot, data) -> None:
        """Measure a past moment shown from the History (its own, apart from the live network's).

        Off the GUI thread; the status says it when it arrives (``accuracy_changed``).
        """
        seen = snapshot.examples_seen
        if data is None or (self.moment_accuracy and self.moment_accuracy[0] == seen):
            return
        if self._moment_job is not None:
            self._moment_job.cancel()
        job = self._moment_job = submit(lambda _job: _accuracy(snapshot, data), parent=self)
        job.succeeded.connect(partial(self._moment_measured, job, seen))
        job.failed.connect(partial(self._not_measured, job))

    def _moment_measured(self, job, seen: int, accuracy: float) -> None:
        if job is not self._moment_job:
            return
        self._moment_job = None
        self.moment_accuracy = (seen, accuracy)
        self.accuracy_changed.emit()

    def accuracy_status(self, seen: int | None, scrubbed: bool = False) -> str:
        """Return the test accuracy to show beside a network that has seen ``seen`` examples.

        The live network's, labelled with what it is while it is the one measured, and with
        where it was measured once training has moved on ("untrained" is true only at 0); a
        scrubbed moment's own.
        """
        if scrubbed:
            if self.moment_accuracy is None or self.moment_accuracy[0] != seen:
                return NO_ACCURACY
            return f"Test accuracy {100 * self.moment_accuracy[1]:.2f}% (at {seen:,} examples)"
        if self.accuracy_value is None or seen is None or seen == self.accuracy_seen:
            return self.accuracy_text
        measured = self.accuracy_seen or 0
        later = self._accuracy_later or (
            "before training" if measured == 0 else f"at {measured:,} examples"
        )
        return f"Test accuracy {100 * self.accuracy_value:.2f}% ({later})"

    def position(self, seen: int, n_train: int, at_end: bool) -> str:
        """Return "Epoch e, mini-batch b" for a network that has seen ``seen`` examples.

        Read from the history's mini-batches (so it agrees with what training said then): the
        last one at or before the network, or the history's last when ``at_end`` (an opened,
        undone or resumed network is where its history ends).
        """
        progress = self.history.batches.column("progress")
        if seen <= 0:
            return "Epoch 1"
        i = len(progress) - 1 if at_end else np.searchsorted(progress, seen / n_train + 1e-9) - 1
        if i < 0:
            return f"Epoch {-(-seen // n_train)}"
        epoch = int(np.ceil(progress[i] - 1e-9))
        first = int(np.searchsorted(progress, epoch - 1 + 1e-9))  # this epoch's first batch
        return f"Epoch {epoch}, mini-batch {i - first + 1}"
