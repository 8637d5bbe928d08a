"""Step 10: -g lowers the cost more than random directions of the same length, and says so."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from engine import full_batch as fb
from engine import steepest_descent as sd
from engine.explorer import explored_network
from gui.explorer.panel import ExplorerPanel
from gui.explorer.text import fmt


@pytest.fixture(scope="module")
def result(trained_on_sample):
    snap, data = trained_on_sample
    net = explored_network(snap, snap.config.dtype)
    images, labels = data.train.images[:1000], data.train.labels[:1000]
    return sd.steepest_descent(net, images, labels, 3.0, seed=4), net, images, labels


def moved_cost(net, images, labels, direction, t: float) -> float:
    """Return C(theta + t * direction), evaluated directly on a moved copy of the network."""
    moved = net.copy()
    for p, d in zip(moved.params, direction):
        p += (t * d).astype(p.dtype)
    return fb.mean_cost(moved, images, labels)


def test_minus_gradient_beats_every_random_direction(result) -> None:
    r, *_ = result
    assert len(r.random_changes) == sd.N_RANDOM == 200
    assert r.gradient_change < 0
    assert r.gradient_change < r.random_changes.min()
    assert r.beaten == 200


def test_changes_are_real_costs(result) -> None:
    r, net, images, labels = result
    start = fb.mean_cost(net, images, labels)
    assert r.cost == pytest.approx(start, rel=1e-5)
    g = fb.full_gradient(net, images, labels)
    direct = moved_cost(net, images, labels, g.grid, -3.0) - start
    assert r.gradient_change == pytest.approx(direct, rel=1e-3, abs=1e-6)
    assert r.step_length == pytest.approx(3.0 * np.linalg.norm(g.flat))
    shapes = [p.shape for p in net.params]
    randoms = sd.random_directions(shapes, 200, np.linalg.norm(g.flat), np.random.default_rng(4))
    for i in (0, 77, 199):
        length = np.sqrt(sum(float(np.vdot(m, m)) for m in randoms[i]))
        assert length == pytest.approx(np.linalg.norm(g.flat))
        direct = moved_cost(net, images, labels, randoms[i], 3.0) - start
        assert r.random_changes[i] == pytest.approx(direct, abs=2e-6)


def test_page_histogram_and_sentence_match(qtbot, trained_on_sample) -> None:
    snap, data = trained_on_sample
    panel = ExplorerPanel()
    qtbot.addWidget(panel)
    panel.set_full_batch(data.train.images[:1500], data.train.labels[:1500])
    panel.set_snapshot(snap)
    panel.set_step(10)
    qtbot.waitUntil(lambda: not panel.busy(), timeout=30000)
    page = panel.steepest_page
    shown = panel.displayed_values()
    r = shown["descent"]
    assert r.n_examples == 1500
    counts, edges = np.histogram(r.random_changes, bins=len(shown["counts"]))
    np.testing.assert_array_equal(shown["counts"], counts)
    heights = page.bars.opts["height"]
    np.testing.assert_array_equal(heights, counts)
    assert int(np.sum(heights)) == 200
    np.testing.assert_allclose(page.bars.opts["x"], 0.5 * (edges[:-1] + edges[1:]))
    assert page.gradient_line.value() == r.gradient_change
    assert page.gradient_line.value() < edges[0]  # left of every bar: -g lowers C the most
    text = panel.findChild(QLabel, "steepest_summary").text()
    for value in (r.cost, r.step_length, r.gradient_change, r.random_changes.min()):
        assert fmt(value) in text
    assert fmt(r.random_changes.max()) in text
    assert re.search(r"more than <b>all 200</b> random directions", text)
    assert "all 1,500 training images" in text
    first = r.random_changes.copy()
    qtbot.mouseClick(page.reseed, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.busy(), timeout=30000)
    again = panel.displayed_values()["descent"]
    assert again.seed == r.seed + 1
    assert not np.array_equal(again.random_changes, first)
    assert again.gradient_change == r.gradient_change
