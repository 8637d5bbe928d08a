"""The window at 1366x768, 1920x1080 and 2560x1440 at 2x: nothing sideways, nothing out of reach.

The checks in tests/layout_checks.py walk the whole widget tree (every tab, every explorer step),
so a new view is checked without new test code. Each screen runs in a subprocess, because the
screen's size and the scale factor must be set before the QApplication exists.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from layout_checks import SCREENS, screen_environment
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QGuiApplication
from windows import drain, open_window

ROOT = Path(__file__).resolve().parent.parent


# The default suite walks each screen once, both themes and both window states among them;
# scripts/check_layout.py walks all 16 combinations.
WALKS = (
    (1280, 720, 1, "dark", True),
    (1366, 768, 1, "light", False),
    (1920, 1080, 1, "dark", False),
    (2560, 1440, 2, "light", True),
)


def launch(
    width: int, height: int, scale: int, folder: Path, manager: bool = True, **env: str
) -> dict:
    """Run the window on a width x height screen at a scale factor and return its report."""
    environment = screen_environment(width, height, scale, str(folder), manager)
    environment.update(env)
    path = environment.get("PYTHONPATH")  # this checkout's gui/, not an installed one
    environment["PYTHONPATH"] = os.pathsep.join([str(ROOT), *([path] if path else [])])
    done = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "layout_checks.py")],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@cache
def first_launch(
    width: int, height: int, scale: int, theme: str = "dark", manager: bool = True
) -> dict:
    """Return the report of a first launch on that screen (run once per screen and theme)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        return launch(width, height, scale, Path(folder), manager, LAYOUT_THEME=theme)


def walk_id(walk: tuple) -> str:
    """Name one walk: screen, scale, theme, and whether a window manager maximised it."""
    w, h, s, theme, manager = walk
    return f"{w}x{h}@{s}x-{theme}-{'maximised' if manager else 'bare'}"


@pytest.mark.parametrize("walk", WALKS, ids=[walk_id(w) for w in WALKS])
def test_nothing_is_cut_on_any_tab_or_explorer_step_after_an_epoch(walk):
    """After one epoch: no sideways scrolling, every control and text whole, the window on screen.

    Every tab, all 12 explorer steps, Teach it and slow motion with a step playing are walked.
    """
    report = first_launch(*walk)
    assert report["ratio"] == walk[2]
    assert report["maximized"] == walk[4] or walk[0] >= 1920
    assert report["problems"] == []


PRESENT_WALKS = ((1280, 720, "light"), (1920, 1080, "light"))  # dark: in the walks above


@pytest.mark.parametrize("walk", PRESENT_WALKS, ids=[f"{w}x{h}-{t}" for w, h, t in PRESENT_WALKS])
def test_present_mode_is_whole_on_a_projector_and_gives_the_normal_layout_back(walk, tmp_path):
    """Present mode (F11) at 720p and 1080p: every panel set a teacher may choose, every tab and
    explorer step it shows, nothing cut or sideways; Esc restores the normal layout exactly."""
    width, height, theme = walk
    report = launch(width, height, 1, tmp_path, LAYOUT_THEME=theme, LAYOUT_PRESENT="only")
    assert report["problems"] == []


@pytest.mark.parametrize("screen", SCREENS, ids=[f"{w}x{h}@{s}x" for w, h, s in SCREENS])
def test_first_launch_uses_the_screen_well_and_is_centred(screen):
    """A first launch fills a small screen and takes most of a large one, centred."""
    walk = next(w for w in WALKS if w[:3] == screen)
    if not walk[4]:  # walked without a window manager: its screen has no panel
        walk = (*screen, walk[3], True)
    report = first_launch(*walk)
    sx, sy, sw, sh = report["screen"]
    x, y, w, h = report["window"]
    assert sx <= x and sy <= y and x + w <= sx + sw and y + h <= sy + sh
    assert w >= 0.85 * sw and h >= 0.85 * sh
    assert abs((x - sx) - (sx + sw - x - w)) <= 2
    assert abs((y - sy) - (sy + sh - y - h)) <= 2
    assert report["maximized"] == (sw < 1600 or sh < 1000)


def test_a_layout_saved_on_a_large_screen_reopens_whole_on_a_small_one(tmp_path):
    """The user's size and place are kept, but shrunk and moved onto the screen it opens on."""
    settings = str(tmp_path / "settings.ini")
    launch(2560, 1440, 1, tmp_path, LAYOUT_SETTINGS=settings, LAYOUT_GEOMETRY="1200,600,1340,800")
    report = launch(1366, 768, 1, tmp_path, LAYOUT_SETTINGS=settings, LAYOUT_GEOMETRY="")
    sx, sy, sw, sh = report["screen"]
    x, y, w, h = report["window"]
    assert sx <= x and sy <= y and x + w <= sx + sw and y + h <= sy + sh
    assert not report["maximized"]  # the user's own layout, not the first-launch one
    assert w >= 1300  # as wide as the user left it, as far as the screen allows


def test_arrow_keys_step_the_explorer_and_right_still_steps_training_elsewhere(qtbot, tmp_path):
    """In the explorer Right and Left change step without training; outside, Right trains."""
    from PySide6.QtTest import QTest

    window = open_window(qtbot, tmp_path / "s.ini")
    window.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: window.explorer.snapshot is not None, timeout=10000)
    qtbot.waitUntil(lambda: window.explorer.hasFocus(), timeout=5000)
    seen = window.worker.latest_snapshot().examples_seen
    asked = window.worker.requests_sent
    QTest.keyClick(QGuiApplication.focusWindow() or window.windowHandle(), Qt.Key.Key_Right)
    assert window.explorer.step() == 2
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_Right)
    assert window.explorer.step() == 3
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_Left)
    assert window.explorer.step() == 2
    assert window.worker.requests_sent == asked  # no key asked the worker for a mini-batch
    window.tabs.setCurrentIndex(0)
    window.network_view.setFocus()
    qtbot.waitUntil(lambda: window.network_view.hasFocus(), timeout=5000)
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: window.worker.latest_snapshot().examples_seen > seen, timeout=10000)
    assert window.explorer.step() == 2


def test_a_focused_slider_in_the_explorer_leaves_left_and_right_to_the_steps(qtbot, tmp_path):
    """Right on step 7's slider goes to step 8 (issue 22, 3.1); Up still moves the slider."""
    from PySide6.QtTest import QTest

    window = open_window(qtbot, tmp_path / "s.ini")
    window.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: window.explorer.snapshot is not None, timeout=10000)
    window.explorer.set_step(7)
    slider = window.explorer.gradient_page.slider
    slider.setFocus()
    qtbot.waitUntil(slider.hasFocus, timeout=5000)
    before = slider.value()
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_Up)
    assert slider.value() == before + slider.singleStep()
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_Right)
    assert window.explorer.step() == 8


@pytest.mark.parametrize("size", [(480, 320), (620, 420), (900, 560), (1500, 800)])
def test_diagram_titles_never_overlap_and_the_legend_stays_inside(qtbot, trained_on_sample, size):
    """At any diagram size the column titles keep apart and every legend line fits."""
    from gui.diagram.view import NetworkView

    snapshot, _data = trained_on_sample
    view = NetworkView()
    qtbot.addWidget(view)
    view.resize(*size)
    view.set_snapshot(snapshot)
    view.refresh()
    boxes = view.header_boxes()
    assert len(boxes) >= 4
    area = view.rect()
    for i, a in enumerate(boxes):
        assert area.contains(a.toAlignedRect())
        for b in boxes[i + 1 :]:
            assert not a.intersects(b), (a, b)
    legend = view.legend_boxes()
    assert len(legend) >= 3
    for box in legend:
        assert area.contains(box.toAlignedRect()), box


@pytest.mark.parametrize("width", [260, 400, 800])
def test_dataset_counts_never_run_together(qtbot, width):
    """Each count over its bar keeps clear of its neighbours, at any width."""
    from gui.insight.panel import _ClassCounts

    counts = _ClassCounts()
    qtbot.addWidget(counts)
    counts.resize(width, counts.height())
    counts.set_counts(np.array([1000, 1000, 1000, 1000, 999, 1000, 1000, 1000, 1000, 61234]))
    boxes = counts.count_boxes()
    assert len(boxes) == 10
    for (a, _, _), (b, _, _) in zip(boxes, boxes[1:]):
        assert a.right() <= b.left(), (a, b)
    for rect, _text, _pixels in boxes:
        assert rect.left() >= 0 and rect.right() <= counts.width()
    assert boxes[0][1] in ("1,000", "1k")


def test_history_slider_keeps_its_width_and_the_label_stays_whole_in_a_narrow_window(qtbot):
    """Squeezed, the label moves to a row of its own, whole; the slider keeps its width."""
    from layout_checks import label_cut
    from PySide6.QtWidgets import QWidget

    from gui.training.timeline import LIVE_TEXT, MIN_SLIDER, Timeline

    pane = QWidget()  # in a window, as under the cost plot: its layout gives the timeline a width
    qtbot.addWidget(pane)
    pane.resize(1000, 100)
    timeline = Timeline(pane)
    pane.show()
    qtbot.waitExposed(pane)
    for width in (timeline.minimumSizeHint().width(), 900):
        timeline.setGeometry(0, 0, width, 80)
        qtbot.waitUntil(lambda: label_cut(timeline.label) is None, timeout=2000)
        assert timeline.slider.width() >= MIN_SLIDER
        assert timeline.label.text() == LIVE_TEXT
        for widget in (timeline.live_button, timeline.resume_button, timeline.label):
            assert timeline.rect().contains(widget.geometry())
    timeline.setGeometry(0, 0, timeline.minimumSizeHint().width(), 80)  # the label goes under
    qtbot.waitUntil(lambda: timeline.label.y() > timeline.slider.y() + timeline.slider.height() / 2)


def test_cost_plot_legend_and_hover_readout_keep_off_the_curves_and_each_other(qtbot):
    """The legend sits above the plotting area; the readout inside it, beside the cursor."""
    from gui.training.cost_plot import CostPlot

    plot = CostPlot()
    qtbot.addWidget(plot)
    plot.resize(520, 320)
    plot.show()
    qtbot.waitExposed(plot)
    x = np.linspace(0, 2, 400)
    plot.append_batches(x, 2.0 * np.exp(-x) + 0.1)
    plot.add_epoch(1.0, 0.4, 0.95)  # an accuracy marker high on the right, where legends sit
    plot.add_epoch(2.0, 0.3, 0.97)
    plot.flush()
    drain()  # the layout the new legend entries asked for is done
    vb = plot.plot.getPlotItem().vb
    view = vb.sceneBoundingRect()
    legend = plot.legend.sceneBoundingRect()
    assert not legend.intersects(view)
    assert plot.legend.columnCount < 4  # 520 pixels: the entries wrap onto two rows
    for fraction in (0.1, 0.9):
        point = QPointF(view.left() + fraction * view.width(), view.center().y())
        plot.plot.scene().sigMouseMoved.emit(point)  # the scene reports a mouse move
        readout = plot.readout.sceneBoundingRect()
        assert plot.readout_text()
        assert view.adjusted(-0.5, -0.5, 0.5, 0.5).contains(readout), (view, readout)
        assert not readout.intersects(legend)
        cursor_x = vb.mapViewToScene(QPointF(plot.cursor.value(), 0)).x()
        assert not (readout.left() < cursor_x < readout.right())  # beside, not over the cursor


def test_the_checks_catch_sideways_scrolling_and_cut_off_controls_and_labels(qtbot):
    """The generic checks are not vacuous: each fault planted in a small window is reported."""
    from layout_checks import all_problems
    from PySide6.QtWidgets import QLabel, QPushButton, QScrollArea, QTableWidget, QWidget

    window = QWidget()
    qtbot.addWidget(window)
    window.resize(300, 200)
    area = QScrollArea(window)
    area.setGeometry(0, 0, 300, 100)
    wide = QWidget()
    wide.setMinimumSize(900, 50)
    area.setWidget(wide)
    QPushButton("half out", window).setGeometry(250, 150, 100, 30)
    QLabel("a caption under the edge", window).setGeometry(10, 185, 200, 30)
    QPushButton("whole", window).setGeometry(10, 110, 80, 30)
    QTableWidget(2, 2, window).setGeometry(200, 110, 200, 60)  # wider than the room it has
    window.show()
    qtbot.waitExposed(window)
    found = list(all_problems(window))
    assert any("horizontal scroll bar" in p for p in found)
    assert any("'half out'" in p for p in found)
    assert any("'a caption under the edge'" in p for p in found)
    assert any(p.startswith("QTableWidget") and "cut off" in p for p in found)
    assert not any("'whole'" in p for p in found)


def test_the_text_checks_catch_cut_labels_and_buttons_and_pass_whole_ones(qtbot):
    """A one-line label or button narrower than its text, or a wrapped label too short, is found."""
    from layout_checks import button_cut, label_cut, text_problems
    from PySide6.QtWidgets import QLabel, QPushButton, QWidget

    window = QWidget()
    qtbot.addWidget(window)
    window.resize(400, 300)
    short = QLabel("live \u2014 the network as it trains now", window)
    short.setGeometry(0, 0, 60, 30)  # its text set longer than its width
    wrapped = QLabel("a long explanation " * 10, window)
    wrapped.setWordWrap(True)
    wrapped.setGeometry(0, 40, 200, 20)  # one line's height for several lines
    whole = QLabel("whole", window)
    whole.setGeometry(0, 70, 100, 30)
    squeezed = QPushButton("Train the network", window)
    squeezed.setGeometry(0, 110, 60, 30)
    fits = QPushButton("Train", window)
    fits.setGeometry(0, 150, 120, 30)
    window.show()
    qtbot.waitExposed(window)
    assert "needs" in label_cut(short)
    assert "height" in label_cut(wrapped)
    assert label_cut(whole) is None
    assert "needs" in button_cut(squeezed)
    assert button_cut(fits) is None
    found = "\n".join(text_problems(window))
    assert "'Train the network'" in found and "'live" in found and "'whole'" not in found


def test_the_text_checks_catch_a_squeezed_table_column_and_header(qtbot):
    """A column narrower than its widest cell, or its header, is found; a fitted one is not."""
    from layout_checks import table_cut
    from PySide6.QtWidgets import QTableWidget, QTableWidgetItem

    from gui.explorer.widgets import fit_columns

    table = QTableWidget(2, 2)
    qtbot.addWidget(table)
    table.setHorizontalHeaderLabels(["numerical estimate", "x"])
    table.setItem(0, 1, QTableWidgetItem("-1.303e-05"))
    table.resize(500, 200)
    table.show()
    qtbot.waitExposed(table)
    table.setColumnWidth(0, 40)
    table.setColumnWidth(1, 30)
    found = list(table_cut(table))
    assert any("header 'numerical estimate'" in p for p in found)
    assert any("column 1 ('x') is 30 px but its cells need" in p for p in found)
    fit_columns(table)
    qtbot.waitUntil(lambda: not list(table_cut(table)))


def test_the_text_checks_catch_a_plot_wider_than_its_view_and_run_together_ticks(qtbot):
    """A plot forced wider than its view, overlapping tick labels and a cut caption are found."""
    import pyqtgraph as pg
    from layout_checks import plot_cut

    from gui.explorer.widgets import bar_plot, set_bars

    wide = pg.PlotWidget()
    qtbot.addWidget(wide)
    wide.resize(300, 200)
    wide.getPlotItem().setMinimumWidth(700)  # as the cost plot was, 685 px in a 520 px view
    wide.getPlotItem().setLabel("bottom", "a caption far longer than this little plot is wide")
    ticks = pg.PlotWidget()
    qtbot.addWidget(ticks)
    ticks.resize(200, 200)
    ticks.getAxis("bottom").setTicks([[(i, str(i)) for i in range(40)]])
    ticks.setXRange(0, 39, padding=0)
    fitted = bar_plot("cost", "a caption far longer than this little plot is wide")
    qtbot.addWidget(fitted)
    fitted.resize(260, 200)
    for plot in (wide, ticks, fitted):
        plot.show()
        qtbot.waitExposed(plot)
    set_bars(fitted, -np.linspace(-1, 1, 40))
    assert any("PlotItem is 700x" in p for p in plot_cut(wide))
    assert any("bottom axis caption" in p for p in plot_cut(wide))
    assert any("run together" in p for p in plot_cut(ticks))
    qtbot.waitUntil(lambda: not list(plot_cut(fitted)))  # wrapped caption, every n-th bar


def test_the_text_checks_catch_overlapping_chart_labels_and_a_legend_on_the_lines(qtbot):
    """Two labels on one spot, a label outside the plot and a legend over a line are found."""
    import pyqtgraph as pg
    from layout_checks import plot_cut

    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    plot.resize(400, 300)
    legend = plot.addLegend(offset=(10, 10))  # top left, where the line runs
    plot.plot([0, 1, 2], [1.0, 0.5, 0.0], name="a path through the corner")
    plot.setXRange(0, 2, padding=0)
    plot.setYRange(0, 1, padding=0)
    for text, x in (("0.135", 1.0), ("0.1324", 1.0), ("far away", 5.0)):
        label = pg.TextItem(text)
        label.setPos(x, 0.5)
        plot.addItem(label)
    plot.show()
    qtbot.waitExposed(plot)
    qtbot.waitUntil(lambda: legend.sceneBoundingRect().width() > 0)

    def found() -> str:
        """Every fault the chart check reports now (labels place themselves when painted)."""
        return "\n".join(plot_cut(plot))

    qtbot.waitUntil(
        lambda: (
            "'0.135' and '0.1324' overlap"
            in found().replace("1324' and '0.135", "135' and '0.1324")
        )
    )
    assert "chart label 'far away' at (" in found() and ") is outside its plot (" in found()
    assert "'0.135' at" not in found()
    assert "legend covers" in found()


def test_the_text_checks_catch_a_cut_status_message_and_a_window_past_the_screen(qtbot):
    """A message with no room beside the permanent labels, and a window off screen, are found."""
    from layout_checks import status_cut, window_cut
    from PySide6.QtWidgets import QLabel, QMainWindow

    from gui.window.status_bar import StatusBar

    window = QMainWindow()
    qtbot.addWidget(window)
    plain = window.statusBar()
    wide = QLabel("x" * 80)
    plain.addPermanentWidget(wide)
    window.resize(700, 300)
    window.show()
    qtbot.waitExposed(window)
    plain.showMessage("Trained to epoch 5, the test accuracy rose from 11% to 91%")
    qtbot.waitUntil(lambda: plain.currentMessage() != "")
    assert "needs" in status_cut(plain)
    assert window_cut(window) is None
    screen = window.screen().availableGeometry()
    window.setGeometry(screen.x(), screen.y(), 600, screen.height() + 200)  # past the bottom
    qtbot.waitUntil(lambda: window.height() > screen.height())
    assert "reaches past the screen" in window_cut(window)
    ours = StatusBar()  # the app's: its labels step aside while the message needs the room
    window.setStatusBar(ours)
    ours.show_texts({key: key for key in ours.labels})
    qtbot.waitUntil(lambda: ours.isVisible() and ours.width() > 800)
    ours.showMessage("Trained to epoch 5, the test accuracy rose from 11% to 91%")
    qtbot.waitUntil(lambda: status_cut(ours) is None)
    assert ours.hidden_for_message()
    ours.clearMessage()
    qtbot.waitUntil(lambda: not ours.hidden_for_message())
