"""What each run's first-layer neurons learned to look for: 28x28 tiles of weights, per run.

The data-sets experiment shows one block per data set: its name and test error, and a 4 x 4 grid
of its 16 first-layer neurons, each tile how far training moved the neuron's 784 incoming
weights from their random start: blue where ink came to push the neuron on, red where it came to
hold it back, scaled to the tile's own largest change (the start's noise left out).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from gui.colors import palette, signed_image
from gui.theme import theme_changed

COLUMNS = 4  # tiles per row: a 4 x 4 grid of the video's 16 neurons fits the side column
GAP = 2  # pixels between tiles


def tile_grid(weights: np.ndarray, columns: int = COLUMNS) -> np.ndarray:
    """Return (n_hidden, 784) first-layer values as one (h, w, 4) RGBA image of tiles."""
    weights = np.asarray(weights, np.float64)
    n, side = len(weights), int(round(np.sqrt(weights.shape[1])))
    rows = -(-n // columns)
    cell = side + GAP
    image = np.empty((rows * cell - GAP, columns * cell - GAP, 4), np.uint8)
    image[:] = (*palette().background, 255)
    for j, w in enumerate(weights):
        scale = float(np.abs(w).max()) or 1.0
        r, c = divmod(j, columns)
        tile = signed_image(w.reshape(side, side), scale)
        image[r * cell : r * cell + side, c * cell : c * cell + side] = tile
    return image


class FirstLayerTiles(QWidget):
    """One caption and one grid of first-layer weight tiles per run, stacked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.captions: list[QLabel] = []
        self.grids: list[QLabel] = []
        self.images: list[np.ndarray] = []
        self.rows: list[tuple[str, np.ndarray]] = []

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        """Redraw the tiles' gaps in the new theme's background."""
        super().changeEvent(event)
        if theme_changed(self, event) and self.rows:
            self.set_rows(self.rows)

    def set_rows(self, rows: list[tuple[str, np.ndarray]]) -> None:
        """Show each (caption, (n_hidden, 784) weight changes) row; none shows nothing."""
        while self._layout.count():
            item = self._layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.captions, self.grids, self.images = [], [], []
        self.rows = list(rows)
        if rows:
            title = QLabel(
                "<b>What each first layer learned</b>: how far training moved each of the 16 "
                "neurons' weights from their random start (blue: ink there came to push the "
                "neuron on; red: to hold it back)"
            )
            title.setWordWrap(True)
            self._layout.addWidget(title)
        for caption, weights in rows:
            text = QLabel(caption)
            text.setWordWrap(True)
            grid = tile_grid(weights)
            h, w = grid.shape[:2]
            pixels = np.ascontiguousarray(grid)
            image = QImage(pixels.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()
            label = QLabel()
            label.setPixmap(QPixmap.fromImage(image))
            label.setAlignment(Qt.AlignmentFlag.AlignLeft)
            label.setAccessibleName(f"{len(weights)} first-layer neurons: {caption}")
            label.setToolTip(
                "Each tile: how training moved one first-layer neuron's 784 incoming weights "
                "from their random start, as the 28x28 image; blue where ink came to push it "
                "on, red where ink came to hold it back."
            )
            self._layout.addWidget(text)
            self._layout.addWidget(label)
            self.captions.append(text)
            self.grids.append(label)
            self.images.append(grid)
        self.setVisible(bool(rows))
