"""The live cost plot keeps every mini-batch cost and the exact moving average of the last 100."""

from __future__ import annotations

import numpy as np
import pytest
from windows import rgb_pixels

from gui.colors import palette
from gui.training.cost_plot import AVERAGE_WINDOW, DISPLAY_POINTS, CostPlot


def test_bulk_and_single_appends_give_the_exact_moving_average(qtbot, rng) -> None:
    plot = CostPlot()
    qtbot.addWidget(plot)
    costs = rng.random(1000)
    xs = np.arange(1000) / 100
    for start, stop in ((0, 1), (1, 7), (7, 450), (450, 451), (451, 1000)):
        plot.append_batches(xs[start:stop], costs[start:stop])
    expected = [costs[max(0, i + 1 - AVERAGE_WINDOW) : i + 1].mean() for i in range(1000)]
    np.testing.assert_allclose(plot.average.ys, expected, rtol=1e-6)  # stored as float32
    np.testing.assert_allclose(plot.batches.ys, costs, rtol=1e-7)
    assert plot.point_count() == 1000


def test_hover_reads_the_point_under_the_cursor(qtbot) -> None:
    plot = CostPlot()
    qtbot.addWidget(plot)
    plot.resize(600, 300)
    plot.show()
    plot.append_batches(np.linspace(0, 1, 200), np.linspace(2, 0.5, 200))
    plot.add_epoch(1.0, 0.4, 0.9)
    plot.flush()
    vb = plot.plot.getPlotItem().vb
    qtbot.waitUntil(lambda: vb.viewRange()[1][1] >= 2.0)  # the axes fitted (at the next paint)
    hover(plot, vb.mapViewToScene(pg_point(0.5, 1.0)))
    text = plot.readout_text()
    assert "epoch 0.5" in text and "test cost 0.4000" in text and "90.00%" in text
    plot.clear()
    assert plot.point_count() == 0


def test_long_runs_reach_pyqtgraph_decimated_with_every_spike(qtbot, rng) -> None:
    plot = CostPlot()
    qtbot.addWidget(plot)
    n = 300_000  # 50 epochs of full MNIST
    costs = rng.random(n).astype(np.float32) * 0.1
    costs[123_457] = 5.0  # one spike must survive the decimation
    plot.append_batches(np.arange(n) / 6000, costs)
    plot.flush()
    x, y = plot.batch_curve.getData()
    assert len(x) <= 2 * DISPLAY_POINTS + 200 and y.max() == 5.0 and y.min() == costs.min()
    assert plot.point_count() == n


def hover(plot: CostPlot, scene_pos) -> None:
    """Move the mouse to a point in scene coordinates, as the plot's scene reports a mouse move.

    The scene's own signal carries the exact point (a QTest move rounds it to whole pixels).
    """
    plot.plot.scene().sigMouseMoved.emit(scene_pos)


def pg_point(x: float, y: float):
    """Return a QPointF in view coordinates."""
    from PySide6.QtCore import QPointF

    return QPointF(x, y)


def _shown_plot(qtbot) -> CostPlot:
    """A cost plot on screen with 30 epochs of falling cost, 1,000 mini-batches an epoch."""
    plot = CostPlot()
    qtbot.addWidget(plot)
    plot.resize(600, 300)
    plot.show()
    xs = np.arange(1, 30_001) / 1000
    plot.append_batches(xs, 1.0 / (1.0 + xs))
    for epoch in range(1, 31):
        plot.add_epoch(float(epoch), 0.1, 0.9)
    plot.flush()
    qtbot.waitUntil(lambda: plot.x_range()[1] >= 30)  # the axes fitted (at the next paint)
    return plot


def test_clear_resets_the_axes_even_after_a_zoom(qtbot) -> None:
    plot = _shown_plot(qtbot)
    assert plot.x_range()[1] >= 30
    plot.plot.getPlotItem().vb.setXRange(10, 12)  # the learner zoomed in
    plot.clear()
    # a fresh network's axis, not the old run's
    qtbot.waitUntil(lambda: plot.x_range()[0] >= -0.1 and plot.x_range()[1] <= 1.1)
    assert plot.plot.getPlotItem().vb.autoRangeEnabled()[0]  # and it follows new points again
    plot.append_batches(np.array([0.5, 2.5]), np.array([1.0, 0.5]))
    plot.flush()
    qtbot.waitUntil(lambda: plot.x_range()[1] >= 2.5)


def test_the_moving_window_follows_the_latest_epochs(qtbot) -> None:
    from gui.training.cost_plot import WINDOW_EPOCHS

    plot = _shown_plot(qtbot)
    plot.x_mode_box.setCurrentIndex(plot.x_mode_box.findData("window"))
    plot.x_mode_box.activated.emit(plot.x_mode_box.currentIndex())
    assert plot.x_mode() == "window"
    qtbot.waitUntil(lambda: plot.x_range()[0] == pytest.approx(30 - WINDOW_EPOCHS, abs=0.1))
    assert plot.x_range()[1] == pytest.approx(30, abs=0.1)
    plot.append_batches(np.arange(30_001, 31_001) / 1000, np.full(1000, 0.03))
    plot.flush()
    qtbot.waitUntil(lambda: plot.x_range()[1] == pytest.approx(31, abs=0.1))
    x, _ = plot.batch_curve.getData()
    assert x.min() >= 31 - WINDOW_EPOCHS - 0.2  # only the window is handed to pyqtgraph


def test_the_log_axis_gives_the_first_epoch_room_and_hover_still_reads_epochs(qtbot) -> None:
    plot = _shown_plot(qtbot)
    plot.set_x_mode("log")
    qtbot.waitUntil(lambda: plot.x_range()[0] <= 0.0011 and plot.x_range()[1] >= 30)
    vb = plot.plot.getPlotItem().vb
    hover(plot, vb.mapViewToScene(pg_point(np.log10(0.5005), 0.5)))  # half an epoch
    assert "epoch 0.501" in plot.readout_text()  # the next mini-batch: 501 of 1,000
    plot.set_marker(2.0)
    assert plot.marker.value() == pytest.approx(np.log10(2.0))
    plot.set_x_mode("all")
    assert plot.marker.value() == pytest.approx(2.0)


def test_the_cost_plot_and_the_compare_tab_share_one_moving_mean() -> None:
    """One moving mean: the live plot's, grown point by point, equals the Compare tab's."""
    from engine.session.history import trailing_mean
    from gui.runs.compare_panel import smoothed

    rng = np.random.default_rng(3)
    costs = rng.random(537).astype(np.float32)
    whole = smoothed(costs, 100)
    grown = np.concatenate(
        [trailing_mean(costs[:end], 100, start) for start, end in ((0, 7), (7, 250), (250, 537))]
    )
    naive = np.array([costs[max(0, i - 99) : i + 1].mean() for i in range(len(costs))])
    np.testing.assert_allclose(whole, naive, rtol=1e-6)
    np.testing.assert_allclose(grown, naive, rtol=1e-6)


def drawn_pixels(plot: CostPlot, rgb: tuple[int, int, int]) -> int:
    """Return how many pixels of the plot's picture are within 40 of colour ``rgb``."""
    pixels = rgb_pixels(plot.plot.grab().toImage())
    return int((np.abs(pixels - np.array(rgb)).max(axis=2) < 40).sum())


@pytest.mark.parametrize("mode", ["all", "log", "window"])
def test_one_mini_batch_is_a_visible_point_on_a_sensible_axis(qtbot, mode) -> None:
    """After one step there is one point: it gets a marker, and x runs from 0 to about it."""
    plot = CostPlot()
    qtbot.addWidget(plot)
    plot.resize(600, 300)
    plot.show()
    plot.set_x_mode(mode)
    accent = palette().accent
    before = drawn_pixels(plot, accent)
    plot.append_batches(np.array([0.001]), np.array([0.45]))  # one mini-batch of 10 of 10,000
    plot.flush()
    qtbot.waitUntil(lambda: plot.x_range()[1] < 0.01)
    x0, x1 = plot.x_range()
    assert 0 <= x0 < 0.001 < x1 < 0.0015  # 0 to one mini-batch, not -0.4 to 0.4
    (_, _), (y0, y1) = plot.plot.getPlotItem().vb.viewRange()
    assert 0 <= y0 < 0.45 < y1 <= 0.6  # the cost axis holds the point and no negative costs
    assert drawn_pixels(plot, accent) > before + 20  # the point is drawn: a marker, not nothing
    # A second point makes a line: the markers go and the axes follow the data again.
    plot.append_batches(np.array([0.002, 0.5]), np.array([0.44, 0.2]))
    plot.flush()
    qtbot.waitUntil(lambda: plot.x_range()[1] >= 0.5)
    assert plot.batch_curve.opts["symbol"] is None and plot.average_curve.opts["symbol"] is None


def test_the_epoch_axis_never_shows_negative_epochs(qtbot) -> None:
    plot = CostPlot()
    qtbot.addWidget(plot)
    plot.resize(600, 300)
    plot.show()
    plot.append_batches(np.array([0.001, 0.002, 0.003]), np.array([0.5, 0.4, 0.45]))
    plot.flush()
    qtbot.waitUntil(lambda: plot.x_range()[1] >= 0.003)
    assert plot.x_range()[0] >= 0
    plot.clear()  # a fresh network, and its first point again
    plot.append_batches(np.array([0.001]), np.array([0.5]))
    plot.flush()
    qtbot.waitUntil(lambda: plot.x_range()[1] < 0.01)
    assert plot.x_range()[0] >= 0 and plot.batch_curve.opts["symbol"] == "o"


@pytest.mark.parametrize(
    "n, window, start",
    [(50, 100, 0), (50, 100, 20), (5, 3, 2), (1, 100, 0), (0, 100, 0), (9, 1, 3)],
)
def test_the_moving_mean_near_the_start_and_for_short_curves(n, window, start) -> None:
    from engine.session.history import trailing_mean

    costs = np.random.default_rng(n).random(n).astype(np.float32)
    naive = [costs[max(0, i - window + 1) : i + 1].mean() for i in range(start, n)]
    np.testing.assert_allclose(trailing_mean(costs, window, start), naive, rtol=1e-6)
