"""Stochastic against full-gradient descent on a 2-D picture of the cost: the drunk man's walk.

From the same start theta_0, real mini-batch SGD steps (``engine.core.training.Trainer`` on a copy,
drawing its batches exactly as training does) and careful full-gradient steps
theta <- theta - eta * grad C over the whole set are taken side by side, compared one of two ways:

- at equal work (``EQUAL_WORK``, the video's trade): each careful step looks at all n images, so
  it is matched by the mini-batches of one epoch (n / m steps of m images), and the two paths are
  compared after the same number of images looked at;
- at equal steps (``EQUAL_STEPS``): k mini-batch steps against k careful steps, the careful ones
  having looked at n / m times as many images.

The picture is the plane through theta_0 spanned by u, the direction of -grad C at the start, and
v, the part of (SGD's end - theta_0) orthogonal to u: the cost is evaluated on a grid of that
plane, and every drawn point of both paths is projected onto it. Points after the first leave the
plane, so each keeps its distance from it and its real cost C(theta_k), evaluated at the point
itself. C is the mean cost over the set (the first ``EXAMPLES`` training images in use, or all).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.core import update
from engine.core.network import Network
from engine.core.training import TrainConfig, Trainer
from engine.lessons import full_batch as fb

EXAMPLES = 10000
EQUAL_WORK, EQUAL_STEPS = "equal work", "equal steps"
CAREFUL_STEPS = 3  # equal work: careful steps, each matched by an epoch of mini-batch steps
STEPS = 6  # equal steps: steps of each kind
DRAWN_PER_EPOCH = 10  # equal work: SGD states drawn per careful step's worth of mini-batches
NOISE_BATCHES = 40  # mini-batches drawn at the start to measure their gradients' error
GRID = 17  # grid points along each axis of the plane
MARGIN = 0.25  # the grid extends this fraction of the paths' span beyond them
TOP_MARGIN = 0.4  # and this much above them, where SGD's end (the most along v) has its label
DIGITS = 4  # costs are printed to this many significant digits: a tie is a tie to these


@dataclass(frozen=True)
class Path:
    """The drawn states of one descent, their coordinates on the plane and their real costs."""

    states: np.ndarray  # (k + 1, n_params) float64 flat parameters, the start first
    coords: np.ndarray  # (k + 1, 2) projections (along u, along v) of states - theta_0
    off_plane: np.ndarray  # (k + 1,) distance of each state from the plane
    costs: np.ndarray  # (k + 1,) C(state), evaluated at the state itself
    steps: np.ndarray  # (k + 1,) how many steps of its kind led to each state
    images: np.ndarray  # (k + 1,) how many training images those steps looked at


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
    marks: np.ndarray  # (k + 1,) index in sgd of the state matched with careful state 0 .. k
    view: str  # EQUAL_WORK or EQUAL_STEPS
    n_examples: int
    batch_size: int
    learning_rate: float
    momentum: float
    seed: int
    slope: float  # |grad C| at the start, over all n_examples
    noise: float  # mean |g_batch - grad C| at the start over NOISE_BATCHES mini-batches

    @property
    def per_careful(self) -> int:
        """Mini-batch steps that look at as many images as one careful step (one epoch)."""
        return -(-self.n_examples // self.batch_size)

    @property
    def every(self) -> int:
        """SGD's drawn states are every this many mini-batch steps (and its matched ones)."""
        return max(1, self.per_careful // DRAWN_PER_EPOCH) if self.view == EQUAL_WORK else 1


@dataclass(frozen=True)
class Verdict:
    """Which path ended lower, by how much, and what each looked at to get there."""

    winner: str  # "sgd", "careful", or "tie" (the same to DIGITS significant digits)
    sgd_cost: float
    careful_cost: float
    sgd_images: int
    careful_images: int
    sgd_steps: int
    careful_steps: int
    sgd_uphill: bool  # SGD's end is above the start
    sgd_lowest: float  # the lowest cost among SGD's drawn states, and its images looked at
    sgd_lowest_images: int
    sgd_ahead: int  # of the careful steps, after how many the matched SGD state was lower

    @property
    def margin(self) -> float:
        """How much lower the winner ended (0 for a tie)."""
        return 0.0 if self.winner == "tie" else abs(self.careful_cost - self.sgd_cost)


def same_to_digits(a: float, b: float, digits: int = DIGITS) -> bool:
    """Return whether two costs print the same to ``digits`` significant digits."""
    return f"{float(a) + 0.0:.{digits}g}" == f"{float(b) + 0.0:.{digits}g}"


def verdict(p: DescentPicture) -> Verdict:
    """Compare the two paths' last matched states: the picture's conclusion, from its numbers."""
    s, c = p.marks[-1], len(p.full.costs) - 1
    sgd_cost, careful_cost, start = float(p.sgd.costs[s]), float(p.full.costs[c]), p.sgd.costs[0]
    if same_to_digits(sgd_cost, careful_cost):
        winner = "tie"
    else:
        winner = "sgd" if sgd_cost < careful_cost else "careful"
    lowest = int(np.argmin(p.sgd.costs[: s + 1]))
    ahead = sum(
        p.sgd.costs[p.marks[k]] < p.full.costs[k]
        and not same_to_digits(p.sgd.costs[p.marks[k]], p.full.costs[k])
        for k in range(1, c + 1)
    )
    return Verdict(
        winner=winner,
        sgd_cost=sgd_cost,
        careful_cost=careful_cost,
        sgd_images=int(p.sgd.images[s]),
        careful_images=int(p.full.images[c]),
        sgd_steps=int(p.sgd.steps[s]),
        careful_steps=int(p.full.steps[c]),
        sgd_uphill=sgd_cost > start and not same_to_digits(sgd_cost, start),
        sgd_lowest=float(p.sgd.costs[lowest]),
        sgd_lowest_images=int(p.sgd.images[lowest]),
        sgd_ahead=int(ahead),
    )


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
    network: Network, images, labels, config: TrainConfig, drawn, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return a Trainer's flat parameters after each number of batches in ``drawn`` (ascending).

    The Trainer trains a copy of ``network``; the images it has looked at by then come too.
    """
    trainer = Trainer(network.copy(), images, labels, config, seed)
    states, seen, done = [], [], 0
    for target in drawn:
        for _ in range(target - done):
            trainer.step_batch()
        done = target
        states.append(flat(trainer.network.params))
        seen.append(trainer.examples_seen)
    return np.array(states), np.array(seen, np.int64)


def full_states(network: Network, images, labels, eta: float, steps: int):
    """Return ``steps`` full-gradient steps' states, the costs before each, and the first grad."""
    net = network.copy()
    states, costs, first = [flat(net.params)], [], None
    for _ in range(steps):
        g = fb.full_gradient(net, images, labels)  # the cost at this state comes with it
        first = g if first is None else first
        costs.append(g.cost)
        update.apply_gradient(net.params, g.grid, eta)
        states.append(flat(net.params))
    return np.array(states), np.array(costs), first


def batch_noise(network: Network, images, labels, gradient: np.ndarray, m: int, seed: int) -> float:
    """Return the mean length of (mini-batch gradient - ``gradient``) over NOISE_BATCHES batches.

    Each batch is m images drawn without replacement: how far the drunk man's estimate of the
    slope is off, at the start, on average.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 2]))
    n = len(labels)
    errors = []
    for _ in range(NOISE_BATCHES):
        idx = np.sort(rng.choice(n, size=min(m, n), replace=False))
        g = fb.full_gradient(network, images[idx], labels[idx]).flat
        errors.append(np.linalg.norm(g - gradient))
    return float(np.mean(errors))


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


def drawn_steps(view: str, careful: int, per: int) -> tuple[list[int], list[int]]:
    """Return the SGD step counts drawn and, of those, the ones matched with careful steps 0..k.

    At equal work careful step k is matched by k epochs (k * per mini-batch steps), and about
    DRAWN_PER_EPOCH states of each epoch are drawn; at equal steps every step is drawn.
    """
    if view == EQUAL_STEPS:
        return list(range(careful + 1)), list(range(careful + 1))
    if view != EQUAL_WORK:
        raise ValueError(f"unknown view {view!r}: {EQUAL_WORK!r} or {EQUAL_STEPS!r}")
    every = max(1, per // DRAWN_PER_EPOCH)
    matched = [k * per for k in range(careful + 1)]
    return sorted(set(range(0, careful * per + 1, every)) | set(matched)), matched


def descent_picture(
    network: Network,
    images: np.ndarray,
    labels: np.ndarray,
    config: TrainConfig,
    view: str = EQUAL_WORK,
    steps: int | None = None,
    seed: int = 0,
    grid: int = GRID,
) -> DescentPicture:
    """Take careful and SGD steps from ``network`` compared by ``view``; picture the cost plane.

    ``steps`` is the number of careful steps (default ``CAREFUL_STEPS`` at equal work, ``STEPS``
    at equal steps).
    """
    labels = np.asarray(labels, np.intp)
    n, m = len(labels), int(config.batch_size)
    if steps is None:
        steps = CAREFUL_STEPS if view == EQUAL_WORK else STEPS
    per = -(-n // m)  # one epoch: the mini-batches that look at every image once
    drawn, matched = drawn_steps(view, steps, per)
    shapes = [p.shape for p in network.params]
    eta = float(config.learning_rate)
    full, full_costs, g0 = full_states(network, images, labels, eta, steps)
    sgd, seen = sgd_states(network, images, labels, config, drawn, seed)
    theta0 = sgd[0]
    slope = float(np.linalg.norm(g0.flat))
    noise = batch_noise(network, images, labels, g0.flat, m, seed)
    u = -g0.flat
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
    careful = np.arange(steps + 1)
    paths = [
        _path(sgd, theta0, u, v, sgd_costs, np.array(drawn), seen),
        _path(full, theta0, u, v, full_costs, careful, careful * n),
    ]
    coords = np.concatenate([p.coords for p in paths])
    spans = []
    for axis in range(2):
        lo, hi = coords[:, axis].min(), coords[:, axis].max()
        span = max(hi - lo, 1e-3)
        top = TOP_MARGIN if axis == 1 else MARGIN
        spans.append(np.linspace(lo - MARGIN * span, hi + top * span, grid))
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
        marks=np.array([drawn.index(s) for s in matched]),
        view=view,
        n_examples=n,
        batch_size=m,
        learning_rate=eta,
        momentum=float(config.momentum),
        seed=seed,
        slope=slope,
        noise=noise,
    )


def _path(states: np.ndarray, theta0: np.ndarray, u, v, costs, steps, images) -> Path:
    """Return a path's projections onto the plane, distances from it, costs and counts."""
    d = states - theta0
    coords = np.stack([d @ u, d @ v], axis=1)
    rest = d - np.outer(coords[:, 0], u) - np.outer(coords[:, 1], v)
    return Path(
        states=states,
        coords=coords,
        off_plane=np.linalg.norm(rest, axis=1),
        costs=costs,
        steps=np.asarray(steps, np.int64),
        images=np.asarray(images, np.int64),
    )
