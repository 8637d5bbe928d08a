"""Steepest descent made visible: the step along -g against steps along random directions.

The video says the negative gradient is the direction in which the cost falls fastest. Here the
cost C (the mean over a stated set of training images) is evaluated after a step of the same
length along -g and along many random directions: theta - eta g, and theta + eta |g| r for unit
random vectors r drawn over every weight and bias at once. The changes C(after) - C(theta) are
real costs, not the linear prediction -eta |g|^2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine import full_batch as fb
from engine.network import Network

N_RANDOM = 200
EXAMPLES = 2000  # the cost and its gradient are over this many training images (or all)
GROUP = 24  # directions whose first-layer products are computed in one pass over the images


@dataclass(frozen=True)
class SteepestDescent:
    """The change of the cost after a step along -g and along random directions of its length."""

    learning_rate: float  # the step is eta times a direction as long as g
    step_length: float  # eta * |g|, the same for every direction
    cost: float  # C(theta) over the examples
    gradient_change: float  # C(theta - eta g) - C(theta)
    random_changes: np.ndarray  # C(theta + eta |g| r_i) - C(theta), one per random direction
    n_examples: int
    seed: int

    @property
    def beaten(self) -> int:
        """How many random directions lower the cost less than -g does."""
        return int(np.count_nonzero(self.random_changes > self.gradient_change))


def random_directions(
    shapes: list[tuple[int, ...]], count: int, length: float, rng: np.random.Generator
) -> list[list[np.ndarray]]:
    """Return ``count`` random directions (per-layer float64 matrices), each of the given length.

    Every direction is a normal vector over all parameters at once, scaled to ``length``: a
    uniformly random direction in parameter space.
    """
    found = []
    for _ in range(count):
        d = [rng.standard_normal(shape) for shape in shapes]
        norm = np.sqrt(sum(float(np.vdot(m, m)) for m in d))
        found.append([m * (length / norm) for m in d])
    return found


def steepest_descent(
    network: Network,
    images: np.ndarray,
    labels: np.ndarray,
    learning_rate: float,
    n_random: int = N_RANDOM,
    seed: int = 0,
) -> SteepestDescent:
    """Compare the cost after a step along -g with the cost after steps along random directions.

    g is the gradient of the mean cost over ``images`` (all of them), computed by backprop.
    """
    labels = np.asarray(labels, np.intp)
    full = fb.full_gradient(network, images, labels)
    g = [-gi for gi in full.grid]  # the direction -g
    length = float(np.linalg.norm(full.flat))
    rng = np.random.default_rng(seed)
    shapes = [p.shape for p in network.params]
    directions = [g, *random_directions(shapes, n_random, length, rng)]
    y = network.one_hot(labels)
    costs = []
    for at in range(0, len(directions), GROUP):  # a few at a time: wide layers need memory
        group = directions[at : at + GROUP]
        base, slopes = fb.first_layer(network, images, [d[0] for d in group])
        steps = np.eye(len(group)) * learning_rate  # each point: eta along one direction
        costs += list(fb.costs_along_directions(network, base, slopes, group, steps, y))
    costs = np.array(costs)
    start = float(fb.costs_at(network, base[None], [p[None] for p in network.params[1:]], y)[0])
    return SteepestDescent(
        learning_rate=float(learning_rate),
        step_length=learning_rate * length,
        cost=start,
        gradient_change=float(costs[0] - start),
        random_changes=costs[1:] - start,
        n_examples=len(labels),
        seed=seed,
    )
