"""The Run button's goal: train for the epochs set in 'Run for', then pause and test."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

if TYPE_CHECKING:
    from gui.window.main_window import MainWindow


class RunGoal(QObject):
    """Run one epoch at a time up to a target, so training stops exactly at the goal."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.goal: int | None = None  # the target of completed epochs, None when not running

    def toggle(self) -> None:
        """Run for the chosen number of epochs if paused, pause if running."""
        if self.window.record.running or self.goal is not None:
            self.window.pause()
            return
        epochs = self.window.session.goal_epochs
        if epochs <= 0:
            self.window.worker.train_until_paused()
            return
        snapshot = self.window.worker.latest_snapshot()
        self.goal = (snapshot.epoch if snapshot is not None else 0) + epochs
        self.window.worker.run_to_epoch_end()  # one epoch at a time: it stops exactly at the goal
        self.show_run_state()

    def end(self) -> None:
        """Forget the running Run's goal (a step, a pause, a reset or a Teach ends it)."""
        if self.goal is not None:
            self.goal = None
            self.show_run_state()

    def continue_to_goal(self) -> None:
        """At the end of an epoch of a Run, train the next one or stop at the goal."""
        snapshot = self.window.worker.latest_snapshot()
        if self.goal is None or snapshot is None:
            return
        if snapshot.epoch < self.goal:
            self.window.worker.run_to_epoch_end()
            return
        self.goal = None
        last = self.window.record.last_epoch
        accuracy = last.test_accuracy if last is not None else None
        result = f": test accuracy {100 * accuracy:.2f}%" if accuracy is not None else ""
        self.window.statusBar().showMessage(
            f"Trained to epoch {snapshot.epoch}, the end of this Run{result}. "
            f"Press Run for {self.window.session.goal_epochs} more.",
            15000,
        )

    def show_run_state(self) -> None:
        """Label the run button: Pause while training or while a Run is between epochs."""
        running = self.window.record.running or self.goal is not None
        self.window.run_action.setText("Pause" if running else "Run")
