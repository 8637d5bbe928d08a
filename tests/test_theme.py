"""Every view follows the theme: the diagram, the plots, the confusion matrix, the explorer."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from colour_math import contrast
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication
from windows import drain, open_window, train_batches

from gui import colors, theme
from gui.colors import DARK, LIGHT, PALETTES


@pytest.mark.parametrize("name", sorted(PALETTES))
def test_every_coloured_text_can_be_read_on_its_canvas(name):
    """Text, notes, the highlight (the History strip's), blue and red all stand out."""
    p = PALETTES[name]
    for role in ("text", "dim", "highlight", "positive", "negative", "accent", "success"):
        assert contrast(getattr(p, role), p.background) >= 3.0, role
        assert contrast(getattr(p, role), QColor(p.window).getRgb()[:3]) >= 2.5, role
    assert contrast(p.text, p.background) >= 7.0


class _Hints:
    """A stand-in for QStyleHints reporting one colour scheme."""

    def __init__(self, scheme) -> None:
        self.scheme = scheme

    def colorScheme(self):  # noqa: N802 - Qt's name
        return self.scheme


@pytest.mark.parametrize(
    ("scheme", "expected"),
    [(Qt.ColorScheme.Light, LIGHT), (Qt.ColorScheme.Dark, DARK), (Qt.ColorScheme.Unknown, DARK)],
)
def test_system_theme_follows_the_desktop(monkeypatch, scheme, expected):
    """By default the app is light on a light desktop and dark on a dark one."""
    from gui.window.preferences_dialog import Preferences

    monkeypatch.setattr(theme.QGuiApplication, "styleHints", lambda: _Hints(scheme))
    assert Preferences().theme == "system"
    assert theme.resolve("system") is expected
    assert theme.resolve("light") is LIGHT and theme.resolve("dark") is DARK


def _pixel(widget, x: int = 3, y: int = 3) -> tuple[int, int, int]:
    """Return the colour a widget paints at (x, y)."""
    image = widget.grab().toImage()
    c = image.pixelColor(int(x * image.devicePixelRatio()), int(y * image.devicePixelRatio()))
    return c.red(), c.green(), c.blue()


def _views(window) -> list:
    """Return the custom-painted canvases of every tab: each fills its background."""
    from gui.diagram.view import NetworkView
    from gui.explorer.diagram import LayerDiagram
    from gui.explorer.gradient import GradientStrip
    from gui.insight.confusion_view import _MatrixCanvas
    from gui.insight.panel import _ClassCounts

    kinds = (NetworkView, LayerDiagram, GradientStrip, _MatrixCanvas, _ClassCounts)
    return [w for kind in kinds for w in window.findChildren(kind)]


def test_switching_theme_recolours_every_view(qtbot, tmp_path):
    """Light then dark: diagram, explorer, plots, confusion matrix and History strip all follow."""
    app = QApplication.instance()
    window = open_window(qtbot, tmp_path / "s.ini")
    train_batches(qtbot, window, 30)
    window.digit_panel.load_test_digit(0)
    window.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: window.explorer.snapshot is not None, timeout=10000)
    try:
        for chosen in (LIGHT, DARK, LIGHT):
            window.dialogs.apply_preferences(window_preferences(chosen.name))
            assert colors.palette() is chosen
            drain()  # the restyling's posted events (style and palette changes) are delivered
            views = _views(window)
            assert len(views) >= 5
            for view in views:
                view.resize(max(view.width(), 300), max(view.height(), 200))
                assert _pixel(view) == chosen.background, type(view).__name__
            plots = window.findChildren(pg.PlotWidget)
            assert len(plots) >= 8
            for plot in plots:
                owner = plot.parentWidget()
                while owner is not None and type(owner).__module__.startswith("PySide6"):
                    owner = owner.parentWidget()
                rgb = plot.backgroundBrush().color().getRgb()[:3]
                assert rgb == chosen.background, type(owner).__name__
            assert colors.css(chosen.background) in window.explorer.equations.styleSheet()
            assert colors.css(chosen.dim) in window.explorer.equations_html()
            window.timeline.set_kept_count(3, ["a", "b", "c"])
            window.timeline.set_position(0)
            assert colors.css(chosen.highlight) in window.timeline.label.styleSheet()
            window.timeline.set_position(-1)
            assert app.palette().color(app.palette().ColorRole.Window) == QColor(chosen.window)
    finally:
        theme.apply_theme(app, "dark")


def window_preferences(name: str):
    """Return default preferences with the given theme."""
    from gui.window.preferences_dialog import Preferences

    return Preferences(theme=name)
