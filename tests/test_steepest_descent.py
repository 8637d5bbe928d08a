"""Step 10: -g is steepest over every angle, beats random directions of its length, and says so."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QBoxLayout, QLabel

from engine.core.network import Network, NetworkConfig
from engine.data.datasets import load_sample
from engine.lessons import full_batch as fb
from engine.lessons import steepest_descent as sd
from engine.lessons.explorer import explored_network
from gui.explorer.panel import ExplorerPanel
from gui.explorer.steepest import SteepestPage
from gui.explorer.text import fmt


@pytest.fixture(scope="module")
def result(trained_on_sample):
    snap, data = trained_on_sample
    net = explored_network(snap, snap.config.dtype)
    images, labels = data.train.images[:1000], data.train.labels[:1000]
    return sd.steepest_descent(net, images, labels, 3.0, seed=4), net, images, labels


@pytest.fixture(scope="module", params=["untrained", "trained"])
def network(request, trained_on_sample):
    """The sample's network before any training (N(0, 1) weights, seed 0) and after 300 steps."""
    if request.param == "trained":
        snap, data = trained_on_sample
        net = explored_network(snap, snap.config.dtype)
    else:
        data = load_sample()
        net = Network(NetworkConfig(sizes=(784, 16, 16, 10)), np.random.default_rng(0))
    return net, data.train.images[:1000], data.train.labels[:1000]


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


SENTENCE = re.compile(
    r"C over (?P<where>all|the first) (?P<n>[\d,]+) training images in use: (?P<cost>\S+)\. "
    r"A step of length η\|g\| = (?P<step>\S+) turned by θ from −g \(g = ∇C\), measured every "
    r"(?P<every>\S+)°: the change of C is lowest at θ = (?P<best>\S+)°(?P<along> \(along −g\)"
    r"|, not along −g) and is (?P<last>\S+) at 180°; the first order −η\|g\|² cos θ = "
    r"(?P<slope>\S+) cos θ is (?P<gap>\S+)% off at 0°\. In n = (?P<params>[\d,]+) dimensions "
    r"\(weights and biases\) a random direction's cosine with g is about ±1/√n = "
    r"±(?P<cosine>\S+), so it is nearly perpendicular to g: these (?P<count>\d+) lie "
    r"(?P<lo>\S+)° to (?P<hi>\S+)° from −g and change C by (?P<cmin>\S+) to (?P<cmax>\S+)\. "
    r"−g changes it by (?P<gc>\S+), lower than (?P<beaten>all|\d+ of the) (?P<of>\d+) random "
    r"directions do\.$"
)


def shown_text(label: QLabel) -> str:
    """Return a rich-text label's text as the learner reads it (entities become characters)."""
    document = QTextDocument()
    document.setHtml(label.text())
    return document.toPlainText().replace("\n", " ")


def check_sentence(page, n_params: int, eta: float) -> re.Match:
    """Read step 10's sentence off the screen and check every number against the charts' data."""
    text = shown_text(page.summary)
    m = SENTENCE.match(text)
    assert m, text
    chart = page.angle_chart
    mx, my = chart.measured.getData()
    fx, fy = chart.first_order.getData()
    rx, ry = chart.randoms.getData()
    (_,), (star,) = chart.minus_g.getData()
    heights, centres = page.bars.opts["height"], page.bars.opts["x"]
    width = page.bars.opts["width"]
    assert m["every"] == f"{mx[1] - mx[0]:g}" and np.allclose(np.diff(mx), mx[1] - mx[0])
    assert m["best"] == f"{mx[np.argmin(my)]:g}"
    assert (m["along"] == " (along −g)") == (np.argmin(my) == 0 and mx[0] == 0)
    assert mx[-1] == 180 and m["last"] == fmt(my[-1])
    np.testing.assert_array_equal(fx, mx)
    assert m["slope"] == fmt(fy[0]) and fx[0] == 0
    np.testing.assert_allclose(fy, fy[0] * np.cos(np.radians(fx)), atol=1e-12)
    assert m["gap"] == f"{100 * abs(my[0] - fy[0]) / abs(fy[0]):.1f}"
    step = float(m["step"])  # eta |g|, so -eta |g|^2 = -step^2 / eta
    assert -fy[0] == pytest.approx(step**2 / eta, rel=2e-3)
    assert m["params"] == f"{n_params:,}" and m["cosine"] == f"{1 / np.sqrt(n_params):.4f}"
    assert int(m["count"]) == int(m["of"]) == len(rx) == int(np.sum(heights))
    assert m["lo"] == f"{rx.min():.1f}" and m["hi"] == f"{rx.max():.1f}"
    assert m["cmin"] == fmt(ry.min()) == fmt(centres[0] - width / 2)  # the histogram's left edge
    assert m["cmax"] == fmt(ry.max())
    assert np.isclose(centres[-1] + width / 2, ry.max())  # and its right edge
    assert m["gc"] == fmt(star) == fmt(page.gradient_line.value())
    beaten = int(np.count_nonzero(ry > star))
    assert m["beaten"] == ("all" if beaten == len(ry) else f"{beaten} of the")
    return m


def test_page_sentence_reads_its_numbers_off_both_charts(qtbot, trained_on_sample) -> None:
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
    np.testing.assert_array_equal(page.bars.opts["height"], counts)
    np.testing.assert_allclose(page.bars.opts["x"], 0.5 * (edges[:-1] + edges[1:]))
    assert page.gradient_line.value() < edges[0]  # left of every bar: -g lowers C the most
    mx, my = page.angle_chart.measured.getData()
    np.testing.assert_array_equal(my, r.angle_changes)
    np.testing.assert_array_equal(page.angle_chart.randoms.getData()[0], r.random_angles)
    sizes = snap.config.sizes
    n_params = sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))
    m = check_sentence(page, n_params, snap.train_config.learning_rate)
    assert m["where"] == "all" and m["n"] == "1,500" and m["cost"] == fmt(r.cost)
    assert m["best"] == "0" and m["along"] == " (along −g)" and m["beaten"] == "all"
    assert "200 random directions" in shown_text(panel.findChild(QLabel, "steepest_key"))
    first = r.random_changes.copy()
    qtbot.mouseClick(page.reseed, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.busy(), timeout=30000)
    again = panel.displayed_values()["descent"]
    assert again.seed == r.seed + 1
    assert not np.array_equal(again.random_changes, first)
    assert again.gradient_change == r.gradient_change
    check_sentence(page, 13002, 3.0)


def test_page_says_what_its_curve_shows_when_minus_g_is_not_best(qtbot, result) -> None:
    r, *_ = result
    page = SteepestPage()
    qtbot.addWidget(page)
    bent = r.angle_changes.copy()
    bent[2] = bent[0] - 1e-3  # as if a long step on a curved cost did best at 10 degrees
    randoms = r.random_changes.copy()
    randoms[:50] = r.gradient_change - 1e-4  # and 50 random directions beat -g
    page.draw((replace(r, angle_changes=bent, random_changes=randoms), 5000))
    m = check_sentence(page, 13002, 3.0)
    assert m["best"] == "10" and m["along"] == ", not along −g"
    assert m["beaten"] == "150 of the" and m["where"] == "the first"


def test_charts_stand_side_by_side_only_where_the_page_is_wide(qtbot) -> None:
    page = SteepestPage()
    qtbot.addWidget(page)
    page.show()
    page.resize(1100, 420)
    qtbot.waitUntil(lambda: page.charts.direction() == QBoxLayout.Direction.LeftToRight)
    page.resize(420, 800)
    qtbot.waitUntil(lambda: page.charts.direction() == QBoxLayout.Direction.TopToBottom)


def test_angle_curve_is_lowest_along_minus_g_and_climbs_to_plus_g(network) -> None:
    net, images, labels = network
    r = sd.steepest_descent(net, images, labels, 3.0, seed=1)
    np.testing.assert_array_equal(r.angles, np.arange(0, 181, sd.ANGLE_STEP))
    assert int(np.argmin(r.angle_changes)) == 0 and r.best_angle == 0.0
    assert r.angle_changes[0] == pytest.approx(r.gradient_change, rel=1e-4)
    assert np.all(np.diff(r.angle_changes) > 0)  # every turn away from -g lowers C less
    assert r.angle_changes[0] < 0 < r.angle_changes[-1]  # along +g the step goes uphill
    assert r.angle_changes[0] < r.random_changes.min()


def test_angle_curve_is_measured_on_moved_networks(network) -> None:
    net, images, labels = network
    r = sd.steepest_descent(net, images, labels, 3.0, seed=2)
    start = fb.mean_cost(net, images, labels)
    g = fb.full_gradient(net, images, labels)
    length = np.linalg.norm(g.flat)
    rng = np.random.default_rng(2)  # the page's draws: the random directions, then the plane's
    sd.random_directions([p.shape for p in net.params], 200, length, rng)
    across = sd.orthogonal_direction([-m for m in g.grid], rng)
    assert abs(sd.dot(across, list(g.grid))) < 1e-9 * length**2
    assert np.sqrt(sd.dot(across, across)) == pytest.approx(length)
    for i in (0, 6, 18, 30, 36):  # 0, 30, 90, 150 and 180 degrees
        a = np.radians(r.angles[i])
        d = [-np.cos(a) * gi / length + np.sin(a) * ui / length for gi, ui in zip(g.grid, across)]
        direct = moved_cost(net, images, labels, d, r.step_length) - start
        assert r.angle_changes[i] == pytest.approx(direct, rel=2e-3, abs=2e-6)
    expected = -3.0 * length**2 * np.cos(np.radians(r.angles))
    np.testing.assert_allclose(r.first_order, expected, atol=1e-12)


def test_angle_curve_matches_first_order_near_zero_for_small_steps(network) -> None:
    net, images, labels = network
    config = replace(net.config, dtype="float64")  # float32 rounding would blur the small steps
    net = Network.from_parameters(config, net.weights, net.biases)
    gaps = []
    for eta in (0.3, 0.03):
        r = sd.steepest_descent(net, images, labels, eta, n_random=1, seed=0)
        near = r.angles <= 20
        gaps.append(np.max(np.abs(r.angle_changes - r.first_order)[near] / -r.first_order[near]))
    assert gaps[0] < 0.03
    assert gaps[1] < 0.005 and gaps[1] < 0.2 * gaps[0]  # a second-order gap: it shrinks with eta


def test_random_directions_lie_near_90_degrees(network) -> None:
    net, images, labels = network
    r = sd.steepest_descent(net, images, labels, 3.0, seed=3)
    n = sum(p.size for p in net.params)
    assert r.n_params == n == 13002
    assert r.typical_cosine == pytest.approx(1 / np.sqrt(n))
    g = -fb.full_gradient(net, images, labels).flat
    shapes = [p.shape for p in net.params]
    randoms = sd.random_directions(shapes, 200, 1.0, np.random.default_rng(3))
    flat = np.array([np.concatenate([m.ravel() for m in d]) for d in randoms])
    cosines = flat @ g / np.linalg.norm(g)
    np.testing.assert_allclose(r.random_angles, np.degrees(np.arccos(cosines)), atol=1e-9)
    spread = np.degrees(r.typical_cosine)  # about 0.5 degrees
    assert np.std(r.random_angles - 90) == pytest.approx(spread, rel=0.25)
    assert np.all(np.abs(r.random_angles - 90) < 5 * spread)


def test_a_network_with_no_finite_gradient_is_refused_with_a_clear_message(network) -> None:
    net, images, labels = network
    broken = net.copy()
    broken.params[0][0, 0] = np.nan
    with pytest.raises(ValueError, match="gradient here is not finite"):
        sd.steepest_descent(broken, images, labels, 3.0)
