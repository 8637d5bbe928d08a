"""Recovery: when training diverges or stalls, say why and offer settings that learn."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer

from engine import diagnosis
from engine.snapshot import network_of
from engine.stall import stall_summary
from engine.training import TrainConfig
from engine.worker import FAILED

if TYPE_CHECKING:
    from gui.main_window import MainWindow

DIAGNOSIS_IMAGES = 1000  # training images a stalled run's neurons are examined on
DIVERGED = (
    "Run and Step are off: training diverged. Reset starts a fresh network with the settings below."
)
NO_DATA = "Run and Step wait for the training data, which is loading."


class Recovery(QObject):
    """Offer a remedy on the failure banner (tried first from the same seed) and apply it."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.remedy: diagnosis.Remedy | None = None  # what the banner's fix button applies

    def offer(self, message: str) -> None:
        """Show ``message`` with a fix that a trial run from the same seed showed to learn."""
        remedy = None
        if self.window.data is not None:
            self.window.setCursor(Qt.CursorShape.WaitCursor)
            try:
                remedy = diagnosis.suggest_fix(
                    self.window.session.network,
                    self.window.data.train.images,
                    self.window.data.train.labels,
                    self.window.session.train,
                    self.window.session.seed,
                )
            finally:
                self.window.unsetCursor()
        self.remedy = remedy
        if remedy is None:
            self.window.banner.show_failure(message, offer_lower_rate=False)
            return
        change = remedy.describe(self.window.session.network)
        self.window.banner.show_failure(
            f"{message} Try {change}: a trial of {diagnosis.TRIAL_BATCHES} mini-batches from the "
            "same seed learned with it."
        )
        self.window.banner.lower_button.setText(f"Reset with {change}")
        self.window.banner.lower_button.setToolTip(
            "Start a fresh network from the same seed with these settings."
        )

    def apply(self) -> None:
        """Use the settings the banner offers and start a fresh network with them."""
        remedy = self.remedy
        if remedy is None:
            return
        t = self.window.session.train
        train = TrainConfig(remedy.learning_rate, t.batch_size, t.momentum, t.l2)
        self.window.worker.set_train_config(train)
        self.window.remember(train=train, network=remedy.config)
        self.window.controls.set_session(self.window.session)
        self.remedy = None
        self.window.reset(ask=False, config=remedy.config)

    def blocked_reason(self, state: str) -> str:
        """Return why training cannot run in worker ``state``, or '' if it can."""
        if state == FAILED:
            return DIVERGED
        if self.window.data is None:
            return NO_DATA
        return ""

    def update_actions(self, state: str) -> None:
        """Enable Run and the steps exactly when training can run; else say why, under them."""
        reason = self.blocked_reason(state)
        w = self.window
        for action in (w.run_action, w.step_action, w.epoch_action, w.epoch_end_action):
            action.setEnabled(not reason)
        w.controls.show_blocked(reason)

    def on_stalled(self) -> None:
        """The run stopped learning: pause it, then say why once the epoch's report is shown."""
        self.window.pause()
        QTimer.singleShot(0, self.explain_stall)

    def explain_stall(self) -> None:
        """Say why the run stalled (from its neurons) and offer settings that learn."""
        snapshot = self.window.worker.latest_snapshot()
        if snapshot is None or self.window.data is None:
            return
        images = self.window.data.train.images[:DIAGNOSIS_IMAGES]
        found = diagnosis.diagnose(network_of(snapshot), images)
        e, rate = self.window.record.last_epoch, self.window.session.train.learning_rate
        summary = stall_summary(e.epoch, e.test_accuracy, rate) if e else "Training has stalled."
        self.offer(f"{summary} {found.reason}")
