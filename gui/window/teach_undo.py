"""Teach it and its undo: one step on the drawn digit, and putting the network back."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from engine.core.training import evaluate
from engine.lessons.teach import TeachResult
from engine.session.snapshot import Snapshot, network_of
from gui.lab import Lab
from gui.pad import DigitPanel


class TeachUndo(QObject):
    """Route Teach it to the worker, show its result, and undo the last step exactly.

    Built from the lab and the digit panel whose Teach it and Undo it serves.
    """

    undo_available = Signal(bool)  # the last Teach-it step can be undone (the menu's Undo follows)

    def __init__(self, lab: Lab, digit_panel: DigitPanel) -> None:
        super().__init__(lab)  # a QObject in the GUI thread: the worker's signal is queued
        self.lab = lab
        self.digit_panel = digit_panel
        self.taught: tuple[TeachResult, bool, Snapshot] | None = None  # step, unsaved, after
        self._teach_unsaved = True  # whether the network was unsaved before the step
        lab.worker.taught.connect(self.on_taught)
        lab.record.batches_added.connect(lambda *_: self.forget())  # no undo past training on
        lab.network_replacing.connect(self.forget)
        lab.network_ending.connect(lambda *_: self.forget())  # the taught network is gone
        digit_panel.teach_requested.connect(self.on_teach_requested)
        digit_panel.teach_undo_requested.connect(self.undo)

    def on_teach_requested(self, x, label: int) -> None:
        """Route "Teach it" to the worker, which owns the network (it pauses to take the step)."""
        self.lab.interrupt()
        self.lab.show_live()  # the step changes the live network: show that one
        self._teach_unsaved = self.lab.record.unsaved
        self.lab.worker.teach(x, label)

    def on_taught(self, result: TeachResult) -> None:
        """Show the step's result with the test accuracy before and after it; offer Undo."""
        lab = self.lab
        lab.refresh_views()
        after = lab.worker.latest_snapshot()
        accuracy = None
        if lab.data is not None and after is not None:
            test = lab.data.test
            accuracy = (
                evaluate(result.network_before(), test.images, test.labels).accuracy,
                evaluate(network_of(after), test.images, test.labels).accuracy,
            )
            lab.record.show_accuracy(accuracy[1], "after Teach it")
            lab.record.accuracy_seen = after.examples_seen
        self.digit_panel.show_teach_result(result, accuracy)
        self.taught = (result, self._teach_unsaved, after)
        self.undo_available.emit(True)
        self.digit_panel.set_undo_available(True)
        lab.record.unsaved = True
        lab.refresh_status()

    def undo(self) -> None:
        """Put back exactly the network from before the last Teach-it step."""
        if self.taught is None:
            return
        result, unsaved, after = self.taught
        self.forget()
        self.lab.interrupt()
        self.lab.expect_undo(unsaved)
        self.lab.record.start_notes[after.examples_seen] = "Teach it undone"
        before = result.network_before()  # the same run goes on: the timeline keeps its past
        self.lab.worker.adopt(before, after.epoch, after.examples_seen, keep=True)
        self.digit_panel.show_undone()

    def forget(self) -> None:
        """The last Teach-it step can no longer be undone."""
        if self.taught is not None:
            self.taught = None
            self.undo_available.emit(False)
            self.digit_panel.set_undo_available(False)
