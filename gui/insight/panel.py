"""The insight tabs: the network's mistakes, what its first-layer neurons look for, and the data.

The panel keeps the latest snapshot it was given and does the work only for the tab in view:
the window calls ``refresh`` a few times a second, the confusion matrix is recomputed when the
snapshot changed and at most once a second (10,000 test images cost 10-20 ms), and the neuron
tiles are redrawn when the snapshot changed.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QEvent, QRectF, Qt, Signal
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engine.data.datasets import MnistData
from engine.lessons.insight import (
    ConfusionResult,
    average_images,
    class_counts,
    confusion_matrix,
    misclassified,
)
from engine.session.snapshot import Snapshot
from engine.words import quantity
from gui.class_labels import fitted, names_for
from gui.colors import css, palette, qcolor, signed_image
from gui.insight.confusion_view import ConfusionView
from gui.insight.digit_gallery import CAPTION_HEIGHT, GAP, DigitGallery
from gui.theme import theme_changed

WIDE_MISTAKES = 640  # narrower than this, the mistakes go under the confusion matrix
NARROW_WIDTH = 400
COUNT_SIZES = (11, 10, 9, 8)  # the counts over the bars shrink to fit their bars
CONFUSION_EVERY_S = 1.0  # recompute the confusion matrix at most this often
MISTAKES, NEURONS, DATASET = range(3)


class _ClassCounts(QWidget):
    """A bar per class: how many training examples each class has."""

    def __init__(self) -> None:
        super().__init__()
        self.setMinimumWidth(260)
        self.setFixedHeight(2 * 28 + CAPTION_HEIGHT + 3 * GAP)
        self.counts = np.zeros(10, np.int64)
        self.names = names_for(None, 10)

    def set_counts(self, counts: np.ndarray, names: tuple[str, ...] | None = None) -> None:
        """Show one count per class, each bar named by ``names`` (digits if None)."""
        self.counts = np.asarray(counts)
        self.names = names_for(names, len(self.counts))
        self.update()

    def bar_labels(self) -> list[str]:
        """Return the names written under the bars, each cut to its bar's width if need be."""
        width = (self.width() - 8) / max(len(self.counts), 1)
        return [fitted(name, _pixel_font(11), width - 2) for name in self.names]

    def count_boxes(self) -> list[tuple[QRectF, str, int]]:
        """Return where each count is written, its text and pixel size: never two touching.

        The counts take the largest size (11 down to 8 pixels) at which every one fits its
        bar's width; if none does, they are written in thousands ("1.2k").
        """
        top, bottom = 18, self.height() - 18
        width = (self.width() - 8) / max(len(self.counts), 1)
        peak = max(int(self.counts.max()), 1)
        for texts in (
            [f"{c:,}" for c in self.counts.tolist()],
            [_thousands(c) for c in self.counts.tolist()],
        ):
            for pixels in COUNT_SIZES:
                metrics = QFontMetricsF(_pixel_font(pixels))
                if max(metrics.horizontalAdvance(t) for t in texts) + 2 <= width:
                    break
            else:
                continue
            break
        boxes = []
        for d, (count, text) in enumerate(zip(self.counts.tolist(), texts)):
            h = (bottom - top) * count / peak
            w = QFontMetricsF(_pixel_font(pixels)).horizontalAdvance(text) + 2
            x = 4 + d * width + (width - w) / 2
            boxes.append((QRectF(x, bottom - h - 16, w, 14), text, pixels))
        return boxes

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        """Paint the bars with their counts above and class names below."""
        p = QPainter(self)
        p.fillRect(self.rect(), qcolor(palette().background))
        top, bottom = 18, self.height() - 18
        width = (self.width() - 8) / max(len(self.counts), 1)
        peak = max(int(self.counts.max()), 1)
        p.setFont(_pixel_font(11))
        for d, (count, name) in enumerate(zip(self.counts.tolist(), self.bar_labels())):
            h = (bottom - top) * count / peak
            x = 4 + d * width
            p.fillRect(QRectF(x + 3, bottom - h, width - 6, h), qcolor(palette().positive))
            p.setPen(qcolor(palette().text))
            p.drawText(QRectF(x, bottom + 2, width, 14), Qt.AlignmentFlag.AlignCenter, name)
        for rect, text, pixels in self.count_boxes():
            p.setFont(_pixel_font(pixels))
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        p.end()


def _pixel_font(pixels: int) -> QFont:
    """Return the UI font at a pixel size."""
    font = QFont()
    font.setPixelSize(pixels)
    return font


def _thousands(count: int) -> str:
    """Return a count in thousands, as "1.2k" (or as it is below 1,000)."""
    return f"{count / 1000:.1f}k".replace(".0k", "k") if count >= 1000 else str(count)


def _explain(text: str) -> QLabel:
    """Return a word-wrapped label of explanation."""
    label = QLabel(text)
    label.setWordWrap(True)
    return label


class InsightPanel(QWidget):
    """Tabs showing the network's mistakes, its first-layer neurons and the dataset."""

    digit_chosen = Signal(object, int)  # a chosen digit: (28, 28) uint8 image, its label

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_mistakes(), "Mistakes")
        self.tabs.addTab(self._build_neurons(), "What neurons look for")
        self.tabs.addTab(self._build_dataset(), "Dataset")
        self.tabs.currentChanged.connect(self._on_tab_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.setMinimumWidth(NARROW_WIDTH)  # the stacked arrangement's, which resizeEvent picks
        self.data: MnistData | None = None
        self.snapshot: Snapshot | None = None
        self.result: ConfusionResult | None = None
        self._version = 0  # counts the snapshots given
        self._confusion_version = -1  # the snapshot the matrix was computed from
        self._neurons_version = -1
        self._confusion_time = -np.inf
        self._dataset_dirty = False
        self._mistakes = np.zeros(0, np.intp)

    def _build_mistakes(self) -> QWidget:
        """Build the tab with the confusion matrix and the most confident mistakes."""
        self.confusion = ConfusionView()
        self.confusion.digit_clicked.connect(self._on_test_digit_clicked)
        self.recompute_button = QPushButton("Re&compute")
        self.recompute_button.setToolTip("Run the test set through the network now")
        self.recompute_button.clicked.connect(self.recompute)
        self.status = QLabel("Train the network, then its test-set results appear here.")
        self.status.setWordWrap(True)
        self.mistakes_title = QLabel("Most confident mistakes")
        self.mistakes = DigitGallery()
        self.mistakes.set_empty_text("No mistakes to show yet.")
        self.mistakes.digit_clicked.connect(self._on_test_digit_clicked)
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.mistakes_title)
        column.addWidget(
            _explain("Each shows <i>true → answered (confidence)</i>. Click one to try it.")
        )
        column.addWidget(self.mistakes, 1)
        split = QSplitter()
        self.mistakes_split = split
        split.addWidget(self.confusion)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        head = QHBoxLayout()
        head.addWidget(self.status, 1)
        head.addWidget(self.recompute_button)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addLayout(head)
        layout.addWidget(split, 1)
        return tab

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        """Put the mistakes beside the confusion matrix when there is room, else under it."""
        super().resizeEvent(event)
        wide = event.size().width() >= WIDE_MISTAKES
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if self.mistakes_split.orientation() != orientation:
            self.mistakes_split.setOrientation(orientation)

    @staticmethod
    def _neurons_text() -> str:
        """Return the explanation of the neuron tiles, its colour words in the theme's colours."""
        blue, red = css(palette().positive), css(palette().negative)
        return (
            "Each tile is one first-layer neuron's 784 incoming weights laid out like the "
            f"28x28 image. <span style='color: {blue}'>{palette().positive_word.capitalize()}"
            f"</span> pixels: ink there pushes the neuron on; <span style='color: {red}'>"
            f"{palette().negative_word}</span>: "
            "ink there holds it back. Each tile is scaled to its own largest weight; b is "
            "the neuron's bias. Expect noise more than strokes: as 3Blue1Brown shows, this "
            "network classifies well without its neurons finding clean edges or loops."
        )

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        """Recolour the explanation and the neuron tiles when the theme changes."""
        super().changeEvent(event)
        if theme_changed(self, event):
            self.neurons_note.setText(self._neurons_text())
            self._neurons_version = -1  # the tiles are redrawn on the new canvas colour
            self.refresh()

    def _build_neurons(self) -> QWidget:
        """Build the tab with one weight image per first-layer neuron."""
        self.neurons = DigitGallery(scale=4)
        self.neurons.set_empty_text("No network yet.")
        tab = QWidget()
        layout = QVBoxLayout(tab)
        self.neurons_note = _explain(self._neurons_text())
        layout.addWidget(self.neurons_note)
        layout.addWidget(self.neurons, 1)
        return tab

    def _build_dataset(self) -> QWidget:
        """Build the dataset browser: averages, class counts and the examples themselves."""
        self.averages = DigitGallery(scale=2)
        self.averages.digit_clicked.connect(self._on_average_clicked)
        self.averages.setFixedHeight(2 * 28 + CAPTION_HEIGHT + 3 * GAP)
        self.counts = _ClassCounts()
        self.filter = QComboBox()
        self._fill_filter(names_for(None, 10))
        self.filter.currentIndexChanged.connect(self._show_examples)
        self.examples_title = QLabel()
        self.examples_title.setWordWrap(True)
        self.examples = DigitGallery()
        self.examples.digit_clicked.connect(self._on_train_digit_clicked)
        averages = QWidget()
        column = QVBoxLayout(averages)
        column.setContentsMargins(0, 0, 0, 0)
        self.averages_title = _explain(
            "<b>The average image of each digit</b> (click to browse it)"
        )
        column.addWidget(self.averages_title)
        column.addWidget(self.averages, 1)
        counts = QWidget()
        column = QVBoxLayout(counts)
        column.setContentsMargins(0, 0, 0, 0)
        self.counts_title = _explain("<b>Training examples per digit</b>")
        column.addWidget(self.counts_title)
        column.addWidget(self.counts, 1)
        top = QHBoxLayout()
        top.addWidget(averages, 3)
        top.addWidget(counts, 2)
        bar = QHBoxLayout()
        bar.addWidget(self.examples_title, 1)
        bar.addWidget(self.filter)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addLayout(top)
        layout.addLayout(bar)
        layout.addWidget(self.examples, 1)
        return tab

    def _fill_filter(self, names: tuple[str, ...]) -> None:
        """Offer "All" and one choice per class, by its name ("Only 7s", "Only Sneaker")."""
        digits = names == names_for(None, len(names))
        self.filter.blockSignals(True)
        self.filter.clear()
        if digits:
            self.filter.addItems(["All digits"] + [f"Only {d}s" for d in names])
        else:
            self.filter.addItems(["All classes"] + [f"Only {name}" for name in names])
        self.filter.blockSignals(False)

    def class_names(self) -> tuple[str, ...]:
        """Return the data's class names, one per output (digits until data is given)."""
        return names_for(None, 10) if self.data is None else tuple(self.data.class_names)

    def set_data(self, data: MnistData) -> None:
        """Use this dataset: the test set for mistakes, the training set for browsing."""
        self.data = data
        names = tuple(data.class_names)
        self._fill_filter(names)
        kind = "digit" if names == names_for(None, len(names)) else "class"
        self.averages_title.setText(f"<b>The average image of each {kind}</b> (click to browse it)")
        self.counts_title.setText(f"<b>Training examples per {kind}</b>")
        self.result = None
        self._confusion_version = -1
        self._confusion_time = -np.inf
        self._dataset_dirty = True

    def set_snapshot(self, snapshot: Snapshot | None) -> None:
        """Keep the latest snapshot; the views catch up on the next ``refresh``."""
        if snapshot is not self.snapshot:
            self.snapshot = snapshot
            self._version += 1

    def refresh(self) -> None:
        """Bring the tab in view up to date, if the panel is visible and its input changed."""
        if not self.isVisible():
            return
        tab = self.tabs.currentIndex()
        if tab == MISTAKES and self._confusion_version != self._version:
            if time.monotonic() - self._confusion_time >= CONFUSION_EVERY_S:
                self.recompute()
        elif tab == NEURONS and self._neurons_version != self._version:
            self._show_neurons()
        elif tab == DATASET and self._dataset_dirty:
            self._show_dataset()

    def recompute(self) -> None:
        """Run the test set through the latest snapshot's network and show the results now."""
        if self.data is None or self.snapshot is None:
            return
        test = self.data.test
        if len(test) and int(test.labels.max()) >= self.snapshot.sizes[-1]:
            return  # the network of the data before: this data's network is on its way
        self.result = confusion_matrix(self.snapshot, test.images, test.labels)
        self._confusion_version = self._version
        self._confusion_time = time.monotonic()
        names = names_for(self.data.class_names, len(self.result.matrix))
        self.confusion.set_result(self.result, test.images, test.labels, names)
        self._mistakes = misclassified(self.result, test.labels)
        labels = test.labels[self._mistakes].tolist()
        answers = self.result.predictions[self._mistakes].tolist()
        confidences = self.result.confidences[self._mistakes].tolist()
        captions = [
            f"{names[t]} \u2192 {names[a]} ({c:.2f})"
            for t, a, c in zip(labels, answers, confidences)
        ]
        self.mistakes.set_digits(test.images, self._mistakes, captions)
        self.mistakes.set_empty_text("No mistakes: every test image is right.")
        self.mistakes_title.setText(
            f"<b>{quantity(len(self._mistakes), 'mistake')}</b>, the most confident first"
        )
        snap = self.snapshot
        epochs = snap.examples_seen / max(snap.n_train, 1)
        self.status.setText(
            f"The network after {epochs:.2f} epochs ({quantity(snap.examples_seen, 'example')}) on "
            f"the {quantity(len(test), f'{self.data.source} test image')} it never trains on."
        )

    def _show_neurons(self) -> None:
        """Draw each first-layer neuron's incoming weights as a blue/red image."""
        self._neurons_version = self._version
        snap = self.snapshot
        if snap is None:
            return
        weights = snap.weights[0]  # (n_hidden, 784)
        side = int(round(np.sqrt(weights.shape[1])))
        if side * side != weights.shape[1]:
            self.neurons.set_digits(np.zeros((0, 1, 1, 4), np.uint8), [])
            self.neurons.set_empty_text("The first layer's inputs are not a square image.")
            return
        scales = np.abs(weights).max(axis=1)
        tiles = np.stack(
            [signed_image(w.reshape(side, side), s) for w, s in zip(weights, scales)]
        )  # (n_hidden, 28, 28, 4)
        captions = [f"#{j + 1}  b={b:+.2f}" for j, b in enumerate(snap.biases[0].tolist())]
        self.neurons.set_digits(tiles, np.arange(len(tiles)), captions)

    def _show_dataset(self) -> None:
        """Show the training set's averages, class counts and examples."""
        self._dataset_dirty = False
        if self.data is None:
            return
        train = self.data.train
        names = self.class_names()
        counts = class_counts(train.labels, len(names))
        self.counts.set_counts(counts, names)
        n = len(names)
        averages = average_images(train.images, train.labels, n)
        tiles = np.rint(averages * 255).astype(np.uint8)
        self.averages.set_digits(tiles, np.arange(n), list(names))
        self._show_examples()

    def _show_examples(self) -> None:
        """Show the training examples of the chosen digit (or all), with their labels."""
        if self.data is None:
            return
        train = self.data.train
        choice = self.filter.currentIndex() - 1
        indices = np.arange(len(train)) if choice < 0 else np.flatnonzero(train.labels == choice)
        names = self.class_names()
        captions = [names[d] for d in train.labels[indices].tolist()]
        self.examples.set_digits(train.images, indices, captions)
        self.examples_title.setText(
            f"<b>{quantity(len(indices), 'training example')}</b> of the {self.data.source} set, "
            "with their labels (click one to try it)"
        )

    def _on_tab_changed(self, _index: int) -> None:
        """Bring a newly shown tab up to date at once."""
        self._confusion_time = -np.inf
        self.refresh()

    def _on_average_clicked(self, digit: int) -> None:
        """Browse the examples of the clicked average's digit."""
        self.filter.setCurrentIndex(digit + 1)

    def _on_test_digit_clicked(self, index: int) -> None:
        """Report a clicked test digit with its label."""
        test = self.data.test
        self.digit_chosen.emit(np.array(test.images[index]), int(test.labels[index]))

    def _on_train_digit_clicked(self, index: int) -> None:
        """Report a clicked training digit with its label."""
        train = self.data.train
        self.digit_chosen.emit(np.array(train.images[index]), int(train.labels[index]))
