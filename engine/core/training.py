"""Mini-batch stochastic gradient descent as a generator that reports after every mini-batch.

The update for a mini-batch of m examples is ``engine.core.update``'s (Nielsen's
``update_mini_batch``, with optional momentum mu and L2 weight decay lambda over n examples):

    v <- mu * v - (eta / m) * sum_x nabla C_x
    w <- (1 - eta * lambda / n) * w + v          (biases are not decayed)

With mu = 0 this is plain SGD and v is the step itself, so momentum switched on mid-run carries on
from the last step taken (from zero after a reset).

``engine.core.reference.sgd_step`` is the same update written plainly; tests/test_reference.py holds
the trainer to it. ``Trainer.reports`` is the generator the worker and the command line both
drive: a report after every mini-batch and the test-set result after every epoch.

Hyper-parameters live in a frozen ``TrainConfig``; assigning a new one to ``Trainer.config``
takes effect at the next mini-batch. The same seed gives a bit-identical run.

A run is stopped only when it really diverges, in one of two ways. A non-finite cost stops
training before the step is applied, and a weight that is no longer a finite number stops it after
(checked on every batch for a while after a reset or a hyper-parameter change, then on every 25th).
Or the cost explodes and stays up: its running mean stays above ``EXPLODE`` times the starting level
for ``EXPLODED_BATCHES`` mini-batches in a row. The starting level is the first mini-batch's cost,
or the cost of answering 1/n_L on every output if that is higher (an opened, trained network starts
near 0, and the noise of a low cost must not count as an explosion).

Large early steps alone are no divergence: small initial weights (the 1/sqrt(n_in) initialisation)
are changed by half their own size in the first step of textbook runs that train well. A learning
rate so large that every sigmoid saturates is no divergence either: the cost freezes (at 0.5 when
every quadratic output sits at 0) without exploding, and the stall check after the epoch
(``engine.session.stall``) names it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from engine.core import backprop, update
from engine.core.network import BackpropRecord, Network
from engine.errors import DivergenceError

WATCHED_BATCHES = 20  # weights checked on every batch this long after a reset or a change
CHECK_EVERY = 25  # and then on every 25th batch of an epoch
EXPLODE = 3.0  # the cost's running mean this many times its starting level is an explosion
EXPLODED_BATCHES = 20  # for this many mini-batches in a row: it stays up
COST_SMOOTHING = 0.1  # weight of the newest mini-batch in the cost's running mean


@dataclass(frozen=True)
class TrainConfig:
    """The SGD hyper-parameters that may change between mini-batches without a reset."""

    learning_rate: float = 3.0
    batch_size: int = 10
    momentum: float = 0.0
    l2: float = 0.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.learning_rate) and self.learning_rate > 0):
            raise ValueError(f"learning rate must be a positive number, got {self.learning_rate}")
        if int(self.batch_size) != self.batch_size or self.batch_size < 1:
            raise ValueError(
                f"mini-batch size must be a positive whole number, got {self.batch_size}"
            )
        if not 0.0 <= self.momentum < 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {self.momentum}")
        if not (math.isfinite(self.l2) and self.l2 >= 0):
            raise ValueError(f"L2 regularisation must be zero or positive, got {self.l2}")


class BatchReport(NamedTuple):
    """What one mini-batch did: where training is, and the batch's mean cost before the step.

    A named tuple: as immutable as a frozen dataclass and five times cheaper to build, which
    counts when one is made for every mini-batch.
    """

    epoch: int  # completed epochs before this batch
    batch: int  # index of this batch within its epoch
    examples_seen: int  # since the start of training, this batch included
    cost: float
    learning_rate: float
    batch_size: int
    epoch_progress: float  # examples_seen / training-set size, the cost plot's x axis
    epoch_done: bool  # this batch finished an epoch
    examples_per_second: float  # smoothed over recent batches, wall-clock between steps


class _Plan(NamedTuple):
    """One training step at one batch size, as call lists on fixed buffers (``Trainer``)."""

    ws: backprop.Workspace
    forward: list[backprop.Call]
    output_error: Callable[[], float]  # the cost's BP1 on ws's buffers; returns the summed cost
    backward_and_step: list[backprop.Call]


@dataclass(frozen=True)
class EpochReport:
    """The end of an epoch: the mean cost of its mini-batches and the test-set result."""

    epoch: int  # epochs completed, this one included
    train_cost: float  # the mean of the epoch's mini-batch costs
    test_cost: float
    test_accuracy: float
    seconds: float  # wall-clock time from the epoch's first mini-batch to the end of its last
    test_correct: int = 0
    test_total: int = 0


@dataclass(frozen=True)
class Evaluation:
    """A network's mean cost and accuracy on a dataset."""

    cost: float
    accuracy: float
    correct: int
    total: int


def to_inputs(images: np.ndarray, dtype: np.dtype | str = np.float32) -> np.ndarray:
    """Return uint8 images (n, 28, 28) as network inputs (n, 784) scaled to [0, 1]."""
    return np.asarray(images, dtype).reshape(len(images), -1) / np.asarray(255, dtype)


def as_input(image: np.ndarray, dtype: np.dtype | str) -> np.ndarray:
    """Return one image as a (1, n_0) network input: uint8 pixels scaled as in training."""
    image = np.asarray(image)
    if image.dtype == np.uint8:
        return to_inputs(image[None], dtype)
    return image.astype(dtype).reshape(1, -1)


def evaluate(
    network: Network, images: np.ndarray, labels: np.ndarray, chunk: int = 10000
) -> Evaluation:
    """Return the mean cost and the fraction classified correctly (arg-max output) on a dataset."""
    total_cost = 0.0
    correct = 0
    for start in range(0, len(labels), chunk):
        x = to_inputs(images[start : start + chunk], network.dtype)
        lab = np.asarray(labels[start : start + chunk])
        a = network.feedforward(x)
        total_cost += float(network.cost.fn(a, network.one_hot(lab))) * len(lab)
        correct += int(np.count_nonzero(np.argmax(a, axis=1) == lab))
    n = max(len(labels), 1)
    return Evaluation(cost=total_cost / n, accuracy=correct / n, correct=correct, total=len(labels))


class Trainer:
    """Trains a network on a training set, one mini-batch at a time, reproducibly from a seed."""

    def __init__(
        self,
        network: Network,
        images: np.ndarray,
        labels: np.ndarray,
        config: TrainConfig | None = None,
        seed: int = 0,
    ) -> None:
        self.network = network
        self._config = config or TrainConfig()
        self._checks_left = WATCHED_BATCHES
        n = len(labels)
        if n == 0:
            raise ValueError("the training set is empty")
        self.labels = np.asarray(labels)
        if self.labels.min() < 0 or self.labels.max() >= network.sizes[-1]:
            raise ValueError(f"labels must lie in 0 .. {network.sizes[-1] - 1} for this network")
        # One row per example with a trailing 1 for the folded-in bias: (n, n_0 + 1).
        self._x = np.ones((n, network.sizes[0] + 1), network.dtype)
        self._x[:, :-1] = to_inputs(images, network.dtype)
        # Column j is the desired output y for label j, as the backward pass reads it: (n_L, n_L).
        self._one_hot_cols = np.ascontiguousarray(network.one_hot(np.arange(network.sizes[-1])).T)
        self._workspaces: dict[int, backprop.Workspace] = {}
        self._velocity: list[np.ndarray] | None = None
        self._step = [np.zeros_like(p) for p in network.params]
        self._plans: dict[int, _Plan] = {}  # by batch size, for the current config
        self.reset_schedule(seed)

    @property
    def config(self) -> TrainConfig:
        """The hyper-parameters; a new value takes effect at the next mini-batch."""
        return self._config

    @config.setter
    def config(self, value: TrainConfig) -> None:
        self._config = value
        self._checks_left = WATCHED_BATCHES
        self._plans = {}

    @property
    def n_train(self) -> int:
        """The number of training examples."""
        return len(self.labels)

    def reset_schedule(self, seed: int) -> None:
        """Restart the epoch count and the shuffling from ``seed`` (the weights are untouched)."""
        self.seed = seed
        self._shuffle_rng = np.random.default_rng(np.random.SeedSequence([seed, 1]))
        self.epoch = 0
        self.examples_seen = 0
        self._position = 0
        self._batch_in_epoch = 0
        self._shuffle()
        self.last_batch = np.zeros(0, np.intp)  # indices of the latest mini-batch
        self.last_cost = math.nan  # its mean cost
        for s in self._step:  # no step taken yet: momentum would start from zero
            s.fill(0)
        self._velocity = None
        self._plans = {}  # their momentum calls hold the old velocity
        self._checks_left = WATCHED_BATCHES
        self._cost_start = math.nan  # the starting level of the cost, set by the first batch
        self._cost_mean = math.nan  # the running mean of the mini-batch costs
        self._cost_high = 0  # mini-batches in a row with the running mean above EXPLODE x start
        self._rate = 0.0
        self._per_example = 0.0  # seconds, smoothed; the rate is its inverse
        self._last_clock = 0.0

    def resume_at(self, epoch: int, examples_seen: int) -> None:
        """Continue the epoch and example counts of an earlier run (an opened model, a branch).

        The next mini-batch starts a fresh shuffle of a new epoch, so ``epoch`` counts the epochs
        already completed.
        """
        self.epoch = int(epoch)
        self.examples_seen = int(examples_seen)

    def _shuffle(self) -> None:
        """Draw the next epoch's order of the examples, and their labels in that order."""
        self._perm = self._shuffle_rng.permutation(self.n_train)
        # Read per batch as a contiguous slice: gathering scattered labels costs cache misses.
        self._perm_labels = self.labels[self._perm].astype(np.intp)

    def peek_next_batch(self, batch_size: int | None = None) -> np.ndarray:
        """Return a copy of the training-set rows the next ``step_batch`` trains on."""
        m = self._config.batch_size if batch_size is None else int(batch_size)
        return self._perm[self._position : self._position + m].copy()

    @property
    def workspace(self) -> backprop.Workspace | None:
        """The buffers of the latest mini-batch (activations, deltas, summed gradients), or None."""
        return self._workspaces.get(len(self.last_batch))

    def step_batch(self) -> BatchReport:
        """Train on the next mini-batch and return its report; raises DivergenceError on blow-up."""
        cfg = self._config
        at = self._position
        idx = self._perm[at : at + cfg.batch_size]
        m = len(idx)
        plan = self._plans.get(m) or self._make_plan(m)
        ws = plan.ws
        # ndarray.take, not np.take: the function adds a Python wrapper (~2 us) to a 5 us gather.
        # Positional axis, out and mode: keywords cost more than the small gathers themselves.
        self._x.take(idx, 0, ws.x, "clip")  # (m, n_0 + 1)
        self._one_hot_cols.take(self._perm_labels[at : at + m], 1, ws.y_cols, "clip")  # (n_L, m)
        for f, args in plan.forward:
            f(*args)
        cost = plan.output_error() / m  # BP1
        self.last_batch = idx
        self.last_cost = cost
        if not math.isfinite(cost):
            raise DivergenceError(
                f"The cost became {cost} in epoch {self.epoch + 1}, mini-batch "
                f"{self._batch_in_epoch + 1}: training diverged. Lower the learning rate "
                f"(now {cfg.learning_rate:g}) and reset the network.",
                epoch=self.epoch,
                batch=self._batch_in_epoch,
            )
        for f, args in plan.backward_and_step:  # BP2, the scaled BP3 and BP4, the update
            f(*args)
        if self._checks_left > 0 or self._batch_in_epoch % CHECK_EVERY == 0:
            self._checks_left -= 1
            self._check_weights()
        self._check_cost(cost)
        return self._advance(m, cost)

    def _where(self) -> str:
        """Return "In epoch e, mini-batch b" for the batch just trained, counting from 1."""
        return f"In epoch {self.epoch + 1}, mini-batch {self._batch_in_epoch + 1}"

    def _diverged(self, what: str) -> DivergenceError:
        """Return the error that stops a diverged run: what happened, then what to do."""
        return DivergenceError(
            f"{self._where()}, {what}: training diverged. Lower the learning rate (now "
            f"{self.config.learning_rate:g}, too large for this network) and reset the network.",
            epoch=self.epoch,
            batch=self._batch_in_epoch,
        )

    def _check_weights(self) -> None:
        """Raise DivergenceError if a layer's weights are no longer finite numbers."""
        vdot = np.vdot  # the squared size, without np.linalg.norm's 3 us of Python
        for k, p in enumerate(self.network.params):
            if not math.isfinite(float(vdot(p, p))):
                biggest = float(np.max(np.abs(p)))
                what = (
                    f"grew to {biggest:.2g}, too large to compute with"
                    if math.isfinite(biggest)
                    else "are no longer finite numbers"
                )
                raise self._diverged(f"layer {k + 1}'s weights {what}")

    def _check_cost(self, cost: float) -> None:
        """Raise DivergenceError if the cost's running mean has exploded and stayed up."""
        if math.isnan(self._cost_start):
            self._cost_start = max(cost, self._guess_cost())
            self._cost_mean = cost
            return
        self._cost_mean += COST_SMOOTHING * (cost - self._cost_mean)
        if self._cost_mean <= EXPLODE * self._cost_start:
            self._cost_high = 0
            return
        self._cost_high += 1
        if self._cost_high >= EXPLODED_BATCHES:
            raise self._diverged(
                f"the cost exploded: its running mean has stayed above {EXPLODE:g} times its "
                f"starting level ({self._cost_start:.3g}) for {EXPLODED_BATCHES} mini-batches and "
                f"is {self._cost_mean:.3g} now"
            )

    def _guess_cost(self) -> float:
        """Return the cost of answering 1/n_L on every output, whatever the digit."""
        n = self.network.sizes[-1]
        guess = np.full((1, n), 1.0 / n, self.network.dtype)
        return float(self.network.cost.fn(guess, self.network.one_hot(np.array([0]))))

    def _make_plan(self, m: int) -> _Plan:
        """Make the call lists of one training step at batch size m for the current config.

        Everything a step computes lives in fixed buffers: the workspace, the step, the velocity and
        the parameters themselves (updated in place); the update is ``engine.core.update``'s. The
        lists are made again only when the config changes or a batch size comes up for the first
        time (an epoch's short last batch has a plan of its own).
        """
        cfg = self._config
        net = self.network
        params = net.params
        ws = self._workspaces.get(m)
        if ws is None:
            ws = self._workspaces[m] = backprop.Workspace(net.sizes, m, net.dtype)
        calls = backprop.backprop_calls(params, net.activation, ws)
        if cfg.momentum > 0:
            if self._velocity is None:  # momentum switched on: v starts as the last step taken
                self._velocity = [s.copy() for s in self._step]
        else:
            self._velocity = None  # plain SGD: the step itself is the last step
        # The step, decay and momentum: the rule's own calls, its factors -eta/m (one for each
        # batch size: an epoch's short last batch has its own plan), mu and 1 - eta*lambda/n.
        calls += update.sgd_calls(
            params,
            ws,
            cfg.learning_rate,
            cfg.momentum,
            cfg.l2,
            self.n_train,
            self._step,
            self._velocity,
        )
        forward = backprop.forward_calls(params, net.activation, net.output_activation, ws)
        output_error = net.cost.output_error(*ws.output_error_args)
        plan = self._plans[m] = _Plan(ws, forward, output_error, calls)
        return plan

    def _advance(self, m: int, cost: float) -> BatchReport:
        """Move the position in the epoch forward by m examples and build the report."""
        self._position += m
        self.examples_seen += m
        batch = self._batch_in_epoch
        epoch = self.epoch
        n = len(self.labels)
        done = self._position >= n
        if done:
            self.epoch += 1
            self._position = 0
            self._batch_in_epoch = 0
            self._shuffle()
        else:
            self._batch_in_epoch += 1
        # Examples per second, smoothed; a gap over two seconds (a pause) restarts it.
        now = time.perf_counter()
        dt = now - self._last_clock
        self._last_clock = now
        if 0 < dt < 2.0:
            # Smooth the seconds per example, not the rate: a mean of rates m/dt is pulled far
            # up by the short gaps between paced (slow-motion) steps.
            per = dt / m
            self._per_example = per if self._rate == 0 else 0.98 * self._per_example + 0.02 * per
            self._rate = 1.0 / self._per_example
        # Positional arguments, in field order: a third cheaper than keywords, every batch.
        return BatchReport(
            epoch,
            batch,
            self.examples_seen,
            cost,
            self._config.learning_rate,
            m,
            self.examples_seen / n,
            done,
            self._rate,
        )

    def latest_record(self) -> BackpropRecord | None:
        """Return the latest mini-batch's forward and backward pass (before its step), or None."""
        ws = self.workspace
        if ws is None or not len(self.last_batch):
            return None
        return BackpropRecord.of(ws, self.network.cost, self.last_cost)

    def last_step(self) -> list[np.ndarray]:
        """Return the update applied by the latest mini-batch, per layer (n_out, n_in + 1)."""
        if self._velocity is not None:  # momentum on
            return self._velocity
        return self._step

    def batches(self, epochs: int | None = None) -> Iterator[BatchReport]:
        """Yield a report after every mini-batch for ``epochs`` more epochs (None: forever)."""
        target = None if epochs is None else self.epoch + epochs
        while target is None or self.epoch < target:
            yield self.step_batch()

    def reports(
        self, test_images: np.ndarray, test_labels: np.ndarray, epochs: int | None = None
    ) -> Iterator[BatchReport | EpochReport]:
        """Yield a report after every mini-batch, and after each epoch's last one an EpochReport.

        The EpochReport evaluates the network on the test set. Trains ``epochs`` more epochs, or
        forever when None; the worker and the command line both drive this generator.
        """
        target = None if epochs is None else self.epoch + epochs
        costs: list[float] = []
        start = 0.0
        while target is None or self.epoch < target:
            if not costs:
                start = time.perf_counter()
            report = self.step_batch()
            costs.append(report.cost)
            yield report
            if report.epoch_done:
                seconds = time.perf_counter() - start
                test = evaluate(self.network, test_images, test_labels)
                yield EpochReport(
                    self.epoch,
                    float(np.mean(costs)),
                    test.cost,
                    test.accuracy,
                    seconds,
                    test.correct,
                    test.total,
                )
                costs = []

    def epoch_batches(self) -> Iterator[BatchReport]:
        """Yield reports until the current epoch is finished (a full epoch if at its start)."""
        while True:
            report = self.step_batch()
            yield report
            if report.epoch_done:
                return
