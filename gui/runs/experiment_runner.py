"""Runs an experiment's sweeps and runs one after another through a training worker of its own.

The experiments train for real, through ``engine.session.worker.TrainingWorker``'s public API (load
the data, reset with the run's network and seed, set its hyper-parameters, run a number of
mini-batches), in a worker separate from the main window's, so the learner's own network is left as
it was. The runner pulls the worker's reports at its own rate, builds each run's history from them
and hands out the run as it grows; cancelling pauses the worker, which stops after the mini-batch it
is training.

In fair mode each variant's learning rate comes from a sweep first: short trials, one per rate, on
the training set without its held-out images, each judged on those images
(``engine.lessons.experiments``); the runs then train at the rates picked. When the experiment ends,
the runner asks ``engine.lessons.experiment_findings`` what it showed.
"""

from __future__ import annotations

import math
import time

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from engine.core.network import NetworkConfig
from engine.core.training import BatchReport, EpochReport, TrainConfig, evaluate
from engine.data.datasets import Dataset, MnistData
from engine.lessons.experiment_findings import findings, start_saturation
from engine.lessons.experiments import (
    BY_KEY,
    FAIR,
    ExperimentArm,
    SweepResult,
    next_rate,
    plan,
    split_validation,
    subset,
    sweep_key,
    trial,
    with_rate,
)
from engine.session.history import TrainingHistory
from engine.session.runs import CANCELLED, DIVERGED, FINISHED, RUNNING, KeptRun, RunStatus
from engine.session.snapshot import network_of
from engine.session.worker import FAILED, PAUSED, NetworkStarted, TrainingWorker
from engine.session.worker import RUNNING as WORKER_RUNNING

POLL_MS = 50  # reports are pulled 20 times a second
PUBLISH_S = 0.25  # a growing run is handed to the views 4 times a second
SATURATION_IMAGES = 1000  # training images the architectures' start saturation is measured on
TRIAL_TEST = 100  # images a sweep trial's (unread) epoch tests use


class _Sweep:
    """One variant's sweep as it grows: the run it is for, and each rate's measured result."""

    def __init__(self, spec: ExperimentArm) -> None:
        self.spec = spec
        self.rates: list[float] = []
        self.accuracies: list[float] = []
        self.costs: list[float] = []
        self.examples = 0
        self.validation = 0
        self.done = False  # no more rates to try

    def result(self) -> SweepResult:
        """Return what was measured so far as an engine SweepResult."""
        return SweepResult(
            self.spec.variant,
            self.spec.seed,
            tuple(self.rates),
            tuple(self.accuracies),
            tuple(self.costs),
            self.examples,
            self.validation,
        )


class ExperimentRunner(QObject):
    """Trains the runs of one experiment in turn and reports each as it grows."""

    run_started = Signal(object)  # KeptRun, empty, about to train
    run_progressed = Signal(object)  # KeptRun with the curves so far
    run_finished = Signal(object)  # KeptRun, finished, diverged or cancelled
    trial_started = Signal(str)  # what the sweep tries now, e.g. "ReLU: η = 0.3 (sweep), 3 of 8"
    sweep_finished = Signal(object)  # SweepResult of one variant and seed
    experiment_finished = Signal(str, bool)  # experiment key, True if cancelled

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker: TrainingWorker | None = None
        self.key: str | None = None
        self._specs: list[ExperimentArm] = []
        self._data: MnistData | None = None
        self._datasets: dict[str, MnistData] = {}  # by name, for an experiment that names them
        self._run_data: MnistData | None = None  # what the current run trains and is tested on
        self._loaded: MnistData | None = None
        self._spec: ExperimentArm | None = None
        self._run: KeptRun | None = None
        self._history = TrainingHistory()
        self._markers_left = 0  # NetworkStarted markers before the current run's reports
        self._batches = 0
        self._epochs_due = 0
        self._failure: str | None = None
        self._cancelled = False
        self._published = 0.0
        self.runs: list[KeptRun] = []  # the current (or last) experiment's runs
        self.specs: list[ExperimentArm] = []  # the spec each of ``runs`` trained (same order)
        self.sweeps: list[SweepResult] = []  # the current (or last) experiment's sweeps
        self.findings: list[str] = []  # what the last finished experiment showed
        self.mode = FAIR
        self._sweeps: dict[tuple, _Sweep] = {}  # by sweep_key, in the order they run
        self._sweep: _Sweep | None = None  # the one whose trial trains now
        self._sweep_data: MnistData | None = None  # the training set without its held-out images
        self._validation: Dataset | None = None
        self._subsets: dict[tuple[int, int], MnistData] = {}  # by (id of the full set, size)
        self._start: dict[str, list[float]] = {}  # the architectures' start saturation
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)

    def progress(self) -> tuple[int, int]:
        """Return the current run's mini-batches trained and planned."""
        return (self._batches, self._spec.batches) if self._spec is not None else (0, 0)

    def is_running(self) -> bool:
        """Return True while an experiment is training."""
        return self.key is not None

    def start(
        self,
        key: str,
        data: MnistData,
        epochs: int,
        seed: int = 0,
        mode: str = FAIR,
        seeds: int = 1,
        datasets: dict[str, MnistData] | None = None,
    ) -> list[ExperimentArm]:
        """Plan experiment ``key`` on ``data`` with an ``epochs`` budget and start its first
        sweep trial or run (``mode`` and ``seeds`` as ``engine.lessons.experiments.plan``
        takes them).

        ``datasets`` (by name) are the data sets of an experiment that compares data sets; each
        of its runs trains and is tested on its own.
        """
        if self.is_running():
            raise RuntimeError("an experiment is already running; cancel it first")
        named = BY_KEY[key].plan is not None if key in BY_KEY else False
        if named and not datasets:
            raise ValueError(f"experiment {key!r} needs the data sets it compares")
        sizes = [(name, len(d.train)) for name, d in datasets.items()] if named else None
        specs = plan(key, epochs, len(data.train), seed, mode, seeds, sizes)
        self._datasets = dict(datasets) if named else {}
        self.key = key
        self.mode = mode
        self._specs = list(specs)
        self._data = data
        self._loaded = None
        self._cancelled = False
        self.runs, self.specs, self.sweeps, self.findings = [], [], [], []
        self._subsets = {}
        self._sweeps = {}
        for spec in specs:
            if spec.rates and sweep_key(spec) not in self._sweeps:
                self._sweeps[sweep_key(spec)] = _Sweep(spec)
        if self._sweeps:
            part, self._validation = split_validation(data, seed)
            # The worker tests every epoch's network; a trial's are never read (the trial is
            # judged on the held-out images at its end), so a few images keep them cheap: a
            # trial on 100 examples has an epoch every 10 mini-batches.
            few = self._validation
            few = Dataset(few.images[:TRIAL_TEST], few.labels[:TRIAL_TEST], few.name)
            self._sweep_data = MnistData(part.train, few, part.source)
        self._start = {}
        if key == "architecture":
            images = data.train.images[:SATURATION_IMAGES]
            self._start = {s.variant: start_saturation(s, images) for s in specs if s.seed == seed}
        if self.worker is None:
            self.worker = TrainingWorker(NetworkConfig(), TrainConfig(), seed)
            self.worker.training_failed.connect(self._on_training_failed)
            self.worker.start()
        self._timer.start()
        self._next()
        return specs

    def sweep_count(self) -> tuple[int, int]:
        """Return the sweep trials done and planned (more if a best rate is at an end)."""
        done = sum(len(s.rates) for s in self._sweeps.values())
        planned = sum(max(len(s.spec.rates), len(s.rates)) for s in self._sweeps.values())
        return done, planned

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

    def _subset(self, data: MnistData, size: int | None) -> MnistData:
        """Return ``data`` cut to ``size`` training examples, the same object for the same cut."""
        if size is None:
            return data
        key = (id(data.train), size)
        if key not in self._subsets:
            self._subsets[key] = subset(data, size)
        return self._subsets[key]

    def _next_trial(self) -> tuple[_Sweep, float] | None:
        """Return the next sweep trial to train, or None when every sweep is done."""
        for sweep in self._sweeps.values():
            tried = len(sweep.rates)
            if tried < len(sweep.spec.rates):
                return sweep, sweep.spec.rates[tried]
            if not sweep.done:
                more = next_rate(tuple(sweep.rates), tuple(sweep.accuracies), sweep.costs)
                if more is not None and more not in sweep.rates:
                    return sweep, more
                sweep.done = True
                result = sweep.result()
                self.sweeps.append(result)
                self.sweep_finished.emit(result)
        return None

    def _next(self) -> None:
        """Start the next sweep trial or planned run, or end the experiment."""
        job = None if self._cancelled else self._next_trial()
        if job is not None:
            sweep, rate = job
            self._sweep = sweep
            spec = trial(sweep.spec, rate)
            done, planned = self.sweep_count()
            self.trial_started.emit(f"{spec.name}, {done + 1} of {planned}")
            self._train(spec, self._subset(self._sweep_data, spec.train_size))
            return
        self._sweep = None
        if not self._specs:
            self._end()
            return
        spec = self._specs.pop(0)
        if spec.rates:
            spec = with_rate(spec, self._sweeps[sweep_key(spec)].result().best)
        whole = self._datasets[spec.dataset] if spec.dataset else self._data
        data = self._subset(whole, spec.train_size)
        self._run_data = whole
        self._train(spec, data)
        self._run = KeptRun(
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
        self.specs.append(spec)
        self.run_started.emit(self._run)

    def _train(self, spec: ExperimentArm, data: MnistData) -> None:
        """Have the worker train a fresh network of ``spec`` on ``data``."""
        self._spec = spec
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
        self._epochs_due = 0  # epochs whose last batch came and whose test report has not
        self._failure = None

    def _end(self) -> None:
        """End the experiment: say what it showed (unless cancelled) and free the worker."""
        key, self.key = self.key, None
        self._timer.stop()
        self.worker.shutdown()  # its copy of the training set is freed until the next one
        self.worker = None
        self._subsets, self._sweep_data = {}, None
        self._datasets, self._run_data = {}, None
        if not self._cancelled:
            self.findings = findings(key, list(zip(self.specs, self.runs)), self._start)
        self.experiment_finished.emit(key, self._cancelled)

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
        if self.worker is None or (self._run is None and self._sweep is None):
            return
        grew = False
        batches: list[BatchReport] = []
        state = self.worker.state  # before the reports: a paused worker has queued them all
        for item in self.worker.take_reports():
            if isinstance(item, NetworkStarted):
                self._markers_left -= 1
            elif self._markers_left > 0:
                continue  # a report of the previous run's network
            elif isinstance(item, BatchReport):
                batches.append(item)
                self._epochs_due += item.epoch_done  # its test-set report follows
            elif isinstance(item, EpochReport):
                self._add_batches(batches)  # in order: the epoch's batches come first
                self._history.add_epoch(item)
                self._epochs_due -= 1
                grew = True
        grew = self._add_batches(batches) or grew
        # Done when every batch and every epoch's test is in: a run that ended an epoch was
        # once finished before its last test arrived, and its curve lost that point.
        trained = self._batches >= self._spec.batches and self._epochs_due == 0
        done = self._markers_left <= 0 and trained and state == PAUSED
        failed = self._failure is not None and state == FAILED
        stopped = self._cancelled and state != WORKER_RUNNING and self._markers_left <= 0
        now = time.perf_counter()
        if grew and self._run is not None and now - self._published >= PUBLISH_S:
            self._published = now
            self._run.curves = self._history.to_arrays()
            self.run_progressed.emit(self._run)
        if done or failed or stopped:
            status = DIVERGED if failed else CANCELLED if self._cancelled else FINISHED
            if self._run is None:
                self._finish_trial(status)
            else:
                self._finish(status)
            self._next()

    def _finish_trial(self, status: RunStatus) -> None:
        """Judge the sweep trial just trained on the held-out images, or note its divergence."""
        sweep, self._sweep = self._sweep, None
        if status == CANCELLED:
            return
        accuracy = cost = math.nan
        snapshot = self.worker.latest_snapshot()
        if status == FINISHED and snapshot is not None and snapshot.examples_seen > 0:
            network = network_of(snapshot)
            if network.all_finite():
                held = self._validation
                e = evaluate(network, held.images, held.labels)
                accuracy, cost = e.accuracy, e.cost
        sweep.rates.append(self._spec.train.learning_rate)
        sweep.accuracies.append(accuracy)
        sweep.costs.append(cost)
        sweep.examples = self._spec.batches * self._spec.train.batch_size  # a trial's budget
        sweep.validation = len(self._validation)

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
                test = self._run_data.test
                e = evaluate(network, test.images, test.labels)
                run.final_test = (e.cost, e.accuracy)
        self._run = None
        self.run_finished.emit(run)
