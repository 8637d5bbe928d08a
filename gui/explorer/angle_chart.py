"""Step 10's angle chart: the measured change of the cost for one step length at each angle."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QWidget

import pyqtgraph as pg  # isort: skip  (after PySide6: it binds to the first Qt binding imported)
from engine.lessons.steepest_descent import SteepestDescent
from gui.colors import css, palette
from gui.explorer.widgets import MIN_CHART
from gui.theme import style_plot

TICKS = [(a, f"{a}°") for a in range(0, 181, 30)]


class AngleChart(pg.PlotWidget):
    """The real change of C after a step at angle theta from -g, beside -eta |g|^2 cos(theta).

    The random directions are drawn at their own angles from -g, so the chart shows where they
    sit on the curve: near 90 degrees, where a step hardly changes the cost.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("steepest_angles")
        self.setMinimumHeight(MIN_CHART)
        self.setMenuEnabled(False)
        self.setMouseEnabled(False, False)
        self.hideButtons()
        item = self.getPlotItem()
        item.setLabel("left", "change of the cost C")
        item.setLabel("bottom", "angle θ of the step from −g")
        item.showGrid(x=True, y=True, alpha=0.15)
        for axis in ("left", "bottom"):
            self.getAxis(axis).enableAutoSIPrefix(False)
        self.getAxis("bottom").setTicks([TICKS])
        self.bar_ticks = TICKS  # fit_text labels every 30 degrees, or every 60 where they crowd
        self.zero_line = pg.InfiniteLine(angle=0)
        self.addItem(self.zero_line)
        self.first_order = self.plot()
        self.measured = self.plot(symbol="o", symbolSize=5)
        self.randoms = self.plot(pen=None, symbol="o", symbolSize=4)
        self.minus_g = self.plot(pen=None, symbol="star", symbolSize=14)
        self.cluster_label = pg.TextItem(anchor=(0, 0))  # below right of the random directions
        self.addItem(self.cluster_label)
        self.restyle()

    def restyle(self) -> None:
        """Draw the curves, the points and the legend in the theme's colours."""
        p = palette()
        style_plot(self)
        self.zero_line.setPen(pg.mkPen(p.text + (90,), width=1))
        self.measured.setPen(pg.mkPen(p.text, width=2))
        self.measured.setSymbolBrush(p.text)
        self.measured.setSymbolPen(None)
        self.first_order.setPen(pg.mkPen(p.dim, width=2, style=pg.QtCore.Qt.PenStyle.DashLine))
        self.randoms.setSymbolBrush(p.positive)
        self.cluster_label.setColor(p.positive)
        self.randoms.setSymbolPen(None)
        self.minus_g.setSymbolBrush(p.highlight)
        self.minus_g.setSymbolPen(None)

    def set_result(self, r: SteepestDescent) -> None:
        """Draw the measured curve, the first-order curve, the random directions and -g."""
        self.measured.setData(r.angles, r.angle_changes)
        self.first_order.setData(r.angles, r.first_order)
        self.randoms.setData(r.random_angles, r.random_changes)
        self.minus_g.setData([0.0], [r.gradient_change])
        self.cluster_label.setText(f"{len(r.random_changes)} random\ndirections")
        self.cluster_label.setPos(float(r.random_angles.max()), float(r.random_changes.min()))
        values = np.concatenate([r.angle_changes, r.first_order, r.random_changes])
        lo, hi = float(values.min()), float(values.max())
        pad = 0.06 * max(hi - lo, 1e-12)
        self.setXRange(-6.0, 194.0, padding=0)  # room for the "180°" label
        self.setYRange(lo - pad, hi + pad, padding=0)


def key(n_random: int) -> str:
    """Return the chart's key as rich text, each mark in its colour (a legend would hide data)."""
    p = palette()

    def mark(glyph: str, rgb: tuple[int, int, int], words: str) -> str:
        """Return a coloured mark and its words, the mark never left alone at a line's end."""
        return f'<span style="color: {css(rgb)}">{glyph}</span>&nbsp;{words}'

    return "&nbsp;&nbsp; ".join(
        (
            mark("&mdash;&bull;&mdash;", p.text, "measured change"),
            mark("-&nbsp;-&nbsp;-", p.dim, "first order"),
            mark("&#9679;", p.positive, f"{n_random} random directions"),
            mark("&#9733;", p.highlight, "&minus;g"),
        )
    )
