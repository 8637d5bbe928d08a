"""The record of a training run: every mini-batch's cost and every epoch's test result.

Kept in NumPy buffers that double when full, so a 50-epoch run of 300,000 mini-batches costs a
few megabytes and appending stays O(1). It is what a saved model carries so that a reopened model
shows its cost curve.
"""

from __future__ import annotations

import numpy as np

from engine.training import EpochReport

BATCH_FIELDS = ("progress", "cost")  # x = epochs of training (fractional), y = mini-batch cost
EPOCH_FIELDS = ("epoch", "train_cost", "test_cost", "test_accuracy")


class _Columns:
    """Named float64 columns sharing one growing length."""

    def __init__(self, names: tuple[str, ...], capacity: int) -> None:
        self.names = names
        self._data = np.empty((len(names), capacity))
        self.n = 0

    def append(self, *values: float) -> None:
        """Add one row."""
        self.extend(np.array(values, float)[:, None])

    def extend(self, rows: np.ndarray) -> None:
        """Add many rows given as columns: ``rows`` has shape (len(names), k)."""
        k = rows.shape[1]
        if self.n + k > self._data.shape[1]:
            grown = np.empty((len(self.names), max(2 * self._data.shape[1], self.n + k)))
            grown[:, : self.n] = self._data[:, : self.n]
            self._data = grown
        self._data[:, self.n : self.n + k] = rows
        self.n += k

    def column(self, name: str) -> np.ndarray:
        """Return a read-only view of one column's rows so far."""
        view = self._data[self.names.index(name), : self.n]
        view.flags.writeable = False
        return view


class TrainingHistory:
    """The cost of every mini-batch and the result of every epoch, in order."""

    def __init__(self) -> None:
        self.batches = _Columns(BATCH_FIELDS, 4096)
        self.epochs = _Columns(EPOCH_FIELDS, 64)

    def add_batches(self, progress: np.ndarray, costs: np.ndarray) -> None:
        """Record many mini-batches at once: their epochs of training and costs."""
        self.batches.extend(np.vstack([progress, costs]))

    def add_epoch(self, report: EpochReport) -> None:
        """Record one epoch report."""
        self.epochs.append(report.epoch, report.train_cost, report.test_cost, report.test_accuracy)

    def truncate(self, progress: float) -> None:
        """Forget everything after ``progress`` epochs of training (resuming from a past point)."""
        self.batches.n = int(np.searchsorted(self.batches.column("progress"), progress, "right"))
        self.epochs.n = int(np.searchsorted(self.epochs.column("epoch"), progress, "right"))

    def __len__(self) -> int:
        """Return the number of mini-batches recorded."""
        return self.batches.n

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Return copies of every column, named ``batch_<field>`` and ``epoch_<field>``."""
        arrays = {f"batch_{n}": self.batches.column(n).copy() for n in BATCH_FIELDS}
        arrays.update({f"epoch_{n}": self.epochs.column(n).copy() for n in EPOCH_FIELDS})
        return arrays

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> TrainingHistory:
        """Rebuild a history from ``to_arrays`` output; ragged or missing columns are left empty."""
        history = cls()
        for columns, prefix in ((history.batches, "batch"), (history.epochs, "epoch")):
            data = [np.asarray(arrays.get(f"{prefix}_{n}", ()), float) for n in columns.names]
            lengths = {len(d) for d in data}
            if len(lengths) != 1 or any(d.ndim != 1 or not np.isfinite(d).all() for d in data):
                continue
            columns.extend(np.vstack(data))  # one copy, not a Python loop over millions of rows
        return history
