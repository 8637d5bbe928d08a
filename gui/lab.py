"""The lab: the one model behind the main window.

It owns the training worker, the hyper-parameters (one ``Session``, announced by one signal,
``session_changed``, that the worker, the saved settings and the controls all follow), the data
in use, the live run's record and the status messages. Each of the window's helpers is built
from the lab and the widgets it drives, and hears of the others only through the lab's signals.
It imports no room, so every room may use it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, is_dataclass, replace
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal

from engine.core.network import Network, NetworkConfig
from engine.core.training import TrainConfig
from engine.data.datasets import MnistData
from engine.errors import printable
from engine.session.history import TrainingHistory
from engine.session.snapshot import Snapshot
from engine.session.training_run import NetworkStarted
from engine.session.worker import TrainingWorker
from gui.run_record import RunRecord
from gui.settings import DEFAULTS, Session, load_session, reader, save_session

Question = Callable[[str, str], bool]  # (title, text) -> the learner said yes


def _no(_title: str, _text: str) -> bool:
    """The answer until the window gives the lab its dialogs: nothing is lost unasked."""
    return False


class Lab(QObject):
    """The worker, the hyper-parameters, the data, the live run's record and the messages."""

    session_changed = Signal(object)  # Session: the worker, the saved settings, the controls follow
    data_changed = Signal(object)  # MnistData now in use
    state_changed = Signal(object)  # the worker's state, once the record knows it
    network_reset = Signal(object)  # NetworkConfig: a fresh network is in place (GUI thread)
    message = Signal(str, int)  # a passing status message, and how long it shows (ms)
    failure = Signal(str)  # a problem for the failure banner, with no remedy to offer
    interrupted = Signal()  # another action took the network: a Run toward its goal ends
    resetting = Signal()  # a fresh network is on its way: the banner's failure is old news
    network_replacing = Signal()  # an opened model or run, or a resumed moment, replaces it
    # The network that ends (unless a Teach step is undone): history, snapshot shown, branch, at
    network_ending = Signal(object, object, bool, object)
    views_stale = Signal()  # the network changed: pull it into the views now
    live_requested = Signal()  # show the live network, not a moment scrubbed to
    status_stale = Signal()  # say the status now, even while training

    def __init__(
        self, settings: QSettings, data: str | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.stored = reader(settings)  # every key typed and checked; writes keep refusals
        self.settings_problems = self.stored.read_all()  # stored values not used, and why
        self.typed = load_session(self.stored)  # what the learner chose, saved for next launch
        self._saved: Session | None = self.typed  # as the settings file holds it
        self.session = self.typed if data is None else replace(self.typed, data=data)
        self.record = RunRecord(self)
        self.data: MnistData | None = None
        s = self.session
        self.worker = TrainingWorker(s.network, s.train, s.seed)
        self.worker.set_speed(s.speed)
        self._speed = s.speed
        self.worker.state_changed.connect(self._on_worker_state)
        self.worker.network_reset.connect(self._on_network_reset)
        self.session_changed.connect(self._worker_follows)
        self.session_changed.connect(self._settings_follow)
        self.confirm: Question = _no  # "work would be lost: go on?"; the window's dialog asks
        self.confirm_replace: Question = _no  # "replace this file?"
        self._undo_unsaved: bool | None = None  # an undo under way: the unsaved flag before it

    # The hyper-parameters: one Session, one signal.

    def choose(self, **changes: object) -> None:
        """The learner chose these settings: use them, show them and save them for next launch.

        Only the fields the learner changed are saved: after opening a run with eta = 0.3, a
        new mini-batch size is saved with the learning rate the learner last chose, not 0.3.
        """
        typed = {}
        for name, value in changes.items():
            shown, saved = getattr(self.session, name), getattr(self.typed, name)
            if is_dataclass(value) and type(saved) is type(value):
                edited = {
                    f.name: getattr(value, f.name)
                    for f in fields(value)
                    if getattr(value, f.name) != getattr(shown, f.name)
                }
                value = replace(saved, **edited)
            typed[name] = value
        self.typed = replace(self.typed, **typed)
        self._saved = None  # chosen: written even if unchanged (a refused value is replaced)
        self.show_opened(**changes)

    def show_opened(self, **changes: object) -> None:
        """Use and show an opened run's or model's settings without saving them as the learner's.

        The next launch starts a fresh network with the settings the learner chose.
        """
        self.session = replace(self.session, **changes)
        self.session_changed.emit(self.session)

    def _worker_follows(self, session: Session) -> None:
        """The worker trains with the session's hyper-parameters from its next mini-batch."""
        if self.worker.train_config != session.train:
            self.worker.set_train_config(session.train)
        if session.speed != self._speed:
            self._speed = session.speed
            self.worker.set_speed(session.speed)

    def _settings_follow(self, _session: Session) -> None:
        """The settings file keeps what the learner chose (not an opened model's values)."""
        if self.typed != self._saved:
            self._saved = self.typed
            save_session(self.stored, self.typed)

    def restore_defaults(self) -> None:
        """Return every setting to the seed network's and start afresh."""
        if not self.reset(config=DEFAULTS.network, seed=DEFAULTS.seed):
            return
        self.session = self.typed = self._saved = Session(data=self.session.data)
        save_session(self.settings, self.session)  # asked for: refused values go too
        self.session_changed.emit(self.session)

    def settings_report(self) -> str:
        """What the launch said of the stored settings it could not use ('' if none)."""
        if not self.settings_problems:
            return ""
        return (
            f"Some saved settings in {printable(self.settings.fileName())} were out of range "
            "or unreadable and were not used (they stay there until you change them): "
            + "; ".join(self.settings_problems)
        )

    # The data, the messages.

    def set_data(self, data: MnistData) -> None:
        """The worker trains on ``data`` now."""
        self.data = data
        self.data_changed.emit(data)

    def say(self, text: str, ms: int = 5000) -> None:
        """Show a passing message in the status bar."""
        self.message.emit(text, ms)

    def report(self, text: str) -> None:
        """Show a problem on the failure banner."""
        self.failure.emit(text)

    # What the helpers ask of the network, through the worker.

    def interrupt(self) -> None:
        """Another action takes the network: a Run toward its epoch goal stops here."""
        self.interrupted.emit()

    def step(self, command: Callable[[], None]) -> None:
        """The learner asks for a step (a mini-batch, an epoch, to the epoch's end, a played one).

        A Run toward its goal ends, the views go back to the live network (the step moves that
        one, not a moment scrubbed to), and only then is the worker told. The views go live when
        the learner asks, not when the worker says it runs: a "running" heard late, after a
        scrub paused it again, would take the learner away from the moment they chose.
        """
        self.interrupt()
        self.show_live()
        command()

    def pause(self) -> None:
        """Stop training after the current mini-batch, ending any Run.

        The worker hears first: each signal emitted lets the worker's thread run, and a command
        queued just before (Space twice at once) should be voided before it starts.
        """
        self.worker.pause()
        self.interrupt()

    def reset(
        self, ask: bool = True, config: NetworkConfig | None = None, seed: int | None = None
    ) -> bool:
        """Start a fresh network, asking first if trained work would be lost."""
        if (
            ask
            and self.record.unsaved
            and not self.confirm(
                "Start a new network?", "The current network's training will be lost."
            )
        ):
            return False
        self.resetting.emit()
        self.interrupt()
        self.worker.reset(config, seed)
        return True

    def reset_new_seed(self) -> None:
        """Reset with the next seed, which the controls then show."""
        seed = (self.session.seed + 1) % 2**31
        if self.reset(seed=seed):
            self.choose(seed=seed)

    def continue_from(
        self,
        network: Network,
        epoch: int,
        seen: int,
        train: TrainConfig,
        history: TrainingHistory,
        path: Path | None,
        note: str | None = None,
    ) -> None:
        """Train ``network`` (an opened model's or a kept run's) from here on, with its history."""
        self.interrupt()
        self.network_replacing.emit()
        if note is not None:
            self.record.start_notes[seen] = note
        self.show_opened(network=network.config, train=train)  # the worker follows
        self.record.pending_history = history
        self.worker.adopt(network, epoch, seen)
        self.record.model_path = path

    def resume_from(self, index: int) -> None:
        """Continue training from kept snapshot ``index`` as a new branch of the history."""
        if not 0 <= index < self.worker.kept_count():
            return
        kept = self.worker.kept_snapshot(index)
        self.record.resume_point = kept.examples_seen / kept.n_train
        self.record.scrubbed = None
        self.interrupt()
        self.network_replacing.emit()
        self.record.start_notes[kept.examples_seen] = "resumed"
        self.worker.resume_from(index)

    def expect_undo(self, unsaved: bool) -> None:
        """The next network is an undone Teach step's: the same run goes on, ``unsaved`` as was."""
        self._undo_unsaved = unsaved

    def undo_pending(self) -> bool:
        """True while an undone Teach step's network is on its way."""
        return self._undo_unsaved is not None

    def begin_network(self, started: NetworkStarted, shown: Snapshot | None) -> None:
        """A new network: the run that ends is announced (unless an undo); the record begins."""
        undone, self._undo_unsaved = self._undo_unsaved, None
        if undone is None:
            r = self.record
            ending = shown if r.scrubbed is None else None
            self.network_ending.emit(r.history, ending, started.branch, r.resume_point)
        self.record.begin(started, undone)

    def measure_latest(self) -> None:
        """Measure the latest network's test accuracy (off the GUI thread)."""
        self.record.measure(self.worker.latest_snapshot(), self.data)

    def refresh_views(self) -> None:
        """Pull the latest network into the views now."""
        self.views_stale.emit()

    def show_live(self) -> None:
        """Show the live network again (training or Teach act on it, not on a past moment)."""
        self.live_requested.emit()

    def refresh_status(self) -> None:
        """Say the status now."""
        self.status_stale.emit()

    def _on_worker_state(self, state: object) -> None:
        """The record knows the worker's state before any helper hears of it."""
        self.record.state = state
        self.state_changed.emit(state)

    def _on_network_reset(self, config: NetworkConfig) -> None:
        """A new network is in place: say so, and measure its test accuracy, as it began.

        The helpers hear the worker's news from the lab, on the GUI thread: a lambda connected
        to the worker's own signal would run in the worker's thread.
        """
        self.network_reset.emit(config)
        self.record.measure_new(self.worker.latest_snapshot(), self.data)
