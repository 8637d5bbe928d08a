"""Every font of a window made FONT_SCALE times larger, and put back exactly as it was.

The window's own font grows, so every widget that inherits it grows with it; widgets that set a
font of their own are scaled one by one. Charts (pyqtgraph) draw with fonts of their own: their
tick labels, axis captions, text labels and legend entries are scaled too.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
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
        self.active = False

    def apply(self) -> None:
        """Make every font of the window and its charts FONT_SCALE times larger."""
        if self.active:
            return
        self.active = True
        explicit = [
            w
            for w in self.root.findChildren(QWidget)
            if w.testAttribute(Qt.WidgetAttribute.WA_SetFont)
        ]
        own = self.root.testAttribute(Qt.WidgetAttribute.WA_SetFont)
        self._root_font = QFont(self.root.font()) if own else None
        self._widgets = [(w, QFont(w.font())) for w in explicit]
        self.root.setFont(scaled(self.root.font(), self.factor))
        for widget, font in self._widgets:
            widget.setFont(scaled(font, self.factor))
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
            for item in scene.items():
                if id(item) in self._items:
                    continue
                if isinstance(item, pg.AxisItem):
                    self._items[id(item)] = (item, "tick", item.style.get("tickFont"))
                    item.setStyle(tickFont=QFont(base))
                    label = item.label
                    self._items[id(label)] = (label, "text", QFont(label.font()))
                    label.setFont(scaled(label.font(), self.factor))
                    if item.isVisible():
                        item.resizeEvent()  # the caption moves out for the larger ticks
                elif isinstance(item, pg.TextItem):
                    text = item.textItem
                    self._items[id(item)] = (text, "text", QFont(text.font()))
                    text.setFont(scaled(text.font(), self.factor))
                    item.updateTextPos()
                elif isinstance(item, pg.LabelItem):
                    size = item.opts.get("size")
                    points = _point_size(size, item.item.font().pointSizeF())
                    self._items[id(item)] = (item, "label", size)
                    item.setText(item.text, size=f"{points * self.factor:.3g}pt")

    def restore(self) -> None:
        """Put back every font exactly as it was before ``apply``."""
        if not self.active:
            return
        self.active = False
        self.root.setFont(self._root_font if self._root_font is not None else QFont())
        for widget, font in self._widgets:
            try:
                widget.setFont(font)
            except RuntimeError:  # the widget was deleted meanwhile
                continue
        for item, kind, old in self._items.values():
            try:
                if kind == "tick":
                    item.setStyle(tickFont=old)
                    item.picture = None
                    item.update()
                elif kind == "text":
                    item.setFont(old)
                elif old is None:
                    item.opts.pop("size", None)
                    item.setText(item.text)
                else:
                    item.setText(item.text, size=old)
            except RuntimeError:
                continue
        self._widgets = []
        self._items = {}
