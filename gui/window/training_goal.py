"""The Run button's goal: train for the epochs set in 'Run for', then pause and test."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QObject, QTimer, Signal

from engine.session.worker import FAILED, PAUSED
from gui.lab import Lab


class TrainingGoal(QObject):
    """Run one epoch at a time up to a target, so training stops exactly at the goal.

    Built from the lab alone: it follows the worker's state and ends when another action takes
    the network (``Lab.interrupted``); ``running_changed`` tells the Run button what to say.
    """

    running_changed = Signal(bool)  # training, or a Run between two epochs: the button says Pause

    def __init__(self, lab: Lab) -> None:
        super().__init__(lab)
        self.lab = lab
        self.goal: int | None = None  # the target of completed epochs, None when not running
        self._asked = 0  # counts the Runs asked for: only the latest one starts
        lab.interrupted.connect(self.end)
        lab.state_changed.connect(self.on_state_changed)

    def toggle(self) -> None:
        """Run for the chosen number of epochs if paused, pause if running."""
        lab = self.lab
        if lab.record.running or self.goal is not None:
            lab.pause()
            return
        lab.show_live()  # training moves the live network: the views show that one
        epochs = lab.session.goal_epochs
        if epochs <= 0:
            lab.worker.train_until_paused()
            return
        snapshot = lab.worker.latest_snapshot()
        self.goal = (snapshot.epoch if snapshot is not None else 0) + epochs
        self._asked += 1
        QTimer.singleShot(0, partial(self._start, self._asked))
        self.show_run_state()

    def _start(self, asked: int) -> None:
        """Start the Run asked for, unless it was ended (or asked again) in the same instant.

        Run then Pause at once (Space twice) leaves the worker alone: a command sent and voided
        at once may still have trained a mini-batch, had the worker's thread taken it between.
        """
        if asked == self._asked and self.goal is not None:
            self.lab.worker.run_to_epoch_end()  # one epoch at a time: it stops exactly at the goal

    def end(self) -> None:
        """Forget the running Run's goal (a step, a pause, a reset or a Teach ends it)."""
        if self.goal is not None:
            self.goal = None
            self.show_run_state()

    def on_state_changed(self, state: object) -> None:
        """A Run goes on to its goal at each pause; a plain pause measures the network."""
        if state == FAILED:
            self.goal = None
        if state == PAUSED and self.goal is not None:
            self.continue_to_goal()
        if state == PAUSED and self.goal is None:
            self.lab.measure_latest()
        self.show_run_state()

    def continue_to_goal(self) -> None:
        """At the end of an epoch of a Run, train the next one or stop at the goal."""
        lab = self.lab
        snapshot = lab.worker.latest_snapshot()
        if self.goal is None or snapshot is None:
            return
        if snapshot.epoch < self.goal:
            lab.worker.run_to_epoch_end()
            return
        self.goal = None
        last = lab.record.last_epoch
        accuracy = last.test_accuracy if last is not None else None
        result = f": test accuracy {100 * accuracy:.2f}%" if accuracy is not None else ""
        lab.say(
            f"Trained to epoch {snapshot.epoch}, the end of this Run{result}. "
            f"Press Run for {lab.session.goal_epochs} more.",
            15000,
        )

    def show_run_state(self) -> None:
        """Tell the Run button: Pause while training or while a Run is between epochs."""
        self.running_changed.emit(self.lab.record.running or self.goal is not None)
