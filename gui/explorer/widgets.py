"""Chart and label helpers shared by the explorer's pages."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel

import pyqtgraph as pg  # isort: skip  (after PySide6: it binds to the first Qt binding imported)
from gui.colors import palette
from gui.theme import style_plot

NUDGE_RANGE = 1.0  # the nudge slider moves a weight by at most this much
SLIDER_STEPS = 100
LINE_POINTS = 16  # step 9: points t = 0, eta/5, ..., 3 eta along each gradient
MIN_CHART = 120  # a chart shorter than this cannot be read
SHORT_PAGE = 420  # a page shorter than this puts step 4's two charts side by side


def sign_brushes(values: np.ndarray) -> list:
    """Return a blue brush for each positive value and a red one for each negative one."""
    return [pg.mkBrush(*(palette().positive if v >= 0 else palette().negative)) for v in values]


def bar_plot(left: str, bottom: str) -> pg.PlotWidget:
    """Return a dark plot set up for bar charts with the given axis labels."""
    plot = pg.PlotWidget()
    plot.setMinimumHeight(MIN_CHART)  # the page keeps room to read it; the diagram gives way
    plot.setMenuEnabled(False)
    plot.setMouseEnabled(False, False)
    plot.hideButtons()
    item = plot.getPlotItem()
    item.setLabel("left", left)
    item.setLabel("bottom", bottom)
    item.showGrid(y=True, alpha=0.15)
    for axis in ("left", "bottom"):
        plot.getAxis(axis).enableAutoSIPrefix(False)
    style_plot(plot)
    return plot


def set_bars(plot: pg.PlotWidget, heights: np.ndarray, brushes=None, ticks=None) -> None:
    """Replace a plot's bars by one bar per value, at x = 0, 1, ..."""
    plot.clear()
    heights = np.asarray(heights, np.float64)
    x = np.arange(len(heights))
    brushes = brushes if brushes is not None else sign_brushes(heights)
    plot.addItem(pg.BarGraphItem(x=x, height=heights, width=0.75, brushes=brushes, pen=None))
    plot.addLine(y=0, pen=pg.mkPen(palette().text + (90,)))
    if ticks is None:
        every = max(1, len(heights) // 16)
        ticks = [(i, str(i)) for i in range(0, len(heights), every)]
    plot.getAxis("bottom").setTicks([ticks])
    plot.setXRange(-0.7, len(heights) - 0.3, padding=0)
    top = max(float(heights.max(initial=0.0)), 0.0)
    bottom = min(float(heights.min(initial=0.0)), 0.0)
    pad = 0.08 * max(top - bottom, 1e-12)
    plot.setYRange(bottom - (pad if bottom < 0 else 0), top + pad, padding=0)


def same_key(old: tuple | None, new: tuple) -> bool:
    """Return True if a page's inputs are unchanged: (snapshot, images, ...) by identity first.

    Objects themselves, not their ids: a new snapshot may be allocated where a freed one was.
    """
    return old is not None and old[0] is new[0] and old[1] is new[1] and old[2:] == new[2:]


def wrapped(label: QLabel) -> QLabel:
    """Return the label set to wrap its words, so it never makes its page wider."""
    label.setWordWrap(True)
    return label


def info_label(name: str) -> QLabel:
    """Return a word-wrapped rich-text label with an object name for tests."""
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def thumbnail(image: np.ndarray, size: int = 28) -> QPixmap:
    """Return a 28x28 uint8 image (or floats in [0, 1]) as a pixmap of the given size."""
    a = np.asarray(image)
    gray = a if a.dtype == np.uint8 else np.clip(a * 255, 0, 255).astype(np.uint8)
    gray = np.ascontiguousarray(gray.reshape(28, 28))
    qimage = QImage(gray.data, 28, 28, 28, QImage.Format.Format_Grayscale8).copy()
    return QPixmap.fromImage(qimage).scaled(size, size)
