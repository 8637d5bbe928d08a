"""Cost functions as plug-in objects, each giving C and the output error delta^L.

They follow Nielsen's ``network2.py`` interface (``fn(a, y)``, ``delta``), with one difference
noted here once: ``output_error`` takes the output activation a instead of z, because sigma'(z)
is computed from a (see ``engine.core.activations``), and it gives back a function, made once for a
set of buffers, that fills delta^L and returns the summed cost of the batch as a by-product: the
training loop calls it every mini-batch with nothing to look up and no second pass for the cost.
Rows are examples, y is one-hot.
``fn`` returns a NumPy scalar of a's own precision, so an extended-precision gradient check keeps
its digits.

    quadratic:      C_x = 1/2 * sum_j (a_j - y_j)^2    delta^L = (a - y) * sigma'(z^L)   # BP1
    cross-entropy:  C_x = -sum_j y_j * ln(a_j)         delta^L = a - y  (softmax output)  # BP1
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from engine.core.activations import Sigmoid, Softmax


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

    @classmethod
    def output_error(
        cls, a: np.ndarray, y: np.ndarray, delta: np.ndarray, scratch: np.ndarray
    ) -> Callable[[], float]:
        """Return a function filling ``delta`` with (a - y) * sigma'(z^L) and returning sum C_x.

        sigma' is the output activation's own, computed into ``scratch`` from a = sigma(z^L).
        """
        prime = cls.output_activation.prime_calls(a, scratch)

        def bp1() -> float:
            np.subtract(a, y, delta)  # dC/da^L; positional out: this runs every mini-batch
            total = 0.5 * float(np.vdot(delta, delta))
            for f, args in prime:  # sigma'(z^L)
                f(*args)
            np.multiply(delta, scratch, delta)  # BP1
            return total

        return bp1


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
    def output_error(
        a: np.ndarray, y: np.ndarray, delta: np.ndarray, scratch: np.ndarray
    ) -> Callable[[], float]:
        """Return a function filling ``delta`` with delta^L = a - y and returning sum C_x."""
        tiny = np.finfo(a.dtype).tiny

        def bp1() -> float:
            np.subtract(a, y, delta)  # BP1: softmax's sigma' and dC/da^L cancel to a - y
            np.maximum(a, tiny, out=scratch)  # a positional out is deprecated
            np.log(scratch, scratch)
            return -float(np.vdot(y, scratch))

        return bp1


COSTS: dict[str, type[QuadraticCost] | type[CrossEntropyCost]] = {
    "quadratic": QuadraticCost,
    "cross-entropy": CrossEntropyCost,
}
