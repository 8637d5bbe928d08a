"""Runs an experiment's runs one after another through a training worker of its own.

The experiments train for real, through ``engine.worker.TrainingWorker``'s public API (load the
data, reset with the run's network and seed, set its hyper-parameters, run a number of
mini-batches), in a worker separate from the main window's, so the learner's own network is left
as it was. The runner pulls the worker's reports at its own rate, builds each run's history from
them and hands out the run as it grows; cancelling pauses the worker, which stops after the
mini-batch it is training.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from engine.datasets import MnistData
from engine.experiments import RunSpec, plan, subset
from engine.history import TrainingHistory
from engine.network import NetworkConfig
from engine.runs import CANCELLED, DIVERGED, FINISHED, RUNNING, Run, RunStatus
from engine.snapshot import network_of
from engine.training import BatchReport, EpochReport, TrainConfig, evaluate
from engine.worker import FAILED, PAUSED, NetworkStarted, TrainingWorker
from engine.worker import RUNNING as WORKER_RUNNING

POLL_MS = 50  # reports are pulled 20 times a second
PUBLISH_S = 0.25  # a growing run is handed to the views 4 times a second


class ExperimentRunner(QObject):
    """Trains the runs of one experiment in turn and reports each as it grows."""

    run_started = Signal(object)  # Run, empty, about to train
    run_progressed = Signal(object)  # Run with the curves so far
    run_finished = Signal(object)  # Run, finished, diverged or cancelled
    experiment_finished = Signal(str, bool)  # experiment key, True if cancelled

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker: TrainingWorker | None = None
        self.key: str | None = None
        self._specs: list[RunSpec] = []
        self._data: MnistData | None = None
        self._loaded: MnistData | None = None
        self._spec: RunSpec | None = None
        self._run: Run | None = None
        self._history = TrainingHistory()
        self._markers_left = 0  # NetworkStarted markers before the current run's reports
        self._batches = 0
        self._failure: str | None = None
        self._cancelled = False
        self._published = 0.0
        self.runs: list[Run] = []  # the current (or last) experiment's runs
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)

    def progress(self) -> tuple[int, int]:
        """Return the current run's mini-batches trained and planned."""
        return (self._batches, self._spec.batches) if self._spec is not None else (0, 0)

    def is_running(self) -> bool:
        """Return True while an experiment is training."""
        return self.key is not None

    def start(self, key: str, data: MnistData, epochs: int, seed: int = 0) -> list[RunSpec]:
        """Plan experiment ``key`` on ``data`` with an ``epochs`` budget and start its first run."""
        if self.is_running():
            raise RuntimeError("an experiment is already running; cancel it first")
        specs = plan(key, epochs, len(data.train), seed)
        self.key = key
        self._specs = list(specs)
        self._data = data
        self._loaded = None
        self._cancelled = False
        self.runs = []
        if self.worker is None:
            self.worker = TrainingWorker(NetworkConfig(), TrainConfig(), seed)
            self.worker.training_failed.connect(self._on_training_failed)
            self.worker.start()
        self._timer.start()
        self._next()
        return specs

    def cancel(self) -> None:
        """Stop the current run within its mini-batch and skip the rest of the experiment."""
        if not self.is_running():
            return
        self._cancelled = True
        self._specs = []
        self.worker.pause()

    def shutdown(self) -> None:
        """Stop training and end the worker's thread (when the window closes)."""
        self._timer.stop()
        if self.worker is not None:
            self.worker.shutdown()
            self.worker = None
        self.key = None

    def _next(self) -> None:
        """Start the next planned run, or end the experiment."""
        if not self._specs:
            key, self.key = self.key, None
            self._timer.stop()
            self.worker.shutdown()  # its copy of the training set is freed until the next one
            self.worker = None
            self.experiment_finished.emit(key, self._cancelled)
            return
        spec = self._spec = self._specs.pop(0)
        data = self._data if spec.train_size is None else subset(self._data, spec.train_size)
        w = self.worker
        w.set_speed(0)
        w.set_train_config(spec.train)
        self._markers_left = 1
        if self._loaded is None or data.train is not self._loaded.train:
            w.load_data(lambda d=data: d)  # its own reset makes one more network first
            self._markers_left = 2
            self._loaded = data
        w.reset(spec.network, spec.seed)
        w.run_batches(spec.batches)
        self._history = TrainingHistory()
        self._batches = 0
        self._failure = None
        self._run = Run(
            name=spec.name,
            network=spec.network,
            train=spec.train,
            seed=spec.seed,
            data=data.source,
            n_train=len(data.train),
            curves=self._history.to_arrays(),
            status=RUNNING,
        )
        self.runs.append(self._run)
        self.run_started.emit(self._run)

    def _on_training_failed(self, message: str) -> None:
        """Remember why the current run stopped (its learning rate was too large, say)."""
        self._failure = message

    def _add_batches(self, batches: list[BatchReport]) -> bool:
        """Record these mini-batch reports in the run's history at once; empty the list."""
        if not batches:
            return False
        progress = np.array([r.epoch_progress for r in batches], float)
        self._history.add_batches(progress, np.array([r.cost for r in batches], float))
        self._batches += len(batches)
        batches.clear()
        return True

    def _poll(self) -> None:
        """Record the worker's new reports; finish the run once it has trained or failed."""
        if self.worker is None or self._run is None:
            return
        grew = False
        batches: list[BatchReport] = []
        for item in self.worker.take_reports():
            if isinstance(item, NetworkStarted):
                self._markers_left -= 1
            elif self._markers_left > 0:
                continue  # a report of the previous run's network
            elif isinstance(item, BatchReport):
                batches.append(item)
            elif isinstance(item, EpochReport):
                self._add_batches(batches)  # in order: the epoch's batches come first
                self._history.add_epoch(item)
                grew = True
        grew = self._add_batches(batches) or grew
        state = self.worker.state
        done = self._markers_left <= 0 and self._batches >= self._spec.batches and state == PAUSED
        failed = self._failure is not None and state == FAILED
        stopped = self._cancelled and state != WORKER_RUNNING and self._markers_left <= 0
        now = time.perf_counter()
        if grew and now - self._published >= PUBLISH_S:
            self._published = now
            self._run.curves = self._history.to_arrays()
            self.run_progressed.emit(self._run)
        if done or failed or stopped:
            status = DIVERGED if failed else CANCELLED if self._cancelled else FINISHED
            self._finish(status)
            self._next()

    def _finish(self, status: RunStatus) -> None:
        """Give the run its curves, its final network and that network's test result."""
        run = self._run
        run.curves = self._history.to_arrays()
        run.status = status
        if status == DIVERGED:
            run.note = self._failure or ""
        elif status == CANCELLED:
            run.note = f"after {self._batches:,} of {self._spec.batches:,} mini-batches"
        snapshot = self.worker.latest_snapshot()
        if snapshot is not None and snapshot.examples_seen > 0:
            network = network_of(snapshot)
            if network.all_finite():
                run.parameters = snapshot
                test = self._data.test
                e = evaluate(network, test.images, test.labels)
                run.final_test = (e.cost, e.accuracy)
        self._run = None
        self.run_finished.emit(run)
