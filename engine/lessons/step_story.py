"""One real mini-batch step taken apart for the "Play one step" animation: every number it shows.

The story is made in two halves around the trainer's own step, so the animation ends exactly where
training goes on. ``prepare_story`` reads the trainer before the step: its parameters, the exact
next mini-batch (``Trainer.peek_next_batch``) and each example's forward and backward pass
(``Network.backprop`` on a copy). The trainer then takes the step as usual, and ``finish_story``
adds the parameters after it. Rows are examples, as everywhere in the engine; weight layer k maps
neuron layer k to k + 1.

For example x the change it wants is -dC_x/dw = -a_in * delta_out (BP4, with -delta for the
biases, BP3). The mini-batch adds them up, the average of m is -dC/dw, and the step is the update
rule's (``engine.core.update``):

    v = mu * v_prev + eta * (average)         (plain SGD: mu = 0)
    w <- (1 - eta * lambda / n) * w + v       (biases are not decayed)

which ``predicted_change`` runs as the trainer does; ``change`` is what really happened, after -
before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from engine.core import update
from engine.core.network import Network
from engine.core.training import TrainConfig, Trainer, to_inputs
from engine.lessons.nudges import desired_nudges
from engine.session.snapshot import ExampleTrace, Snapshot, frozen_copy, network_of, trace_example


@dataclass(frozen=True)
class StepStory:
    """The parameters before and after one mini-batch step and each example's backprop record."""

    before: Snapshot  # the network before the step (the diagram shown before playing)
    train_config: TrainConfig  # the step's hyper-parameters
    indices: np.ndarray  # (m,) the mini-batch's rows in the training set
    images: np.ndarray  # (m, 28, 28) uint8
    labels: np.ndarray  # (m,)
    activations: tuple[np.ndarray, ...]  # per layer 0 .. L, (m, n_k)
    deltas: tuple[np.ndarray, ...]  # per layer 1 .. L (index k - 1), (m, n_k): dC_x/dz
    dc_da: tuple[np.ndarray, ...]  # per layer 1 .. L (index k - 1), (m, n_k): dC_x/da
    costs: np.ndarray  # (m,) each example's cost C_x
    velocity: tuple[np.ndarray, ...]  # the trainer's last step v_prev, (n_out, n_in + 1)
    after: Snapshot | None = None  # the network after the step, once it is taken
    cost_after: float = float("nan")  # the mini-batch's mean cost on the new parameters

    @property
    def batch_size(self) -> int:
        """Return m, the number of examples in the mini-batch."""
        return len(self.labels)

    @property
    def sizes(self) -> tuple[int, ...]:
        """Return the layer sizes, input first."""
        return self.before.sizes

    @property
    def cost_before(self) -> float:
        """Return the mini-batch's mean cost before the step (the cost plot's point)."""
        return float(np.mean(self.costs))

    def guess(self, i: int) -> int:
        """Return the digit the network guesses for example i (its largest output)."""
        return int(np.argmax(self.activations[-1][i]))

    def trace_after(self, i: int) -> ExampleTrace | None:
        """Return example i run through the network after the step (None before it is taken)."""
        if self.after is None:
            return None
        return trace_example(self.after, self.images[i], int(self.labels[i]))

    def output_nudges(self, i: int) -> np.ndarray:
        """Return the nudge each output of example i wants, y - a (``engine.lessons.nudges``)."""
        y = np.eye(self.sizes[-1])[int(self.labels[i])]
        return desired_nudges(self.before.config.cost, self.activations[-1][i], y)

    def wanted_change(self, i: int, layer: int) -> np.ndarray:
        """Return the change of weight layer ``layer`` example i wants: -a_in * delta_out (BP4)."""
        return -np.outer(self.deltas[layer][i], self.activations[layer][i])

    def wanted_bias_change(self, i: int, layer: int) -> np.ndarray:
        """Return the change of weight layer ``layer``'s biases example i wants: -delta (BP3)."""
        return -np.asarray(self.deltas[layer][i], np.float64)

    def running_sum(self, examples: Sequence[int], layer: int) -> tuple[np.ndarray, np.ndarray]:
        """Return the wanted changes of ``examples`` added up: (weights, biases), in float64."""
        idx = np.asarray(examples, np.intp)
        delta = np.asarray(self.deltas[layer][idx], np.float64)  # (k, n_out)
        a_in = np.asarray(self.activations[layer][idx], np.float64)  # (k, n_in)
        return -(delta.T @ a_in), -delta.sum(axis=0)

    def average(self, layer: int) -> tuple[np.ndarray, np.ndarray]:
        """Return the mean wanted change over the mini-batch, -dC/dw and -dC/db."""
        w, b = self.running_sum(range(self.batch_size), layer)
        return w / self.batch_size, b / self.batch_size

    @cached_property
    def _rule_changes(self) -> list[np.ndarray]:
        """Return each layer's change by the update rule as the trainer runs it, in float64."""
        cfg = self.train_config
        net = network_of(self.before)
        before = [p.copy() for p in net.params]
        ws, _ = net.backward_workspace(to_inputs(self.images, net.dtype), self.labels)
        velocity = [v.copy() for v in self.velocity] if cfg.momentum > 0 else None
        n = self.before.n_train
        update.apply_step(net.params, ws, cfg.learning_rate, cfg.momentum, cfg.l2, n, velocity)
        return [np.asarray(p, np.float64) - b for p, b in zip(net.params, before)]

    def predicted_change(self, layer: int) -> tuple[np.ndarray, np.ndarray]:
        """Return the change the update rule gives, momentum and decay included: (dw, db).

        The rule is ``engine.core.update``'s, run on the step's own mini-batch and last step exactly
        as the trainer runs it, so before the step is taken this is the change it will make.
        """
        change = self._rule_changes[layer]
        return change[:, :-1], change[:, -1]

    def change(self, layer: int) -> tuple[np.ndarray, np.ndarray]:
        """Return what the step did to weight layer ``layer``: after - before (else predicted)."""
        if self.after is None:
            return self.predicted_change(layer)
        w = np.asarray(self.after.weights[layer], np.float64) - self.before.weights[layer]
        b = np.asarray(self.after.biases[layer], np.float64) - self.before.biases[layer]
        return w, b


def prepare_story(
    trainer: Trainer, images: np.ndarray, config: TrainConfig, before: Snapshot
) -> StepStory:
    """Return the story of the step ``trainer`` takes next with ``config``, before it is taken.

    ``images`` is the uint8 training set the trainer indexes into; ``before`` a snapshot of the
    trainer as it is now.
    """
    idx = trainer.peek_next_batch(config.batch_size)
    net: Network = trainer.network.copy()
    labels = np.asarray(trainer.labels[idx])
    record = net.backprop(to_inputs(images[idx], net.dtype), labels)
    y = net.one_hot(labels)
    out = record.activations[-1]
    costs = np.array([float(net.cost.fn(out[i : i + 1], y[i : i + 1])) for i in range(len(idx))])
    return StepStory(
        before=before,
        train_config=config,
        indices=frozen_copy(idx),
        images=frozen_copy(images[idx]),
        labels=frozen_copy(labels),
        activations=tuple(frozen_copy(a) for a in record.activations),
        deltas=tuple(frozen_copy(d) for d in record.deltas),
        dc_da=tuple(frozen_copy(d) for d in record.dc_da),
        costs=frozen_copy(costs),
        velocity=tuple(frozen_copy(s) for s in trainer.last_step()),
    )


def finish_story(story: StepStory, after: Snapshot) -> StepStory:
    """Return ``story`` with the network after its step and the mini-batch's cost on it."""
    net = network_of(after)
    x = to_inputs(story.images, net.dtype)
    cost = float(net.mean_cost(x, story.labels))
    return replace(story, after=after, cost_after=cost)
