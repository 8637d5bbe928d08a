"""Fusion with checked tool buttons tinted, so a button under the mouse never reads as switched on.

Fusion draws a flat tool button raised when the mouse is over it and sunken when it is checked,
in nearly the same grey. A menu that closes over the toolbar leaves the mouse over one of the
edge-mode buttons (Weights, Gradient, Update, Hebbian): that button lights up as if the menu
item had switched the edges to it, beside the one really on. Here a checked tool button also
gets the palette's highlight colour as a tint and an outline, which no hover gives.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QProxyStyle, QStyle, QStyleOption, QWidget

TINT_ALPHA = 120  # of 255: reads at a glance, and the label keeps 4.5:1 on it


class CheckedToolStyle(QProxyStyle):
    """The given style, with checked tool buttons tinted in the palette's highlight colour."""

    def drawPrimitive(  # noqa: N802 - Qt's name
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        """Draw as the base style does, then tint a checked tool button's panel."""
        super().drawPrimitive(element, option, painter, widget)
        if element != QStyle.PrimitiveElement.PE_PanelButtonTool:
            return
        if not option.state & QStyle.StateFlag.State_On:
            return
        highlight = option.palette.color(QPalette.ColorRole.Highlight)
        tint = QColor(highlight)
        tint.setAlpha(TINT_ALPHA)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(highlight, 1))
        painter.setBrush(tint)
        painter.drawRoundedRect(QRectF(option.rect).adjusted(0.5, 0.5, -0.5, -0.5), 2.5, 2.5)
        painter.restore()
