"""A square canvas to draw a digit on: light ink on a dark ground, the way MNIST stores digits.

Strokes are kept as lists of points in logical pixels and painted into a grayscale QImage at the
screen's device-pixel ratio, so the ink is as sharp as the screen and undo is a repaint of the
strokes that remain. The ink goes out as a float array, 0 = background and 1 = ink.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QImage,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPointingDevice,
    QTabletEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from gui.colors import INK, NO_INK, PAD_HINT, palette, qcolor

SIDE = 280  # logical pixels per side: MNIST's 28 pixels, ten times over
BRUSH = 22.0  # brush diameter at full pressure; a 20-pixel digit box then has 1.6-pixel strokes
ERASER = 36.0
MIN_PRESSURE = 0.35  # the thinnest tablet stroke, as a fraction of the brush
THROTTLE_MS = 16  # at most one digit_drawn per this many milliseconds while drawing
CLEAR_KEYS = (Qt.Key.Key_Delete, Qt.Key.Key_Backspace, Qt.Key.Key_Escape)  # with the pad focused


@dataclass
class _Stroke:
    """One press-to-release stroke: its points (x, y, pressure) in logical pixels."""

    erase: bool
    points: list[tuple[float, float, float]] = field(default_factory=list)


class DrawingPad(QWidget):
    """A canvas for one digit: left button draws, right button erases, pressure from a tablet."""

    digit_drawn = Signal(object)  # (H, W) float32 ink in [0, 1], H = W = SIDE * device-pixel ratio

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedSize(SIDE, SIDE)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setToolTip(
            "Draw a digit with the left button. Right button erases.\n"
            "Ctrl+Z undoes the last stroke; Delete, Esc or a double-click clears."
        )
        self._strokes: list[_Stroke] = []
        self._current: _Stroke | None = None
        self._base: np.ndarray | None = None  # an image put on the pad by set_image, (h, w) ink
        self._ratio = 0.0
        self._canvas = QImage()
        self._last_emit = -1.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._emit_now)
        self._ensure_canvas()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """Return the canvas size in logical pixels."""
        return QSize(SIDE, SIDE)

    def image(self) -> np.ndarray:
        """Return the ink as a (H, W) float32 array in [0, 1], at device resolution."""
        self._ensure_canvas()
        width = self._canvas.width()
        rows = np.frombuffer(self._canvas.constBits(), np.uint8).reshape(
            -1, self._canvas.bytesPerLine()
        )
        return rows[:, :width].astype(np.float32) * np.float32(1.0 / 255.0)

    def is_empty(self) -> bool:
        """Return True if nothing was drawn or put on the pad since the last clear."""
        return self._base is None and not self._strokes

    def clear(self) -> None:
        """Wipe the canvas and forget every stroke."""
        self._strokes.clear()
        self._current = None
        self._base = None
        self._render()
        self._emit_now()

    def undo(self) -> None:
        """Remove the last stroke (a loaded image stays until cleared)."""
        if not self._strokes:
            return
        self._strokes.pop()
        self._current = None
        self._render()
        self._emit_now()

    def set_image(self, image: np.ndarray) -> None:
        """Put an image (uint8 pixels or float ink in [0, 1]) on the pad, scaled to fill it."""
        image = np.asarray(image)
        if image.ndim != 2 or image.size == 0:
            raise ValueError(f"expected a 2-D image, got shape {image.shape}")
        ink = image / 255.0 if image.dtype == np.uint8 else image
        self._base = np.clip(np.nan_to_num(ink.astype(np.float32)), 0.0, 1.0)
        self._strokes.clear()
        self._current = None
        self._render()
        self._emit_now()

    def _ensure_canvas(self) -> None:
        """Create the canvas at the current device-pixel ratio, repainting if the ratio changed."""
        ratio = self.devicePixelRatioF()
        if ratio == self._ratio and not self._canvas.isNull():
            return
        self._ratio = ratio
        side = round(SIDE * ratio)
        self._canvas = QImage(side, side, QImage.Format.Format_Grayscale8)
        self._canvas.setDevicePixelRatio(ratio)
        self._render()

    def _render(self) -> None:
        """Repaint the canvas from the base image and the strokes."""
        self._canvas.fill(qcolor(NO_INK))
        if self._base is not None:
            self._paint_base(self._base)
        painter = self._painter()
        for stroke in self._strokes:
            self._paint_stroke(painter, stroke, 0)
        painter.end()
        self.update()

    def _paint_base(self, ink: np.ndarray) -> None:
        """Draw a loaded image smoothly scaled over the whole canvas."""
        gray = np.ascontiguousarray(np.rint(ink * 255), dtype=np.uint8)
        h, w = gray.shape
        small = QImage(gray.data, w, h, w, QImage.Format.Format_Grayscale8)
        painter = QPainter(self._canvas)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(QRectF(0, 0, SIDE, SIDE), small)
        painter.end()

    def _painter(self) -> QPainter:
        """Return a painter on the canvas with anti-aliasing on."""
        painter = QPainter(self._canvas)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        return painter

    def _paint_stroke(self, painter: QPainter, stroke: _Stroke, start: int) -> None:
        """Paint a stroke's segments that end at point ``start`` or later (point 0 is a dot)."""
        color = qcolor(NO_INK if stroke.erase else INK)
        pts = stroke.points
        for i in range(start, len(pts)):
            x0, y0, p0 = pts[max(i - 1, 0)]  # point 0 is a dot: a segment from itself to itself
            x1, y1, p1 = pts[i]
            pen = QPen(color, self._width(stroke, 0.5 * (p0 + p1)))
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setPen(pen)
            if (x0, y0) == (x1, y1):
                painter.drawPoint(QPointF(x1, y1))
            else:
                painter.drawLine(QPointF(x0, y0), QPointF(x1, y1))

    @staticmethod
    def _width(stroke: _Stroke, pressure: float) -> float:
        """Return the pen width in logical pixels for a pressure in [0, 1]."""
        size = ERASER if stroke.erase else BRUSH
        return size * (MIN_PRESSURE + (1.0 - MIN_PRESSURE) * min(max(pressure, 0.0), 1.0))

    def _begin(self, pos: QPointF, pressure: float, erase: bool) -> None:
        """Start a stroke at ``pos``."""
        self._current = _Stroke(erase)
        self._strokes.append(self._current)
        self._extend(pos, pressure)

    def _extend(self, pos: QPointF, pressure: float) -> None:
        """Add a point to the current stroke, paint the new segment and schedule digit_drawn."""
        stroke = self._current
        if stroke is None:
            return
        stroke.points.append((pos.x(), pos.y(), pressure))
        self._ensure_canvas()
        painter = self._painter()
        self._paint_stroke(painter, stroke, len(stroke.points) - 1)
        painter.end()
        self.update()
        self._schedule()

    def _end(self) -> None:
        """Finish the current stroke and report the drawing at once."""
        if self._current is None:
            return
        self._current = None
        self._emit_now()

    def _schedule(self) -> None:
        """Emit digit_drawn now if none went out in the last THROTTLE_MS, else when it is due."""
        since = (time.perf_counter() - self._last_emit) * 1000.0
        if since >= THROTTLE_MS:
            self._emit_now()
        elif not self._timer.isActive():
            self._timer.start(max(1, int(THROTTLE_MS - since)))

    def _emit_now(self) -> None:
        """Send the current ink out through digit_drawn."""
        self._timer.stop()
        self._last_emit = time.perf_counter()
        self.digit_drawn.emit(self.image())

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        """Start drawing with the left button, erasing with the right."""
        button = event.button()
        if button in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            self._begin(event.position(), 1.0, button == Qt.MouseButton.RightButton)
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        """Extend the stroke while a button is held."""
        if self._current is not None and event.buttons() & (
            Qt.MouseButton.LeftButton | Qt.MouseButton.RightButton
        ):
            self._extend(event.position(), 1.0)
            event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        """End the stroke."""
        self._end()
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        """Clear the canvas."""
        self.clear()
        event.accept()

    def tabletEvent(self, event: QTabletEvent) -> None:  # noqa: N802 (Qt's name)
        """Draw with a pen, its pressure setting the width; the eraser end erases."""
        kind = event.type()
        pressure = float(event.pressure())
        if kind == QEvent.Type.TabletPress:
            erase = event.pointerType() == QPointingDevice.PointerType.Eraser or bool(
                event.button() == Qt.MouseButton.RightButton
            )
            self._begin(event.position(), pressure, erase)
        elif kind == QEvent.Type.TabletMove:
            self._extend(event.position(), pressure)
        elif kind == QEvent.Type.TabletRelease:
            self._end()
        event.accept()  # no synthesised mouse events follow an accepted tablet event

    def event(self, event: QEvent) -> bool:
        """Keep the keys that clear the pad while it has focus (Esc also closes Play one step)."""
        if event.type() == QEvent.Type.ShortcutOverride and event.key() in CLEAR_KEYS:
            event.accept()  # Qt then gives the key to the pad, not to a window shortcut
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        """Ctrl+Z undoes the last stroke; Delete, Backspace and Esc clear."""
        if event.matches(QKeySequence.StandardKey.Undo):
            self.undo()
        elif event.key() in CLEAR_KEYS:
            self.clear()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        """Rebuild the canvas when the widget moves to a screen with another pixel ratio."""
        if event.type() == QEvent.Type.DevicePixelRatioChange:
            self._ensure_canvas()
        super().changeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        """Show the canvas with a thin frame, and a hint when it is empty."""
        self._ensure_canvas()
        painter = QPainter(self)
        painter.drawImage(QRectF(0, 0, SIDE, SIDE), self._canvas)
        if self.is_empty():
            painter.setPen(qcolor(PAD_HINT))  # the pad is black in both themes: not the text colour
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "draw a digit here")
        painter.setPen(QPen(qcolor(palette().background).lighter(260), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QRectF(0.5, 0.5, SIDE - 1, SIDE - 1))
        painter.end()
