"""The detail panel for one clicked neuron: its incoming weights, bias and live formulas."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from engine.session.snapshot import ExampleTrace, Snapshot
from engine.words import quantity
from gui.colors import css, palette, signed_image
from gui.diagram.labels import fmt, output_activation_name
from gui.diagram.scene import finite, max_abs
from gui.theme import theme_changed

FORMULAS = {
    "sigmoid": ("\u03c3", "a = \u03c3(z) = \u03c3(\u03a3 w\u00b7a + b) = \u03c3({z}) = {a}"),
    "tanh": ("tanh", "a = tanh(z) = tanh(\u03a3 w\u00b7a + b) = tanh({z}) = {a}"),
    "relu": ("max", "a = max(0, z) = max(0, \u03a3 w\u00b7a + b) = max(0, {z}) = {a}"),
    "softmax": (
        "softmax",
        "a = e^z / \u03a3\u2096 e^z\u2096 = e^{z} / \u03a3\u2096 e^z\u2096 = {a}",
    ),
}


class IncomingWeights(QWidget):
    """Paints a neuron's incoming weights: a 28x28 blue/red image, or one bar per weight."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(280, 150)
        self._weights: np.ndarray | None = None
        self._image: QImage | None = None
        self._buffer: np.ndarray | None = None  # the pixels self._image points into

    def set_weights(self, weights: np.ndarray | None) -> None:
        """Show these incoming weights (784 of them as an image, fewer as bars)."""
        self._weights = None if weights is None else finite(weights)
        self._image = None
        n = 0 if weights is None else len(weights)
        side = int(round(np.sqrt(n)))
        if n > 128 and side * side == n:
            rgba = signed_image(self._weights.reshape(side, side), max_abs(self._weights) or 1.0)
            self._buffer = np.ascontiguousarray(rgba)
            self._image = QImage(
                self._buffer.data, side, side, 4 * side, QImage.Format.Format_RGBX8888
            )
        self.update()

    def image(self) -> QImage | None:
        """Return the picture of the weights painted (784 as 28x28), None when they are bars."""
        return self._image

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        """Paint the image or the bars on the diagram's dark background."""
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(*palette().background))
        w = self._weights
        if w is None or len(w) == 0:
            p.end()
            return
        if self._image is not None:
            side = min(self.width(), self.height()) - 4
            rect = QRectF((self.width() - side) / 2, 2, side, side)
            p.drawImage(rect, self._image)
            p.setPen(QPen(QColor(*palette().outline), 1.0))
            p.drawRect(rect)
            p.end()
            return
        scale = max_abs(w) or 1.0
        mid = self.height() / 2
        step = (self.width() - 8) / len(w)
        p.setPen(QPen(QColor(*palette().outline), 1.0))
        p.drawLine(4, int(mid), self.width() - 4, int(mid))
        for i, value in enumerate(w.tolist()):
            h = (mid - 4) * value / scale
            colour = QColor(*(palette().positive if value >= 0 else palette().negative))
            bar = QRectF(4 + i * step, mid - max(h, 0), max(step - 1, 1), abs(h))
            p.fillRect(bar, colour)
        p.end()


class NeuronPanel(QFrame):
    """A floating card over the diagram describing one neuron with the engine's numbers."""

    closed = Signal()  # the learner closed the panel

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("neuronPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self._restyle()
        self.title = QLabel()
        bold = QFont()
        bold.setBold(True)
        bold.setPixelSize(14)
        self.title.setFont(bold)
        close = QToolButton()
        close.setText("\u00d7")
        close.setAutoRaise(True)
        close.setToolTip("Close (Esc)")
        close.clicked.connect(self._on_close_clicked)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(close)
        self.caption = QLabel()
        self.weights = IncomingWeights()
        self.details = QLabel()
        mono = QFont("DejaVu Sans Mono")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPixelSize(12)
        self.details.setFont(mono)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 10)
        layout.addLayout(head)
        layout.addWidget(self.caption)
        layout.addWidget(self.weights)
        layout.addWidget(self.details)
        self.layer = 0
        self.index = 0
        self.bias: float | None = None
        self.hide()

    def _restyle(self) -> None:
        """Take the theme's panel, outline and text colours."""
        p = palette()
        self.setStyleSheet(
            f"#neuronPanel {{ background: {css(p.panel)}; border: 1px solid {css(p.outline)};"
            f" border-radius: 6px; }} QLabel {{ color: {css(p.text)}; }}"
        )

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        """Follow a change of theme."""
        super().changeEvent(event)
        if theme_changed(self, event):
            self._restyle()

    def _on_close_clicked(self) -> None:
        """Hide the panel and tell the view."""
        self.hide()
        self.closed.emit()

    def show_neuron(
        self, snapshot: Snapshot, trace: ExampleTrace | None, layer: int, index: int
    ) -> None:
        """Fill the panel for neuron ``index`` of ``layer`` (0 is the input) and show it."""
        self.layer, self.index = layer, index
        sizes = snapshot.sizes
        if layer == 0:
            self._show_pixel(trace, index, sizes[0])
            return
        last = layer == len(sizes) - 1
        kind = f"output neuron (digit {index})" if last else f"hidden layer {layer}"
        self.title.setText(f"Layer {layer}, neuron {index} \u2014 {kind}")
        weights = snapshot.weights[layer - 1][index]
        self.bias = float(snapshot.biases[layer - 1][index])
        source = (
            "the 28\u00d728 input pixels"
            if layer == 1
            else f"the {quantity(sizes[layer - 1], 'neuron')}"
        )
        self.caption.setText(
            f"its {quantity(len(weights), 'incoming weight')} from {source} (blue +, red \u2212), "
            f"max |w| = {fmt(max_abs(weights))}"
        )
        self.weights.set_weights(weights)
        self.details.setText("\n".join(self._formulas(snapshot, trace, layer, index, last)))
        self.adjustSize()
        self.show()
        self.raise_()

    def _formulas(
        self, snapshot: Snapshot, trace: ExampleTrace | None, layer: int, index: int, last: bool
    ) -> list[str]:
        """Return the text lines: bias, z, the activation with numbers, dC/da, delta, steps."""
        b = self.bias
        z = a = dc_da = delta = None
        if trace is not None:
            z = float(trace.zs[layer - 1][index])
            a = float(trace.activations[layer][index])
            dc_da = float(trace.dc_da[layer - 1][index])
            delta = float(trace.deltas[layer - 1][index])
        act = output_activation_name(snapshot) if last else snapshot.config.activation
        weighted = None if z is None else z - b  # the sum w.a, read back from the engine's z
        lines = [
            f"b = {fmt(b)}",
            f"z = \u03a3 w\u00b7a + b = {fmt(weighted)} + ({fmt(b)}) = {fmt(z)}",
            FORMULAS[act][1].format(z=fmt(z), a=fmt(a)),
            f"\u2202C/\u2202a = {fmt(dc_da)}",
            f"\u03b4 = \u2202C/\u2202z = {fmt(delta)}   ({'BP1' if last else 'BP2'})",
        ]
        if snapshot.grad_b is not None and snapshot.step_b is not None:
            grad = float(snapshot.grad_b[layer - 1][index])
            step = float(snapshot.step_b[layer - 1][index])
            lines.append(f"batch \u2202C/\u2202b = {fmt(grad)}   step \u0394b = {fmt(step)}")
        if trace is not None and trace.label is None:
            lines.append("example: a drawing with no label yet, so no cost and no delta")
        elif trace is not None:
            lines.append(f"example: label {trace.label}, cost C = {fmt(trace.cost)}")
        return lines

    def _show_pixel(self, trace: ExampleTrace | None, index: int, n: int) -> None:
        """Fill the panel for one input pixel, which has no weights or bias of its own."""
        side = int(round(np.sqrt(n)))
        self.title.setText(f"Input pixel {index} (row {index // side}, column {index % side})")
        self.caption.setText("an input neuron: its activation is the pixel's brightness")
        self.weights.set_weights(None)
        self.bias = None
        a = None if trace is None else float(trace.activations[0][index])
        self.details.setText(f"a = pixel / 255 = {fmt(a)}")
        self.adjustSize()
        self.show()
        self.raise_()
