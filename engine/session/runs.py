"""Kept runs: what each training run was, its curves, and its final network, in a memory budget.

A run's curves are its own ``TrainingHistory`` as compact arrays (``TrainingHistory.to_arrays``):
mini-batch costs against epochs of training, and each epoch's test cost and accuracy. The other
x axes are derived from them: examples seen = epochs x training-set size, and updates made = how
many mini-batches were recorded up to that point. The registry drops the oldest runs (saving them
first, if the learner chose a folder) when they outgrow the budget; a dropped run's file gets a
name no file in that folder has (the run's name, the date and time, and a counter if need be), so
no launch's runs ever replace an earlier launch's, nor a file the learner put there.
"""

from __future__ import annotations

import errno
import os
import re
import time
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

import numpy as np

from engine.core.network import NetworkConfig
from engine.core.training import TrainConfig
from engine.data.model_io import save_model
from engine.errors import SaveError
from engine.session.history import TrainingHistory
from engine.session.snapshot import Snapshot, network_of

DEFAULT_BUDGET = 64 * 1024 * 1024  # bytes for all kept runs together
X_AXES = ("epochs", "examples", "updates")


class RunStatus(str, Enum):
    """How a kept run ended, or that it is still training (a str too, as saved in its file)."""

    FINISHED = "finished"
    RUNNING = "running"
    CANCELLED = "cancelled"
    DIVERGED = "diverged"

    def __str__(self) -> str:
        return self.value


FINISHED, RUNNING, CANCELLED, DIVERGED = RunStatus


def describe_config(network: NetworkConfig, train: TrainConfig) -> str:
    """Return a one-line description: layers, activation, cost, eta and mini-batch size."""
    layers = "-".join(str(n) for n in network.sizes)
    return (
        f"{layers} {network.activation}, {network.cost} cost, "
        f"\u03b7 = {train.learning_rate:g}, mini-batch {train.batch_size}"
    )


@dataclass
class KeptRun:
    """A kept run: a finished (or stopped) training run's configuration, its curves and (if kept)
    its final parameters, as the Compare tab draws it; the live run is ``TrainingRun``."""

    name: str
    network: NetworkConfig
    train: TrainConfig
    seed: int
    data: str  # where the training examples came from, e.g. "sample (1,000 of 10,000)"
    n_train: int  # training examples per epoch
    curves: dict[str, np.ndarray]  # TrainingHistory.to_arrays() of the run
    parameters: Snapshot | None = None  # the network at the end (or as last shown)
    status: RunStatus = FINISHED
    note: str = ""  # why it stopped, when it did not finish
    final_test: tuple[float, float] | None = None  # (cost, accuracy) of the final network
    serial: int = field(default=0, compare=False)  # unique id given by the registry

    @classmethod
    def from_history(cls, name: str, history: TrainingHistory, **fields: object) -> KeptRun:
        """Return a run whose curves are copies of ``history``'s columns."""
        return cls(name=name, curves=history.to_arrays(), **fields)

    def history(self) -> TrainingHistory:
        """Return the run's curves as a TrainingHistory (to open it in the main window)."""
        history = TrainingHistory()
        c = self.curves
        history.add_batches(c["batch_progress"], c["batch_cost"])
        for row in zip(
            c["epoch_epoch"], c["epoch_train_cost"], c["epoch_test_cost"], c["epoch_test_accuracy"]
        ):
            history.epochs.append(*row)
        return history

    @property
    def updates(self) -> int:
        """Return the number of mini-batches trained."""
        return len(self.curves["batch_cost"])

    def x_values(self, axis: str, progress: np.ndarray) -> np.ndarray:
        """Return epochs of training ``progress`` on ``axis``: epochs, examples or updates."""
        if axis == "epochs":
            return np.asarray(progress, float)
        if axis == "examples":
            return np.rint(np.asarray(progress, float) * self.n_train)
        if axis == "updates":
            # How many mini-batches had been trained by then (1 for the first batch's point).
            done = self.curves["batch_progress"]
            return np.searchsorted(done, np.asarray(progress, float) * (1 + 1e-12), "right")
        raise ValueError(f"unknown x axis {axis!r}; use one of {X_AXES}")

    def cost_curve(self, axis: str) -> tuple[np.ndarray, np.ndarray]:
        """Return (x, cost) of every mini-batch, x on ``axis``."""
        c = self.curves
        return self.x_values(axis, c["batch_progress"]), c["batch_cost"]

    def accuracy_curve(self, axis: str) -> tuple[np.ndarray, np.ndarray]:
        """Return (x, test accuracy) after every epoch, x on ``axis``."""
        c = self.curves
        return self.x_values(axis, c["epoch_epoch"]), c["epoch_test_accuracy"]

    def final_accuracy(self) -> float | None:
        """Return the final network's test accuracy, else the last epoch's, else None."""
        if self.final_test is not None:
            return self.final_test[1]
        acc = self.curves["epoch_test_accuracy"]
        return float(acc[-1]) if len(acc) else None

    def describe(self) -> str:
        """Return the run's configuration, data and outcome in one line."""
        text = f"{describe_config(self.network, self.train)}, seed {self.seed}, {self.data}"
        if self.status != FINISHED or self.note:
            text += f" ({self.status}{': ' + self.note if self.note else ''})"
        return text

    def nbytes(self) -> int:
        """Return the memory its curves and parameters take."""
        total = sum(a.nbytes for a in self.curves.values())
        if self.parameters is not None:
            total += sum(
                w.nbytes + b.nbytes for w, b in zip(self.parameters.weights, self.parameters.biases)
            )
        return total

    def save(self, path: str | Path) -> None:
        """Save the run as a model file (its network and curves) that File > Open reads."""
        if self.parameters is None:
            raise ValueError(f"{self.name} kept no network to save")
        p = self.parameters
        extra = {"run": self.name, "data": self.data, "seed": self.seed, "status": self.status}
        save_model(path, network_of(p), self.train, p.epoch, p.examples_seen, self.curves, extra)


class RunRegistry:
    """The kept runs, oldest first, within a memory budget the learner sees and can change."""

    def __init__(self, budget: int = DEFAULT_BUDGET) -> None:
        self.runs: list[KeptRun] = []
        self.budget = int(budget)
        self.save_dir: Path | None = None  # when set, runs are saved here before being dropped
        self._serial = 0

    def add(self, run: KeptRun) -> list[KeptRun]:
        """Keep ``run`` and return the oldest runs dropped to stay within the budget."""
        self._serial += 1
        run.serial = self._serial
        self.runs.append(run)
        return self._fit(keep=run)

    def remove(self, run: KeptRun) -> None:
        """Forget ``run``."""
        self.runs = [r for r in self.runs if r is not run]

    def set_budget(self, budget: int) -> list[KeptRun]:
        """Use a new budget in bytes and return the runs dropped to fit it."""
        self.budget = int(budget)
        return self._fit()

    def nbytes(self) -> int:
        """Return the memory all kept runs take."""
        return sum(r.nbytes() for r in self.runs)

    def unique_name(self, base: str) -> str:
        """Return ``base``, or ``base (2)`` etc. if a kept run already has that name."""
        names = {r.name for r in self.runs}
        name, k = base, 2
        while name in names:
            name, k = f"{base} ({k})", k + 1
        return name

    def _fit(self, keep: KeptRun | None = None) -> list[KeptRun]:
        """Drop the oldest runs (but never ``keep`` or a running one) until within budget."""
        dropped = []
        while self.nbytes() > self.budget:
            victims = [r for r in self.runs if r is not keep and r.status != RUNNING]
            if not victims:
                break
            run = victims[0]
            if self.save_dir is not None and run.parameters is not None:
                save_new_file(run, self.save_dir)
            self.remove(run)
            dropped.append(run)
        return dropped


def file_stem(name: str) -> str:
    """Return a run name made safe as a file name."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "run"


def save_new_file(run: KeptRun, folder: Path, when: float | None = None) -> Path:
    """Save ``run`` in ``folder`` under a name no file there has yet; return the path written.

    The name is the run's, then the date and time (``Run_1-2026-12-06_081842.npz``), then
    ``-2``, ``-3`` ... if that is taken. The name is claimed by creating it exclusively, so no
    file is ever replaced, not even one that appears meanwhile; the model is then written
    through the atomic save, and the claim is removed if the save fails (SaveError, an OSError).
    """
    stamp = time.strftime("%Y-%m-%d_%H%M%S", time.localtime(when))
    base = f"{file_stem(run.name)}-{stamp}"
    for k in range(1, 10_000):
        path = Path(folder) / (f"{base}.npz" if k == 1 else f"{base}-{k}.npz")
        # not the user's file: O_EXCL claims a name no file has, and never opens one
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        except OSError as exc:  # a read-only, full or missing folder: say which and why
            reason = "the disk is full" if exc.errno == errno.ENOSPC else exc.strerror or exc
            raise SaveError(f"could not save {run.name} in {folder}: {reason}") from None
        try:
            run.save(path)
        except BaseException:
            # not the user's file: the empty name claimed above, given back
            path.unlink(missing_ok=True)
            raise
        return path
    raise FileExistsError(f"no free file name for {run.name} in {folder}")
