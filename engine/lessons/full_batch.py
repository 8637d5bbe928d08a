"""The cost and its gradient over a whole training set, in chunks, in the network's precision.

The explorer's later steps need the "full-batch" gradient of the video, the mean over every
training example in use, and the cost at many points of parameter space. Both run over the
uint8 images in chunks (2,048 rows at a time), converting each chunk to inputs only when
it is used, so 60,000 images never sit in memory as floats at once. One example per row, as in
``engine.core.network``; a direction in parameter space is a list of (n_out, n_in + 1) matrices, the
bias in the last column, like ``Network.params``.

Along any direction D the first layer is linear: z^1(theta + c D) = x w^T + c x D_0^T, so the
big product with the 784 pixels is made once per direction (``first_layer``) and only the small
later layers are recomputed for each point (``costs_at``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from engine.core import backprop
from engine.core.activations import Sigmoid
from engine.core.network import Network

CHUNK = 2048


@dataclass(frozen=True)
class FullGradient:
    """The mean cost and the mean gradient (dC/dw, bias last column) over a whole set."""

    grid: tuple[np.ndarray, ...]  # float64 (n_out, n_in + 1) per layer: 1/n sum_x nabla C_x
    cost: float  # 1/n sum_x C_x
    n_examples: int

    @property
    def flat(self) -> np.ndarray:
        """The gradient as one vector, layer by layer, each matrix row by row."""
        return np.concatenate([g.ravel() for g in self.grid])


def fill_inputs(images: np.ndarray, x: np.ndarray) -> None:
    """Write uint8 images into the input rows ``x[:, :-1]``, divided by 255 as ``to_inputs`` does.

    One pass straight into the buffer: converting first and copying after costs three times as
    much over 60,000 images.
    """
    flat = np.asarray(images).reshape(len(images), -1)
    np.divide(flat, np.asarray(255, x.dtype), out=x[:, :-1], casting="unsafe")


def input_chunks(
    images: np.ndarray, dtype: np.dtype, chunk: int = CHUNK
) -> Iterator[tuple[int, np.ndarray]]:
    """Yield (start, x) with x the rows [start, start + chunk) as (m, n_0 + 1) inputs, ones last.

    The buffer is reused for the next chunk: use x before asking for the next one.
    """
    buffers: dict[int, np.ndarray] = {}
    for start in range(0, len(images), chunk):
        part = images[start : start + chunk]
        m = len(part)
        x = buffers.get(m)
        if x is None:
            x = buffers[m] = np.ones((m, np.asarray(part[0]).size + 1), dtype)
        fill_inputs(part, x)
        yield start, x


def full_gradient(
    network: Network, images: np.ndarray, labels: np.ndarray, chunk: int = CHUNK
) -> FullGradient:
    """Return the mean cost and gradient over every image: BP1-BP4 chunk by chunk, summed.

    Sums are kept in float64, so the result is the mean of the per-example gradients to the
    network's own rounding whatever the number of chunks.
    """
    labels = np.asarray(labels, np.intp)
    n = len(labels)
    if n == 0:
        raise ValueError("the training set is empty")
    sums = [np.zeros(p.shape, np.float64) for p in network.params]
    total = 0.0
    workspaces: dict[int, backprop.Workspace] = {}
    for start in range(0, n, chunk):
        part = images[start : start + chunk]
        m = len(part)
        ws = workspaces.get(m) or workspaces.setdefault(
            m, backprop.Workspace(network.sizes, m, network.dtype)
        )
        fill_inputs(part, ws.x)
        backprop.forward(network.params, network.activation, network.output_activation, ws)
        ws.y_cols.fill(0)
        ws.y_cols[labels[start : start + m], np.arange(m)] = 1  # one-hot columns
        total += backprop.backward(network.params, network.activation, network.cost, ws)
        for s, g in zip(sums, ws.grads):  # BP3 and BP4, summed over the chunk
            s += g
    return FullGradient(grid=tuple(s / n for s in sums), cost=total / n, n_examples=n)


def first_layer(
    network: Network, images: np.ndarray, directions: Sequence[np.ndarray], chunk: int = CHUNK
) -> tuple[np.ndarray, np.ndarray]:
    """Return z^1 = x w^T + b (n, n_1) and x D_0^T for each direction's first layer (k, n, n_1).

    One pass over the images with the weights and the directions stacked in one matrix.
    """
    w = network.params[0]
    h = w.shape[0]
    stacked = np.concatenate([w, *(np.asarray(d, network.dtype) for d in directions)])
    n = len(images)
    out = np.empty((n, len(stacked)), network.dtype)
    for start, x in input_chunks(images, network.dtype, chunk):
        np.dot(x, stacked.T, out=out[start : start + len(x)])
    base = np.ascontiguousarray(out[:, :h])
    slopes = np.stack([out[:, h * (i + 1) : h * (i + 2)] for i in range(len(directions))])
    return base, slopes


def sigmoid_by_tanh(z: np.ndarray) -> np.ndarray:
    """Return sigma(z) = (1 + tanh(z / 2)) / 2 in a new array of z's precision.

    The same function as ``Sigmoid.fn`` (SciPy's expit) to rounding, and about ten times faster
    over the millions of values a cost picture needs: NumPy's tanh is vectorised, expit is not.
    """
    a = np.multiply(z, 0.5)
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5
    return a


def fast_fn(activation):
    """Return the activation's function, sigmoid computed through tanh (``sigmoid_by_tanh``)."""
    return sigmoid_by_tanh if activation is Sigmoid else activation.fn


def cost_at(network: Network, z1: np.ndarray, later: Sequence[np.ndarray], y: np.ndarray) -> float:
    """Return the mean cost at one point of parameter space from its first-layer z (n, n_1).

    ``later[k]`` is the point's (n_out, n_in + 1) parameters of weight layer k + 1. One point at
    a time: its (n, 16) arrays stay in the processor's cache, which makes a batch of points
    stacked in one array slower, not faster.
    """
    hidden, output = fast_fn(network.activation), fast_fn(network.output_activation)
    z = z1
    for params in later:  # the hidden layers' activations, then the next weighted input
        a = hidden(z)  # (n, n_in)
        z = np.dot(a, params[:, :-1].T)  # (n, n_out)
        z += params[:, -1]
    return float(network.cost.fn(output(z), y))


def costs_at(
    network: Network, z1: np.ndarray, later: Sequence[np.ndarray], y: np.ndarray
) -> np.ndarray:
    """Return ``cost_at`` for p points: ``z1`` (p, n, n_1), ``later[k]`` (p, n_out, n_in + 1)."""
    return np.array([cost_at(network, z1[i], [p[i] for p in later], y) for i in range(len(z1))])


def costs_along_directions(
    network: Network,
    base: np.ndarray,
    slopes: np.ndarray,
    directions: Sequence[Sequence[np.ndarray]],
    coefficients: np.ndarray,
    y: np.ndarray,
) -> np.ndarray:
    """Return the mean cost at theta + sum_i c_i D_i for every row c of ``coefficients``.

    ``base`` and ``slopes`` come from ``first_layer`` for the same k directions (each a list of
    per-layer matrices).
    """
    coefficients = np.atleast_2d(np.asarray(coefficients, np.float64))
    dtype = network.dtype
    stacks = [  # (k, n_out, n_in + 1): the directions' parameters of each later layer
        np.stack([np.asarray(d[layer], dtype) for d in directions])
        for layer in range(1, len(network.params))
    ]
    z1 = np.empty_like(base)
    scratch = np.empty_like(base)
    out = np.empty(len(coefficients))
    for i, c in enumerate(coefficients):
        np.copyto(z1, base)
        for slope, ci in zip(slopes, c.tolist()):  # Python floats keep float32 in float32
            if ci != 0.0:
                np.multiply(slope, ci, out=scratch)
                z1 += scratch
        moved = [np.tensordot(c, st, axes=(0, 0)).astype(dtype) for st in stacks]
        later = [p + m for p, m in zip(network.params[1:], moved)]
        out[i] = cost_at(network, z1, later, y)
    return out


def mean_cost(network: Network, images: np.ndarray, labels: np.ndarray, chunk: int = CHUNK):
    """Return the mean cost over every image, chunk by chunk, as a float."""
    labels = np.asarray(labels, np.intp)
    total = 0.0
    for start, x in input_chunks(images, network.dtype, chunk):
        a = network.feedforward(x[:, :-1])
        total += float(network.cost.fn(a, network.one_hot(labels[start : start + len(x)]))) * len(x)
    return total / max(len(labels), 1)
