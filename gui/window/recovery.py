"""Recovery: when training diverges or stalls, say why and offer settings that learn."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QObject, QTimer, Signal

from engine.core.training import TrainConfig
from engine.session import diagnosis
from engine.session.snapshot import network_of
from engine.session.stall import stall_summary
from engine.session.worker import FAILED
from gui.background import Job, submit
from gui.lab import Lab
from gui.window.failure_banner import FailureBanner

DIAGNOSIS_IMAGES = 1000  # training images a stalled run's neurons are examined on
DIVERGED = (
    "Run and Step are off: training diverged. Reset starts a fresh network with the settings below."
)
NO_DATA = "Run and Step wait for the training data, which is loading."
SEARCHING = "Looking for settings that learn (trials of {n} mini-batches from the same seed)…"


class Recovery(QObject):
    """Offer a remedy on the failure banner (tried first from the same seed) and apply it.

    Built from the lab and the failure banner, which it alone writes on (the lab's failures too);
    ``blocked`` says whether training can run
    (Run, the steps and the controls' note follow it).
    """

    blocked = Signal(str)  # why training cannot run now, '' when it can

    def __init__(self, lab: Lab, banner: FailureBanner) -> None:
        super().__init__(lab)
        self.lab = lab
        self.banner = banner
        self.remedy: diagnosis.Remedy | None = None  # what the banner's fix button applies
        self._search: Job | None = None  # the trials looking for a remedy, while they run
        lab.state_changed.connect(self.update_actions)
        lab.data_changed.connect(lambda _data: self.update_actions(lab.worker.state))
        lab.network_reset.connect(lambda _config: self.update_actions(lab.worker.state))
        lab.worker.training_failed.connect(self.offer)
        lab.record.stalled.connect(self.on_stalled)
        lab.failure.connect(lambda message: banner.show_failure(message, offer_lower_rate=False))
        lab.resetting.connect(banner.hide)
        banner.lower_rate_requested.connect(self.apply)
        banner.reset_requested.connect(lambda: lab.reset(ask=False))

    def offer(self, message: str) -> None:
        """Show ``message`` at once; offer a fix once a trial from the same seed shows it learns.

        The trials (0.3 to 0.9 s of training) run off the GUI thread: meanwhile the banner says
        what is being tried and offers Reset; a newer failure, Dismiss or Reset drops the answer.
        """
        if self._search is not None:
            self._search.cancel()
            self._search = None
        self.remedy = None
        lab = self.lab
        if lab.data is None:
            self.banner.show_failure(message, offer_lower_rate=False)
            return
        searching = f"{message} {SEARCHING.format(n=diagnosis.TRIAL_BATCHES)}"
        self.banner.show_failure(searching, offer_lower_rate=False, offer_reset=True)
        network, train, seed = lab.session.network, lab.session.train, lab.session.seed
        images, labels = lab.data.train.images, lab.data.train.labels
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
        banner = self.banner
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
        banner.lower_button.setText("Reset &with " + change.replace("&", "&&"))  # Alt+W, as Lower
        banner.lower_button.setToolTip(
            "Start a fresh network from the same seed with these settings."
        )

    def apply(self) -> None:
        """Use the settings the banner offers and start a fresh network with them."""
        remedy = self.remedy
        if remedy is None:
            return
        t = self.lab.session.train
        train = TrainConfig(remedy.learning_rate, t.batch_size, t.momentum, t.l2)
        self.lab.choose(train=train, network=remedy.config)  # the worker and controls follow
        self.remedy = None
        self.lab.reset(ask=False, config=remedy.config)

    def blocked_reason(self, state: object) -> str:
        """Return why training cannot run in worker ``state``, or '' if it can."""
        if state == FAILED:
            return DIVERGED
        if self.lab.data is None:
            return NO_DATA
        return ""

    def update_actions(self, state: object) -> None:
        """Say whether training can run (Run and the steps are on exactly then), and if not why."""
        self.blocked.emit(self.blocked_reason(state))

    def on_stalled(self) -> None:
        """The run stopped learning: pause it, then say why once the epoch's report is shown."""
        self.lab.pause()
        QTimer.singleShot(0, self.explain_stall)

    def explain_stall(self) -> None:
        """Say why the run stalled (from its neurons) and offer settings that learn."""
        lab = self.lab
        snapshot = lab.worker.latest_snapshot()
        if snapshot is None or lab.data is None:
            return
        images = lab.data.train.images[:DIAGNOSIS_IMAGES]
        found = diagnosis.diagnose(network_of(snapshot), images)
        e, rate = lab.record.last_epoch, lab.session.train.learning_rate
        summary = stall_summary(e.epoch, e.test_accuracy, rate) if e else "Training has stalled."
        self.offer(f"{summary} {found.reason}")
