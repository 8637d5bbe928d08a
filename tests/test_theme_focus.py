"""The keyboard's focus and a toolbar toggle's on state can be seen in both themes, by pixels."""

from __future__ import annotations

import numpy as np
import pytest
from colour_math import contrast
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSlider,
    QSpinBox,
    QToolButton,
    QWidget,
)
from windows import rgb_pixels

from gui.theme import apply_theme

FOCUS_THEMES = ("dark", "light")


def _controls() -> list[QWidget]:
    """Return one of each control the keyboard can reach."""
    combo = QComboBox()
    combo.addItems(["Weights", "Gradient"])
    slider = QSlider(Qt.Orientation.Horizontal)
    tool = QToolButton()
    tool.setText("Hebbian")
    tool.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    return [
        QPushButton("Train"),
        tool,
        combo,
        QLineEdit("16,16"),
        slider,
        QCheckBox("per layer"),
        QSpinBox(),
    ]


@pytest.fixture(params=FOCUS_THEMES)
def themed(request):
    """Apply a theme for one test, and the dark one after it."""
    apply_theme(QApplication.instance(), request.param)
    yield request.param
    apply_theme(QApplication.instance(), "dark")


def test_a_focused_control_shows_a_ring_unfocused_ones_lack(qtbot, themed) -> None:
    """Each control's pixels with the focus differ from without it by a ring 3:1 on its ground."""
    host = QWidget()
    row = QHBoxLayout(host)
    controls = _controls()
    for control in controls:
        row.addWidget(control)
    qtbot.addWidget(host)
    host.show()
    host.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is host, timeout=5000)
    for control in controls:
        name = type(control).__name__
        host.setFocus()
        qtbot.waitUntil(lambda c=control: not c.hasFocus(), timeout=2000)
        before = rgb_pixels(control.grab().toImage())
        control.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(lambda c=control: c.hasFocus(), timeout=2000)
        after = rgb_pixels(control.grab().toImage())
        assert before.shape == after.shape, name
        changed = np.abs(after - before).max(axis=2) > 0
        edge = np.zeros_like(changed)  # the ring runs along the control's edge
        edge[:3, :] = edge[-3:, :] = edge[:, :3] = edge[:, -3:] = True
        assert changed[edge].mean() > 0.5, f"{name} ({themed}): its edge barely changed"
        ys, xs = np.nonzero(changed & edge)
        ring = after[ys, xs]
        ground = before[ys, xs]
        best = max(contrast(a, b) for a, b in zip(ring[::7], ground[::7]))
        assert best >= 3.0, f"{name} ({themed}): ring {best:.2f}:1 against what it covers"


def test_a_checked_toolbar_toggle_is_marked(qtbot, themed) -> None:
    """A checked tool button carries a bar at its foot 3:1 against the unchecked button there."""
    host = QWidget()
    row = QHBoxLayout(host)
    on, off = QToolButton(), QToolButton()
    for button in (on, off):
        button.setText("Gradient")
        button.setCheckable(True)
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        row.addWidget(button)
    on.setChecked(True)
    qtbot.addWidget(host)
    host.show()
    qtbot.waitExposed(host)
    checked, unchecked = (rgb_pixels(b.grab().toImage()) for b in (on, off))
    foot = slice(-4, -2)  # the rows of the mark, above the button's last pixel
    middle = slice(checked.shape[1] // 4, 3 * checked.shape[1] // 4)
    mark = checked[foot, middle].reshape(-1, 3).mean(axis=0)
    plain = unchecked[foot, middle].reshape(-1, 3).mean(axis=0)
    assert contrast(mark, plain) >= 3.0, (themed, mark, plain)
