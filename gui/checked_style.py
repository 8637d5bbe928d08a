"""Fusion with checked tool buttons marked and a focus ring that can be seen, in either theme.

Fusion draws a flat tool button raised when the mouse is over it and sunken when it is checked,
in nearly the same grey. A menu that closes over the toolbar leaves the mouse over one of the
edge-mode buttons (Weights, Gradient, Update, Hebbian): that button lights up as if the menu
item had switched the edges to it, beside the one really on. Here a checked tool button also
gets the palette's highlight colour as a tint and an outline, which no hover gives, and a bar
along its foot in the theme's highlight colour: at least 3:1 against the button, so the on state
does not rest on a faint tint.

Fusion's own focus cue is a one-pixel line in a shade of the button, lost on a projector. Every
control with the keyboard's focus (push and tool buttons, check and radio boxes, combo and spin
boxes, sliders, line edits) gets a two-pixel ring in the highlight colour on top of what Fusion
draws. A style sheet ``:focus`` rule cannot do this: a border rule hands the control from Fusion
to style-sheet drawing, which changes its size and look everywhere.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QProxyStyle,
    QStyle,
    QStyleOption,
    QStyleOptionComplex,
    QWidget,
)

from gui.colors import palette

TINT_ALPHA = 120  # of 255: reads at a glance, and the label keeps 4.5:1 on it
MARK_HEIGHT = 3  # the checked tool button's bar, in pixels
RING_WIDTH = 2.0
RINGED_CONTROLS = (
    QStyle.ControlElement.CE_PushButton,
    QStyle.ControlElement.CE_CheckBox,
    QStyle.ControlElement.CE_RadioButton,
)
RINGED_COMPLEX = (
    QStyle.ComplexControl.CC_ComboBox,
    QStyle.ComplexControl.CC_SpinBox,
    QStyle.ComplexControl.CC_Slider,
    QStyle.ComplexControl.CC_ToolButton,
)


def _focused(option: QStyleOption, widget: QWidget | None) -> bool:
    """Return True if the control drawn has the keyboard's focus."""
    return bool(option.state & QStyle.StateFlag.State_HasFocus) and (
        widget is None or widget.hasFocus()
    )


def _ring(painter: QPainter, option: QStyleOption) -> None:
    """Draw the focus ring just inside the control's rectangle."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor(*palette().highlight), RING_WIDTH))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    inset = RING_WIDTH / 2
    painter.drawRoundedRect(QRectF(option.rect).adjusted(inset, inset, -inset, -inset), 3, 3)
    painter.restore()


class CheckedToolStyle(QProxyStyle):
    """The given style, with checked tool buttons marked and focused controls ringed."""

    def drawPrimitive(  # noqa: N802 - Qt's name
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        """Draw as the base style does, then mark a checked tool button, ring a focused edit."""
        super().drawPrimitive(element, option, painter, widget)
        if element == QStyle.PrimitiveElement.PE_PanelLineEdit and _focused(option, widget):
            _ring(painter, option)
            return
        if element != QStyle.PrimitiveElement.PE_PanelButtonTool:
            return
        if not option.state & QStyle.StateFlag.State_On:
            return
        # the sign colour as it was the selection colour (now darker, for white text on it)
        highlight = QColor(*palette().positive).darker(130 if palette().name == "dark" else 100)
        tint = QColor(highlight)
        tint.setAlpha(TINT_ALPHA)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(highlight, 1))
        painter.setBrush(tint)
        painter.drawRoundedRect(QRectF(option.rect).adjusted(0.5, 0.5, -0.5, -0.5), 2.5, 2.5)
        r = option.rect
        painter.fillRect(
            r.left() + 2,
            r.bottom() - MARK_HEIGHT,
            r.width() - 4,
            MARK_HEIGHT,
            QColor(*palette().highlight),
        )
        painter.restore()

    def drawControl(  # noqa: N802 - Qt's name
        self,
        element: QStyle.ControlElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        """Draw as the base style does, then ring a focused button or box."""
        super().drawControl(element, option, painter, widget)
        if element in RINGED_CONTROLS and _focused(option, widget):
            _ring(painter, option)

    def drawComplexControl(  # noqa: N802 - Qt's name
        self,
        control: QStyle.ComplexControl,
        option: QStyleOptionComplex,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        """Draw as the base style does, then ring a focused combo box, spin box, slider or tool."""
        super().drawComplexControl(control, option, painter, widget)
        if control in RINGED_COMPLEX and _focused(option, widget):
            _ring(painter, option)
