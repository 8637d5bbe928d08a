"""The desired nudge of each output neuron, the video's arrows, defined once for every view.

In the video each output neuron of one example gets an arrow: which way, and how strongly, it
should change to lower that example's cost C_x. Play one step, the explorer's step 3 and Teach it
all draw these arrows, and all of them take the numbers from ``desired_nudges``:

    quadratic cost, sigmoid outputs:   nudge = -dC/da^L = y - a
    cross-entropy, softmax outputs:    nudge = -dC/dz^L = -delta^L = y - a   (BP1)

With the quadratic cost the nudge is the change of the activation a_j itself. The app's cost is
Nielsen's 1/2 * sum_j (a_j - y_j)^2; the video writes sum_j (a_j - y_j)^2 without the 1/2, so its
gradient is 2(a - y) and its nudges 2(y - a): the same arrows, twice as long.

With softmax outputs and cross-entropy, -dC/da^L = y / a is zero on every wrong output and 1 / a_j
on the right one: a single up arrow, as long on an example already 98% right as on one the
network gets wrong, and nothing for the outputs that should fall. That is not what the video's
arrows mean; and the outputs share a total of 1, so one a_j cannot move alone anyway. The
neuron's own handle is its weighted input z_j, so the nudge is taken on z: -dC/dz_j = y_j - a_j,
up for the right digit, down for the others, each in proportion to how far it is from its target.
(Sigmoid outputs with cross-entropy, Nielsen's chapter 3, give -dC/dz^L = y - a too; the app pairs
cross-entropy with softmax only.) So under every cost the app has the nudge is y - a; what differs
is the quantity's name, which ``nudge_name`` gives.

A hidden neuron's nudge is -dC/da: the sum over the next layer of each neuron's wish, w * (-delta),
as the backward pass adds them up.
"""

from __future__ import annotations

import numpy as np

from engine.core.activations import Softmax
from engine.core.costs import COSTS

SYMBOLS = {"a": "\u2212\u2202C/\u2202a", "z": "\u2212\u2202C/\u2202z"}  # typeset for captions


def nudged_quantity(cost: str) -> str:
    """Return "z" if the nudges of ``cost``'s outputs are taken on z (softmax), else "a"."""
    if cost not in COSTS:
        raise ValueError(f"unknown cost {cost!r}; use one of {list(COSTS)}")
    return "z" if COSTS[cost].output_activation is Softmax else "a"


def nudge_name(cost: str) -> str:
    """Return which derivative the nudges are, in ASCII: "-dC/da" or "-dC/dz"."""
    return f"-dC/d{nudged_quantity(cost)}"


def nudge_symbol(cost: str) -> str:
    """Return which derivative the nudges are, typeset: "−∂C/∂a" or "−∂C/∂z"."""
    return SYMBOLS[nudged_quantity(cost)]


def desired_nudges(cost: str, a: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Return the nudge each output wants for outputs ``a`` and target ``y`` (same shape), y - a.

    Quadratic: -dC/da^L, the cost's own derivative. Softmax with cross-entropy: -dC/dz^L = y - a.
    """
    a = np.asarray(a, np.float64)
    y = np.asarray(y, np.float64)
    if nudged_quantity(cost) == "z":
        return y - a  # -delta^L: softmax's Jacobian and dC/da^L = -y/a cancel to a - y (BP1)
    return -np.asarray(COSTS[cost].dc_da(a, y), np.float64)
