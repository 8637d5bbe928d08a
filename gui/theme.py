"""The application's look: Qt's Fusion style with a dark palette that suits the dark diagram."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("dark", "light", "system")


def apply_theme(app: QApplication, theme: str = "dark") -> None:
    """Style the whole app: "dark" (default), "light", or "system" to follow the desktop."""
    if theme == "system":
        app.setPalette(QPalette())  # the platform's own colours
        return
    app.setStyle("Fusion")
    if theme == "light":
        app.setPalette(app.style().standardPalette())
        return
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#1c1f26",
        QPalette.ColorRole.WindowText: "#e1e4eb",
        QPalette.ColorRole.Base: "#14161c",
        QPalette.ColorRole.AlternateBase: "#22262e",
        QPalette.ColorRole.ToolTipBase: "#2a2e38",
        QPalette.ColorRole.ToolTipText: "#f0f2f5",
        QPalette.ColorRole.Text: "#e1e4eb",
        QPalette.ColorRole.Button: "#2a2e38",
        QPalette.ColorRole.ButtonText: "#e1e4eb",
        QPalette.ColorRole.BrightText: "#ffffff",
        QPalette.ColorRole.Highlight: "#3d7fb8",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#58c4dd",
        QPalette.ColorRole.PlaceholderText: "#7d8391",
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6b7080"))
    app.setPalette(palette)
