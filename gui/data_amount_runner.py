"""Trains the "how much labelled data" networks in a background thread, cancellable.

One QObject moved to one QThread (the house pattern of ``engine.worker``): ``start`` hands it a
job through a queued signal, the thread runs ``engine.data_amount.train_on_amounts`` and checks a
``threading.Event`` between progress reports, so a cancel stops it within 100 mini-batches.
The thread runs only while a job does: it quits when the job ends, and ``start`` first stops
and waits for an earlier job, so a queued job is never lost and an idle runner holds no thread.
Only frozen dataclasses cross back. The training worker's own thread is not touched.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from engine.data_amount import AmountProgress, train_on_amounts
from engine.errors import DivergenceError
from engine.network import NetworkConfig
from engine.training import TrainConfig


@dataclass(frozen=True)
class AmountJob:
    """What to train: the configs, the training set in use and the test set."""

    config: NetworkConfig
    train_config: TrainConfig
    images: np.ndarray  # read, never written, by the thread
    labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    seed: int = 0
    examples_seen: int | None = None  # None: engine.data_amount.EXAMPLES_SEEN


class DataAmountRunner(QObject):
    """Runs one ``AmountJob`` at a time in its own thread and reports progress."""

    runs_progressed = Signal(object)  # AmountProgress
    runs_finished = Signal(object)  # AmountProgress with every result
    runs_failed = Signal(str)  # why training stopped, for the user
    runs_cancelled = Signal()
    _job_requested = Signal(object, object)  # AmountJob, its cancel Event

    def __init__(self) -> None:
        super().__init__()
        self._cancel = threading.Event()  # the current job's; replaced by each start
        self._thread = QThread()
        self._thread.setObjectName("data-amount")
        self.moveToThread(self._thread)
        self._job_requested.connect(self._run)

    def start(self, job: AmountJob) -> None:
        """Cancel any job in progress (waiting for it to stop) and train this one."""
        old, self._cancel = self._cancel, threading.Event()
        old.set()  # the old job now ends silently: its event is no longer the current one
        self._thread.quit()
        self._thread.wait()
        self._thread.start()
        self._job_requested.emit(job, self._cancel)

    def busy(self) -> bool:
        """True while a job's thread runs (it ends when the job ends or is cancelled)."""
        return self._thread.isRunning()

    def cancel(self) -> None:
        """Stop the job in progress within one progress report."""
        self._cancel.set()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel, end the thread and wait for it."""
        self._cancel.set()
        self._thread.quit()
        return self._thread.wait(timeout_ms)

    @Slot(object, object)
    def _run(self, job: AmountJob, cancel: threading.Event) -> None:
        """Train the job's networks, reporting as they go (runs in the runner's thread).

        A job replaced by a newer one ends silently; one cancelled by ``cancel`` says so. The
        thread quits when the job ends.
        """
        try:
            self._train(job, cancel)
        finally:
            self._thread.quit()

    def _train(self, job: AmountJob, cancel: threading.Event) -> None:
        """Drive the generator and emit what it reports."""
        extra = {} if job.examples_seen is None else {"examples_seen": job.examples_seen}
        last: AmountProgress | None = None
        try:
            for progress in train_on_amounts(
                job.config,
                job.train_config,
                job.images,
                job.labels,
                job.test_images,
                job.test_labels,
                seed=job.seed,
                **extra,
            ):
                if cancel.is_set():
                    break
                last = progress
                self.runs_progressed.emit(progress)
        except (DivergenceError, ValueError) as exc:
            if cancel is self._cancel:
                self.runs_failed.emit(str(exc))
            return
        if cancel is not self._cancel:
            return  # replaced by a newer job, which reports for itself
        if cancel.is_set():
            self.runs_cancelled.emit()
        else:
            self.runs_finished.emit(last)
