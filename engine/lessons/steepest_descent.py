"""Steepest descent made visible: the step along -g against steps at every angle from it.

The video says the negative gradient is the direction in which the cost falls fastest. Here the
cost C (the mean over a stated set of training images) is evaluated after a step of the same
length s = eta |g| in many directions, and the changes C(after) - C(theta) are real costs, not
the linear prediction:

- along -g: theta - eta g;
- at every angle a from -g in one plane: theta + s d(a), d(a) = cos(a) (-g/|g|) + sin(a) u, with
  u a fixed random unit vector orthogonal to g. To first order the change is
  g . (s d(a)) = -eta |g|^2 cos(a), the curve it is drawn beside;
- along random directions: theta + s r for unit random vectors r drawn over every weight and
  bias at once. In n dimensions the cosine of such an r with g is about +-1/sqrt(n), so these
  directions lie within a degree or so of 90 degrees from -g, where the change is near zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.core.network import Network
from engine.lessons import full_batch as fb

N_RANDOM = 200
EXAMPLES = 2000  # the cost and its gradient are over this many training images (or all)
GROUP = 24  # directions whose first-layer products are computed in one pass over the images
ANGLE_STEP = 5  # degrees between the measured points of the angle curve, 0 to 180


@dataclass(frozen=True)
class SteepestDescent:
    """The change of the cost after a step of one length along -g, at angles from it, at random."""

    learning_rate: float  # the step is eta times a direction as long as g
    step_length: float  # eta * |g|, the same for every direction
    cost: float  # C(theta) over the examples
    gradient_change: float  # C(theta - eta g) - C(theta)
    random_changes: np.ndarray  # C(theta + eta |g| r_i) - C(theta), one per random direction
    random_angles: np.ndarray  # degrees between -g and each random direction r_i
    angles: np.ndarray  # degrees from -g of the angle curve's points, 0 to 180
    angle_changes: np.ndarray  # measured C(theta + eta |g| d(a)) - C(theta) at each angle a
    first_order: np.ndarray  # -eta |g|^2 cos(a) at each angle a
    n_params: int  # the number n of weights and biases: the dimension of the space
    n_examples: int
    seed: int

    @property
    def beaten(self) -> int:
        """How many random directions lower the cost less than -g does."""
        return int(np.count_nonzero(self.random_changes > self.gradient_change))

    @property
    def best_angle(self) -> float:
        """The angle from -g (degrees) at which the measured change is lowest."""
        return float(self.angles[int(np.argmin(self.angle_changes))])

    @property
    def typical_cosine(self) -> float:
        """1/sqrt(n): about the size of the cosine between g and a random direction."""
        return 1.0 / np.sqrt(self.n_params)


def fmt_length(length: float) -> str:
    """Return how a gradient with no direction is described: zero, or not a finite number."""
    return "zero" if length == 0 else f"not finite (|g| = {length})"


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


def dot(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    """Return the dot product of two directions given as per-layer matrices."""
    return sum(float(np.vdot(x, y)) for x, y in zip(a, b))


def orthogonal_direction(g: list[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
    """Return a random direction orthogonal to ``g`` and as long as it (Gram-Schmidt)."""
    (r,) = random_directions([m.shape for m in g], 1, 1.0, rng)
    gg = dot(g, g)
    along = dot(r, g) / gg
    u = [ri - along * gi for ri, gi in zip(r, g)]
    scale = np.sqrt(gg / dot(u, u))
    return [m * scale for m in u]


def angle_curve(
    network: Network,
    images: np.ndarray,
    y: np.ndarray,
    down: list[np.ndarray],
    across: list[np.ndarray],
    learning_rate: float,
    angles: np.ndarray,
) -> np.ndarray:
    """Return the measured cost at theta + eta (cos(a) down + sin(a) across) for each angle a.

    ``down`` is -g and ``across`` a direction orthogonal to g of the same length, so every point
    is a step of length eta |g| at angle a from -g. One pass over the images for the two
    directions' first-layer products; each angle then costs only the small later layers.
    """
    base, slopes = fb.first_layer(network, images, [down[0], across[0]])
    radians = np.radians(angles)
    steps = learning_rate * np.stack([np.cos(radians), np.sin(radians)], axis=1)
    return fb.costs_along_directions(network, base, slopes, [down, across], steps, y)


def steepest_descent(
    network: Network,
    images: np.ndarray,
    labels: np.ndarray,
    learning_rate: float,
    n_random: int = N_RANDOM,
    seed: int = 0,
) -> SteepestDescent:
    """Measure the cost after a step along -g, at angles from -g and along random directions.

    g is the gradient of the mean cost over ``images`` (all of them), computed by backprop; every
    cost is over the same images.
    """
    labels = np.asarray(labels, np.intp)
    full = fb.full_gradient(network, images, labels)
    g = [-gi for gi in full.grid]  # the direction -g
    length = float(np.linalg.norm(full.flat))
    if not (np.isfinite(length) and length > 0):  # no direction to turn from, no angle to measure
        raise ValueError(f"the gradient here is {fmt_length(length)}: no direction is steepest")
    rng = np.random.default_rng(seed)
    shapes = [p.shape for p in network.params]
    randoms = random_directions(shapes, n_random, length, rng)
    directions = [g, *randoms]
    y = network.one_hot(labels)
    costs = []
    for at in range(0, len(directions), GROUP):  # a few at a time: wide layers need memory
        group = directions[at : at + GROUP]
        base, slopes = fb.first_layer(network, images, [d[0] for d in group])
        steps = np.eye(len(group)) * learning_rate  # each point: eta along one direction
        costs += list(fb.costs_along_directions(network, base, slopes, group, steps, y))
    costs = np.array(costs)
    start = float(fb.costs_at(network, base[None], [p[None] for p in network.params[1:]], y)[0])
    angles = np.arange(0.0, 180.0 + ANGLE_STEP / 2, ANGLE_STEP)
    across = orthogonal_direction(g, rng)  # drawn after the random directions: they stay put
    along_angles = angle_curve(network, images, y, g, across, learning_rate, angles)
    cosines = np.array([dot(g, r) for r in randoms]) / length**2  # cos(-g, r_i), |r_i| = |g|
    return SteepestDescent(
        learning_rate=float(learning_rate),
        step_length=learning_rate * length,
        cost=start,
        gradient_change=float(costs[0] - start),
        random_changes=costs[1:] - start,
        random_angles=np.degrees(np.arccos(np.clip(cosines, -1.0, 1.0))),
        angles=angles,
        angle_changes=along_angles - start,
        first_order=-learning_rate * length**2 * np.cos(np.radians(angles)),
        n_params=int(full.flat.size),
        n_examples=len(labels),
        seed=seed,
    )
