"""Button icons drawn with QPainter in the theme's text colour: no font can lack them.

A Unicode glyph on a button (a pause sign, a triangle) is drawn from whatever font has it, and on
a machine where none has it the learner sees an empty box. These icons are painted shapes, read
the theme when they paint (so they follow a change of theme), and grey out with their button.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QIcon, QIconEngine, QImage, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QPushButton

from gui.colors import palette, qcolor

KINDS = ("play", "pause", "previous", "next", "close", "left", "right")


def _shape(kind: str) -> QPainterPath:
    """Return the icon's filled outline in a 16 x 16 box."""
    path = QPainterPath()

    def triangle(left: float, right: float, pointing_right: bool) -> None:
        tip, base = (right, left) if pointing_right else (left, right)
        path.moveTo(base, 3.0)
        path.lineTo(tip, 8.0)
        path.lineTo(base, 13.0)
        path.closeSubpath()

    if kind == "play":
        triangle(4.0, 13.0, True)
    elif kind == "pause":
        path.addRect(QRectF(4.0, 3.0, 3.0, 10.0))
        path.addRect(QRectF(9.0, 3.0, 3.0, 10.0))
    elif kind == "previous":  # a bar and a triangle pointing left: back one beat
        path.addRect(QRectF(3.0, 3.0, 2.0, 10.0))
        triangle(5.0, 13.0, False)
    elif kind == "next":
        triangle(3.0, 11.0, True)
        path.addRect(QRectF(11.0, 3.0, 2.0, 10.0))
    elif kind == "left":
        triangle(4.0, 11.0, False)
    elif kind == "right":
        triangle(5.0, 12.0, True)
    return path


def paint_icon(p: QPainter, rect: QRectF, kind: str, enabled: bool = True) -> None:
    """Paint icon ``kind`` into ``rect`` in the theme's text colour (dim when disabled)."""
    colour = qcolor(palette().text if enabled else palette().dim)
    side = min(rect.width(), rect.height())
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.translate(rect.center() - QPointF(side / 2, side / 2))
    p.scale(side / 16.0, side / 16.0)
    if kind == "close":
        pen = QPen(colour, 2.0)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        p.setPen(pen)
        p.drawLine(QPointF(4.0, 4.0), QPointF(12.0, 12.0))
        p.drawLine(QPointF(12.0, 4.0), QPointF(4.0, 12.0))
    else:
        p.fillPath(_shape(kind), colour)
    p.restore()


class _PaintedEngine(QIconEngine):
    """Paints one kind of icon at any size, reading the theme each time."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        """Paint the icon into ``rect``."""
        paint_icon(painter, QRectF(rect), self.kind, mode != QIcon.Mode.Disabled)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        """Return the icon painted on a transparent pixmap of ``size``."""
        image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        p = QPainter(image)
        self.paint(p, QRect(0, 0, size.width(), size.height()), mode, state)
        p.end()
        return QPixmap.fromImage(image)

    def clone(self) -> QIconEngine:
        """Return a copy (Qt copies engines when it detaches an icon)."""
        return _PaintedEngine(self.kind)


def painted_icon(kind: str) -> QIcon:
    """Return icon ``kind`` (one of KINDS), painted in the theme's colours at any size."""
    if kind not in KINDS:
        raise ValueError(f"unknown icon {kind!r}; use one of {KINDS}")
    return QIcon(_PaintedEngine(kind))


def back_button(text: str = "Back") -> QPushButton:
    """Return a push button with a left-pointing painted arrow before ``text``."""
    return QPushButton(painted_icon("left"), text)


def next_button(text: str = "Next") -> QPushButton:
    """Return a push button with ``text`` followed by a right-pointing painted arrow."""
    button = QPushButton(painted_icon("right"), text)
    button.setLayoutDirection(Qt.LayoutDirection.RightToLeft)  # the arrow after the word
    return button
