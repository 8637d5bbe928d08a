"""What went wrong with a run and what to try: stuck neurons, and settings that work.

When a run has stalled (``engine.session.stall.is_stalled``: an epoch at chance accuracy with a flat
cost), the usual cause is neurons that no longer pass any gradient: a ReLU whose z is negative
for every image outputs 0 and has relu'(z) = 0 ("dead"); a sigmoid or tanh whose z is
huge for every image is saturated, with sigma'(z) ~ 0. ``diagnose`` measures those on real
training images and says which it is.

``suggest_learning_rate`` and ``suggest_fix`` find settings that work by trying them: the same
fresh network a reset would build, trained for a few hundred mini-batches with each candidate,
largest learning rate first.
Rows are examples, as everywhere in the engine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from engine.core.network import Network, NetworkConfig
from engine.core.training import TrainConfig, Trainer, evaluate, to_inputs
from engine.errors import DivergenceError

DEAD_SHARE = 0.5  # a hidden layer with at least this share of dead neurons explains a stall
SATURATED = 1e-3  # activation slope below this for every image: a saturated neuron
TRIAL_BATCHES = 200  # mini-batches in one trial of a learning rate
TRIAL_EXAMPLES = 1000  # training images a trial's accuracy is measured on
TRIAL_SUBSET = 10_000  # at most this many training images (more if the trial needs them)
TRIED_RATES = 10  # smaller rates tried, about 3x apart: down to 1/100,000 of the first (the
# rate a diverged ReLU network with cross-entropy needs can be that far below the one that blew up)


def stuck_fractions(network: Network, images: np.ndarray) -> list[float]:
    """Return, per layer 1 .. L, the share of neurons that pass no gradient for any image.

    ``images`` are uint8 (n, 28, 28). A neuron is stuck when its activation's slope
    (relu'(z), sigma'(z) or tanh'(z)) is below SATURATED for every one of them. A softmax output
    layer has no slope of its own (cross-entropy's delta is a - y) and counts as never stuck.
    """
    a = to_inputs(images, network.dtype)  # (n, n_0)
    last = len(network.weights) - 1
    shares = []
    for layer, (w, b) in enumerate(zip(network.weights, network.biases)):
        z = a @ w.T + b  # (n, n_out)
        kind = network.activation if layer < last else network.output_activation
        a = kind.fn(z)
        if not hasattr(kind, "prime_from_output"):
            shares.append(0.0)
            continue
        slope = kind.prime_from_output(a)
        shares.append(float(np.mean(np.all(slope < SATURATED, axis=0))))
    return shares


def saturated_shares(network: Network, images: np.ndarray) -> list[float]:
    """Return, per layer 1 .. L, the share of (image, neuron) pairs whose slope is below
    SATURATED: how often a neuron sits at its limit, image by image (``stuck_fractions`` asks
    for every image at once). NaN for a softmax output layer, which has no slope of its own."""
    a = to_inputs(images, network.dtype)  # (n, n_0)
    last = len(network.weights) - 1
    shares = []
    for layer, (w, b) in enumerate(zip(network.weights, network.biases)):
        kind = network.activation if layer < last else network.output_activation
        a = kind.fn(a @ w.T + b)  # (n, n_out)
        if hasattr(kind, "prime_from_output"):
            shares.append(float(np.mean(kind.prime_from_output(a) < SATURATED)))
        else:
            shares.append(math.nan)
    return shares


@dataclass(frozen=True)
class Diagnosis:
    """Why a run stalled and what to try, in sentences for the learner."""

    reason: str
    advice: str
    stuck: tuple[float, ...]  # per layer 1 .. L, the share of neurons passing no gradient


@dataclass(frozen=True)
class Remedy:
    """A network and learning rate that a trial run showed to learn."""

    config: NetworkConfig
    learning_rate: float

    def describe(self, current: NetworkConfig) -> str:
        """Return what changes from ``current``, e.g. "learning rate 0.3, scaled weights"."""
        parts = [f"learning rate {self.learning_rate:g}"]
        if self.config.init != current.init:
            parts.append("'Scaled 1/sqrt(n)' initial weights")
        return " and ".join(parts)


def diagnose(network: Network, images: np.ndarray, remedy: Remedy | None = None) -> Diagnosis:
    """Explain a stalled run from the neurons of ``network`` on ``images`` (uint8, (n, 28, 28)).

    ``remedy`` (from ``suggest_fix``) goes into the advice as what to try.
    """
    stuck = tuple(stuck_fractions(network, images))
    sizes = network.sizes[1:]
    hidden = [(share, k) for k, share in enumerate(stuck[:-1])]
    worst_share, worst = max(hidden, default=(0.0, 0))
    if stuck[-1] >= DEAD_SHARE:
        count = round(stuck[-1] * sizes[-1])
        reason = (
            f"{count} of the {sizes[-1]} output neurons are saturated: each gives the same 0 or 1 "
            "for every training image, so sigma'(z) = 0 there and no gradient flows back."
        )
    elif worst_share >= DEAD_SHARE:
        count = round(worst_share * sizes[worst])
        where = f"{count} of the {sizes[worst]} neurons in hidden layer {worst + 1}"
        if network.config.activation == "relu":
            reason = (
                f"{where} output 0 for every training image: they are dead ReLUs. With z < 0 "
                "for every input, relu'(z) = 0, so no gradient reaches their weights and no "
                "step can bring them back."
            )
        else:
            reason = (
                f"{where} are saturated: stuck at their limit for every training image, so "
                "their slope is about 0 and almost no gradient gets through."
            )
    else:
        reason = (
            "The network answers almost the same digit for every image and the cost has stopped "
            "falling: its steps no longer lead anywhere."
        )
    if remedy is None:
        advice = (
            "Reset with a smaller learning rate, 'Scaled 1/sqrt(n)' initial weights, or the "
            "sigmoid activation."
        )
    else:
        advice = (
            f"Reset with {remedy.describe(network.config)}: a trial of {TRIAL_BATCHES} "
            "mini-batches from the same seed learned with it."
        )
    return Diagnosis(reason=reason, advice=advice, stuck=stuck)


def nice_rates(start: float, count: int = TRIED_RATES) -> list[float]:
    """Return ``count`` learning rates below ``start``, about 3x apart: 300, 100, 30, 10 ..."""
    rates: list[float] = []
    exponent = math.floor(math.log10(start))
    while len(rates) < count:
        for mantissa in (3.0, 1.0):
            rate = float(f"{mantissa * 10.0**exponent:.3g}")
            if rate < start * 0.99 and len(rates) < count:
                rates.append(rate)
        exponent -= 1
    return rates


def trial_learns(
    config: NetworkConfig,
    images: np.ndarray,
    labels: np.ndarray,
    train: TrainConfig,
    seed: int,
    batches: int = TRIAL_BATCHES,
) -> bool:
    """Return True if a fresh network from ``seed`` learns with ``train``.

    Learning means no divergence in ``batches`` mini-batches and, after them, an accuracy of at
    least twice chance on the first TRIAL_EXAMPLES training images. The trial trains on the
    first TRIAL_SUBSET images (all of the bundled sample) from the weights a reset gives.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0]))  # as the worker's reset
    # A subset big enough for the trial: the trainer keeps a float copy of every image it gets.
    n = min(len(labels), max(TRIAL_SUBSET, batches * train.batch_size))
    trainer = Trainer(Network(config, rng), images[:n], labels[:n], train, seed)
    try:
        for _ in range(batches):
            trainer.step_batch()
    except DivergenceError:
        return False
    n = min(TRIAL_EXAMPLES, len(labels))
    accuracy = evaluate(trainer.network, images[:n], labels[:n]).accuracy
    return accuracy >= 2.0 / config.sizes[-1]


def suggest_learning_rate(
    config: NetworkConfig,
    images: np.ndarray,
    labels: np.ndarray,
    train: TrainConfig,
    seed: int = 0,
) -> float | None:
    """Return the largest of ``nice_rates(train.learning_rate)`` with which a fresh network
    learns (``trial_learns``: the network and example order a reset with ``seed`` gives), or
    None if none does."""
    for rate in nice_rates(train.learning_rate):
        candidate = TrainConfig(rate, train.batch_size, train.momentum, train.l2)
        if trial_learns(config, images, labels, candidate, seed):
            return rate
    return None


def suggest_fix(
    config: NetworkConfig,
    images: np.ndarray,
    labels: np.ndarray,
    train: TrainConfig,
    seed: int = 0,
) -> Remedy | None:
    """Return a remedy for a stalled or diverged run that a trial showed to learn, or None.

    First a smaller learning rate with the same network; then, if its weights were drawn from
    N(0, 1), scaled initial weights at the same rate and at smaller ones.
    """
    rate = suggest_learning_rate(config, images, labels, train, seed)
    if rate is not None:
        return Remedy(config, rate)
    if config.init == "scaled":
        return None
    scaled = replace(config, init="scaled")
    for eta in [train.learning_rate, *nice_rates(train.learning_rate)]:
        candidate = TrainConfig(eta, train.batch_size, train.momentum, train.l2)
        if trial_learns(scaled, images, labels, candidate, seed):
            return Remedy(scaled, eta)
    return None
