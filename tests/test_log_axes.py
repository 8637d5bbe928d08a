"""Every log axis reads as the numbers it stands for, in every state (issue 22, 3.5).

Step 12 showed its log10 exponents, "2  2.5  3", until it had results; pyqtgraph's own log
axes (the cost plot's log scale, Compare's log x and log cost) wrote 10 as "10¹".
"""

from __future__ import annotations

import re

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QLabel
from windows import open_window, train_batches

from gui.explorer.panel import ExplorerPanel
from gui.log_axis import count_text
from gui.training.cost_plot import CostPlot

PLAIN = re.compile(r"^\d{1,3}(,\d{3})*(\.\d+)?$")  # 100, 1,000, 0.001: no exponent, no power


def tick_labels(axis: pg.AxisItem) -> list[str]:
    """Return the tick labels an axis paints, as pyqtgraph lays them out for drawing."""
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _, _, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [text for _, _, text in texts]


def reads_as_numbers(axis: pg.AxisItem, low: float, high: float) -> list[str]:
    """Check every tick label is a plain number within [low, high]; return the labels."""
    labels = tick_labels(axis)
    assert labels, "no ticks"
    for label in labels:
        assert PLAIN.match(label), labels
        assert low <= float(label.replace(",", "")) <= high, labels
    return labels


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (100.0, "100"),
        (1000.0, "1,000"),
        (10**4.9, "79,400"),
        (10.0, "10"),
        (10**2.30103, "200"),
        (0.001, "0.001"),
        (0.5, "0.5"),
        (2e-5, "0.00002"),
        (1e6, "1,000,000"),
    ],
)
def test_a_count_is_written_out_in_full(value, text) -> None:
    assert count_text(value) == text


@pytest.fixture
def page(qtbot, trained_on_sample):
    """Explorer step 12 before any training, with a small run so training is quick."""
    snap, data = trained_on_sample
    panel = ExplorerPanel()
    qtbot.addWidget(panel)
    panel.data_amount_page.examples_seen = 2000
    panel.set_full_batch(data.train.images, data.train.labels)
    panel.set_test_set(data.test.images, data.test.labels)
    panel.set_snapshot(snap)
    panel.set_step(12)
    panel.resize(1100, 700)
    panel.show()
    qtbot.waitExposed(panel)
    yield panel.data_amount_page
    panel.shutdown()


@pytest.mark.parametrize("width", [560, 1100, 1800])
def test_step_12_reads_counts_before_training_at_any_width(qtbot, page, width) -> None:
    """The walk: before training the axis said "2 2.5 3"; now 100, 1,000, 10,000."""
    page.window().resize(width, 700)
    axis = page.plot.getAxis("bottom")
    qtbot.waitUntil(lambda: axis.width() > 0.3 * page.plot.width())
    labels = reads_as_numbers(axis, 50, 80_000)  # the view spans 50 .. 80,000 examples
    assert {"100", "1,000", "10,000"} <= set(labels)


def test_step_12_reads_counts_after_training_and_after_a_cancel(qtbot, page) -> None:
    axis = page.plot.getAxis("bottom")
    page.examples_seen = 10**7
    page.start()
    status = page.findChild(QLabel, "data_status")
    qtbot.waitUntil(lambda: "examples: mini-batch" in status.text(), timeout=60000)
    page.cancel()
    qtbot.waitUntil(lambda: "Cancelled" in status.text(), timeout=10000)
    assert {"100", "1,000", "10,000"} <= set(reads_as_numbers(axis, 50, 80_000))
    page.examples_seen = 2000
    page.start()
    qtbot.waitUntil(lambda: "results" in page.values, timeout=60000)
    counts = [r.n_examples for r in page.values["results"]]
    assert tick_labels(axis) == [f"{n:,}" for n in counts]
    xs, _ = page.curve.getData()
    np.testing.assert_allclose(10**xs, counts)  # each point stands above its own label


def test_the_cost_plots_log_scale_writes_ten_as_10(qtbot) -> None:
    plot = CostPlot()
    qtbot.addWidget(plot)
    plot.resize(900, 400)
    plot.show()
    qtbot.waitExposed(plot)
    plot.append_batches(np.linspace(0.001, 30, 3000), np.linspace(2.0, 0.1, 3000))
    plot.set_x_mode("log")
    qtbot.waitUntil(lambda: plot.x_range()[1] >= 30)
    labels = reads_as_numbers(plot.plot.getAxis("bottom"), 0.0005, 100)
    assert {"0.01", "0.1", "1", "10"} <= set(labels)


def test_every_log_axis_of_the_window_reads_as_numbers(qtbot, tmp_path) -> None:
    """Every plot the window can switch to log: the cost plot's x, Compare's x and cost."""
    window = open_window(qtbot, tmp_path / "s.ini")
    window.set_speed(0)  # full speed: what is checked is not the pace
    train_batches(qtbot, window, 300)
    window.runs.keep_current()
    window.cost_plot.set_x_mode("log")
    panel = window.runs.panel
    window.tabs.setCurrentWidget(panel)
    panel.log_x.setChecked(True)
    panel.log_y.setChecked(True)
    panel.x_axis.setCurrentIndex(panel.x_axis.findData("examples"))  # up to 3,000: 10 to 1,000
    qtbot.waitUntil(panel.cost_plot.isVisible)
    plots = [panel.cost_plot, panel.accuracy_plot]
    axes = [
        axis
        for plot in plots
        for axis in (plot.getAxis("bottom"), plot.getAxis("left"))
        if axis.logMode
    ]
    assert len(axes) == 3  # two log x, one log cost
    view = panel.cost_plot.getViewBox()
    qtbot.waitUntil(lambda: view.viewRange()[0][1] > 3)  # the run drawn: up to 3,000 examples
    for axis in axes:
        qtbot.waitUntil(lambda a=axis: tick_labels(a) != [])
        reads_as_numbers(axis, 1e-6, 1e9)
    window.tabs.setCurrentIndex(0)
    qtbot.waitUntil(window.cost_plot.isVisible)
    bottom = window.cost_plot.plot.getAxis("bottom")
    qtbot.waitUntil(lambda: tick_labels(bottom) != [])  # laid out once shown, on a busy machine too
    reads_as_numbers(bottom, 1e-6, 1e3)
    for plot in [*plots, window.cost_plot.plot]:  # the new axes add no axis of their own
        assert not plot.getPlotItem().getAxis("top").isVisible()
    assert not panel.cost_plot.getPlotItem().getAxis("right").isVisible()
