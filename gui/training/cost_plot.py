"""The live cost plot: every mini-batch's cost, its moving average, and per-epoch test results.

The x axis (epochs of training) shows the whole run, a moving window over the latest epochs, or
a log scale, the learner's choice: over a long run the first epoch, where most of the learning
happens, would otherwise shrink to a spike at x = 0.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import PySide6  # noqa: F401  (pyqtgraph binds to the first Qt binding imported)
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from engine.session.history import Columns, TrainingHistory, trailing_mean
from gui.colors import css, palette, qcolor
from gui.log_axis import count_axes
from gui.theme import style_plot, theme_changed

AVERAGE_WINDOW = 100  # mini-batches in the moving average
DISPLAY_POINTS = 2000  # runs per curve handed to pyqtgraph, about one per horizontal pixel
LEGEND_COLUMNS = 4  # the legend's entries side by side in one row above the plot
LEGEND_MARGIN = 130  # the two axes beside the curves
SAMPLE_WIDTH = 30  # a legend entry's line or symbol and its gaps
READOUT_GAP = 6  # pixels between the cursor line and the hover text
PLOT_REDRAW_MS = 100  # the curves redraw 10 times a second; each redraw holds the GIL
WINDOW_EPOCHS = 2.0  # the moving window's width
X_MODES = {
    "all": "whole run",
    "window": f"last {WINDOW_EPOCHS:g} epochs",
    "log": "log scale",
}


class _Series(Columns):
    """(x, y) points in the engine's doubling buffer, as float32."""

    def __init__(self, capacity: int = 4096) -> None:
        super().__init__(("x", "y"), capacity, np.float32)  # 300,000 mini-batches: 2.4 MB

    @property
    def xs(self) -> np.ndarray:
        """The x values so far (a read-only view)."""
        return self.column("x")

    @property
    def ys(self) -> np.ndarray:
        """The y values so far (a read-only view)."""
        return self.column("y")


def _runs(n: int, points: int) -> int:
    """Return how many consecutive points to merge so that n points become at most ``points``."""
    return max(1, -(-n // points))


def peaks(x: np.ndarray, y: np.ndarray, points: int = DISPLAY_POINTS) -> tuple[np.ndarray, ...]:
    """Return the curve as the minimum and maximum of each run of points (a spike stays visible)."""
    b = _runs(len(x), points)
    if b == 1:
        return x, y
    m = len(x) // b * b
    ys = y[:m].reshape(-1, b)
    out_x = np.repeat(x[:m].reshape(-1, b)[:, [0, -1]].mean(axis=1), 2)
    out_y = np.empty(2 * len(ys))
    out_y[0::2] = ys.min(axis=1)
    out_y[1::2] = ys.max(axis=1)
    return np.concatenate([out_x, x[m:]]), np.concatenate([out_y, y[m:]])


def thin(x: np.ndarray, y: np.ndarray, points: int = DISPLAY_POINTS) -> tuple[np.ndarray, ...]:
    """Return every b-th point of a smooth curve (the moving average), keeping the last one."""
    b = _runs(len(x), points)
    if b == 1:
        return x, y
    return np.append(x[::b], x[-1]), np.append(y[::b], y[-1])


class CostPlot(QWidget):
    """Plots the cost of each mini-batch against epochs, with test cost and accuracy markers."""

    x_mode_changed = Signal(str)  # one of X_MODES: the learner picked another x axis

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Cost plot")
        self._x_mode = "all"
        self._window_range: tuple[float, ...] | None = None  # the range the window last set
        self._marker_epochs: float | None = None
        self._lone_range = False  # the axes were set around a lone first point, not auto-ranged
        self.batches = _Series()
        self.average = _Series()
        self.test_cost = _Series(64)
        self.test_accuracy = _Series(64)
        self._dirty = False
        self._thickness = 1.0  # lines and markers this many times their width (2 on a projector)

        self.plot = pg.PlotWidget(axisItems=count_axes())  # log mode reads 0.01, 1, 10
        # The plot paints every pixel of its viewport, so Qt need not repaint the widgets below.
        self.plot.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.x_mode_box = QComboBox()
        for mode, text in X_MODES.items():
            self.x_mode_box.addItem(text, mode)
        self.x_mode_box.setToolTip(
            "Which epochs the plot shows: the whole run, a moving window over the latest ones, "
            "or a log scale that gives the first epoch as much room as the next ten."
        )
        self.x_mode_box.activated.connect(self._on_x_mode_activated)
        header = QHBoxLayout()
        header.setContentsMargins(4, 0, 4, 0)
        header.addStretch(1)
        header.addWidget(QLabel("Epochs shown"))
        header.addWidget(self.x_mode_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(header)
        layout.addWidget(self.plot, 1)
        item = self.plot.getPlotItem()
        item.setLabel("bottom", "epochs of training")
        item.getAxis("bottom").enableAutoSIPrefix(False)  # 0.05 epochs, not "50 (x0.001)"
        item.setLabel("left", "cost")
        item.showGrid(x=False, y=False)
        item.vb.setLimits(xMin=0.0)  # training starts at epoch 0: no negative epochs
        # The plot gets at most DISPLAY_POINTS points per curve, decimated here from the visible
        # range (min and max of each run, so no spike is hidden): pyqtgraph's own clipping and
        # downsampling rescan every point at every redraw, which at 300,000 mini-batches holds
        # the interpreter lock for tens of milliseconds.
        item.vb.sigXRangeChanged.connect(self._on_range_changed)
        # The legend is a row of its own above the curves, where no marker or readout can land.
        legend = pg.LegendItem(colCount=LEGEND_COLUMNS, labelTextSize="8pt", frame=False)
        item.layout.removeItem(item.titleLabel)
        item.titleLabel.setVisible(False)
        item.layout.addItem(legend, 0, 1)
        item.legend = legend  # curves given a name join it
        self.legend = legend
        self.batch_curve = item.plot(name="mini-batch cost")
        self.average_curve = item.plot(name=f"mean of last {AVERAGE_WINDOW} batches")
        self.test_cost_curve = item.plot(pen=None, symbol="o", symbolSize=9, name="test cost")
        # A second view box for accuracy on the right axis, as in pyqtgraph's multiple-axes example.
        self.accuracy_view = pg.ViewBox()
        item.showAxis("right")
        item.scene().addItem(self.accuracy_view)
        item.getAxis("right").linkToView(self.accuracy_view)
        item.getAxis("right").setLabel("test accuracy", units="%")
        self.accuracy_view.setXLink(item)
        self.accuracy_view.setYRange(0, 100)
        self.accuracy_curve = pg.PlotDataItem(symbol="d", symbolSize=10, name="test accuracy")
        self.accuracy_view.addItem(self.accuracy_curve)
        legend.addItem(self.accuracy_curve, "test accuracy (right axis)")
        item.vb.sigResized.connect(self._sync_views)

        self.marker = pg.InfiniteLine(angle=90)
        self.marker.setVisible(False)
        item.addItem(self.marker, ignoreBounds=True)
        self.cursor = pg.InfiniteLine(angle=90)
        self.cursor.setVisible(False)
        item.addItem(self.cursor, ignoreBounds=True)
        self.readout = pg.TextItem(anchor=(0, 0))
        self.readout.setVisible(False)
        item.addItem(self.readout, ignoreBounds=True)
        self._hover_pos: QPointF | None = None  # where the mouse is over the plot, in the scene
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.plot.viewport().installEventFilter(self)  # its Leave and Hide end the hover
        self.restyle()

        self._timer = QTimer(self)
        self._timer.setInterval(PLOT_REDRAW_MS)
        self._timer.timeout.connect(self.flush)
        self._timer.start()

    def restyle(self) -> None:
        """Draw everything in the theme's colours: curves, markers, legend and readout."""
        p = palette()
        k = self._thickness
        style_plot(self.plot)
        self.batch_curve.setPen(pg.mkPen(p.muted, width=k))
        self.average_curve.setPen(pg.mkPen(p.accent, width=3 * k))
        for curve, colour, size in (
            (self.batch_curve, p.muted, 7),
            (self.average_curve, p.accent, 9),
        ):
            curve.setSymbolBrush(colour)  # shown on a lone point, where no line can be drawn
            curve.setSymbolPen(pg.mkPen(colour))
            curve.setSymbolSize(size * k)
        self.test_cost_curve.setSymbolBrush(p.text)
        self.test_cost_curve.setSymbolPen(pg.mkPen(p.background, width=k))
        self.test_cost_curve.setSymbolSize(9 * k)
        dash = Qt.PenStyle.DashLine
        self.accuracy_curve.setPen(pg.mkPen(p.success, width=k, style=dash))
        self.accuracy_curve.setSymbolBrush(p.success)
        self.accuracy_curve.setSymbolSize(10 * k)
        self.marker.setPen(pg.mkPen(p.highlight, width=2 * k))
        self.cursor.setPen(pg.mkPen(p.dim + (120,), width=k))
        right = self.plot.getPlotItem().getAxis("right")  # the diamonds' axis, in their green
        right.setPen(qcolor(p.success))
        right.setTextPen(qcolor(p.success))
        right.label.setDefaultTextColor(qcolor(p.success))
        self.readout.setColor(qcolor(p.text))
        self.readout.fill = pg.mkBrush(*p.panel, 220)
        for _sample, label in self.legend.items:
            label.setText(label.text, color=css(p.dim))

    def set_thickness(self, factor: float) -> None:
        """Draw the lines and markers ``factor`` times their width (2 for a projector)."""
        factor = float(factor) if np.isfinite(factor) and factor > 0 else 1.0
        if factor != self._thickness:
            self._thickness = factor
            self.restyle()

    def thickness(self) -> float:
        """Return how many times their width the lines and markers are drawn."""
        return self._thickness

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        """Follow a change of theme."""
        super().changeEvent(event)
        if theme_changed(self, event):
            self.restyle()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        """Lay the legend out in as many columns as fit over the curves (4, 2 or 1)."""
        super().resizeEvent(event)
        self._fit_legend(event.size().width())

    def _fit_legend(self, width: int) -> None:
        """Choose the legend's column count for a plot ``width`` pixels wide."""
        entries = [label.item.boundingRect().width() for _sample, label in self.legend.items]
        room = width - LEGEND_MARGIN
        for columns in (LEGEND_COLUMNS, 2, 1):
            rows = [entries[i : i + columns] for i in range(0, len(entries), columns)]
            widest = max((sum(row) + SAMPLE_WIDTH * len(row) for row in rows), default=0)
            if widest <= room:
                break
        if self.legend.columnCount != columns:
            self.legend.setColumnCount(columns)
            # The plot was laid out for the old legend, perhaps wider than the view: lay it
            # out again once the legend has its new size.
            QTimer.singleShot(0, self._fit_plot)

    def _fit_plot(self) -> None:
        """Give the plot its view's rectangle again (pyqtgraph's own response to a resize)."""
        self.plot.resizeEvent(None)

    def x_mode(self) -> str:
        """Return how the x axis is shown: "all", "window" or "log"."""
        return self._x_mode

    def set_x_mode(self, mode: str) -> None:
        """Show the whole run, a moving window of the latest epochs, or a log x axis."""
        if mode not in X_MODES:
            raise ValueError(f"unknown x axis mode {mode!r}; use one of {list(X_MODES)}")
        self._x_mode = mode
        self.x_mode_box.setCurrentIndex(self.x_mode_box.findData(mode))
        log = mode == "log"
        self.plot.getPlotItem().setLogMode(x=log, y=False)
        self.plot.getPlotItem().vb.setLimits(xMin=-1e307 if log else 0.0)  # no negative epochs
        self.accuracy_curve.setLogMode(log, False)  # it lives in the second view box
        self.reset_view()
        self.set_marker(self._marker_epochs)

    def _on_x_mode_activated(self, _index: int) -> None:
        """The learner picked an x axis mode."""
        self.set_x_mode(self.x_mode_box.currentData())
        self.x_mode_changed.emit(self._x_mode)

    def _to_view(self, epochs: float) -> float:
        """Return the view coordinate of x = ``epochs`` (its log10 on a log axis)."""
        if self._x_mode != "log":
            return float(epochs)
        return float(np.log10(max(float(epochs), 1e-6)))

    def _from_view(self, x: float) -> float:
        """Return the epochs at view coordinate ``x``."""
        return float(10.0**x) if self._x_mode == "log" else float(x)

    def x_range(self) -> tuple[float, float]:
        """Return the x range shown, in epochs of training."""
        x0, x1 = self.plot.getPlotItem().vb.viewRange()[0]
        return self._from_view(x0), self._from_view(x1)

    def reset_view(self) -> None:
        """Forget any zoom or pan and fit the axes to the data (a fresh network's empty range)."""
        vb = self.plot.getPlotItem().vb
        if self.batches.n == 0:  # auto-range keeps the old range when there is nothing to fit
            vb.setXRange(
                self._to_view(0.01 if self._x_mode == "log" else 0.0), self._to_view(1.0), padding=0
            )
            vb.setYRange(0.0, 1.0)
            self.accuracy_view.setYRange(0, 100)
        vb.enableAutoRange(x=True, y=True)
        vb.setAutoVisible(y=self._x_mode == "window")
        self._window_range = None
        self._lone_range = False
        self._dirty = True
        self.flush()

    def set_marker(self, epochs: float | None) -> None:
        """Mark the moment the timeline shows (in epochs of training); None hides the mark."""
        self.marker.setVisible(epochs is not None)
        self._marker_epochs = epochs
        if epochs is not None:
            self.marker.setPos(self._to_view(epochs))

    def set_refresh_interval(self, ms: int) -> None:
        """Redraw at most every ``ms`` milliseconds (new points wait for the next redraw)."""
        self._timer.setInterval(int(ms))

    def append_batches(self, epoch_progress: np.ndarray, costs: np.ndarray) -> None:
        """Add many mini-batch costs at once, with the moving average of the last 100 at each."""
        b = self.batches
        start = b.n
        b.extend(epoch_progress, costs)
        self.average.extend(epoch_progress, trailing_mean(b.ys, AVERAGE_WINDOW, start))
        self._dirty = True

    def add_epoch(self, epoch: float, test_cost: float, test_accuracy: float) -> None:
        """Mark an epoch's test cost and test accuracy (a fraction, shown in percent)."""
        self.test_cost.append(epoch, test_cost)
        self.test_accuracy.append(epoch, 100.0 * test_accuracy)
        self._dirty = True

    def clear(self) -> None:
        """Remove every point and reset the axes, for a fresh network."""
        for series in (self.batches, self.average, self.test_cost, self.test_accuracy):
            series.clear()
        self.set_marker(None)
        self.reset_view()

    def show_history(self, history: TrainingHistory) -> None:
        """Show a whole recorded history (a fresh, opened or branched network's) and no more."""
        self.clear()
        b, e = history.batches, history.epochs
        self.append_batches(b.column("progress"), b.column("cost"))
        for epoch, cost, accuracy in zip(
            e.column("epoch"), e.column("test_cost"), e.column("test_accuracy")
        ):
            self.add_epoch(float(epoch), float(cost), float(accuracy))

    def point_count(self) -> int:
        """Return how many mini-batch costs are plotted."""
        return self.batches.n

    def _on_range_changed(self, *_args: object) -> None:
        """Zooming or panning re-decimates the newly visible range at the next tick."""
        self._dirty = True

    def _visible(self, xs: np.ndarray) -> slice:
        """Return the index range of the points inside the current x view (all when following)."""
        vb = self.plot.getPlotItem().vb
        if vb.autoRangeEnabled()[0] or len(xs) == 0:
            return slice(0, len(xs))
        x0, x1 = self.x_range()
        lo = max(int(np.searchsorted(xs, x0)) - 1, 0)
        return slice(lo, int(np.searchsorted(xs, x1)) + 1)

    def flush(self) -> None:
        """Hand the points added since the last redraw to the curves now, not at the next tick."""
        if not self._dirty:
            return
        self._dirty = False
        self._follow()
        visible = self._visible(self.batches.xs)
        self.batch_curve.setData(*peaks(self.batches.xs[visible], self.batches.ys[visible]))
        self.average_curve.setData(*thin(self.average.xs[visible], self.average.ys[visible]))
        self.test_cost_curve.setData(self.test_cost.xs, self.test_cost.ys)
        self.accuracy_curve.setData(self.test_accuracy.xs, self.test_accuracy.ys)
        self._show_lone_points()
        if self.test_accuracy.n:
            low = max(0.0, float(self.test_accuracy.ys.min()) - 5.0)
            self.accuracy_view.setYRange(low, 100.0, padding=0)
        self._show_readout()  # the data changed: the hover text reads it again, or goes
        self._describe()

    def _describe(self) -> None:
        """Say the latest numbers the plot shows, for a screen reader."""
        if not self.batches.n:
            self.setAccessibleDescription(
                "No training yet: the cost appears as the network trains."
            )
            return
        x, y = float(self.batches.xs[-1]), float(self.batches.ys[-1])
        words = [f"After {x:.2f} epochs the last mini-batch cost is {y:.4f}"]
        if self.average.n:
            words.append(f"the mean of the last 100 batches {float(self.average.ys[-1]):.4f}")
        if self.test_accuracy.n:
            epoch, accuracy = self.test_accuracy.xs[-1], self.test_accuracy.ys[-1]
            words.append(
                f"test cost {float(self.test_cost.ys[-1]):.4f} and test accuracy "
                f"{float(accuracy):.2f}% after epoch {float(epoch):g}"
            )
        self.setAccessibleDescription("; ".join(words) + ".")

    def _show_lone_points(self) -> None:
        """Give a curve of one point a marker (a line needs two) and the axes a range around it.

        pyqtgraph would centre a lone point in a range one unit wide: -0.4 to 0.4 epochs for the
        first mini-batch. The plot shows 0 to that point instead, until a second point comes.
        """
        for curve in (self.batch_curve, self.average_curve):
            x, _y = curve.getData()
            curve.setSymbol("o" if x is not None and len(x) == 1 else None)
        vb = self.plot.getPlotItem().vb
        if self.batches.n == 1 and not self._lone_range and vb.autoRangeEnabled()[1]:
            x, y = float(self.batches.xs[0]), float(self.batches.ys[0])
            if self._x_mode != "window":  # the moving window already shows 0 to the point
                left = x / 10 if self._x_mode == "log" else 0.0
                vb.setXRange(self._to_view(left), self._to_view(x), padding=0.1)
            vb.setYRange(0.0, max(1.25 * y, 1e-6), padding=0)
            self._lone_range = True
        elif self._lone_range and self.batches.n != 1:
            self._lone_range = False
            vb.enableAutoRange(axis=pg.ViewBox.YAxis)
            if self._x_mode != "window":
                vb.enableAutoRange(axis=pg.ViewBox.XAxis)

    def _follow(self) -> None:
        """In the moving window, show the latest WINDOW_EPOCHS unless the learner has zoomed."""
        vb = self.plot.getPlotItem().vb
        if self._x_mode != "window" or self.batches.n == 0:
            return
        shown = tuple(vb.viewRange()[0])
        if not vb.autoRangeEnabled()[0] and shown != self._window_range:
            return  # the learner zoomed or panned: leave the range alone until reset_view
        right = float(self.batches.xs[-1])
        left = max(0.0, right - WINDOW_EPOCHS)
        vb.setXRange(left, max(right, left + 1e-3), padding=0.02)  # turns x auto-range off
        self._window_range = tuple(vb.viewRange()[0])

    def _sync_views(self) -> None:
        """Keep the accuracy view box on top of the main one."""
        vb = self.plot.getPlotItem().vb
        self.accuracy_view.setGeometry(vb.sceneBoundingRect())
        self.accuracy_view.linkedViewChanged(vb, self.accuracy_view.XAxis)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """The mouse left the plot, or the plot was hidden: the hover text goes with it."""
        if watched is self.plot.viewport() and event.type() in (
            QEvent.Type.Leave,
            QEvent.Type.Hide,
        ):
            self._on_mouse_moved(None)
        return False

    def _on_mouse_moved(self, pos: QPointF | None) -> None:
        """Show the values under the cursor: the nearest mini-batch and any epoch result."""
        self._hover_pos = pos
        self._show_readout()

    def _show_readout(self) -> None:
        """Read the data under the hover position now; hide the text when there is none.

        Called on every mouse move and every redraw, so the text never outlives its data: a
        reset, another run opened or new points arriving re-read it.
        """
        vb = self.plot.getPlotItem().vb
        pos = self._hover_pos
        if pos is None or self.batches.n == 0 or not vb.sceneBoundingRect().contains(pos):
            self.cursor.setVisible(False)
            self.readout.setVisible(False)
            return
        x = self._from_view(vb.mapSceneToView(pos).x())
        i = int(np.clip(np.searchsorted(self.batches.xs, x), 0, self.batches.n - 1))
        text = (
            f"epoch {self.batches.xs[i]:.3f}\nmini-batch cost {self.batches.ys[i]:.4f}\n"
            f"mean of last {AVERAGE_WINDOW}: {self.average.ys[i]:.4f}"
        )
        if self.test_cost.n:
            j = int(np.argmin(np.abs(self.test_cost.xs - x)))
            text += (  # two short lines: the text fits beside the cursor in a narrow plot
                f"\nafter epoch {self.test_cost.xs[j]:g}: test cost {self.test_cost.ys[j]:.4f}"
                f"\ntest accuracy {self.test_accuracy.ys[j]:.2f}%"
            )
        at = self._to_view(self.batches.xs[i])  # on a log axis, the view holds log10(epochs)
        self.cursor.setPos(at)
        self.cursor.setVisible(True)
        self.readout.setText(text)
        self._place_readout(at)
        self.readout.setVisible(True)

    def _place_readout(self, at: float) -> None:
        """Put the readout beside the cursor at view x ``at``, inside the view whatever its width.

        Beside on whichever side it fits (so it never covers what is hovered); when it fits on
        neither, as wide as it is in a narrow plot, as close as the view's edges allow.
        """
        vb = self.plot.getPlotItem().vb
        view = vb.sceneBoundingRect()
        y0, y1 = vb.viewRange()[1]
        cursor = vb.mapViewToScene(QPointF(at, y1)).x()
        width = self.readout.boundingRect().width()  # pixels: the text is not scaled by the view
        gap = READOUT_GAP
        if view.right() - cursor >= width + gap:
            left = cursor + gap
        elif cursor - view.left() >= width + gap:
            left = cursor - gap - width
        else:
            left = cursor - width / 2
        left = min(max(left, view.left()), view.right() - width)
        self.readout.setAnchor((0, 0))
        self.readout.setPos(vb.mapSceneToView(QPointF(left, view.top())).x(), y1 - 0.01 * (y1 - y0))

    def readout_text(self) -> str:
        """Return the hover text currently shown ('' when hidden)."""
        return self.readout.textItem.toPlainText() if self.readout.isVisible() else ""
