"""One network in training on one dataset: what the worker thread drives and the views read.

Plain Python, no Qt: the trainer and the generator of its reports, the hyper-parameters waiting
for the next mini-batch, the queue of reports for the views, the latest published ``Snapshot``
and the kept snapshots the timeline scrubs. ``engine.session.worker`` runs it in its thread; the GUI
thread only calls the methods marked safe from any thread.
"""

from __future__ import annotations

import collections
import dataclasses
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.core.network import Network, NetworkConfig
from engine.core.training import BatchReport, EpochReport, TrainConfig, Trainer
from engine.data.datasets import MnistData
from engine.errors import DataError
from engine.lessons.step_story import StepStory, finish_story, prepare_story
from engine.lessons.teach import TeachResult, teach_step
from engine.session.replay import KeptSnapshot, KeptSnapshots
from engine.session.snapshot import Snapshot, network_of, take_parameters, take_snapshot

PUBLISH_INTERVAL = 1 / 30  # seconds between snapshots while running, at most


@dataclass(frozen=True)
class NetworkStarted:
    """Marks, in the report stream, where a new network's reports begin."""

    branch: bool  # True when it continues a kept snapshot (the snapshots up to it stay)


def load_in_background(loader: Callable[[], MnistData], stop: threading.Event) -> MnistData | None:
    """Run ``loader`` in a daemon thread and return its data; None if ``stop`` is set first.

    A download waiting on a silent server never holds up closing the window: the caller stops
    watching at once and the abandoned thread ends with its own timeout or with the process.
    Unreadable, oversized or malformed data raises ``DataError``; anything else is re-raised.
    """
    outcome: dict[str, object] = {}

    def load() -> None:
        try:
            outcome["data"] = loader()
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=load, name="data-loader", daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(0.05)
        if stop.is_set():
            return None
    error = outcome.get("error")
    if isinstance(error, OSError | MemoryError | ValueError):
        raise DataError(f"Could not load the data: {error}") from error
    if error is not None:
        raise error
    return outcome["data"]


def fit_outputs(config: NetworkConfig, data: MnistData | None) -> NetworkConfig:
    """Return ``config`` with one output neuron per class of ``data`` (unchanged without data)."""
    if data is None or config.sizes[-1] == data.n_classes:
        return config
    return dataclasses.replace(config, sizes=(*config.sizes[:-1], data.n_classes))


class Pacer:
    """Slow motion: spaces mini-batches ``interval`` seconds apart; any thread may change it."""

    def __init__(self) -> None:
        self.interval = 0.0  # seconds between mini-batches; 0 is full speed
        self._wake = threading.Event()  # interrupts a wait: a new command, a new speed
        self._next_time = 0.0
        self.waiting = False  # True while ``wait`` waits (read from any thread)

    def set_speed(self, batches_per_second: float) -> None:
        """Train this many mini-batches per second from now on; 0 means full speed (any thread)."""
        self.interval = 1.0 / batches_per_second if batches_per_second > 0 else 0.0
        self._wake.set()

    def wake(self) -> None:
        """End the current wait early (any thread)."""
        self._wake.set()

    def begin(self) -> None:
        """Start timing a stretch of training: the first mini-batch is due now."""
        self._next_time = time.perf_counter()

    def wait(self, interrupted: Callable[[], bool]) -> None:
        """Wait until the next mini-batch is due, unless ``interrupted()`` or ``wake`` says stop."""
        if self.interval <= 0:
            return
        self._next_time = max(self._next_time + self.interval, time.perf_counter())
        self._wake.clear()
        self.waiting = True
        try:
            while not interrupted():
                now = time.perf_counter()
                left = min(self._next_time, now + self.interval) - now
                if left <= 0 or self._wake.wait(left):
                    return
        finally:
            self.waiting = False


class TrainingRun:
    """The network being trained, its data, its reports, its latest snapshot and its kept ones."""

    def __init__(self, config: NetworkConfig, train_config: TrainConfig, seed: int = 0) -> None:
        self.config, self.seed = config, seed
        self._train_config = train_config
        self._pending_config: TrainConfig | None = None  # the newest edit, for the next batch
        self._config_lock = threading.Lock()  # an edit never lands between reading and clearing
        self.data: MnistData | None = None
        self.trainer: Trainer | None = None
        self._feed = iter(())  # the trainer's generator of BatchReports and EpochReports
        self._reports: collections.deque[BatchReport | EpochReport | NetworkStarted] = (
            collections.deque()
        )
        self.kept = KeptSnapshots()  # parameters every K mini-batches; guards itself
        self._latest: Snapshot | None = None
        self.serial = 0  # counts published snapshots, so views redraw only when it changes
        self._published = 0.0
        self._looked_at = True  # the latest snapshot was read since it was published
        self._next_keep = 0  # examples_seen at which the next snapshot is kept

    @property
    def train_config(self) -> TrainConfig:
        """The hyper-parameters in use, or about to be at the next mini-batch (any thread)."""
        with self._config_lock:
            return self._pending_config or self._train_config

    def set_train_config(self, config: TrainConfig) -> None:
        """Use ``config`` from the next mini-batch on; the latest call always wins (any thread)."""
        with self._config_lock:
            self._pending_config = config

    def take_reports(self) -> list[BatchReport | EpochReport | NetworkStarted]:
        """Return and forget the reports since the last call, in order (any thread)."""
        reports = []
        while self._reports:
            reports.append(self._reports.popleft())
        return reports

    def latest_snapshot(self) -> Snapshot | None:
        """Return the most recently published snapshot (any thread)."""
        self._looked_at = True
        return self._latest

    def set_keep_interval(self, batches: int) -> None:
        """Keep a snapshot every ``batches`` mini-batches from now on (any thread)."""
        self.kept.set_interval(batches)
        self._next_keep = 0  # the next mini-batch is kept and spaces the rest by the new K

    def load(self, loader: Callable[[], MnistData], stop: threading.Event) -> MnistData | None:
        """Load a dataset (see ``load_in_background``) and train on it from the next network."""
        data = load_in_background(loader, stop)
        if data is not None:
            self.data = data
        return data

    def batches_per_epoch(self) -> int:
        """Return how many mini-batches one epoch of the training set takes, at today's size."""
        return math.ceil(self.trainer.n_train / self.train_config.batch_size)

    def take_pending_config(self) -> None:
        """Hand the newest hyper-parameters to the trainer, read and cleared under one lock."""
        with self._config_lock:
            config, self._pending_config = self._pending_config, None
        if config is not None:
            self._train_config = config
            if self.trainer is not None:
                self.trainer.config = config

    def reset(self, config: NetworkConfig | None, seed: int | None) -> bool:
        """Start a new network drawn from the seed (both as given, or as before); see ``start``.

        The output layer always has one neuron per class of the data in use.
        """
        self.config = fit_outputs(config or self.config, self.data)
        self.seed = self.seed if seed is None else seed
        rng = np.random.default_rng(np.random.SeedSequence([self.seed, 0]))
        return self.start(Network(self.config, rng))

    def start(
        self, network: Network, epoch: int = 0, examples_seen: int = 0, branch: bool = False
    ) -> bool:
        """Train ``network`` from now on, on the current data; False if there is no data yet.

        A fresh or opened network keeps no snapshots yet; a resumed one (``branch``) keeps
        those up to the point it was resumed from.
        """
        self.config = network.config
        self.take_pending_config()
        if self.data is None:
            return False
        train = self.data.train
        self.trainer = Trainer(network, train.images, train.labels, self._train_config, self.seed)
        self.trainer.resume_at(epoch, examples_seen)
        self.restart_feed()
        self._reports.append(NetworkStarted(branch))
        if not branch:
            self.kept.clear()
        self.publish()
        self.keep(force=True)
        return True

    def resume(self, index: int) -> bool:
        """Continue from kept snapshot ``index``, dropping those after it; False if none."""
        record = self.kept.resume_at(index)
        if record is None:
            return False
        network = network_of(record.as_snapshot())
        return self.start(network, record.epoch, record.examples_seen, branch=True)

    def restart_feed(self) -> None:
        """Start a new generator of reports (the old one ends when training diverges)."""
        test = self.data.test
        self._feed = self.trainer.reports(test.images, test.labels)

    def recover(self) -> None:
        """After a failure, publish the network if it is still finite and restart the feed."""
        if self.trainer is not None:
            if self.trainer.network.all_finite():
                self.publish()
            self.restart_feed()

    def teach(self, x: np.ndarray, label: int) -> TeachResult:
        """Apply one SGD step on the single example (x, label), publish and return the result."""
        result = teach_step(self.trainer.network, x, label, self.train_config.learning_rate)
        self.publish()
        return result

    def prepare_story(self) -> StepStory:
        """Return the story of the mini-batch step training takes next
        (engine.lessons.step_story)."""
        self.take_pending_config()  # the story and the step use the same hyper-parameters
        images = self.data.train.images
        before = self._latest
        if before is None or before.examples_seen != self.trainer.examples_seen:
            before = take_snapshot(self.trainer, images)
        return prepare_story(self.trainer, images, self.train_config, before)

    def finish_story(self, story: StepStory) -> StepStory | None:
        """Return ``story`` told to its end, or None if its step was not taken (it failed)."""
        stepped = self.trainer.examples_seen == story.before.examples_seen + story.batch_size
        return finish_story(story, self._latest) if stepped else None

    def next_report(self) -> BatchReport | EpochReport:
        """Train the next mini-batch, or evaluate the epoch it ended; record and return the report.

        Raises ``DivergenceError`` when training blows up.
        """
        self.take_pending_config()
        report = next(self._feed)
        self._reports.append(report)
        if isinstance(report, BatchReport) and report.examples_seen >= self._next_keep:
            self.keep(report.cost)
        return report

    def keep(self, cost: float = math.nan, force: bool = False) -> None:
        """Offer the parameters now to the kept snapshots (they keep one every K mini-batches)."""
        trainer, snapshot = self.trainer, self._latest
        if snapshot is None:
            return
        if snapshot.examples_seen != trainer.examples_seen:
            snapshot = take_parameters(trainer)  # a kept snapshot holds nothing else
        self.kept.add(snapshot, cost, force=force)
        self._next_keep = trainer.examples_seen + self.kept.interval * trainer.config.batch_size

    def settle(self) -> None:
        """Publish the state now and keep it, as training stops."""
        self.publish()
        self.keep(force=True)

    def publish(self, when_due: bool = False) -> None:
        """Make a fresh snapshot available to the views (``when_due``: if looked at and due)."""
        now = time.perf_counter()
        if when_due and not (self._looked_at and now - self._published >= PUBLISH_INTERVAL):
            return
        if self.trainer is not None:
            snapshot = take_snapshot(self.trainer, self.data.train.images)
            self._looked_at = False  # before the swap: a look from now on sees the new one
            self._latest = snapshot
            self._published = now
            self.serial += 1


class TrainingRunReader:
    """What any thread may ask of a worker about its ``TrainingRun`` (kept in ``self._run``).

    A mixin for ``engine.session.worker.TrainingWorker``: every method here is safe from the GUI
    thread, because the run's queue, its config lock and its self-guarding kept snapshots make it
    so.
    """

    _run: TrainingRun

    @property
    def seed(self) -> int:
        """The seed the network and the order of its mini-batches are drawn from."""
        return self._run.seed

    @property
    def examples_seen(self) -> int:
        """Examples trained on so far by the network in training (any thread: one int read)."""
        trainer = self._run.trainer
        return 0 if trainer is None else trainer.examples_seen

    @property
    def snapshot_serial(self) -> int:
        """Return how many snapshots have been published; views redraw when it changes."""
        return self._run.serial

    @property
    def train_config(self) -> TrainConfig:
        """Return the hyper-parameters in use (or about to be, at the next mini-batch)."""
        return self._run.train_config

    def set_train_config(self, config: TrainConfig) -> None:
        """Use new hyper-parameters from the next mini-batch on; the latest call always wins."""
        self._run.set_train_config(config)

    def take_reports(self) -> list[BatchReport | EpochReport | NetworkStarted]:
        """Return and forget the reports since the last call, in order."""
        return self._run.take_reports()

    def latest_snapshot(self) -> Snapshot | None:
        """Return the most recently published snapshot."""
        return self._run.latest_snapshot()

    def set_keep_interval(self, batches: int) -> None:
        """Keep a snapshot every ``batches`` mini-batches from now on."""
        self._run.set_keep_interval(batches)

    def kept_count(self) -> int:
        """Return how many past snapshots are kept."""
        return len(self._run.kept)

    def kept_snapshot(self, index: int) -> KeptSnapshot:
        """Return kept snapshot ``index``."""
        return self._run.kept.get(index)

    def kept_label(self, index: int) -> str:
        """Return a one-line description of kept snapshot ``index``."""
        return self._run.kept.label(index)

    def kept_bytes(self) -> int:
        """Return the memory the kept snapshots use."""
        return self._run.kept.memory_bytes()
