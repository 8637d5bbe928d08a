"""Every font of a window made FONT_SCALE times larger, and put back exactly as it was.

The window's own font grows, so every widget that inherits it grows with it; widgets that set a
font of their own are scaled one by one. Charts (pyqtgraph) draw with fonts of their own: their
tick labels, axis captions, text labels and legend entries are scaled too.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetricsF
from PySide6.QtWidgets import QWidget

FONT_SCALE = 1.5  # a projector at the back of a classroom: every text at least this much larger


def scaled(font: QFont, factor: float) -> QFont:
    """Return ``font`` ``factor`` times larger (a pixel-sized font rounded up, never smaller)."""
    out = QFont(font)
    if font.pointSizeF() > 0:
        out.setPointSizeF(font.pointSizeF() * factor)
    else:
        out.setPixelSize(math.ceil(font.pixelSize() * factor))
    return out


def size(font: QFont) -> float:
    """Return the size a font asks for, in points (a pixel-sized one at 96 dpi)."""
    return font.pointSizeF() if font.pointSizeF() > 0 else 0.75 * font.pixelSize()


def _point_size(size: object, fallback: float) -> float:
    """Return the points of a pyqtgraph size option ("8pt"), or ``fallback``."""
    text = str(size or "").strip().lower()
    try:
        return float(text.removesuffix("pt")) if text.endswith("pt") else fallback
    except ValueError:
        return fallback


class FontScaler:
    """Scales a window's fonts and its charts' fonts; ``restore`` undoes exactly what it did."""

    def __init__(self, root: QWidget, factor: float = FONT_SCALE) -> None:
        self.root = root
        self.factor = factor
        self._root_font: QFont | None = None  # the window's own font (None: it inherited one)
        self._widgets: list[tuple[QWidget, QFont]] = []
        self._items: dict[int, tuple[object, str, object]] = {}  # chart items and their fonts
        self._heights: list[tuple[QWidget, int]] = []  # each chart's least height, given back
        self.active = False

    def apply(self) -> None:
        """Make every font of the window and its charts FONT_SCALE times larger."""
        if self.active:
            return
        self.active = True
        own = self.root.testAttribute(Qt.WidgetAttribute.WA_SetFont)
        self._root_font = QFont(self.root.font()) if own else None
        before = [(w, QFont(w.font())) for w in self.root.findChildren(QWidget)]
        self.root.setFont(scaled(self.root.font(), self.factor))
        # Most widgets follow the window's font. One with a font of its own, a style sheet (Qt
        # then stops passing its parent's font down) or a menu (a window of its own) is scaled
        # by itself, parents before children, and given back the very font it had.
        self._widgets = before  # all of them: restore gives each its font back
        for widget, font in before:
            if size(widget.font()) < self.factor * size(font) - 0.01:
                widget.setFont(scaled(font, self.factor))
        # A chart's least height holds its axes and a few bars: larger text needs more of it
        # (a page that then outgrows its room scrolls up and down, never squashes a chart).
        self._heights = [(v, v.minimumHeight()) for v in self.root.findChildren(pg.GraphicsView)]
        for view, least in self._heights:
            if 0 < least < view.maximumHeight():  # a chart of fixed height is its panel's to size
                view.setMinimumHeight(min(math.ceil(least * self.factor), view.maximumHeight()))
        self.scale_charts()

    def scale_charts(self) -> None:
        """Scale the fonts of chart items not yet scaled (charts fill in as the views change)."""
        if not self.active:
            return
        for view in self.root.findChildren(pg.GraphicsView):
            scene = view.scene()
            if scene is None:
                continue
            base = view.font()  # inherited from the window: already scaled
            texts = False
            for item in scene.items():
                if id(item) in self._items:
                    continue
                if isinstance(item, pg.AxisItem):
                    fill, level = item.style["textFillLimits"], item.style["maxTextLevel"]
                    old = (
                        item.style["tickFont"],
                        getattr(item, "_tickDensity", 1.0),
                        fill,
                        level,
                        (item.textWidth, item.textHeight),  # grown for larger labels: give back
                    )
                    self._items[id(item)] = (item, "tick", old)
                    item.setStyle(tickFont=QFont(base))
                    item.setTickDensity(old[1] / self.factor)  # larger labels, fewer of them
                    item.style["textFillLimits"] = [(n, r / self.factor) for n, r in fill]
                    item.style["maxTextLevel"] = 0  # major ticks' labels only: 200 ... 900 crowd
                    label = item.label
                    self._items[id(label)] = (label, "text", QFont(label.font()))
                    label.setFont(scaled(label.font(), self.factor))
                    if item.isVisible():
                        item.resizeEvent()  # the caption moves out for the larger ticks
                elif isinstance(item, pg.PlotItem):  # room above for the top tick's larger text
                    margins = item.layout.getContentsMargins()
                    self._items[id(item)] = (item, "margins", margins)
                    left, top, right, bottom = margins
                    half = QFontMetricsF(base).height() / 2 + 1
                    item.layout.setContentsMargins(left, max(top, half), right, bottom)
                elif isinstance(item, pg.TextItem):
                    text = item.textItem
                    self._items[id(item)] = (text, "text", QFont(text.font()))
                    text.setFont(scaled(text.font(), self.factor))
                    item.updateTextPos()
                    texts = True
                elif isinstance(item, pg.LabelItem):
                    size = item.opts.get("size")
                    points = _point_size(size, item.item.font().pointSizeF())
                    self._items[id(item)] = (item, "label", size)
                    item.setText(item.text, size=f"{points * self.factor:.3g}pt")
            if texts:
                replace_labels(view)

    def restore(self) -> None:
        """Put back every font exactly as it was before ``apply``."""
        if not self.active:
            return
        self.active = False
        self.root.setFont(self._root_font if self._root_font is not None else QFont())
        for widget, font in self._widgets:  # one restyled meanwhile (a style sheet set by the
            try:  # guide's highlight) kept the large font Qt gave it then: it gets its own back
                if widget.font() != font:
                    widget.setFont(font)
            except RuntimeError:  # the widget was deleted meanwhile
                continue
        for item, kind, old in self._items.values():
            try:
                if kind == "tick":
                    item.style["tickFont"] = old[0]
                    item.style["textFillLimits"] = old[2]
                    item.style["maxTextLevel"] = old[3]
                    item.textWidth, item.textHeight = old[4]
                    item.setTickDensity(old[1])
                    if item.orientation in ("left", "right"):
                        item._updateWidth()
                    else:
                        item._updateHeight()
                    item.picture = None
                    item.update()
                elif kind == "text":
                    item.setFont(old)
                elif kind == "margins":
                    item.layout.setContentsMargins(*old)
                elif old is None:
                    item.opts.pop("size", None)
                    item.setText(item.text)
                else:
                    item.setText(item.text, size=old)
            except RuntimeError:
                continue
        for view, least in self._heights:
            try:
                view.setMinimumHeight(least)
            except RuntimeError:
                continue
        self._widgets = []
        self._items = {}
        self._heights = []
        for view in self.root.findChildren(pg.GraphicsView):  # the labels' normal places
            replace_labels(view)


def replace_labels(view: QWidget) -> None:
    """Larger labels need new places: ask the page that placed them (its ``place_labels``)."""
    widget = view
    while widget is not None:
        place = getattr(widget, "place_labels", None)
        if callable(place):
            place()
            return
        widget = widget.parentWidget()
