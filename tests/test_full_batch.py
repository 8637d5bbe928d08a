"""Step 9's full-batch gradient is over the whole training set in use, and says so."""

from __future__ import annotations

import html
import inspect
import re

import numpy as np
import pytest
from PySide6.QtWidgets import QLabel

from engine.core.network import Network
from engine.core.training import to_inputs
from engine.lessons import explorer_gradient as eg
from engine.lessons import full_batch as fb
from engine.lessons.explorer import Exploration, explored_network
from engine.words import compared
from gui.explorer.descent import LineSearchPage
from gui.explorer.panel import ExplorerPanel
from gui.explorer.widgets import LINE_POINTS


@pytest.fixture(scope="module")
def network64(trained_on_sample):
    """The trained sample network in float64, and the data."""
    snap, data = trained_on_sample
    return explored_network(snap, "float64"), data


def per_example_mean(net: Network, images: np.ndarray, labels: np.ndarray) -> list[np.ndarray]:
    """Return 1/n sum_x nabla C_x, one example at a time (BP3, BP4 from each example's record)."""
    record = net.backprop(to_inputs(images, net.dtype), labels)
    sums = [np.zeros(p.shape) for p in net.params]
    for i in range(len(labels)):
        nabla_w, nabla_b = record.per_example(i)
        for s, w, b in zip(sums, nabla_w, nabla_b):
            s[:, :-1] += w
            s[:, -1] += b
    return [s / len(labels) for s in sums]


def test_full_gradient_is_the_mean_of_per_example_gradients(network64) -> None:
    net, data = network64
    images, labels = data.train.images, data.train.labels  # the whole sample: 10,000 images
    full = fb.full_gradient(net, images, labels, chunk=3000)  # chunks of unequal size
    assert full.n_examples == len(labels) == 10000
    for g, ref in zip(full.grid, per_example_mean(net, images, labels)):
        np.testing.assert_allclose(g, ref, rtol=1e-9, atol=1e-13)
    assert full.cost == pytest.approx(
        float(net.mean_cost(to_inputs(images, np.float64), labels)), rel=1e-12
    )


def test_full_gradient_in_float32_matches_float64(trained_on_sample, network64) -> None:
    snap, data = trained_on_sample
    net32 = explored_network(snap, "float32")
    images, labels = data.train.images, data.train.labels
    g32 = fb.full_gradient(net32, images, labels).flat
    g64 = fb.full_gradient(network64[0], images, labels).flat
    assert np.linalg.norm(g32 - g64) < 1e-4 * np.linalg.norm(g64)


def test_costs_along_directions_equal_direct_costs(network64, rng) -> None:
    net, data = network64
    images, labels = data.train.images[:700], data.train.labels[:700]
    directions = [[rng.standard_normal(p.shape) * 0.05 for p in net.params] for _ in range(2)]
    base, slopes = fb.first_layer(net, images, [d[0] for d in directions], chunk=256)
    points = np.array([[0.0, 0.0], [1.0, -0.5], [-2.0, 0.3]])
    y = net.one_hot(labels)
    costs = fb.costs_along_directions(net, base, slopes, directions, points, y)
    for (c1, c2), cost in zip(points, costs):
        moved = net.copy()
        for p, d1, d2 in zip(moved.params, *directions):
            p += c1 * d1 + c2 * d2
        assert cost == pytest.approx(fb.mean_cost(moved, images, labels), rel=1e-10)


def numbers(text: str) -> list[str]:
    """Return the numbers written in a sentence, as written."""
    return re.findall(r"-?\d[\d,]*(?:\.\d+)?(?:e-?\d+)?", text)


def test_step_9_uses_the_whole_set_and_says_so(qtbot, trained_on_sample) -> None:
    snap, data = trained_on_sample
    images, labels = data.train.images, data.train.labels
    panel = ExplorerPanel()
    qtbot.addWidget(panel)
    panel.set_full_batch(images, labels)
    panel.set_snapshot(snap)
    panel.set_step(9)
    assert panel.busy() and "Computing" in panel.findChild(QLabel, "line_summary").text()
    qtbot.waitUntil(lambda: not panel.busy(), timeout=30000)
    search = panel.displayed_values()["search"]
    assert search.n_examples == len(labels) == 10000
    e = Exploration(snap, snap.example.image, snap.example.label)
    net = explored_network(snap, "float64")
    for g, ref in zip(search.full_gradient.grid, per_example_mean(net, images, labels)):
        np.testing.assert_allclose(g, ref, rtol=2e-3, atol=2e-6)  # float32 against float64
    page = panel.line_page
    xs, ys = page.full_curve.getData()
    np.testing.assert_array_equal(ys, search.full_curve)
    np.testing.assert_array_equal(page.batch_curve.getData()[1], search.batch_curve)
    assert len(xs) == LINE_POINTS
    eta = snap.train_config.learning_rate
    assert page.landing.getData()[1][0] == search.landing
    at_eta = int(np.argmin(np.abs(xs - eta)))
    assert xs[at_eta] == pytest.approx(eta)  # t = eta is one of the plotted points
    assert search.landing == pytest.approx(search.batch_curve[at_eta], rel=1e-6)
    text = panel.findChild(QLabel, "line_summary").text()
    shown = numbers(text)
    now, landed, word = compared(search.full_curve[0], search.landing)
    assert shown[:2] == ["10,000", now]
    assert shown[2] == "10,000"  # the full-batch gradient's examples
    assert landed in shown and f"{search.cosine:.3f}" in shown
    assert str(len(e.batch_labels)) in shown
    assert float(now) == pytest.approx(search.full_curve[0], rel=1e-3)
    assert float(landed) == pytest.approx(search.landing, rel=1e-3)
    lower = search.landing < search.full_curve[0]
    assert ("lower" in text) == lower and ("uphill" in text) == (not lower)
    assert now != landed  # two numbers compared show digits that differ


@pytest.mark.parametrize(
    ("now", "landing", "said"),
    [
        (0.0219743, 0.0219712, "now 0.021974; .* lands at 0.021971 \\(lower\\)"),
        (0.0219712, 0.0219743, "now 0.021971; .* lands at 0.021974 \\(higher: this time uphill"),
        (0.5, 0.5 + 1e-9, "now 0.5; .* lands at 0.5 \\(the same to 6 digits\\)"),
    ],
)
def test_step_9_never_calls_two_equal_looking_numbers_lower(
    qtbot, trained_on_sample, now, landing, said
) -> None:
    snap, _ = trained_on_sample
    page = LineSearchPage()
    qtbot.addWidget(page)
    ts = np.linspace(0.0, 9.0, LINE_POINTS)
    curve = np.full(LINE_POINTS, now)
    search = eg.LineSearch(ts, curve, curve, 3.0, landing, 0.9, 10000, None)
    page.draw((search, Exploration(snap, snap.example.image, snap.example.label)))
    text = html.unescape(re.sub(r"<[^>]+>", "", page.summary.text()))
    assert re.search(said, text), text


def test_step_9_follows_the_training_set_in_use(qtbot, trained_on_sample) -> None:
    snap, data = trained_on_sample
    panel = ExplorerPanel()
    qtbot.addWidget(panel)
    panel.set_snapshot(snap)
    panel.set_step(9)
    assert "Load a training set" in panel.findChild(QLabel, "line_summary").text()
    mixed_images = np.concatenate([data.train.images, data.test.images[:37]])
    mixed_labels = np.concatenate([data.train.labels, data.test.labels[:37]])
    panel.set_full_batch(mixed_images, mixed_labels)
    qtbot.waitUntil(lambda: not panel.busy(), timeout=30000)
    assert panel.displayed_values()["search"].n_examples == 10037
    assert "all 10,037 training images" in panel.findChild(QLabel, "line_summary").text()


def test_window_gives_the_explorer_the_whole_training_set(qtbot, tmp_path) -> None:
    from windows import open_window

    window = open_window(qtbot, tmp_path / "settings.ini")
    window.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: window.explorer.state is not None, timeout=10000)
    assert window.explorer.state.full_images is window.data.train.images
    window.explorer.set_step(9)
    qtbot.waitUntil(lambda: not window.explorer.busy(), timeout=30000)
    n = len(window.data.train)
    assert window.explorer.displayed_values()["search"].n_examples == n
    assert f"all {n:,} training images" in window.explorer.findChild(QLabel, "line_summary").text()
    window.close()


def test_every_page_refreshes_from_the_state_alone(qtbot, trained_on_sample) -> None:
    snap, data = trained_on_sample
    images, labels = data.train.images[:500], data.train.labels[:500]
    panel = ExplorerPanel()
    qtbot.addWidget(panel)
    panel.set_snapshot(snap)
    panel.set_full_batch(images, labels)
    assert panel.state.full_images is images and panel.state.full_labels is labels
    for page in panel.pages:
        assert list(inspect.signature(page.refresh).parameters) == ["state"]
    page = LineSearchPage()  # a page of its own, given nothing but the panel's state
    qtbot.addWidget(page)
    page.refresh(panel.state)
    qtbot.waitUntil(lambda: not page.busy(), timeout=30000)
    assert page.values["search"].n_examples == 500
