"""The training worker: one QObject in one QThread, driving the engine's trainer.

The window calls the imperative methods (``run``, ``pause``, ``step_batch`` ...) from the GUI
thread; they only set ``threading.Event`` flags or queue a command, because a queued slot would
never run while the worker loops. The worker emits a light ``batch_trained`` after every
mini-batch and keeps the latest frozen ``Snapshot`` for the views to pull at their own rate
(at once after a step, a pause or a reset). While running, a new snapshot is taken at most 30
times a second and only once the previous one has been looked at: a copy nobody reads would cost
training time for nothing.
"""

from __future__ import annotations

import collections
import math
import queue
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from engine import limit_heap_growth
from engine.datasets import MnistData
from engine.errors import BackpropLabError, DivergenceError
from engine.network import Network, NetworkConfig
from engine.replay import HistoryRecord, SnapshotHistory
from engine.snapshot import Snapshot, network_of, take_parameters, take_snapshot
from engine.training import BatchReport, EpochReport, TrainConfig, Trainer, evaluate

PUBLISH_INTERVAL = 1 / 30
SWITCH_INTERVAL = 0.0005  # seconds; Python's default 5 ms would make the GUI wait for the GIL


@dataclass(frozen=True)
class NetworkStarted:
    """Marks, in the report stream, where a new network's reports begin."""

    branch: bool  # True when it continues a kept snapshot (the history up to it stays)


RUNNING, PAUSED, FAILED, FINISHED = "running", "paused", "failed", "finished"
KEPT_COMMANDS = ("load", "reset", "adopt", "resume", "teach", "play")  # a later pause keeps them


class TrainingWorker(QObject):
    """Trains in its own thread on command and reports every mini-batch and epoch."""

    batch_trained = Signal(object)  # BatchReport
    epoch_finished = Signal(object)  # EpochReport
    state_changed = Signal(str)  # RUNNING, PAUSED, FAILED or FINISHED (the thread has ended)
    training_failed = Signal(str)  # a message for the user: what happened, what to do
    network_reset = Signal(object)  # NetworkConfig of the fresh network
    data_loaded = Signal(object)  # MnistData now in use
    data_failed = Signal(str)  # why the data could not be loaded; the old data stays
    taught = Signal(object)  # engine.teach.TeachResult of a single-example step
    step_played = Signal(object)  # engine.step_story.StepStory of the mini-batch step just taken

    def __init__(self, config: NetworkConfig, train_config: TrainConfig, seed: int = 0) -> None:
        super().__init__()
        self._config = config
        self._train_config = train_config
        self._seed = seed
        self._data: MnistData | None = None
        self._trainer: Trainer | None = None
        self._commands: queue.SimpleQueue[tuple[str, object, int]] = queue.SimpleQueue()
        self._stops = 0  # bumped by pause, reset, load and quit; older commands are void
        self._wake = threading.Event()  # interrupts a slow-motion wait
        self._quit = threading.Event()
        self._pending_config: TrainConfig | None = None
        self._interval = 0.0  # seconds between mini-batches; 0 is full speed
        self._latest: Snapshot | None = None
        # Everything the views record, in order: BatchReport, EpochReport, and a NetworkStarted
        # marker when a new network (or a branch) begins, so a view never mixes two networks.
        self._reports: collections.deque[BatchReport | EpochReport | NetworkStarted] = (
            collections.deque()
        )
        self._history = SnapshotHistory()  # parameters every K mini-batches, for the timeline
        self._history_lock = threading.Lock()
        self._serial = 0  # counts published snapshots, so views redraw only when it changes
        self._published = 0.0
        self._looked_at = True  # the latest snapshot was read since it was published
        self._next_keep = 0  # examples_seen at which the next snapshot is kept
        self._epoch_costs: list[float] = []
        self._epoch_start = 0.0
        self.state = PAUSED
        self._thread = QThread()
        self._thread.setObjectName("training")
        self.moveToThread(self._thread)
        self._thread.started.connect(self._serve)

    def start(self) -> None:
        """Start the worker's thread; commands queued before this run once it is up.

        While this thread computes it holds the GIL; every time the GUI thread needs it back (for
        each event and each call into Qt) it waits up to the interpreter's switch interval. The
        default 5 ms turns a redraw into hundreds of milliseconds, so the interval is shortened.
        """
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))
        limit_heap_growth()  # a long run must not creep up in memory (bench/bench_soak.py)
        self._thread.start()

    def take_reports(self) -> list[BatchReport | EpochReport | NetworkStarted]:
        """Return and forget the reports since the last call, in order (safe from any thread).

        A view that draws every mini-batch pulls them in bulk at its own rate rather than
        handling thousands of queued signals a second; a NetworkStarted marker separates the
        reports of one network from the next.
        """
        reports = []
        while self._reports:
            reports.append(self._reports.popleft())
        return reports

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Stop training within one mini-batch, end the thread and wait for it."""
        self._quit.set()
        self._interrupt("quit")
        self._thread.quit()
        return self._thread.wait(timeout_ms)

    def latest_snapshot(self) -> Snapshot | None:
        """Return the most recently published snapshot (safe from any thread)."""
        self._looked_at = True
        return self._latest

    @property
    def snapshot_serial(self) -> int:
        """Return how many snapshots have been published; views redraw when it changes."""
        return self._serial

    @property
    def train_config(self) -> TrainConfig:
        """Return the hyper-parameters in use (or about to be, at the next mini-batch)."""
        return self._pending_config or self._train_config

    def load_data(self, loader: Callable[[], MnistData]) -> None:
        """Load a dataset in the worker thread, then start a fresh network on it."""
        self._interrupt("load", loader)

    def reset(self, config: NetworkConfig | None = None, seed: int | None = None) -> None:
        """Stop and start a new network (optionally with a new architecture or seed)."""
        self._interrupt("reset", (config, seed))

    def adopt(self, network: Network, epoch: int = 0, examples_seen: int = 0) -> None:
        """Stop and continue training from ``network`` (an opened model, a past snapshot)."""
        self._interrupt("adopt", (network, epoch, examples_seen))

    def resume_from(self, index: int) -> None:
        """Stop and continue training from kept snapshot ``index``: a new branch of the history."""
        self._interrupt("resume", index)

    def history_length(self) -> int:
        """Return how many past snapshots are kept (safe from any thread)."""
        with self._history_lock:
            return len(self._history)

    def history_record(self, index: int) -> HistoryRecord:
        """Return kept snapshot ``index`` (safe from any thread)."""
        with self._history_lock:
            return self._history.get(index)

    def history_label(self, index: int) -> str:
        """Return a one-line description of kept snapshot ``index``."""
        with self._history_lock:
            return self._history.label(index)

    def set_history_interval(self, batches: int) -> None:
        """Keep a snapshot every ``batches`` mini-batches from now on."""
        with self._history_lock:
            self._history.set_interval(batches)
        self._next_keep = 0  # the next mini-batch is kept and spaces the rest by the new K

    def history_bytes(self) -> int:
        """Return the memory the kept snapshots use."""
        with self._history_lock:
            return self._history.memory_bytes()

    def teach(self, x: np.ndarray, label: int) -> None:
        """Pause and apply one SGD step on the single example x (784 floats) labelled ``label``."""
        self._interrupt("teach", (np.array(x, np.float32).reshape(-1), int(label)))

    def play_step(self) -> None:
        """Pause, take the next mini-batch step, and emit its story (``step_played``)."""
        self._interrupt("play")

    def run(self) -> None:
        """Train until paused."""
        self._queue("run")

    def pause(self) -> None:
        """Stop after the current mini-batch; queued steps are dropped."""
        self._interrupt(None)

    def step_batch(self) -> None:
        """Train exactly one mini-batch."""
        self.run_batches(1)

    def run_batches(self, count: int) -> None:
        """Train ``count`` mini-batches, then pause."""
        self._queue("batches", count)

    def step_epoch(self) -> None:
        """Train one epoch's worth of examples from where training is, then pause."""
        self._queue("epoch")

    def run_to_epoch_end(self) -> None:
        """Train until the current epoch ends, then pause."""
        self._queue("epoch_end")

    def set_train_config(self, config: TrainConfig) -> None:
        """Use new hyper-parameters from the next mini-batch on."""
        self._pending_config = config

    def set_speed(self, batches_per_second: float) -> None:
        """Limit training to this many mini-batches per second; 0 means full speed."""
        self._interval = 1.0 / batches_per_second if batches_per_second > 0 else 0.0
        self._wake.set()

    def _queue(self, name: str, arg: object = None) -> None:
        """Queue a training command; a running loop yields to it after its current batch."""
        self._commands.put((name, arg, self._stops))
        self._wake.set()

    def _interrupt(self, name: str | None, arg: object = None) -> None:
        """Void every queued training command and stop the loop, then queue ``name`` if given."""
        self._stops += 1
        if name is not None:
            self._commands.put((name, arg, self._stops))
        self._wake.set()

    @Slot()
    def _serve(self) -> None:
        """Handle commands until told to quit (runs in the worker thread)."""
        while not self._quit.is_set():
            name, arg, token = self._commands.get()
            if name == "quit":
                break
            if token != self._stops and name not in KEPT_COMMANDS:
                continue  # a training command that a pause or reset came after
            try:
                self._handle(name, arg, token)
            except Exception as exc:  # noqa: BLE001 - the thread must survive to report it
                self._fail(f"Internal error in the training thread: {exc!r}")
        self._set_state(FINISHED)

    def _handle(self, name: str, arg: object, token: int) -> None:
        """Carry out one command in the worker thread."""
        if name == "load":
            self._load(arg)
        elif name == "reset":
            self._reset(*arg)
        elif name == "adopt":
            self._adopt(*arg)
        elif name == "resume":
            self._resume(arg)
        elif self._trainer is None:
            return
        elif name == "teach":
            self._teach(*arg)
        elif name == "play":
            self._play()
        elif self.state != FAILED:
            self._train(name, arg, token)

    def _set_state(self, state: str) -> None:
        """Record and announce a state change."""
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)

    def _load(self, loader: Callable[[], MnistData]) -> None:
        """Replace the dataset if it loads; on failure keep the old one and say why.

        The loader (which may be a download waiting on a silent server) runs in a daemon thread,
        so closing the window never waits for it: the worker stops watching at once and the
        abandoned thread ends with its own timeout or with the process.
        """
        outcome: dict[str, object] = {}

        def load() -> None:
            try:
                outcome["data"] = loader()
            except BaseException as exc:  # noqa: BLE001 - handed back to the worker thread
                outcome["error"] = exc

        thread = threading.Thread(target=load, name="data-loader", daemon=True)
        thread.start()
        while thread.is_alive():
            thread.join(0.05)
            if self._quit.is_set():
                return
        error = outcome.get("error")
        if isinstance(error, BackpropLabError):
            self.data_failed.emit(str(error))
            return
        if isinstance(error, OSError | MemoryError | ValueError):  # unreadable, too big, malformed
            self.data_failed.emit(f"Could not load the data: {error}")
            return
        if error is not None:
            raise error
        data = outcome["data"]
        self._data = data
        self.data_loaded.emit(data)
        self._reset(None, None)

    def _reset(self, config: NetworkConfig | None, seed: int | None) -> None:
        """Build a fresh network from the seed and publish its first snapshot."""
        self._config = config or self._config
        self._seed = self._seed if seed is None else seed
        rng = np.random.default_rng(np.random.SeedSequence([self._seed, 0]))
        self._adopt(Network(self._config, rng), 0, 0)

    def _resume(self, index: int) -> None:
        """Adopt a kept snapshot's parameters and drop the history after it."""
        with self._history_lock:
            if not 0 <= index < len(self._history):
                return
            record = self._history.get(index)
            self._history.branch_from(index)
        self._adopt(network_of(record.as_snapshot()), record.epoch, record.examples_seen, True)

    def _adopt(
        self, network: Network, epoch: int, examples_seen: int, branch: bool = False
    ) -> None:
        """Make ``network`` the one being trained, on the current data, and publish it.

        A fresh or opened network starts an empty history; a resumed one (``branch``) keeps the
        history up to the point it was resumed from.
        """
        self._config = network.config
        if self._pending_config is not None:
            self._train_config, self._pending_config = self._pending_config, None
        if self._data is None:
            return
        train = self._data.train
        self._trainer = Trainer(network, train.images, train.labels, self._train_config, self._seed)
        self._trainer.resume_at(epoch, examples_seen)
        self._epoch_costs = []
        self._reports.append(NetworkStarted(branch))
        if not branch:
            with self._history_lock:
                self._history.clear()
        self._publish()
        self._keep(force=True)
        self._set_state(PAUSED)
        self.network_reset.emit(self._config)

    def _teach(self, x: np.ndarray, label: int) -> None:
        """Apply one SGD step on one example and report it."""
        from engine.teach import teach_step  # written with the drawing pad

        result = teach_step(self._trainer.network, x, label, self.train_config.learning_rate)
        self._set_state(PAUSED)
        self._publish()
        self.taught.emit(result)

    def _play(self) -> None:
        """Take one mini-batch step as training does, with its story told before and after it.

        Emits the story, or None when no step could be taken (training failed).
        """
        from engine.step_story import finish_story, prepare_story

        trainer = self._trainer
        if self.state == FAILED:
            self.step_played.emit(None)
            return
        before = self._latest
        if before is None or before.examples_seen != trainer.examples_seen:
            before = take_snapshot(trainer, self._data.train.images)
        story = prepare_story(trainer, self._data.train.images, self.train_config, before)
        self._train("batches", 1, self._stops)  # one batch, whatever came after the command
        stepped = trainer.examples_seen == before.examples_seen + story.batch_size
        self.step_played.emit(finish_story(story, self._latest) if stepped else None)

    def _train(self, mode: str, arg: object, token: int) -> None:
        """Train in the given mode until it is done, interrupted, or training fails."""
        trainer = self._trainer
        if mode == "batches":
            remaining = int(arg)
        elif mode == "epoch":
            remaining = math.ceil(trainer.n_train / trainer.config.batch_size)
        else:
            remaining = -1  # "run" and "epoch_end": no count
        self._set_state(RUNNING)
        next_time = time.perf_counter()
        while remaining != 0 and token == self._stops:
            if self._pending_config is not None:
                trainer.config, self._pending_config = self._pending_config, None
                self._train_config = trainer.config
            if not self._epoch_costs:
                self._epoch_start = time.perf_counter()
            try:
                report = trainer.step_batch()
            except DivergenceError as exc:
                self._fail(str(exc))
                return
            self._epoch_costs.append(report.cost)
            self._reports.append(report)
            self.batch_trained.emit(report)
            if report.examples_seen >= self._next_keep:
                self._keep(cost=report.cost)
            if report.epoch_done:
                self._finish_epoch()
                if mode == "epoch_end":
                    break
            remaining -= 1
            if not self._commands.empty():
                break  # a newer command (a step while running, say) takes over
            now = time.perf_counter()
            if self._looked_at and now - self._published >= PUBLISH_INTERVAL:
                self._publish()
            if self._interval > 0 and remaining != 0:
                next_time = max(next_time + self._interval, now)
                self._sleep_until(next_time, token)
        self._publish()
        self._keep(force=True)
        self._set_state(PAUSED)

    def _keep(self, cost: float = math.nan, force: bool = False) -> None:
        """Add the parameters now to the history (it keeps one every K mini-batches)."""
        snapshot = self._latest
        if snapshot is None:
            return
        if snapshot.examples_seen != self._trainer.examples_seen:
            snapshot = take_parameters(self._trainer)  # the history keeps nothing else
        with self._history_lock:
            self._history.add(snapshot, cost, force=force)
            k = self._history.interval * self._trainer.config.batch_size
        self._next_keep = self._trainer.examples_seen + k

    def _sleep_until(self, deadline: float, token: int) -> None:
        """Wait for the slow-motion deadline unless a command or a speed change arrives."""
        while token == self._stops and self._commands.empty():
            self._wake.clear()
            left = min(deadline, time.perf_counter() + self._interval) - time.perf_counter()
            if left <= 0 or not self._commands.empty() or token != self._stops:
                return
            self._wake.wait(left)

    def _finish_epoch(self) -> None:
        """Evaluate on the test set and report the epoch."""
        trainer = self._trainer
        test = evaluate(trainer.network, self._data.test.images, self._data.test.labels)
        report = EpochReport(
            epoch=trainer.epoch,
            train_cost=float(np.mean(self._epoch_costs)),
            test_cost=test.cost,
            test_accuracy=test.accuracy,
            seconds=time.perf_counter() - self._epoch_start,
        )
        self._epoch_costs = []
        self._reports.append(report)
        self.epoch_finished.emit(report)

    def _fail(self, message: str) -> None:
        """Stop training after a divergence; the last finite snapshot stays on screen."""
        if self._trainer is not None and self._trainer.network.all_finite():
            self._publish()
        self._set_state(FAILED)
        self.training_failed.emit(message)

    def _publish(self) -> None:
        """Make a fresh snapshot available to the views."""
        if self._trainer is not None:
            snapshot = take_snapshot(self._trainer, self._data.train.images)
            self._looked_at = False  # before the swap: a look from now on sees the new one
            self._latest = snapshot
            self._published = time.perf_counter()
            self._serial += 1
