"""The parameters of a run every K mini-batches, in bounded memory, to scrub back through training.

Each kept record is one flat copy of every weight and bias (13,002 float32 numbers, 52 kB, for the
784-16-16-10 network) with where training was and the latest mini-batch cost. When the records
outgrow the byte budget, every other one is dropped (the first and the latest always stay) and the
interval between new records doubles: the whole run stays covered, evenly, at half the resolution,
so a 50-epoch run and a 5-epoch run cost the same memory. Thinning evenly rather than only among
the oldest keeps the first epoch, where the cost falls fastest, as finely sampled as the rest.

The training thread adds records while the GUI thread reads them: every public method of
``KeptSnapshots`` holds its own lock, so callers need none.
"""

from __future__ import annotations

import bisect
import functools
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from engine.core.network import NetworkConfig
from engine.core.training import TrainConfig
from engine.session.snapshot import Snapshot, parameters_snapshot
from engine.words import quantity

DEFAULT_BUDGET = 24 * 1024 * 1024  # bytes: about 450 snapshots of the seed network
DEFAULT_INTERVAL = 100  # mini-batches between records
RECORD_OVERHEAD = 512  # bytes of Python objects per record, counted against the budget


@dataclass(frozen=True)
class KeptSnapshot:
    """One kept moment of training: the parameters then and where the run was."""

    config: NetworkConfig
    train_config: TrainConfig
    epoch: int
    examples_seen: int
    n_train: int
    cost: float  # the cost of the mini-batch just before, NaN if not given
    flat: np.ndarray  # every weight then every bias, layer by layer, read-only

    @property
    def weights(self) -> tuple[np.ndarray, ...]:
        """Return read-only views of the weights, (n_out, n_in) per layer."""
        return self._split()[0]

    @property
    def biases(self) -> tuple[np.ndarray, ...]:
        """Return read-only views of the biases, (n_out,) per layer."""
        return self._split()[1]

    @property
    def progress(self) -> float:
        """Return the epochs of training so far, fractional (examples seen / training-set size)."""
        return self.examples_seen / max(self.n_train, 1)

    def nbytes(self) -> int:
        """Return the memory this record holds, as counted against the budget."""
        return self.flat.nbytes + RECORD_OVERHEAD

    def describe(self) -> str:
        """Return a one-line label such as "epoch 2.35 — 23,500 examples — cost 0.12"."""
        text = f"epoch {self.progress:.2f} \u2014 {quantity(self.examples_seen, 'example')}"
        if math.isfinite(self.cost):
            text += f" \u2014 cost {self.cost:.3g}"
        return text

    def as_snapshot(self) -> Snapshot:
        """Return an engine Snapshot of these parameters, with no mini-batch or gradient."""
        weights, biases = self._split()
        return parameters_snapshot(
            self.config,
            self.train_config,
            self.epoch,
            self.examples_seen,
            self.n_train,
            weights,
            biases,
        )

    def _split(self) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
        """Cut the flat buffer back into per-layer weight and bias views."""
        sizes = self.config.sizes
        weights, biases, at = [], [], 0
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            weights.append(self.flat[at : at + n_out * n_in].reshape(n_out, n_in))
            at += n_out * n_in
        for n_out in sizes[1:]:
            biases.append(self.flat[at : at + n_out])
            at += n_out
        return tuple(weights), tuple(biases)


def _record(snapshot: Snapshot, cost: float) -> KeptSnapshot:
    """Copy a snapshot's parameters into one flat read-only buffer."""
    flat = np.concatenate([w.ravel() for w in snapshot.weights] + [b for b in snapshot.biases])
    flat.flags.writeable = False
    return KeptSnapshot(
        config=snapshot.config,
        train_config=snapshot.train_config,
        epoch=snapshot.epoch,
        examples_seen=snapshot.examples_seen,
        n_train=snapshot.n_train,
        cost=float(cost),
        flat=flat,
    )


_Method = TypeVar("_Method", bound=Callable)


def _locked(method: _Method) -> _Method:
    """Run ``method`` holding the kept snapshots' lock (re-entrant: methods call one another)."""

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)

    return guarded


class KeptSnapshots:
    """Parameter records every K mini-batches, thinned evenly to stay within a byte budget."""

    def __init__(self, interval: int = DEFAULT_INTERVAL, budget: int = DEFAULT_BUDGET) -> None:
        self._lock = threading.RLock()
        if interval < 1 or budget < 1:
            raise ValueError(f"interval and budget must be positive, got {interval}, {budget}")
        self.budget = int(budget)
        self._interval = int(interval)  # K, as asked for
        self._stride = 1  # 2 ** (number of thinnings): records are K * stride batches apart
        self._records: list[KeptSnapshot] = []
        self._seen: list[int] = []  # examples_seen per record, ascending, for bisection
        self._bytes = 0

    @property
    @_locked
    def interval(self) -> int:
        """Return the mini-batches between new records now: K times 2 per thinning so far."""
        return self._interval * self._stride

    @_locked
    def set_interval(self, k: int) -> None:
        """Keep a record every ``k`` mini-batches from now on (before any thinning)."""
        if k < 1:
            raise ValueError(f"the snapshot interval must be at least 1, got {k}")
        self._interval = int(k)

    @_locked
    def add(self, snapshot: Snapshot, cost: float = math.nan, force: bool = False) -> bool:
        """Keep the snapshot if K mini-batches passed since the last record (or ``force``).

        A snapshot behind the latest record (after a resume) starts a new branch: the records
        from its moment on are dropped first; a snapshot of another architecture clears the
        history (a reset to the same architecture should call ``clear``). Return whether it was
        kept.
        """
        seen = snapshot.examples_seen
        if self._records and self._records[-1].config != snapshot.config:
            self.clear()  # a new network: its run keeps snapshots anew
        if self._seen and seen == self._seen[-1] and not force:
            return False  # the same moment again, as while paused
        if self._seen and seen <= self._seen[-1]:
            self.branch_from(bisect.bisect_left(self._seen, seen) - 1)
        elif self._seen and not force:
            batches = (seen - self._seen[-1]) / snapshot.train_config.batch_size
            if batches < self.interval:
                return False
        record = _record(snapshot, cost)
        self._records.append(record)
        self._seen.append(seen)
        self._bytes += record.nbytes()
        while self._bytes > self.budget and len(self._records) > 2:
            self._thin()
        return True

    def _thin(self) -> None:
        """Drop every other record, keeping the first and the latest, and double the stride."""
        last = len(self._records) - 1
        keep = [i for i in range(len(self._records)) if i % 2 == 0 or i == last]
        self._records = [self._records[i] for i in keep]
        self._seen = [self._seen[i] for i in keep]
        self._bytes = sum(r.nbytes() for r in self._records)
        self._stride *= 2

    @_locked
    def __len__(self) -> int:
        """Return the number of records kept."""
        return len(self._records)

    @_locked
    def get(self, i: int) -> KeptSnapshot:
        """Return record ``i`` (0 = the oldest; negative counts from the latest)."""
        return self._records[i]

    @_locked
    def label(self, i: int) -> str:
        """Return record ``i``'s one-line description, for the timeline."""
        return self._records[i].describe()

    @_locked
    def examples_seen(self) -> np.ndarray:
        """Return every record's examples_seen, ascending."""
        return np.array(self._seen, np.int64)

    @_locked
    def memory_bytes(self) -> int:
        """Return the bytes the records hold, as counted against the budget."""
        return self._bytes

    @_locked
    def resume_at(self, i: int) -> KeptSnapshot | None:
        """Return record ``i`` and drop every record after it, or None if there is no record i."""
        if not 0 <= i < len(self._records):
            return None
        self.branch_from(i)
        return self._records[i]

    @_locked
    def branch_from(self, i: int) -> None:
        """Drop every record after ``i``: training resumed from record ``i`` starts a new branch."""
        if i < -1 or i >= len(self._records):
            raise IndexError(f"no record {i} among {len(self._records)}")
        del self._records[i + 1 :]
        del self._seen[i + 1 :]
        self._bytes = sum(r.nbytes() for r in self._records)

    @_locked
    def clear(self) -> None:
        """Forget every record and the thinning, for a new network."""
        self._records.clear()
        self._seen.clear()
        self._bytes = 0
        self._stride = 1
