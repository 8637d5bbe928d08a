"""Chart and label helpers shared by the explorer's pages."""

from __future__ import annotations

import html
import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QImage, QPixmap
from PySide6.QtWidgets import QHeaderView, QLabel, QTableWidget

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


MARKED_BARS = 40  # up to this many bars carry a + or − each; more get their negatives hatched


def mark_signs(plot: pg.PlotWidget, heights: np.ndarray, signs: np.ndarray) -> None:
    """Mark each bar's sign beside its colour: "+" or "−" at its end, or hatch the negatives."""
    if len(heights) > MARKED_BARS:
        negative = np.flatnonzero(signs < 0)
        hatch = pg.mkBrush(palette().background)
        hatch.setStyle(Qt.BrushStyle.BDiagPattern)
        plot.addItem(
            pg.BarGraphItem(x=negative, height=heights[negative], width=0.75, brush=hatch, pen=None)
        )
        return
    for x, (h, s) in enumerate(zip(heights.tolist(), signs.tolist())):
        if s == 0 or not math.isfinite(h):
            continue
        mark = pg.TextItem("+" if s > 0 else "\u2212", color=palette().text)
        mark.setAnchor((0.5, 1.0) if h >= 0 else (0.5, 0.0))
        mark.setPos(x, h)
        plot.addItem(mark)


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
    fit_text(plot)
    return plot


TICK_GAP = 6  # pixels between two tick labels
TICK_EVERY = (1, 2, 5, 10, 20, 50, 100, 200, 500)  # label every n-th bar, the first that fits


def name_chart(plot: pg.PlotWidget) -> None:
    """Give a chart an accessible name and description from its axis captions."""
    item = plot.getPlotItem()
    bottom, left = (item.getAxis(side).label.toPlainText().strip() for side in ("bottom", "left"))
    plot.setAccessibleName(f"Chart: {bottom or left or 'values'}")
    plot.setAccessibleDescription(f"{left or 'value'} for each {bottom or 'entry'}.")


def fit_text(plot: pg.PlotWidget) -> None:
    """Keep a chart's axis captions and bar labels whole at any size, from now on.

    A caption longer than its axis wraps onto a second line (the axis makes room for it); bar
    labels that would run together ("101112") label every 2nd, 5th, ... bar instead.
    """
    if getattr(plot, "fits_text", False):
        return
    plot.fits_text = True
    item = plot.getPlotItem()
    left, top, right, bottom = item.layout.getContentsMargins()
    half_line = QFontMetricsF(item.getAxis("left").font()).height() / 2 + 1
    item.layout.setContentsMargins(left, max(top, half_line), right, bottom)  # the top tick's text
    view = item.getViewBox()
    view.sigResized.connect(lambda *_: _fit_text(plot))
    _fit_text(plot)


def _fit_text(plot: pg.PlotWidget) -> None:
    """Wrap the captions to their axes' lengths and thin the bar labels to the bars' width."""
    item = plot.getPlotItem()
    for side in ("bottom", "left"):
        axis = item.getAxis(side)
        label = axis.label
        length = axis.width() if side == "bottom" else axis.height()
        if not axis.isVisible() or not label.isVisible() or length <= 0:
            continue
        margin = 2 * label.document().documentMargin()
        natural = QFontMetricsF(label.font()).horizontalAdvance(label.toPlainText()) + margin
        width = -1.0 if natural <= length else float(length)
        if label.textWidth() != width:
            label.setTextWidth(width)
            axis._updateHeight() if side == "bottom" else axis._updateWidth()
            axis.resizeEvent()
    ticks = getattr(plot, "bar_ticks", None)
    if ticks:
        view = item.getViewBox()
        (x0, x1), _ = view.viewRange()
        per_unit = view.width() / max(x1 - x0, 1e-9)
        axis = item.getAxis("bottom")
        metrics = QFontMetricsF(axis.style.get("tickFont") or axis.font())  # the labels' own
        widest = max(metrics.horizontalAdvance(text) for _x, text in ticks) + TICK_GAP
        step = (ticks[1][0] - ticks[0][0]) if len(ticks) > 1 else 1.0
        every = next((n for n in TICK_EVERY if n * step * per_unit >= widest), TICK_EVERY[-1])
        item.getAxis("bottom").setTicks([ticks[::every]])


def set_bars(
    plot: pg.PlotWidget, heights: np.ndarray, brushes=None, ticks=None, signs=None
) -> None:
    """Replace a plot's bars by one bar per value, at x = 0, 1, ...

    ``signs`` are the values whose sign each bar's colour shows (the heights themselves when
    no brushes are given); with the palette's sign marks on, each such bar also carries a + or −.
    """
    plot.clear()
    heights = np.asarray(heights, np.float64)
    x = np.arange(len(heights))
    if brushes is None:
        brushes, signs = sign_brushes(heights), heights
    plot.addItem(pg.BarGraphItem(x=x, height=heights, width=0.75, brushes=brushes, pen=None))
    marked = signs is not None and palette().sign_marks
    if marked:
        mark_signs(plot, heights, np.asarray(signs, np.float64))
    plot.addLine(y=0, pen=pg.mkPen(palette().text + (90,)))
    if ticks is None:
        every = max(1, len(heights) // 16)
        ticks = [(i, str(i)) for i in range(0, len(heights), every)]
    plot.bar_ticks = list(ticks)  # all of them; fit_text labels as many as fit
    plot.getAxis("bottom").setTicks([ticks])
    plot.setXRange(-0.7, len(heights) - 0.3, padding=0)
    _fit_text(plot)
    top = max(float(heights.max(initial=0.0)), 0.0)
    bottom = min(float(heights.min(initial=0.0)), 0.0)
    pad = (0.16 if marked else 0.08) * max(top - bottom, 1e-12)  # room for the marks
    plot.setYRange(bottom - (pad if bottom < 0 else 0), top + pad, padding=0)


def fit_columns(table: QTableWidget) -> None:
    """Give every column the width of its header and widest cell, and the table room for all.

    Call again after filling the table. Its font is a tenth smaller than the page's: a
    table of numbers must fit a narrow page (1366x768 without a window manager) whole.
    """
    if not getattr(table, "compact", False):
        table.compact = True
        font = table.font()
        font.setPointSizeF(font.pointSizeF() * 0.9)
        table.setFont(font)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    need = sum(
        max(table.sizeHintForColumn(c), header.sectionSizeHint(c))
        for c in range(table.columnCount())
    )
    rows = table.verticalHeader()
    if not rows.isHidden():
        need += rows.sizeHint().width()
    need += 2 * table.frameWidth()
    if rows.length() + header.height() > table.height():  # the rows will scroll up and down
        need += table.verticalScrollBar().sizeHint().width()
    table.setMinimumWidth(need)


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


LEGEND_CORNERS = ((1, 0), (0, 0), (1, 1), (0, 1))  # top right, top left, bottom right, bottom left
LEGEND_MARGIN = 10  # pixels between the legend and the plot's edge
SUBDIVIDE = 16  # points checked along each drawn segment
HEADROOM = 1 / 3  # the most of a view's height a band of headroom for the legend may take
# A curve's mark in a key: its symbol filled, or hollow where the symbol has no brush.
KEY_SYMBOLS = {
    "o": ("&#9679;", "&#9675;"),
    "s": ("&#9632;", "&#9633;"),
    "star": ("&#9733;", "&#9734;"),
    "d": ("&#9670;", "&#9671;"),
    "t": ("&#9660;", "&#9661;"),
}


def key_mark(item: pg.PlotDataItem) -> str:
    """Return a curve's mark as rich text in its own colours: its line, its symbol, or both."""
    opts = item.opts
    pen = pg.mkPen(opts["pen"]) if opts.get("pen") is not None else None
    line = pen is not None and pen.style() != Qt.PenStyle.NoPen
    colour = pen.color() if line else None
    mark = ""
    if opts.get("symbol") is not None:
        brush = pg.mkBrush(opts["symbolBrush"]) if opts.get("symbolBrush") is not None else None
        filled = brush is not None and brush.style() != Qt.BrushStyle.NoBrush
        solid, hollow = KEY_SYMBOLS.get(opts["symbol"], KEY_SYMBOLS["o"])
        mark = solid if filled else hollow
        colour = brush.color() if filled else pg.mkPen(opts.get("symbolPen")).color()
    if line:
        stroke = "&mdash;" if pen.style() == Qt.PenStyle.SolidLine else "-&nbsp;"
        mark = f"{stroke}{mark}{stroke}" if mark else 2 * stroke
    shade = colour.name() if colour is not None else ""
    return f'<span style="color: {shade}"><b>{mark}</b></span>' if shade else f"<b>{mark}</b>"


def key_text(items: list[pg.PlotDataItem]) -> str:
    """Return a chart's key as one line of rich text: each curve's mark, then its name.

    A mark and its words never part at the end of a line; the entries wrap between them.
    """
    return "&nbsp;&nbsp; ".join(
        f"{key_mark(item)}&nbsp;{html.escape(item.name() or '').replace(' ', '&nbsp;')}"
        for item in items
    )


def chart_key(name: str) -> QLabel:
    """Return an empty word-wrapped label for a chart's key, shown outside the plot."""
    key = QLabel()
    key.setObjectName(name)
    key.setWordWrap(True)
    key.setTextFormat(Qt.TextFormat.RichText)
    return key


def along_lines(*lines: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Return the points of polylines (each (xs, ys)) with SUBDIVIDE points on every segment."""
    xs_all, ys_all = [np.zeros(0)], [np.zeros(0)]
    for xs, ys in lines:
        xs, ys = np.asarray(xs, np.float64), np.asarray(ys, np.float64)
        if len(xs) > 1:  # the segments between the points are drawn too
            t = np.linspace(0.0, len(xs) - 1.0, (len(xs) - 1) * SUBDIVIDE + 1)
            xs = np.interp(t, np.arange(len(xs)), xs)
            ys = np.interp(t, np.arange(len(ys)), ys)
        xs_all.append(xs)
        ys_all.append(ys)
    return np.concatenate(xs_all), np.concatenate(ys_all)


class LegendPlacer:
    """Keep a plot's legend where it hides none of the lines drawn, or its key outside the plot.

    A legend in a fixed corner can sit on the very path a page is about; this one moves to the
    emptiest corner (the first of LEGEND_CORNERS on a tie) whenever the lines, the ranges or the
    size change, and takes a band of headroom above the lines if every corner covers some. A
    plot too small for either (the band would take more than HEADROOM of it, or the legend is
    wider than the view) hides the legend and shows ``key`` instead: the same entries as one
    line of words the page lays out beside the chart. It goes back inside when there is room.
    """

    def __init__(self, plot: pg.PlotWidget, legend: pg.LegendItem, key: QLabel) -> None:
        self.plot, self.legend, self.key = plot, legend, key
        self.xs = self.ys = np.zeros(0)  # the lines' points, their segments filled in
        self.corner = LEGEND_CORNERS[0]
        self.inside = True  # the legend in the plot, or the key outside it
        self._raised: tuple[float, float] | None = None  # the y range headroom set
        self._natural: tuple[float, float] | None = None  # the y range before it
        self._auto = False  # whether the y range followed the data before the headroom
        self._placing = False
        key.setVisible(False)
        view = plot.getPlotItem().getViewBox()
        view.sigResized.connect(self.place)
        view.sigRangeChanged.connect(self.place)

    def restyle(self) -> None:
        """Write the key again in the curves' present colours (after a change of theme)."""
        self.key.setText(key_text([sample.item for sample, _label in self.legend.items]))

    def set_lines(self, *lines: tuple[np.ndarray, np.ndarray]) -> None:
        """Give the lines drawn, each as (xs, ys) in data coordinates."""
        self.xs, self.ys = along_lines(*lines)
        self._drop_headroom()  # new lines: the headroom is made again for them if needed
        self.restyle()
        self.place()

    def hidden(self, corner: tuple[int, int]) -> int:
        """Return how many of the lines' points the legend would cover in ``corner``."""
        view = self.plot.getPlotItem().getViewBox()
        (x0, x1), (y0, y1) = view.viewRange()
        u = (self.xs - x0) / max(x1 - x0, 1e-300)  # 0 at the left edge, 1 at the right
        v = (y1 - self.ys) / max(y1 - y0, 1e-300)  # 0 at the top, 1 at the bottom
        box, size = view.boundingRect(), self.legend.boundingRect()
        fu = (size.width() + LEGEND_MARGIN) / box.width() if box.width() > 0 else 0.4
        fv = (size.height() + LEGEND_MARGIN) / box.height() if box.height() > 0 else 0.3
        across = (u >= 1.0 - fu) & (u <= 1.0) if corner[0] else (u <= fu) & (u >= 0.0)
        down = (v >= 1.0 - fv) & (v <= 1.0) if corner[1] else (v <= fv) & (v >= 0.0)
        return int(np.count_nonzero(across & down))

    def place(self) -> None:
        """Put the legend in the corner that covers no point, with headroom if it must; else
        hide it and show the key outside the plot."""
        if self._placing:  # the headroom's own change of range
            return
        self._placing = True
        try:
            inside = self._place_inside()
        finally:
            self._placing = False
        self.inside = inside
        self.legend.setVisible(inside)
        if self.key.isHidden() != inside:  # shown only where the legend cannot be
            self.key.setVisible(not inside)

    def _place_inside(self) -> bool:
        """Place the legend in the plot and return True, or return False if it cannot be clear."""
        corner = self._anchor(self._arrange())
        if not len(self.ys) or not self.hidden(corner):
            return self._fits_across()
        if self._make_headroom():
            corner = self._anchor(self._arrange())
            if not self.hidden(corner) and self._fits_across():
                return True
        self._drop_headroom()
        return False

    def _anchor(self, corner: tuple[int, int]) -> tuple[int, int]:
        """Anchor the legend in ``corner``, LEGEND_MARGIN from both its edges, and return it."""
        self.corner = corner
        ax, ay = corner
        offset = (-LEGEND_MARGIN if ax else LEGEND_MARGIN, -LEGEND_MARGIN if ay else LEGEND_MARGIN)
        self.legend.anchor(itemPos=corner, parentPos=corner, offset=offset)
        return corner

    def _fits_across(self) -> bool:
        """Return True if the legend is no wider than the view, its margins included."""
        view = self.plot.getPlotItem().getViewBox()
        width = view.boundingRect().width()
        return width <= 0 or self.legend.boundingRect().width() + 2 * LEGEND_MARGIN <= width

    def _arrange(self) -> tuple[int, int]:
        """Choose the legend's columns and corner: one column where a corner is clear; else
        the fewest rows that fit the plot's width (the shortest band of headroom), or more
        columns if they clear a corner."""
        view = self.plot.getPlotItem().getViewBox()
        self.legend.setColumnCount(1)
        corner = min(LEGEND_CORNERS, key=self.hidden)
        if not self.hidden(corner) or not len(self.ys) or len(self.legend.items) < 2:
            return corner
        fitting = [1]
        for count in range(2, min(3, len(self.legend.items)) + 1):
            self.legend.setColumnCount(count)
            if self.legend.boundingRect().width() + 2 * LEGEND_MARGIN > view.boundingRect().width():
                break
            fitting.append(count)
            clear = [c for c in LEGEND_CORNERS if not self.hidden(c)]
            if clear:
                return clear[0]
        self.legend.setColumnCount(fitting[-1])  # the shortest legend that fits: least headroom
        return min(LEGEND_CORNERS, key=self.hidden)

    def _make_headroom(self) -> bool:
        """Raise the top of the y range so that a band the legend's height is free of lines.

        Return True if the range rose; False if the view is too short for such a band (it
        would take more than HEADROOM of the height) or already has it.
        """
        view = self.plot.getPlotItem().getViewBox()
        (_x0, _x1), (y0, y1) = view.viewRange()
        box, size = view.boundingRect(), self.legend.boundingRect()
        if box.height() <= 0 or size.height() <= 0:
            return False
        band = (size.height() + 2 * LEGEND_MARGIN) / box.height()
        if band > HEADROOM:
            return False
        top = float(np.nanmax(self.ys))
        low = min(y0, float(np.nanmin(self.ys)))
        wanted = top + (top - low) * band / (1.0 - band)
        if wanted <= y1 + 1e-12 * max(abs(y1), 1.0):
            return False
        if self._raised is None or self._raised != (y0, y1):  # the page's own range
            self._natural, self._auto = (y0, y1), bool(view.autoRangeEnabled()[1])
        view.setYRange(low, wanted, padding=0)
        self._raised = tuple(view.viewRange()[1])
        return True

    def _drop_headroom(self) -> None:
        """Give the y range back as it was before the headroom, if nothing changed it since."""
        raised, self._raised = self._raised, None
        if raised is None or self._natural is None:
            return
        view = self.plot.getPlotItem().getViewBox()
        if tuple(view.viewRange()[1]) != raised:  # the page set a range of its own since
            return
        if self._auto:
            view.enableAutoRange(axis=pg.ViewBox.YAxis)
        else:
            view.setYRange(*self._natural, padding=0)


# Where a label may sit by its point: above, below, right, left, then the four diagonals (the
# first that overlaps nothing wins; else the one that overlaps least). Each is the anchor of the
# text (a fraction of its size) and a gap in pixels, the same for a short label and a long one.
LABEL_SPOTS = (
    (0.5, 1.0, 0.0, -3.3),
    (0.5, 0.0, 0.0, 3.3),
    (0.0, 0.5, 5.9, 0.0),
    (1.0, 0.5, -5.9, 0.0),
    (0.0, 1.0, 2.4, -1.1),
    (0.0, 0.0, 2.4, 1.1),
    (1.0, 1.0, -2.4, -1.1),
    (1.0, 0.0, -2.4, 1.1),
)
MARKER_CLEAR = 5.0  # pixels round a point's marker that no label may cover
LINE_CLEAR = 1.5  # pixels either side of a path that a label should leave free


def place_labels(
    plot: pg.PlotWidget, labels: list[pg.TextItem], points=(), avoid=(), lines=(), optional=()
) -> int:
    """Anchor each label beside its point where it covers no label placed before it, no marker.

    Works in screen pixels, so the plot's ranges must be set; ``points`` are the markers'
    (x, y) in data coordinates, ``lines`` the paths drawn between them (each (xs, ys)), ``avoid``
    more scene rectangles (a legend). A label that finds no clear place is hidden (the earlier
    labels have the first pick); the ``optional`` labels are placed after all the others. Returns
    how many of ``labels`` were hidden (-1 if the plot has no size yet).
    """
    view = plot.getPlotItem().getViewBox()
    if view.width() <= 1 or view.height() <= 1:
        return -1
    area = view.sceneBoundingRect()

    def square(x: float, y: float, half: float) -> QRectF:
        """Return the square of half-side ``half`` pixels round data point (x, y), on screen."""
        at = view.mapViewToScene(QPointF(float(x), float(y)))
        return QRectF(at.x() - half, at.y() - half, 2 * half, 2 * half)

    taken = list(avoid)
    taken += [square(x, y, MARKER_CLEAR) for x, y in points]
    # A label on a line is hard to read: a thin band along each segment stays free too.
    taken += [square(x, y, LINE_CLEAR) for x, y in zip(*along_lines(*lines))]
    crowded = 0
    for i, label in enumerate([*labels, *optional]):
        label.setVisible(True)
        at = view.mapViewToScene(label.pos())
        size = label.textItem.boundingRect().size()
        inset = label.textItem.document().documentMargin()  # blank round the text itself
        best, best_cost, best_rect = (0.5, 1.0), math.inf, QRectF()
        for ax, ay, dx, dy in LABEL_SPOTS:
            spot = (ax - dx / max(size.width(), 1.0), ay - dy / max(size.height(), 1.0))
            rect = QRectF(
                at.x() - spot[0] * size.width(),
                at.y() - spot[1] * size.height(),
                size.width(),
                size.height(),
            )
            text = rect.adjusted(inset, inset, -inset, -inset)
            cost = sum(_overlap(text, other) for other in taken) + _outside(text, area)
            if cost < best_cost:
                best, best_cost, best_rect = spot, cost, text
            if cost == 0:
                break
        label.setAnchor(best)
        if best_cost > 0:  # no clear place: a number on another, or cut, cannot be read
            label.setVisible(False)
            crowded += i < len(labels)
            continue
        taken.append(best_rect)
    return crowded


def _overlap(a: QRectF, b: QRectF) -> float:
    """Return the area two rectangles share."""
    r = a.intersected(b)
    return max(r.width(), 0.0) * max(r.height(), 0.0)


def _outside(rect: QRectF, area: QRectF) -> float:
    """Return the area of ``rect`` outside ``area``."""
    return rect.width() * rect.height() - _overlap(rect, area)
