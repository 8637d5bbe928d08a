"""Switching the theme while the window is open reaches every widget: a style sheet set at
construction pins the palette its widgets had then (the guide stayed dark in the light theme)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from windows import open_window

from gui.theme import apply_theme, qt_palette, resolve


@pytest.mark.parametrize("first, then", [("dark", "light"), ("light", "dark")])
def test_every_widget_takes_the_new_theme(qtbot, tmp_path, first, then) -> None:
    app = QApplication.instance()
    apply_theme(app, first)
    try:
        window = open_window(qtbot, tmp_path / "settings.ini")
        window.guide.show(0)  # the guide, the pad and every tab are built and shown
        apply_theme(app, then)
        app.processEvents()
        expected = app.palette().window().color().name()
        stale = sorted(
            {
                f"{type(w).__name__} {w.objectName()!r}"
                for w in window.findChildren(QWidget)
                if w.isVisible()
                and w.palette().window().color().name() != expected
                and w.palette().window().color().name() == _other(first)
            }
        )
        assert stale == []
        window.close()
    finally:
        apply_theme(app, "system")


def _other(theme: str) -> str:
    """The window colour of ``theme``'s palette (what a stale widget still has)."""
    return qt_palette(resolve(theme)).window().color().name()
