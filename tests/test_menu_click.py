"""A menu item does what it says and seems to do nothing else (issue 22, 3.2).

The walk saw Runs > Keep current run "toggle" the edge-mode button under the menu item. Nothing
toggled: the menu closed over the toolbar, the button under the mouse lit up in Fusion's hover
grey, the same grey as the checked button's, and its status tip ("Edges show ...") replaced
"Kept run 1 for comparison.". Checked now reads apart from hovered, and a message the window
shows is not replaced by a hover tip before it can be read.
"""

from __future__ import annotations

import numpy as np
import pytest
from colour_math import contrast, delta_e
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QColor, QStatusTipEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QToolButton
from windows import open_window, train_batches

from gui import theme
from gui.colors import PALETTES
from gui.window.status_tips import READ_MS, StatusTipGate

MIN_DELTA_E = 15  # CIE76: two colours this far apart read as different at a glance
MIN_CONTRAST = 4.5  # WCAG AA for a button's label


def look(button: QAbstractButton, checked: bool, hovered: bool) -> tuple[np.ndarray, float]:
    """Return the button's face colour (its pixels' median) and its label's contrast on it.

    The state is painted only: the button and its group keep their signals quiet and their
    checked button, so the window never hears of it.
    """
    group, was = button.group(), button.isChecked()
    exclusive = group is not None and group.exclusive()
    blocked = [o.blockSignals(True) for o in (button, group) if o is not None]
    if exclusive:
        group.setExclusive(False)  # else the checked button of a group cannot be unchecked
    button.setChecked(checked)
    button.setAttribute(Qt.WidgetAttribute.WA_UnderMouse, hovered)
    image = button.grab().toImage()
    button.setAttribute(Qt.WidgetAttribute.WA_UnderMouse, False)
    button.setChecked(was)
    if exclusive:
        group.setExclusive(True)
    for o, b in zip((button, group), blocked, strict=False):
        o.blockSignals(b)
    w, h = image.width(), image.height()
    pixels = [image.pixelColor(x, y).getRgb()[:3] for y in range(3, h - 3) for x in range(3, w - 3)]
    face = np.median(np.array(pixels), axis=0)
    return face, max(contrast(face, p) for p in pixels)  # the label's inkiest pixel


@pytest.fixture
def window(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path / "s.ini")
    window.activateWindow()
    qtbot.waitActive(window)
    yield window
    theme.apply_theme(QApplication.instance(), "dark")


def checkable_states(window) -> dict[str, bool]:
    """Return every checkable action's state, by its text."""
    return {a.text(): a.isChecked() for a in window.findChildren(QAction) if a.isCheckable()}


@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing")  # offscreen
def test_keep_current_run_from_the_menu_changes_nothing_else_and_says_so(qtbot, window):
    """The walk's click: Runs > Keep current run, the menu closing over the Hebbian button."""
    train_batches(qtbot, window, 5)
    before = checkable_states(window)
    edge = window.network_view.edge_mode()
    bar = window.menuBar()
    runs = next(a for a in bar.actions() if a.text() == "&Runs")
    QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.actionGeometry(runs).center())
    menu = runs.menu()
    qtbot.waitUntil(menu.isVisible)
    keep = next(a for a in menu.actions() if a.text() == "Keep current run")
    item = menu.actionGeometry(keep).center()
    QTest.mouseMove(menu, item)
    QTest.mouseClick(menu, Qt.MouseButton.LeftButton, pos=item)
    qtbot.waitUntil(lambda: not menu.isVisible())
    hebbian = window.network_view.toolbar().widgetForAction(
        window.network_view._mode_actions["hebbian"]
    )
    QTest.mouseMove(hebbian, QPoint(hebbian.width() // 2, hebbian.height() // 2))
    qtbot.waitUntil(hebbian.underMouse)  # the mouse rests where the menu item was
    assert window.statusBar().currentMessage().startswith("Kept ")
    assert window.runs.panel is not None and checkable_states(window) == before
    assert window.network_view.edge_mode() == edge


@pytest.mark.parametrize("name", ["dark", "light"])
def test_a_hovered_button_never_looks_checked(qtbot, window, name):
    """Every checkable button of the window: hovered and off reads apart from on."""
    theme.apply_theme(QApplication.instance(), name)
    window_colour = QColor(PALETTES[name].window)
    qtbot.waitUntil(lambda: window.controls.full_speed.palette().window().color() == window_colour)
    buttons = [
        b
        for b in window.findChildren(QAbstractButton)
        if b.isCheckable() and b.isVisible() and b.isEnabled() and b.width() > 10
    ]
    assert sum(isinstance(b, QToolButton) for b in buttons) >= 6  # the toolbar's and more
    for button in buttons:
        on, ink = look(button, checked=True, hovered=False)
        hovered_off, _ = look(button, checked=False, hovered=True)
        hovered_on, _ = look(button, checked=True, hovered=True)
        label = f"{type(button).__name__} {button.text()!r}: {on} {hovered_off} {hovered_on}"
        assert delta_e(on, hovered_off) >= MIN_DELTA_E, label
        assert delta_e(hovered_on, hovered_off) >= MIN_DELTA_E, label
        assert ink >= MIN_CONTRAST, label


def test_a_tip_waits_until_the_windows_own_message_is_read(qtbot, window):
    """A hover tip right after a message is dropped; later ones show and clear as usual."""
    bar = window.statusBar()
    tip_owner = window.controls.full_speed
    window.statusBar().showMessage("Kept run 1 for comparison.", 10000)
    QApplication.sendEvent(tip_owner, QStatusTipEvent("a tip"))
    assert bar.currentMessage() == "Kept run 1 for comparison."
    QApplication.sendEvent(tip_owner, QStatusTipEvent(""))  # the mouse leaves
    assert bar.currentMessage() == "Kept run 1 for comparison."
    gate = window.findChild(StatusTipGate)
    assert gate.reading()
    qtbot.waitUntil(lambda: not gate.reading(), timeout=READ_MS + 1000)  # the message is read
    QApplication.sendEvent(tip_owner, QStatusTipEvent("a tip"))
    assert bar.currentMessage() == "a tip"
    QApplication.sendEvent(tip_owner, QStatusTipEvent(""))
    assert bar.currentMessage() == ""
