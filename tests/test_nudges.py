"""One desired nudge everywhere: Play one step, the explorer's step 3 and Teach it draw the same."""

from __future__ import annotations

import re

import numpy as np
import pytest

from engine.core.network import Network, NetworkConfig
from engine.core.training import TrainConfig, Trainer, to_inputs
from engine.lessons.explorer import Exploration
from engine.lessons.nudges import desired_nudges, nudge_name, nudge_symbol
from engine.lessons.step_beats import beat_values, example_order, plan_beats
from engine.lessons.step_story import prepare_story
from engine.lessons.teach import teach_step
from engine.session.snapshot import parameters_snapshot, take_snapshot
from gui.player.captions import caption

NUMBER = r"([+\u2212-]?\d+(?:\.\d+)?(?:e[+\u2212-]?\d+)?)"


def three_paths(digits, cost: str, focus: int = 2) -> dict:
    """Return the nudges Play one step, explorer step 3 and Teach it give one example, one net."""
    images, labels = digits
    net = Network(NetworkConfig(sizes=(784, 12, 8, 10), cost=cost), np.random.default_rng(7))
    trainer = Trainer(net, images, labels, TrainConfig(learning_rate=0.5), seed=3)
    for _ in range(4):  # a network that has learned a little: its outputs are not all alike
        trainer.step_batch()
    story = prepare_story(trainer, images, trainer.config, take_snapshot(trainer, images))
    beats = plan_beats(story, focus)
    cost_beat = next(b for b in beats if b.phase == "cost")
    values = beat_values(story, cost_beat, example_order(story, focus))
    image, label = story.images[focus], int(story.labels[focus])
    params = tuple(w.copy() for w in net.weights), tuple(b.copy() for b in net.biases)
    snapshot = parameters_snapshot(net.config, trainer.config, 0, 0, len(labels), *params)
    explored = Exploration(snapshot, image, label)
    taught = teach_step(net.copy(), to_inputs(image[None])[0], label, 0.5)
    return {
        "story": story,
        "beat": cost_beat,
        "values": values,
        "label": label,
        "outputs": story.activations[-1][focus],
        "play": np.asarray(values.nudges[-1], np.float64),
        "explorer": explored.desired_nudges(),
        "teach": np.asarray(taught.nudges, np.float64),
        "teach_name": taught.nudge_name,
    }


@pytest.mark.parametrize("cost", ["quadratic", "cross-entropy"])
def test_play_one_step_explorer_and_teach_it_draw_the_same_nudges(tiny_digits, cost) -> None:
    p = three_paths(tiny_digits, cost)
    y = np.eye(10)[p["label"]]
    want = y - np.asarray(p["outputs"], np.float64)  # the video's nudge under either cost
    for path in ("play", "explorer", "teach"):
        np.testing.assert_allclose(p[path], want, atol=2e-6, err_msg=path)
    np.testing.assert_allclose(desired_nudges(cost, p["outputs"], y), want, atol=1e-12)
    others = np.arange(10) != p["label"]
    assert (p["play"][others] < 0).all()  # down for every other digit, not y / a = 0
    assert p["play"][p["label"]] > 0
    assert (
        p["teach_name"] == nudge_name(cost) == ("-dC/dz" if cost == "cross-entropy" else "-dC/da")
    )


@pytest.mark.parametrize("cost", ["quadratic", "cross-entropy"])
def test_the_cost_caption_names_the_nudge_and_prints_the_arrows_numbers(tiny_digits, cost) -> None:
    p = three_paths(tiny_digits, cost)
    text = caption(p["story"], p["beat"], p["values"])
    assert f"Desired nudges {nudge_symbol(cost)} = y \u2212 a:" in text
    label = p["label"]
    printed = re.search(rf"output {label} {NUMBER}", text)
    assert printed, text
    assert float(printed.group(1).replace("\u2212", "-")) == pytest.approx(
        p["explorer"][label], rel=5e-3
    )
    worst = re.search(rf"output (\d) {NUMBER} \(arrows", text)
    assert worst, text
    j = int(worst.group(1))
    assert float(worst.group(2).replace("\u2212", "-")) == pytest.approx(p["explorer"][j], rel=5e-3)
    assert p["explorer"][j] < 0  # the other output that most wants to fall


def test_desired_nudges_rejects_an_unknown_cost() -> None:
    with pytest.raises(ValueError, match="unknown cost"):
        desired_nudges("hinge", np.zeros(10), np.zeros(10))
