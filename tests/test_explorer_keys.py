"""Left and Right move the explorer's step whatever control was clicked last (issue 22, 3.1)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSlider, QApplication, QWidget
from trained import trainer_after

from engine.core.network import NetworkConfig
from engine.core.training import TrainConfig
from engine.session.snapshot import take_snapshot
from gui.explorer.panel import ExplorerPanel
from gui.explorer.steps import N_STEPS


@pytest.fixture
def panel(qtbot, sample, open_explorer):
    train = sample.train
    config = NetworkConfig(sizes=(784, 16, 16, 10))
    trainer = trainer_after(config, train.images, train.labels, TrainConfig(), 20, 5, 6)
    widget = open_explorer(
        take_snapshot(trainer, train.images),
        (train.images[:300], train.labels[:300]),
        (sample.test.images[:200], sample.test.labels[:200]),
    )
    widget.activateWindow()
    qtbot.waitActive(widget)
    return widget


def press(qtbot, key: Qt.Key) -> None:
    """Press ``key`` where a real keyboard sends it: to the widget that has the focus."""
    qtbot.keyClick(QApplication.focusWidget(), key)


def test_arrows_step_after_clicking_next_and_back(qtbot, panel) -> None:
    """The walk's case: Next clicked, then seven Rights in a row, then Back and Lefts."""
    qtbot.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(panel.next_button.hasFocus)  # the click left the focus on the button
    assert panel.step() == 2
    for expected in range(3, 10):
        press(qtbot, Qt.Key.Key_Right)
        assert panel.step() == expected
    qtbot.waitUntil(lambda: not panel.busy(), timeout=30000)  # steps 9-11's pictures
    qtbot.mouseClick(panel.back_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(panel.back_button.hasFocus)
    assert panel.step() == 8
    for expected in (7, 6, 5):
        press(qtbot, Qt.Key.Key_Left)
        assert panel.step() == expected


def focusable(panel: ExplorerPanel) -> list[QWidget]:
    """Return every control of the current step that a click would give the focus to."""
    return [
        w
        for w in panel.findChildren(QWidget)
        if w.isVisible() and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.ClickFocus
    ]


@pytest.mark.parametrize("step", range(1, N_STEPS + 1))
def test_arrows_step_from_every_control_of_every_step(qtbot, panel, step) -> None:
    """Buttons, sliders, lists, tables, charts and scroll areas all leave Left and Right."""
    panel.set_step(step)
    controls = focusable(panel)
    assert any(not isinstance(w, ExplorerPanel) for w in controls)
    for control in controls:
        panel.set_step(step)
        if not control.isVisible():
            continue
        control.setFocus(Qt.FocusReason.MouseFocusReason)
        qtbot.waitUntil(control.hasFocus)
        value = control.value() if isinstance(control, QAbstractSlider) else None
        ahead, back = Qt.Key.Key_Right, Qt.Key.Key_Left
        if step == N_STEPS:  # the last step can only go back first
            ahead, back = back, ahead
        press(qtbot, ahead)
        assert panel.step() == step + (1 if ahead == Qt.Key.Key_Right else -1), control
        press(qtbot, back)
        assert panel.step() == step, control
        if isinstance(control, QAbstractSlider):
            assert control.value() == value  # the slider kept Up, Down and the mouse
    qtbot.waitUntil(lambda: not panel.busy(), timeout=30000)  # steps 9-11's pictures


def test_in_the_window_arrows_step_the_shown_explorer_and_text_inputs_keep_theirs(
    qtbot, tmp_path
) -> None:
    """A control of the side panel focused, Right steps the explorer and trains nothing."""
    from tests.windows import open_window

    window = open_window(qtbot, tmp_path / "s.ini")
    window.activateWindow()
    qtbot.waitActive(window)
    window.tabs.setCurrentIndex(window.tabs.indexOf(window.explorer))
    qtbot.waitUntil(lambda: window.explorer.snapshot is not None, timeout=10000)
    seen = window.worker.latest_snapshot().examples_seen
    asked = window.worker.requests_sent
    speed = window.controls.full_speed  # a tool button on the left, outside the explorer
    speed.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(speed.hasFocus)
    press(qtbot, Qt.Key.Key_Right)
    press(qtbot, Qt.Key.Key_Right)
    assert window.explorer.step() == 3
    press(qtbot, Qt.Key.Key_Left)
    assert window.explorer.step() == 2
    rate = window.controls.learning_rate  # a text input: its arrows move the cursor
    rate.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(rate.hasFocus)
    line = rate.lineEdit()
    line.setCursorPosition(0)
    press(qtbot, Qt.Key.Key_Right)
    assert line.cursorPosition() == 1 and window.explorer.step() == 2
    assert window.worker.requests_sent == asked  # no key asked the worker for a mini-batch
    window.tabs.setCurrentIndex(0)  # the explorer hidden, Right is Step mini-batch again
    window.network_view.setFocus()
    qtbot.waitUntil(window.network_view.hasFocus)
    press(qtbot, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: window.worker.latest_snapshot().examples_seen > seen, timeout=10000)
    assert window.explorer.step() == 2
