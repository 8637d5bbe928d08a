"""The stalled-run rule, the stuck-neuron measure and the learning rates that are tried."""

from __future__ import annotations

import numpy as np
import pytest

from engine.core.network import Network, NetworkConfig
from engine.core.training import TrainConfig, Trainer, evaluate
from engine.data.datasets import load_sample
from engine.session.diagnosis import (
    TRIAL_BATCHES,
    diagnose,
    nice_rates,
    stuck_fractions,
    suggest_fix,
    suggest_learning_rate,
)
from engine.session.stall import is_stalled


@pytest.fixture(scope="module")
def sample():
    return load_sample()


def test_nice_rates_are_below_the_start_about_three_times_apart() -> None:
    assert nice_rates(1000) == [300, 100, 30, 10, 3, 1, 0.3, 0.1, 0.03, 0.01]
    assert nice_rates(3)[:6] == [1, 0.3, 0.1, 0.03, 0.01, 0.003]
    assert nice_rates(2.5)[:2] == [1, 0.3]


def test_a_relu_network_with_normal_weights_stalls_and_the_diagnosis_says_why(sample) -> None:
    train, test = sample.train, sample.test
    config = NetworkConfig(activation="relu")
    net = Network(config, np.random.default_rng(np.random.SeedSequence([0, 0])))
    trainer = Trainer(net, train.images, train.labels, TrainConfig(3.0), 0)
    costs = [r.cost for r in trainer.epoch_batches()]  # it collapses during the first epoch
    assert not is_stalled(evaluate(net, test.images, test.labels).accuracy, np.array(costs))
    costs = [r.cost for r in trainer.epoch_batches()]  # and sits still through the second
    assert is_stalled(evaluate(net, test.images, test.labels).accuracy, np.array(costs))
    stuck = stuck_fractions(net, train.images[:1000])
    assert stuck[-1] == 1.0  # every output neuron is pinned at 0 or 1
    fix = suggest_fix(config, train.images, train.labels, TrainConfig(3.0), 0)
    assert fix is not None and fix.config.init == "scaled"
    text = diagnose(net, train.images[:1000], fix)
    assert "10 of the 10 output neurons are saturated" in text.reason
    assert f"learning rate {fix.learning_rate:g}" in text.advice and "Scaled" in text.advice
    # the remedy really learns: a fresh network with it beats chance by far after one epoch
    fresh = Network(fix.config, np.random.default_rng(np.random.SeedSequence([0, 0])))
    again = Trainer(fresh, train.images, train.labels, TrainConfig(fix.learning_rate), 0)
    list(again.epoch_batches())
    assert evaluate(fresh, test.images, test.labels).accuracy > 0.5


def test_dead_relus_are_counted_in_their_layer() -> None:
    net = Network(NetworkConfig(activation="relu", sizes=(784, 4, 10)), np.random.default_rng(0))
    net.biases[0][:3] = -1e6  # three of four hidden neurons can never fire
    images = np.random.default_rng(1).integers(0, 256, (50, 28, 28), np.uint8)
    assert stuck_fractions(net, images)[0] == 0.75
    text = diagnose(net, images).reason
    assert "3 of the 4 neurons in hidden layer 1" in text and "dead ReLUs" in text


def test_the_suggested_rate_after_a_divergence_trains_a_whole_epoch(sample) -> None:
    train, test = sample.train, sample.test
    config = NetworkConfig()
    rate = suggest_learning_rate(config, train.images, train.labels, TrainConfig(1000.0), 0)
    assert rate is not None and rate < 100  # x0.1 of 1000 would diverge again
    net = Network(config, np.random.default_rng(np.random.SeedSequence([0, 0])))
    trainer = Trainer(net, train.images, train.labels, TrainConfig(rate), 0)
    list(trainer.epoch_batches())  # raises DivergenceError if the rate does not work
    assert evaluate(net, test.images, test.labels).accuracy > 0.5
    assert len(train) // 10 > TRIAL_BATCHES  # a trial is a small part of one epoch
