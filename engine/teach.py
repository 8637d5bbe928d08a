"""'Teach it': one plain SGD step on a single labelled example, with what it wanted and did.

For one example x with label y the step is Nielsen's ``update_mini_batch`` with m = 1:

    w <- w - eta * dC_x/dw,    b <- b - eta * dC_x/db

and the output layer's wish list is the nudge -dC/da^L (for the quadratic cost, y - a: up for the
right digit, down for the others). Rows are examples, as everywhere in the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.network import Network
from engine.snapshot import frozen_copy


@dataclass(frozen=True)
class TeachResult:
    """One example's cost, output nudges and outputs before and after one SGD step on it."""

    image: np.ndarray  # float32, the input the step was taken on, in the shape it was given
    label: int
    eta: float
    cost_before: float
    cost_after: float
    outputs_before: np.ndarray  # (n_L,) a^L before the step
    outputs_after: np.ndarray  # (n_L,) a^L after the step
    nudges: np.ndarray  # (n_L,) -dC/da^L before the step
    step_w: tuple[np.ndarray, ...]  # -eta * dC/dw per layer, (n_out, n_in)
    step_b: tuple[np.ndarray, ...]  # -eta * dC/db per layer, (n_out,)

    @property
    def guess_before(self) -> int:
        """Return the digit the network guessed before the step (its largest output)."""
        return int(np.argmax(self.outputs_before))

    @property
    def guess_after(self) -> int:
        """Return the digit the network guesses after the step."""
        return int(np.argmax(self.outputs_after))


def teach_step(network: Network, x: np.ndarray, label: int, eta: float) -> TeachResult:
    """Apply one SGD step on the single example (x, label) to ``network`` in place and report it.

    ``x`` is the network input, 784 values in [0, 1] (any shape that flattens to 784).
    """
    n_in, n_out = network.sizes[0], network.sizes[-1]
    if not 0 <= int(label) < n_out:
        raise ValueError(f"label must be one of 0..{n_out - 1}, got {label}")
    if not (np.isfinite(eta) and eta > 0):
        raise ValueError(f"learning rate must be a positive number, got {eta}")
    batch = np.asarray(x, network.dtype).reshape(1, n_in)  # (1, n_0), one example per row
    labels = np.array([int(label)])
    record = network.backprop(batch, labels)
    # With m = 1 the mean gradient is this example's own gradient.
    step_w = tuple(-eta * nabla for nabla in record.nabla_w)
    step_b = tuple(-eta * nabla for nabla in record.nabla_b)
    for w, b, dw, db in zip(network.weights, network.biases, step_w, step_b):
        w += dw  # the views write straight into network.params
        b += db
    outputs_after = network.feedforward(batch)[0]
    return TeachResult(
        image=frozen_copy(np.asarray(x, np.float32)),
        label=int(label),
        eta=float(eta),
        cost_before=float(record.cost),
        cost_after=float(network.mean_cost(batch, labels)),
        outputs_before=frozen_copy(record.activations[-1][0]),
        outputs_after=frozen_copy(outputs_after),
        nudges=frozen_copy(-record.dc_da[-1][0]),
        step_w=tuple(frozen_copy(s) for s in step_w),
        step_b=tuple(frozen_copy(s) for s in step_b),
    )
