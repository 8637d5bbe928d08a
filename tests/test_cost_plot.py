"""The live cost plot keeps every mini-batch cost and the exact moving average of the last 100."""

from __future__ import annotations

import numpy as np

from gui.cost_plot import AVERAGE_WINDOW, DISPLAY_POINTS, CostPlot


def test_bulk_and_single_appends_give_the_exact_moving_average(qtbot, rng) -> None:
    plot = CostPlot()
    qtbot.addWidget(plot)
    costs = rng.random(1000)
    xs = np.arange(1000) / 100
    plot.append_batch(xs[0], costs[0])
    for start, stop in ((1, 7), (7, 450), (450, 451), (451, 1000)):
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
    plot._redraw()
    qtbot.wait(50)
    vb = plot.plot.getPlotItem().vb
    scene_pos = vb.mapViewToScene(pg_point(0.5, 1.0))
    plot._on_mouse_moved(scene_pos)
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
    plot._redraw()
    x, y = plot.batch_curve.getData()
    assert len(x) <= 2 * DISPLAY_POINTS + 200 and y.max() == 5.0 and y.min() == costs.min()
    assert plot.point_count() == n


def pg_point(x: float, y: float):
    """Return a QPointF in view coordinates."""
    from PySide6.QtCore import QPointF

    return QPointF(x, y)
