"""The drawing-pad panel: draw a digit, see what the network sees and guesses, and teach it.

The panel never does network math. It turns the drawing into MNIST's 28x28 input with
``engine.data.preprocess.to_mnist``, asks a predictor (given by the window) for the ten outputs, and
hands "Teach it" requests to the window (``teach_requested``), which shows the step's result.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFont, QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

# isort: split
import pyqtgraph as pg

from engine.data.my_digits import MyDigits
from engine.data.preprocess import SIZE, ink_present, to_mnist
from engine.errors import DataError
from engine.lessons.teach import TeachResult
from gui.class_labels import are_digits, fitted
from gui.colors import css, palette, qcolor
from gui.file_names import documents_path
from gui.pad.drawing_pad import DrawingPad
from gui.pad.teach_box import TeachBox, digit_bar_plot, set_bar_names
from gui.theme import style_plot, theme_changed

PREVIEW_SCALE = 4  # screen pixels per network pixel in the 28x28 preview
NARROW_PANEL = 416  # the pad (280) and a 28 x 4 preview beside it, with margins
WIDE_PANEL = 620  # at least this wide, the outputs sit beside the pad; narrower, under it
WIDE_BARS, NARROW_BARS = 170, 130  # the output chart's height in each arrangement

Predictor = Callable[[np.ndarray], np.ndarray]


def _ink_pixmap(x: np.ndarray, scale: int, ratio: float) -> QPixmap:
    """Return a 28x28 input as a pixmap, each pixel a ``scale`` x ``scale`` block (no smoothing)."""
    gray = np.ascontiguousarray(np.rint(np.clip(x, 0.0, 1.0) * 255), dtype=np.uint8)
    h, w = gray.shape
    image = QImage(gray.data, w, h, w, QImage.Format.Format_Grayscale8)
    side = round(w * scale * ratio)
    big = image.scaled(
        side, side, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.FastTransformation
    )
    pixmap = QPixmap.fromImage(big)
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


class DigitPanel(QWidget):
    """The pad, the network's 28x28 view and guess, test digits, "Teach it" and "my digits"."""

    input_changed = Signal(object)  # (28, 28) float32 network input, or None when the pad is empty
    teach_requested = Signal(object, int)  # (28, 28) float32 input, label
    teach_undo_requested = Signal()  # put the network back as it was before the last step

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._predictor: Predictor | None = None
        self._input: np.ndarray | None = None  # (28, 28) float32, None when the pad is empty
        self._outputs: np.ndarray | None = None
        self._test_images: np.ndarray | None = None
        self._test_labels: np.ndarray | None = None
        self._rng = np.random.default_rng()
        self.my_digits = MyDigits()

        self.pad = DrawingPad()
        self.pad.digit_drawn.connect(self._on_digit_drawn)
        layout = QVBoxLayout(self)
        self._top = QGridLayout()
        self._build_pad_column()
        self._build_output_column()
        self._wide: bool | None = None
        self._place(wide=False)
        self.setMinimumWidth(NARROW_PANEL)  # the narrow arrangement's width, not the wide one's
        layout.addLayout(self._top)
        self.teach = TeachBox()
        self.teach.comes_after = self.output_plot  # in Tab's order, as on screen
        self.label_group = self.teach.label_group  # the window follows the chosen digit
        self.teach.label_toggled.connect(self._update_buttons)
        self.teach.step_requested.connect(self.apply_step)
        self.teach.undo_requested.connect(self.teach_undo_requested)
        self.teach.add_requested.connect(self.add_to_my_digits)
        self.teach.save_requested.connect(self._on_save_clicked)
        self.teach.open_requested.connect(self._on_open_clicked)
        layout.addWidget(self.teach)
        self._show_input(None)
        self._update_buttons()

    def _build_pad_column(self) -> None:
        """Create Clear and Undo, the test-digit loader and its source line."""
        self.clear_undo = QWidget()
        self._buttons = QBoxLayout(QBoxLayout.Direction.LeftToRight, self.clear_undo)
        self._buttons.setContentsMargins(0, 0, 0, 0)
        self.clear_button = QPushButton("C&lear")
        self.clear_button.setToolTip("Wipe the pad (Delete, Esc or double-click)")
        self.clear_button.clicked.connect(self.pad.clear)
        self.undo_button = QPushButton("Und&o")
        self.undo_button.setToolTip("Remove the last stroke (Ctrl+Z)")
        self.undo_button.clicked.connect(self.pad.undo)
        self._buttons.addWidget(self.clear_button)
        self._buttons.addWidget(self.undo_button)
        self.loader_row = QWidget()
        loader = QHBoxLayout(self.loader_row)
        loader.setContentsMargins(0, 0, 0, 0)
        self.test_index = QSpinBox()
        self.test_index.setPrefix("test #")
        self.test_index.setToolTip("Which MNIST test image to put on the pad")
        self.load_button = QPushButton("Load test di&git")
        self.load_button.clicked.connect(lambda: self.load_test_digit(self.test_index.value()))
        self.random_button = QPushButton("Rando&m")
        self.random_button.setToolTip("Put a random MNIST test image on the pad")
        self.random_button.clicked.connect(lambda: self.load_test_digit(None))
        loader.addWidget(self.test_index, 1)
        loader.addWidget(self.load_button)
        loader.addWidget(self.random_button)
        self.source_label = QLabel("")
        self.source_label.setStyleSheet(f"color: {css(palette().dim)}")
        self.source_label.setWordWrap(True)
        self.set_test_images(None, None)

    def _build_output_column(self) -> None:
        """Create the 28x28 preview, the guess and the bar chart of the ten outputs."""
        self.preview_box = QWidget()
        row = QHBoxLayout(self.preview_box)
        row.setContentsMargins(0, 0, 0, 0)
        self.preview = QLabel()
        side = SIZE * PREVIEW_SCALE
        self.preview.setFixedSize(side, side)
        self.preview.setToolTip("Exactly the 28x28 pixels the network receives")
        caption = QVBoxLayout()
        seen = QLabel(
            "What the network sees:\n28 x 28 pixels, the digit\nscaled to 20 pixels and\n"
            "centred by its mass"
        )
        seen.setStyleSheet(f"color: {css(palette().dim)}")
        self.seen_label = seen
        self.guess_label = QLabel()
        font = QFont(self.guess_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.guess_label.setFont(font)
        self.guess_label.setWordWrap(True)  # "Guess: Ankle boot" on two lines in a narrow dock
        self._guess = ""  # the guess in full; the label shows it cut to its width if need be
        ignored = QSizePolicy.Policy.Ignored  # its width comes from the column: a long name is cut
        self.guess_label.setSizePolicy(ignored, QSizePolicy.Policy.Preferred)
        self.value_label = QLabel()
        self.value_label.setWordWrap(True)
        caption.addWidget(seen)
        caption.addStretch(1)
        caption.addWidget(self.guess_label)
        caption.addWidget(self.value_label)
        row.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(caption, 1)
        self.output_plot = digit_bar_plot(WIDE_BARS, "output a")
        self.output_plot.setAccessibleName("The network's ten outputs")
        self.output_plot.getPlotItem().setYRange(0.0, 1.0, padding=0.1)  # room for "1"
        self.output_plot.getPlotItem().getAxis("left").setTicks([[(0, "0"), (0.5, ".5"), (1, "1")]])
        self.bars = pg.BarGraphItem(x=np.arange(10), height=np.zeros(10), width=0.7)
        self.output_plot.addItem(self.bars)
        self.empty_text = pg.TextItem(
            "draw a digit", color=qcolor(palette().text), anchor=(0.5, 0.5)
        )
        self.empty_text.setPos(4.5, 0.5)
        self.output_plot.addItem(self.empty_text)
        self._winner_brush = pg.mkBrush(qcolor(palette().highlight))
        self._other_brush = pg.mkBrush(qcolor(palette().muted))
        self.side_box = QWidget()
        self._side = QVBoxLayout(self.side_box)
        self._side.setContentsMargins(0, 0, 0, 0)

    def _place(self, wide: bool) -> None:
        """Lay out pad, preview and outputs: side by side when wide, compact when narrow.

        Wide, the pad has Clear, Undo and the loader under it and the preview and outputs beside
        it. Narrow (a dock on a laptop screen), the preview, Clear and Undo sit beside the pad
        and the loader and outputs under it, so the outputs and the Teach row stay in view.
        """
        if wide == self._wide:
            return
        self._wide = wide
        moving = (self.pad, self.clear_undo, self.loader_row, self.source_label)
        moving += (self.preview_box, self.output_plot, self.side_box)
        shown = [widget for widget in moving if not widget.isHidden()]
        for widget in moving:
            self._top.removeWidget(widget)
            self._side.removeWidget(widget)
        while self._side.count():
            self._side.takeAt(0)
        self._side.addWidget(self.preview_box)
        vertical = QBoxLayout.Direction.TopToBottom
        if wide:
            self._buttons.setDirection(QBoxLayout.Direction.LeftToRight)
            for row, widget in enumerate((self.pad, self.clear_undo, self.loader_row)):
                self._top.addWidget(widget, row, 0)
            self._top.addWidget(self.source_label, 3, 0)
            self._side.addWidget(self.output_plot)
            self._top.addWidget(self.side_box, 0, 1, 5, 1)
            self.output_plot.setFixedHeight(WIDE_BARS)
        else:
            self._buttons.setDirection(vertical)
            self._side.addWidget(self.clear_undo)
            self._side.addWidget(self.source_label)
            self._top.addWidget(self.pad, 0, 0)
            self._top.addWidget(self.side_box, 0, 1)
            self._top.addWidget(self.loader_row, 1, 0, 1, 2)
            self._top.addWidget(self.output_plot, 2, 0, 1, 2)
            self.output_plot.setFixedHeight(NARROW_BARS)
        self._side.addStretch(1)
        for widget in shown:  # moved to another parent, a widget is hidden until shown again
            widget.show()
        self.seen_label.setVisible(wide)
        self.preview_box.layout().setDirection(
            QBoxLayout.Direction.LeftToRight if wide else vertical
        )
        self._top.setColumnStretch(1, 1)
        self._top.setRowStretch(4 if wide else 3, 1)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        """Reflow between the wide and the narrow arrangement as the dock is resized."""
        super().resizeEvent(event)
        self._place(wide=event.size().width() >= WIDE_PANEL)
        self._show_guess(self._guess)

    def restyle(self) -> None:
        """Draw the charts, bars and notes in the theme's colours."""
        p = palette()
        style_plot(self.output_plot)
        for label in (self.source_label, self.seen_label):
            label.setStyleSheet(f"color: {css(p.dim)}")
        self.empty_text.setColor(qcolor(p.text))
        self._winner_brush = pg.mkBrush(qcolor(p.highlight))
        self._other_brush = pg.mkBrush(qcolor(p.muted))
        self.teach.restyle()
        self._show_outputs(self._outputs)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        """Follow a change of theme."""
        super().changeEvent(event)
        if theme_changed(self, event) and hasattr(self, "teach"):
            self.restyle()

    def set_predictor(self, fn: Predictor | None) -> None:
        """Use ``fn`` ((28, 28) input -> 10 outputs) for the guess; None shows no guess."""
        self._predictor = fn
        self.refresh_prediction()

    def set_class_names(self, names: tuple[str, ...]) -> None:
        """Name the outputs by the data's classes: one bar and one "It is" button per class."""
        names = tuple(names)
        if names == self.teach.names:
            return
        set_bar_names(self.output_plot, names)
        self.empty_text.setPos((len(names) - 1) / 2, 0.5)
        self.teach.set_class_names(names)
        self._show_outputs(
            None if self._outputs is None or len(self._outputs) != len(names) else self._outputs
        )
        self._update_buttons()

    def class_name(self, label: int) -> str:
        """Return the name of class ``label`` ("7", "Sneaker")."""
        return self.teach.name(label)

    def set_test_images(self, images: np.ndarray | None, labels: np.ndarray | None) -> None:
        """Offer these uint8 test images (n, 28, 28) and labels to "Load test digit"."""
        self._test_images, self._test_labels = images, labels
        n = 0 if images is None else len(images)
        self.test_index.setRange(0, max(n - 1, 0))
        for widget in (self.test_index, self.load_button, self.random_button):
            widget.setEnabled(n > 0)

    def network_input(self) -> np.ndarray | None:
        """Return the (28, 28) float32 input the network sees, or None when the pad is empty."""
        return None if self._input is None else self._input.copy()

    def outputs(self) -> np.ndarray | None:
        """Return the ten outputs the bar chart shows, or None when it shows none."""
        return None if self._outputs is None else self._outputs.copy()

    def drawing(self) -> np.ndarray | None:
        """Return the ink on the pad, (H, W) float32 in [0, 1], or None when it is empty."""
        return None if self.pad.is_empty() else self.pad.image()

    def set_drawing(self, ink: np.ndarray | None) -> None:
        """Put ink on the pad as ``drawing`` returned it (None clears the pad)."""
        if ink is None:
            self.pad.clear()
        else:
            self.pad.set_image(ink)

    def selected_label(self) -> int | None:
        """Return the digit chosen under "Teach it", or None."""
        return self.teach.selected_label()

    def select_label(self, label: int | None) -> None:
        """Choose the digit under "Teach it" (None for none)."""
        self.teach.select_label(label)
        self._update_buttons()

    def load_test_digit(self, index: int | None = None) -> None:
        """Put MNIST test image ``index`` (None: a random one) on the pad and pick its label."""
        if self._test_images is None or not len(self._test_images):
            return
        if index is None:
            index = int(self._rng.integers(len(self._test_images)))
        self.test_index.setValue(index)
        self.teach.show_result(None)
        self.pad.set_image(self._test_images[index])
        label = int(self._test_labels[index])
        self.source_label.setText(f"Test image #{index}, labelled {self.class_name(label)}")
        self.select_label(label)

    def refresh_prediction(self) -> None:
        """Run the predictor again on the current drawing (after the network has changed)."""
        outputs = None
        if self._input is not None and self._predictor is not None:
            outputs = np.asarray(self._predictor(self._input), np.float64).reshape(-1)
        self._show_outputs(outputs)

    def apply_step(self) -> None:
        """Teach the network the chosen label for this drawing: one SGD step on it."""
        label = self.selected_label()
        if self._input is None or label is None:
            return
        self.teach_requested.emit(self._input.copy(), label)

    def show_teach_result(
        self, result: TeachResult, accuracy: tuple[float, float] | None = None
    ) -> None:
        """Show a step's cost, wanted nudges and outputs before and after, then re-predict.

        ``accuracy``: the test accuracy (fractions) before and after the step, when known.
        """
        self.teach.show_result(result, accuracy)
        self.refresh_prediction()

    def set_undo_available(self, available: bool) -> None:
        """Enable "Undo the step" while the last step can still be undone."""
        self.teach.set_undo_available(available)

    def show_undone(self) -> None:
        """Say that the last step was undone; the guess follows the restored network."""
        self.teach.show_undone()

    def add_to_my_digits(self) -> None:
        """Add the current input with the chosen label to "my digits"."""
        label = self.selected_label()
        if self._input is None or label is None:
            return
        self.my_digits.add(self._input, label)
        self._update_count()

    def save_my_digits(self, path: str | Path) -> None:
        """Write "my digits" to ``path`` (.npz)."""
        self.my_digits.save(path)

    def open_my_digits(self, path: str | Path) -> None:
        """Replace "my digits" with the set in ``path``; raises DataError for a bad file."""
        self.my_digits = MyDigits.load(path)
        self._update_count()

    def _on_digit_drawn(self, ink: np.ndarray) -> None:
        """Preprocess the drawing, show it and its guess, and tell the window."""
        if self.pad.is_empty():
            self.source_label.setText("")
            self.teach.show_result(None)  # a result belongs to the drawing it was taught on
            self.select_label(None)  # and so does its label: a new drawing has none yet
        self._input = to_mnist(ink) if ink_present(ink) else None
        self._show_input(self._input)
        self.refresh_prediction()
        self._update_buttons()
        self.input_changed.emit(self.network_input())

    def _show_input(self, x: np.ndarray | None) -> None:
        """Show the 28x28 input, nearest-neighbour enlarged, or a black square."""
        x = np.zeros((SIZE, SIZE), np.float32) if x is None else x
        self.preview.setPixmap(_ink_pixmap(x, PREVIEW_SCALE, self.devicePixelRatioF()))

    def _show_outputs(self, outputs: np.ndarray | None) -> None:
        """Draw one bar per output, the winner highlighted, or the "draw a digit" message."""
        self._outputs = outputs
        if outputs is None:
            n = len(self.teach.names)
            self.bars.setOpts(x=np.arange(n), height=np.zeros(n))
            self.bars.setVisible(False)
            prompt = "draw a digit" if are_digits(self.teach.names) else "draw here"
            self.empty_text.setText(prompt if self._predictor else "no network yet")
            self.empty_text.setVisible(True)
            self._show_guess("")
            self.value_label.setText("")
            hint = self.empty_text.textItem.toPlainText()
            self.output_plot.setAccessibleDescription(f"No guess: {hint}.")
            self.pad.setAccessibleDescription("Empty: draw a digit here with the mouse.")
            return
        winner = int(np.argmax(outputs))
        brushes = [self._other_brush] * len(outputs)
        brushes[winner] = self._winner_brush
        self.bars.setOpts(x=np.arange(len(outputs)), height=outputs, brushes=brushes)
        self.bars.setVisible(True)
        self.empty_text.setVisible(False)
        self._show_guess(f"Guess: {self.class_name(winner)}")
        self.value_label.setText(f"its output a = {outputs[winner]:.2f}")
        each = ", ".join(f"{d}: {a:.2f}" for d, a in enumerate(outputs))
        self.output_plot.setAccessibleDescription(
            f"The network's guess: {winner}, output a = {outputs[winner]:.2f}. All ten: {each}."
        )
        self.pad.setAccessibleDescription(f"A drawing; the network's guess: {winner}.")

    def guess(self) -> str:
        """Return the guess in full, as "Guess: Sneaker" (empty when there is none)."""
        return self._guess

    def _show_guess(self, text: str) -> None:
        """Show the guess, each word cut to the label's width (a name longer than a narrow dock
        ends in an ellipsis; the tooltip has it whole)."""
        self._guess = text
        width = max(self.guess_label.width(), 60)
        font = self.guess_label.font()
        self.guess_label.setText(" ".join(fitted(word, font, width) for word in text.split(" ")))
        self.guess_label.setToolTip(text.replace("Guess:", "The network's guess:"))

    def _update_buttons(self) -> None:
        """Enable the teach and add buttons only when there is a drawing and a chosen label."""
        self.teach.set_ready(self._input is not None and self.selected_label() is not None)

    def _update_count(self) -> None:
        """Show how many digits "my digits" holds."""
        self.teach.set_count(len(self.my_digits))

    def _on_save_clicked(self) -> None:
        """Ask where to save "my digits" and save them."""
        start = documents_path(f"my-digits-{len(self.my_digits)}.npz")
        path, _ = QFileDialog.getSaveFileName(
            self, "Save my digits", str(start), "My digits (*.npz)"
        )
        if not path:
            return
        try:
            self.save_my_digits(path)
        except OSError as exc:
            self._warn("Could not save my digits", str(exc))

    def _on_open_clicked(self) -> None:
        """Ask for a "my digits" file and open it."""
        path, _ = QFileDialog.getOpenFileName(self, "Open my digits", "", "My digits (*.npz)")
        if not path:
            return
        try:
            self.open_my_digits(path)
        except DataError as exc:
            self._warn("Could not open my digits", str(exc))

    def _warn(self, title: str, text: str) -> None:
        """Show a warning whose text (it names a file) is plain text, never HTML."""
        box = QMessageBox(
            QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.exec()
