"""Snapshots and traces: the numbers the views show are the engine's own."""

from __future__ import annotations

import numpy as np
import pytest

from engine.core.network import Network, NetworkConfig
from engine.core.training import TrainConfig, Trainer, to_inputs
from engine.session.snapshot import (
    EDGE_MODES,
    edge_values,
    predict,
    take_parameters,
    take_snapshot,
    trace_example,
)


@pytest.fixture
def trained(tiny_digits):
    images, labels = tiny_digits
    config = NetworkConfig(sizes=(784, 12, 10), dtype="float64")
    trainer = Trainer(Network(config, np.random.default_rng(3)), images, labels, TrainConfig(), 5)
    before = [w.copy() for w in trainer.network.weights]
    trainer.step_batch()
    return trainer, images, before


def test_snapshot_is_a_frozen_copy(trained) -> None:
    trainer, images, before = trained
    snap = take_snapshot(trainer, images)
    assert not snap.weights[0].flags.writeable
    np.testing.assert_array_equal(snap.weights[0], trainer.network.weights[0])
    trainer.step_batch()
    assert not np.array_equal(snap.weights[0], trainer.network.weights[0])
    np.testing.assert_allclose(snap.step_w[0], snap.weights[0] - before[0], atol=1e-12)


def test_parameters_snapshot_copies_the_parameters_and_nothing_else(trained) -> None:
    trainer, images, _before = trained
    full = take_snapshot(trainer, images)
    light = take_parameters(trainer)
    for a, b in zip(light.weights + light.biases, full.weights + full.biases, strict=True):
        np.testing.assert_array_equal(a, b)
        assert not a.flags.writeable
    assert (light.epoch, light.examples_seen, light.config) == (
        full.epoch,
        full.examples_seen,
        full.config,
    )
    assert light.grad_w is None and light.step_w is None and light.example is None
    assert light.batch_images.shape == (0, 28, 28)
    trainer.step_batch()  # a copy: later steps do not reach it
    np.testing.assert_array_equal(light.weights[0], full.weights[0])


def test_snapshot_gradient_and_example_match_backprop(trained) -> None:
    trainer, images, before = trained
    snap = take_snapshot(trainer, images)
    net = Network(snap.config)
    weights = [b.copy() for b in before]
    biases = [b - s for b, s in zip(snap.biases, snap.step_b)]
    net.set_parameters(weights, biases)
    idx = trainer.last_batch
    record = net.backprop(to_inputs(images[idx], np.float64), trainer.labels[idx])
    np.testing.assert_allclose(snap.grad_w[1], record.nabla_w[1], rtol=1e-10, atol=1e-12)
    for k in range(2):
        np.testing.assert_allclose(snap.example.deltas[k], record.deltas[k][-1], atol=1e-12)
        np.testing.assert_allclose(snap.example.dc_da[k], record.dc_da[k][-1], atol=1e-12)
    assert snap.example.label == trainer.labels[idx[-1]]


def test_trace_hebbian_is_the_change_the_example_wants(trained) -> None:
    trainer, images, _ = trained
    snap = take_snapshot(trainer, images)
    image, label = images[7], int(trainer.labels[7])
    trace = trace_example(snap, image, label)
    record = Network(snap.config)
    record.set_parameters(list(snap.weights), list(snap.biases))
    rec = record.backprop(to_inputs(image[None], np.float64), np.array([label]))
    nabla_w, _ = rec.per_example(0)
    for k in range(2):
        np.testing.assert_allclose(trace.hebbian(k), -nabla_w[k], atol=1e-12)
        np.testing.assert_allclose(edge_values(snap, "hebbian", k, trace), -nabla_w[k], atol=1e-12)
    np.testing.assert_allclose(trace.cost, rec.cost)
    np.testing.assert_allclose(predict(snap, image), rec.activations[-1][0], rtol=1e-6)


def test_edge_modes(trained) -> None:
    trainer, images, _ = trained
    snap = take_snapshot(trainer, images)
    for mode in EDGE_MODES:
        assert edge_values(snap, mode, 0).shape == (12, 784)
    with pytest.raises(ValueError, match="unknown edge mode"):
        edge_values(snap, "colour", 0)
    fresh = Trainer(Network(snap.config), images, trainer.labels, TrainConfig(), 1)
    empty = take_snapshot(fresh, images)
    assert edge_values(empty, "gradient", 0) is None and empty.example is None


def test_network_of_and_traces_share_one_path(trained, monkeypatch) -> None:
    """network_of draws no random initialisation; every trace equals the record it came from."""
    trainer, images, _ = trained
    snap = take_snapshot(trainer, images)

    def no_draw(*args, **kwargs):
        raise AssertionError("network_of drew weights it would overwrite")

    monkeypatch.setattr(Network, "__init__", no_draw)
    from engine.session.snapshot import network_of

    net = network_of(snap)
    np.testing.assert_array_equal(net.weights[1], snap.weights[1])
    idx = trainer.last_batch
    record = trainer.latest_record()
    last = snap.example
    assert last.label == trainer.labels[idx[-1]]
    for k in range(2):
        np.testing.assert_array_equal(last.deltas[k], record.deltas[k][-1])
        np.testing.assert_array_equal(last.dc_da[k], record.dc_da[k][-1])
    own = trace_example(snap, images[0], 4)
    single = net.backprop(to_inputs(images[:1], np.float64), np.array([4]))
    assert own.label == 4 and own.cost == pytest.approx(single.cost, rel=1e-12)
    np.testing.assert_array_equal(own.activations[-1], single.activations[-1][0])
