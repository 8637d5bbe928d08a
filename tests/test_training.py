"""SGD as a generator: cost falls, determinism, hyper-parameter changes, momentum, divergence."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from engine.core.network import Network, NetworkConfig
from engine.core.training import EXPLODED_BATCHES, TrainConfig, Trainer, evaluate
from engine.data.datasets import load_sample
from engine.errors import DivergenceError
from engine.session.stall import is_stalled


@pytest.fixture(scope="module")
def sample():
    return load_sample()


def trainer_for(images, labels, seed=0, **hyper):
    net = Network(NetworkConfig((784, 16, 16, 10)), np.random.default_rng(seed))
    return Trainer(net, images, labels, TrainConfig(**hyper), seed=seed)


def test_reports_after_every_mini_batch(tiny_digits):
    images, labels = tiny_digits
    trainer = trainer_for(images, labels, batch_size=10)
    reports = list(trainer.epoch_batches())
    assert len(reports) == 60
    assert [r.batch for r in reports] == list(range(60))
    assert [r.examples_seen for r in reports] == list(range(10, 601, 10))
    assert all(r.epoch == 0 and r.batch_size == 10 and r.learning_rate == 3.0 for r in reports)
    assert [r.epoch_done for r in reports].count(True) == 1 and reports[-1].epoch_done
    assert reports[-1].epoch_progress == 1.0 and trainer.epoch == 1


def test_reports_add_each_epochs_test_result_after_its_last_batch(tiny_digits):
    """The one generator the worker and the command line share: batches, then the epoch."""
    images, labels = tiny_digits
    trainer = trainer_for(images[:500], labels[:500], batch_size=100)
    reports = list(trainer.reports(images[500:], labels[500:], epochs=2))
    assert [type(r).__name__ for r in reports] == (["BatchReport"] * 5 + ["EpochReport"]) * 2
    for first, epoch in ((0, reports[5]), (6, reports[11])):
        batch_costs = [r.cost for r in reports[first : first + 5]]
        assert epoch.train_cost == pytest.approx(np.mean(batch_costs), rel=1e-12)
        assert epoch.epoch == 1 + first // 6 and epoch.seconds > 0
    expected = evaluate(trainer.network, images[500:], labels[500:])
    last = reports[-1]
    assert (last.test_cost, last.test_accuracy) == (expected.cost, expected.accuracy)
    assert (last.test_correct, last.test_total) == (expected.correct, 100)
    assert trainer.epoch == 2


def test_cost_falls_and_accuracy_rises(tiny_digits):
    images, labels = tiny_digits
    trainer = trainer_for(images, labels)
    before = evaluate(trainer.network, images, labels)
    costs = [r.cost for r in trainer.batches(epochs=3)]
    after = evaluate(trainer.network, images, labels)
    assert np.mean(costs[-30:]) < 0.5 * np.mean(costs[:30])
    assert after.cost < before.cost and after.accuracy > 0.9 > before.accuracy


def test_same_seed_gives_bit_identical_run(tiny_digits):
    images, labels = tiny_digits
    runs = []
    for _ in range(2):
        trainer = trainer_for(images, labels, seed=5)
        costs = [r.cost for r in trainer.batches(epochs=2)]
        runs.append((costs, [p.copy() for p in trainer.network.params]))
    assert runs[0][0] == runs[1][0]
    assert all(np.array_equal(a, b) for a, b in zip(runs[0][1], runs[1][1]))
    other = trainer_for(images, labels, seed=6)
    assert [r.cost for r in other.batches(epochs=1)] != runs[0][0][:60]


def test_step_equals_textbook_update(tiny_digits):
    """One step is w <- w - eta/m * sum_x dC_x/dw over exactly the reported mini-batch."""
    images, labels = tiny_digits
    trainer = trainer_for(images, labels, learning_rate=0.5, batch_size=7)
    net = trainer.network
    before = net.copy()
    report = trainer.step_batch()
    idx = trainer.last_batch
    assert len(idx) == 7
    x = images[idx].reshape(7, -1).astype(np.float32) / 255
    record = before.backprop(x, labels[idx])
    assert report.cost == pytest.approx(record.cost, rel=1e-5)
    for k in range(3):
        expected = before.weights[k] - 0.5 * record.nabla_w[k]
        np.testing.assert_allclose(net.weights[k], expected, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(
            net.biases[k], before.biases[k] - 0.5 * record.nabla_b[k], rtol=1e-5, atol=1e-6
        )


def test_steps_follow_the_update_rule_through_config_changes(tiny_digits):
    """v <- mu v - eta/m sum_x nabla C_x; w <- (1 - eta lambda / n) w + v, biases not decayed.

    Each step is checked against that rule, worked out here from ``Network.backprop`` in float64,
    while the learning rate, batch size, momentum and L2 change between steps and the schedule is
    reset (which forgets the velocity): the training loop makes its step once per config and
    batch size, and must never take a stale factor or velocity.
    """
    images, labels = tiny_digits
    n = len(labels)
    trainer = trainer_for(images, labels, learning_rate=1.0, batch_size=10)
    net = trainer.network
    velocity = [np.zeros(p.shape) for p in net.params]
    schedule = [
        TrainConfig(1.0, 10),
        TrainConfig(0.25, 10),
        TrainConfig(0.25, 10, momentum=0.5),
        TrainConfig(0.5, 7, momentum=0.5),
        TrainConfig(0.5, 7, momentum=0.9, l2=5.0),
        "reset",
        TrainConfig(0.5, 7, momentum=0.9, l2=5.0),
        TrainConfig(0.5, 7),
        TrainConfig(2.0, 7),
    ]
    for config in schedule:
        if config == "reset":
            trainer.reset_schedule(3)
            velocity = [np.zeros(p.shape) for p in net.params]
            continue
        trainer.config = config
        before = net.copy()
        trainer.step_batch()
        idx = trainer.last_batch
        record = before.backprop(images[idx].reshape(len(idx), -1) / np.float32(255), labels[idx])
        decay = 1.0 - config.learning_rate * config.l2 / n
        for k, p in enumerate(before.params):
            gradient = np.column_stack([record.nabla_w[k], record.nabla_b[k]]).astype(np.float64)
            velocity[k] = config.momentum * velocity[k] - config.learning_rate * gradient
            expected = p.astype(np.float64) + velocity[k]
            expected[:, :-1] -= (1.0 - decay) * p[:, :-1]
            np.testing.assert_allclose(net.params[k], expected, rtol=1e-4, atol=2e-6)
            assert not np.array_equal(net.params[k], p)  # every layer moved


def test_an_epochs_short_last_batch_leaves_the_next_steps_alone(tiny_digits):
    """600 examples in batches of 64 end each epoch with 24; the next 64 still step by eta/64."""
    images, labels = tiny_digits
    trainer = trainer_for(images, labels, learning_rate=0.5, batch_size=64)
    net = trainer.network
    sizes = []
    for _ in range(12):  # the 10 batches of epoch 1 (the last of 24), then two of epoch 2
        before = net.copy()
        trainer.step_batch()
        idx = trainer.last_batch
        sizes.append(len(idx))
        record = before.backprop(images[idx].reshape(len(idx), -1) / np.float32(255), labels[idx])
        for k in range(3):
            expected = before.weights[k] - 0.5 * record.nabla_w[k]
            np.testing.assert_allclose(net.weights[k], expected, rtol=1e-5, atol=1e-6)
    assert sizes == [64] * 9 + [24] + [64, 64]


def test_hyper_parameter_change_applies_at_next_batch(tiny_digits):
    images, labels = tiny_digits
    trainer = trainer_for(images, labels)
    first = trainer.step_batch()
    trainer.config = dataclasses.replace(trainer.config, learning_rate=0.25, batch_size=25)
    second = trainer.step_batch()
    assert (first.learning_rate, first.batch_size) == (3.0, 10)
    assert (second.learning_rate, second.batch_size) == (0.25, 25)
    assert second.examples_seen == 35 and len(trainer.last_batch) == 25


def test_momentum_accumulates_velocity(tiny_digits):
    images, labels = tiny_digits
    plain = trainer_for(images, labels, seed=1, learning_rate=1.0)
    heavy = trainer_for(images, labels, seed=1, learning_rate=1.0, momentum=0.9)
    for _ in range(2):
        plain.step_batch()
        heavy.step_batch()
    # Same first step, then momentum adds 0.9 x the first step to the second.
    diff = [a - b for a, b in zip(heavy.network.params, plain.network.params)]
    assert max(float(np.abs(d).max()) for d in diff) > 1e-4


def test_l2_decays_weights_not_biases(tiny_digits):
    images, labels = tiny_digits
    trainer = trainer_for(images, labels, learning_rate=1e-9, l2=1e6)
    before = trainer.network.copy()
    trainer.step_batch()
    decay = 1 - 1e-9 * 1e6 / len(labels)
    np.testing.assert_allclose(trainer.network.weights[0], before.weights[0] * decay, rtol=1e-5)
    np.testing.assert_allclose(trainer.network.biases[0], before.biases[0], rtol=1e-5)


def test_epoch_batches_covers_every_example_once(tiny_digits):
    images, labels = tiny_digits
    trainer = trainer_for(images, labels, batch_size=64)
    seen = []
    for _ in trainer.epoch_batches():
        seen.extend(trainer.last_batch.tolist())
    assert sorted(seen) == list(range(600))


def test_divergence_raises_with_a_remedy(tiny_digits):
    images, labels = tiny_digits
    net = Network(NetworkConfig((784, 30, 10), "relu", "cross-entropy"), np.random.default_rng(0))
    trainer = Trainer(net, images, labels, TrainConfig(learning_rate=1e6), seed=0)
    with pytest.raises(DivergenceError, match="Lower the learning rate") as info:
        for _ in trainer.batches(epochs=5):
            pass
    assert info.value.epoch < 5


def test_train_config_validates():
    for bad in [
        dict(learning_rate=0),
        dict(learning_rate=float("nan")),
        dict(batch_size=0),
        dict(batch_size=2.5),
        dict(momentum=1.0),
        dict(l2=-1),
    ]:
        with pytest.raises(ValueError):
            TrainConfig(**bad)


@pytest.mark.parametrize(
    ("sizes", "cost", "eta"),
    [((784, 30, 10), "quadratic", 3.0), ((784, 100, 10), "quadratic", 3.0)]
    + [((784, 100, 10), "cross-entropy", 0.5)],
)
def test_textbook_settings_train_on(sample, sizes, cost, eta):
    """Nielsen's chapter 1 and 3 set-ups: small 1/sqrt(n) weights make the first steps large
    relative to the weights (half their size) without anything diverging; the old step-size
    guard stopped them at mini-batch 1 to 5."""
    train = sample.train
    net = Network(NetworkConfig(sizes, "sigmoid", cost, "scaled"), np.random.default_rng(0))
    trainer = Trainer(net, train.images, train.labels, TrainConfig(eta), seed=0)
    reports = list(trainer.epoch_batches())  # raises DivergenceError if the guard steps in
    assert len(reports) == 1000
    assert evaluate(net, sample.test.images, sample.test.labels).accuracy > 0.6


def test_a_saturating_rate_is_a_stall_not_a_divergence(sample):
    """eta = 1000 on the seed network saturates every output at 0 in one step: the cost freezes
    at 0.5 instead of exploding, so training goes on and the stall check names it."""
    trainer = trainer_for(sample.train.images, sample.train.labels, learning_rate=1000.0)
    costs = [r.cost for r in trainer.epoch_batches()]
    assert len(costs) == 1000 and costs[0] > 2 and np.allclose(costs[5:], 0.5, atol=1e-3)
    accuracy = evaluate(trainer.network, sample.test.images, sample.test.labels).accuracy
    assert accuracy < 0.2 and is_stalled(accuracy, np.array(costs))


def test_an_exploding_cost_stops_with_its_numbers(tiny_digits):
    images, labels = tiny_digits
    net = Network(NetworkConfig(cost="cross-entropy"), np.random.default_rng(0))
    trainer = Trainer(net, images, labels, TrainConfig(learning_rate=1e6), seed=0)
    start = None
    with pytest.raises(DivergenceError, match="Lower the learning rate") as info:
        for report in trainer.epoch_batches():
            start = report.cost if start is None else start
    text = str(info.value)
    assert f"starting level ({max(start, np.log(10)):.3g})" in text
    assert "the cost exploded" in text and "1e+06" in text
    assert info.value.batch == EXPLODED_BATCHES  # stayed up for EXPLODED_BATCHES batches
    assert all(np.isfinite(p).all() for p in trainer.network.params)


def test_raising_the_rate_mid_run_is_caught_at_the_next_batches(tiny_digits):
    images, labels = tiny_digits
    net = Network(NetworkConfig(cost="cross-entropy", init="scaled"), np.random.default_rng(0))
    trainer = Trainer(net, images, labels, TrainConfig(learning_rate=0.5), seed=0)
    for _ in range(100):
        trainer.step_batch()
    trainer.config = dataclasses.replace(trainer.config, learning_rate=1e4)
    with pytest.raises(DivergenceError, match="exploded"):
        for _ in range(2 * EXPLODED_BATCHES):
            trainer.step_batch()


def test_nan_cost_stops_before_the_step(tiny_digits):
    images, labels = tiny_digits
    trainer = trainer_for(images, labels)
    trainer.network.params[2][0, 0] = np.nan
    before = [p.copy() for p in trainer.network.params]
    with pytest.raises(DivergenceError, match="cost became nan"):
        trainer.step_batch()
    for a, b in zip(before, trainer.network.params):
        np.testing.assert_array_equal(a, b)


def test_healthy_presets_are_not_flagged(tiny_digits):
    images, labels = tiny_digits
    for sizes, act, cost, init, eta in [
        ((784, 16, 16, 10), "sigmoid", "quadratic", "normal", 3.0),
        ((784, 30, 10), "relu", "cross-entropy", "scaled", 0.1),
        ((784, 16, 16, 10), "tanh", "cross-entropy", "scaled", 0.1),
    ]:
        net = Network(NetworkConfig(sizes, act, cost, init), np.random.default_rng(0))
        trainer = Trainer(net, images, labels, TrainConfig(learning_rate=eta), seed=0)
        assert len(list(trainer.batches(epochs=2))) == 120
