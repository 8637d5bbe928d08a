"""The Follow-the-video panel: one stop at a time, predict first, then see it, try it and reveal.

One control at a time carries the highlight (the dynamic property ``guideHighlight``): the next
thing a learner who only follows the guide should press. Show me and Try it, which display the
answer, unlock only once a prediction is picked, and the answer list starts with none picked.
The first stop's Start here is the one exception: it plays a step, whose animation does not
answer the stop's question (the reveal computes that from the step's numbers).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from gui.colors import css, palette
from gui.guide.stops import STOPS, Stop
from gui.painted_icons import back_button, next_button
from gui.theme import theme_changed

HIGHLIGHT = "guideHighlight"  # the property set to True on the one control to press next
PLACEHOLDER = "Pick your prediction\u2026"
TRY_KEY = "y"  # Alt+Y: every stop's Try it (and Start here: play one step) has a y


def with_key(text: str, letter: str) -> str:
    """Return ``text`` with its first ``letter`` marked as the button's Alt key (& before it)."""
    i = text.lower().find(letter)
    return text if i < 0 else f"{text[:i]}&{text[i:]}"


class GuidePanel(QWidget):
    """Shows one stop of the guided path; Back and Next move along it."""

    stop_changed = Signal(int)  # index of the stop now shown
    show_requested = Signal(int)  # open the stop's view
    try_requested = Signal(int)  # do the stop's try-it in the app
    reveal_requested = Signal(int, int)  # stop index, the learner's choice
    highlight_moved = Signal(object)  # the widget highlighted now, or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.index = 0
        self._done: set[str] = set()
        self._shown = self._tried = self._revealed = self._ready = False
        self._highlighted: QWidget | None = None
        self.title = QLabel()
        self.title.setObjectName("guide_title")
        self.title.setWordWrap(True)
        self.progress = QLabel()
        self.progress.setObjectName("guide_progress")
        self.text = QLabel()
        self.text.setObjectName("guide_text")
        self.text.setWordWrap(True)
        self.start_button = QPushButton()
        self.start_button.setObjectName("guide_start")
        self.start_button.setToolTip("Take the next real mini-batch step and play it (P).")
        self.start_button.clicked.connect(self._on_try)
        self.question = QLabel()
        self.question.setObjectName("question")
        self.question.setWordWrap(True)
        self.choice = QComboBox()
        self.choice.setObjectName("guide_choice")
        self.choice.setPlaceholderText(PLACEHOLDER)
        self.choice.setMinimumContentsLength(12)
        self.choice.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.choice.currentIndexChanged.connect(lambda _i: self._update())
        self.show_button = QPushButton("&Show me")
        self.show_button.setToolTip("Open the view this stop is about (after your prediction).")
        self.show_button.clicked.connect(self._on_show)
        self.try_button = QPushButton("Try it")
        self.try_button.clicked.connect(self._on_try)
        self.try_it = QLabel()
        self.try_it.setObjectName("try_it")
        self.try_it.setWordWrap(True)
        self.try_status = QLabel()
        self.try_status.setObjectName("try_status")
        self.try_status.setWordWrap(True)
        self.reveal_button = QPushButton("Reve&al")
        self.reveal_button.setToolTip("Compute the answer from the live network's numbers.")
        self.reveal_button.clicked.connect(
            lambda: self.reveal_requested.emit(self.index, self.choice.currentIndex())
        )
        self.answer = QLabel()
        self.answer.setObjectName("answer")
        self.answer.setWordWrap(True)
        predict_box = QGroupBox("1. Predict")
        predict_layout = QVBoxLayout(predict_box)
        predict_layout.addWidget(self.question)
        predict_layout.addWidget(self.choice)
        self.see_box = QGroupBox("2. See it, try it")
        see_layout = QVBoxLayout(self.see_box)
        row = QHBoxLayout()
        row.addWidget(self.show_button)
        row.addWidget(self.try_button, 1)
        see_layout.addLayout(row)
        see_layout.addWidget(self.try_it)
        see_layout.addWidget(self.try_status)
        reveal_box = QGroupBox("3. Reveal")
        reveal_layout = QVBoxLayout(reveal_box)
        reveal_layout.addWidget(self.reveal_button)
        reveal_layout.addWidget(self.answer)
        self.back_button = back_button("&Back")
        self.back_button.clicked.connect(lambda: self.set_stop(self.index - 1))
        self.next_button = next_button("Ne&xt")
        self.next_button.clicked.connect(lambda: self.set_stop(self.index + 1))
        nav = QHBoxLayout()
        nav.addWidget(self.back_button)
        nav.addWidget(self.progress, 1)
        nav.addWidget(self.next_button)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addWidget(self.text)
        body_layout.addWidget(self.start_button)
        body_layout.addWidget(predict_box)
        body_layout.addWidget(self.see_box)
        body_layout.addWidget(reveal_box)
        body_layout.addStretch(1)
        self.scroll = QScrollArea()  # the stop's words scroll; its title and Back/Next stay put
        self.scroll.setWidget(body)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._pin_answer = False
        self.scroll.verticalScrollBar().rangeChanged.connect(self._on_range_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(nav)
        self._restyle()
        self.set_stop(0)

    @property
    def stop(self) -> Stop:
        """Return the stop shown."""
        return STOPS[self.index]

    def set_stop(self, index: int) -> None:
        """Show stop ``index`` (clamped to the path), with no prediction picked yet."""
        index = min(max(int(index), 0), len(STOPS) - 1)
        changed = index != self.index
        self.index = index
        s = self.stop
        self._shown = self._tried = self._revealed = self._ready = False
        self._pin_answer = False
        self.title.setText(f"<b>Stop {index + 1} of {len(STOPS)} \u00b7 {s.title}</b>")
        self.text.setText(s.text)
        self.start_button.setText(with_key(s.try_label, TRY_KEY))
        self.start_button.setVisible(s.start_here)
        self.see_box.setVisible(not s.start_here)
        self.try_button.setText(with_key(s.try_label, TRY_KEY))
        self.try_it.setText(s.try_it)
        self.question.setText(s.question)
        self.answer.setText("")
        self.choice.setCurrentIndex(-1)
        self.back_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < len(STOPS) - 1)
        self._update()
        if changed:
            self.stop_changed.emit(index)

    def set_choices(self, texts: list[str]) -> None:
        """Offer these answers to the question, none picked (the prediction is the learner's)."""
        if texts == [self.choice.itemText(i) for i in range(self.choice.count())]:
            return
        self.choice.blockSignals(True)
        self.choice.clear()
        self.choice.addItems(texts)
        self.choice.setCurrentIndex(-1)
        self.choice.blockSignals(False)
        self._update()

    def set_done(self, keys: set[str]) -> None:
        """Mark the stops whose try-it the learner has done."""
        if self.stop.key in set(keys) - self._done:
            self._tried = True  # done while this stop is shown: its Try it is behind
        self._done = set(keys)
        self._update()

    def set_reveal_ready(self, ready: bool) -> None:
        """Say whether the answer can be computed now (the step taken, the explorer open ...)."""
        if ready != self._ready:
            self._ready = ready
            self._update()

    def set_can_step(self, can: bool) -> None:
        """Enable Start here once the app has a network and data to take a step with."""
        self.start_button.setEnabled(can)

    def predicted(self) -> bool:
        """Return True once the learner has picked a prediction for the stop shown."""
        return self.choice.currentIndex() >= 0

    def show_answer(self, text: str, final: bool = True) -> None:
        """Show the revealed answer (``final``) or what to do before it can be revealed."""
        self.answer.setText(text)
        if final:
            self._revealed = True
        self._update()
        self._pin_answer = bool(text)  # the answer is last: keep the bottom in view as it grows
        self._on_range_changed(0, self.scroll.verticalScrollBar().maximum())

    def _on_range_changed(self, _low: int, high: int) -> None:
        """Keep a just-revealed answer's last line in view once its longer text is laid out."""
        if self._pin_answer:
            self.scroll.verticalScrollBar().setValue(high)

    def revealed(self) -> bool:
        """Return True once this stop's answer has been revealed."""
        return self._revealed

    def highlighted(self) -> QWidget | None:
        """Return the control the guide asks the learner to press next."""
        return self._highlighted

    def _on_show(self) -> None:
        self._shown = True
        self._update()
        self.show_requested.emit(self.index)

    def _on_try(self) -> None:
        self._tried = True
        self._update()
        self.try_requested.emit(self.index)

    def _next_action(self) -> QWidget | None:
        """Return the next control in the order: start, predict, show, try, reveal, next."""
        s = self.stop
        if s.start_here and not self._tried:
            return self.start_button
        if not self.predicted():
            return self.choice
        if not s.start_here and not self._shown:
            return self.show_button
        if not s.start_here and not self._tried:
            return self.try_button
        if not self._revealed:
            return self.reveal_button
        return self.next_button if self.index < len(STOPS) - 1 else None

    def _update(self) -> None:
        """Enable what the stage allows, say whether the try-it is done, move the highlight."""
        predicted = self.predicted()
        self.show_button.setEnabled(predicted)
        self.try_button.setEnabled(predicted)
        self.reveal_button.setEnabled(predicted and self._ready)
        done = self.stop.key in self._done
        self.try_status.setText("\u2713 Done: you tried it." if done else "Not tried yet.")
        self.progress.setText(f"{len(self._done)} of {len(STOPS)} tried")
        target = self._next_action()
        if target is self._highlighted:
            return
        for widget in (self._highlighted, target):
            if widget is not None:
                widget.setProperty(HIGHLIGHT, widget is target)
        if self._highlighted is not None:
            self._highlighted.setStyleSheet("")
        self._highlighted = target
        self._restyle()
        if target is not None and self.scroll.widget().isAncestorOf(target):
            self.scroll.ensureWidgetVisible(target)
        self.highlight_moved.emit(target)

    def _restyle(self) -> None:
        """Fill the highlighted control with the theme's highlight colour: unmistakable.

        The style sheet is the control's own: one set on the panel would pin the palette of
        everything in it, and the guide stayed dark when the theme turned light.
        """
        if self._highlighted is None:
            return
        fill, on = css(palette().highlight), css(palette().on_highlight)
        self._highlighted.setStyleSheet(
            f"background: {fill}; color: {on}; font-weight: bold; border: 2px solid {on}; "
            "border-radius: 4px; padding: 5px 10px;"
        )

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        """Follow the theme."""
        if theme_changed(self, event):
            self._restyle()
        super().changeEvent(event)
