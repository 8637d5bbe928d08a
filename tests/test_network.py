"""Engine math: shapes, backprop against finite differences, per-example gradients, stability."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from engine.core.activations import ReLU, Sigmoid, Softmax, Tanh
from engine.core.gradcheck import check_gradients, check_parameter, relative_error
from engine.core.network import Network, NetworkConfig

ACTS = ["sigmoid", "tanh", "relu"]
COSTS = ["quadratic", "cross-entropy"]


def make(sizes, act="sigmoid", cost="quadratic", dtype="float64", seed=0, init="scaled"):
    return Network(NetworkConfig(sizes, act, cost, init, dtype), np.random.default_rng(seed))


def test_default_is_the_seed_network():
    config = NetworkConfig()
    assert config.sizes == (784, 16, 16, 10)
    assert (config.activation, config.cost, config.init, config.dtype) == (
        "sigmoid",
        "quadratic",
        "normal",
        "float32",
    )


def test_shapes_and_views(rng):
    net = make((784, 16, 16, 10), dtype="float32")
    assert [w.shape for w in net.weights] == [(16, 784), (16, 16), (10, 16)]
    assert [b.shape for b in net.biases] == [(16,), (16,), (10,)]
    assert all(p.dtype == np.float32 for p in net.params)
    net.weights[1][2, 3] = 7.0
    net.biases[2][4] = -2.0
    assert net.params[1][2, 3] == 7.0 and net.params[2][4, -1] == -2.0
    out = net.feedforward(rng.random((5, 784)))
    assert out.shape == (5, 10) and out.dtype == np.float32


def test_feedforward_matches_textbook_formula(rng):
    """a' = sigma(w a + b), layer by layer, one example as a column vector like Nielsen's."""
    net = make((6, 5, 4, 3))
    x = rng.random(6)
    a = x.reshape(-1, 1)
    for w, b in zip(net.weights, net.biases):
        a = 1.0 / (1.0 + np.exp(-(w @ a + b.reshape(-1, 1))))
    np.testing.assert_allclose(net.feedforward(x)[0], a[:, 0], rtol=1e-12)


def test_init_normal_is_standard_normal_and_scaled_shrinks():
    wide = Network(NetworkConfig((784, 400, 10), init="normal"), np.random.default_rng(1))
    assert abs(np.std(wide.weights[0]) - 1.0) < 0.01
    scaled = Network(NetworkConfig((784, 400, 10), init="scaled"), np.random.default_rng(1))
    assert abs(np.std(scaled.weights[0]) - 1 / np.sqrt(784)) < 0.001
    he = Network(NetworkConfig((784, 400, 10), "relu", init="scaled"), np.random.default_rng(1))
    assert abs(np.std(he.weights[0]) - np.sqrt(2 / 784)) < 0.001


@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize("cost", COSTS)
@pytest.mark.parametrize("sizes", [(7, 5, 4), (6, 5, 4, 3), (5, 4, 4, 3, 3)])
def test_backprop_matches_finite_differences_on_every_parameter(act, cost, sizes):
    net = make(sizes, act, cost, seed=len(sizes))
    gen = np.random.default_rng(7)
    x = gen.random((4, sizes[0]))
    labels = gen.integers(0, sizes[-1], 4)
    results = check_gradients(net, x, labels)
    assert len(results) == sum(p.size for p in net.params)
    assert {r.layer for r in results} == set(range(len(sizes) - 1))
    worst = max(r.relative_error for r in results)
    assert worst < 1e-6, max(results, key=lambda r: r.relative_error)


def test_gradient_check_catches_a_wrong_gradient(monkeypatch):
    """The check must be able to fail: a BP1 missing sigma'(z) is reported as wrong."""
    from engine.core import costs

    def wrong_output_error(a, y, delta, scratch):
        def bp1():
            np.subtract(a, y, out=delta)
            return 0.5 * float(np.vdot(delta, delta))

        return bp1

    monkeypatch.setattr(costs.QuadraticCost, "output_error", staticmethod(wrong_output_error))
    net = make((5, 4, 3))
    x = np.random.default_rng(3).random((3, 5))
    worst = max(r.relative_error for r in check_gradients(net, x, np.array([0, 1, 2])))
    assert worst > 1e-2


def test_check_parameter_reports_bias_and_weight():
    net = make((5, 4, 3))
    x = np.random.default_rng(3).random((3, 5))
    labels = np.array([0, 1, 2])
    record = net.backprop(x, labels)
    bias = check_parameter(net, x, labels, layer=1, row=2, col=4)
    assert bias.backprop == pytest.approx(record.nabla_b[1][2], rel=1e-12)
    weight = check_parameter(net, x, labels, layer=0, row=1, col=3)
    assert weight.backprop == pytest.approx(record.nabla_w[0][1, 3], rel=1e-12)
    assert weight.relative_error < 1e-6 and bias.relative_error < 1e-6
    assert relative_error(1.0, 1.0) == 0.0


@pytest.mark.parametrize("cost", COSTS)
def test_per_example_gradients_average_to_the_batch_gradient(cost, rng):
    net = make((6, 5, 4, 3), "tanh", cost)
    x = rng.random((8, 6))
    labels = rng.integers(0, 3, 8)
    record = net.backprop(x, labels)
    per = [record.per_example(i) for i in range(8)]
    for layer in range(3):
        mean_w = np.mean([w[layer] for w, _ in per], axis=0)
        mean_b = np.mean([b[layer] for _, b in per], axis=0)
        np.testing.assert_allclose(mean_w, record.nabla_w[layer], rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(mean_b, record.nabla_b[layer], rtol=1e-10, atol=1e-14)
    one = net.backprop(x[3:4], labels[3:4])
    for layer in range(3):
        np.testing.assert_allclose(per[3][0][layer], one.nabla_w[layer], rtol=1e-10, atol=1e-14)


def test_record_exposes_nudges_for_every_neuron(rng):
    """dC/da of hidden layers is what the next layer's deltas ask of them (BP2's first half)."""
    net = make((6, 5, 4, 3))
    x = rng.random((2, 6))
    record = net.backprop(x, np.array([1, 2]))
    assert [d.shape for d in record.dc_da] == [(2, 5), (2, 4), (2, 3)]
    np.testing.assert_allclose(record.dc_da[-1], record.activations[-1] - record.y)
    np.testing.assert_allclose(record.dc_da[1], record.deltas[2] @ net.weights[2])
    a1 = record.activations[1]
    np.testing.assert_allclose(record.deltas[0], record.dc_da[0] * a1 * (1 - a1))


def test_batched_backprop_equals_per_example_loop(rng):
    """The matrix form sums exactly what the textbook's loop over examples sums."""
    net = make((8, 6, 5, 4), "sigmoid", "quadratic")
    x = rng.random((10, 8))
    labels = rng.integers(0, 4, 10)
    record = net.backprop(x, labels)
    for layer in range(3):
        loop = sum(net.backprop(x[i : i + 1], labels[i : i + 1]).nabla_w[layer] for i in range(10))
        np.testing.assert_allclose(loop / 10, record.nabla_w[layer], rtol=1e-10, atol=1e-15)


def test_activations_are_stable_at_any_input():
    z = np.array([[-1e30, -1000.0, -88.8, 0.0, 88.8, 1000.0, 1e30, -np.inf, np.inf]], np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = Sigmoid.fn(z.copy())
        t = Tanh.fn(z.copy())
        r = ReLU.fn(z.copy())
        p = Softmax.fn(z[:, :7].copy())
    assert np.all(np.isfinite(s)) and s.min() == 0.0 and s.max() == 1.0
    assert s[0, 3] == 0.5
    assert np.all(np.isfinite(t)) and np.all(np.isfinite(p))
    assert p.sum() == pytest.approx(1.0) and p[0, 6] == pytest.approx(1.0)
    assert r[0, 0] == 0.0 and r[0, 6] == np.float32(1e30)
    np.testing.assert_allclose(ReLU.prime_from_output(r), (z > 0).astype(np.float32))


def test_sigmoid_matches_logistic_formula():
    z = np.linspace(-30, 30, 601)
    np.testing.assert_allclose(Sigmoid.fn(z), 1 / (1 + np.exp(-z)), rtol=1e-12, atol=1e-16)


def test_config_rejects_nonsense():
    for bad in [
        dict(sizes=(784,)),
        dict(sizes=(784, 0, 10)),
        dict(activation="swish"),
        dict(cost="hinge"),
        dict(init="zeros"),
        dict(dtype="int8"),
    ]:
        with pytest.raises(ValueError):
            NetworkConfig(**bad)


def test_quadratic_bp1_uses_the_output_activations_own_derivative(monkeypatch):
    """BP1 takes sigma'(z^L) from the cost's output activation, not a hard-coded sigmoid."""
    from engine.core import costs

    monkeypatch.setattr(costs.QuadraticCost, "output_activation", Tanh)
    net = make((5, 4, 3))
    assert net.output_activation is Tanh
    x = np.random.default_rng(3).random((3, 5))
    labels = np.array([0, 1, 2])
    record = net.backprop(x, labels)
    a = record.activations[-1]
    np.testing.assert_allclose(record.deltas[-1], (a - record.y) * (1 - a**2), rtol=1e-12)
    assert max(r.relative_error for r in check_gradients(net, x, labels)) < 1e-6


def test_from_parameters_copies_without_drawing(monkeypatch):
    """A network rebuilt from known parameters never runs the random initialisation."""
    net = make((6, 5, 3), "relu", "cross-entropy")

    def no_draw(*args, **kwargs):
        raise AssertionError("drew a random initialisation only to overwrite it")

    monkeypatch.setattr(Network, "__init__", no_draw)
    twin = Network.from_parameters(net.config, net.weights, net.biases)
    assert twin.config == net.config and twin.cost is net.cost
    for p, q in zip(twin.params, net.params):
        np.testing.assert_array_equal(p, q)
        assert not np.shares_memory(p, q)
    with pytest.raises(ValueError, match="shape mismatch"):
        Network.from_parameters(net.config, net.weights[::-1], net.biases)
