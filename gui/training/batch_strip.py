"""The mini-batch strip: every example of the latest mini-batch, shown in slow motion.

The network's step averages over all of these examples, not only the last one, whose forward
pass the diagram draws; the strip outlines that last one.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from gui.colors import palette

THUMB = 28  # screen pixels per thumbnail side at most: one per MNIST pixel
MIN_THUMB = 14  # thumbnails shrink to this before some are left out
GAP = 4
LABEL_HEIGHT = 14


class BatchStrip(QWidget):
    """A row of the mini-batch's digits with their labels; as many as fit, then "+ n more"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._images = np.zeros((0, 28, 28), np.uint8)
        self._labels = np.zeros(0, np.int64)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip(
            "The examples of the latest mini-batch: the step averages the changes all of them "
            "want. The diagram shows the last one's forward pass (outlined)."
        )

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """One row of thumbnails with their labels under a caption line."""
        return QSize(10 * (THUMB + GAP), self._caption_height() + THUMB + LABEL_HEIGHT + 2)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """As tall as the size hint, as narrow as a few thumbnails."""
        return QSize(4 * (THUMB + GAP), self.sizeHint().height())

    def _caption_height(self) -> int:
        """Return the caption line's height."""
        return self.fontMetrics().height() + 2

    def set_batch(self, images: np.ndarray, labels: np.ndarray) -> None:
        """Show these uint8 (m, 28, 28) examples and their m labels."""
        if images is self._images:
            return
        self._images = images
        self._labels = np.asarray(labels)
        self.update()

    def batch(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the examples (m, 28, 28) and the m labels the strip shows."""
        return self._images, self._labels

    def thumb(self) -> int:
        """Return the thumbnail side: 28 px, smaller (down to 14) so a whole batch of 10 fits."""
        m = max(len(self._images), 1)
        return int(min(THUMB, max(MIN_THUMB, (self.width() + GAP) // m - GAP)))

    def shown_count(self) -> int:
        """Return how many thumbnails fit the current width."""
        return min(len(self._images), max(1, (self.width() + GAP) // (self.thumb() + GAP)))

    def caption(self) -> str:
        """Return the caption line above the thumbnails."""
        m = len(self._images)
        if m == 0:
            return "Mini-batch: none yet"
        more = m - self.shown_count()
        rest = f", {more:,} not shown" if more > 0 else ""
        return (
            f"Mini-batch of {m:,}{rest}: the step averages them all; "
            "the diagram shows the outlined one"
        )

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        """Draw the caption, then each thumbnail with its label under it."""
        p = QPainter(self)
        text = self.palette().color(QPalette.ColorRole.WindowText)  # follows the theme
        p.setPen(text)
        top = self._caption_height()
        p.drawText(QRectF(0, 0, self.width(), top), Qt.AlignmentFlag.AlignLeft, self.caption())
        m = len(self._images)
        count = self.shown_count()
        # The last example is the one the diagram draws: keep it in view at the right end.
        order = list(range(count - 1)) + [m - 1] if m > count else list(range(m))
        side = self.thumb()
        for slot, i in enumerate(order):
            x = slot * (side + GAP)
            pixels = np.ascontiguousarray(self._images[i], dtype=np.uint8)
            image = QImage(pixels.data, 28, 28, 28, QImage.Format.Format_Grayscale8)
            p.drawImage(QRectF(x, top, side, side), image)
            if i == m - 1:
                p.setPen(QPen(QColor(*palette().highlight), 2))
                p.drawRect(QRectF(x - 1, top - 1, side + 2, side + 2))
            p.setPen(text)
            label_rect = QRectF(x, top + side, side, LABEL_HEIGHT)
            p.drawText(label_rect, Qt.AlignmentFlag.AlignCenter, str(int(self._labels[i])))
        p.end()
