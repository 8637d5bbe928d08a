"""Step 11's words match its picture: which path ended lower, by how much, after what work.

The sentence is read from the real page, on networks where the drunk man wins, loses and ties,
and compared with the numbers the picture draws (its labels, its paths' real costs).
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from engine.core.network import Network, NetworkConfig
from engine.core.training import TrainConfig, Trainer
from engine.lessons import descent_paths as dp
from engine.session.snapshot import take_snapshot
from gui.explorer.panel import ExplorerPanel
from gui.explorer.text import fmt

N = 2000  # images of the picture, except for the untrained network (the page's own 10,000)


@pytest.fixture(scope="module")
def annealed(trained_on_sample):
    """A network trained on the first N images at eta 3, then settled lower at eta 0.3.

    Explored at eta 3 again, its mini-batch steps are mostly noise: SGD's noise floor at eta 3
    lies above where the network already is.
    """
    data = trained_on_sample[1]
    images, labels = data.train.images[:N], data.train.labels[:N]
    net = Network(NetworkConfig(sizes=(784, 16, 16, 10)), np.random.default_rng(0))
    trainer = Trainer(net, images, labels, TrainConfig(), 0)
    for _ in range(20 * N // 10):
        trainer.step_batch()
    trainer.config = TrainConfig(learning_rate=0.3)
    for _ in range(20 * N // 10):
        trainer.step_batch()
    trainer.config = TrainConfig()
    return take_snapshot(trainer, images)


def untrained(data):
    """The seed-0 network before any training, as the window shows it at start."""
    net = Network(NetworkConfig(sizes=(784, 16, 16, 10)), np.random.default_rng(0))
    return take_snapshot(Trainer(net, data.train.images, data.train.labels), data.train.images)


NETWORKS = {  # name: (the snapshot, the images used, who is lower at equal work, equal steps)
    "untrained": (lambda snap, data, annealed: untrained(data), None, "sgd", "careful"),
    "untrained, fewer images": (lambda snap, data, annealed: untrained(data), N, "sgd", "sgd"),
    "trained": (lambda snap, data, annealed: snap, N, "sgd", "careful"),
    "annealed": (lambda snap, data, annealed: annealed, N, "careful", "careful"),
    "momentum": (
        lambda snap, data, annealed: dataclasses.replace(
            snap, train_config=TrainConfig(momentum=0.9)
        ),
        N,
        "careful",
        "careful",
    ),
    "one batch": (
        lambda snap, data, annealed: dataclasses.replace(
            snap, train_config=TrainConfig(batch_size=N)
        ),
        N,
        "tie",
        "tie",
    ),
}


def plain(html: str) -> str:
    """Return a rich-text sentence as the learner reads it."""
    text = re.sub(r"<[^>]+>", "", html)
    for entity, char in (("&eta;", "η"), ("&mu;", "μ"), ("&nabla;", "∇"), ("&minus;", "−")):
        text = text.replace(entity, char)
    return text


def shown_label(page, point) -> str:
    """Return the text of the visible label that sits at ``point`` (data coordinates)."""
    at = [
        label.toPlainText()
        for label in [*page.labels, *page.spare]
        if label.isVisible()
        and np.allclose([label.pos().x(), label.pos().y()], point, rtol=0, atol=1e-12)
    ]
    assert len(at) == 1, f"{len(at)} labels at {point}"
    return at[0]


def check_words(panel: ExplorerPanel) -> str:
    """Compare step 11's sentence with its picture's numbers; return who ended lower."""
    page = panel.descent_page
    p = panel.displayed_values()["picture"]
    text = plain(panel.findChild(QLabel, "descent_summary").text())
    start, last = p.sgd.costs[0], p.marks[-1]
    sgd, careful = float(p.sgd.costs[last]), float(p.full.costs[-1])
    assert f"{fmt(start)} at the start" in text
    # The two compared points are the ones the picture labels, at their own real costs.
    assert shown_label(page, p.sgd.coords[last]).startswith(fmt(sgd))
    assert shown_label(page, p.full.coords[-1]).startswith(fmt(careful))
    np.testing.assert_allclose(np.column_stack(page.sgd_path.getData()), p.sgd.coords)
    np.testing.assert_allclose(np.column_stack(page.full_path.getData()), p.full.coords)
    steps, seen = int(p.sgd.steps[last]), int(p.sgd.images[last])
    if p.view == dp.EQUAL_WORK:
        assert seen == p.full.images[-1] == len(p.full.steps[1:]) * p.n_examples  # equal work
        assert text.startswith("Equal work.")
        assert f"After {seen:,} images ({len(p.full.costs) - 1} careful steps, {steps:,}" in text
        assert shown_label(page, p.sgd.coords[last]).endswith(f"\n{seen:,} images")
        assert shown_label(page, p.full.coords[-1]).endswith(f"\n{seen:,} images")
        matched = len(p.full.costs) - 1
        ahead = sum(
            p.sgd.costs[p.marks[k]] < p.full.costs[k]
            and fmt(p.sgd.costs[p.marks[k]]) != fmt(p.full.costs[k])
            for k in range(1, matched + 1)
        )
        said = {matched: "each", 0: "none"}.get(ahead, str(ahead))
        assert f"SGD was lower at {said} of the {matched} matched points." in text
    else:
        assert steps == len(p.full.costs) - 1 == dp.STEPS
        assert text.startswith("Equal steps, not equal work.")
        assert f"After {steps} mini-batch steps of {p.batch_size:,}" in text
        looked = p.full.images[-1]
        if p.per_careful > 1:
            times = f"{looked / seen:,.4g} times"
            if sgd < careful and fmt(sgd) != fmt(careful):
                assert f"SGD looked at only {seen:,} images, the careful path at {looked:,}" in text
                assert f"{times} as many" in text and "But" not in text
            else:
                assert f"careful path looked at {looked:,} images, SGD at {seen:,}" in text
                assert f"{times} fewer" in text
    if fmt(sgd) == fmt(careful):
        winner = "tie"
        assert f"the same to 4 digits (SGD {fmt(sgd)}, careful {fmt(careful)})" in text
        assert "is lower" not in text
    elif sgd < careful:
        winner = "sgd"
        assert f"SGD is lower: {fmt(sgd)} against the careful path's {fmt(careful)}, by " in text
        assert f"by {fmt(careful - sgd)}" in text and "careful path is lower" not in text
    else:
        winner = "careful"
        assert f"the careful path is lower: {fmt(careful)} against SGD's {fmt(sgd)}, by " in text
        assert f"by {fmt(sgd - careful)}" in text and "SGD is lower" not in text
    if p.view == dp.EQUAL_WORK and winner != "sgd":  # the page says SGD did not win, and why
        if p.per_careful == 1:
            assert f"holds all {p.n_examples:,} images" in text
        else:
            assert "SGD does not win here even at equal work." in text
            uphill = sgd > start and fmt(sgd) != fmt(start)
            assert (f"It went uphill, from {fmt(start)} to {fmt(sgd)}." in text) == uphill
            assert f"|∇C| = {fmt(p.slope)}" in text
            assert f"misses it by {fmt(p.noise)} on average" in text
            lowest = int(np.argmin(p.sgd.costs[: last + 1]))
            dipped = p.sgd.costs[lowest] < careful and fmt(p.sgd.costs[lowest]) != fmt(careful)
            on_the_way = (
                f"It was lower on the way ({fmt(p.sgd.costs[lowest])} after "
                f"{p.sgd.images[lowest]:,} images) but did not stay there."
            )
            assert (on_the_way in text) == (dipped and not uphill)
            if p.noise > p.slope:
                assert f"{p.noise / p.slope:.2g} times as much" in text and "noise floor" in text
            else:
                assert "less than the slope itself" in text and "noise floor" not in text
            assert (f"momentum μ = {fmt(p.momentum)}" in text) == (p.momentum > 0)
    else:
        assert "does not win" not in text and "Why" not in text
    return winner


@pytest.mark.parametrize("name", list(NETWORKS))
def test_the_sentence_says_what_the_picture_shows(qtbot, trained_on_sample, annealed, name):
    snap, data = trained_on_sample
    make, n, at_equal_work, at_equal_steps = NETWORKS[name]
    n = n or len(data.train.labels)
    panel = ExplorerPanel()
    qtbot.addWidget(panel)
    panel.set_full_batch(data.train.images[:n], data.train.labels[:n])
    panel.set_snapshot(make(snap, data, annealed))
    panel.set_step(11)
    qtbot.waitUntil(lambda: not panel.busy(), timeout=30000)
    assert panel.displayed_values()["picture"].view == dp.EQUAL_WORK  # the default
    assert check_words(panel) == at_equal_work  # each network's own outcome
    qtbot.mouseClick(panel.descent_page.equal_steps, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.busy(), timeout=30000)
    assert panel.displayed_values()["picture"].view == dp.EQUAL_STEPS
    assert check_words(panel) == at_equal_steps


@pytest.mark.parametrize(
    ("ends", "slope", "noise"),
    [
        ((0.5, 0.8), 0.01, 0.2),  # SGD dipped below the careful end on the way, and came back up
        ((0.95, 1.2), 0.01, 0.2),  # uphill
        ((0.75, 0.8), 0.3, 0.2),  # its estimates are not mostly noise
    ],
)
def test_each_reason_is_said_only_when_its_numbers_hold(
    qtbot, trained_on_sample, ends, slope, noise
) -> None:
    """The page's reasons, fed a real picture whose SGD costs and noise are set to each case."""
    snap, data = trained_on_sample
    panel = ExplorerPanel()
    qtbot.addWidget(panel)
    panel.set_full_batch(data.train.images[:N], data.train.labels[:N])
    panel.set_snapshot(snap)
    panel.set_step(11)
    qtbot.waitUntil(lambda: not panel.busy(), timeout=30000)
    real = panel.displayed_values()["picture"]
    middle, end = ends
    costs = np.full(len(real.sgd.costs), 0.9)
    costs[0], costs[len(costs) // 2], costs[real.marks[-1]] = 1.0, middle, end
    careful = np.linspace(1.0, 0.7, len(real.full.costs))
    p = dataclasses.replace(
        real,
        sgd=dataclasses.replace(real.sgd, costs=costs),
        full=dataclasses.replace(real.full, costs=careful),
        slope=slope,
        noise=noise,
    )
    panel.descent_page.draw((p, N))
    assert check_words(panel) == "careful"
    assert panel.displayed_values()["picture"] is p
