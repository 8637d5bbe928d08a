"""The one way off the GUI thread: ``submit`` runs a function in a background thread and brings
its progress, its result or its failure back to the GUI thread.

Every piece of the window that has work too slow for the GUI thread (an explorer picture, a
model file read, the data-amount networks, a recovery trial) goes through here, so there is one
pattern to read and one place that knows the threads:

- ``submit(work, lane)`` returns a ``Job`` at once; ``work(job)`` runs in the lane's thread and
  may call ``job.report(value)`` for progress and ``job.cancelled()`` to stop early.
- The job's signals (``progressed``, ``succeeded``, ``failed``, ``ended``) are delivered on the
  GUI thread, in order, and never after ``cancel()``: a cancelled or replaced job is silent.
- A lane runs one job at a time, in the order asked. ``QUICK`` holds the short computations
  (well under a second each); ``LONG`` holds the minutes of training a page may ask for, so that
  they never queue a picture behind them. Two lanes at most beside the training worker's thread:
  the machine it runs on may have two cores.
- ``wait_for_jobs`` lets the window, as it closes, wait for what is in flight.

The training worker itself (``engine.session.worker``) keeps its own long-lived QThread: it is a
loop driven by commands, not a job.
"""

from __future__ import annotations

import atexit
import contextlib
import threading
from collections.abc import Callable
from enum import Enum
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot


class Lane(Enum):
    """Which of the background threads a job runs in."""

    QUICK = "quick"  # pictures, reads, trials, measurements: under a second or so each
    LONG = "long"  # trainings of minutes, which must not hold up the quick jobs


_POOLS: dict[Lane, QThreadPool] = {}
_LIVE: set[Job] = set()  # jobs not yet ended: kept alive for their queued deliveries


def _pool(lane: Lane) -> QThreadPool:
    """Return the lane's pool of one thread (made on first use, waited for at exit)."""
    pool = _POOLS.get(lane)
    if pool is None:
        pool = QThreadPool()
        pool.setMaxThreadCount(1)  # one job at a time per lane: the training thread needs a core
        pool.setExpiryTimeout(-1)
        atexit.register(pool.waitForDone)
        _POOLS[lane] = pool
    return pool


def wait_for_jobs(ms: int = -1) -> bool:
    """Wait until every job asked for has ended (or ``ms`` passed); True if all ended."""
    return all(pool.waitForDone(ms) for pool in _POOLS.values())


class Job(QObject):
    """One piece of background work: its cancel flag, and its signals on the GUI thread."""

    progressed = Signal(object)  # a value the work reported with ``report``
    succeeded = Signal(object)  # what the work returned
    failed = Signal(object)  # the exception the work raised
    ended = Signal()  # after succeeded or failed (not after a cancel)
    _arrived = Signal(str, object)  # from the lane's thread to the GUI thread: kind, value

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cancel = threading.Event()
        self._running = True
        self._arrived.connect(self._deliver)  # a queued connection: self lives on the GUI thread

    def cancel(self) -> None:
        """Stop delivering anything; the work sees ``cancelled()`` and may stop early."""
        self._cancel.set()
        self._running = False
        _LIVE.discard(self)

    def cancelled(self) -> bool:
        """True once ``cancel`` was called (safe from any thread)."""
        return self._cancel.is_set()

    def running(self) -> bool:
        """True until the job's result, failure or cancel has been delivered."""
        return self._running

    def report(self, value: object) -> None:
        """Send progress to the GUI thread (call from the work)."""
        self._send("progress", value)

    def _send(self, kind: str, value: object) -> None:
        if self._cancel.is_set():
            return
        with contextlib.suppress(RuntimeError):  # the job's owner was deleted: nobody to tell
            self._arrived.emit(kind, value)

    @Slot(str, object)
    def _deliver(self, kind: str, value: object) -> None:
        """On the GUI thread: hand on what arrived, unless the job was cancelled since."""
        if self._cancel.is_set():
            return
        if kind == "progress":
            self.progressed.emit(value)
            return
        self._running = False
        _LIVE.discard(self)
        (self.succeeded if kind == "result" else self.failed).emit(value)
        self.ended.emit()


class _Runnable(QRunnable):
    def __init__(self, job: Job, work: Callable[[Job], Any]) -> None:
        super().__init__()
        self.job, self.work = job, work

    def run(self) -> None:
        if self.job.cancelled():
            return
        try:
            result = self.work(self.job)
        except Exception as exc:  # noqa: BLE001 - handed to the GUI thread, which says it
            self.job._send("error", exc)
        else:
            self.job._send("result", result)


def submit(
    work: Callable[[Job], Any], lane: Lane = Lane.QUICK, parent: QObject | None = None
) -> Job:
    """Run ``work(job)`` in the lane's thread; connect to the returned job's signals at once.

    Call from the GUI thread. ``work`` must only read what no other thread writes (frozen
    snapshots, read-only arrays) and return a new value. ``parent`` ties the job's life to a
    widget: a job whose parent is gone delivers nothing.
    """
    job = Job(parent)
    _LIVE.add(job)
    _pool(lane).start(_Runnable(job, work))
    return job
