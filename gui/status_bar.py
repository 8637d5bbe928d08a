"""The window's status bar: data, epoch, examples seen, speed and test accuracy."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar

WIDEST = {  # fixed widths, so a changing number never re-lays out the whole window
    "data": "Data: sample + 999 of my digits (99,999 train)",
    "epoch": "Epoch 999, mini-batch 99,999",
    "examples": "999,999,999 examples seen",
    "speed": "999,999 examples/s",
    "accuracy": "Test accuracy 100.00% (at 999,999 examples)",
}


class StatusBar(QStatusBar):
    """A status bar with one fixed-width label per quantity, beside Qt's passing messages."""

    def __init__(self) -> None:
        super().__init__()
        self.labels: dict[str, QLabel] = {}
        for key, widest in WIDEST.items():
            label = QLabel()
            label.setObjectName(f"status_{key}")
            label.setContentsMargins(6, 0, 6, 0)
            label.setMinimumWidth(label.fontMetrics().horizontalAdvance(widest) + 14)
            self.addPermanentWidget(label)
            self.labels[key] = label

    def show_texts(self, texts: dict[str, str]) -> None:
        """Set each label's text; an unchanged label costs no repaint."""
        for key, text in texts.items():
            label = self.labels[key]
            if label.text() != text:
                label.setText(text)
