"""The application's look: Qt's Fusion style with a dark or light palette for every view.

"system" (the default) follows the desktop's light or dark setting, and follows it again when
the desktop switches. Views take their colours from ``gui.colors.palette()`` and restyle when Qt
sends them a palette-change event, which ``apply_theme`` triggers by setting the app's palette.

The style (``CheckedToolStyle``, at the end of this module) is Fusion with checked tool buttons
marked and a focus ring that can be seen, in either theme.

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

from PySide6.QtCore import QEvent, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QApplication,
    QProxyStyle,
    QStyle,
    QStyleOption,
    QStyleOptionComplex,
    QWidget,
)

from gui.colors import (
    DARK,
    LIGHT,
    PALETTES,
    SCHEMES,
    Palette,
    css,
    for_scheme,
    palette,
    qcolor,
    use_palette,
)

THEMES = ("system", "dark", "light")
SIGN_MARKS = ("auto", "on", "off")  # a second cue for negatives: as the scheme chooses, or not
_chosen: dict[str, object] = {"scheme": "standard", "sign_marks": "auto"}
_following: list[str] = []  # the theme asked for, while the app listens to the desktop


def system_palette() -> Palette:
    """Return the palette that matches the desktop: dark or light (dark when it cannot tell)."""
    hints = QGuiApplication.styleHints()
    scheme = hints.colorScheme() if hasattr(hints, "colorScheme") else Qt.ColorScheme.Unknown
    if scheme == Qt.ColorScheme.Light:
        return LIGHT
    if scheme == Qt.ColorScheme.Dark:
        return DARK
    return DARK


def resolve(theme: str) -> Palette:
    """Return the palette a theme name stands for ("system" asks the desktop)."""
    return PALETTES.get(theme) or system_palette()


def qt_palette(p: Palette) -> QPalette:
    """Return the Qt palette for the window's chrome in the colours of ``p``."""
    qp = QPalette()
    roles = {
        QPalette.ColorRole.Window: QColor(p.window),
        QPalette.ColorRole.WindowText: qcolor(p.text),
        QPalette.ColorRole.Base: QColor(p.base),
        QPalette.ColorRole.AlternateBase: qcolor(p.panel),
        QPalette.ColorRole.ToolTipBase: qcolor(p.panel),
        QPalette.ColorRole.ToolTipText: qcolor(p.text),
        QPalette.ColorRole.Text: qcolor(p.text),
        QPalette.ColorRole.Button: QColor(p.button),
        QPalette.ColorRole.ButtonText: qcolor(p.text),
        QPalette.ColorRole.BrightText: qcolor(p.negative),
        QPalette.ColorRole.Highlight: qcolor(p.positive).darker(170 if p.name == "dark" else 100),
        QPalette.ColorRole.HighlightedText: QColor(p.selected_text),
        QPalette.ColorRole.Link: qcolor(p.positive),
        QPalette.ColorRole.PlaceholderText: qcolor(p.dim),
        QPalette.ColorRole.Light: QColor(p.button).lighter(130),
        QPalette.ColorRole.Midlight: QColor(p.button).lighter(115),
        QPalette.ColorRole.Mid: qcolor(p.outline),
        QPalette.ColorRole.Dark: QColor(p.button).darker(150),
        QPalette.ColorRole.Shadow: QColor(p.shadow),
    }
    for role, colour in roles.items():
        qp.setColor(role, colour)
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        qp.setColor(QPalette.ColorGroup.Disabled, role, qcolor(p.outline))
    return qp


def apply_theme(
    app: QApplication,
    theme: str = "system",
    scheme: str | None = None,
    sign_marks: str | None = None,
) -> Palette:
    """Style the whole app: "system" (follow the desktop), "dark" or "light"; return the palette.

    ``scheme`` is "standard" or "colour-blind", ``sign_marks`` "auto" (the scheme's choice), "on"
    or "off"; None keeps the last ones given. Every widget then gets a palette-change event, on
    which the views repaint in the new colours.
    """
    if scheme in SCHEMES:
        _chosen["scheme"] = scheme
    if sign_marks in SIGN_MARKS:
        _chosen["sign_marks"] = sign_marks
    marks = {"on": True, "off": False}.get(str(_chosen["sign_marks"]))
    chosen = for_scheme(resolve(theme), str(_chosen["scheme"]), marks)
    before = palette()
    use_palette(chosen)
    if not isinstance(app.style(), CheckedToolStyle):
        app.setStyle(CheckedToolStyle("Fusion"))  # checked buttons read apart from hovered ones
    qp = qt_palette(chosen)
    if chosen is not before and qp == app.palette():
        for widget in app.allWidgets():  # Qt sends nothing for an equal palette: the marks changed
            app.sendEvent(widget, QEvent(QEvent.Type.ApplicationPaletteChange))
    app.setPalette(qp)
    _follow_desktop(app, theme)
    return chosen


def _follow_desktop(app: QApplication, theme: str) -> None:
    """While the theme is "system", re-apply it whenever the desktop switches light and dark."""
    hints = QGuiApplication.styleHints()
    if not _following and hasattr(hints, "colorSchemeChanged"):
        hints.colorSchemeChanged.connect(lambda _scheme: _on_scheme_changed(app))
        _following.append(theme)
    if _following:
        _following[0] = theme


def _on_scheme_changed(app: QApplication) -> None:
    """The desktop switched: follow it if the theme is "system"."""
    if _following and _following[0] == "system":
        apply_theme(app, "system")


def style_plot(plot) -> None:
    """Give a pyqtgraph PlotWidget the palette's canvas, axis and text colours."""
    p = palette()
    plot.setBackground(qcolor(p.background))
    item = plot.getPlotItem()
    for side in ("left", "bottom", "right", "top"):
        axis = item.getAxis(side)
        axis.setPen(qcolor(p.outline))
        axis.setTextPen(qcolor(p.dim))
        if axis.label is not None:
            axis.label.setDefaultTextColor(qcolor(p.dim))
    for label in getattr(item.legend, "items", []) or []:
        label[1].setAttr("color", css(p.dim))
        label[1].setText(label[1].text)


def theme_changed(widget, event: QEvent) -> bool:
    """Return True if ``event`` tells ``widget`` of a theme it has not yet restyled for.

    Qt sends each widget a PaletteChange when the app's palette changes; a style sheet set while
    restyling sends another, which this ignores, so restyling never recurses.
    """
    if event.type() not in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
        return False
    current = palette()
    if getattr(widget, "_theme_palette", None) is current:
        return False
    widget._theme_palette = current
    return True


# The style: checked tool buttons marked, and a focus ring that can be seen.

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
