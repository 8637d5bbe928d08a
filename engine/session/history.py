"""The record of a training run: every mini-batch's cost and every epoch's test result.

Kept in NumPy buffers that double when full (``Columns``, which the cost plot uses too), so a
50-epoch run of 300,000 mini-batches costs a few megabytes and appending stays O(1). It is what a
saved model carries so that a reopened model shows its cost curve.
"""

from __future__ import annotations

import numpy as np

from engine.core.training import EpochReport

BATCH_FIELDS = ("progress", "cost")  # x = epochs of training (fractional), y = mini-batch cost
EPOCH_FIELDS = ("epoch", "train_cost", "test_cost", "test_accuracy")


def trailing_mean(values: np.ndarray, window: int, start: int = 0) -> np.ndarray:
    """Return the mean of the last ``window`` values at each point from ``start`` on.

    The moving average of the cost: near the beginning fewer values are averaged. Only the
    ``window`` values before ``start`` are read, so adding a few points to a long curve is cheap;
    the sums are float64, so no drift builds up over a long run. The cost plot and the Compare
    tab both draw theirs with it.
    """
    values = np.asarray(values)
    first = max(0, start - window)
    sums = np.zeros(len(values) - first + 1)
    np.cumsum(values[first:], dtype=np.float64, out=sums[1:])
    # The window ending at point i (0-based, from ``first``) is sums[i + 1] - sums[max(i + 1 -
    # window, 0)]: slices, not index arrays, and few new arrays (5 million points: 0.4 s before).
    e0, e1 = start - first + 1, len(values) - first + 1
    short = max(0, min(e1 - e0, window - e0))  # the first points have fewer than window before
    means = sums[e0:e1].copy()  # in place from here: fresh arrays of millions cost page faults
    means[short:] -= sums[e0 + short - window : e1 - window]
    means[short:] /= window
    means[:short] /= np.arange(e0, e0 + short)
    return means


class Columns:
    """Named columns sharing one length, in a NumPy buffer that doubles its capacity when full."""

    def __init__(self, names: tuple[str, ...], capacity: int, dtype: type = np.float64) -> None:
        self.names = names
        self._data = np.empty((len(names), capacity), dtype)  # one row of the buffer per column
        self.n = 0

    def append(self, *values: float) -> None:
        """Add one row: a value for each column, in order."""
        self.extend(*(np.array([v]) for v in values))

    def extend(self, *columns: np.ndarray) -> None:
        """Add many rows given column by column: one array of k values for each name."""
        k = len(columns[0])
        if self.n + k > self._data.shape[1]:
            size = max(2 * self._data.shape[1], self.n + k)
            grown = np.empty((len(self.names), size), self._data.dtype)
            grown[:, : self.n] = self._data[:, : self.n]
            self._data = grown
        for row, values in zip(self._data, columns, strict=True):
            row[self.n : self.n + k] = values
        self.n += k

    def clear(self) -> None:
        """Forget every row (the buffer stays for the next ones)."""
        self.n = 0

    def column(self, name: str) -> np.ndarray:
        """Return a read-only view of one column's rows so far."""
        view = self._data[self.names.index(name), : self.n]
        view.flags.writeable = False
        return view


class TrainingHistory:
    """The cost of every mini-batch and the result of every epoch, in order."""

    def __init__(self) -> None:
        self.batches = Columns(BATCH_FIELDS, 4096)
        self.epochs = Columns(EPOCH_FIELDS, 64)

    def add_batches(self, progress: np.ndarray, costs: np.ndarray) -> None:
        """Record many mini-batches at once: their epochs of training and costs."""
        self.batches.extend(progress, costs)

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
            columns.extend(*data)  # one copy per column, not a Python loop over millions of rows
        return history
