"""Step 11: the drunk man's walk: real SGD steps and full-gradient steps on a real cost picture."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from engine import descent_paths as dp
from engine import full_batch as fb
from engine.explorer import explored_network
from engine.training import Trainer
from gui.explorer.descent import contour_lines
from gui.explorer.panel import ExplorerPanel
from gui.explorer.text import fmt

N = 2000  # images of the picture in these tests (the page uses 10,000)


@pytest.fixture(scope="module")
def setting(trained_on_sample):
    snap, data = trained_on_sample
    net = explored_network(snap, snap.config.dtype)
    images, labels = data.train.images[:N], data.train.labels[:N]
    picture = dp.descent_picture(net, images, labels, snap.train_config, steps=4, seed=3, grid=9)
    return picture, net, images, labels, snap


def at(net, state: np.ndarray):
    """Return a copy of ``net`` holding the flat parameters ``state``."""
    moved = net.copy()
    for p, m in zip(moved.params, dp.unflat(state, [p.shape for p in net.params])):
        p[...] = m
    return moved


def test_contour_values_equal_direct_costs(setting) -> None:
    p, net, images, labels, _ = setting
    theta0 = dp.flat(net.params)
    assert p.costs.shape == (9, 9)
    for i, j in ((0, 0), (4, 4), (8, 1), (2, 7), (8, 8)):
        state = theta0 + p.alphas[i] * p.u + p.betas[j] * p.v
        direct = fb.mean_cost(at(net, state), images, labels)
        assert p.costs[i, j] == pytest.approx(direct, rel=1e-4)


def test_both_paths_start_at_the_start(setting) -> None:
    p, net, images, labels, _ = setting
    theta0 = dp.flat(net.params)
    start_cost = fb.mean_cost(net, images, labels)
    for path in (p.sgd, p.full):
        np.testing.assert_array_equal(path.states[0], theta0)
        np.testing.assert_array_equal(path.coords[0], [0.0, 0.0])
        assert path.off_plane[0] == 0.0
        assert path.costs[0] == pytest.approx(start_cost, rel=1e-6)
        assert len(path.states) == 5


def test_each_sgd_point_is_the_trainers_state(setting) -> None:
    p, net, images, labels, snap = setting
    trainer = Trainer(net.copy(), images, labels, snap.train_config, seed=3)
    for k in range(5):
        if k:
            trainer.step_batch()
        np.testing.assert_array_equal(p.sgd.states[k], dp.flat(trainer.network.params))
        real = fb.mean_cost(trainer.network, images, labels)
        assert p.sgd.costs[k] == pytest.approx(real, rel=1e-5)  # float32, summed another way
    moved = p.sgd.states - p.sgd.states[0]
    np.testing.assert_allclose(p.sgd.coords[:, 0], moved @ p.u)
    np.testing.assert_allclose(p.sgd.coords[:, 1], moved @ p.v)
    assert p.sgd.off_plane[-1] == pytest.approx(0.0, abs=1e-6)  # the plane holds SGD's end


def test_full_path_takes_careful_full_gradient_steps(setting) -> None:
    p, net, images, labels, snap = setting
    eta = snap.train_config.learning_rate
    g0 = fb.full_gradient(net, images, labels)
    np.testing.assert_allclose(p.u, -g0.flat / np.linalg.norm(g0.flat))
    assert abs(p.u @ p.v) < 1e-9 and np.linalg.norm(p.v) == pytest.approx(1.0)
    walker = net.copy()
    for k in range(1, 5):
        g = fb.full_gradient(walker, images, labels)
        for w, gi in zip(walker.params, g.grid):
            w -= (eta * gi).astype(w.dtype)
        np.testing.assert_allclose(p.full.states[k], dp.flat(walker.params), rtol=1e-6, atol=1e-7)
    assert p.full.costs[-1] < p.full.costs[0]  # careful steps go downhill


def test_contour_lines_are_placed_in_plane_coordinates() -> None:
    costs = np.add.outer(np.arange(5.0), np.zeros(4))  # rises along alpha only
    alphas = np.linspace(-1.0, 1.0, 5)
    lines = contour_lines(costs, alphas, np.linspace(0.0, 3.0, 4), 2.5)
    assert len(lines) == 1
    np.testing.assert_allclose(lines[0][:, 0], 0.25)  # cost 2.5: halfway from alpha 0 to 0.5


def test_page_labels_every_point_with_its_real_cost(qtbot, trained_on_sample) -> None:
    snap, data = trained_on_sample
    panel = ExplorerPanel()
    qtbot.addWidget(panel)
    panel.set_full_batch(data.train.images[:N], data.train.labels[:N])
    panel.set_snapshot(snap)
    panel.set_step(11)
    qtbot.waitUntil(lambda: not panel.busy(), timeout=30000)
    page = panel.descent_page
    p = panel.displayed_values()["picture"]
    assert p.n_examples == N
    expected = [fmt(c) for c in p.sgd.costs] + [fmt(c) for c in p.full.costs[1:]]
    assert [label.toPlainText() for label in page.labels] == expected
    positions = [(label.pos().x(), label.pos().y()) for label in page.labels]
    coords = np.concatenate([p.sgd.coords, p.full.coords[1:]])
    np.testing.assert_allclose(positions, coords)
    np.testing.assert_allclose(np.column_stack(page.sgd_path.getData()), p.sgd.coords)
    np.testing.assert_allclose(np.column_stack(page.full_path.getData()), p.full.coords)
    assert page.image.image.shape == p.costs.shape
    np.testing.assert_array_equal(page.image.image, p.costs)
    assert page.contours  # contour lines are drawn
    text = panel.findChild(QLabel, "descent_summary").text()
    for value in (p.sgd.costs[0], p.sgd.costs[-1], p.full.costs[-1]):
        assert fmt(value) in text
    assert f"all {N:,} training images" in text
    assert f"mini-batches of {snap.train_config.batch_size}" in text
    note = panel.findChild(QLabel, "descent_note").text()
    assert "off this plane" in note and "real cost" in note
    far = max(p.sgd.off_plane.max(), p.full.off_plane.max())
    assert fmt(far) in note
    qtbot.mouseClick(page.reseed, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.busy(), timeout=30000)
    again = panel.displayed_values()["picture"]
    assert again.seed == p.seed + 1
    np.testing.assert_array_equal(again.full.states, p.full.states)  # careful steps: the same
    assert not np.array_equal(again.sgd.states[-1], p.sgd.states[-1])  # other mini-batches
