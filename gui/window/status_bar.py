"""The window's status bar: data, epoch, examples seen, speed and test accuracy.

Qt paints a passing message (``showMessage``) only left of the permanent labels; at 1366 pixels
they left it about 20 characters. While a message shows, the labels it needs the room of step
aside, least needed first, and come back when it goes.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar

WIDEST = {  # fixed widths, so a changing number never re-lays out the whole window
    "data": "Data: sample + 999 of my digits (99,999 train)",
    "epoch": "Epoch 999, mini-batch 99,999",
    "examples": "999,999,999 examples seen",
    "speed": "999,999 examples/s",
    "accuracy": "Test accuracy 100.00% (at 999,999 examples)",
}
GIVE_WAY = ("data", "examples", "speed", "epoch", "accuracy")  # who steps aside for a message
LABEL_GAP = 8  # the status bar's spacing and a label's frame
MESSAGE_MARGIN = 24  # Qt's margins round the message (6 left, 12 right) and the gap before a label


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
        self.messageChanged.connect(self._make_room)

    def show_texts(self, texts: dict[str, str]) -> None:
        """Set each label's text; an unchanged label costs no repaint."""
        for key, text in texts.items():
            label = self.labels[key]
            if label.text() != text:
                label.setText(text)

    def hidden_for_message(self) -> list[str]:
        """Return the keys of the labels stepped aside for the message shown now."""
        return [key for key, label in self.labels.items() if label.isHidden()]

    def _make_room(self, message: str) -> None:
        """Hide the labels the message needs the room of (least needed first); show them after."""
        need = self.fontMetrics().horizontalAdvance(message) + MESSAGE_MARGIN if message else 0
        widths = {
            key: max(label.minimumWidth(), label.sizeHint().width()) + LABEL_GAP
            for key, label in self.labels.items()
        }
        room = self.width() - sum(widths.values())
        for key in GIVE_WAY:
            hide = bool(message) and room < need
            room += widths[key] if hide else 0
            self.labels[key].setHidden(hide)
