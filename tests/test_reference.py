"""The fast path against the book: ``engine.core.reference`` checks backprop, SGD steps and
snapshots."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from engine.core import reference
from engine.core.network import Network, NetworkConfig
from engine.core.training import TrainConfig, Trainer, to_inputs
from engine.lessons.explorer import Exploration
from engine.lessons.explorer_gradient import sgd_step
from engine.lessons.teach import teach_step
from engine.session.snapshot import take_snapshot

PAIRS = list(itertools.product(["sigmoid", "tanh", "relu"], ["quadratic", "cross-entropy"]))
ARCHITECTURES = [(784, 16, 16, 10), (784, 30, 10), (784, 12, 8, 6, 10)]
TIGHT = {"rtol": 1e-9, "atol": 1e-12}


def network(sizes, activation, cost, dtype="float64", seed=1) -> Network:
    """Return an engine network with He/Xavier-scaled weights, so no layer saturates."""
    config = NetworkConfig(sizes, activation, cost, "scaled", dtype)
    return Network(config, np.random.default_rng(seed))


def book_parameters(net: Network) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Return the network's weights and biases as the book keeps them: float64, bias columns."""
    weights = [w.astype(np.float64) for w in net.weights]
    biases = [b.astype(np.float64).reshape(-1, 1) for b in net.biases]
    return weights, biases


def columns(images: np.ndarray) -> np.ndarray:
    """Return uint8 images as float64 input columns (784, m)."""
    return to_inputs(images, np.float64).T


@pytest.mark.parametrize("sizes", ARCHITECTURES[:2])
@pytest.mark.parametrize(("activation", "cost"), PAIRS)
def test_network_backprop_matches_the_book(tiny_digits, sizes, activation, cost) -> None:
    images, labels = tiny_digits
    net = network(sizes, activation, cost)
    x, lab = images[:9], labels[:9]
    record = net.backprop(to_inputs(x, np.float64), lab)
    w, b = book_parameters(net)
    y = reference.one_hot(lab, 10)
    nabla_w, nabla_b, deltas, total = reference.backprop(w, b, columns(x), y, activation, cost)
    zs, activations = reference.feedforward(w, b, columns(x), activation, cost)
    assert record.cost == pytest.approx(total / 9, rel=1e-12)
    for k in range(len(sizes) - 1):
        np.testing.assert_allclose(record.nabla_w[k], nabla_w[k] / 9, **TIGHT)
        np.testing.assert_allclose(record.nabla_b[k], nabla_b[k][:, 0] / 9, **TIGHT)
        np.testing.assert_allclose(record.deltas[k], deltas[k].T, **TIGHT)
        np.testing.assert_allclose(record.zs[k], zs[k].T, **TIGHT)
        np.testing.assert_allclose(record.activations[k + 1], activations[k + 1].T, **TIGHT)
    assert np.abs(nabla_w[0]).max() > 1e-6  # a real gradient reached the first layer


@pytest.mark.parametrize("sizes", ARCHITECTURES[1:])
@pytest.mark.parametrize(("activation", "cost"), PAIRS)
def test_trainer_steps_with_momentum_and_l2_match_the_book(
    tiny_digits, sizes, activation, cost
) -> None:
    """Steps under changing eta, m, mu and lambda; momentum switched on carries the last step."""
    images, labels = tiny_digits
    n = len(labels)
    net = network(sizes, activation, cost)
    w, b = book_parameters(net)
    velocity = [(np.zeros_like(wk), np.zeros_like(bk)) for wk, bk in zip(w, b)]
    trainer = Trainer(net, images, labels, TrainConfig(0.5, 10), seed=4)
    schedule = [
        TrainConfig(0.5, 10),
        TrainConfig(0.5, 10, momentum=0.9),
        TrainConfig(0.5, 10, momentum=0.9, l2=5.0),
        TrainConfig(0.2, 7, momentum=0.5, l2=5.0),
        TrainConfig(0.2, 7, momentum=0.5, l2=5.0),
        TrainConfig(0.3, 7, l2=1.0),
    ]
    for config in schedule:
        trainer.config = config
        trainer.step_batch()
        idx = trainer.last_batch
        y = reference.one_hot(labels[idx], 10)
        tc = config
        w, b, velocity = reference.sgd_step(
            w, b, velocity, columns(images[idx]), y, activation, cost,
            tc.learning_rate, tc.momentum, tc.l2, n,
        )  # fmt: skip
        for k in range(len(sizes) - 1):
            np.testing.assert_allclose(net.weights[k], w[k], **TIGHT)
            np.testing.assert_allclose(net.biases[k], b[k][:, 0], **TIGHT)


@pytest.mark.parametrize("sizes", ARCHITECTURES[:2])
@pytest.mark.parametrize(("activation", "cost"), PAIRS)
def test_snapshot_gradient_step_and_example_match_the_book(
    tiny_digits, sizes, activation, cost
) -> None:
    images, labels = tiny_digits
    net = network(sizes, activation, cost)
    trainer = Trainer(net, images, labels, TrainConfig(0.4, 8, momentum=0.5, l2=2.0), seed=2)
    for _ in range(3):
        trainer.step_batch()
    w, b = book_parameters(net)  # before the snapshot's step
    previous = [s.astype(np.float64) for s in trainer.last_step()]
    trainer.step_batch()
    snap = take_snapshot(trainer, images)
    idx = trainer.last_batch
    m = len(idx)
    y = reference.one_hot(labels[idx], 10)
    x = columns(images[idx])
    nabla_w, nabla_b, deltas, _ = reference.backprop(w, b, x, y, activation, cost)
    _, activations = reference.feedforward(w, b, x, activation, cost)
    for k in range(len(sizes) - 1):
        np.testing.assert_allclose(snap.grad_w[k], nabla_w[k] / m, **TIGHT)
        np.testing.assert_allclose(snap.grad_b[k], nabla_b[k][:, 0] / m, **TIGHT)
        step = 0.5 * previous[k] - 0.4 * np.column_stack([nabla_w[k], nabla_b[k]]) / m
        np.testing.assert_allclose(snap.step_w[k], step[:, :-1], **TIGHT)
        np.testing.assert_allclose(snap.step_b[k], step[:, -1], **TIGHT)
        np.testing.assert_allclose(snap.example.deltas[k], deltas[k][:, -1], **TIGHT)
        a_last = activations[k + 1][:, -1]
        np.testing.assert_allclose(snap.example.activations[k + 1], a_last, **TIGHT)
    a, y_last = activations[-1][:, -1:], y[:, -1:]
    assert snap.example.cost == pytest.approx(reference.cost(a, y_last, cost), rel=1e-12)
    assert snap.example.label == labels[idx[-1]]


@pytest.mark.parametrize("sizes", ARCHITECTURES[:2])
@pytest.mark.parametrize(("activation", "cost"), PAIRS)
def test_teach_and_the_explorer_take_the_books_plain_step(
    tiny_digits, sizes, activation, cost
) -> None:
    """Both show one plain SGD step (mu = 0, lambda = 0), whatever training's momentum and L2."""
    images, labels = tiny_digits
    net = network(sizes, activation, cost)
    trainer = Trainer(net, images, labels, TrainConfig(0.4, 8, momentum=0.5, l2=2.0), seed=2)
    for _ in range(3):
        trainer.step_batch()
    w, b = book_parameters(net)  # the explorer looks from just before the snapshot's step
    trainer.step_batch()
    snap = take_snapshot(trainer, images)
    zeros = [(np.zeros_like(wk), np.zeros_like(bk)) for wk, bk in zip(w, b)]
    e = Exploration(snap, images[5], int(labels[5]))
    step = sgd_step(e)
    idx = trainer.last_batch
    x, y = columns(images[idx]), reference.one_hot(labels[idx], 10)
    book_w, book_b, _ = reference.sgd_step(w, b, zeros, x, y, activation, cost, 0.4, 0, 0, 1)
    x, y = columns(images[5:6]), reference.one_hot(labels[5:6], 10)
    taught_w, taught_b, _ = reference.sgd_step(w, b, zeros, x, y, activation, cost, 0.4, 0, 0, 1)
    net.set_parameters(w, [bk[:, 0] for bk in b])  # Teach from the same point
    taught = teach_step(net, to_inputs(images[5:6], np.float64), int(labels[5]), 0.4)
    for k in range(len(sizes) - 1):
        np.testing.assert_allclose(w[k] + step.step_w[k], book_w[k], **TIGHT)
        np.testing.assert_allclose(b[k][:, 0] + step.step_b[k], book_b[k][:, 0], **TIGHT)
        np.testing.assert_allclose(net.weights[k], taught_w[k], **TIGHT)
        np.testing.assert_allclose(net.biases[k], taught_b[k][:, 0], **TIGHT)
        np.testing.assert_allclose(taught.step_w[k], taught_w[k] - w[k], **TIGHT)
    assert np.abs(step.step_w[0]).max() > 1e-9 and np.abs(taught.step_w[0]).max() > 1e-9


@pytest.mark.parametrize(("activation", "cost"), PAIRS)
def test_float32_training_stays_close_to_the_book(tiny_digits, activation, cost) -> None:
    """The app's float32 steps follow the float64 book to float32's precision."""
    images, labels = tiny_digits
    net = network((784, 16, 16, 10), activation, cost, dtype="float32")
    w, b = book_parameters(net)
    velocity = [(np.zeros_like(wk), np.zeros_like(bk)) for wk, bk in zip(w, b)]
    trainer = Trainer(net, images, labels, TrainConfig(0.5, 10, momentum=0.5), seed=0)
    for _ in range(5):
        trainer.step_batch()
        idx = trainer.last_batch
        y = reference.one_hot(labels[idx], 10)
        x = columns(images[idx])
        w, b, velocity = reference.sgd_step(w, b, velocity, x, y, activation, cost, 0.5, 0.5, 0, 1)
    for k in range(3):
        np.testing.assert_allclose(net.weights[k], w[k], rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(net.biases[k], b[k][:, 0], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(("activation", "cost"), PAIRS)
def test_the_book_itself_matches_finite_differences(activation, cost) -> None:
    """The yardstick is checked independently: centred differences of its own cost."""
    gen = np.random.default_rng(5)
    sizes = (6, 5, 4, 3)
    w = [gen.standard_normal((n_out, n_in)) for n_in, n_out in zip(sizes, sizes[1:])]
    b = [gen.standard_normal((n_out, 1)) for n_out in sizes[1:]]
    x = gen.random((6, 4))
    y = reference.one_hot(np.array([0, 2, 1, 2]), 3)
    nabla_w, nabla_b, _, _ = reference.backprop(w, b, x, y, activation, cost)

    def total() -> float:
        return reference.cost(reference.feedforward(w, b, x, activation, cost)[1][-1], y, cost)

    h = 1e-6
    for params, grads in ((w, nabla_w), (b, nabla_b)):
        for p, g in zip(params, grads):
            for index in np.ndindex(p.shape):
                keep = p[index]
                p[index] = keep + h
                up = total()
                p[index] = keep - h
                down = total()
                p[index] = keep
                assert g[index] == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-8)
