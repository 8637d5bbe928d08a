"""Neuron activation functions as small plug-in objects, each computing sigma and sigma'.

Every activation offers ``fn(z, out)`` and ``prime_from_output(a, out)``, and ``prime_calls(a,
out)``: the same derivative as a list of NumPy calls, which the training loop makes once and runs
for every mini-batch. The derivative is computed from the stored activation a = sigma(z) rather
than from z, which saves keeping z and recomputing sigma during the backward pass (Nielsen's code
calls ``sigmoid_prime(z)``; the values are the same):

    sigmoid:  sigma'(z) = sigma(z) * (1 - sigma(z)) = a * (1 - a)
    tanh:     sigma'(z) = 1 - tanh(z)^2             = 1 - a^2
    relu:     sigma'(z) = 1 if z > 0 else 0         = 1 if a > 0 else 0

All functions write into ``out`` (which may be ``z`` itself) to avoid allocation in the hot loop,
and none of them overflows or warns for any finite or infinite input.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.special import expit

# 0-d arrays rather than Python floats: a ufunc converts a Python scalar on every call, which
# costs as much as the arithmetic on a mini-batch. float32, exact, promotes to float64 arrays.
ONE = np.array(1.0, np.float32)
ZERO = np.array(0.0, np.float32)


# The comparison a > 0 written into a float buffer: True and False become 1.0 and 0.0.
_greater_into = functools.partial(np.greater, casting="unsafe")


def _run_into(prime_calls, a: np.ndarray, out: np.ndarray | None) -> np.ndarray:
    """Run an activation's ``prime_calls`` into ``out`` (a new array like ``a`` if None)."""
    out = np.empty_like(a) if out is None else out
    for f, args in prime_calls(a, out):
        f(*args)
    return out


class Sigmoid:
    """The logistic sigmoid sigma(z) = 1 / (1 + exp(-z)), the seed's neuron."""

    name = "sigmoid"
    formula = "1 / (1 + exp(-z))"

    # sigma(z) is SciPy's expit itself: one ufunc, no overflow at any input, and no Python frame
    # around it on the way (it is called for every layer of every mini-batch).
    fn = expit

    @staticmethod
    def prime_calls(a: np.ndarray, out: np.ndarray) -> list[tuple]:
        """Return the calls that fill ``out`` with sigma'(z) = a * (1 - a) given a = sigma(z)."""
        return [(np.subtract, (ONE, a, out)), (np.multiply, (out, a, out))]

    @classmethod
    def prime_from_output(cls, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Return sigma'(z) = a * (1 - a) given a = sigma(z)."""
        return _run_into(cls.prime_calls, a, out)


class Tanh:
    """The hyperbolic tangent, a zero-centred sigmoid with range (-1, 1)."""

    name = "tanh"
    formula = "tanh(z)"

    fn = np.tanh  # the ufunc itself, like Sigmoid.fn

    @staticmethod
    def prime_calls(a: np.ndarray, out: np.ndarray) -> list[tuple]:
        """Return the calls that fill ``out`` with sigma'(z) = 1 - a^2 given a = tanh(z)."""
        return [(np.multiply, (a, a, out)), (np.subtract, (ONE, out, out))]

    @classmethod
    def prime_from_output(cls, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Return sigma'(z) = 1 - a^2 given a = tanh(z)."""
        return _run_into(cls.prime_calls, a, out)


class ReLU:
    """The rectified linear unit max(0, z)."""

    name = "relu"
    formula = "max(0, z)"

    @staticmethod
    def fn(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Return max(0, z)."""
        return np.maximum(z, ZERO, out=out)

    @staticmethod
    def prime_calls(a: np.ndarray, out: np.ndarray) -> list[tuple]:
        """Return the call that fills ``out`` with sigma'(z) = 1 where a > 0, else 0."""
        return [(_greater_into, (a, ZERO, out))]

    @classmethod
    def prime_from_output(cls, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Return sigma'(z) = 1 where a > 0, else 0 (the subgradient 0 is used at z = 0)."""
        return _run_into(cls.prime_calls, a, out)


class Softmax:
    """The softmax output layer a_j = exp(z_j) / sum_k exp(z_k), paired with cross-entropy.

    It couples all outputs of an example, so it has no element-wise derivative; the cross-entropy
    cost supplies delta = a - y directly (see ``engine.core.costs``). Rows are examples.
    """

    name = "softmax"
    formula = "exp(z_j) / sum_k exp(z_k)"

    @staticmethod
    def fn(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Return each row's softmax, shifted by the row maximum so exp cannot overflow."""
        shift = np.max(z, axis=-1, keepdims=True)
        # A row containing +inf would give inf - inf = nan; the cost check reports it as divergence.
        out = np.subtract(z, shift, out=out)
        np.exp(out, out=out)
        out /= np.sum(out, axis=-1, keepdims=True)
        return out


ACTIVATIONS: dict[str, type[Sigmoid] | type[Tanh] | type[ReLU]] = {
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
}
