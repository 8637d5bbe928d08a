"""Step 11: the drunk man's walk: real SGD steps and full-gradient steps on a real cost picture."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from engine.core.training import Trainer
from engine.lessons import descent_paths as dp
from engine.lessons import full_batch as fb
from engine.lessons.explorer import explored_network
from engine.words import quantity
from gui.explorer.descent import contour_lines
from gui.explorer.text import fmt

N = 2000  # images of the picture in these tests (the page uses 10,000)
PER = N // 10  # mini-batch steps of 10 that look at N images: one careful step's work


@pytest.fixture(scope="module")
def setting(trained_on_sample):
    snap, data = trained_on_sample
    net = explored_network(snap, snap.config.dtype)
    images, labels = data.train.images[:N], data.train.labels[:N]
    picture = dp.descent_picture(net, images, labels, snap.train_config, steps=2, seed=3, grid=9)
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
        assert path.steps[0] == path.images[0] == 0
    assert len(p.full.states) == 3  # two careful steps


def test_equal_work_matches_each_careful_step_with_an_epoch_of_mini_batches(setting) -> None:
    p = setting[0]
    assert p.view == dp.EQUAL_WORK and p.per_careful == PER
    np.testing.assert_array_equal(p.full.images, [0, N, 2 * N])  # each careful step: all N
    np.testing.assert_array_equal(p.sgd.steps[p.marks], [0, PER, 2 * PER])
    np.testing.assert_array_equal(p.sgd.images[p.marks], p.full.images)  # the same work
    np.testing.assert_array_equal(p.sgd.images, 10 * p.sgd.steps)
    every = PER // dp.DRAWN_PER_EPOCH
    np.testing.assert_array_equal(p.sgd.steps, np.arange(0, 2 * PER + 1, every))


def test_each_drawn_sgd_point_is_the_trainers_state_at_its_real_cost(setting) -> None:
    p, net, images, labels, snap = setting
    trainer = Trainer(net.copy(), images, labels, snap.train_config, seed=3)
    done = 0
    for k, step in enumerate(p.sgd.steps):
        for _ in range(step - done):
            trainer.step_batch()
        done = step
        np.testing.assert_array_equal(p.sgd.states[k], dp.flat(trainer.network.params))
        assert p.sgd.images[k] == trainer.examples_seen
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
    assert p.slope == pytest.approx(np.linalg.norm(g0.flat))
    assert abs(p.u @ p.v) < 1e-9 and np.linalg.norm(p.v) == pytest.approx(1.0)
    walker = net.copy()
    for k in range(1, 3):
        g = fb.full_gradient(walker, images, labels)
        for w, gi in zip(walker.params, g.grid):
            w -= (eta * gi).astype(w.dtype)
        np.testing.assert_allclose(p.full.states[k], dp.flat(walker.params), rtol=1e-6, atol=1e-7)
        assert p.full.costs[k] == pytest.approx(fb.mean_cost(walker, images, labels), rel=1e-5)
    assert p.full.costs[-1] < p.full.costs[0]  # careful steps go downhill


def test_equal_steps_takes_as_many_steps_of_each_kind(setting) -> None:
    _, net, images, labels, snap = setting
    p = dp.descent_picture(
        net, images, labels, snap.train_config, view=dp.EQUAL_STEPS, steps=4, seed=3, grid=5
    )
    np.testing.assert_array_equal(p.sgd.steps, range(5))
    np.testing.assert_array_equal(p.full.steps, range(5))
    np.testing.assert_array_equal(p.marks, range(5))
    np.testing.assert_array_equal(p.sgd.images, 10 * np.arange(5))
    np.testing.assert_array_equal(p.full.images, N * np.arange(5))
    assert dp.verdict(p).careful_images == PER * dp.verdict(p).sgd_images


def test_the_mini_batch_noise_is_measured_and_shrinks_with_the_batch(setting) -> None:
    _, net, images, labels, _ = setting
    g = fb.full_gradient(net, images, labels).flat
    ten, forty = (dp.batch_noise(net, images, labels, g, m, seed=0) for m in (10, 40))
    assert ten / forty == pytest.approx(2.0, rel=0.2)  # the error falls as 1 / sqrt(m)
    assert dp.batch_noise(net, images, labels, g, N, seed=0) < 1e-6 * ten  # all: no error


def test_the_verdict_is_read_from_the_matched_points() -> None:
    def picture(sgd_costs, full_costs, marks):
        k = len(sgd_costs)
        sgd = dp.Path(*(np.zeros((k, 1)),) * 3, np.array(sgd_costs), np.arange(k), np.arange(k))
        j = len(full_costs)
        full = dp.Path(*(np.zeros((j, 1)),) * 3, np.array(full_costs), np.arange(j), np.arange(j))
        fields = dict.fromkeys(dp.DescentPicture.__dataclass_fields__, 0)
        return dp.DescentPicture(**{**fields, "sgd": sgd, "full": full, "marks": np.array(marks)})

    v = dp.verdict(picture([1.0, 0.5, 0.2, 0.7], [1.0, 0.8, 0.6], [0, 2, 3]))
    assert (v.winner, v.sgd_cost, v.careful_cost, v.sgd_ahead) == ("careful", 0.7, 0.6, 1)
    assert v.margin == pytest.approx(0.1) and v.sgd_lowest == 0.2 and not v.sgd_uphill
    v = dp.verdict(picture([1.0, 1.2, 0.3], [1.0, 0.9, 0.8], [0, 1, 2]))
    assert (v.winner, v.sgd_ahead) == ("sgd", 1) and v.margin == pytest.approx(0.5)
    v = dp.verdict(picture([1.0, 1.5], [1.0, 1.2], [0, 1]))
    assert v.winner == "careful" and v.sgd_uphill
    v = dp.verdict(picture([1.0, 0.12341], [1.0, 0.12344], [0, 1]))
    assert v.winner == "tie" and v.margin == 0.0  # the same to the 4 digits printed


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_drunk_man_wins_at_equal_work_from_an_untrained_network(seed) -> None:
    from engine.core.network import Network, NetworkConfig
    from engine.core.training import TrainConfig
    from engine.data.datasets import load_sample

    data = load_sample()  # the page's default: all 10,000 sample images, mini-batches of 10
    net = Network(NetworkConfig(sizes=(784, 16, 16, 10)), np.random.default_rng(seed))
    p = dp.descent_picture(net, data.train.images, data.train.labels, TrainConfig())
    assert p.n_examples == 10000 and p.per_careful == 1000
    v = dp.verdict(p)
    assert v.winner == "sgd" and v.sgd_images == v.careful_images == 30000
    assert v.sgd_ahead == 3  # ahead after 10,000, 20,000 and 30,000 images alike
    assert all(p.sgd.costs[p.marks] <= p.full.costs)


def test_contour_lines_are_placed_in_plane_coordinates() -> None:
    costs = np.add.outer(np.arange(5.0), np.zeros(4))  # rises along alpha only
    alphas = np.linspace(-1.0, 1.0, 5)
    lines = contour_lines(costs, alphas, np.linspace(0.0, 3.0, 4), 2.5)
    assert len(lines) == 1
    np.testing.assert_allclose(lines[0][:, 0], 0.25)  # cost 2.5: halfway from alpha 0 to 0.5


def test_page_labels_the_matched_points_with_their_real_cost_and_images(
    qtbot, trained_on_sample, open_explorer
):
    snap, data = trained_on_sample
    train = (data.train.images[:N], data.train.labels[:N])
    panel = open_explorer(snap, train, size=None, show=False)
    panel.set_step(11)
    qtbot.waitUntil(lambda: not panel.busy(), timeout=30000)
    page = panel.descent_page
    p = panel.displayed_values()["picture"]
    assert p.n_examples == N and p.view == dp.EQUAL_WORK  # equal work is the default
    assert page.equal_work.isChecked() and not page.equal_steps.isChecked()
    ringed, end = p.marks[1:], p.marks[-1]

    def ring(k: int) -> str:
        return f"{fmt(p.sgd.costs[k])}\n{p.sgd.images[k]:,} images"

    expected = [fmt(p.sgd.costs[0]), ring(end), f"{fmt(p.full.costs[-1])}\n{N * 3:,} images"]
    assert [label.toPlainText() for label in page.labels] == expected  # always shown
    spare = [ring(k) for k in ringed[:-1]] + [fmt(c) for c in p.full.costs[1:-1]]
    assert [label.toPlainText() for label in page.spare] == spare  # shown where there is room
    positions = [(label.pos().x(), label.pos().y()) for label in [*page.labels, *page.spare]]
    coords = np.concatenate(
        [p.sgd.coords[[0, end]], p.full.coords[-1:], p.sgd.coords[ringed[:-1]], p.full.coords[1:-1]]
    )
    np.testing.assert_allclose(positions, coords)
    np.testing.assert_allclose(np.column_stack(page.sgd_path.getData()), p.sgd.coords)
    np.testing.assert_allclose(np.column_stack(page.full_path.getData()), p.full.coords)
    np.testing.assert_allclose(np.column_stack(page.matched.getData()), p.sgd.coords[ringed])
    assert page.image.image.shape == p.costs.shape
    np.testing.assert_array_equal(page.image.image, p.costs)
    assert page.contours  # contour lines are drawn
    text = panel.findChild(QLabel, "descent_summary").text()
    for value in (p.sgd.costs[0], p.sgd.costs[p.marks[-1]], p.full.costs[-1]):
        assert fmt(value) in text
    assert f"all {N:,} training images" in text
    assert f"{quantity(p.per_careful, 'mini-batch step')} of {snap.train_config.batch_size}" in text
    note = panel.findChild(QLabel, "descent_note").text()
    assert "off this plane" in note and "real cost" in note
    far = max(p.sgd.off_plane.max(), p.full.off_plane.max())
    assert fmt(far) in note
    assert f"every {p.sgd.steps[1]}th of its {p.sgd.steps[-1]:,} states" in note
    qtbot.mouseClick(page.reseed, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.busy(), timeout=30000)
    again = panel.displayed_values()["picture"]
    assert again.seed == p.seed + 1 and again.view == dp.EQUAL_WORK
    np.testing.assert_array_equal(again.full.states, p.full.states)  # careful steps: the same
    assert not np.array_equal(again.sgd.states[-1], p.sgd.states[-1])  # other mini-batches
    qtbot.mouseClick(page.equal_steps, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.busy(), timeout=30000)
    steps = panel.displayed_values()["picture"]
    assert steps.view == dp.EQUAL_STEPS and steps.seed == again.seed
    assert page.equal_steps.isChecked() and not page.equal_work.isChecked()
    np.testing.assert_array_equal(steps.sgd.steps, range(dp.STEPS + 1))
    ends = [fmt(steps.sgd.costs[0]), fmt(steps.sgd.costs[-1]), fmt(steps.full.costs[-1])]
    assert [label.toPlainText() for label in page.labels] == ends
    others = [fmt(c) for c in steps.sgd.costs[1:-1]] + [fmt(c) for c in steps.full.costs[1:-1]]
    assert [label.toPlainText() for label in page.spare] == others
    note = panel.findChild(QLabel, "descent_note").text()
    assert "labelled with their real cost" in note
    qtbot.mouseClick(page.equal_work, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.busy(), timeout=30000)
    assert panel.displayed_values()["picture"].view == dp.EQUAL_WORK
