"""The mini-batch gradient as a whole: the SGD step, sensitivity, gradient checks and line search.

Companion of ``engine.lessons.explorer``; every function takes an ``Exploration`` (float64 network,
the example and its mini-batch). "The gradient" is the mini-batch's mean gradient, the one SGD uses,
flattened layer by layer, each layer's (n_out, n_in + 1) matrix row by row, bias last in a row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.core import update
from engine.core.gradcheck import GradCheck, check_gradients, check_parameter
from engine.lessons import full_batch as fb
from engine.lessons.explorer import Exploration, explored_network


@dataclass(frozen=True)
class StepResult:
    """The SGD step -eta * g of the mini-batch and the costs it changes."""

    learning_rate: float
    step_w: tuple[np.ndarray, ...]  # -eta * dC/dw per layer
    step_b: tuple[np.ndarray, ...]
    example_before: float
    example_after: float
    batch_before: float
    batch_after: float

    def at(self, layer: int, out: int, col: int) -> float:
        """Return the step of one parameter (layer, out, in); in == n_in is the bias."""
        w = self.step_w[layer]
        return float(self.step_b[layer][out] if col == w.shape[1] else w[out, col])


@dataclass(frozen=True)
class Nudge:
    """The real change of the mini-batch cost when one parameter moves by dw, and its prediction."""

    dw: float
    real: float  # C(w + dw) - C(w), evaluated directly
    predicted: float  # dC/dw * dw, the linear (first-order) prediction


@dataclass(frozen=True)
class LineSearch:
    """The cost over the training set along -g, for the mini-batch and the full-batch gradient."""

    ts: np.ndarray
    batch_curve: np.ndarray  # C_full(theta - t * g_batch)
    full_curve: np.ndarray  # C_full(theta - t * g_full)
    learning_rate: float
    landing: float  # C_full(theta - eta * g_batch): where the SGD step lands
    cosine: float  # cos of the angle between g_batch and g_full
    n_examples: int
    full_gradient: fb.FullGradient  # the mean gradient over all n_examples images


def parameter_grid(grad_w, grad_b) -> list[np.ndarray]:
    """Return each layer's gradient as one (n_out, n_in + 1) matrix, bias in the last column."""
    return [np.concatenate([w, b[:, None]], axis=1) for w, b in zip(grad_w, grad_b)]


def flat_gradient(exploration: Exploration) -> np.ndarray:
    """Return the whole mini-batch gradient as one vector, layer by layer."""
    batch = exploration.batch
    return np.concatenate([g.ravel() for g in parameter_grid(batch.nabla_w, batch.nabla_b)])


def layer_offsets(sizes: tuple[int, ...]) -> np.ndarray:
    """Return where each layer's block starts in the flat gradient, plus the total at the end."""
    counts = [(n_in + 1) * n_out for n_in, n_out in zip(sizes, sizes[1:])]
    return np.concatenate([[0], np.cumsum(counts)])


def parameter_id(sizes: tuple[int, ...], flat_index: int) -> tuple[int, int, int]:
    """Return (layer, out, in) of a flat gradient index; in == n_in is the bias."""
    offsets = layer_offsets(sizes)
    layer = int(np.searchsorted(offsets, flat_index, side="right")) - 1
    out, col = divmod(int(flat_index - offsets[layer]), sizes[layer] + 1)
    return layer, out, col


def top_components(exploration: Exploration, k: int = 10) -> list[tuple[int, int, int, float]]:
    """Return the k largest gradient components by size as (layer, out, in, value)."""
    g = flat_gradient(exploration)
    order = np.argsort(-np.abs(g), kind="stable")[:k]
    return [(*parameter_id(exploration.sizes, int(i)), float(g[i])) for i in order]


def sgd_step(exploration: Exploration) -> StepResult:
    """Apply -eta * g to a copy of the network and return the costs before and after."""
    e = exploration
    eta = float(e.snapshot.train_config.learning_rate)
    after = e.network.copy()
    ws, _ = after.backward_workspace(e.batch_x, e.batch_labels)
    steps = update.apply_step(after.params, ws, eta)  # the plain step, as training takes it
    return StepResult(
        learning_rate=eta,
        step_w=tuple(s[:, :-1] for s in steps),
        step_b=tuple(s[:, -1] for s in steps),
        example_before=e.cost,
        example_after=float(after.mean_cost(e.x, np.array([e.label]))),
        batch_before=float(e.batch.cost),
        batch_after=float(after.mean_cost(e.batch_x, e.batch_labels)),
    )


def nudge(exploration: Exploration, layer: int, out: int, col: int, dw: float) -> Nudge:
    """Move one parameter by dw on a copy and compare the real cost change with dC/dw * dw."""
    e = exploration
    moved = e.network.copy()
    moved.params[layer][out, col] += dw
    real = float(moved.mean_cost(e.batch_x, e.batch_labels)) - float(e.batch.cost)
    return Nudge(dw=dw, real=real, predicted=e.batch_gradient(layer, out, col) * dw)


def check_weight(exploration: Exploration, layer: int, out: int, col: int) -> GradCheck:
    """Check one parameter's mini-batch gradient against a centred finite difference."""
    e = exploration
    return check_parameter(e.network, e.batch_x, e.batch_labels, layer, out, col)


def check_all_layers(exploration: Exploration, per_layer: int = 4, seed: int = 0) -> list:
    """Check ``per_layer`` random parameters of every layer whose gradient is not zero."""
    e = exploration
    rng = np.random.default_rng(seed)
    return check_gradients(e.network, e.batch_x, e.batch_labels, per_layer, rng, skip_zero=True)


def line_search(
    exploration: Exploration, images: np.ndarray, labels: np.ndarray, ts: np.ndarray
) -> LineSearch:
    """Return the cost over every given image along the mini-batch and the full-batch gradients.

    The full-batch gradient is the mean over all of ``images`` (``engine.lessons.full_batch``),
    computed in the snapshot's own precision (float32 by default), which is what training uses.
    """
    e = exploration
    net = explored_network(e.snapshot, e.snapshot.config.dtype)
    labels = np.asarray(labels, np.intp)
    full = fb.full_gradient(net, images, labels)
    batch = net.backprop(e.batch_x.astype(net.dtype), e.batch_labels)
    batch_grid = parameter_grid(batch.nabla_w, batch.nabla_b)
    g1 = np.concatenate([g.ravel() for g in batch_grid]).astype(np.float64)
    g2 = full.flat
    cosine = float(g1 @ g2 / max(np.linalg.norm(g1) * np.linalg.norm(g2), 1e-300))
    eta = float(e.snapshot.train_config.learning_rate)
    base, slopes = fb.first_layer(net, images, [batch_grid[0], full.grid[0]])
    y = net.one_hot(labels)
    steps = -np.asarray(ts, np.float64)[:, None]  # theta - t g
    along = fb.costs_along_directions
    return LineSearch(
        ts=ts,
        batch_curve=along(net, base, slopes[:1], [batch_grid], steps, y),
        full_curve=along(net, base, slopes[1:], [full.grid], steps, y),
        learning_rate=eta,
        landing=float(along(net, base, slopes[:1], [batch_grid], [[-eta]], y)[0]),
        cosine=cosine,
        n_examples=len(labels),
        full_gradient=full,
    )
