"""A scrollable grid of 28x28 thumbnails with a caption under each; click one to choose it.

The grid paints only the rows in view, one small QImage per visible thumbnail made from the NumPy
pixels, so a gallery of all 60,000 MNIST training digits scrolls as fast as one of ten.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

from gui.colors import palette, qcolor

GAP = 6  # pixels between thumbnails
CAPTION_HEIGHT = 16


class _GalleryCanvas(QWidget):
    """The painted grid inside the scroll area; its height follows the number of rows."""

    tile_clicked = Signal(int)  # position of the clicked thumbnail in the gallery

    def __init__(self, scale: int) -> None:
        super().__init__()
        self.scale = scale
        self.images: np.ndarray = np.zeros((0, 28, 28), np.uint8)
        self.indices: np.ndarray = np.zeros(0, np.intp)
        self.captions: list[str] = []
        self.selected = -1
        self.empty_text = ""
        self.caption_width = 0
        self.font_ = QFont()
        self.font_.setPixelSize(11)

    def image_size(self) -> QSize:
        """Return the size of one thumbnail's image on screen."""
        h, w = self.images.shape[1:3] if self.images.ndim >= 3 else (28, 28)
        return QSize(w * self.scale, h * self.scale)

    def tile_size(self) -> QSize:
        """Return the size of one thumbnail with its caption and gap; captions set the width."""
        image = self.image_size()
        caption = CAPTION_HEIGHT if self.captions else 0
        width = max(image.width(), self.caption_width)
        return QSize(width + GAP, image.height() + caption + GAP)

    def columns(self) -> int:
        """Return how many thumbnails fit side by side."""
        return max(1, (self.width() - GAP) // self.tile_size().width())

    def tile_rect(self, k: int) -> QRect:
        """Return the rectangle of thumbnail ``k``'s image, in canvas coordinates."""
        size = self.tile_size()
        image = self.image_size()
        row, col = divmod(k, self.columns())
        left = GAP + col * size.width() + (size.width() - GAP - image.width()) // 2
        return QRect(left, GAP + row * size.height(), image.width(), image.height())

    def set_captions(self, captions: list[str]) -> None:
        """Keep the captions and widen the tiles to fit the widest of the first few hundred."""
        self.captions = captions
        metrics = QFontMetrics(self.font_)
        widths = [metrics.horizontalAdvance(c) for c in captions[:300]]
        self.caption_width = max(widths, default=0) + 4

    def fit_height(self) -> None:
        """Make the canvas tall enough for every row at the current width."""
        rows = -(-len(self.indices) // self.columns())
        self.setMinimumHeight(GAP + rows * self.tile_size().height())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """Re-flow the rows when the width changes."""
        super().resizeEvent(event)
        self.fit_height()

    def _qimage(self, k: int) -> QImage:
        """Return thumbnail ``k`` as a QImage owning a copy of its pixels."""
        pixels = np.ascontiguousarray(self.images[self.indices[k]])
        h, w = pixels.shape[:2]
        if pixels.ndim == 3:  # (h, w, 4) RGBA
            image = QImage(pixels.tobytes(), w, h, 4 * w, QImage.Format.Format_RGBA8888)
        else:
            image = QImage(pixels.tobytes(), w, h, w, QImage.Format.Format_Grayscale8)
        return image.copy()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        """Paint the thumbnails in the exposed rows."""
        p = QPainter(self)
        p.fillRect(event.rect(), qcolor(palette().background))
        n = len(self.indices)
        if n == 0:
            p.setPen(qcolor(palette().text))
            p.drawText(
                self.rect().adjusted(8, 8, -8, -8), Qt.AlignmentFlag.AlignLeft, self.empty_text
            )
            p.end()
            return
        p.setFont(self.font_)
        size = self.tile_size()
        cols = self.columns()
        first = max(0, (event.rect().top() - GAP) // size.height())
        last = (event.rect().bottom() - GAP) // size.height()
        for k in range(first * cols, min(n, (last + 1) * cols)):
            rect = self.tile_rect(k)
            p.drawImage(QRectF(rect), self._qimage(k))
            selected = k == self.selected
            p.setPen(
                QPen(
                    qcolor(palette().highlight if selected else palette().outline),
                    2 if selected else 1,
                )
            )
            p.drawRect(rect.adjusted(0, 0, -1, -1))
            if self.captions:
                p.setPen(qcolor(palette().highlight if selected else palette().text))
                text = QRect(
                    rect.left() - GAP // 2, rect.bottom() + 1, size.width(), CAPTION_HEIGHT
                )
                p.drawText(text, Qt.AlignmentFlag.AlignCenter, self.captions[k])
        p.end()

    def tile_at(self, pos: QPoint) -> int:
        """Return the thumbnail under ``pos``, or -1."""
        size = self.tile_size()
        col = (pos.x() - GAP) // size.width()
        row = (pos.y() - GAP) // size.height()
        if pos.x() < GAP or pos.y() < GAP or col >= self.columns():
            return -1
        k = row * self.columns() + col
        return k if 0 <= k < len(self.indices) else -1

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        """Select and report the clicked thumbnail."""
        k = self.tile_at(event.position().toPoint())
        if k < 0 or event.button() != Qt.MouseButton.LeftButton:
            return
        self.selected = k
        self.update()
        self.tile_clicked.emit(k)


class DigitGallery(QWidget):
    """A scrollable grid of digit thumbnails with captions; clicking one reports its index."""

    digit_clicked = Signal(int)  # the clicked digit's index into the images given

    def __init__(self, parent: QWidget | None = None, scale: int = 2) -> None:
        super().__init__(parent)
        self.canvas = _GalleryCanvas(scale)
        self.canvas.tile_clicked.connect(self._on_tile_clicked)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.canvas)
        self.scroll.viewport().setAutoFillBackground(False)
        self.canvas.setAutoFillBackground(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll)

    @property
    def indices(self) -> np.ndarray:
        """Return the dataset indices shown, in order."""
        return self.canvas.indices

    @property
    def captions(self) -> list[str]:
        """Return the captions shown, in order."""
        return self.canvas.captions

    def set_digits(
        self,
        images: np.ndarray,
        indices: Sequence[int] | np.ndarray,
        captions: Sequence[str] | None = None,
    ) -> None:
        """Show ``images[indices]``: (n, 28, 28) uint8 digits, or (n, h, w, 4) uint8 RGBA tiles."""
        indices = np.asarray(indices, np.intp).ravel()
        captions = [] if captions is None else list(captions)
        if captions and len(captions) != len(indices):
            raise ValueError(f"{len(captions)} captions for {len(indices)} digits")
        self.canvas.images = np.asarray(images)
        self.canvas.indices = indices
        self.canvas.set_captions(captions)
        self.canvas.selected = -1
        self.canvas.fit_height()
        self.canvas.update()

    def set_empty_text(self, text: str) -> None:
        """Set the text shown when there is nothing to show."""
        self.canvas.empty_text = text
        self.canvas.update()

    def tile_center(self, k: int) -> QPoint:
        """Return the centre of thumbnail ``k`` in the canvas's coordinates."""
        return self.canvas.tile_rect(k).center()

    def _on_tile_clicked(self, k: int) -> None:
        """Report the clicked thumbnail's dataset index."""
        self.digit_clicked.emit(int(self.canvas.indices[k]))
