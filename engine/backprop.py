"""The forward pass and the four backpropagation equations for a whole mini-batch at once.

Conventions, stated once for the whole engine: one example per ROW. A mini-batch of m inputs is
an (m, n_0) matrix; layer k's weights are ``(n_out, n_in)`` as in the book, so the weighted input
is z = a @ w.T + b (the book's w a + b, transposed). The bias is folded into the weight matrix as
its last column, ``params[k]`` of shape ``(n_out, n_in + 1)``, and every stored activation carries a
trailing column of ones, so each layer costs one matrix product forwards and one or two backwards.

Index k runs over weight layers 0 .. L-1: ``params[k]`` maps ``acts[k]`` to ``acts[k + 1]``.
The book numbers layers from 1 and puts the input at layer 1; here the input is ``acts[0]``.

    BP1  delta^L = dC/da^L * sigma'(z^L)
    BP2  delta^k = (delta^(k+1) @ w^(k+1)) * sigma'(z^k)    (book: (w^T delta) . sigma')
    BP3  dC/db^k = delta^k                                  (summed over the batch's rows)
    BP4  dC/dw^k_jk' = a^(k-1)_k' * delta^k_j               (delta.T @ a, summed over rows)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class Workspace:
    """Preallocated buffers for one batch size, so the training loop allocates nothing per step."""

    def __init__(self, sizes: Sequence[int], batch_size: int, dtype: np.dtype) -> None:
        m = batch_size
        self.batch_size = m
        last = len(sizes) - 1
        # acts[k]: (m, n_k + 1), ones in the last column, except the output layer: (m, n_L).
        self.acts = [np.ones((m, n + 1), dtype) for n in sizes[:-1]] + [
            np.zeros((m, sizes[-1]), dtype)
        ]
        self.zs = [np.zeros((m, n), dtype) for n in sizes[1:]]  # (m, n_k)
        self.deltas = [np.zeros((m, n), dtype) for n in sizes[1:]]  # (m, n_k), dC/dz
        # dc_da[k] for hidden layers k = 1 .. L-1 is the by-product of BP2; index 0 (input) unused.
        self.dc_da = [np.zeros((m, n), dtype) for n in sizes[:-1]]
        self.scratch = [np.zeros((m, n), dtype) for n in sizes[1:]]
        self.grads = [np.zeros((n_out, n_in + 1), dtype) for n_in, n_out in zip(sizes, sizes[1:])]
        self.y = np.zeros((m, sizes[last]), dtype)

    def outputs(self, k: int) -> np.ndarray:
        """Return layer k's activations without the column of ones, shape (m, n_k)."""
        a = self.acts[k]
        return a if k == len(self.acts) - 1 else a[:, :-1]


def forward(params: Sequence[np.ndarray], activation, output_activation, ws: Workspace) -> None:
    """Fill ``ws.zs`` and ``ws.acts`` from the input already placed in ``ws.acts[0]``."""
    last = len(params) - 1
    for k, p in enumerate(params):
        np.matmul(ws.acts[k], p.T, out=ws.zs[k])  # z = a @ w.T + b, bias folded in
        if k < last:
            activation.fn(ws.zs[k], out=ws.acts[k + 1][:, :-1])
        else:
            output_activation.fn(ws.zs[k], out=ws.acts[k + 1])


def backward(params: Sequence[np.ndarray], activation, cost, ws: Workspace) -> float:
    """Fill ``ws.deltas``, ``ws.dc_da`` (hidden layers) and ``ws.grads``; return the summed cost.

    ``ws.grads[k]`` holds dC/dw and, in its last column, dC/db, SUMMED over the batch's rows; the
    SGD step divides by the batch size. Needs ``forward`` first and the one-hot targets in ``ws.y``.
    """
    last = len(params) - 1
    total = cost.output_error(ws.acts[last + 1], ws.y, ws.deltas[last], ws.scratch[last])  # BP1
    for k in range(last, -1, -1):
        np.matmul(ws.deltas[k].T, ws.acts[k], out=ws.grads[k])  # BP3 (last column) and BP4
        if k == 0:
            break
        np.matmul(ws.deltas[k], params[k][:, :-1], out=ws.dc_da[k])  # dC/da^(k), first half of BP2
        activation.prime_from_output(ws.outputs(k), out=ws.scratch[k - 1])
        np.multiply(ws.dc_da[k], ws.scratch[k - 1], out=ws.deltas[k - 1])  # BP2
    return total
