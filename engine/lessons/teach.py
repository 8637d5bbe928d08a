"""'Teach it': one plain SGD step on a single labelled example, with what it wanted and did.

For one example x with label y the step is training's (``engine.core.update``) with m = 1:

    w <- w - eta * dC_x/dw,    b <- b - eta * dC_x/db

and the output layer's wish list is the nudge it wants, ``engine.lessons.nudges.desired_nudges``,
the same numbers Play one step and the backprop explorer draw: y - a, up for the right digit, down
for the others (-dC/da^L with the quadratic cost, -dC/dz^L with softmax and cross-entropy). The
parameters before the step are kept, so the step can be undone exactly. Rows are examples, as
everywhere in the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.core import update
from engine.core.network import BackpropRecord, Network, NetworkConfig
from engine.lessons.nudges import desired_nudges, nudge_name
from engine.session.snapshot import frozen_copy


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
    nudges: np.ndarray  # (n_L,) y - a before the step (engine.lessons.nudges): -dC/da^L or -dC/dz^L
    nudge_name: str  # "-dC/da" or "-dC/dz": which quantity ``nudges`` is
    step_w: tuple[np.ndarray, ...]  # -eta * dC/dw per layer, (n_out, n_in)
    step_b: tuple[np.ndarray, ...]  # -eta * dC/db per layer, (n_out,)
    config: NetworkConfig
    weights_before: tuple[np.ndarray, ...]  # the parameters before the step, for an exact undo
    biases_before: tuple[np.ndarray, ...]

    def network_before(self) -> Network:
        """Return a copy of the network exactly as it was before the step."""
        net = Network(self.config, np.random.default_rng(0))
        net.set_parameters(list(self.weights_before), list(self.biases_before))
        return net

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
    weights_before = tuple(frozen_copy(w) for w in network.weights)
    biases_before = tuple(frozen_copy(b) for b in network.biases)
    ws, total = network.backward_workspace(batch, labels)
    record = BackpropRecord.of(ws, network.cost, total)
    cost = network.config.cost
    # With m = 1 the mean gradient is this example's own; the update is training's, call for call.
    steps = update.apply_step(network.params, ws, eta)
    outputs_after = network.feedforward(batch)[0]
    return TeachResult(
        image=frozen_copy(np.asarray(x, np.float32)),
        label=int(label),
        eta=float(eta),
        cost_before=float(record.cost),
        cost_after=float(network.mean_cost(batch, labels)),
        outputs_before=frozen_copy(record.activations[-1][0]),
        outputs_after=frozen_copy(outputs_after),
        nudges=frozen_copy(desired_nudges(cost, record.activations[-1][0], record.y[0])),
        nudge_name=nudge_name(cost),
        step_w=tuple(frozen_copy(s[:, :-1]) for s in steps),
        step_b=tuple(frozen_copy(s[:, -1]) for s in steps),
        config=network.config,
        weights_before=weights_before,
        biases_before=biases_before,
    )
