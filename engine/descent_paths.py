"""Stochastic against full-gradient descent on a 2-D picture of the cost: the drunk man's walk.

From the same start theta_0, real mini-batch SGD steps (``engine.training.Trainer`` on a copy,
drawing its batches exactly as training does) and careful full-gradient steps
theta <- theta - eta * grad C over the whole set are taken side by side. The picture is the plane
through theta_0 spanned by u, the direction of -grad C at the start, and v, the part of
(SGD's end - theta_0) orthogonal to u: the cost is evaluated on a grid of that plane, and every
point of both paths is projected onto it. Points after the first leave the plane, so each keeps
its distance from it and its real cost C(theta_k), evaluated at the point itself.
C is the mean cost over the set (the first ``EXAMPLES`` training images in use, or all).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine import full_batch as fb
from engine.network import Network
from engine.training import TrainConfig, Trainer

EXAMPLES = 10000
STEPS = 6
GRID = 17  # grid points along each axis of the plane
MARGIN = 0.25  # the grid extends this fraction of the paths' span beyond them


@dataclass(frozen=True)
class Path:
    """The states of one descent, their coordinates on the plane and their real costs."""

    states: np.ndarray  # (k + 1, n_params) float64 flat parameters, the start first
    coords: np.ndarray  # (k + 1, 2) projections (along u, along v) of states - theta_0
    off_plane: np.ndarray  # (k + 1,) distance of each state from the plane
    costs: np.ndarray  # (k + 1,) C(state), evaluated at the state itself


@dataclass(frozen=True)
class DescentPicture:
    """The cost on a plane through the start, and the SGD and full-gradient paths over it."""

    alphas: np.ndarray  # grid coordinates along u
    betas: np.ndarray  # grid coordinates along v
    costs: np.ndarray  # (len(alphas), len(betas)): C(theta_0 + alpha u + beta v)
    u: np.ndarray  # flat unit vectors spanning the plane
    v: np.ndarray
    sgd: Path
    full: Path
    n_examples: int
    batch_size: int
    learning_rate: float
    seed: int


def flat(params: list[np.ndarray]) -> np.ndarray:
    """Return parameter matrices as one float64 vector, layer by layer, row by row."""
    return np.concatenate([np.asarray(p, np.float64).ravel() for p in params])


def unflat(vector: np.ndarray, shapes: list[tuple[int, int]]) -> list[np.ndarray]:
    """Return a flat vector cut back into matrices of the given shapes."""
    out, at = [], 0
    for shape in shapes:
        size = shape[0] * shape[1]
        out.append(vector[at : at + size].reshape(shape))
        at += size
    return out


def sgd_states(
    network: Network, images, labels, config: TrainConfig, steps: int, seed: int
) -> np.ndarray:
    """Return the flat parameters of a Trainer on a copy of ``network`` after 0 .. steps batches."""
    trainer = Trainer(network.copy(), images, labels, config, seed)
    states = [flat(trainer.network.params)]
    for _ in range(steps):
        trainer.step_batch()
        states.append(flat(trainer.network.params))
    return np.array(states)


def full_states(network: Network, images, labels, eta: float, steps: int):
    """Return ``steps`` full-gradient steps' states, the costs before each, and the first grad."""
    net = network.copy()
    states, costs, first = [flat(net.params)], [], None
    for _ in range(steps):
        g = fb.full_gradient(net, images, labels)  # the cost at this state comes with it
        first = g.grid if first is None else first
        costs.append(g.cost)
        for p, gi in zip(net.params, g.grid):
            p -= (eta * gi).astype(p.dtype)
        states.append(flat(net.params))
    return np.array(states), np.array(costs), first


def state_costs(network: Network, images, y, states: np.ndarray, directions) -> tuple:
    """Return C at every state and the first-layer products along ``directions``, in one pass.

    Every state's first layer is the start's plus its difference from the start, so one pass
    over the images with the plane's directions and all the differences stacked gives both.
    """
    shapes = [p.shape for p in network.params]
    theta0 = flat(network.params)
    moves = [unflat(s - theta0, shapes) for s in states]
    base, slopes = fb.first_layer(network, images, [*directions, *(m[0] for m in moves)])
    z1 = base[None] + slopes[len(directions) :]  # (states, n, n_1)
    cut = [unflat(s, shapes) for s in states]
    later = [np.stack([c[k] for c in cut]).astype(network.dtype) for k in range(1, len(shapes))]
    return fb.costs_at(network, z1, later, y), base, slopes[: len(directions)]


def descent_picture(
    network: Network,
    images: np.ndarray,
    labels: np.ndarray,
    config: TrainConfig,
    steps: int = STEPS,
    seed: int = 0,
    grid: int = GRID,
) -> DescentPicture:
    """Take ``steps`` SGD and full-gradient steps from ``network`` and picture the cost plane."""
    labels = np.asarray(labels, np.intp)
    shapes = [p.shape for p in network.params]
    eta = float(config.learning_rate)
    full, full_costs, g0 = full_states(network, images, labels, eta, steps)
    sgd = sgd_states(network, images, labels, config, steps, seed)
    theta0 = sgd[0]
    u = -flat(list(g0))
    u /= max(np.linalg.norm(u), 1e-300)
    w = sgd[-1] - theta0
    w -= (w @ u) * u
    if np.linalg.norm(w) < 1e-12:  # SGD went exactly along -g: any other direction will do
        w = np.random.default_rng(seed).standard_normal(len(u))
        w -= (w @ u) * u
    v = w / np.linalg.norm(w)
    U, V = unflat(u, shapes), unflat(v, shapes)  # noqa: N806 - the plane's two directions
    y = network.one_hot(labels)
    costs_at_states, base, slopes = state_costs(
        network, images, y, np.concatenate([sgd, full[-1:]]), [U[0], V[0]]
    )
    sgd_costs = costs_at_states[:-1]
    full_costs = np.append(full_costs, costs_at_states[-1])
    paths = [_path(states, theta0, u, v, c) for states, c in ((sgd, sgd_costs), (full, full_costs))]
    coords = np.concatenate([p.coords for p in paths])
    spans = []
    for axis in range(2):
        lo, hi = coords[:, axis].min(), coords[:, axis].max()
        pad = MARGIN * max(hi - lo, 1e-3)
        spans.append(np.linspace(lo - pad, hi + pad, grid))
    alphas, betas = spans
    points = np.array([(a, b) for a in alphas for b in betas])
    costs = fb.costs_along_directions(network, base, slopes, [U, V], points, y)
    return DescentPicture(
        alphas=alphas,
        betas=betas,
        costs=costs.reshape(grid, grid),
        u=u,
        v=v,
        sgd=paths[0],
        full=paths[1],
        n_examples=len(labels),
        batch_size=int(config.batch_size),
        learning_rate=eta,
        seed=seed,
    )


def _path(states: np.ndarray, theta0: np.ndarray, u, v, costs: np.ndarray) -> Path:
    """Return a path's projections onto the plane, distances from it and costs."""
    d = states - theta0
    coords = np.stack([d @ u, d @ v], axis=1)
    rest = d - np.outer(coords[:, 0], u) - np.outer(coords[:, 1], v)
    return Path(states=states, coords=coords, off_plane=np.linalg.norm(rest, axis=1), costs=costs)
