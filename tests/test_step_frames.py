"""Play one step, as painted: the output nudge arrows beside the neurons, the outputs moving."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage, QPainter
from test_step_player import play
from test_step_story import make_trainer, told_step
from windows import open_window

from engine.core.network import Network
from engine.core.training import TrainConfig, to_inputs
from gui.colors import palette
from gui.diagram.layout import compute_layout
from gui.diagram.paint import output_labels_right
from gui.player.frames import StepFrames, arrow_segments

SIZES = (784, 12, 8, 10)
CANVASES = [(520, 347), (640, 420), (900, 600), (1280, 800)]  # 520x347: the diagram at 1366x768
NUMBER = r"(\d+(?:\.\d+)?)"


@pytest.fixture
def story(tiny_digits):
    images, _ = tiny_digits
    return told_step(make_trainer(tiny_digits, TrainConfig()), images)


def beat_index(frames: StepFrames, phase: str) -> int:
    return next(i for i, b in enumerate(frames.beats) if b.phase == phase)


@pytest.mark.parametrize("canvas", CANVASES)
def test_output_arrows_stand_right_of_the_labels_and_never_overlap(qtbot, story, canvas) -> None:
    layout = compute_layout(SIZES, *canvas)
    frames = StepFrames(story)
    nudges = frames.values(beat_index(frames, "cost")).nudges[-1]
    arrows = arrow_segments(layout, len(SIZES) - 1, nudges)
    assert len(arrows) >= 2  # the right digit's up arrow and at least one down
    right = output_labels_right(layout)
    centers = layout.centers[-1]
    spacing = float(np.diff(centers[:, 1]).min())
    spans = []
    for x, tail, tip, v in arrows:
        assert right < x - 4 and x + 4 <= layout.width  # beside the labels, inside the canvas
        assert (tip < tail) == (v > 0)  # up for a positive nudge
        j = int(np.argmin(np.abs(centers[:, 1] - (tail + tip) / 2)))
        assert abs((tail + tip) / 2 - centers[j, 1]) < 1e-9  # centred on its own neuron
        spans.append(sorted((tail, tip)))
    for (_, bottom_a), (top_b, _) in zip(spans, spans[1:]):
        assert bottom_a + 0.1 * spacing <= top_b  # a gap between neighbours' arrows
    longest = max(abs(tail - tip) for _, tail, tip, _ in arrows)
    assert longest == pytest.approx(min(0.85 * spacing, 44.0))


def colour_pixels(image: QImage, rgb: tuple[int, int, int], x0: int, x1: int) -> int:
    """Return how many pixels in the column band x0 .. x1 have exactly colour ``rgb``."""
    want = QColor(*rgb).rgb()
    return sum(image.pixel(x, y) == want for x in range(x0, x1) for y in range(image.height()))


@pytest.mark.parametrize("canvas", [(520, 347), (900, 600)])
def test_the_cost_beat_paints_its_arrows_beside_the_outputs(qtbot, story, canvas) -> None:
    layout = compute_layout(SIZES, *canvas)
    frames = StepFrames(story)
    index = beat_index(frames, "cost")
    image = QImage(*canvas, QImage.Format.Format_RGB32)
    p = QPainter(image)
    frames.paint(p, index, 1.0, layout, ("weight", True, 1.0))
    p.end()
    x0, x1 = int(output_labels_right(layout)) + 1, int(layout.width)
    nudges = frames.values(index).nudges[-1]
    ups = colour_pixels(image, palette().positive, x0, x1)
    downs = colour_pixels(image, palette().negative, x0, x1)
    assert ups > 20 and (downs > 20) == bool((nudges < 0).any())


def test_after_the_step_shows_the_example_through_the_new_network(qtbot, story) -> None:
    frames = StepFrames(story, focus=3)
    index = beat_index(frames, "after")
    values = frames.values(index)
    net = Network.from_parameters(story.after.config, story.after.weights, story.after.biases)
    moved = net.feedforward(to_inputs(story.images[3:4]))[0]
    np.testing.assert_allclose(values.activations[-1], moved, rtol=1e-6)
    assert not np.allclose(moved, story.activations[-1][3])  # the step moved them
    layout = compute_layout(SIZES, 900, 600)
    scene = frames.scene(index, layout, ("weight", True, 1.0))
    np.testing.assert_allclose(scene.outputs, moved, rtol=1e-6)  # the labels beside the outputs
    assert scene.label == int(story.labels[3])
    text = frames.caption(index)
    label = int(story.labels[3])
    found = re.search(rf"output {label} went from {NUMBER} to {NUMBER} \((higher|lower)\)", text)
    assert found, text
    was, now = float(found.group(1)), float(found.group(2))
    assert was == pytest.approx(story.activations[-1][3][label], rel=6e-3)
    assert now == pytest.approx(moved[label], rel=6e-3) and was != now
    assert found.group(3) == (
        "higher" if moved[label] > story.activations[-1][3][label] else "lower"
    )


def test_a_beat_reached_with_the_dot_key_shows_its_arrows(qtbot, tmp_path) -> None:
    window = open_window(qtbot, tmp_path / "settings.ini")
    try:
        player = play(qtbot, window)
        player.pause()
        cost = beat_index(player.frames, "cost")
        player.seek(player.beat_starts()[cost - 1])
        window.step_player_controls.step_forward_action.trigger()  # the "." key
        assert player.beat_index() == cost and not player.is_playing()
        view = window.network_view
        image = view.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
        layout = view.diagram_layout()
        x0, x1 = int(output_labels_right(layout)) + 1, int(layout.width)
        assert image.width() == int(layout.width)  # offscreen: one pixel per point
        ups = colour_pixels(image, palette().positive, x0, x1)
        assert ups > 10  # paused at the beat's start, yet the arrows are there, not the fade-in
    finally:
        window.close()
