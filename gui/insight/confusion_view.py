"""The confusion matrix on the test set: the class shown (rows) against the answer (columns).

One row and one column per output neuron, named by the data's class names (digits for MNIST).
Right answers sit on the diagonal in blue, shaded by the fraction of that class answered right;
mistakes are red, shaded against the most frequent mistake, so the common confusions stand out.
Clicking a cell shows its examples, most confident first, in a strip under the matrix.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QRectF, Qt, Signal
from PySide6.QtGui import QFont, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from engine.lessons.insight import ConfusionResult, examples_in_cell
from engine.words import a, quantity
from gui.class_labels import fitted, names_for, widest
from gui.colors import DARK, css, palette, qcolor
from gui.insight.digit_gallery import DigitGallery
from gui.theme import theme_changed

N = 10  # MNIST's digits: the grid's size until a matrix says otherwise
LEFT = 52  # room for the row digits and the rotated "true digit" title
TOP = 44  # room for the column digits and the "predicted" title
ROW_NAMES_MAX = 96  # row names wider than this are cut with an ellipsis (full name on hover)
COLUMN_NAMES_MAX = 84  # column names too wide for their cells stand upright, this tall at most


def cell_colours(matrix: np.ndarray) -> np.ndarray:
    """Return (n, n, 3) RGB fills: blue by row fraction on the diagonal, red off it."""
    matrix = np.asarray(matrix, np.float64)
    n = len(matrix)
    rows = np.maximum(matrix.sum(axis=1, keepdims=True), 1.0)
    off = matrix * (1 - np.eye(n))
    t = np.where(np.eye(n, dtype=bool), matrix / rows, off / max(off.max(), 1.0))[..., None]
    hue = np.where(np.eye(n, dtype=bool)[..., None], palette().positive, palette().negative)
    bg = np.array(palette().background, np.float64)
    return np.rint(bg + (hue - bg) * t).astype(np.uint8)


def _label_font() -> QFont:
    """Return the 12-pixel font of the row and column names."""
    font = QFont()
    font.setPixelSize(12)
    return font


def matrix_words(matrix: np.ndarray | None, names: tuple[str, ...] = ()) -> str:
    """Say what a confusion matrix shows: how many are right and the most common mistake."""
    if matrix is None:
        return "No result yet."
    n = len(matrix)
    names = names if len(names) == n else tuple(str(j) for j in range(n))
    total = int(matrix.sum())
    right = int(np.trace(matrix))
    off = matrix * (1 - np.eye(n, dtype=matrix.dtype))
    true, predicted = divmod(int(np.argmax(off)), n)
    words = f"Rows: the true class, columns: the prediction. {right:,} of {total:,} right"
    count = int(off[true, predicted])
    if count > 0:
        words += (
            f"; the most common mistake: {names[true]} read as {names[predicted]}, {count} times"
        )
    return words + "."


class _MatrixCanvas(QWidget):
    """Paints the n x n grid with its counts and reports clicked cells."""

    cell_clicked = Signal(int, int)  # true class, predicted class

    def __init__(self) -> None:
        super().__init__()
        self.matrix: np.ndarray | None = None
        self.colours: np.ndarray | None = None
        self.selected: tuple[int, int] | None = None
        self.names: tuple[str, ...] = names_for(None, N)
        self.set_names(self.names)

    @property
    def n(self) -> int:
        """Return the number of rows (and columns): one per class."""
        return len(self.names)

    def set_names(self, names: tuple[str, ...]) -> None:
        """Name the rows and columns (one name per class); the margin grows for long names."""
        self.names = tuple(names)
        self._widest = widest(self.names, _label_font())
        tallest = TOP - 18 + min(self._widest, COLUMN_NAMES_MAX) + 4  # with upright names
        self.setMinimumSize(LEFT + 10 * 26 + 8, int(max(TOP, tallest)) + 10 * 26 + 8)
        self.update()

    @property
    def margin(self) -> float:
        """Return the room left of the grid for the row names and the "true class" title: the
        longest name's, while the cells keep 26 pixels (the names are cut past that)."""
        wanted = max(float(LEFT), LEFT - 18 + min(self._widest + 8, ROW_NAMES_MAX))
        return max(float(LEFT), min(wanted, self.width() - self.n * 26 - 8))

    def _cell_for(self, top: float) -> float:
        """Return the side of one cell with ``top`` pixels above the grid."""
        n = self.n
        return max(8.0, min((self.width() - self.margin - 8) / n, (self.height() - top - 8) / n))

    def upright(self) -> bool:
        """Return True when the column names are too wide for their cells and stand upright."""
        return self._widest > self._cell_for(TOP) - 2

    def top(self) -> float:
        """Return the y of the grid's top edge: room for the title and the column names."""
        if not self.upright():
            return float(TOP)
        return TOP - 18 + min(self._widest, COLUMN_NAMES_MAX) + 4

    def cell_size(self) -> float:
        """Return the side of one cell in pixels."""
        return self._cell_for(self.top())

    def left(self) -> float:
        """Return the x of the grid's left edge: the grid and its labels sit centred."""
        return max(self.margin, (self.width() - self.n * self.cell_size() + self.margin) / 2 - 4)

    def column_label(self, j: int) -> str:
        """Return the name written over column j: cut to the cell's width, or upright and cut
        to the room above the grid."""
        if self.upright():
            return fitted(self.names[j], _label_font(), self.top() - TOP + 16)
        return fitted(self.names[j], _label_font(), self.cell_size() - 2)

    def row_label(self, j: int) -> str:
        """Return the name written left of row j, cut to the margin if need be."""
        return fitted(self.names[j], _label_font(), self.margin - LEFT + 14)

    def cell_rect(self, true: int, predicted: int) -> QRectF:
        """Return the rectangle of cell [true, predicted]."""
        s = self.cell_size()
        return QRectF(self.left() + predicted * s, self.top() + true * s, s, s)

    def cell_center(self, true: int, predicted: int) -> QPoint:
        """Return the centre of cell [true, predicted], for clicks."""
        return self.cell_rect(true, predicted).center().toPoint()

    def set_matrix(self, matrix: np.ndarray | None) -> None:
        """Show these counts (an n x n matrix needs n names: digits unless ``set_names`` gave)."""
        self.matrix = None if matrix is None else np.asarray(matrix)
        if self.matrix is not None and len(self.matrix) != self.n:
            self.set_names(names_for(None, len(self.matrix)))
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
        font = _label_font()
        p.setFont(font)
        p.setPen(qcolor(palette().text))
        n = self.n
        top = self.top()
        row_width = self.margin - LEFT + 18
        upright = self.upright()
        for d in range(n):
            if upright:  # bottom to top, its end just over the column
                p.save()
                p.translate(left + d * s + s / 2, top - 2)
                p.rotate(-90)
                room = QRectF(0, -9, top - TOP + 16, 18)
                align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
                p.drawText(room, align, self.column_label(d))
                p.restore()
            else:
                top_rect = QRectF(left + d * s, top - 20, s, 18)
                p.drawText(top_rect, Qt.AlignmentFlag.AlignCenter, self.column_label(d))
            row_rect = QRectF(left - row_width - 4, top + d * s, row_width, s)
            align = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            p.drawText(row_rect, align, self.row_label(d))
        title = QFont(font)
        title.setBold(True)
        p.setFont(title)
        p.drawText(
            QRectF(left, 2, n * s, 18), Qt.AlignmentFlag.AlignCenter, "predicted (the answer)"
        )
        p.save()
        p.translate(left - self.margin + 14, top + n * s / 2)
        p.rotate(-90)
        shown = "true digit" if self.names == names_for(None, n) else "true class"
        p.drawText(QRectF(-n * s / 2, -10, n * s, 20), Qt.AlignmentFlag.AlignCenter, shown)
        p.restore()
        if self.matrix is not None:
            count_font = QFont(font)
            count_font.setPixelSize(max(8, int(s * 0.34)))
            p.setFont(count_font)
            for true in range(n):
                for predicted in range(n):
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
        row = int((pos.y() - self.top()) // s)
        if pos.x() < self.left() or pos.y() < self.top() or row >= self.n or col >= self.n:
            return None
        return row, col

    def tip_at(self, pos: QPoint) -> str:
        """Return the hover text of the cell under ``pos``: its full names and its count."""
        cell = self.cell_at(pos)
        if cell is None or self.matrix is None:
            return ""
        true, predicted = cell
        count = quantity(int(self.matrix[true, predicted]), "test image")
        return f"true {self.names[true]}, answered {self.names[predicted]}: {count}"

    def event(self, event: QEvent) -> bool:
        """Answer Qt's tooltip request with the cell's full names and count."""
        if event.type() == QEvent.Type.ToolTip:
            self.setToolTip(self.tip_at(event.pos()))
        return super().event(event)

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

    cell_clicked = Signal(int, int)  # true class, predicted class of the clicked cell
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
        self.names: tuple[str, ...] = names_for(None, N)
        self._images = np.zeros((0, 28, 28), np.uint8)
        self._labels = np.zeros(0, np.uint8)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        """Recolour the matrix and its caption when the theme changes."""
        super().changeEvent(event)
        if theme_changed(self, event) and self.result is not None:
            self.set_result(self.result, self._images, self._labels, self.names)

    def set_result(
        self,
        result: ConfusionResult,
        images: np.ndarray,
        labels: np.ndarray,
        class_names: tuple[str, ...] | None = None,
    ) -> None:
        """Show a confusion result over ``images`` and ``labels``, its rows and columns named by
        ``class_names`` (digits if None); a chosen cell stays chosen."""
        self.result = result
        self._images = images
        self._labels = labels
        self.names = names_for(class_names, len(result.matrix))
        self.canvas.set_names(self.names)
        if self.canvas.selected is not None and max(self.canvas.selected) >= len(self.names):
            self.canvas.selected = None
        self.canvas.set_matrix(result.matrix)
        self.caption.setText(
            f"<b>Test accuracy {100 * result.accuracy:.2f}%</b> ({result.correct:,} of "
            f"{result.total:,} right). Rows: the {self._kind()} shown; columns: the network's "
            "answer. "
            f"<span style='color: {css(palette().positive)}'>"
            f"{palette().positive_word.capitalize()}</span>: right answers; "
            f"<span style='color: {css(palette().negative)}'>{palette().negative_word}</span>: "
            "mistakes, the more the "
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
        name = self.names
        verdict = "answered right" if true == predicted else f"mistaken for {a(name[predicted])}"
        self.strip_title.setText(
            f"{quantity(len(cell), 'test image')} of {a(name[true])} {verdict} "
            "(confidence under each)"
        )
        self.gallery.set_empty_text("None.")

    def _kind(self) -> str:
        """Return "digit" for MNIST's digits, else "class"."""
        return "digit" if self.names == names_for(None, len(self.names)) else "class"

    def _on_cell_clicked(self, true: int, predicted: int) -> None:
        """Show the clicked cell's examples and report the cell."""
        self.show_cell(true, predicted)
        self.cell_clicked.emit(true, predicted)
