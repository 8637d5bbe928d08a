"""A coloured strip above the views that says what went wrong and offers the fix."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from gui.colors import FAILURE_BACKGROUND, FAILURE_BORDER, FAILURE_TEXT, css


class FailureBanner(QFrame):
    """Shows a divergence or error message with buttons for the usual remedies."""

    reset_requested = Signal()  # start again with the same settings
    lower_rate_requested = Signal()  # use the settings the window offers, then start again

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("failureBanner")
        background, border = css(FAILURE_BACKGROUND), css(FAILURE_BORDER)
        self.setStyleSheet(
            f"#failureBanner {{ background: {background}; border: 1px solid {border};"
            f" border-radius: 4px; }} #failureBanner QLabel {{ color: {css(FAILURE_TEXT)}; }}"
        )
        layout = QVBoxLayout(self)  # the message over its buttons: it keeps the full width
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(4)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # file names and file text, never HTML
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.lower_button = QPushButton("Lo&wer the learning rate ×0.1 and reset")
        self.lower_button.setToolTip("Divide eta by ten and start a fresh network.")
        self.lower_button.clicked.connect(self.lower_rate_requested)
        self.reset_button = QPushButton("Reset")
        self.reset_button.setToolTip("Start a fresh network with the same settings.")
        self.reset_button.clicked.connect(self.reset_requested)
        self.close_button = QPushButton("Dismiss")
        self.close_button.clicked.connect(self.hide)
        for button in (self.lower_button, self.reset_button, self.close_button):
            buttons.addWidget(button)
        self.hide()

    def show_failure(
        self, message: str, offer_lower_rate: bool = True, offer_reset: bool | None = None
    ) -> None:
        """Show ``message`` with the remedies: the fix, and Reset (by default, with the fix)."""
        self.label.setText(message)
        self.lower_button.setVisible(offer_lower_rate)
        self.reset_button.setVisible(offer_lower_rate if offer_reset is None else offer_reset)
        self.show()

    def message(self) -> str:
        """Return the message shown, '' when hidden."""
        return self.label.text() if self.isVisible() else ""

    def last_message(self) -> str:
        """Return the last message given, shown or not (the window may not be on screen yet)."""
        return self.label.text()
