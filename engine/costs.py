"""Cost functions as plug-in objects, each giving C and the output error delta^L.

They follow Nielsen's ``network2.py`` interface (``fn(a, y)``, ``delta``), with one difference
noted here once: ``output_error`` takes the output activation a instead of z, because sigma'(z)
is computed from a (see ``engine.activations``), and it returns the summed cost of the batch as a
by-product so the training loop needs no second pass. Rows are examples, y is one-hot.
``fn`` returns a NumPy scalar of a's own precision, so an extended-precision gradient check keeps
its digits.

    quadratic:      C_x = 1/2 * sum_j (a_j - y_j)^2    delta^L = (a - y) * sigma'(z^L)   # BP1
    cross-entropy:  C_x = -sum_j y_j * ln(a_j)         delta^L = a - y  (softmax output)  # BP1
"""

from __future__ import annotations

import numpy as np

from engine.activations import ONE, Sigmoid, Softmax


def _safe_log(a: np.ndarray) -> np.ndarray:
    """Return ln(a) with a clipped to the smallest positive float, so ln(0) never occurs."""
    return np.log(np.maximum(a, np.finfo(a.dtype).tiny))


class QuadraticCost:
    """The seed's cost, 1/2 * sum_j (a_j - y_j)^2, with sigmoid output neurons."""

    name = "quadratic"
    output_activation = Sigmoid
    formula = "C = 1/2 * sum_j (a_j - y_j)^2"

    @staticmethod
    def fn(a: np.ndarray, y: np.ndarray) -> np.floating:
        """Return the mean over rows of 1/2 * sum_j (a_j - y_j)^2."""
        diff = a - y
        return 0.5 * np.vdot(diff, diff) / len(a)

    @staticmethod
    def per_output(a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Return each output neuron's share 1/2 * (a_j - y_j)^2 of the cost."""
        return 0.5 * (a - y) ** 2

    @staticmethod
    def dc_da(a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Return dC/da^L = a - y; its negative is the nudge each output neuron wants."""
        return a - y

    @staticmethod
    def output_error(a: np.ndarray, y: np.ndarray, delta: np.ndarray, scratch: np.ndarray) -> float:
        """Fill ``delta`` with delta^L = (a - y) * sigma'(z^L) and return the summed batch cost."""
        # Positional out arguments and no Python frame for sigma': this runs every mini-batch.
        np.subtract(a, y, delta)  # dC/da^L
        total = 0.5 * float(np.vdot(delta, delta))
        np.subtract(ONE, a, scratch)
        np.multiply(scratch, a, scratch)  # sigma'(z^L) = a (1 - a), Sigmoid.prime_calls
        np.multiply(delta, scratch, delta)  # BP1
        return total


class CrossEntropyCost:
    """The cross-entropy cost -sum_j y_j ln(a_j) on a softmax output layer."""

    name = "cross-entropy"
    output_activation = Softmax
    formula = "C = -sum_j y_j * ln(a_j)"

    @staticmethod
    def fn(a: np.ndarray, y: np.ndarray) -> np.floating:
        """Return the mean over rows of -sum_j y_j * ln(a_j)."""
        return -np.vdot(y, _safe_log(a)) / len(a)

    @staticmethod
    def per_output(a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Return each output neuron's share -y_j * ln(a_j) of the cost."""
        return -y * _safe_log(a)

    @staticmethod
    def dc_da(a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Return dC/da^L = -y / a; softmax then couples the outputs into delta^L = a - y."""
        return -y / np.maximum(a, np.finfo(a.dtype).tiny)

    @staticmethod
    def output_error(a: np.ndarray, y: np.ndarray, delta: np.ndarray, scratch: np.ndarray) -> float:
        """Fill ``delta`` with delta^L = a - y and return the summed batch cost."""
        np.subtract(a, y, delta)  # BP1
        np.maximum(a, np.finfo(a.dtype).tiny, out=scratch)  # a positional out is deprecated
        np.log(scratch, scratch)
        return -float(np.vdot(y, scratch))


COSTS: dict[str, type[QuadraticCost] | type[CrossEntropyCost]] = {
    "quadratic": QuadraticCost,
    "cross-entropy": CrossEntropyCost,
}
