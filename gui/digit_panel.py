"""The drawing-pad panel: draw a digit, see what the network sees and guesses, and teach it.

The panel never does network math. It turns the drawing into MNIST's 28x28 input with
``engine.preprocess.to_mnist``, asks a predictor (given by the window) for the ten outputs, and
hands "Teach it" requests to a teacher function or, in the app, to the training worker.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QImage, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

# isort: split
import pyqtgraph as pg

from engine.errors import DataError
from engine.my_digits import MyDigits
from engine.preprocess import SIZE, ink_present, to_mnist
from engine.teach import TeachResult
from gui.colors import BACKGROUND, HIGHLIGHT, NEGATIVE, POSITIVE, TEXT, qcolor
from gui.drawing_pad import DrawingPad

PREVIEW_SCALE = 5  # screen pixels per network pixel in the 28x28 preview
OTHER_BAR = (105, 115, 135)  # the outputs that did not win
BEFORE_BAR = (95, 100, 115)

Predictor = Callable[[np.ndarray], np.ndarray]
Teacher = Callable[[np.ndarray, int], TeachResult]


def _bar_plot(height: int, y_label: str) -> pg.PlotWidget:
    """Return a fixed-range plot with digits 0..9 on the x axis, for bar charts."""
    plot = pg.PlotWidget()
    plot.setBackground(qcolor(BACKGROUND))
    plot.setFixedHeight(height)
    plot.setMinimumWidth(260)
    item = plot.getPlotItem()
    item.setMouseEnabled(x=False, y=False)
    item.setMenuEnabled(False)
    item.hideButtons()
    item.setXRange(-0.6, 9.6, padding=0)
    item.getAxis("bottom").setTicks([[(i, str(i)) for i in range(10)], []])
    item.setLabel("left", y_label)
    item.getAxis("left").enableAutoSIPrefix(False)
    for side in ("bottom", "left"):
        item.getAxis(side).setTextPen(qcolor(TEXT))
    return plot


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
    my_digits_changed = Signal(object)  # MyDigits

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._predictor: Predictor | None = None
        self._teacher: Teacher | None = None
        self._input: np.ndarray | None = None  # (28, 28) float32, None when the pad is empty
        self._outputs: np.ndarray | None = None
        self._test_images: np.ndarray | None = None
        self._test_labels: np.ndarray | None = None
        self._rng = np.random.default_rng()
        self.my_digits = MyDigits()

        self.pad = DrawingPad()
        self.pad.digit_drawn.connect(self._on_digit_drawn)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addLayout(self._build_pad_column())
        top.addLayout(self._build_output_column(), 1)
        layout.addLayout(top)
        layout.addWidget(self._build_teach_box())
        self._show_input(None)
        self._show_result(None)
        self._update_buttons()

    def _build_pad_column(self) -> QVBoxLayout:
        """Create the pad with Clear, Undo and the test-digit loader under it."""
        column = QVBoxLayout()
        column.addWidget(self.pad)
        buttons = QHBoxLayout()
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Wipe the pad (Delete, Esc or double-click)")
        self.clear_button.clicked.connect(self.pad.clear)
        self.undo_button = QPushButton("Undo")
        self.undo_button.setToolTip("Remove the last stroke (Ctrl+Z)")
        self.undo_button.clicked.connect(self.pad.undo)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.undo_button)
        column.addLayout(buttons)
        loader = QHBoxLayout()
        self.test_index = QSpinBox()
        self.test_index.setPrefix("test #")
        self.test_index.setToolTip("Which MNIST test image to put on the pad")
        self.load_button = QPushButton("Load test digit")
        self.load_button.clicked.connect(lambda: self.load_test_digit(self.test_index.value()))
        self.random_button = QPushButton("Random")
        self.random_button.setToolTip("Put a random MNIST test image on the pad")
        self.random_button.clicked.connect(lambda: self.load_test_digit(None))
        loader.addWidget(self.test_index, 1)
        loader.addWidget(self.load_button)
        loader.addWidget(self.random_button)
        column.addLayout(loader)
        self.source_label = QLabel("")
        self.source_label.setStyleSheet("color: gray")
        column.addWidget(self.source_label)
        column.addStretch(1)
        self.set_test_images(None, None)
        return column

    def _build_output_column(self) -> QVBoxLayout:
        """Create the 28x28 preview, the guess and the bar chart of the ten outputs."""
        column = QVBoxLayout()
        row = QHBoxLayout()
        self.preview = QLabel()
        side = SIZE * PREVIEW_SCALE
        self.preview.setFixedSize(side, side)
        self.preview.setToolTip("Exactly the 28x28 pixels the network receives")
        caption = QVBoxLayout()
        seen = QLabel(
            "What the network sees:\n28 x 28 pixels, the digit\nscaled to 20 pixels and\n"
            "centred by its mass"
        )
        seen.setStyleSheet("color: gray")
        self.guess_label = QLabel()
        font = QFont(self.guess_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.guess_label.setFont(font)
        self.value_label = QLabel()
        caption.addWidget(seen)
        caption.addStretch(1)
        caption.addWidget(self.guess_label)
        caption.addWidget(self.value_label)
        row.addWidget(self.preview)
        row.addLayout(caption, 1)
        column.addLayout(row)
        self.output_plot = _bar_plot(170, "output a")
        self.output_plot.getPlotItem().setYRange(0.0, 1.0, padding=0.03)
        self.output_plot.getPlotItem().getAxis("left").setTicks([[(0, "0"), (0.5, ".5"), (1, "1")]])
        self.bars = pg.BarGraphItem(x=np.arange(10), height=np.zeros(10), width=0.7)
        self.output_plot.addItem(self.bars)
        self.empty_text = pg.TextItem("draw a digit", color=qcolor(TEXT), anchor=(0.5, 0.5))
        self.empty_text.setPos(4.5, 0.5)
        self.output_plot.addItem(self.empty_text)
        self._winner_brush = pg.mkBrush(qcolor(HIGHLIGHT))
        self._other_brush = pg.mkBrush(qcolor(OTHER_BAR))
        column.addWidget(self.output_plot)
        return column

    def _build_teach_box(self) -> QGroupBox:
        """Create "Teach it": the label buttons, the SGD step, its result and "my digits"."""
        box = QGroupBox("Teach it")
        grid = QGridLayout(box)
        labels = QHBoxLayout()
        labels.addWidget(QLabel("It is a"))
        self.label_group = QButtonGroup(self)
        self.label_group.setExclusive(True)
        for digit in range(10):
            button = QPushButton(str(digit))
            button.setCheckable(True)
            button.setFixedWidth(30)
            button.setToolTip(f"This drawing is a {digit}")
            self.label_group.addButton(button, digit)
            labels.addWidget(button)
        self.label_group.idToggled.connect(lambda *_: self._update_buttons())
        self.step_button = QPushButton("Apply one SGD step")
        self.step_button.setToolTip(
            "Backpropagate this one example and change every weight and bias by -eta * gradient"
        )
        self.step_button.clicked.connect(self.apply_step)
        labels.addSpacing(12)
        labels.addWidget(self.step_button)
        labels.addStretch(1)
        grid.addLayout(labels, 0, 0, 1, 2)

        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.RichText)
        lines = self.result_label.fontMetrics().lineSpacing()
        self.result_label.setMinimumHeight(3 * lines)  # wrapped text: keep room for three lines
        grid.addWidget(self.result_label, 1, 0, 1, 2)
        self.nudge_plot = _bar_plot(120, "-dC/da")
        self.nudge_bars = pg.BarGraphItem(x=np.arange(10), height=np.zeros(10), width=0.6)
        self.nudge_plot.addItem(self.nudge_bars)
        self.nudge_plot.addItem(pg.InfiniteLine(pos=0.0, angle=0, pen=pg.mkPen(qcolor(TEXT, 90))))
        self.change_plot = _bar_plot(120, "output a")
        self.change_plot.getPlotItem().setYRange(0.0, 1.0, padding=0.03)
        self.before_bars = pg.BarGraphItem(
            x=np.arange(10) - 0.18, height=np.zeros(10), width=0.34, brush=qcolor(BEFORE_BAR)
        )
        self.after_bars = pg.BarGraphItem(
            x=np.arange(10) + 0.18, height=np.zeros(10), width=0.34, brush=qcolor(POSITIVE)
        )
        self.change_plot.addItem(self.before_bars)
        self.change_plot.addItem(self.after_bars)
        before, after = (qcolor(c).name() for c in (BEFORE_BAR, POSITIVE))
        up, down = (qcolor(c).name() for c in (POSITIVE, NEGATIVE))
        self.nudge_caption = QLabel(
            f"Wanted nudges -dC/da: <span style='color:{up}'>&#9650; up</span> for the right "
            f"digit, <span style='color:{down}'>&#9660; down</span> for the others"
        )
        self.change_caption = QLabel(
            f"Outputs <span style='color:{before}'>&#9632; before</span> and "
            f"<span style='color:{after}'>&#9632; after</span> the step"
        )
        for column, (caption, plot) in enumerate(
            ((self.nudge_caption, self.nudge_plot), (self.change_caption, self.change_plot))
        ):
            caption.setWordWrap(True)
            caption.setMinimumHeight(2 * lines)
            grid.addWidget(caption, 2, column)
            grid.addWidget(plot, 3, column)

        mine = QHBoxLayout()
        self.add_button = QPushButton("Add to my digits")
        self.add_button.setToolTip("Keep this drawing with the chosen label, to train on later")
        self.add_button.clicked.connect(self.add_to_my_digits)
        self.save_button = QPushButton("Save my digits…")
        self.save_button.clicked.connect(self._on_save_clicked)
        self.open_button = QPushButton("Open my digits…")
        self.open_button.clicked.connect(self._on_open_clicked)
        self.count_label = QLabel()
        for widget in (self.add_button, self.save_button, self.open_button, self.count_label):
            mine.addWidget(widget)
        mine.addStretch(1)
        grid.addLayout(mine, 4, 0, 1, 2)
        self._update_count()
        return box

    def set_predictor(self, fn: Predictor | None) -> None:
        """Use ``fn`` ((28, 28) input -> 10 outputs) for the guess; None shows no guess."""
        self._predictor = fn
        self.refresh_prediction()

    def set_teacher(self, fn: Teacher | None) -> None:
        """Let "Apply one SGD step" call ``fn(input, label)`` directly instead of emitting."""
        self._teacher = fn

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

    def selected_label(self) -> int | None:
        """Return the digit chosen under "Teach it", or None."""
        label = self.label_group.checkedId()
        return None if label < 0 else label

    def select_label(self, label: int | None) -> None:
        """Choose the digit under "Teach it" (None for none)."""
        if label is None:
            checked = self.label_group.checkedButton()
            if checked is not None:
                self.label_group.setExclusive(False)
                checked.setChecked(False)
                self.label_group.setExclusive(True)
        else:
            self.label_group.button(int(label)).setChecked(True)
        self._update_buttons()

    def load_test_digit(self, index: int | None = None) -> None:
        """Put MNIST test image ``index`` (None: a random one) on the pad and pick its label."""
        if self._test_images is None or not len(self._test_images):
            return
        if index is None:
            index = int(self._rng.integers(len(self._test_images)))
        self.test_index.setValue(index)
        self._show_result(None)
        self.pad.set_image(self._test_images[index])
        label = int(self._test_labels[index])
        self.source_label.setText(f"MNIST test image #{index}, labelled {label}")
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
        if self._teacher is not None:
            self.show_teach_result(self._teacher(self._input.copy(), label))
        else:
            self.teach_requested.emit(self._input.copy(), label)

    def show_teach_result(self, result: TeachResult) -> None:
        """Show a step's cost, wanted nudges and outputs before and after, then re-predict."""
        self._show_result(result)
        self.refresh_prediction()

    def add_to_my_digits(self) -> None:
        """Add the current input with the chosen label to "my digits"."""
        label = self.selected_label()
        if self._input is None or label is None:
            return
        self.my_digits.add(self._input, label)
        self._update_count()
        self.my_digits_changed.emit(self.my_digits)

    def save_my_digits(self, path: str | Path) -> None:
        """Write "my digits" to ``path`` (.npz)."""
        self.my_digits.save(path)

    def open_my_digits(self, path: str | Path) -> None:
        """Replace "my digits" with the set in ``path``; raises DataError for a bad file."""
        self.my_digits = MyDigits.load(path)
        self._update_count()
        self.my_digits_changed.emit(self.my_digits)

    def _on_digit_drawn(self, ink: np.ndarray) -> None:
        """Preprocess the drawing, show it and its guess, and tell the window."""
        if self.pad.is_empty():
            self.source_label.setText("")
            self._show_result(None)  # a result belongs to the drawing it was taught on
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
        """Draw the ten outputs, the winner highlighted, or the "draw a digit" message."""
        self._outputs = outputs
        if outputs is None:
            self.bars.setOpts(height=np.zeros(10))
            self.bars.setVisible(False)
            self.empty_text.setText("draw a digit" if self._predictor else "no network yet")
            self.empty_text.setVisible(True)
            self.guess_label.setText("")
            self.value_label.setText("")
            return
        winner = int(np.argmax(outputs))
        brushes = [self._other_brush] * len(outputs)
        brushes[winner] = self._winner_brush
        self.bars.setOpts(x=np.arange(len(outputs)), height=outputs, brushes=brushes)
        self.bars.setVisible(True)
        self.empty_text.setVisible(False)
        self.guess_label.setText(f"Guess: {winner}")
        self.value_label.setText(f"its output a = {outputs[winner]:.2f}")

    def _show_result(self, result: TeachResult | None) -> None:
        """Fill the "Teach it" result area, or show how to use it."""
        for widget in (self.nudge_plot, self.change_plot, self.nudge_caption, self.change_caption):
            widget.setVisible(result is not None)
        if result is None:
            self.result_label.setText(
                "Click the digit this drawing really is, then apply one SGD step: you will see "
                "this example's cost, how the output neurons want to move, and what one step did."
            )
            return
        c = result.cost_before, result.cost_after
        self.result_label.setText(
            f"Taught <b>{result.label}</b> with one step, learning rate &eta; = {result.eta:g}: "
            f"cost C = {c[0]:.4f} &rarr; <b>{c[1]:.4f}</b>; "
            f"guess {result.guess_before} &rarr; <b>{result.guess_after}</b>."
        )
        nudges = np.asarray(result.nudges, np.float64)
        self.nudge_bars.setOpts(
            height=nudges,
            brushes=[pg.mkBrush(qcolor(POSITIVE if v >= 0 else NEGATIVE)) for v in nudges],
        )
        top = max(float(np.abs(nudges).max()), 1e-3) * 1.1
        self.nudge_plot.getPlotItem().setYRange(-top, top, padding=0)
        self.before_bars.setOpts(height=np.asarray(result.outputs_before, np.float64))
        self.after_bars.setOpts(height=np.asarray(result.outputs_after, np.float64))

    def _update_buttons(self) -> None:
        """Enable the teach and add buttons only when there is a drawing and a chosen label."""
        ready = self._input is not None and self.selected_label() is not None
        self.step_button.setEnabled(ready)
        self.add_button.setEnabled(ready)

    def _update_count(self) -> None:
        """Show how many digits "my digits" holds."""
        n = len(self.my_digits)
        self.count_label.setText(f"my digits: {n}")
        self.save_button.setEnabled(n > 0)

    def _on_save_clicked(self) -> None:
        """Ask where to save "my digits" and save them."""
        path, _ = QFileDialog.getSaveFileName(
            self, "Save my digits", "my-digits.npz", "My digits (*.npz)"
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
