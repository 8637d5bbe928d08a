"""Finite-difference gradient checking: compare backprop's dC/dw with (C(w+eps) - C(w-eps)) / 2eps.

Use a float64 network: in float32 the centred difference loses most of its digits to rounding.
The numerical side is evaluated on an extended-precision twin of the network (``np.longdouble``,
a 64-bit mantissa on x86-64): in float64 the rounding of C alone limits the estimate to about
six digits, which would hide a wrong gradient as small as that. Where the platform's longdouble
is plain float64 the check still works, with that coarser floor.

The relative error of one component is |backprop - numeric| / max(|backprop|, |numeric|, floor);
the floor keeps components that are both practically zero from reporting a meaningless ratio.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.core.network import Network


@dataclass(frozen=True)
class GradCheck:
    """Backprop's value, the numerical estimate and their relative error for one parameter."""

    layer: int
    row: int
    col: int  # col == n_in means the bias of neuron ``row``
    backprop: float
    numeric: float
    relative_error: float


def relative_error(analytic: float, numeric: float, floor: float = 1e-8) -> float:
    """Return |analytic - numeric| / max(|analytic|, |numeric|, floor)."""
    return abs(analytic - numeric) / max(abs(analytic), abs(numeric), floor)


def extended_twin(network: Network) -> Network:
    """Return a copy of the network computing in extended precision, for numerical derivatives."""
    twin = network.copy()
    twin.dtype = np.dtype(np.longdouble)
    twin.params = [p.astype(np.longdouble) for p in network.params]
    return twin


def numeric_derivative(
    network: Network, x: np.ndarray, labels: np.ndarray, layer: int, row: int, col: int, eps: float
) -> float:
    """Return (C(w + eps) - C(w - eps)) / (2 eps) for w = params[layer][row, col] of ``network``.

    Pass an ``extended_twin`` for the full precision; the twin is restored after each call.
    """
    p = network.params[layer]
    saved = p[row, col]
    try:
        p[row, col] = saved + eps
        plus = network.mean_cost(x, labels)
        p[row, col] = saved - eps
        minus = network.mean_cost(x, labels)
    finally:
        p[row, col] = saved
    return float((plus - minus) / (2.0 * eps))


def check_parameter(
    network: Network,
    x: np.ndarray,
    labels: np.ndarray,
    layer: int,
    row: int,
    col: int,
    eps: float = 1e-5,
) -> GradCheck:
    """Check one weight (or bias, col == n_in) of the network against its numerical derivative."""
    record = network.backprop(x, labels)
    n_in = network.sizes[layer]
    analytic = float(record.nabla_b[layer][row] if col == n_in else record.nabla_w[layer][row, col])
    numeric = numeric_derivative(extended_twin(network), x, labels, layer, row, col, eps)
    return GradCheck(layer, row, col, analytic, numeric, relative_error(analytic, numeric))


def check_gradients(
    network: Network,
    x: np.ndarray,
    labels: np.ndarray,
    per_layer: int | None = None,
    rng: np.random.Generator | None = None,
    eps: float = 1e-5,
    skip_zero: bool = False,
) -> list[GradCheck]:
    """Check every parameter (or ``per_layer`` random ones per layer) and return the results.

    With ``skip_zero`` only parameters whose gradient is not exactly zero are candidates (a weight
    from a pixel that is blank in every example is a trivial 0 = 0 check); a layer whose gradient
    is zero everywhere falls back to all its parameters.
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    record = network.backprop(x, labels)
    twin = extended_twin(network)
    results = []
    for layer in range(len(network.params)):
        grad = np.concatenate([record.nabla_w[layer], record.nabla_b[layer][:, None]], axis=1)
        chosen = grad != 0 if skip_zero and np.any(grad != 0) else np.ones(grad.shape, bool)
        cells = [(int(r), int(c)) for r, c in zip(*np.nonzero(chosen))]
        if per_layer is not None and per_layer < len(cells):
            cells = [cells[i] for i in rng.choice(len(cells), per_layer, replace=False)]
        for row, col in cells:
            analytic = float(grad[row, col])
            numeric = numeric_derivative(twin, x, labels, layer, row, col, eps)
            results.append(
                GradCheck(layer, row, col, analytic, numeric, relative_error(analytic, numeric))
            )
    return results
