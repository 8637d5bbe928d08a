"""The drawing pad and its panel, driven with real mouse, key and tablet events."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QInputDevice, QMouseEvent, QPointingDevice, QTabletEvent
from PySide6.QtWidgets import QApplication
from windows import shown_text

from engine.core.network import Network, NetworkConfig
from engine.data.preprocess import BOX, CENTRE, centre_of_mass
from engine.lessons.teach import teach_step
from engine.words import compared
from gui.colors import HIGHLIGHT
from gui.pad.digit_panel import DigitPanel
from gui.pad.drawing_pad import SIDE, DrawingPad

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

SEVEN = [(70, 60), (210, 60), (180, 120), (150, 180), (125, 240)]
BAR = [(40, 150), (240, 150)]


def along(corners: list[tuple[int, int]], step: int = 6) -> list[QPointF]:
    """Return points every few pixels along the polyline through ``corners``."""
    points = [QPointF(*corners[0])]
    for (x0, y0), (x1, y1) in zip(corners, corners[1:]):
        n = max(1, int(np.hypot(x1 - x0, y1 - y0) // step))
        points += [QPointF(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t) for t in np.arange(1, n + 1) / n]
    return points


def teach_with(panel: DigitPanel, network: Network, eta: float) -> None:
    """Answer the panel's teach requests as the window does: one SGD step, then its result."""
    panel.teach_requested.connect(
        lambda x, label: panel.show_teach_result(teach_step(network, x, label, eta))
    )


def stroke(qtbot, widget, corners, button=Qt.MouseButton.LeftButton) -> None:
    """Draw through ``corners`` with a real press, moves with the button held, and a release."""
    points = along(corners)
    qtbot.mousePress(widget, button, pos=points[0].toPoint())
    for p in points[1:]:
        move = QMouseEvent(
            QEvent.Type.MouseMove,
            p,
            widget.mapToGlobal(p),
            Qt.MouseButton.NoButton,
            button,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(widget, move)
    qtbot.mouseRelease(widget, button, pos=points[-1].toPoint())


def ink_box(x: np.ndarray) -> tuple[int, int]:
    """Return the height and width of the bounding box of the nonzero pixels."""
    rows = np.flatnonzero(x.any(axis=1))
    cols = np.flatnonzero(x.any(axis=0))
    return int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)


@pytest.fixture
def network() -> Network:
    """A seeded, untrained 784-16-16-10 network."""
    return Network(NetworkConfig(sizes=(784, 16, 16, 10)), np.random.default_rng(1))


@pytest.fixture
def panel(qtbot, network) -> DigitPanel:
    """A shown DigitPanel predicting with ``network``."""
    widget = DigitPanel()
    qtbot.addWidget(widget)
    widget.set_predictor(lambda x: network.feedforward(x.reshape(1, -1))[0])
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_a_drawn_stroke_becomes_a_centred_20_pixel_digit(qtbot, panel):
    sent: list[np.ndarray | None] = []
    panel.input_changed.connect(sent.append)
    stroke(qtbot, panel.pad, SEVEN)
    x = panel.network_input()
    assert x is not None and x.shape == (28, 28) and x.dtype == np.float32
    np.testing.assert_array_equal(sent[-1], x)
    assert x.max() == pytest.approx(1.0) and x.sum() > 30
    row, col = centre_of_mass(x)
    assert abs(row - CENTRE) <= 0.5 and abs(col - CENTRE) <= 0.5  # and so within 1 of 13.5
    assert max(ink_box(x)) == BOX
    assert ink_box(x)[0] == BOX  # the seven is taller than wide


def test_digit_drawn_goes_out_while_drawing_and_on_release(qtbot):
    pad = DrawingPad()
    qtbot.addWidget(pad)
    pad.show()
    sent: list[np.ndarray] = []
    pad.digit_drawn.connect(sent.append)
    points = along(BAR)
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=points[0].toPoint())
    assert len(sent) == 1  # the first point goes out at once
    for p in points[1:6]:
        move = QMouseEvent(
            QEvent.Type.MouseMove,
            p,
            pad.mapToGlobal(p),
            Qt.MouseButton.NoButton,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(pad, move)
    assert len(sent) < 6  # throttled: quick moves are batched, not sent one by one ...
    qtbot.waitUntil(lambda: len(sent) >= 2, timeout=5000)  # ... and sent when the timer fires
    np.testing.assert_array_equal(sent[-1], pad.image())
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=points[5].toPoint())
    assert sent[-1].shape == (SIDE * pad.devicePixelRatioF(),) * 2
    np.testing.assert_array_equal(sent[-1], pad.image())


def test_undo_removes_the_last_stroke_and_clear_wipes_everything(qtbot, panel):
    pad = panel.pad
    stroke(qtbot, pad, SEVEN)
    first = pad.image()
    first_input = panel.network_input()
    stroke(qtbot, pad, BAR)
    assert not np.array_equal(pad.image(), first)
    qtbot.keyClick(pad, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    np.testing.assert_array_equal(pad.image(), first)
    np.testing.assert_array_equal(panel.network_input(), first_input)
    qtbot.mouseClick(panel.undo_button, Qt.MouseButton.LeftButton)
    assert pad.is_empty() and panel.network_input() is None
    qtbot.mouseClick(panel.undo_button, Qt.MouseButton.LeftButton)  # nothing left: no effect
    assert pad.is_empty()

    def wipe_with_key(key):
        return lambda: qtbot.keyClick(pad, key)

    clearers = [
        wipe_with_key(Qt.Key.Key_Delete),
        wipe_with_key(Qt.Key.Key_Escape),
        lambda: qtbot.mouseDClick(pad, Qt.MouseButton.LeftButton, pos=QPoint(20, 20)),
        lambda: qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton),
    ]
    for clear in clearers:
        stroke(qtbot, pad, SEVEN)
        assert panel.network_input() is not None
        with qtbot.waitSignal(panel.input_changed) as sent:
            clear()
        assert sent.args == [None]
        assert pad.is_empty() and not pad.image().any()
        assert panel.network_input() is None and panel.outputs() is None


def test_right_button_erases(qtbot, panel):
    stroke(qtbot, panel.pad, BAR)
    ink = panel.pad.image().sum()
    stroke(qtbot, panel.pad, [(140, 100), (140, 200)], Qt.MouseButton.RightButton)
    erased = panel.pad.image()
    assert 0.6 * ink < erased.sum() < 0.95 * ink
    assert not erased[140:160, 130:150].any()


def test_an_empty_pad_predicts_nothing(qtbot, network):
    calls: list[np.ndarray] = []

    def predictor(x):
        calls.append(x)
        return network.feedforward(x.reshape(1, -1))[0]

    panel = DigitPanel()
    qtbot.addWidget(panel)
    panel.set_predictor(predictor)
    panel.show()
    assert panel.outputs() is None and not calls
    assert not panel.bars.isVisible() and panel.empty_text.isVisible()
    assert "draw a digit" in panel.empty_text.toPlainText()
    assert panel.guess_label.text() == ""
    assert not panel.teach.step_button.isEnabled() and not panel.teach.add_button.isEnabled()
    stroke(qtbot, panel.pad, SEVEN)
    assert calls and panel.outputs() is not None and panel.bars.isVisible()


def test_the_bars_are_the_predictors_outputs_exactly(qtbot, panel, network):
    stroke(qtbot, panel.pad, SEVEN)
    want = network.feedforward(panel.network_input().reshape(1, -1))[0]
    np.testing.assert_array_equal(panel.bars.opts["height"], want)
    np.testing.assert_array_equal(panel.outputs(), want)
    winner = int(np.argmax(want))
    brushes = panel.bars.opts["brushes"]
    assert brushes[winner].color().getRgb()[:3] == HIGHLIGHT
    assert all(b.color().getRgb()[:3] != HIGHLIGHT for i, b in enumerate(brushes) if i != winner)
    assert panel.guess_label.text() == f"Guess: {winner}"


def test_teach_it_takes_exactly_one_sgd_step_on_the_drawing(qtbot, panel, network):
    eta = 3.0
    teach_with(panel, network, eta)
    stroke(qtbot, panel.pad, SEVEN)
    x = panel.network_input()
    twin = network.copy()
    record = twin.backprop(x.reshape(1, -1), np.array([7]))
    qtbot.mouseClick(panel.label_group.button(7), Qt.MouseButton.LeftButton)
    assert panel.selected_label() == 7 and panel.teach.step_button.isEnabled()
    qtbot.mouseClick(panel.teach.step_button, Qt.MouseButton.LeftButton)
    # the trainer's one update rule on the twin, call for call: the same bits
    from engine.core import update

    start = [w.copy() for w in twin.weights]
    ws, _total = twin.backward_workspace(x.reshape(1, -1).astype(twin.dtype), np.array([7]))
    update.apply_step(twin.params, ws, eta)
    for got, w in zip(network.weights, twin.weights):
        np.testing.assert_array_equal(got, w)
    for got, b in zip(network.biases, twin.biases):
        np.testing.assert_array_equal(got, b)
    for got, w, g in zip(network.weights, start, record.nabla_w):  # and that is w - eta g
        np.testing.assert_allclose(got, w - eta * g, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(panel.teach.nudge_bars.opts["height"], -record.dc_da[-1][0])
    np.testing.assert_array_equal(panel.teach.before_bars.opts["height"], record.activations[-1][0])
    after = network.feedforward(x.reshape(1, -1))[0]
    np.testing.assert_array_equal(panel.teach.after_bars.opts["height"], after)
    np.testing.assert_array_equal(panel.outputs(), after)  # the bars follow the new weights
    first, second, _ = compared(record.cost, float(network.mean_cost(x.reshape(1, -1), [7])))
    assert f"cost C = {first} &rarr; <b>{second}</b>;" in panel.teach.result_label.text()
    assert panel.teach.nudge_plot.isVisible()
    qtbot.keyClick(panel.pad, Qt.Key.Key_Escape)
    assert not panel.teach.nudge_plot.isVisible()  # the result went with its drawing


def test_teach_it_asks_the_window_for_the_step(qtbot, panel):
    stroke(qtbot, panel.pad, SEVEN)
    panel.select_label(1)
    with qtbot.waitSignal(panel.teach_requested) as asked:
        qtbot.mouseClick(panel.teach.step_button, Qt.MouseButton.LeftButton)
    np.testing.assert_array_equal(asked.args[0], panel.network_input())
    assert asked.args[1] == 1


def test_load_test_digit_and_my_digits(qtbot, panel, tmp_path):
    images = np.zeros((3, 28, 28), np.uint8)
    images[:, 4:24, 12:16] = 255
    panel.set_test_images(images, np.array([1, 1, 4], np.uint8))
    panel.test_index.setValue(2)
    qtbot.mouseClick(panel.load_button, Qt.MouseButton.LeftButton)
    assert panel.selected_label() == 4 and "#2" in panel.source_label.text()
    x = panel.network_input()
    assert x is not None and max(ink_box(x)) == BOX
    qtbot.mouseClick(panel.teach.add_button, Qt.MouseButton.LeftButton)
    assert len(panel.my_digits) == 1 and panel.teach.count_label.text() == "my digits: 1"
    path = tmp_path / "mine.npz"
    panel.save_my_digits(path)
    panel.my_digits.remove(0)
    panel.open_my_digits(path)
    assert len(panel.my_digits) == 1 and int(panel.my_digits.labels[0]) == 4
    np.testing.assert_array_equal(panel.my_digits.images[0], np.rint(x * 255).astype(np.uint8))
    qtbot.mouseClick(panel.random_button, Qt.MouseButton.LeftButton)
    assert panel.network_input() is not None


def test_pen_pressure_sets_the_stroke_width(qtbot):
    pad = DrawingPad()
    qtbot.addWidget(pad)
    pad.show()
    pen = QPointingDevice(
        "test pen",
        1,
        QInputDevice.DeviceType.Stylus,
        QPointingDevice.PointerType.Pen,
        QInputDevice.Capability.Position | QInputDevice.Capability.Pressure,
        1,
        3,
    )

    def pen_stroke(pressure: float) -> float:
        pad.clear()
        kinds = [QEvent.Type.TabletPress] + [QEvent.Type.TabletMove] * 9
        kinds.append(QEvent.Type.TabletRelease)
        for i, kind in enumerate(kinds):
            pos = QPointF(60 + 16 * min(i, 9), 140)
            event = QTabletEvent(
                kind, pen, pos, pad.mapToGlobal(pos), pressure, 0.0, 0.0, 0.0, 0.0, 0.0,
                Qt.KeyboardModifier.NoModifier, Qt.MouseButton.LeftButton,
                Qt.MouseButton.NoButton if kind == QEvent.Type.TabletRelease
                else Qt.MouseButton.LeftButton,
            )  # fmt: skip
            QApplication.sendEvent(pad, event)
        return float(pad.image().sum())

    light, firm = pen_stroke(0.1), pen_stroke(1.0)
    assert 0 < light < 0.6 * firm


def test_hidpi_canvas_follows_the_device_pixel_ratio(qtbot, monkeypatch):
    pad = DrawingPad()
    qtbot.addWidget(pad)
    stroke(qtbot, pad, BAR)
    low = pad.image()
    monkeypatch.setattr(pad, "devicePixelRatioF", lambda: 2.0)
    high = pad.image()
    assert high.shape == (2 * SIDE, 2 * SIDE)
    box = 2 * np.array(ink_box(low))
    assert np.all(np.abs(np.array(ink_box(high)) - box) <= 4)


def _typical_colour(widget) -> np.ndarray:
    """Return the median RGB of a widget as it is drawn (its fill, not its thin text)."""
    image = widget.grab().toImage().convertToFormat(widget.grab().toImage().Format.Format_RGB888)
    ptr = image.constBits()
    rgb = np.frombuffer(ptr, np.uint8, image.sizeInBytes()).reshape(image.height(), -1)
    rgb = rgb[:, : 3 * image.width()].reshape(image.height(), image.width(), 3)
    return np.median(rgb.reshape(-1, 3), axis=0)


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_the_chosen_label_is_unmistakable_and_goes_with_the_drawing(qtbot, panel, theme):
    from gui.theme import apply_theme

    app = QApplication.instance()
    apply_theme(app, theme)
    try:
        stroke(qtbot, panel.pad, SEVEN)
        qtbot.mouseClick(panel.label_group.button(7), Qt.MouseButton.LeftButton)
        assert shown_text(panel.teach.step_button) == "Apply one SGD step: a 7"
        chosen = _typical_colour(panel.label_group.button(7))
        other = _typical_colour(panel.label_group.button(3))
        assert np.abs(chosen - np.array(HIGHLIGHT)).max() <= 12  # filled in the highlight
        assert np.abs(other - np.array(HIGHLIGHT)).sum() > 150  # the others are not
        qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
        assert panel.selected_label() is None  # a new drawing has no label yet
        assert shown_text(panel.teach.step_button) == "Apply one SGD step"
        assert not panel.teach.step_button.isEnabled()
        assert np.abs(_typical_colour(panel.label_group.button(7)) - other).max() <= 12
    finally:
        apply_theme(app, "dark")


def test_cross_entropy_teach_shows_the_desired_change_of_z(qtbot, panel):
    network = Network(NetworkConfig(cost="cross-entropy"), np.random.default_rng(2))
    panel.set_predictor(lambda x: network.feedforward(x.reshape(1, -1))[0])
    teach_with(panel, network, 0.5)
    stroke(qtbot, panel.pad, SEVEN)
    a = network.feedforward(panel.network_input().reshape(1, -1))[0]
    panel.select_label(7)
    qtbot.mouseClick(panel.teach.step_button, Qt.MouseButton.LeftButton)
    heights = panel.teach.nudge_bars.opts["height"]
    np.testing.assert_allclose(heights, np.eye(10)[7] - a, atol=1e-6)  # y - a, not y / a
    assert (np.delete(heights, 7) < 0).all()  # down for every other digit
    assert "-dC/dz = y - a" in panel.teach.nudge_caption.text()
    assert panel.teach.nudge_plot.getPlotItem().getAxis("left").labelText == "-dC/dz"


@pytest.mark.parametrize("change", [-2e-5, 2e-5, 0.0])
def test_teach_it_shows_cost_digits_that_differ_or_says_the_same(qtbot, panel, network, change):
    x = np.random.default_rng(2).random(784).astype(np.float32)
    result = teach_step(network, x, 3, 0.01)
    result = dataclasses.replace(result, cost_after=result.cost_before * (1 + change))
    panel.teach.show_result(result)
    text = panel.teach.result_label.text()
    found = re.search(r"cost C = ([\d.]+) &rarr; <b>([\d.]+)</b>( \(the same\))?;", text)
    assert found, text
    first, second = found.group(1), found.group(2)
    assert float(first) == pytest.approx(result.cost_before, rel=1e-4)
    if change:
        assert first != second and not found.group(3)
    else:
        assert first == second and found.group(3)
