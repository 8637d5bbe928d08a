"""Backpropagation and the SGD step written as the book writes them: slow, float64, for checking.

This is the engine's math on one screen, the yardstick the fast path (``engine.core.backprop``,
``engine.core.training``) is tested against. Conventions: one example per COLUMN, so a mini-batch's
activations a^l form an (n_l, m) matrix; ``weights[k]`` is (n_out, n_in) and ``biases[k]`` a
column (n_out, 1); z^l = w^l a^(l-1) + b^l. Lists index weight layers from 0, so ``weights[-1]``
is the book's w^L. Nothing here is fused, folded or preallocated.

Hidden neurons use the chosen activation; the output layer uses the cost's own (the engine's
pairing): sigmoid with the quadratic cost, softmax with cross-entropy.

    BP1  delta^L = dC/da^L * sigma'(z^L)        cross-entropy with softmax: delta^L = a^L - y
    BP2  delta^l = (w^(l+1)^T delta^(l+1)) * sigma'(z^l)
    BP3  dC/db^l = delta^l
    BP4  dC/dw^l = delta^l a^(l-1)^T

The update, ``Trainer``'s, with momentum mu and L2 decay lambda over n training examples:

    v <- mu * v - (eta / m) * sum_x nabla C_x
    w <- (1 - eta * lambda / n) * w + v          (biases: b <- b + v, not decayed)
"""

from __future__ import annotations

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Return 1 / (1 + exp(-z))."""
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z: np.ndarray) -> np.ndarray:
    """Return sigma'(z) = sigma(z) * (1 - sigma(z))."""
    return sigmoid(z) * (1.0 - sigmoid(z))


def tanh_prime(z: np.ndarray) -> np.ndarray:
    """Return tanh'(z) = 1 - tanh(z)^2."""
    return 1.0 - np.tanh(z) ** 2


def relu(z: np.ndarray) -> np.ndarray:
    """Return max(0, z)."""
    return np.maximum(z, 0.0)


def relu_prime(z: np.ndarray) -> np.ndarray:
    """Return 1 where z > 0, else 0."""
    return (z > 0).astype(np.float64)


def softmax(z: np.ndarray) -> np.ndarray:
    """Return each column's exp(z_j) / sum_k exp(z_k), shifted by its maximum."""
    e = np.exp(z - z.max(axis=0))
    return e / e.sum(axis=0)


ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (np.tanh, tanh_prime),
    "relu": (relu, relu_prime),
}
OUTPUTS = {"quadratic": sigmoid, "cross-entropy": softmax}


def cost(a: np.ndarray, y: np.ndarray, name: str) -> float:
    """Return the cost C summed over the columns: 1/2 |a - y|^2 or -sum y ln a."""
    if name == "quadratic":
        return 0.5 * float(np.sum((a - y) ** 2))
    return -float(np.sum(y * np.log(a)))


def feedforward(weights, biases, x, activation: str, cost_name: str):
    """Return every layer's weighted inputs zs and activations, for the columns of x (n_0, m)."""
    sigma = ACTIVATIONS[activation][0]
    activations, zs = [x], []
    for layer, (w, b) in enumerate(zip(weights, biases), 1):
        z = np.dot(w, activations[-1]) + b
        zs.append(z)
        last = layer == len(weights)
        activations.append(OUTPUTS[cost_name](z) if last else sigma(z))
    return zs, activations


def backprop(weights, biases, x, y, activation: str, cost_name: str):
    """Return (nabla_w, nabla_b, deltas, cost), SUMMED over the columns of x and y.

    ``deltas[k]`` is dC_x/dz of neuron layer k + 1, one column per example.
    """
    sigma_prime = ACTIVATIONS[activation][1]
    zs, activations = feedforward(weights, biases, x, activation, cost_name)
    a, z = activations[-1], zs[-1]
    delta = a - y  # BP1 for cross-entropy: softmax's sigma' and dC/da^L cancel to a - y
    if cost_name == "quadratic":
        delta = (a - y) * sigmoid_prime(z)  # BP1
    deltas = [delta]
    for layer in range(len(weights) - 1, 0, -1):  # hidden neuron layers L-1 .. 1
        delta = np.dot(weights[layer].T, delta) * sigma_prime(zs[layer - 1])  # BP2
        deltas.insert(0, delta)
    nabla_b = [d.sum(axis=1, keepdims=True) for d in deltas]  # BP3
    nabla_w = [np.dot(d, a_in.T) for d, a_in in zip(deltas, activations)]  # BP4
    return nabla_w, nabla_b, deltas, cost(a, y, cost_name)


def sgd_step(weights, biases, velocity, x, y, activation: str, cost_name: str, eta, mu, lam, n):
    """Return the weights, biases and velocity after one step on the mini-batch (x, y).

    ``velocity`` is a list of (dw, db) pairs, the last step taken (zeros before the first).
    """
    m = x.shape[1]
    nabla_w, nabla_b, _, _ = backprop(weights, biases, x, y, activation, cost_name)
    new_w, new_b, new_v = [], [], []
    for w, b, (vw, vb), nw, nb in zip(weights, biases, velocity, nabla_w, nabla_b):
        vw = mu * vw - (eta / m) * nw
        vb = mu * vb - (eta / m) * nb
        new_w.append((1.0 - eta * lam / n) * w + vw)
        new_b.append(b + vb)
        new_v.append((vw, vb))
    return new_w, new_b, new_v


def one_hot(labels: np.ndarray, n_out: int) -> np.ndarray:
    """Return the desired outputs y for integer labels, one column per example: (n_out, m)."""
    y = np.zeros((n_out, len(labels)))
    y[np.asarray(labels), np.arange(len(labels))] = 1.0
    return y
