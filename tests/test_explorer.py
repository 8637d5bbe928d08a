"""The explorer's numbers are the engine's own: formulas, nudges, averages, checks, line search."""

from __future__ import annotations

import numpy as np
import pytest
from trained import trainer_after

from engine.core.network import Network, NetworkConfig
from engine.core.training import TrainConfig, Trainer, to_inputs
from engine.lessons.explorer import Exploration, explored_network
from engine.lessons.explorer_gradient import (
    check_all_layers,
    check_weight,
    flat_gradient,
    line_search,
    nudge,
    parameter_grid,
    parameter_id,
    sgd_step,
    top_components,
)
from engine.session.snapshot import take_snapshot


def costs_along(network: Network, x: np.ndarray, y: np.ndarray, grid, ts: np.ndarray) -> np.ndarray:
    """Return the mean cost of theta - t * g for every t: an independent twin of the line search.

    The first layer is linear in t, so z^1(t) = (x w^T + b) - t (x g^T + g_b) costs two large
    products in all; only the small layers after it are recomputed for each t.
    """
    ones = np.ones((len(x), 1), x.dtype)
    x1 = np.concatenate([x, ones], axis=1)
    base = x1 @ network.params[0].T  # (n, n_1)
    slope = x1 @ grid[0].T
    costs = np.empty(len(ts))  # float64 results, whatever the network's precision
    last = len(network.params) - 1
    for i, t in enumerate(ts.tolist()):  # Python floats keep float32 arrays in float32
        z = base - t * slope
        for k in range(1, last + 1):
            a = network.activation.fn(z)
            p = network.params[k] - t * grid[k]
            z = a @ p[:, :-1].T + p[:, -1]
        costs[i] = network.cost.fn(network.output_activation.fn(z), y)
    return costs


ARCHITECTURES = [
    NetworkConfig(sizes=(784, 16, 16, 10), activation="sigmoid", cost="quadratic"),
    NetworkConfig(sizes=(784, 32, 10), activation="relu", cost="cross-entropy", init="scaled"),
    NetworkConfig(sizes=(784, 20, 12, 8, 10), activation="tanh", cost="quadratic", init="scaled"),
]


def explore(sample, config: NetworkConfig, batches: int = 30) -> Exploration:
    lr = 3.0 if config.activation == "sigmoid" else 0.1
    train = sample.train
    trainer = trainer_after(config, train.images, train.labels, TrainConfig(lr, 10), batches, 1, 2)
    snap = take_snapshot(trainer, train.images)
    return Exploration(snap, train.images[7], int(train.labels[7]))


@pytest.fixture(scope="module", params=range(len(ARCHITECTURES)), ids=lambda i: f"arch{i}")
def exploration(request, sample) -> Exploration:
    return explore(sample, ARCHITECTURES[request.param])


def test_explores_the_network_that_computed_the_latest_step(exploration: Exploration) -> None:
    e = exploration
    snap = e.snapshot
    for g, ref in zip(e.batch.nabla_w, snap.grad_w):
        np.testing.assert_allclose(g, ref, rtol=1e-3, atol=1e-6)
    step = sgd_step(e)
    for s, ref, w, w_after in zip(step.step_w, snap.step_w, e.network.weights, snap.weights):
        np.testing.assert_allclose(s, ref, rtol=1e-3, atol=1e-6)
        np.testing.assert_allclose(w + s, w_after, atol=1e-5)


def test_forward_matches_the_engine(exploration: Exploration) -> None:
    e = exploration
    live = explored_network(e.snapshot, e.snapshot.config.dtype)  # the engine's float32 pass
    record = live.backprop(to_inputs(e.image[None], live.dtype), np.array([e.label]))
    for layer in range(e.n_layers + 1):
        np.testing.assert_allclose(e.activations(layer), record.activations[layer][0], atol=2e-5)
    np.testing.assert_allclose(e.cost, record.cost, rtol=1e-4)
    trace = e.trace()
    np.testing.assert_array_equal(trace.deltas[-1], e.record.deltas[-1][0])
    f = e.neuron_formula(e.n_layers, 3)
    assert f.z == pytest.approx(f.terms.sum() + f.bias, abs=1e-9)
    out = e.network.output_activation.fn(e.record.zs[-1].copy())[0, 3]
    assert f.a == pytest.approx(out)


def test_cost_breakdown_and_nudges(exploration: Exploration) -> None:
    e = exploration
    shares = e.cost_breakdown()
    assert shares.sum() == pytest.approx(e.cost)
    a, y = e.activations(e.n_layers), e.y
    if e.network.config.cost == "quadratic":
        np.testing.assert_allclose(shares, 0.5 * (a - y) ** 2)
        np.testing.assert_allclose(e.desired_nudges(), y - a)
    else:
        np.testing.assert_allclose(shares, -y * np.log(a))
        np.testing.assert_allclose(e.desired_nudges(), y - a)  # -dC/dz for softmax
    assert e.desired_nudges()[e.label] > 0


def test_output_and_hidden_changes_sum_to_backprop(exploration: Exploration) -> None:
    e = exploration
    j = e.label
    change = e.output_change(j)
    (grad_w, grad_b) = e.record.per_example(0)
    assert change.delta == pytest.approx(grad_b[-1][j])
    np.testing.assert_allclose(change.weight_gradients, grad_w[-1][j])
    if not np.isnan(change.sigma_prime):
        assert change.delta == pytest.approx(change.dc_da * change.sigma_prime)
    total = sum(e.output_change(k).previous_gradients for k in range(e.sizes[-1]))
    np.testing.assert_allclose(total, e.record.dc_da[-2][0], atol=1e-12)
    for layer in range(1, e.n_layers):
        h = e.hidden_change(layer, 2)
        assert h.contributions.sum() == pytest.approx(h.dc_da, abs=1e-12)
        assert h.delta == pytest.approx(h.dc_da * h.sigma_prime, abs=1e-12)  # BP2


def test_per_example_changes_average_to_batch_gradient(exploration: Exploration) -> None:
    e = exploration
    m = len(e.batch_labels)
    for layer, out, col in e.featured_weights() + [(0, 1, 784)]:
        each = e.example_weight_gradients(layer, out, col)
        assert len(each) == m
        assert each.mean() == pytest.approx(e.batch_gradient(layer, out, col), abs=1e-12)
        own = [e.batch.per_example(i) for i in range(m)]
        ref = [w[layer][out, col] if col < e.sizes[layer] else b[layer][out] for w, b in own]
        np.testing.assert_allclose(each, ref)
    direct = Network(e.network.config).backprop(e.batch_x, e.batch_labels)  # a fresh engine pass
    assert direct.nabla_w[0].shape == e.batch.nabla_w[0].shape


def test_sgd_step_on_a_copy(exploration: Exploration) -> None:
    e = exploration
    before = [p.copy() for p in e.network.params]
    step = sgd_step(e)
    for p, q in zip(before, e.network.params):
        np.testing.assert_array_equal(p, q)
    moved = explored_network(e.snapshot)
    for w, b, sw, sb in zip(moved.weights, moved.biases, step.step_w, step.step_b):
        w += sw
        b += sb
    assert step.batch_after == pytest.approx(float(moved.mean_cost(e.batch_x, e.batch_labels)))
    assert step.example_after == pytest.approx(float(moved.mean_cost(e.x, np.array([e.label]))))
    np.testing.assert_allclose(step.step_w[0], -step.learning_rate * e.batch.nabla_w[0])


def test_gradient_vector_and_top_components(exploration: Exploration) -> None:
    e = exploration
    g = flat_gradient(e)
    assert len(g) == sum((a + 1) * b for a, b in zip(e.sizes, e.sizes[1:]))
    top = top_components(e, 5)
    assert abs(top[0][3]) == pytest.approx(np.abs(g).max())
    for layer, out, col, value in top:
        assert value == e.batch_gradient(layer, out, col)
    last = parameter_id(e.sizes, len(g) - 1)
    assert last == (e.n_layers - 1, e.sizes[-1] - 1, e.sizes[-2])


def test_nudge_matches_cost_evaluated_directly(exploration: Exploration) -> None:
    e = exploration
    layer, out, col = e.featured_weights()[-1]
    for dw in (-0.5, 1e-3, 0.3):
        n = nudge(e, layer, out, col, dw)
        net = explored_network(e.snapshot)
        c0 = float(net.mean_cost(e.batch_x, e.batch_labels))
        net.weights[layer][out, col] += dw
        assert n.real == pytest.approx(float(net.mean_cost(e.batch_x, e.batch_labels)) - c0)
        assert n.predicted == pytest.approx(e.batch_gradient(layer, out, col) * dw)
    small = nudge(e, layer, out, col, 1e-4)
    assert small.real == pytest.approx(small.predicted, rel=1e-2)


def test_gradient_check_agrees(exploration: Exploration) -> None:
    e = exploration
    layer, out, col = e.featured_weights()[0]
    check = check_weight(e, layer, out, col)
    assert check.backprop == e.batch_gradient(layer, out, col)
    assert check.relative_error < 1e-6
    results = check_all_layers(e, per_layer=3)
    assert {r.layer for r in results} == set(range(e.n_layers))
    assert all(r.relative_error < 1e-5 or abs(r.backprop) < 1e-9 for r in results)


def test_line_search_matches_direct_costs(exploration: Exploration, sample) -> None:
    e = exploration
    images, labels = sample.train.images[:500], sample.train.labels[:500]
    ts = np.linspace(0.0, 2 * e.snapshot.train_config.learning_rate, 9)
    search = line_search(e, images, labels, ts)
    live = explored_network(
        e.snapshot, e.snapshot.config.dtype
    )  # the snapshot's own precision, as training computes
    x = to_inputs(images, live.dtype)
    full = live.backprop(x, labels)
    batch = live.backprop(e.batch_x.astype(live.dtype), e.batch_labels)
    for t, c_batch, c_full in zip(ts, search.batch_curve, search.full_curve):
        for grads, value in ((batch, c_batch), (full, c_full)):
            net = explored_network(e.snapshot, e.snapshot.config.dtype)
            for w, b, gw, gb in zip(net.weights, net.biases, grads.nabla_w, grads.nabla_b):
                w -= t * gw
                b -= t * gb
            assert value == pytest.approx(float(net.mean_cost(x, labels)), rel=1e-4)
    assert search.full_curve[0] == pytest.approx(float(full.cost), rel=1e-5)
    grid = parameter_grid(batch.nabla_w, batch.nabla_b)
    eta = np.array([search.learning_rate])
    landing = costs_along(live, x, live.one_hot(labels), grid, eta)[0]
    assert search.landing == pytest.approx(landing, rel=1e-5)
    g1 = np.concatenate([g.ravel() for g in grid]).astype(np.float64)
    g2 = np.concatenate([g.ravel() for g in parameter_grid(full.nabla_w, full.nabla_b)])
    cosine = g1 @ g2 / np.linalg.norm(g1) / np.linalg.norm(g2)
    assert search.cosine == pytest.approx(cosine, rel=1e-6)


def test_before_any_training_the_example_is_the_batch(sample) -> None:
    config = ARCHITECTURES[0]
    train = sample.train
    trainer = Trainer(Network(config, np.random.default_rng(0)), train.images, train.labels)
    snap = take_snapshot(trainer, train.images)
    drawing = train.images[3].astype(np.float32) / 255
    e = Exploration(snap, drawing, 4)
    assert len(e.batch_labels) == 1
    assert e.batch.cost == pytest.approx(e.cost)
    assert sgd_step(e).example_after < e.cost


def test_before_step_parameters_with_momentum_and_decay(sample) -> None:
    train = sample.train
    config = NetworkConfig(sizes=(784, 16, 10), dtype="float64")
    trainer = Trainer(
        Network(config, np.random.default_rng(4)),
        train.images,
        train.labels,
        TrainConfig(learning_rate=1.0, batch_size=10, momentum=0.5, l2=5.0),
        seed=3,
    )
    for _ in range(4):
        trainer.step_batch()
    snap = take_snapshot(trainer, train.images)
    e = Exploration(snap, train.images[0], int(train.labels[0]))
    for g, ref in zip(e.batch.nabla_w, snap.grad_w):
        np.testing.assert_allclose(g, ref, rtol=1e-9, atol=1e-12)
