"""The drawing-pad panel: draw a digit, see what the network sees and guesses, and teach it.

The panel never does network math. It turns the drawing into MNIST's 28x28 input with
``engine.preprocess.to_mnist``, asks a predictor (given by the window) for the ten outputs, and
hands "Teach it" requests to a teacher function or, in the app, to the training worker.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFont, QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
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
from engine.words import a
from gui.colors import css, palette, qcolor
from gui.drawing_pad import DrawingPad
from gui.file_names import documents_path
from gui.theme import style_plot, theme_changed

PREVIEW_SCALE = 4  # screen pixels per network pixel in the 28x28 preview
NARROW_PANEL = 416  # the pad (280) and a 28 x 4 preview beside it, with margins
WIDE_PANEL = 620  # at least this wide, the outputs sit beside the pad; narrower, under it
WIDE_BARS, NARROW_BARS = 170, 130  # the output chart's height in each arrangement

Predictor = Callable[[np.ndarray], np.ndarray]
Teacher = Callable[[np.ndarray, int], TeachResult]


def _bar_plot(height: int, y_label: str) -> pg.PlotWidget:
    """Return a fixed-range plot with digits 0..9 on the x axis, for bar charts."""
    plot = pg.PlotWidget()
    plot.setFixedHeight(height)
    plot.setMinimumWidth(150)
    item = plot.getPlotItem()
    item.setMouseEnabled(x=False, y=False)
    item.setMenuEnabled(False)
    item.hideButtons()
    item.setXRange(-0.6, 9.6, padding=0)
    item.getAxis("bottom").setTicks([[(i, str(i)) for i in range(10)], []])
    item.setLabel("left", y_label)
    item.getAxis("left").enableAutoSIPrefix(False)
    style_plot(plot)
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
    teach_undo_requested = Signal()  # put the network back as it was before the last step
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
        self._top = QGridLayout()
        self._build_pad_column()
        self._build_output_column()
        self._wide: bool | None = None
        self._place(wide=False)
        self.setMinimumWidth(NARROW_PANEL)  # the narrow arrangement's width, not the wide one's
        layout.addLayout(self._top)
        layout.addWidget(self._build_teach_box())
        self._show_input(None)
        self._show_result(None)
        self._update_buttons()

    def _build_pad_column(self) -> None:
        """Create Clear and Undo, the test-digit loader and its source line."""
        self.clear_undo = QWidget()
        self._buttons = QBoxLayout(QBoxLayout.Direction.LeftToRight, self.clear_undo)
        self._buttons.setContentsMargins(0, 0, 0, 0)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Wipe the pad (Delete, Esc or double-click)")
        self.clear_button.clicked.connect(self.pad.clear)
        self.undo_button = QPushButton("Undo")
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
        self.load_button = QPushButton("Load test digit")
        self.load_button.clicked.connect(lambda: self.load_test_digit(self.test_index.value()))
        self.random_button = QPushButton("Random")
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
        self.value_label = QLabel()
        self.value_label.setWordWrap(True)
        caption.addWidget(seen)
        caption.addStretch(1)
        caption.addWidget(self.guess_label)
        caption.addWidget(self.value_label)
        row.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(caption, 1)
        self.output_plot = _bar_plot(WIDE_BARS, "output a")
        self.output_plot.getPlotItem().setYRange(0.0, 1.0, padding=0.03)
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

    def _build_teach_box(self) -> QGroupBox:
        """Create "Teach it": the label buttons, the SGD step, its result and "my digits"."""
        box = QGroupBox("Teach it")
        grid = QGridLayout(box)
        labels = QHBoxLayout()
        labels.addWidget(QLabel("It is"))  # "It is a 8" would be wrong for one button in ten
        self.label_group = QButtonGroup(self)
        self.label_group.setExclusive(True)
        for digit in range(10):
            button = QPushButton(str(digit))
            button.setCheckable(True)
            button.setFixedWidth(28)
            button.setToolTip(f"This drawing is {a(digit)}")
            self.label_group.addButton(button, digit)
            labels.addWidget(button)
        self.label_group.idToggled.connect(lambda *_: self._update_buttons())
        self.step_button = QPushButton("Apply one SGD step")
        self.step_button.setToolTip(
            "Backpropagate this one example and change every weight and bias by -eta * gradient"
        )
        self.step_button.clicked.connect(self.apply_step)
        self.undo_step_button = QPushButton("Undo the step")
        self.undo_step_button.setToolTip(
            "Put the network back exactly as it was before the last Teach-it step"
        )
        self.undo_step_button.setEnabled(False)
        self.undo_step_button.clicked.connect(self.teach_undo_requested)
        labels.setSpacing(4)
        labels.addStretch(1)
        steps = QHBoxLayout()
        steps.addWidget(self.step_button)
        steps.addWidget(self.undo_step_button)
        steps.addStretch(1)
        teach_row = QVBoxLayout()  # the step under the digits, so the row fits a narrow dock
        teach_row.addLayout(labels)
        teach_row.addLayout(steps)
        grid.addLayout(teach_row, 0, 0, 1, 2)
        self._style_label_buttons()

        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.RichText)
        lines = self.result_label.fontMetrics().lineSpacing()
        self.result_label.setMinimumHeight(3 * lines)  # wrapped text: keep room for three lines
        grid.addWidget(self.result_label, 2, 0, 1, 2)
        self.nudge_plot = _bar_plot(120, "-dC/da")
        self.nudge_bars = pg.BarGraphItem(x=np.arange(10), height=np.zeros(10), width=0.6)
        self.nudge_plot.addItem(self.nudge_bars)
        self.zero_line = pg.InfiniteLine(pos=0.0, angle=0, pen=pg.mkPen(qcolor(palette().text, 90)))
        self.nudge_plot.addItem(self.zero_line)
        self.change_plot = _bar_plot(120, "output a")
        self.change_plot.getPlotItem().setYRange(0.0, 1.0, padding=0.03)
        self.before_bars = pg.BarGraphItem(
            x=np.arange(10) - 0.18, height=np.zeros(10), width=0.34, brush=qcolor(palette().muted)
        )
        self.after_bars = pg.BarGraphItem(
            x=np.arange(10) + 0.18,
            height=np.zeros(10),
            width=0.34,
            brush=qcolor(palette().positive),
        )
        self.change_plot.addItem(self.before_bars)
        self.change_plot.addItem(self.after_bars)
        before, after = (css(c) for c in (palette().muted, palette().positive))
        up, down = (css(c) for c in (palette().positive, palette().negative))
        self._caption_colours = [before, after, up, down]
        self.nudge_caption = QLabel()
        self.change_caption = QLabel(
            f"Outputs <span style='color:{before}'>&#9632; before</span> and "
            f"<span style='color:{after}'>&#9632; after</span> the step"
        )
        for column, (caption, plot) in enumerate(
            ((self.nudge_caption, self.nudge_plot), (self.change_caption, self.change_plot))
        ):
            caption.setWordWrap(True)
            caption.setMinimumHeight(2 * lines)
            grid.addWidget(caption, 3, column)
            grid.addWidget(plot, 4, column)

        mine = QGridLayout()
        self.add_button = QPushButton("Add to my digits")
        self.add_button.setToolTip("Keep this drawing with the chosen label, to train on later")
        self.add_button.clicked.connect(self.add_to_my_digits)
        self.save_button = QPushButton("Save my digits…")
        self.save_button.clicked.connect(self._on_save_clicked)
        self.open_button = QPushButton("Open my digits…")
        self.open_button.clicked.connect(self._on_open_clicked)
        self.count_label = QLabel()
        for i, widget in enumerate(
            (self.add_button, self.count_label, self.save_button, self.open_button)
        ):
            mine.addWidget(widget, i // 2, i % 2)  # two by two: it fits a narrow dock
        grid.addLayout(mine, 5, 0, 1, 2)
        self._update_count()
        return box

    def restyle(self) -> None:
        """Draw the charts, bars and notes in the theme's colours."""
        p = palette()
        for plot in (self.output_plot, self.nudge_plot, self.change_plot):
            style_plot(plot)
        for label in (self.source_label, self.seen_label):
            label.setStyleSheet(f"color: {css(p.dim)}")
        self.empty_text.setColor(qcolor(p.text))
        self._winner_brush = pg.mkBrush(qcolor(p.highlight))
        self._other_brush = pg.mkBrush(qcolor(p.muted))
        self.zero_line.setPen(pg.mkPen(qcolor(p.text, 90)))
        self.before_bars.setOpts(brush=qcolor(p.muted))
        self.after_bars.setOpts(brush=qcolor(p.positive))
        new = [css(c) for c in (p.muted, p.positive, p.positive, p.negative)]
        for caption in (self.nudge_caption, self.change_caption):
            text = caption.text()  # the colour words of the captions, in the old theme's colours
            for old, colour in zip(self._caption_colours, new):
                text = text.replace(old, colour)
            caption.setText(text)
        self._caption_colours = new
        self._style_label_buttons()
        self._show_outputs(self._outputs)

    def _style_label_buttons(self) -> None:
        """Fill the chosen "It is N" button with the highlight colour: unmistakable in any theme."""
        chosen = css(palette().highlight)
        for button in self.label_group.buttons():
            button.setStyleSheet(
                f"QPushButton:checked {{ background: {chosen}; color: black; font-weight: bold;"
                " border: 2px solid black; border-radius: 3px; }"
            )

    def _nudge_arrows(self) -> str:
        """Return "up for the right digit, down for the others" in the theme's sign colours."""
        up, down = (css(c) for c in (palette().positive, palette().negative))
        return (
            f"<span style='color:{up}'>&#9650; up</span> for the right digit, "
            f"<span style='color:{down}'>&#9660; down</span> for the others"
        )

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        """Follow a change of theme."""
        super().changeEvent(event)
        if theme_changed(self, event) and hasattr(self, "_caption_colours"):
            self.restyle()

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

    def show_teach_result(
        self, result: TeachResult, accuracy: tuple[float, float] | None = None
    ) -> None:
        """Show a step's cost, wanted nudges and outputs before and after, then re-predict.

        ``accuracy``: the test accuracy (fractions) before and after the step, when known.
        """
        self._show_result(result, accuracy)
        self.refresh_prediction()

    def set_undo_available(self, available: bool) -> None:
        """Enable "Undo the step" while the last step can still be undone."""
        self.undo_step_button.setEnabled(available)

    def show_undone(self) -> None:
        """Say that the last step was undone; the guess follows the restored network."""
        self._show_result(None)
        self.result_label.setText(
            "Undone: the network is exactly as it was before the step. Try another digit, "
            "or a smaller learning rate."
        )
        self.undo_step_button.setEnabled(False)

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

    def _show_result(
        self, result: TeachResult | None, accuracy: tuple[float, float] | None = None
    ) -> None:
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
        text = (
            f"Taught <b>{result.label}</b> with one step, learning rate &eta; = {result.eta:g}: "
            f"cost C = {c[0]:.4f} &rarr; <b>{c[1]:.4f}</b>; "
            f"guess {result.guess_before} &rarr; <b>{result.guess_after}</b>."
        )
        if accuracy is not None:
            before, after = (100 * a for a in accuracy)
            text += (
                f" Test accuracy {before:.2f}% &rarr; <b>{after:.2f}%</b>: one example moved "
                "every weight, so every other digit's answer changed too."
            )
        self.result_label.setText(text)
        name = result.nudge_name
        if name == "-dC/dz":
            self.nudge_caption.setText(
                "Wanted change of each output's z, -dC/dz = y - a (with softmax one output "
                f"cannot move alone, so the nudge is on z): {self._nudge_arrows()}"
            )
        else:
            self.nudge_caption.setText(
                f"Wanted nudges of each output, -dC/da = y - a: {self._nudge_arrows()}"
            )
        self.nudge_plot.getPlotItem().setLabel("left", name)
        nudges = np.asarray(result.nudges, np.float64)
        self.nudge_bars.setOpts(
            height=nudges,
            brushes=[
                pg.mkBrush(qcolor(palette().positive if v >= 0 else palette().negative))
                for v in nudges
            ],
        )
        top = max(float(np.abs(nudges).max()), 1e-3) * 1.1
        self.nudge_plot.getPlotItem().setYRange(-top, top, padding=0)
        self.before_bars.setOpts(height=np.asarray(result.outputs_before, np.float64))
        self.after_bars.setOpts(height=np.asarray(result.outputs_after, np.float64))

    def _update_buttons(self) -> None:
        """Enable the teach and add buttons only when there is a drawing and a chosen label."""
        label = self.selected_label()
        ready = self._input is not None and label is not None
        self.step_button.setEnabled(ready)
        self.add_button.setEnabled(ready)
        self.step_button.setText(
            "Apply one SGD step" if label is None else f"Apply one SGD step: a {label}"
        )

    def _update_count(self) -> None:
        """Show how many digits "my digits" holds."""
        n = len(self.my_digits)
        self.count_label.setText(f"my digits: {n}")
        self.save_button.setEnabled(n > 0)

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
