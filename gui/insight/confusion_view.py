"""The confusion matrix on the test set: the digit shown (rows) against the answer (columns).

Right answers sit on the diagonal in blue, shaded by the fraction of that digit answered right;
mistakes are red, shaded against the most frequent mistake, so the common confusions stand out.
Clicking a cell shows its examples, most confident first, in a strip under the matrix.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QRectF, Qt, Signal
from PySide6.QtGui import QFont, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from engine.insight import ConfusionResult, examples_in_cell
from engine.words import a, quantity
from gui.colors import DARK, css, palette, qcolor
from gui.insight.digit_gallery import DigitGallery
from gui.theme import theme_changed

N = 10
LEFT = 52  # room for the row digits and the rotated "true digit" title
TOP = 44  # room for the column digits and the "predicted" title


def cell_colours(matrix: np.ndarray) -> np.ndarray:
    """Return (10, 10, 3) RGB fills: blue by row fraction on the diagonal, red off it."""
    matrix = np.asarray(matrix, np.float64)
    rows = np.maximum(matrix.sum(axis=1, keepdims=True), 1.0)
    off = matrix * (1 - np.eye(N))
    t = np.where(np.eye(N, dtype=bool), matrix / rows, off / max(off.max(), 1.0))[..., None]
    hue = np.where(np.eye(N, dtype=bool)[..., None], palette().positive, palette().negative)
    bg = np.array(palette().background, np.float64)
    return np.rint(bg + (hue - bg) * t).astype(np.uint8)


def matrix_words(matrix: np.ndarray | None) -> str:
    """Say what a confusion matrix shows: how many are right and the most common mistake."""
    if matrix is None:
        return "No result yet."
    total = int(matrix.sum())
    right = int(np.trace(matrix))
    off = matrix * (1 - np.eye(N, dtype=matrix.dtype))
    true, predicted = divmod(int(np.argmax(off)), N)
    words = f"Rows: the true digit, columns: the prediction. {right:,} of {total:,} right"
    count = int(off[true, predicted])
    if count > 0:
        words += f"; the most common mistake: {true} read as {predicted}, {count} times"
    return words + "."


class _MatrixCanvas(QWidget):
    """Paints the 10x10 grid with its counts and reports clicked cells."""

    cell_clicked = Signal(int, int)  # true digit, predicted digit

    def __init__(self) -> None:
        super().__init__()
        self.setMinimumSize(LEFT + 10 * 26 + 8, TOP + 10 * 26 + 8)
        self.matrix: np.ndarray | None = None
        self.colours: np.ndarray | None = None
        self.selected: tuple[int, int] | None = None

    def cell_size(self) -> float:
        """Return the side of one cell in pixels."""
        return max(8.0, min((self.width() - LEFT - 8) / N, (self.height() - TOP - 8) / N))

    def left(self) -> float:
        """Return the x of the grid's left edge: the grid and its labels sit centred."""
        return max(float(LEFT), (self.width() - N * self.cell_size() + LEFT) / 2 - 4)

    def cell_rect(self, true: int, predicted: int) -> QRectF:
        """Return the rectangle of cell [true, predicted]."""
        s = self.cell_size()
        return QRectF(self.left() + predicted * s, TOP + true * s, s, s)

    def cell_center(self, true: int, predicted: int) -> QPoint:
        """Return the centre of cell [true, predicted], for clicks."""
        return self.cell_rect(true, predicted).center().toPoint()

    def set_matrix(self, matrix: np.ndarray | None) -> None:
        """Show these counts."""
        self.matrix = None if matrix is None else np.asarray(matrix)
        self.colours = None if matrix is None else cell_colours(matrix)
        self.setAccessibleName("Confusion matrix")
        self.setAccessibleDescription(matrix_words(self.matrix))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        """Paint the axes, the cells and their counts."""
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), qcolor(palette().background))
        s = self.cell_size()
        left = self.left()
        font = QFont()
        font.setPixelSize(12)
        p.setFont(font)
        p.setPen(qcolor(palette().text))
        for d in range(N):
            p.drawText(QRectF(left + d * s, TOP - 20, s, 18), Qt.AlignmentFlag.AlignCenter, str(d))
            p.drawText(QRectF(left - 22, TOP + d * s, 18, s), Qt.AlignmentFlag.AlignCenter, str(d))
        title = QFont(font)
        title.setBold(True)
        p.setFont(title)
        p.drawText(
            QRectF(left, 2, N * s, 18), Qt.AlignmentFlag.AlignCenter, "predicted (the answer)"
        )
        p.save()
        p.translate(left - LEFT + 14, TOP + N * s / 2)
        p.rotate(-90)
        p.drawText(QRectF(-N * s / 2, -10, N * s, 20), Qt.AlignmentFlag.AlignCenter, "true digit")
        p.restore()
        if self.matrix is not None:
            count_font = QFont(font)
            count_font.setPixelSize(max(8, int(s * 0.34)))
            p.setFont(count_font)
            for true in range(N):
                for predicted in range(N):
                    self._paint_cell(p, true, predicted)
        if self.selected is not None:
            p.setPen(QPen(qcolor(palette().highlight), 2.5))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(self.cell_rect(*self.selected).adjusted(1, 1, -1, -1))
        p.end()

    def _paint_cell(self, p: QPainter, true: int, predicted: int) -> None:
        """Fill one cell and write its count, dark on bright fills."""
        rect = self.cell_rect(true, predicted)
        rgb = tuple(int(c) for c in self.colours[true, predicted])
        p.fillRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), qcolor(rgb))
        count = int(self.matrix[true, predicted])
        if count == 0:
            p.setPen(qcolor(palette().faint))
        else:
            p.setPen(qcolor(DARK.background if sum(rgb) > 400 else DARK.text))  # ink by cell
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(count))

    def cell_at(self, pos: QPoint) -> tuple[int, int] | None:
        """Return the [true, predicted] cell under ``pos``, or None."""
        s = self.cell_size()
        col = int((pos.x() - self.left()) // s)
        row = int((pos.y() - TOP) // s)
        if pos.x() < self.left() or pos.y() < TOP or row >= N or col >= N:
            return None
        return row, col

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        """Select and report the clicked cell."""
        cell = self.cell_at(event.position().toPoint())
        if cell is None or self.matrix is None or event.button() != Qt.MouseButton.LeftButton:
            return
        self.selected = cell
        self.update()
        self.cell_clicked.emit(*cell)


class ConfusionView(QWidget):
    """A clickable confusion matrix with the accuracy and the chosen cell's examples."""

    cell_clicked = Signal(int, int)  # true digit, predicted digit of the clicked cell
    digit_clicked = Signal(int)  # index into the images of a clicked example

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = _MatrixCanvas()
        self.canvas.cell_clicked.connect(self._on_cell_clicked)
        self.caption = QLabel("No result yet.")
        self.caption.setWordWrap(True)
        self.strip_title = QLabel("Click a cell to see its examples.")
        self.gallery = DigitGallery()
        self.gallery.setFixedHeight(2 * self.gallery.canvas.tile_size().height() + 8)
        self.gallery.digit_clicked.connect(self.digit_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.strip_title)
        layout.addWidget(self.gallery)
        self.result: ConfusionResult | None = None
        self._images = np.zeros((0, 28, 28), np.uint8)
        self._labels = np.zeros(0, np.uint8)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        """Recolour the matrix and its caption when the theme changes."""
        super().changeEvent(event)
        if theme_changed(self, event) and self.result is not None:
            self.set_result(self.result, self._images, self._labels)

    def set_result(self, result: ConfusionResult, images: np.ndarray, labels: np.ndarray) -> None:
        """Show a confusion result over ``images`` and ``labels``; a chosen cell stays chosen."""
        self.result = result
        self._images = images
        self._labels = labels
        self.canvas.set_matrix(result.matrix)
        self.caption.setText(
            f"<b>Test accuracy {100 * result.accuracy:.2f}%</b> ({result.correct:,} of "
            f"{result.total:,} right). Rows: the digit shown; columns: the network's answer. "
            f"<span style='color: {css(palette().positive)}'>Blue</span>: right answers; "
            f"<span style='color: {css(palette().negative)}'>red</span>: mistakes, the more the "
            "brighter."
        )
        if self.canvas.selected is not None:
            self.show_cell(*self.canvas.selected)

    def show_cell(self, true: int, predicted: int) -> None:
        """Select cell [true, predicted] and show its examples, the most confident first."""
        self.canvas.selected = (true, predicted)
        self.canvas.update()
        if self.result is None:
            return
        cell = examples_in_cell(self.result, self._labels, true, predicted)
        captions = [f"{self.result.confidences[i]:.2f}" for i in cell]
        self.gallery.set_digits(self._images, cell, captions)
        verdict = "answered right" if true == predicted else f"mistaken for {a(predicted)}"
        self.strip_title.setText(
            f"{quantity(len(cell), 'test image')} of {a(true)} {verdict} (confidence under each)"
        )
        self.gallery.set_empty_text("None.")

    def _on_cell_clicked(self, true: int, predicted: int) -> None:
        """Show the clicked cell's examples and report the cell."""
        self.show_cell(true, predicted)
        self.cell_clicked.emit(true, predicted)
