"""The forward pass and the four backpropagation equations for a whole mini-batch at once.

This is the fast path. The same math written plainly, as the book writes it, is
``engine.core.reference``; tests/test_reference.py holds this module and the trainer to it.

Conventions: the math runs one example per COLUMN, as in the book. A mini-batch's activations
a^k are an (n_k, m) matrix, layer k's weights are ``(n_out, n_in)`` and z = w a + b. The bias is
folded into the weight matrix as its last column, ``params[k]`` of shape ``(n_out, n_in + 1)``,
and every hidden activation matrix carries a last ROW of ones, so each layer costs one matrix
product forwards and two backwards. The one exception is the input: images arrive one per ROW,
``x`` of shape ``(m, n_0 + 1)`` with a trailing column of ones, and a^0 = x.T is used transposed
(BLAS reads a transposed operand without copying it). Everything outside this module sees one
example per row: ``Workspace.acts``, ``zs``, ``deltas``, ``dc_da`` and ``y`` are transposed
views of the column buffers, not copies.

Index k runs over weight layers 0 .. L-1: ``params[k]`` maps a^k to a^(k+1). The book numbers
layers from 1 and puts the input at layer 1; here the input is a^0.

    BP1  delta^L = dC/da^L * sigma'(z^L)
    BP2  delta^k = (w^(k+1)^T delta^(k+1)) * sigma'(z^k)
    BP3  dC/db^k = delta^k                                  (summed over the batch's columns)
    BP4  dC/dw^k = delta^k a^(k-1)^T                        (summed over the batch's columns)

Speed at mini-batch 10 is the number of NumPy calls, about half a microsecond each: contiguous
buffers (a strided view makes every ufunc twice as slow), ``np.dot`` rather than ``@`` (less
overhead on the way to BLAS for 2-D operands), views made once per workspace. Each pass is also
available as a list of calls (``forward_calls``, ``backprop_calls``, and the step's in
``engine.core.update``) on the workspace's buffers: the training loop makes the lists once and runs
them for every mini-batch, which leaves the interpreter nothing to look up between the calls.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np


class Bp2Layer(NamedTuple):
    """The buffers BP2 reads and writes at hidden neuron layer ``layer``, one example per column.

    Neuron layers count from the input, a^0; ``params[layer]`` maps a^layer to a^(layer + 1), and
    the column buffers of z and delta start at layer 1, so delta^layer is ``delta_cols[layer - 1]``.
    """

    layer: int  # 1 .. L-1
    delta_next: np.ndarray  # delta^(layer + 1), (n_(layer + 1), m)
    dc_da: np.ndarray  # w^T delta^(layer + 1), (n_layer + 1, m); the last row (the ones) unused
    dc_da_neurons: np.ndarray  # the same without that row, (n_layer, m)
    a: np.ndarray  # a^layer without its ones, (n_layer, m)
    sigma_prime: np.ndarray  # scratch for sigma'(z^layer), (n_layer, m)
    delta: np.ndarray  # delta^layer, filled here, (n_layer, m)


class Workspace:
    """Preallocated buffers for one batch size, so the training loop allocates nothing per step.

    Column buffers (one example per column) hold the math: ``a_cols[k]`` (n_k + 1, m) with a
    last row of ones for hidden layers, (n_L, m) for the output layer, and ``a_cols[0] = x.T``;
    ``z_cols`` and ``delta_cols`` (n_k, m); ``dc_da_cols[k]`` (n_k + 1, m), whose last row,
    dC/d(the constant 1), comes free with the product w^T delta and is ignored. The row views
    ``acts``, ``zs``, ``deltas``, ``dc_da`` and ``y`` show the same memory one example per row.
    """

    def __init__(self, sizes: Sequence[int], batch_size: int, dtype: np.dtype) -> None:
        m = batch_size
        self.batch_size = m
        self.x = np.ones((m, sizes[0] + 1), dtype)  # the input rows, trailing column of ones
        hidden = [np.ones((n + 1, m), dtype) for n in sizes[1:-1]]  # last row of ones
        self.a_cols = [self.x.T, *hidden, np.zeros((sizes[-1], m), dtype)]
        self.z_cols = [np.zeros((n, m), dtype) for n in sizes[1:]]
        self.delta_cols = [np.zeros((n, m), dtype) for n in sizes[1:]]  # dC/dz
        self.scratch = [np.zeros((n, m), dtype) for n in sizes[1:]]
        # dc_da_cols[k] for hidden layers k = 1 .. L-1 is the by-product of BP2; index 0 unused.
        self.dc_da_cols = [np.zeros((n + 1, m), dtype) for n in sizes[:-1]]
        self.y_cols = np.zeros((sizes[-1], m), dtype)  # desired outputs, one-hot columns
        self._grads = [np.zeros((n_out, n_in + 1), dtype) for n_in, n_out in zip(sizes, sizes[1:])]
        self._grads_current = False
        # Views made once, not per step: a_cols[k] without its row of ones, (n_k, m), and
        # dc_da_cols[k] without the row for the ones.
        self.a_neurons = [a[:-1] for a in self.a_cols[:-1]] + [self.a_cols[-1]]
        self.dc_da_neurons = [d[:-1] for d in self.dc_da_cols]
        # The same memory one example per row: acts[k] (m, n_k + 1), ones in the last column,
        # except acts[L] (m, n_L); zs, deltas, dc_da (m, n_k); y (m, n_L).
        self.acts = [a.T for a in self.a_cols]
        self.zs = [z.T for z in self.z_cols]
        self.deltas = [d.T for d in self.delta_cols]
        self.dc_da = [d.T for d in self.dc_da_neurons]
        self.y = self.y_cols.T
        # Per-layer arguments for the hot loops, made once so a step looks nothing up: forward's
        # (a^k, z^(k+1), a^(k+1) without its ones) for the hidden layers; BP2's buffers for each
        # hidden layer from L-1 down to 1; the gradient product's (delta, scratch, a rows).
        n = len(sizes) - 1
        self.hidden_layers = [
            (self.a_cols[k], self.z_cols[k], self.a_neurons[k + 1]) for k in range(n - 1)
        ]
        self.bp2_layers = [
            Bp2Layer(
                layer=layer,
                delta_next=self.delta_cols[layer],
                dc_da=self.dc_da_cols[layer],
                dc_da_neurons=self.dc_da_neurons[layer],
                a=self.a_neurons[layer],
                sigma_prime=self.scratch[layer - 1],
                delta=self.delta_cols[layer - 1],
            )
            for layer in range(n - 1, 0, -1)
        ]
        self.grad_layers = list(zip(self.delta_cols, self.scratch, self.acts))
        # BP1's arguments: the output a^L and y, delta^L to fill, a scratch buffer.
        self.output_error_args = (
            self.a_cols[-1],
            self.y_cols,
            self.delta_cols[-1],
            self.scratch[-1],
        )

    def outputs(self, k: int) -> np.ndarray:
        """Return layer k's activations without the ones, one example per row: (m, n_k)."""
        a = self.acts[k]
        return a if k == len(self.acts) - 1 else a[:, :-1]

    def forget_gradients(self) -> None:
        """Mark ``grads`` out of date: the backward pass has just written new deltas."""
        self._grads_current = False

    @property
    def grads(self) -> list[np.ndarray]:
        """dC/dw and, in the last column, dC/db, SUMMED over the batch: (n_out, n_in + 1).

        Computed from the deltas and activations on first use after ``backward`` (BP3, BP4); the
        training loop takes its step from ``engine.core.update.step_calls`` and never pays for
        these.
        """
        if not self._grads_current:
            for k, g in enumerate(self._grads):
                np.dot(self.delta_cols[k], self.acts[k], out=g)  # BP3 (last column) and BP4
            self._grads_current = True
        return self._grads


# One NumPy call with its arguments: ``f(*args)``. A step is a list of them on fixed buffers.
Call = tuple[Callable[..., object], tuple]


def run_calls(calls: Sequence[Call]) -> None:
    """Make the calls of a call list in order (``Call``: a NumPy function and its arguments)."""
    for f, args in calls:
        f(*args)


def forward_calls(
    params: Sequence[np.ndarray], activation, output_activation, ws: Workspace
) -> list[Call]:
    """Return the forward pass's calls: they fill ``ws.z_cols`` and ``ws.a_cols`` from ``ws.x``.

    Every argument is a buffer or parameter array that stays where it is, so the list can be made
    once and run for every mini-batch (``Trainer`` does; ``forward`` makes it each time).
    """
    calls: list[Call] = []
    for p, (a_in, z, a_out) in zip(params, ws.hidden_layers):  # stops before the output layer
        calls.append((np.dot, (p, a_in, z)))  # z = w a + b, bias folded in: (n_k, m)
        calls.append((activation.fn, (z, a_out)))  # the first n_k rows of the next a: contiguous
    calls.append((np.dot, (params[-1], ws.a_cols[-2], ws.z_cols[-1])))
    # In rows, as softmax expects; the row views are contiguous too, so sigmoid loses nothing.
    calls.append((output_activation.fn, (ws.zs[-1], ws.acts[-1])))
    return calls


def backprop_calls(params: Sequence[np.ndarray], activation, ws: Workspace) -> list[Call]:
    """Return BP2's calls for layers L-1 .. 1: they fill ``ws.dc_da_cols`` and ``ws.delta_cols``.

    Run after BP1 has put delta^L in ``ws.delta_cols[-1]``; the last call marks ``ws.grads`` stale.
    """
    calls: list[Call] = []
    for b in ws.bp2_layers:  # hidden layers L-1 .. 1
        calls.append((np.dot, (params[b.layer].T, b.delta_next, b.dc_da)))  # w^T delta: BP2's half
        calls += activation.prime_calls(b.a, b.sigma_prime)  # sigma'(z^layer)
        calls.append((np.multiply, (b.dc_da_neurons, b.sigma_prime, b.delta)))  # BP2
    calls.append((ws.forget_gradients, ()))
    return calls


def forward(params: Sequence[np.ndarray], activation, output_activation, ws: Workspace) -> None:
    """Fill ``ws.z_cols`` and ``ws.a_cols`` from the input rows already placed in ``ws.x``."""
    run_calls(forward_calls(params, activation, output_activation, ws))


def backward(params: Sequence[np.ndarray], activation, cost, ws: Workspace) -> float:
    """Fill ``ws.delta_cols`` and ``ws.dc_da_cols`` (hidden layers); return the summed cost.

    BP1 and BP2; the gradients BP3 and BP4 follow from the deltas (``ws.grads``, or the step's
    ``engine.core.update.step_calls``). Needs ``forward`` first and the one-hot targets in
    ``ws.y_cols``.
    """
    total = cost.output_error(*ws.output_error_args)()  # BP1
    run_calls(backprop_calls(params, activation, ws))
    return total
