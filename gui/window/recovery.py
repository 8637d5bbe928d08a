"""Recovery: when training diverges or stalls, say why and offer settings that learn."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from engine.core.training import TrainConfig
from engine.session import diagnosis
from engine.session.snapshot import network_of
from engine.session.stall import stall_summary
from engine.session.worker import FAILED
from gui.background import Job, submit

if TYPE_CHECKING:
    from gui.window.main_window import MainWindow

DIAGNOSIS_IMAGES = 1000  # training images a stalled run's neurons are examined on
DIVERGED = (
    "Run and Step are off: training diverged. Reset starts a fresh network with the settings below."
)
NO_DATA = "Run and Step wait for the training data, which is loading."
SEARCHING = "Looking for settings that learn (trials of {n} mini-batches from the same seed)…"


class Recovery(QObject):
    """Offer a remedy on the failure banner (tried first from the same seed) and apply it."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.remedy: diagnosis.Remedy | None = None  # what the banner's fix button applies
        self._search: Job | None = None  # the trials looking for a remedy, while they run

    def offer(self, message: str) -> None:
        """Show ``message`` at once; offer a fix once a trial from the same seed shows it learns.

        The trials (0.3 to 0.9 s of training) run off the GUI thread: meanwhile the banner says
        what is being tried and offers Reset; a newer failure, Dismiss or Reset drops the answer.
        """
        if self._search is not None:
            self._search.cancel()
            self._search = None
        self.remedy = None
        w = self.window
        if w.data is None:
            w.banner.show_failure(message, offer_lower_rate=False)
            return
        searching = f"{message} {SEARCHING.format(n=diagnosis.TRIAL_BATCHES)}"
        w.banner.show_failure(searching, offer_lower_rate=False, offer_reset=True)
        network, train, seed = w.session.network, w.session.train, w.session.seed
        images, labels = w.data.train.images, w.data.train.labels
        job = self._search = submit(
            lambda _job: diagnosis.suggest_fix(network, images, labels, train, seed), parent=self
        )
        job.succeeded.connect(partial(self._found, job, message, searching, network))
        job.failed.connect(partial(self._found, job, message, searching, network, None))

    def searching(self) -> bool:
        """True while the trials for a fix run."""
        return self._search is not None and self._search.running()

    def _found(self, job, message: str, searching: str, network, remedy, *_failure) -> None:
        """The trials ended: offer what learned, unless the banner has moved on since."""
        if job is self._search:
            self._search = None
        banner = self.window.banner
        if banner.message() != searching:  # dismissed, reset, or a newer failure shown
            return
        self.remedy = remedy
        if remedy is None:
            banner.show_failure(message, offer_lower_rate=False)
            return
        change = remedy.describe(network)
        banner.show_failure(
            f"{message} Try {change}: a trial of {diagnosis.TRIAL_BATCHES} mini-batches from the "
            "same seed learned with it."
        )
        banner.lower_button.setText(f"Reset with {change}")
        banner.lower_button.setToolTip(
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
