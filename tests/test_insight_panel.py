"""The insight widgets show the engine's numbers and report the learner's clicks."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from engine.lessons.insight import confusion_matrix, examples_in_cell, misclassified
from gui.colors import NEGATIVE, POSITIVE, signed_image
from gui.insight.panel import DATASET, NEURONS, InsightPanel
from gui.training.timeline import Timeline


@pytest.fixture
def panel(qtbot, trained_on_sample):
    snapshot, data = trained_on_sample
    panel = InsightPanel()
    qtbot.addWidget(panel)
    panel.resize(1000, 700)
    panel.set_data(data)
    panel.set_snapshot(snapshot)
    panel.show()
    qtbot.waitExposed(panel)
    panel.refresh()
    return panel


def test_clicking_a_cell_shows_exactly_its_examples(qtbot, panel, trained_on_sample) -> None:
    snapshot, data = trained_on_sample
    test = data.test
    result = confusion_matrix(snapshot, test.images, test.labels)
    np.testing.assert_array_equal(panel.result.matrix, result.matrix)
    off = result.matrix * (1 - np.eye(10, dtype=int))
    true, predicted = (int(v) for v in np.unravel_index(np.argmax(off), off.shape))
    canvas = panel.confusion.canvas
    with qtbot.waitSignal(panel.confusion.cell_clicked) as blocker:
        qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=canvas.cell_center(true, predicted))
    assert blocker.args == [true, predicted]
    shown = panel.confusion.gallery.indices
    expected = examples_in_cell(result, test.labels, true, predicted)
    np.testing.assert_array_equal(shown, expected)
    assert len(shown) == result.matrix[true, predicted] > 0
    assert f"{len(shown)} test images of a {true}" in panel.confusion.strip_title.text()


def test_clicking_a_mistake_emits_its_image_and_label(qtbot, panel, trained_on_sample) -> None:
    snapshot, data = trained_on_sample
    test = data.test
    wrong = misclassified(confusion_matrix(snapshot, test.images, test.labels), test.labels)
    np.testing.assert_array_equal(panel.mistakes.indices, wrong)
    k = 1
    label, answer = int(test.labels[wrong[k]]), int(panel.result.predictions[wrong[k]])
    assert panel.mistakes.captions[k].startswith(f"{label} \u2192 {answer} (")
    canvas = panel.mistakes.canvas
    with qtbot.waitSignal(panel.digit_chosen) as blocker:
        qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=panel.mistakes.tile_center(k))
    image, chosen_label = blocker.args
    np.testing.assert_array_equal(image, test.images[wrong[k]])
    assert chosen_label == label


def test_neuron_tiles_are_blue_where_weights_are_positive(qtbot, panel, trained_on_sample) -> None:
    snapshot, _ = trained_on_sample
    panel.tabs.setCurrentIndex(NEURONS)
    panel.refresh()
    gallery = panel.neurons
    assert len(gallery.indices) == 16
    image = gallery.canvas.grab().toImage()
    scale = gallery.canvas.scale
    for j in (0, 7, 15):
        w = snapshot.weights[0][j]
        rect = gallery.canvas.tile_rect(j)
        for pixel, blue in ((int(np.argmax(w)), True), (int(np.argmin(w)), False)):
            row, col = divmod(pixel, 28)
            colour = image.pixelColor(
                rect.left() + col * scale + scale // 2, rect.top() + row * scale + scale // 2
            )
            rgb = (colour.red(), colour.green(), colour.blue())
            expected = signed_image(w.reshape(28, 28), np.abs(w).max())[row, col, :3]
            assert rgb == tuple(expected.tolist()), (j, pixel, rgb)
            hue = POSITIVE if blue else NEGATIVE
            assert np.sign(rgb[2] - rgb[0]) == np.sign(hue[2] - hue[0])  # blue or red


def test_snapshot_changes_wait_for_refresh_and_throttle(qtbot, panel, trained_on_sample) -> None:
    snapshot, _ = trained_on_sample
    first = panel.result
    panel.set_snapshot(snapshot.__class__(**{**snapshot.__dict__, "examples_seen": 1}))
    panel.refresh()  # within a second of the last computation: not yet
    assert panel.result is first
    panel.recompute_button.click()
    assert panel.result is not first


def test_dataset_tab_browses_by_digit(qtbot, panel, trained_on_sample) -> None:
    _, data = trained_on_sample
    panel.tabs.setCurrentIndex(DATASET)
    assert len(panel.examples.indices) == len(data.train)
    assert panel.counts.counts.tolist() == np.bincount(data.train.labels, minlength=10).tolist()
    canvas = panel.averages.canvas
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=panel.averages.tile_center(7))
    assert np.all(data.train.labels[panel.examples.indices] == 7)
    with qtbot.waitSignal(panel.digit_chosen) as blocker:
        qtbot.mouseClick(
            panel.examples.canvas, Qt.MouseButton.LeftButton, pos=panel.examples.tile_center(2)
        )
    assert blocker.args[1] == 7
    np.testing.assert_array_equal(blocker.args[0], data.train.images[panel.examples.indices[2]])


def test_timeline_emits_the_chosen_index(qtbot) -> None:
    timeline = Timeline()
    qtbot.addWidget(timeline)
    timeline.show()
    labels = [f"snapshot {i}" for i in range(5)]
    timeline.set_kept_count(5, labels)
    assert timeline.position == -1 and not timeline.resume_button.isEnabled()
    with qtbot.waitSignal(timeline.snapshot_chosen) as blocker:
        qtbot.keyClick(timeline.slider, Qt.Key.Key_Left)  # one step back from live
    assert blocker.args == [4]
    with qtbot.waitSignal(timeline.snapshot_chosen) as blocker:
        timeline.slider.setValue(2)
    assert blocker.args == [2] and "snapshot 2" in timeline.label.text()
    with qtbot.waitSignal(timeline.resume_requested) as blocker:
        qtbot.mouseClick(timeline.resume_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [2]
    timeline.set_kept_count(8, lambda i: f"record {i}")  # grows while scrubbed: stays put
    assert timeline.position == 2 and "record 2" in timeline.label.text()
    with qtbot.waitSignal(timeline.snapshot_chosen) as blocker:
        qtbot.mouseClick(timeline.live_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [-1] and timeline.position == -1
    with qtbot.assertNotEmitted(timeline.snapshot_chosen):
        timeline.set_position(3)
        timeline.set_kept_count(9, lambda i: "")
    assert timeline.position == 3
