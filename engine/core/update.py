"""The SGD update rule, written once, and its inverse.

For a mini-batch of m examples (Nielsen's ``update_mini_batch``, with optional momentum mu and
L2 weight decay lambda over n training examples):

    step = -(eta / m) * sum_x nabla C_x       (-eta times the mean gradient)
    v <- mu * v + step                        (plain SGD, mu = 0: v is the step itself)
    w <- (1 - eta * lambda / n) * w + v       (biases: b <- b + v, not decayed)

Every step in the app is built here: the trainer's (its call lists made once per plan, run for every
mini-batch), Teach's (one example, m = 1), the explorer's and the step story's prediction; they run
the same NumPy calls in the same order, so on the same network and examples they give the same bits.
``undo`` is the rule's inverse, which the explorer uses to recover the parameters a snapshot's step
started from. ``engine.core.reference.sgd_step`` writes the rule plainly, apart, as the independent
check tests/test_reference.py holds this module to.

Parameters are folded as in ``engine.core.backprop``: ``params[k]`` is (n_out, n_in + 1), bias last.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.core.backprop import Call, Workspace, run_calls


def step_scale(learning_rate: float, batch_size: int) -> float:
    """Return -eta / m, the factor that turns a SUMMED gradient into the step."""
    return -learning_rate / batch_size


def decay_factor(learning_rate: float, l2: float, n_train: int) -> float:
    """Return 1 - eta * lambda / n, the factor L2 multiplies every weight by before the step."""
    return 1.0 - learning_rate * l2 / max(n_train, 1)


def step_calls(ws: Workspace, scale: np.ndarray, steps: Sequence[np.ndarray]) -> list[Call]:
    """Return the calls that fill ``steps[k]`` with ``scale`` times dC/dw^k and dC/db^k summed.

    With scale = -eta/m (a 0-d array, read when the calls run) this is the SGD step (BP3 and BP4
    times the scale). Scaling the (n_k, m) deltas before the product costs less than scaling the
    (n_k, n_(k-1) + 1) gradient after it; the two differ by rounding. Uses ``ws.scratch``, free
    once the backward pass is done.
    """
    calls: list[Call] = []
    for step, (delta, scratch, a_rows) in zip(steps, ws.grad_layers):
        calls.append((np.multiply, (delta, scale, scratch)))
        calls.append((np.dot, (scratch, a_rows, step)))  # BP3 (last column) and BP4, times scale
    return calls


def update_calls(
    params: Sequence[np.ndarray],
    steps: Sequence[np.ndarray],
    decay: np.ndarray | None = None,
    momentum: np.ndarray | None = None,
    velocity: Sequence[np.ndarray] | None = None,
) -> list[Call]:
    """Return the calls that move ``params`` in place by ``steps`` (decay, momentum, add).

        w <- decay * w                  (weights only, if ``decay`` is given)
        v <- mu * v + step,  w <- w + v (with momentum mu and its velocity v; else w <- w + step)

    ``decay`` and ``momentum`` are 0-d arrays, read when the calls run.
    """
    calls: list[Call] = []
    if decay is not None:
        calls += [(np.multiply, (p[:, :-1], decay, p[:, :-1])) for p in params]
    if velocity is None:
        return calls + [(np.add, (p, s, p)) for p, s in zip(params, steps)]
    for p, v, s in zip(params, velocity, steps):
        calls += [(np.multiply, (v, momentum, v)), (np.add, (v, s, v)), (np.add, (p, v, p))]
    return calls


def sgd_calls(
    params: Sequence[np.ndarray],
    ws: Workspace,
    learning_rate: float,
    momentum: float,
    l2: float,
    n_train: int,
    steps: Sequence[np.ndarray],
    velocity: Sequence[np.ndarray] | None = None,
) -> list[Call]:
    """Return the calls of one whole SGD step on the mini-batch whose backward pass ``ws`` holds.

    They fill ``steps`` (-eta/m times the summed gradient) and move ``params`` by the rule, with
    ``velocity`` when ``momentum`` > 0 (it must then be given). Every factor is a 0-d array of
    the parameters' dtype made here, as a ufunc takes it faster than a Python float.
    """
    dtype = params[0].dtype
    scale = np.array(step_scale(learning_rate, ws.batch_size), dtype)
    calls = step_calls(ws, scale, steps)
    decay = np.array(decay_factor(learning_rate, l2, n_train), dtype) if l2 > 0 else None
    if momentum > 0:
        if velocity is None:
            raise ValueError("a step with momentum needs the velocity it carries on")
        return calls + update_calls(params, steps, decay, np.array(momentum, dtype), velocity)
    return calls + update_calls(params, steps, decay)


def apply_step(
    params: Sequence[np.ndarray],
    ws: Workspace,
    learning_rate: float,
    momentum: float = 0.0,
    l2: float = 0.0,
    n_train: int = 1,
    velocity: Sequence[np.ndarray] | None = None,
) -> list[np.ndarray]:
    """Take one SGD step on ``params`` in place from the backward pass in ``ws``; return the step.

    The step comes back folded like ``params``, bias last in each row. With ``momentum`` > 0,
    ``velocity`` is updated in place too and is what ``params`` moved by.
    """
    steps = [np.zeros_like(p) for p in params]
    run_calls(sgd_calls(params, ws, learning_rate, momentum, l2, n_train, steps, velocity))
    return steps


def apply_gradient(
    params: Sequence[np.ndarray], gradient: Sequence[np.ndarray], learning_rate: float
) -> list[np.ndarray]:
    """Move ``params`` by the plain step -eta * gradient (a MEAN gradient, folded like params).

    The careful walker's step on the full-batch gradient; returns the step, in params' dtype.
    """
    steps = [np.asarray(-learning_rate * g, p.dtype) for p, g in zip(params, gradient)]
    run_calls(update_calls(params, steps))
    return steps


def undo(
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    step_w: Sequence[np.ndarray],
    step_b: Sequence[np.ndarray],
    learning_rate: float,
    l2: float,
    n_train: int,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Return the parameters before a step, in float64, from those after it and the step taken.

    The rule's inverse: w = (w_after - v) / (1 - eta * lambda / n) and b = b_after - v, exact up
    to the rounding of the step that was taken.
    """
    decay = decay_factor(learning_rate, l2, n_train)
    w = [(np.asarray(a, np.float64) - s) / decay for a, s in zip(weights, step_w)]
    b = [np.asarray(a, np.float64) - s for a, s in zip(biases, step_b)]
    return w, b
