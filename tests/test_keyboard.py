"""Every feature by keyboard (issue 26, part 4): a walk with key events only, and what the
custom widgets say to a screen reader, read through Qt's accessibility interface.

Each key goes to the widget that has the keyboard focus, as a learner's key would; Tab moves
the focus, so a control the walk needs is reached through the window's tab order.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from windows import open_window

from gui.diagram.picking import Pick

K = Qt.Key
MAX_TABS = 400  # a control further than this along the tab order counts as unreachable


def key(window, k, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """Press a key where the keyboard is: the focused widget, else the window."""
    QTest.keyClick(QApplication.focusWidget() or window, k, modifier)


def tab_to(qtbot, window, widget: QWidget) -> int:
    """Press Tab until ``widget`` has the focus; return how many presses it took."""
    for presses in range(1, MAX_TABS + 1):
        key(window, K.Key_Tab)
        if widget.hasFocus():
            return presses
    raise AssertionError(f"{widget!r} is not in the tab order")


def said(widget: QWidget, what=QAccessible.Text.Description) -> str:
    """Return what Qt's accessibility interface reports for the widget."""
    return QAccessible.queryAccessibleInterface(widget).text(what)


def seen(window) -> int:
    """Return how many training examples the live network has seen."""
    return window.worker.latest_snapshot().examples_seen


@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing")  # offscreen
def test_a_keyboard_alone_trains_steps_plays_explores_picks_teaches_guides_and_compares(
    qtbot, tmp_path
):
    """The keyboard walk: every feature of issue 26 part 4 driven with key events only."""
    window = open_window(qtbot, tmp_path / "s.ini")
    window.guide.dock.hide()
    window.activateWindow()
    view = window.network_view
    qtbot.waitUntil(lambda: view.snapshot() is not None, timeout=10000)  # the network drawn
    # Step: Right trains one mini-batch (the diagram has no pick yet).
    tab_to(qtbot, window, view)
    assert view.pick() == Pick(1, 0)  # reached with Tab: the first hidden neuron is picked
    key(window, K.Key_Escape)
    assert view.pick() is None
    before = seen(window)
    key(window, K.Key_Right)
    qtbot.waitUntil(lambda: seen(window) > before, timeout=10000)
    # The step is done once the window knows it (the worker's own state runs ahead of it).
    qtbot.waitUntil(lambda: window.record.state == "paused", timeout=10000)
    # Train: Space runs, Space pauses. A long Run, so the second Space finds it still running.
    window.lab.choose(goal_epochs=50)
    trained = seen(window)
    key(window, K.Key_Space)
    assert window.menus.run_action.text() == "Pause"
    qtbot.waitUntil(lambda: seen(window) > trained, timeout=10000)
    key(window, K.Key_Space)
    qtbot.waitUntil(
        lambda: window.record.state == "paused" and window.menus.run_action.text() == "Run",
        timeout=10000,
    )
    # Pick a neuron and an edge in the diagram: the arrows move the pick, not training.
    window.network_view.clearFocus()
    tab_to(qtbot, window, view)
    stepped = seen(window)
    key(window, K.Key_Right)
    key(window, K.Key_Down)
    assert view.pick() == Pick(2, 1)
    key(window, K.Key_E)
    key(window, K.Key_E)
    assert view.pick() == Pick(2, 1, 1)
    key(window, K.Key_E, Qt.KeyboardModifier.ShiftModifier)
    assert view.pick() == Pick(2, 1, 0)
    snap = view.snapshot()
    w = float(snap.weights[1][1, 0])
    assert "hidden 1 neuron 0 \u2192 hidden 2 neuron 1" in said(view)
    assert f"w = {w:.3g}" in said(view)
    key(window, K.Key_Return)  # the neuron's detail panel
    assert view.panel.isVisible() and (view.panel.layer, view.panel.index) == (2, 1)
    key(window, K.Key_Escape)
    assert not view.panel.isVisible()
    key(window, K.Key_Escape)  # drops the edge, then the pick
    assert view.pick() == Pick(2, 1)
    key(window, K.Key_Escape)
    assert view.pick() is None
    assert seen(window) == stepped  # no arrow trained a step
    # Play one step: P animates the next real mini-batch.
    key(window, K.Key_P)
    qtbot.waitUntil(lambda: window.step_player.is_active(), timeout=10000)
    key(window, K.Key_P)  # pause it
    window.step_player.close()
    # Teach it: load a test digit, say what it is, apply one step, all by Tab and Space.
    panel = window.digit_panel
    key(window, K.Key_G, Qt.KeyboardModifier.AltModifier)  # "Load test di&git"
    qtbot.waitUntil(lambda: panel.network_input() is not None, timeout=5000)
    label = ((panel.selected_label() or 0) + 1) % 10  # another digit than the one loaded
    buttons = panel.label_group.buttons()
    for _ in range(MAX_TABS):  # the ten digits are one stop of the tab order
        key(window, K.Key_Tab)
        if any(b.hasFocus() for b in buttons):
            break
    for _ in range(10):  # the arrows move along them
        if panel.label_group.button(label).hasFocus():
            break
        key(window, K.Key_Right)
    key(window, K.Key_Space)
    assert panel.selected_label() == label
    tab_to(qtbot, window, panel.teach.step_button)
    key(window, K.Key_Space)
    qtbot.waitUntil(lambda: panel.teach.undo_step_button.isEnabled(), timeout=10000)
    # The explorer: Ctrl+E opens it on the drawing; Right and Left walk its steps.
    key(window, K.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.tabs.currentWidget() is window.explorer, timeout=5000)
    qtbot.waitUntil(lambda: window.explorer.snapshot is not None, timeout=10000)
    qtbot.waitUntil(lambda: window.explorer.hasFocus(), timeout=5000)
    first = window.explorer.step()
    key(window, K.Key_Right)
    assert window.explorer.step() == first + 1
    key(window, K.Key_Left)
    assert window.explorer.step() == first
    # The guide: Shift+F1 opens it; its Next button is reached with Tab.
    key(window, K.Key_F1, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: window.guide.dock.isVisible(), timeout=5000)
    stop = window.guide.panel.index
    tab_to(qtbot, window, window.guide.panel.next_button)
    key(window, K.Key_Space)
    assert window.guide.panel.index == stop + 1
    # Compare: the Runs menu by its mnemonic (Alt+R), then Keep current run with Enter.
    key(window, K.Key_R, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not None, timeout=5000)
    menu = QApplication.activePopupWidget()
    assert window.runs.keep_action in menu.actions()
    while menu.activeAction() is not window.runs.keep_action:
        QTest.keyClick(menu, K.Key_Down)
    QTest.keyClick(menu, K.Key_Return)
    qtbot.waitUntil(lambda: "Kept" in window.statusBar().currentMessage(), timeout=5000)
    assert len(window.runs.registry.runs) == 1


def test_the_custom_widgets_say_what_they_show_with_live_values(qtbot, tmp_path):
    """Diagram, pad, cost plot, explorer charts and confusion matrix: named and described,
    the guess and the cost read from the same numbers the widgets draw."""
    window = open_window(qtbot, tmp_path / "s.ini")
    window.worker.step_batch()
    qtbot.waitUntil(lambda: window.cost_plot.batches.n > 0, timeout=10000)
    window.cost_plot.flush()
    cost = float(window.cost_plot.batches.ys[-1])
    assert said(window.cost_plot, QAccessible.Text.Name) == "Cost plot"
    assert f"cost is {cost:.4f}" in said(window.cost_plot)
    panel = window.digit_panel
    panel.load_test_digit(0)
    qtbot.waitUntil(lambda: panel.guess_label.text() != "", timeout=5000)
    guess = panel.guess_label.text().split()[-1]
    assert said(panel.output_plot, QAccessible.Text.Name) == "The network's ten outputs"
    assert f"guess: {guess}" in said(panel.output_plot)
    assert f"guess: {guess}" in said(panel.pad)
    view = window.network_view
    qtbot.waitUntil(lambda: "guess" in said(view), timeout=5000)
    outputs = np.asarray(view.shown_trace().outputs)
    assert said(view, QAccessible.Text.Name) == "Network diagram"
    assert f"guess: {int(np.argmax(outputs))}" in said(view)
    charts = [c for c in window.explorer.findChildren(QWidget) if c.accessibleName()]
    assert sum(said(c, QAccessible.Text.Name).startswith("Chart: ") for c in charts) >= 5
    from gui.insight.confusion_view import _MatrixCanvas

    canvas = window.insight.findChildren(_MatrixCanvas)[0]
    matrix = np.zeros((10, 10), int)
    np.fill_diagonal(matrix, 9)
    matrix[4, 9] = 3
    canvas.set_matrix(matrix)
    assert said(canvas, QAccessible.Text.Name) == "Confusion matrix"
    assert "90 of 93 right" in said(canvas) and "4 read as 9, 3 times" in said(canvas)


def test_tab_goes_through_the_train_box_top_to_bottom_before_the_network_fields(qtbot, tmp_path):
    """The Train box is on top of the controls: its buttons, Run for, Speed and Data come first."""
    window = open_window(qtbot, tmp_path / "s.ini")
    c = window.controls
    buttons = [b for b in c.findChildren(QWidget) if b.parentWidget() is c._run_box]
    first = next(b for b in buttons if b.text() == "Run")
    first.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(first.hasFocus, timeout=5000)
    order = [QApplication.focusWidget()]
    while order[-1] is not c.hidden and len(order) < 20:
        key(window, K.Key_Tab)
        order.append(QApplication.focusWidget())

    def action(w):
        return getattr(w, "defaultAction", lambda: None)()

    texts = [action(w).text().replace("&", "") for w in order if action(w) is not None]
    assert texts[:3] == ["Run", "Step mini-batch", "Step epoch"]
    rest = [w for w in order if action(w) is None]
    assert rest == [c.goal, c.speed, c.full_speed, c.data, c.hidden]


def test_the_compare_tab_works_from_the_keyboard(qtbot, tmp_path):
    """Compare by keyboard: Ctrl+Tab reaches the tab; Space hides and shows a kept run's curves
    in the run list; Space ticks the log-cost box; the Remove button takes the run away."""
    window = open_window(qtbot, tmp_path / "s.ini")
    window.guide.dock.hide()
    window.activateWindow()
    window.menus.step_action.trigger()  # a run to keep has at least one mini-batch
    qtbot.waitUntil(lambda: len(window.record.history) > 0, timeout=10000)
    window.runs.keep_action.trigger()
    qtbot.waitUntil(lambda: len(window.runs.registry.runs) == 1, timeout=10000)
    compare = window.runs.panel
    window.tabs.setFocus()
    for _ in range(window.tabs.count()):  # Ctrl+Tab walks the tabs to Compare
        if window.tabs.currentWidget() is compare:
            break
        key(window, K.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is compare
    tab_to(qtbot, window, compare.run_list)
    if compare.run_list.currentRow() < 0:
        key(window, K.Key_Down)  # the first run becomes the current one
    assert compare.run_list.currentRow() == 0
    assert len(compare.shown_runs()) == 1
    key(window, K.Key_Space)  # its box: the curves hide
    qtbot.waitUntil(lambda: compare.shown_runs() == [], timeout=5000)
    key(window, K.Key_Space)  # and come back
    qtbot.waitUntil(lambda: len(compare.shown_runs()) == 1, timeout=5000)
    tab_to(qtbot, window, compare.log_y)
    was = compare.log_y.isChecked()
    key(window, K.Key_Space)
    assert compare.log_y.isChecked() != was
    compare.run_list.setCurrentRow(0)
    tab_to(qtbot, window, compare.remove_button)
    key(window, K.Key_Space)
    qtbot.waitUntil(lambda: len(window.runs.registry.runs) == 0, timeout=5000)
