"""The cost plot's hover text never outlives the mouse or the data it reads (issue 22, 3.4)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from engine.session.history import TrainingHistory
from gui.training.cost_plot import CostPlot


@pytest.fixture
def shown(qtbot):
    """A window holding the cost plot over a label, the place the mouse goes when it leaves."""
    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    plot = CostPlot()
    below = QLabel("below the plot")
    layout.addWidget(plot, 1)
    layout.addWidget(below)
    window.resize(640, 420)
    window.show()
    qtbot.waitExposed(window)
    plot.append_batches(np.linspace(0.001, 1, 400), np.linspace(2.0, 0.5, 400))
    plot.add_epoch(1.0, 0.4, 0.9)
    plot.flush()
    qtbot.waitUntil(lambda: plot.plot.getPlotItem().vb.sceneBoundingRect().width() > 100)
    yield plot, below
    window.close()  # the fixture holds the window until the test ends


def mouse_to(qtbot, plot: CostPlot, epochs: float, y: float = 1.0) -> None:
    """Bring the mouse over the plot at (epochs, y), as the plot's scene reports a move.

    A real move puts the pointer in the viewport (so Qt tells it when the pointer leaves); the
    scene's own signal then carries the exact point (a QTest move rounds it to whole pixels, and
    Qt drops a move to where the pointer already is).
    """
    vb = plot.plot.getPlotItem().vb
    scene = vb.mapViewToScene(QPointF(plot._to_view(epochs), y))
    viewport = plot.plot.viewport()
    QTest.mouseMove(viewport, plot.plot.mapFromScene(scene))
    qtbot.waitUntil(viewport.underMouse)
    plot.plot.scene().sigMouseMoved.emit(scene)
    assert plot.readout_text() != ""
    assert plot.cursor.value() == pytest.approx(plot._to_view(epochs), abs=0.02)


def under_cursor(plot: CostPlot) -> str:
    """Return the readout's first two lines for the mini-batch the cursor line stands on."""
    at = plot._from_view(plot.cursor.value())
    i = int(np.argmin(np.abs(plot.batches.xs - at)))
    return f"epoch {plot.batches.xs[i]:.3f}\nmini-batch cost {plot.batches.ys[i]:.4f}"


def test_the_hover_text_goes_when_the_mouse_leaves(qtbot, shown) -> None:
    plot, below = shown
    mouse_to(qtbot, plot, 0.5)
    assert plot.readout_text().startswith(under_cursor(plot))
    QTest.mouseMove(below, QPoint(5, 5))
    qtbot.waitUntil(lambda: plot.readout_text() == "")
    assert not plot.cursor.isVisible()


def test_the_hover_text_goes_when_the_plot_is_hidden(qtbot, shown) -> None:
    """Another tab chosen (the walk opened a run from Compare): the text does not wait there."""
    plot, _ = shown
    mouse_to(qtbot, plot, 0.5)
    plot.hide()
    plot.show()
    assert plot.readout_text() == ""


def test_after_a_reset_and_another_run_the_text_reads_the_new_curve(qtbot, shown) -> None:
    """The walk: run 1's numbers stayed over the next run's curve. Now they are the new run's."""
    plot, _ = shown
    mouse_to(qtbot, plot, 0.5)
    old = plot.readout_text()
    plot.clear()  # Reset
    plot.flush()
    assert plot.readout_text() == ""
    other = TrainingHistory()
    other.add_batches(np.linspace(0.001, 1, 400), np.linspace(0.9, 0.2, 400))
    other.epochs.append(1.0, 0.3, 0.25, 0.95)  # epoch, train cost, test cost, test accuracy
    plot.show_history(other)  # another run opened, the mouse still where it was
    plot.flush()
    text = plot.readout_text()
    assert text != old and text.startswith(under_cursor(plot))
    assert "test cost 0.2500" in text and "95.00%" in text


def test_live_points_arriving_under_a_resting_mouse_are_read(qtbot, shown) -> None:
    """Past the last point the text reads the last one; new points under the mouse replace it."""
    plot, _ = shown
    mouse_to(qtbot, plot, 0.99)
    plot.append_batches(np.linspace(1.0025, 1.2, 80), np.full(80, 0.125))
    # The x axis grows to the new points: the resting mouse is over one of them now.
    qtbot.waitUntil(lambda: plot._from_view(plot.cursor.value()) > 1.0)
    assert plot.readout_text().startswith(under_cursor(plot))


def test_on_the_log_axis_the_text_stands_beside_its_cursor(qtbot, shown) -> None:
    plot, _ = shown
    plot.set_x_mode("log")
    qtbot.waitUntil(lambda: plot.x_range()[0] < 0.01)  # the log axis reaches back to 0.001
    mouse_to(qtbot, plot, 0.05)
    vb = plot.plot.getPlotItem().vb
    view = vb.sceneBoundingRect()
    cursor_x = vb.mapViewToScene(QPointF(plot.cursor.value(), 0)).x()
    box = plot.readout.sceneBoundingRect()
    assert plot.readout_text().startswith(under_cursor(plot))
    assert view.right() - cursor_x > box.width() or cursor_x - view.left() > box.width()
    assert not (box.left() < cursor_x < box.right())  # beside the cursor: there is room
    assert view.adjusted(-0.5, -0.5, 0.5, 0.5).contains(box)


@pytest.mark.parametrize("width", [520, 640, 1000])
def test_the_text_stays_inside_the_plot_wherever_the_mouse_is(qtbot, shown, width) -> None:
    """Even in a plot narrower than twice the text: inside, and beside the cursor when it fits."""
    plot, _ = shown
    plot.window().resize(width, 420)
    vb = plot.plot.getPlotItem().vb
    qtbot.waitUntil(lambda: 0 < vb.sceneBoundingRect().right() < plot.plot.width() < width)
    view = vb.sceneBoundingRect()
    for fraction in np.linspace(0.0, 1.0, 11):
        plot.plot.scene().sigMouseMoved.emit(QPointF(view.left() + fraction * view.width(), 100))
        box = plot.readout.sceneBoundingRect()
        cursor_x = vb.mapViewToScene(QPointF(plot.cursor.value(), 0)).x()
        assert view.adjusted(-0.5, -0.5, 0.5, 0.5).contains(box), (fraction, box, view)
        room = max(view.right() - cursor_x, cursor_x - view.left())
        if room > box.width() + 6:
            assert not (box.left() < cursor_x < box.right()), (fraction, box, cursor_x)
