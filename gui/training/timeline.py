"""The timeline under the cost plot: scrub back through the kept snapshots, or return to live.

The slider has one stop per kept snapshot plus a last stop for the live network, so dragging to
the right end returns to live. Programmatic changes (``set_position``, ``set_kept_count``)
never emit; only the learner's moves do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QSlider, QWidget

from gui.colors import css, palette
from gui.theme import theme_changed

LIVE = -1
LIVE_TEXT = "live \u2014 the network as it trains now"
MIN_SLIDER = 120  # the slider never shrinks below this; the label moves to a row of its own


class Timeline(QWidget):
    """A slider over the kept snapshots of training with Live and Resume-from-here buttons."""

    snapshot_chosen = Signal(int)  # index of a kept snapshot, -1 for live
    resume_requested = Signal(int)  # index of the snapshot to continue training from

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip("Drag back through training; the right end is the live network")
        self.slider.valueChanged.connect(self._on_value_changed)
        self.slider.setMinimumWidth(MIN_SLIDER)
        self.label = QLabel(LIVE_TEXT)
        self.label.setMinimumWidth(1)  # never squeezed: too short a row sends it to the next
        self.live_button = QPushButton("Liv&e")
        self.live_button.setToolTip("Show the network as it trains now")
        self.live_button.clicked.connect(self._on_live_clicked)
        self.resume_button = QPushButton("Res&ume from here")
        self.resume_button.setToolTip(
            "Continue training from this snapshot; the later history is dropped (a new branch)"
        )
        self.resume_button.clicked.connect(self._on_resume_clicked)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(4, 0, 4, 0)
        self._grid.setVerticalSpacing(0)
        self._grid.addWidget(QLabel("History"), 0, 0)
        self._grid.addWidget(self.slider, 0, 1)
        self._grid.setColumnStretch(1, 1)
        self._grid.addWidget(self.live_button, 0, 3)
        self._grid.addWidget(self.resume_button, 0, 4)
        self._grid.addWidget(self.label, 0, 2)
        self._two_rows = False
        self._n = 0
        self._labels: Callable[[int], str] | Sequence[str] = ()
        self._quiet = False  # set while the slider moves for a programmatic change
        self.set_kept_count(0, ())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """Ask for the width of one row without the label: the label moves under when short."""
        one_row = self._row_width(with_label=False)
        label = self.label.minimumSizeHint().width() + 8
        return QSize(max(one_row, label), super().minimumSizeHint().height())

    def _row_width(self, with_label: bool) -> int:
        """Return the width the first row needs, with or without the label in it."""
        spacing = max(self._grid.horizontalSpacing(), 0)
        widths = [
            self._grid.itemAtPosition(0, 0).widget().sizeHint().width(),
            MIN_SLIDER,
            self.live_button.sizeHint().width(),
            self.resume_button.sizeHint().width(),
        ]
        if with_label:
            widths.append(self.label.sizeHint().width())
        return sum(widths) + spacing * 4 + 8  # four gaps between five columns, and the margins

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        """Keep the label on the slider's row if it fits whole there, else on a row under it."""
        super().resizeEvent(event)
        self._place_label()

    def _place_label(self) -> None:
        """Put the label beside the slider or, if the row is too short for it, under it."""
        two_rows = self.width() < self._row_width(with_label=True)
        if two_rows == self._two_rows:
            return
        self._two_rows = two_rows
        self._grid.removeWidget(self.label)
        if two_rows:
            self._grid.addWidget(self.label, 1, 1, 1, 4)
        else:
            self._grid.addWidget(self.label, 0, 2)

    @property
    def position(self) -> int:
        """Return the chosen snapshot's index, or -1 for live."""
        value = self.slider.value()
        return LIVE if value >= self._n else value

    def set_kept_count(self, n: int, labels: Callable[[int], str] | Sequence[str]) -> None:
        """Offer ``n`` snapshots, described by ``labels(i)`` or ``labels[i]``; live stays live."""
        position = self.position
        self._n = n
        self._labels = labels
        self._move(LIVE if position == LIVE else min(position, n - 1))

    def set_position(self, i: int) -> None:
        """Show snapshot ``i`` (or -1, live) as chosen, without emitting."""
        if i >= self._n or i < LIVE:
            raise IndexError(f"no snapshot {i} among {self._n}")
        self._move(i)

    def _move(self, i: int) -> None:
        """Set range and value quietly, then update the text and buttons."""
        self._quiet = True
        self.slider.setRange(0, self._n)
        self.slider.setValue(self._n if i == LIVE else i)
        self._quiet = False
        self._show(self.position)

    def _describe(self, i: int) -> str:
        """Return snapshot ``i``'s label."""
        return self._labels(i) if callable(self._labels) else str(self._labels[i])

    def _show(self, i: int) -> None:
        """Update the label and buttons for position ``i``."""
        self.slider.setEnabled(self._n > 0)
        self.live_button.setEnabled(i != LIVE)
        self.resume_button.setEnabled(i != LIVE)
        if i == LIVE:
            self.label.setText(LIVE_TEXT)
            self.label.setStyleSheet("")
        else:
            self.label.setText(f"{self._describe(i)}  ({i + 1} of {self._n})")
            self.label.setStyleSheet(f"color: {css(palette().highlight)};")
        self._place_label()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        """Recolour the scrubbed-moment label when the theme changes."""
        super().changeEvent(event)
        if theme_changed(self, event) and hasattr(self, "label"):
            self._show(self.position)

    def _on_value_changed(self, _value: int) -> None:
        """Report the learner's move."""
        if self._quiet:
            return
        self._show(self.position)
        self.snapshot_chosen.emit(self.position)

    def _on_live_clicked(self) -> None:
        """Return to the live network."""
        self._move(LIVE)
        self.snapshot_chosen.emit(LIVE)

    def _on_resume_clicked(self) -> None:
        """Ask to continue training from the chosen snapshot."""
        if self.position != LIVE:
            self.resume_requested.emit(self.position)
