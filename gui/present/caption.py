"""The guide's current stop as one large line over the diagram, for a class to read."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QWidget

CAPTION_SCALE = 1.35  # the caption's text, over the already enlarged font of the window


class PresentCaption(QLabel):
    """Shows "Stop n of N · title" of the guide in large bold letters, wrapped to its width."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("presentCaption")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.setContentsMargins(8, 4, 8, 4)
        self.setAccessibleName("Guide's current stop")
        self.hide()

    def set_stop(self, index: int, count: int, title: str) -> None:
        """Show stop ``index`` (from 0) of ``count``, titled ``title``."""
        self.setText(f"Stop {index + 1} of {count} \u00b7 {title}")
        self.setAccessibleDescription(self.text())

    def fit_font(self, base: QFont) -> None:
        """Draw the caption bold at CAPTION_SCALE times ``base`` (the window's present font)."""
        font = QFont(base)
        if font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF() * CAPTION_SCALE)
        else:
            font.setPixelSize(round(font.pixelSize() * CAPTION_SCALE))
        font.setBold(True)
        self.setFont(font)
