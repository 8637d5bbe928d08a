"""Teach it and its undo: one step on the drawn digit, and putting the network back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from engine.core.training import evaluate
from engine.lessons.teach import TeachResult
from engine.session.snapshot import Snapshot, network_of

if TYPE_CHECKING:
    from gui.window.main_window import MainWindow


class TeachUndo(QObject):
    """Route Teach it to the worker, show its result, and undo the last step exactly."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)  # a QObject in the GUI thread: the worker's signal is queued
        self.window = window
        self.taught: tuple[TeachResult, bool, Snapshot] | None = None  # step, unsaved, after
        self.undoing: tuple[bool, float] | None = None  # an undo under way: unsaved, accuracy
        self._teach_unsaved = True  # whether the network was unsaved before the step

    def on_teach_requested(self, x, label: int) -> None:
        """Route "Teach it" to the worker, which owns the network (it pauses to take the step)."""
        self.window.run_goal.end()
        self.window.feed.go_live()  # the step changes the live network: show that one
        self._teach_unsaved = self.window.record.unsaved
        self.window.worker.teach(x, label)

    def on_taught(self, result: TeachResult) -> None:
        """Show the step's result with the test accuracy before and after it; offer Undo."""
        self.window.feed.refresh()
        after = self.window.worker.latest_snapshot()
        accuracy = None
        if self.window.data is not None and after is not None:
            test = self.window.data.test
            accuracy = (
                evaluate(result.network_before(), test.images, test.labels).accuracy,
                evaluate(network_of(after), test.images, test.labels).accuracy,
            )
            self.window.record.show_accuracy(accuracy[1], "after Teach it")
            self.window.record.accuracy_seen = after.examples_seen
        self.window.digit_panel.show_teach_result(result, accuracy)
        self.taught = (result, self._teach_unsaved, after)
        self.window.undo_teach_action.setEnabled(True)
        self.window.digit_panel.set_undo_available(True)
        self.window.record.unsaved = True
        self.window.feed.update_status()

    def undo(self) -> None:
        """Put back exactly the network from before the last Teach-it step."""
        if self.taught is None:
            return
        result, unsaved, after = self.taught
        self.forget()
        self.window.run_goal.end()
        self.undoing = (unsaved, 0.0)
        self.window.record.start_notes[after.examples_seen] = "Teach it undone"
        before = result.network_before()  # the same run goes on: the timeline keeps its past
        self.window.worker.adopt(before, after.epoch, after.examples_seen, keep=True)
        self.window.digit_panel.show_undone()

    def forget(self) -> None:
        """The last Teach-it step can no longer be undone."""
        if self.taught is not None:
            self.taught = None
            self.window.undo_teach_action.setEnabled(False)
            self.window.digit_panel.set_undo_available(False)
