"""The Follow-the-video panel: one stop at a time, with its try-it and its predict-then-reveal."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui.guide_stops import STOPS, Stop
from gui.painted_icons import back_button, next_button


class GuidePanel(QWidget):
    """Shows one stop of the guided path; Back and Next move along it."""

    stop_changed = Signal(int)  # index of the stop now shown
    show_requested = Signal(int)  # open the stop's view
    reveal_requested = Signal(int, int)  # stop index, the learner's choice

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.index = 0
        self._done: set[str] = set()
        self.title = QLabel()
        self.title.setObjectName("guide_title")
        self.title.setWordWrap(True)
        self.progress = QLabel()
        self.progress.setObjectName("guide_progress")
        self.text = QLabel()
        self.text.setObjectName("guide_text")
        self.text.setWordWrap(True)
        self.show_button = QPushButton("Show me")
        self.show_button.setToolTip("Open the view this stop is about.")
        self.show_button.clicked.connect(lambda: self.show_requested.emit(self.index))
        self.try_it = QLabel()
        self.try_it.setObjectName("try_it")
        self.try_it.setWordWrap(True)
        self.try_status = QLabel()
        self.try_status.setObjectName("try_status")
        self.try_status.setWordWrap(True)
        try_box = QGroupBox("Try it")
        try_layout = QVBoxLayout(try_box)
        try_layout.addWidget(self.try_it)
        try_layout.addWidget(self.try_status)
        self.question = QLabel()
        self.question.setObjectName("question")
        self.question.setWordWrap(True)
        self.choice = QComboBox()
        self.choice.setMinimumContentsLength(8)
        self.choice.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.reveal_button = QPushButton("Reveal")
        self.reveal_button.clicked.connect(
            lambda: self.reveal_requested.emit(self.index, self.choice.currentIndex())
        )
        self.answer = QLabel()
        self.answer.setObjectName("answer")
        self.answer.setWordWrap(True)
        predict_box = QGroupBox("Predict, then reveal")
        predict_layout = QVBoxLayout(predict_box)
        predict_layout.addWidget(self.question)
        row = QHBoxLayout()
        row.addWidget(self.choice, 1)
        row.addWidget(self.reveal_button)
        predict_layout.addLayout(row)
        predict_layout.addWidget(self.answer)
        self.back_button = back_button()
        self.back_button.clicked.connect(lambda: self.set_stop(self.index - 1))
        self.next_button = next_button()
        self.next_button.clicked.connect(lambda: self.set_stop(self.index + 1))
        nav = QHBoxLayout()
        nav.addWidget(self.back_button)
        nav.addWidget(self.progress, 1)
        nav.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addWidget(self.show_button)
        layout.addWidget(try_box)
        layout.addWidget(predict_box)
        layout.addStretch(1)
        layout.addLayout(nav)

    @property
    def stop(self) -> Stop:
        """Return the stop shown."""
        return STOPS[self.index]

    def set_stop(self, index: int) -> None:
        """Show stop ``index`` (clamped to the path)."""
        index = min(max(int(index), 0), len(STOPS) - 1)
        changed = index != self.index
        self.index = index
        s = self.stop
        self.title.setText(f"<b>Stop {index + 1} of {len(STOPS)} · {s.title}</b>")
        self.text.setText(s.text)
        self.try_it.setText(s.try_it)
        self.question.setText(s.question)
        self.answer.setText("")
        self.back_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < len(STOPS) - 1)
        self._show_status()
        if changed:
            self.stop_changed.emit(index)

    def set_choices(self, texts: list[str]) -> None:
        """Offer these answers to the question."""
        self.choice.clear()
        self.choice.addItems(texts)

    def set_done(self, keys: set[str]) -> None:
        """Mark the stops whose try-it the learner has done."""
        self._done = set(keys)
        self._show_status()

    def _show_status(self) -> None:
        done = self.stop.key in self._done
        self.try_status.setText("✓ Done: you tried it." if done else "Waiting for you to try it…")
        self.progress.setText(f"{len(self._done)} of {len(STOPS)} tried")

    def show_answer(self, text: str) -> None:
        """Show the revealed answer (or why it cannot be revealed yet)."""
        self.answer.setText(text)
