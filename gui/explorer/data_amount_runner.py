"""Trains the "how much labelled data" networks off the GUI thread, cancellable.

A job on ``gui.background``'s long lane runs ``engine.lessons.data_amount.train_on_amounts`` and
checks its cancel flag between progress reports, so a cancel stops it within 100 mini-batches. A new
``start`` drops the job before it silently. Only frozen dataclasses cross back. The training
worker's own thread is not touched.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal

from engine.core.network import NetworkConfig
from engine.core.training import TrainConfig
from engine.errors import DivergenceError
from engine.lessons.data_amount import AmountProgress, train_on_amounts
from gui.background import Job, Lane, submit, wait_for_jobs


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
    examples_seen: int | None = None  # None: engine.lessons.data_amount.EXAMPLES_SEEN


class DataAmountRunner(QObject):
    """Runs one ``AmountJob`` at a time on the long background lane and reports progress."""

    runs_progressed = Signal(object)  # AmountProgress
    runs_finished = Signal(object)  # AmountProgress with every result
    runs_failed = Signal(str)  # why training stopped, for the user
    runs_cancelled = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._job: Job | None = None

    def start(self, job: AmountJob) -> None:
        """Drop any job in progress (it ends silently) and train this one."""
        if self._job is not None:
            self._job.cancel()
        self._job = submit(lambda handle: _train(job, handle), Lane.LONG, parent=self)
        self._job.progressed.connect(self.runs_progressed)
        self._job.succeeded.connect(self._ended)
        self._job.failed.connect(self._failed)

    def busy(self) -> bool:
        """True while a job is in progress (until its end or its cancel is delivered)."""
        return self._job is not None and self._job.running()

    def cancel(self) -> None:
        """Stop the job in progress within one progress report, and say it was cancelled."""
        if self.busy():
            self._job.cancel()
            self.runs_cancelled.emit()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel silently and wait for the background threads."""
        if self._job is not None:
            self._job.cancel()
        return wait_for_jobs(timeout_ms)

    def _ended(self, last: AmountProgress | None) -> None:
        if last is not None:
            self.runs_finished.emit(last)

    def _failed(self, exc: BaseException) -> None:
        if not isinstance(exc, DivergenceError | ValueError):
            raise exc
        self.runs_failed.emit(str(exc))


def _train(job: AmountJob, handle: Job) -> AmountProgress | None:
    """Drive the generator in the lane's thread, reporting as it goes; stop once cancelled."""
    extra = {} if job.examples_seen is None else {"examples_seen": job.examples_seen}
    last: AmountProgress | None = None
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
        if handle.cancelled():
            return None
        last = progress
        handle.report(progress)
    return last
