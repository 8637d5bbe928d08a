"""'Teach it' takes exactly one SGD step on one example; 'my digits' saves, loads and validates."""

from __future__ import annotations

import dataclasses
import zipfile

import numpy as np
import pytest

from engine.core.network import Network, NetworkConfig
from engine.data.my_digits import MyDigits
from engine.errors import DataError
from engine.lessons.teach import teach_step


def make_network(dtype: str = "float32") -> Network:
    """A small seeded 784-16-16-10 sigmoid network with the quadratic cost."""
    return Network(NetworkConfig(sizes=(784, 16, 16, 10), dtype=dtype), np.random.default_rng(3))


def digit(rng: np.random.Generator) -> np.ndarray:
    """A (28, 28) float input with a blob of ink, like to_mnist's output."""
    x = np.zeros((28, 28), np.float32)
    x[6:22, 11:16] = rng.random((16, 5))
    return x


def reference_gradients(weights, biases, x, label):
    """Nielsen's backprop for one column vector, written out independently in float64."""
    a = x.reshape(-1, 1).astype(np.float64)
    activations, zs = [a], []
    for w, b in zip(weights, biases):
        z = w @ a + b[:, None]
        a = 1.0 / (1.0 + np.exp(-z))
        zs.append(z)
        activations.append(a)
    y = np.zeros_like(a)
    y[label] = 1.0
    sp = [s * (1 - s) for s in activations[1:]]
    delta = (a - y) * sp[-1]
    nabla_w, nabla_b = [delta @ activations[-2].T], [delta[:, 0]]
    for layer in range(len(weights) - 2, -1, -1):
        delta = (weights[layer + 1].T @ delta) * sp[layer]
        nabla_w.insert(0, delta @ activations[layer].T)
        nabla_b.insert(0, delta[:, 0])
    return nabla_w, nabla_b, a[:, 0], y[:, 0]


def test_teach_applies_exactly_one_sgd_step(rng):
    net = make_network()
    twin = net.copy()
    x, label, eta = digit(rng), 4, 3.0
    record = twin.backprop(x.reshape(1, -1), np.array([label]))
    expected_w = [w - eta * g for w, g in zip(twin.weights, record.nabla_w)]
    expected_b = [b - eta * g for b, g in zip(twin.biases, record.nabla_b)]
    result = teach_step(net, x, label, eta)
    for got, want in zip(net.weights + net.biases, expected_w + expected_b):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)  # the book's step, m = 1
    for step, before, after in zip(result.step_w, twin.weights, net.weights):
        np.testing.assert_allclose(after - before, step, atol=1e-6)
    np.testing.assert_array_equal(result.outputs_before, record.activations[-1][0])
    np.testing.assert_array_equal(result.outputs_after, net.feedforward(x.reshape(1, -1))[0])


def test_teach_matches_an_independent_backprop(rng):
    net = make_network("float64")
    weights = [w.copy() for w in net.weights]
    biases = [b.copy() for b in net.biases]
    x, label, eta = digit(rng), 7, 0.5
    nabla_w, nabla_b, a, y = reference_gradients(weights, biases, x, label)
    result = teach_step(net, x, label, eta)
    for w, g, got in zip(weights, nabla_w, net.weights):
        np.testing.assert_allclose(got, w - eta * g, rtol=1e-10, atol=1e-12)
    for b, g, got in zip(biases, nabla_b, net.biases):
        np.testing.assert_allclose(got, b - eta * g, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(result.nudges, y - a, atol=1e-12)  # -dC/da for C = |a - y|^2 / 2
    assert result.cost_before == pytest.approx(0.5 * float(np.sum((a - y) ** 2)))
    assert result.nudges[label] > 0 and (np.delete(result.nudges, label) < 0).all()


def test_a_small_step_lowers_this_examples_cost_and_the_result_is_frozen(rng):
    net = make_network()
    result = teach_step(net, digit(rng), 2, 0.5)
    assert result.cost_after < result.cost_before
    assert result.label == 2 and result.eta == 0.5
    assert result.outputs_after[2] > result.outputs_before[2]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.label = 3
    with pytest.raises(ValueError):
        result.nudges[0] = 1.0


@pytest.mark.parametrize(("label", "eta"), [(10, 1.0), (-1, 1.0), (3, 0.0), (3, float("nan"))])
def test_teach_rejects_bad_labels_and_rates(rng, label, eta):
    net = make_network()
    before = [p.copy() for p in net.params]
    with pytest.raises(ValueError):
        teach_step(net, digit(rng), label, eta)
    for p, q in zip(net.params, before):
        np.testing.assert_array_equal(p, q)


def test_my_digits_round_trip(tmp_path, rng):
    digits = MyDigits()
    floats = digit(rng)
    digits.add(floats, 3)
    digits.add((rng.random((28, 28)) * 255).astype(np.uint8), 9)
    digits.add(np.ones((28, 28)), 0)
    digits.remove(-1)
    path = tmp_path / "mine.npz"
    digits.save(path)
    digits.save(path)  # replacing an existing file works too
    assert [p.name for p in tmp_path.iterdir()] == ["mine.npz"]  # no temporary file left
    loaded = MyDigits.load(path)
    images, labels = loaded.as_uint8()
    assert images.dtype == np.uint8 and images.shape == (2, 28, 28)
    np.testing.assert_array_equal(labels, [3, 9])
    np.testing.assert_array_equal(images, digits.images)
    np.testing.assert_array_equal(images[0], np.rint(floats * 255).astype(np.uint8))


def test_my_digits_rejects_bad_input():
    digits = MyDigits()
    with pytest.raises(ValueError):
        digits.add(np.zeros((20, 20)), 1)
    with pytest.raises(ValueError):
        digits.add(np.zeros((28, 28)), 10)
    with pytest.raises(ValueError):
        digits.add(np.full((28, 28), np.nan), 1)
    assert len(digits) == 0


def _write(path, **arrays):
    """Save ``arrays`` to ``path`` as an .npz file and return the path."""
    np.savez(path, **arrays)
    return path


def _random_bytes(path):
    """Fill ``path`` with bytes that are no file format at all."""
    path.write_bytes(np.random.default_rng(0).bytes(500))
    return path


def _empty_zip(path):
    """Write a valid zip archive with nothing in it."""
    with zipfile.ZipFile(path, "w"):
        pass
    return path


def _damaged(path):
    """Write a valid file with some of its bytes overwritten in the middle."""
    _write(path, images=np.ones((3, 28, 28), np.uint8), labels=np.zeros(3, np.uint8))
    data = bytearray(path.read_bytes())
    data[200:240] = bytes(40)
    path.write_bytes(bytes(data))
    return path


BAD_FILES = {
    "random bytes": _random_bytes,
    "empty zip": _empty_zip,
    "damaged": _damaged,
    "no labels": lambda p: _write(p, images=np.zeros((2, 28, 28), np.uint8)),
    "no images": lambda p: _write(p, labels=np.zeros(2, np.uint8)),
    "wrong shape": lambda p: _write(p, images=np.zeros((2, 20, 20)), labels=np.zeros(2, int)),
    "count mismatch": lambda p: _write(
        p, images=np.zeros((2, 28, 28), np.uint8), labels=np.zeros(3, np.uint8)
    ),
    "nan pixels": lambda p: _write(
        p, images=np.full((1, 28, 28), np.nan), labels=np.zeros(1, np.uint8)
    ),
    "label 12": lambda p: _write(
        p, images=np.zeros((1, 28, 28), np.uint8), labels=np.array([12], np.uint8)
    ),
    "float labels": lambda p: _write(p, images=np.zeros((1, 28, 28)), labels=np.array([1.5])),
    "object array": lambda p: _write(
        p, images=np.array([None, 1], dtype=object), labels=np.zeros(2, np.uint8)
    ),
    "string pixels": lambda p: _write(
        p, images=np.full((1, 28, 28), "x"), labels=np.zeros(1, np.uint8)
    ),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_bad_my_digits_files_raise_data_error(tmp_path, kind):
    path = BAD_FILES[kind](tmp_path / "bad.npz")
    with pytest.raises(DataError, match="bad.npz"):
        MyDigits.load(path)


def test_missing_my_digits_file_raises_data_error(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        MyDigits.load(tmp_path / "nowhere.npz")


def test_cross_entropy_nudges_are_the_desired_change_of_z_as_in_the_explorer(rng):
    from engine.core.training import TrainConfig
    from engine.lessons.explorer import Exploration
    from engine.session.snapshot import parameters_snapshot

    net = Network(NetworkConfig(cost="cross-entropy"), np.random.default_rng(5))
    x, label = digit(rng), 2
    params = tuple(w.copy() for w in net.weights), tuple(b.copy() for b in net.biases)
    snapshot = parameters_snapshot(net.config, TrainConfig(), 0, 0, 1, *params)
    explored = Exploration(snapshot, x, label)
    a = net.feedforward(x.reshape(1, -1))[0]
    y = np.eye(10)[label]
    result = teach_step(net, x, label, 0.5)
    assert result.nudge_name == "-dC/dz"
    np.testing.assert_allclose(result.nudges, y - a, atol=1e-6)  # not -dC/da = y / a
    assert (result.nudges[np.arange(10) != label] < 0).all()  # down for every other digit
    np.testing.assert_allclose(result.nudges, explored.desired_nudges(), atol=1e-6)


def test_quadratic_nudges_are_minus_dc_da(rng):
    net = make_network()
    x = digit(rng)
    a = net.feedforward(x.reshape(1, -1))[0]
    result = teach_step(net, x, 7, 3.0)
    assert result.nudge_name == "-dC/da"
    np.testing.assert_allclose(result.nudges, np.eye(10)[7] - a, atol=1e-6)


def test_the_network_before_the_step_is_kept_exactly(rng):
    net = make_network()
    twin = net.copy()
    result = teach_step(net, digit(rng), 1, 3.0)
    before = result.network_before()
    assert before.config == twin.config
    for got, want in zip(before.weights + before.biases, twin.weights + twin.biases):
        np.testing.assert_array_equal(got, want)
    assert not np.array_equal(net.weights[0], twin.weights[0])
